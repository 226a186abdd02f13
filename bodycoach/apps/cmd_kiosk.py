"""``bodycoach kiosk``: a full-screen, hands-free practice station for a training room.

Heavy imports (cv2, mediapipe) happen inside ``run`` so ``bodycoach --help`` stays fast.
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
import os
import signal
import sys
from pathlib import Path
from typing import Any

from bodycoach.errors import ConfigError

HELP = "full-screen kiosk for a training room (no keyboard needed)"

DESCRIPTION = """\
Runs a full-screen practice station: an attract screen explains what to do; a session starts when a
person has faced the camera for a couple of seconds, runs the configured phases on a timer, ends when
they leave (or after the maximum time), shows a summary for a few seconds and resets. Nothing is kept
unless the config opts in. The camera is reopened by itself when it disappears or freezes.
"""

EPILOG = """\
examples:
  bodycoach kiosk                                  camera 0, Norwegian, full screen
  bodycoach kiosk --config kiosk.toml              a room's settings (see kiosk.example.toml)
  bodycoach kiosk --source clip.mp4 --windowed     a recorded clip instead of the camera, in a window
  bodycoach kiosk --config kiosk.toml --check      validate the config and exit

exit status: 0 stopped, 1 the coach kept failing (the supervisor restarts it), 2 bad config or no display.
"""


def register(subparsers: Any) -> None:
    """Add the ``kiosk`` subcommand."""
    p = subparsers.add_parser("kiosk", help=HELP, description=DESCRIPTION, epilog=EPILOG,
                              formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--config", metavar="TOML", help="room config (default: built-in defaults)")
    p.add_argument("--source", metavar="PATH_OR_INDEX",
                   help="camera index or video file (overrides camera.source)")
    p.add_argument("--windowed", action="store_true", help="an ordinary window instead of full screen")
    p.add_argument("--lang", choices=("no", "en"), help="language (overrides display.lang)")
    p.add_argument("--check", action="store_true", help="validate the config, print it and exit")
    p.add_argument("--duration", type=float, metavar="SECONDS",
                   help="stop after this many seconds (tests, demos; default: run until stopped)")
    p.add_argument("--accelerated", action="store_true",
                   help="file sources: kiosk time follows the clip's time, frames fed as fast as processed")
    p.add_argument("-v", "--verbose", action="store_true", help="log every state change")
    p.set_defaults(func=run)


def _apply_overrides(cfg: Any, args: argparse.Namespace) -> Any:
    if args.source is not None:
        if not str(args.source).strip():
            raise ConfigError("--source: got ''; expected a camera index like 0 or a video file path")
        cfg = dataclasses.replace(cfg, camera=dataclasses.replace(cfg.camera, source=str(args.source)))
    if args.windowed:
        cfg = dataclasses.replace(cfg, display=dataclasses.replace(cfg.display, fullscreen=False))
    if args.lang:
        cfg = dataclasses.replace(cfg, display=dataclasses.replace(cfg.display, lang=args.lang))
    return cfg


def _check_sources(cfg: Any, where: str) -> None:
    """A file source must be a readable video now (it will not become one); a camera may come back later."""
    from bodycoach.kiosk.config import check_can_run

    check_can_run(cfg, where)
    src = cfg.camera.source.strip()
    if not src.lstrip("-").isdigit():
        from bodycoach.errors import VideoReadError
        from bodycoach.io.video import VIDEO_SUFFIXES, open_source

        # FFmpeg plays even a .txt file (its "tty" demuxer renders text): a kiosk source must be a recording.
        if Path(src).suffix.lower() not in VIDEO_SUFFIXES:
            raise ConfigError(f"{where}: camera.source = {src!r}: not a readable video (file type "
                              f"{Path(src).suffix or '(none)'!r}); expected one of {', '.join(VIDEO_SUFFIXES)}")
        try:
            open_source(src).close()
        except VideoReadError as exc:
            raise ConfigError(f"{where}: camera.source = {src!r}: {exc}") from None


def run(args: argparse.Namespace) -> int:
    """Run the kiosk until stopped (SIGTERM/SIGINT) or ``--duration`` has passed."""
    from bodycoach.kiosk.config import load_kiosk_config

    cfg = _apply_overrides(load_kiosk_config(args.config), args)
    if args.duration is not None and not args.duration > 0:
        raise ConfigError(f"--duration: got {args.duration}; expected a positive number of seconds")
    _check_sources(cfg, args.config or "kiosk config")
    if args.check:
        from bodycoach.profile import load_saved_profile, saved_profile_path

        home = cfg.privacy.store_home or None
        prof = load_saved_profile(home=home)  # a broken saved profile is a config error (exit 2)
        print(f"kiosk config OK: source={cfg.camera.source} lang={cfg.display.lang} "
              f"scenario={cfg.session.scenario} phases={','.join(p.name for p in cfg.session.phases)} "
              f"keep_summaries={str(cfg.privacy.keep_summaries).lower()} "
              f"profile={saved_profile_path(home) if prof is not None else 'none'}")
        return 0
    no_display = not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY")
    if sys.platform.startswith("linux") and no_display:
        raise ConfigError("DISPLAY: not set; expected an X display (e.g. DISPLAY=:0) to show the kiosk on")

    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(asctime)s bodycoach-kiosk %(levelname)s %(message)s")
    from bodycoach.apps.kiosk_app import CoachCrash, KioskApp

    app = KioskApp(cfg, accelerated=args.accelerated)
    stop = {"flag": False}

    def _stop(signum: int, frame: Any) -> None:
        stop["flag"] = True

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    try:
        app.run(duration_s=args.duration, on_tick=lambda a: stop["flag"])
    except CoachCrash as exc:
        print(f"bodycoach: kiosk: {exc}; exiting so the supervisor restarts it", file=sys.stderr)
        return 1
    finally:
        app.close()
    return 0
