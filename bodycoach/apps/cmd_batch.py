"""``bodycoach batch``: analyse many recordings into the session store (one machine or a Ray cluster)."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

HELP = "analyse many recordings into the session store (workers or a Ray cluster)"

DESCRIPTION = """\
Analyse recordings (files, folders searched for videos, glob patterns) and save each one as a session
for trainer review, exactly as 'bodycoach analyze --save' would.

A recording already in the store (same content, same analysis version) is skipped, so running the same
folder again adds nothing and a batch that was stopped goes on where it was. Each recording is saved
whole, in one transaction, when its analysis is done: a stopped batch never leaves half a session. A
broken file fails alone (one line naming it and why); a worker that crashes is replaced and its file
retried once.

exit status: 0 every recording saved or already there, 2 some recordings failed (listed), or bad input.
"""

EPILOG = """\
examples:
  bodycoach batch recordings/                          trainee = each file's folder name
  bodycoach batch 'week12/*.mp4' --trainee-from filename --workers 2
  bodycoach batch week12/ --trainee-from csv:trainees.csv --scenario uhoflig --json
  bodycoach batch week12/ --ray                        a local Ray cluster (or $RAY_ADDRESS)
  bodycoach batch week12/ --ray ray://head:10001       an existing Ray cluster

trainees: 'folder' takes the name of the folder a file is in (recordings/Kari/take1.mp4 -> Kari),
'filename' the file name up to the first '_' (Kari_2026-03-02.mp4 -> Kari), 'csv:FILE' a table with the
columns file,trainee and optionally scenario (file = a name, or a path relative to the table).
"""


def register(sub: Any) -> None:
    """Add the ``batch`` subcommand."""
    p = sub.add_parser("batch", help=HELP, description=DESCRIPTION, epilog=EPILOG,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("paths", nargs="+", metavar="PATH", help="recordings, folders or glob patterns")
    p.add_argument("--trainee-from", metavar="HOW", default="folder",
                   help="folder (default), filename or csv:FILE")
    p.add_argument("--scenario", metavar="KEY", help="customer type rehearsed, e.g. uhoflig, sjenert")
    p.add_argument("--workers", metavar="N", type=int, default=1,
                   help="analyses at once on this machine, one process each (default 1)")
    p.add_argument("--ray", metavar="ADDRESS", nargs="?", const="", default=None,
                   help="run one Ray task per recording on the cluster at ADDRESS (default $RAY_ADDRESS, "
                        "or a local cluster); needs bodycoach[cluster]")
    p.add_argument("--ray-send", choices=("auto", "path", "bytes"), default="auto",
                   help="how Ray workers get a file: its path (a shared folder) or its bytes with the task "
                        "(default: bytes for a remote cluster, path for a local one)")
    p.add_argument("--every-ms", metavar="N", type=float, default=None,
                   help="analyse one frame per N ms of video (default as 'analyze')")
    p.add_argument("--mirrored", action="store_true", help="the recordings are mirrored (selfie) views")
    p.add_argument("--json", action="store_true", help="print the batch report as JSON to stdout")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument("--home", metavar="DIR", type=Path, default=None,
                   help="data folder of the store (default: $BODYCOACH_HOME or the user data folder)")
    p.add_argument("--store", metavar="URL", default=None,
                   help="postgresql://USER@HOST/DB or sqlite:PATH (default: $BODYCOACH_STORE, else the data "
                        "folder's SQLite file)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Run the batch; returns the exit status."""
    from bodycoach import batch
    from bodycoach.errors import BodycoachError
    from bodycoach.store import SessionStore

    if args.every_ms is not None and args.every_ms < 0:
        raise BodycoachError(f"--every-ms must be >= 0, but got {args.every_ms:g}")
    runner: batch.Runner
    if args.ray is not None or (os.environ.get("RAY_ADDRESS") and args.workers == 1):
        send = None if args.ray_send == "auto" else args.ray_send == "bytes"
        runner = batch.RayRunner(args.ray or None, send_bytes=send)
    else:
        runner = batch.LocalRunner(args.workers)
    failures: list[batch.ItemReport] = []
    bar: Any = None

    def line(text: str) -> None:
        if bar is not None:
            bar.write(text, file=sys.stderr)
        else:
            print(text, file=sys.stderr)

    def unreadable(path: Path, reason: str) -> None:
        rep = batch.ItemReport(str(path), "failed", reason=reason)
        failures.append(rep)
        batch.print_failure(rep, line)

    files = batch.discover(args.paths)
    items = batch.plan_items(files, trainee_from=args.trainee_from, scenario=args.scenario, on_error=unreadable)
    home = args.home or (Path(os.environ["BODYCOACH_HOME"]) if os.environ.get("BODYCOACH_HOME") else None)
    store = SessionStore(home, store=args.store)
    done = {"files": 0, "video_s": 0.0}
    if not args.no_progress:
        from tqdm import tqdm

        bar = tqdm(total=sum(i.size_bytes for i in items) or 1, unit="B", unit_scale=True, file=sys.stderr,
                   disable=None, leave=False, desc=f"0/{len(items)} files",
                   bar_format="{desc} |{bar}| {postfix} [{elapsed}<{remaining}]", postfix="0.0 min of video")

    def on_item(rep: batch.ItemReport, item: batch.BatchItem) -> None:
        done["files"] += 1
        done["video_s"] += rep.video_s
        if rep.status == "failed":
            failures.append(rep)
        batch.print_failure(rep, line)
        if bar is not None:
            bar.set_description_str(f"{done['files']}/{len(items)} files", refresh=False)
            bar.set_postfix_str(f"{done['video_s'] / 60:.1f} min of video", refresh=False)
            bar.update(item.size_bytes)

    try:
        report = batch.run_batch(items, store, runner, every_ms=args.every_ms, mirrored=args.mirrored,
                                 on_item=on_item)
    finally:
        if bar is not None:
            bar.close()
        store.close()
    report.items[:0] = [f for f in failures if f not in report.items]
    if args.json:
        print(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
    else:
        print(f"batch: {report.count('saved')} saved, {report.count('skipped')} already stored, "
              f"{report.count('failed')} failed; {report.video_minutes:.1f} min of video in "
              f"{report.wall_s:.0f} s")
    return 2 if report.count("failed") else 0
