"""Trainer review commands: sessions, report, export, annotate, correct, corrections, delete.

Heavy imports (altair, vl-convert, cv2) stay inside the ``run_*`` functions so ``bodycoach --help`` is fast.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from bodycoach.safetext import json_terminal_safe, terminal_safe

_HOME_HELP = "data folder of the session store (default: $BODYCOACH_HOME or the user data folder)"
_STORE_HELP = ("where the sessions are: postgresql://USER@HOST/DB (shared by a room of PCs) or sqlite:PATH "
               "(default: $BODYCOACH_STORE, else the data folder's SQLite file)")


def _home(p: argparse.ArgumentParser) -> None:
    p.add_argument("--home", metavar="DIR", type=Path, default=None, help=_HOME_HELP)
    p.add_argument("--store", metavar="URL", default=None, help=_STORE_HELP)


def _sid(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"SESSION_ID must be a whole number, but got {value!r}") from None
    if n <= 0:
        raise argparse.ArgumentTypeError(f"SESSION_ID must be positive, but got {n}")
    return n


def _seconds(value: str) -> float:
    """Parse ``12.5`` or ``m:ss`` into seconds."""
    try:
        if ":" in value:
            m, s = value.split(":", 1)
            out = int(m) * 60 + float(s)
        else:
            out = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"time must be seconds (12.5) or m:ss (3:07), but got {value!r}") from None
    if out < 0:
        raise argparse.ArgumentTypeError(f"time must be >= 0, but got {value!r}")
    return out


def register(sub: Any) -> None:
    """Add the review subcommands."""
    raw = argparse.RawDescriptionHelpFormatter

    p = sub.add_parser("sessions", help="list saved sessions (trainer review)", formatter_class=raw,
                       description="List the sessions in the store, newest first.",
                       epilog="examples:\n  bodycoach sessions\n  bodycoach sessions --trainee Kari --json")
    p.add_argument("--json", action="store_true", help="print a JSON list (id, trainee, started_at, "
                                                       "duration_s, ...)")
    p.add_argument("--trainee", metavar="NAME", help="only this trainee")
    p.add_argument("--scenario", metavar="TYPE", help="only this scenario")
    _home(p)
    p.set_defaults(func=run_sessions)

    p = sub.add_parser("report", help="self-contained HTML report of a session", formatter_class=raw,
                       description="Write an HTML report (scorecard, timeline, shares, events) that opens "
                                   "offline and prints well.",
                       epilog="example:\n  bodycoach report 12 -o report.html --lang en")
    p.add_argument("session_id", metavar="SESSION_ID", type=_sid)
    p.add_argument("-o", "--out", metavar="FILE", type=Path, required=True, help="output .html")
    p.add_argument("--lang", choices=("no", "en"), default="no", help="report language (default no)")
    p.add_argument("--no-progress-chart", action="store_true", help="leave out the trainee's progress chart")
    _home(p)
    p.set_defaults(func=run_report)

    p = sub.add_parser("export", help="CSV/JSON of a session's states, events and corrections",
                       formatter_class=raw,
                       description="Write session-ID-frames.csv, -events.csv, -corrections.csv and/or "
                                   "session-ID.json into a folder.",
                       epilog="example:\n  bodycoach export 12 --out exports/ --format csv json")
    p.add_argument("session_id", metavar="SESSION_ID", type=_sid)
    p.add_argument("--out", metavar="DIR", type=Path, default=Path("."), help="output folder (default .)")
    p.add_argument("--format", nargs="+", choices=("csv", "json"), default=["csv", "json"])
    _home(p)
    p.set_defaults(func=run_export)

    p = sub.add_parser("annotate", help="MP4 of a session with the overlay burned in", formatter_class=raw,
                       description="Draw the stored states and landmarks onto the session's video.",
                       epilog="example:\n  bodycoach annotate 12 -o kari.mp4 --video rehearsal.mp4")
    p.add_argument("session_id", metavar="SESSION_ID", type=_sid)
    p.add_argument("-o", "--out", metavar="FILE", type=Path, required=True, help="output .mp4")
    p.add_argument("--video", metavar="PATH", type=Path, default=None,
                   help="the recording (default: the video kept with the session)")
    p.add_argument("--lang", choices=("no", "en"), default="no")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    _home(p)
    p.set_defaults(func=run_annotate)

    p = sub.add_parser("attach", help="keep a recording with a session (for moments and annotate)",
                       formatter_class=raw,
                       description="Copy a video into the data folder (generated name, size-checked) and "
                                   "attach it "
                                   "to a session, so the review page shows real frames and 'annotate' "
                                   "needs no "
                                   "--video. With --link only the path is stored (the file stays yours and "
                                   "is "
                                   "never deleted by bodycoach).",
                       epilog="example:\n  bodycoach attach 12 rehearsal.mp4")
    p.add_argument("session_id", metavar="SESSION_ID", type=_sid)
    p.add_argument("video", type=Path)
    p.add_argument("--link", action="store_true", help="store the path instead of a copy")
    _home(p)
    p.set_defaults(func=run_attach)

    p = sub.add_parser("correct", help="store a trainer's correction of a label at a moment",
                       formatter_class=raw,
                       description="Record that bodycoach was wrong about an area at a time (span). "
                                   "Corrections are exported as labelled data by 'bodycoach corrections'.",
                       epilog="examples:\n  bodycoach correct 12 --area arms --at 3:07 --to 3:15 --not "
                              "crossed_chest\n"
                              "  bodycoach correct 12 --area smile --at 41 --is warm --note 'small smile'")
    p.add_argument("session_id", metavar="SESSION_ID", type=_sid)
    p.add_argument("--area", required=True, help="behaviour: eye_contact, smile, arms, hands, palm, head, "
                                                 "...")
    p.add_argument("--at", required=True, type=_seconds, help="time in seconds or m:ss")
    p.add_argument("--to", type=_seconds, default=None, help="end of the span (default: the same moment)")
    p.add_argument("--not", dest="wrong", metavar="LABEL", help="the label that was wrong")
    p.add_argument("--is", dest="right", metavar="LABEL", help="the right label, when known")
    p.add_argument("--note", default=None)
    _home(p)
    p.set_defaults(func=run_correct)

    p = sub.add_parser("corrections", help="export trainer corrections as labelled data (CSV or JSON)",
                       formatter_class=raw,
                       epilog="example:\n  bodycoach corrections -o corrections.csv")
    p.add_argument("--session", type=_sid, default=None, help="only this session")
    p.add_argument("-o", "--out", metavar="FILE", type=Path, default=None,
                   help="output .csv or .json (default: CSV to stdout)")
    _home(p)
    p.set_defaults(func=run_corrections)

    p = sub.add_parser("delete", help="delete a session with its frames and kept video",
                       formatter_class=raw, epilog="example:\n  bodycoach delete 12 --yes")
    p.add_argument("session_id", metavar="SESSION_ID", type=_sid)
    p.add_argument("--yes", action="store_true", help="do not ask")
    _home(p)
    p.set_defaults(func=run_delete)


def _store(args: argparse.Namespace) -> Any:
    from bodycoach.store import SessionStore

    return SessionStore(args.home, store=getattr(args, "store", None))


def _json(value: Any, **kw: Any) -> str:
    """JSON for the terminal: control characters, C1 and bidi controls escaped (still valid JSON)."""
    return json_terminal_safe(json.dumps(value, ensure_ascii=False, **kw))


def _cell(value: Any, width: int) -> str:
    """A table cell: control characters shown escaped (no fake rows, no ANSI), cut to ``width``."""
    text = terminal_safe(value if value is not None else "")
    return text if len(text) <= width else text[:width - 1] + "…"


def run_sessions(args: argparse.Namespace) -> int:
    """List sessions."""
    with _store(args) as store:
        infos = store.list_sessions(trainee=args.trainee, scenario=args.scenario)
    for i in infos:
        if i.problem:
            print(f"bodycoach: warning: session {i.id}: {terminal_safe(i.problem)}", file=sys.stderr)
    if args.json:
        print(_json([i.to_dict() for i in infos], indent=2))
        return 0
    if not infos:
        filters = [f"{opt} {terminal_safe(v)!s}" for opt, v in (("--trainee", args.trainee),
                                                                  ("--scenario", args.scenario)) if v]
        if filters:
            print(f"no sessions match {' and '.join(filters)} (bodycoach sessions lists them all)")
        else:
            print("no sessions saved yet (bodycoach analyze VIDEO --save --trainee NAME)")
        return 0
    print(f"{'id':>5}  {'trainee':<20} {'started (UTC)':<17} {'duration':>8}  {'frames':>6}  "
          f"{'status':<10} scenario")
    for i in infos:
        m, s = divmod(int(round(i.duration_s)), 60)
        print(f"{i.id:>5}  {_cell(i.trainee, 20):<20} {_cell(i.started_at[:16].replace('T', ' '), 17):<17} "
              f"{m:>5}:{s:02d}  {i.frame_count:>6}  {_cell(i.status, 10):<10} {_cell(i.scenario, 40)}")
    return 0


def run_report(args: argparse.Namespace) -> int:
    """Write the HTML report."""
    from bodycoach.review.export import write_atomic
    from bodycoach.review.report_html import build_report_html
    from bodycoach.review.scorecard import progress_rows, session_report

    with _store(args) as store:
        data = store.load(args.session_id)
        report = session_report(data, lang=args.lang)
        progress = None if args.no_progress_chart else progress_rows(store, data.info.trainee, args.lang)
        voice = store.voice(data.info.id)
    html = build_report_html(data, report, lang=args.lang, progress=progress, voice=voice)
    write_atomic(args.out, html)
    print(f"{terminal_safe(args.out)} ({len(html.encode('utf-8')) / 1e6:.2f} MB)")
    return 0


def run_export(args: argparse.Namespace) -> int:
    """Write CSV/JSON exports."""
    from bodycoach.review.export import export_session

    with _store(args) as store:
        data = store.load(args.session_id)
    for p in export_session(data, args.out, args.format):
        print(terminal_safe(p))
    return 0


def run_annotate(args: argparse.Namespace) -> int:
    """Write the annotated MP4."""
    from bodycoach.apps.annotate_video import annotate_session_video

    bar = None
    progress = None
    if not args.no_progress:
        from tqdm import tqdm

        bar = tqdm(total=0, unit="frame", desc="annotate", file=sys.stderr, disable=None, leave=False)

        def progress(done: int, total: int) -> None:
            assert bar is not None
            if bar.total != total:
                bar.total = total
            bar.update(done - bar.n)

    try:
        with _store(args) as store:
            out = annotate_session_video(store, args.session_id, args.out, video=args.video, lang=args.lang,
                                         progress=progress)
    finally:
        if bar is not None:
            bar.close()
    print(terminal_safe(out))
    return 0


def run_attach(args: argparse.Namespace) -> int:
    """Attach a video to a session (copied into the store unless --link)."""
    from bodycoach.errors import VideoReadError
    from bodycoach.io.video import open_source

    video = Path(args.video)
    if not video.is_file():
        raise VideoReadError(f"{video}: not found; expected the recording of the session")
    open_source(video).close()  # a readable video, before anything is copied
    with _store(args) as store:
        old = store.get(args.session_id)
        target = video.resolve() if args.link else store.import_video(video)
        try:
            store.set_video(args.session_id, target)
        except BaseException:
            if not args.link:
                target.unlink(missing_ok=True)
            raise
        if old.video_owned and old.video_path is not None and old.video_path != target:
            old.video_path.unlink(missing_ok=True)  # the copy it replaces
    print(terminal_safe(target))
    return 0


def run_correct(args: argparse.Namespace) -> int:
    """Store one correction."""
    with _store(args) as store:
        c = store.add_correction(args.session_id, args.area, int(round(args.at * 1000)),
                                 None if args.to is None else int(round(args.to * 1000)),
                                 wrong_label=args.wrong, correct_label=args.right, note=args.note)
    print(_json(c.to_dict()))
    return 0


def run_corrections(args: argparse.Namespace) -> int:
    """Export corrections as labelled data."""
    from bodycoach.review.export import corrections_csv, write_atomic

    with _store(args) as store:
        items = store.corrections(args.session)
    if args.out is not None and args.out.suffix.lower() == ".json":
        write_atomic(args.out, json.dumps([c.to_dict() for c in items], indent=2, ensure_ascii=False))
    elif args.out is not None:
        write_atomic(args.out, corrections_csv(items))
    else:
        sys.stdout.write(corrections_csv(items))
        return 0
    print(f"{terminal_safe(args.out)} ({len(items)} corrections)")
    return 0


def run_delete(args: argparse.Namespace) -> int:
    """Delete a session."""
    with _store(args) as store:
        info = store.get(args.session_id)
        if not args.yes:
            if not sys.stdin.isatty():
                from bodycoach.errors import BodycoachError

                raise BodycoachError(f"delete {info.id}: add --yes to delete without a prompt")
            answer = input(f"Delete session {info.id} of {terminal_safe(info.trainee)} "
                           f"({terminal_safe(info.started_at)}) and its video? [y/N] ")
            if answer.strip().lower() not in ("y", "yes", "j", "ja"):
                print("not deleted")
                return 1
        store.delete(info.id)
    print(f"deleted session {info.id}")
    return 0
