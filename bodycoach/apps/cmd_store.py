"""``bodycoach store``: where the sessions are kept (``store migrate`` moves them, checked)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

HELP = "move sessions between stores (SQLite file -> shared PostgreSQL), checked by counts and hashes"

DESCRIPTION = """\
Sessions are kept in a SQLite file in the data folder (the default, no server) or in one PostgreSQL
database shared by a room of PCs (--store postgresql://USER@HOST/DB or BODYCOACH_STORE, on every
bodycoach command, the live coach, the kiosk and the review page).

'store migrate' copies every session of one store into another, each in one transaction: a stopped copy
leaves whole sessions only, and running it again copies only what is missing. Each copy is checked
against its original by a hash of its rows (labels, landmarks, events, phases, corrections, voice);
the table counts of both stores are printed. Kept video files stay where they are (copy the data
folder's videos/ yourself when the target is on another machine).
"""

EPILOG = """\
examples:
  bodycoach store migrate --from sqlite:~/.local/share/bodycoach --to postgresql://coach@db.local/bodycoach
  bodycoach store migrate --from sqlite:/mnt/room2/sessions.db --to "$BODYCOACH_STORE" --json
"""


def register(sub: Any) -> None:
    """Add the ``store`` subcommand."""
    p = sub.add_parser("store", help=HELP, description=DESCRIPTION, epilog=EPILOG,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    ss = p.add_subparsers(dest="store_command", metavar="ACTION")
    m = ss.add_parser("migrate", help="copy sessions from one store into another",
                      description=DESCRIPTION, epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    m.add_argument("--from", dest="source", required=True, metavar="STORE",
                   help="sqlite:PATH (a data folder or a .db file) or postgresql://...")
    m.add_argument("--to", dest="target", required=True, metavar="STORE",
                   help="sqlite:PATH or postgresql://...")
    m.add_argument("--home", metavar="DIR", type=Path, default=None,
                   help="data folder for a postgresql:// side (default: $BODYCOACH_HOME or the user data folder)")
    m.add_argument("--json", action="store_true", help="print the report as JSON")
    m.set_defaults(func=run_migrate)
    p.set_defaults(func=lambda args: (p.print_help(), 0)[1])


def _open(spec: str, home: Path | None) -> Any:
    from bodycoach.errors import BodycoachError
    from bodycoach.store import SessionStore
    from bodycoach.store.backend import is_postgres

    if not (spec.lower().startswith("sqlite:") or is_postgres(spec)):
        raise BodycoachError(f"store: got {spec!r}; expected sqlite:PATH or postgresql://USER@HOST/DB")
    if spec.lower().startswith("sqlite:"):
        return SessionStore(None, store=spec)
    return SessionStore(home, store=spec)


def run_migrate(args: argparse.Namespace) -> int:
    """Copy, check, report; exit 2 when a copy does not match its original."""
    from bodycoach.errors import BodycoachError
    from bodycoach.store.transfer import copy_store

    src = _open(args.source, args.home)
    try:
        dst = _open(args.target, args.home)
    except BaseException:
        src.close()
        raise
    try:
        if src.location == dst.location:
            raise BodycoachError(f"store migrate: --from and --to are the same store ({src.location})")
        report = copy_store(src, dst)
    finally:
        src.close()
        dst.close()
    if args.json:
        print(json.dumps(report.to_dict(), indent=2))
    else:
        print(f"store migrate: {report.copied} sessions copied, {report.already} already there, "
              f"{len(report.mismatched)} not matching")
        for table, n in report.source_counts.items():
            print(f"  {table:<12} source {n:>9}  target {report.target_counts.get(table, 0):>9}")
    if report.mismatched:
        print(f"bodycoach: error: sessions {report.mismatched} differ after the copy (hash check)", file=sys.stderr)
        return 2
    return 0
