"""The ``bodycoach`` command. Each subcommand lives in its own ``cmd_*.py`` module with a ``register``.

Modules are imported when the parser is built, so they must keep heavy imports (mediapipe, cv2,
streamlit) inside their ``run`` functions: ``bodycoach --help`` stays fast.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from bodycoach import __version__
from bodycoach.errors import BodycoachError
from bodycoach.safetext import terminal_safe

# Order = order in --help.
COMMANDS = (
    "cmd_live",
    "cmd_analyze",
    "cmd_batch",
    "cmd_evaluate",
    "cmd_calibrate",
    "cmd_sessions",
    "cmd_store",
    "cmd_kiosk",
    "cmd_bench",
)

DESCRIPTION = """\
bodycoach watches a trainee through a webcam or a recorded video and describes body language the way
the customer-service training guide does: eye contact, smile, arms, hands, head and posture. Everything
runs on this machine; no frame leaves it.
"""

EPILOG = """\
examples:
  bodycoach live                                   open the live coach in the browser
  bodycoach analyze session.mp4 --out results/     landmarks, timeline and summary of a recording
  bodycoach batch recordings/ --workers 2          a folder of recordings into the session store
  bodycoach bench --frames 200                     per-stage speed on this machine

Run 'bodycoach COMMAND --help' for the options of one command.
exit status: 0 success, 1 unexpected failure, 2 bad input (file, camera, config or arguments).
"""


def build_parser() -> argparse.ArgumentParser:
    """Return the top-level parser with every available subcommand registered."""
    parser = argparse.ArgumentParser(
        prog="bodycoach",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"bodycoach {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", title="commands")
    for name in COMMANDS:
        try:
            mod = importlib.import_module(f"bodycoach.apps.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"bodycoach.apps.{name}":
                continue  # command not built yet
            raise
        mod.register(sub)
    return parser


def _silence_native_logs() -> None:
    """Send C/C++ library chatter (TFLite, absl, MediaPipe graphs) to /dev/null, keep Python's stderr.

    MediaPipe's native code writes INFO/WARNING lines straight to file descriptor 2, which would bury our
    one-line errors. Python's ``sys.stderr`` is re-pointed at a duplicate of the original descriptor first,
    so error messages and progress bars still reach the terminal. ``BODYCOACH_DEBUG=1`` keeps everything.
    """
    try:
        sys.stderr.flush()
        saved = os.dup(2)
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)
        os.close(devnull)
        sys.stderr = os.fdopen(saved, "w", buffering=1, encoding="utf-8", errors="replace", closefd=True)
    except (OSError, ValueError):  # no real fd 2 (embedded, some test runners): leave it alone
        return


_PATH_ARGS = frozenset({"video", "source", "config", "profile", "dataset", "path", "paths", "videos"})


def _check_utf8(args: argparse.Namespace) -> None:
    """Refuse arguments that are not valid UTF-8 (a Latin-1 terminal's "Kåre") with one line, not a traceback.

    Python decodes such bytes to lone surrogates ("surrogateescape"); they can neither be stored nor printed.
    """
    for name, value in vars(args).items():
        if name in _PATH_ARGS:
            continue  # file names may hold any bytes on Linux; os functions take them as they are
        values = value if isinstance(value, list | tuple) else [value]
        for v in values:
            if not isinstance(v, str) or v.isascii():
                continue
            try:
                v.encode("utf-8")
            except UnicodeEncodeError:
                raw = os.fsencode(v)
                opt = "--" + name.replace("_", "-")
                raise BodycoachError(
                    f"{opt}: {raw!r} is not valid UTF-8 (the terminal sent another encoding, e.g. Latin-1); "
                    f"set the terminal to UTF-8 (LANG=nb_NO.UTF-8) and type it again") from None


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``bodycoach`` console script; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 0
    if not os.environ.get("BODYCOACH_DEBUG") and sys.stderr is sys.__stderr__:
        _silence_native_logs()
    try:
        _check_utf8(args)
        return int(args.func(args) or 0)
    except BrokenPipeError:
        # `bodycoach sessions | head -1`: the reader left. Python's advice (signal docs, "Note on
        # SIGPIPE"): point stdout at devnull so the flush at exit does not fail again; exit like SIGPIPE.
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except (OSError, ValueError):
            pass
        return 141
    except BodycoachError as exc:
        print(f"bodycoach: error: {terminal_safe(exc)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("bodycoach: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
