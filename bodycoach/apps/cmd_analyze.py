"""``bodycoach analyze``: analyse a recorded session."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from bodycoach.safetext import terminal_safe

HELP = "analyse a recorded session (landmarks, timeline, events, summary)"

DESCRIPTION = """\
Analyse a recorded session and write, in --out:
  landmarks.npz   per analysed frame: t_ms, pose (33x4), face (478x4, with iris), left_hand and
                  right_hand (21x4 each; the person's left and right), NaN where absent
  timeline.csv    one row per analysed frame: t_ms, what was found, then per behaviour the frame's
                  label and the stable state, then the voice: voice_active (0/1), voice_level_db
                  (relative to the speaker's median speech level), voice_pitch_st (semitones from the
                  speaker's median, empty when unvoiced), voice_rate_syl_s (syllables/s, last 5 s of speech)
  events.json     stable states with start and end (ms); voice events (behaviour "voice": too_fast,
                  too_slow, monotone, too_loud, too_quiet, long_silence)
  summary.json    video facts (duration, fps, size, frames analysed, share of frames with a face,
                  a body and each hand), the share of time of each label and a "voice" object
                  (speech_share, articulation_rate_syl_s, speech_rate_syl_s, pitch_sd_st, level_sd_db,
                  longest_silence_s, pauses); without usable audio it says why ("reason")

Nothing is written unless the whole video was analysed; earlier results in --out stay as they were
until then. With --save the session is also imported into the session store for trainer review.
"""

EPILOG = """\
examples:
  bodycoach analyze rehearsal.mp4 --out results/
  bodycoach analyze webcam.webm --mirrored --every-ms 200 --json
  bodycoach analyze rehearsal.mp4 --save --trainee "Kari N." --scenario uhoflig
  bodycoach analyze rehearsal.mp4 --profile me.json    another person's calibration
"""


def register(sub: Any) -> None:
    """Add the ``analyze`` subcommand."""
    p = sub.add_parser("analyze", help=HELP, description=DESCRIPTION, epilog=EPILOG,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("video", help="recorded session (mp4/h264, webm, y4m, mjpeg ...)")
    p.add_argument("--out", metavar="DIR", type=Path, default=None,
                   help="output folder (default: ./<video name>.bodycoach)")
    p.add_argument("--every-ms", metavar="N", type=float, default=None,
                   help="analyse one frame per N ms of video (default 200, i.e. 5 per second; 0 = every frame)")
    p.add_argument("--mirrored", action="store_true",
                   help="the recording is a mirrored (selfie) view; left/right are swapped back")
    p.add_argument("--json", action="store_true", help="print summary.json to stdout instead of a table")
    p.add_argument("--no-voice", action="store_true", help="do not analyse the audio track")
    p.add_argument("--lang", choices=("no", "en"), default="no",
                   help="language spoken, for the pace band of the voice (default: no)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    prof = p.add_mutually_exclusive_group()
    prof.add_argument("--profile", metavar="JSON", type=Path, default=None,
                      help="calibration profile (default: the saved one, <data folder>/calibration_profile.json, "
                           "when there is one)")
    prof.add_argument("--no-profile", action="store_true", help="ignore the saved calibration profile")
    g = p.add_argument_group("session store (trainer review)")
    g.add_argument("--save", action="store_true", help="also import the session into the session store")
    g.add_argument("--trainee", metavar="NAME", help="trainee name or pseudonym (required with --save)")
    g.add_argument("--scenario", metavar="TYPE", help="customer type rehearsed, e.g. uhoflig, sjenert")
    g.add_argument("--home", metavar="DIR", type=Path, default=None,
                   help="data folder of the store (default: $BODYCOACH_HOME or the user data folder)")
    g.add_argument("--store", metavar="URL", default=None,
                   help="postgresql://USER@HOST/DB or sqlite:PATH (default: $BODYCOACH_STORE, else the data "
                        "folder's SQLite file)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Run the analysis; returns the exit status."""
    from bodycoach.errors import BodycoachError, VideoReadError
    from bodycoach.offline import analyze_video
    from bodycoach.store.sessions import REASON_USER_INTERRUPT

    video = Path(args.video)
    if args.every_ms is not None and args.every_ms < 0:
        raise BodycoachError(f"--every-ms must be >= 0, but got {args.every_ms:g}")
    if args.save and not (args.trainee and args.trainee.strip()):
        raise BodycoachError("--save needs --trainee NAME (a name or pseudonym)")
    out = args.out if args.out is not None else Path.cwd() / f"{video.name}.bodycoach"
    _check_out_dir(out)

    # Validate the video before creating anything (no empty output folder on a bad file).
    from bodycoach.io.video import open_source

    open_source(video).close()

    profile, profile_path = _profile(args)
    from bodycoach.analysis import Analyzer

    analyzer = Analyzer(profile=profile)

    writer = None
    if args.save:
        writer = _open_store_writer(args, video, profile)

    bar = None
    progress = None
    if not args.no_progress:
        from tqdm import tqdm

        bar = tqdm(total=0, unit="frame", desc=video.name, file=sys.stderr, disable=None, leave=False)

        def progress(done: int, total: int) -> None:
            assert bar is not None
            if bar.total != total:
                bar.total = total
            bar.update(done - bar.n)

    try:
        result = analyze_video(video, out, every_ms=args.every_ms, mirrored=args.mirrored,
                               analyzer=analyzer, sink=writer, progress=progress,
                               voice=not args.no_voice, lang=args.lang)
    except BaseException as exc:
        if writer is not None:
            writer.abort(REASON_USER_INTERRUPT if isinstance(exc, KeyboardInterrupt) else f"analysis failed: {exc}")
        if isinstance(exc, VideoReadError | BodycoachError):
            raise
        if isinstance(exc, OSError) and not isinstance(exc, BrokenPipeError):
            raise BodycoachError(f"{terminal_safe(out)}: cannot write the results ({exc.strerror or exc}); "
                                 f"expected a writable folder with free space (earlier results there are "
                                 f"unchanged)") from exc
        raise
    finally:
        if bar is not None:
            bar.close()
    summary = result.summary()
    summary["profile"] = None if profile_path is None else str(profile_path)
    if writer is not None:
        writer.add_events(result.events)
        close_session(writer, result, summary)
        summary["session_id"] = getattr(writer, "session_id", None)
        save_voice(writer, result)
    if args.json:
        print(json.dumps(summary, indent=2, ensure_ascii=False))
    else:
        _print_table(summary, out)
    if result.ended_early:
        print(f"bodycoach: warning: {terminal_safe(video)}: the video ended before its stated length "
              f"(truncated?); analysed {result.frames} frames up to {result.last_ms / 1000:.1f} s"
              + (", saved as incomplete" if writer is not None else ""), file=sys.stderr)
    return 0


def analysed_duration_s(run: Any) -> float:
    """Seconds of video actually analysed: up to the last frame plus one analysis step."""
    if not run.frames:
        return 0.0
    step_ms = float(run.every_ms or 0.0) or (1000.0 / run.info.fps if run.info.fps else 0.0)
    return round((run.last_ms + step_ms) / 1000.0, 3)


def short_file(run: Any) -> tuple[float, str] | None:
    """(duration analysed, reason) when the file ended before its header's length, else None."""
    if not run.ended_early:
        return None
    got = analysed_duration_s(run)
    return got, (f"the video ended at {got:.1f} s of the {run.info.duration_s:.1f} s its header states "
                 f"(truncated file); {run.frames} frames analysed")


def close_session(writer: Any, run: Any, summary: dict[str, Any]) -> Any:
    """Close a stored session: complete, or incomplete with the duration analysed when the file was short."""
    short = short_file(run)
    if short is not None:
        return writer.close(duration_s=short[0], incomplete=short[1])
    return writer.close(duration_s=summary["duration_s"])


def _check_out_dir(out: Path) -> None:
    """Refuse an --out that can never be written, before anything is created (one line naming the folder)."""
    from bodycoach.errors import BodycoachError

    if out.exists() and not out.is_dir():
        raise BodycoachError(f"{terminal_safe(out)}: --out exists and is not a folder")
    parent = out
    while not parent.exists() and parent.parent != parent:
        parent = parent.parent
    if not parent.is_dir():
        raise BodycoachError(f"{terminal_safe(out)}: --out cannot be created: {terminal_safe(parent)} is a file, "
                             f"not a folder")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise BodycoachError(f"{terminal_safe(parent)}: not writable (read-only or no permission); expected a "
                             f"writable folder for --out")


def _profile(args: argparse.Namespace) -> tuple[Any, Path | None]:
    """The calibration profile to use and where it came from (None, None without one)."""
    from bodycoach.profile import CalibrationProfile, load_saved_profile, saved_profile_path

    if args.no_profile:
        return None, None
    if args.profile is not None:
        return CalibrationProfile.load(args.profile), args.profile  # an explicit file must exist
    path = saved_profile_path(args.home)
    prof = load_saved_profile(path)
    return prof, (path if prof is not None else None)


def save_voice(writer: Any, run: Any) -> None:
    """Keep the voice of an analysed run with its stored session (nothing when it has no voice)."""
    if run.voice is None or getattr(writer, "store", None) is None:
        return
    writer.store.save_voice(writer.session_id, run.voice_summary, run.voice_events, run.voice.track())


def _open_store_writer(args: argparse.Namespace, video: Path, profile: Any = None) -> Any:
    from bodycoach.errors import BodycoachError

    try:
        from bodycoach.store import SessionStore
    except ImportError:
        raise BodycoachError("the session store is not available in this build") from None
    home = args.home or (Path(os.environ["BODYCOACH_HOME"]) if os.environ.get("BODYCOACH_HOME") else None)
    store = SessionStore(home, store=getattr(args, "store", None))
    return store.create_session(trainee=args.trainee.strip(), scenario=args.scenario, source=str(video),
                                calibration=profile, video_path=None)


def _print_table(s: dict[str, Any], out: Path) -> None:
    v = s["video"]
    lines = [
        f"video         {v['source']}",
        f"size          {s['width']}x{s['height']} @ {s['fps']:g} fps, {s['duration_s']:.1f} s",
        f"analysed      {s['frames_analysed']} frames (one per {s['every_ms']:g} ms)",
        f"found         face {s['share_face']:.0%}  body {s['share_body']:.0%}  "
        f"left hand {s['share_left_hand']:.0%}  right hand {s['share_right_hand']:.0%}",
        f"calibration   {s['profile'] or 'none (run bodycoach calibrate to make one)'}",
    ]
    for behaviour, shares in s.get("states", {}).items():
        known = {k: v for k, v in shares.items() if k != "unknown" and v > 0}
        if known:
            text = "  ".join(f"{k} {v:.0%}" for k, v in sorted(known.items(), key=lambda kv: -kv[1]))
            lines.append(f"{behaviour:<13} {text}")
    vo = s.get("voice") or {}
    if vo.get("speech_s"):
        ar = vo.get("articulation_rate_syl_s")
        sd = vo.get("pitch_sd_st")
        lines.append(f"voice         speech {vo['speech_share']:.0%}  pace {ar:.1f} syl/s  "
                     f"pitch spread {sd if sd is not None else float('nan'):.1f} st  "
                     f"longest silence {vo['longest_silence_s']:.1f} s  pauses {len(vo['pauses'])}")
    elif vo:
        lines.append(f"voice         none ({vo.get('reason') or 'no speech'})")
    if "session_id" in s:
        lines.append(f"saved         session {s['session_id']}")
    lines.append(f"written to    {out}")
    print("\n".join(lines))
