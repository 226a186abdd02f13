"""``bodycoach live``: open the live coach in the browser (runs ``streamlit run app.py``)."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

HELP = "open the live coach in the browser (camera, or a demo clip)"
DESCRIPTION = """\
Starts the bodycoach web app on this machine and prints its address. Open it in a browser, press Start
and allow the camera. No camera? Choose "Demo" on the page: a bundled sample clip runs through the same
analysis. Nothing leaves this machine; the app listens on localhost only unless --address says otherwise.
"""
EPILOG = """\
examples:
  bodycoach live                      Norwegian, http://localhost:8501
  bodycoach live --lang en --port 8600
  BODYCOACH_REVIEW_PASSCODE=... bodycoach live --address 0.0.0.0
                                      reachable from the LAN: the review page then asks for that passcode
                                      (the browser needs https for the camera)
"""

APP = Path(__file__).resolve().parents[2] / "app.py"


def register(sub: Any) -> None:
    """Add the ``live`` subcommand."""
    p = sub.add_parser("live", help=HELP, description=DESCRIPTION, epilog=EPILOG,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--port", type=int, default=8501, help="port of the web app (default 8501)")
    p.add_argument("--lang", choices=("no", "en"), default="no", help="start language (default no)")
    p.add_argument("--address", default="localhost",
                   help="address to listen on (default localhost: this machine only)")
    p.add_argument("--home", metavar="DIR", type=Path, default=None,
                   help="data folder for saved sessions and calibration (default: $BODYCOACH_HOME or the "
                        "user data folder)")
    p.set_defaults(func=run)


def build_command(args: argparse.Namespace) -> list[str]:
    """Return the ``streamlit run`` command line for ``args``."""
    return [
        sys.executable, "-m", "streamlit", "run", str(APP),
        "--server.port", str(args.port),
        "--server.address", args.address,
        "--server.headless", "true",
        "--browser.gatherUsageStats", "false",
        "--server.fileWatcherType", "none",
        "--runner.postScriptGC", "false",
    ]


def run(args: argparse.Namespace) -> int:
    """Run the web app until interrupted; returns its exit status."""
    from bodycoach.errors import ConfigError

    if not APP.exists():
        raise ConfigError(f"{APP}: app.py not found; expected a bodycoach checkout (pip install -e .)")
    if not 1 <= args.port <= 65535:
        raise ConfigError(f"--port: {args.port} is not a port; expected 1..65535")
    from bodycoach.review.access import check_serving

    check_serving(args.address)  # the review page: a passcode beyond localhost (README, "Access")
    env = dict(os.environ, BODYCOACH_LANG=args.lang)
    if args.home is not None:
        env["BODYCOACH_HOME"] = str(args.home)
    print(f"bodycoach live: http://{args.address}:{args.port}  (Ctrl+C stops)", file=sys.stderr)
    return subprocess.call(build_command(args), env=env, cwd=str(APP.parent))
