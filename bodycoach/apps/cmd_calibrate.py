"""``bodycoach calibrate``: a per-camera, per-person profile (lens, work screen, neutral face)."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

HELP = "calibrate the camera and person: where the lens is, where the screen is, a neutral face"

DESCRIPTION = """\
Build a calibration profile from a short guided capture, so eye contact uses this camera's real lens
direction (not "straight ahead"), the work screen is recognised as accepted, and smile/posture rules are
relative to this person's neutral face. Without a profile the defaults of calibration/thresholds.toml apply.

Either record three short clips yourself (--lens, --screen, --neutral), or let the command guide you in
front of a camera (--camera N): it asks you to look into the lens, at your screen, and to relax, about
3 seconds each.
"""

EPILOG = """\
examples:
  bodycoach calibrate --camera 0
  bodycoach calibrate --lens lens.mp4 --screen screen.mp4 --neutral neutral.mp4 --out me.json
"""

PHASES = (
    ("lens", "Look straight into the camera lens"),
    ("screen", "Look at the middle of your work screen"),
    ("neutral", "Look into the lens with a relaxed, neutral face; sit upright"),
)


def register(sub: Any) -> None:
    """Add the ``calibrate`` subcommand."""
    p = sub.add_parser("calibrate", help=HELP, description=DESCRIPTION, epilog=EPILOG,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--camera", metavar="N", type=int, help="guided capture from camera N")
    src.add_argument("--lens", metavar="CLIP", type=Path, help="clip looking into the lens")
    p.add_argument("--screen", metavar="CLIP", type=Path, help="clip looking at the work screen (optional)")
    p.add_argument("--neutral", metavar="CLIP", type=Path, help="clip with a neutral face (optional)")
    p.add_argument("--seconds", type=float, default=3.0, help="seconds per phase with --camera (default 3)")
    p.add_argument("--mirrored", action="store_true", help="the frames are a mirrored (selfie) view")
    p.add_argument("--out", metavar="JSON", type=Path, default=None,
                   help="where to write the profile (default: <data folder>/calibration_profile.json, "
                        "which live, analyze, the kiosk and the review read)")
    p.set_defaults(func=run)


def default_profile_path() -> Path:
    """``<data folder>/calibration_profile.json`` (``$BODYCOACH_HOME`` or the user data folder).

    The same file the live page writes and live, ``analyze``, the kiosk and the review read.
    """
    from bodycoach.profile import saved_profile_path

    return saved_profile_path()


def _from_clip(path: Path, mirrored: bool, every_ms: float = 100.0) -> list[Any]:
    from bodycoach.io.video import open_source
    from bodycoach.landmarks.mediapipe import MediapipeExtractor

    out = []
    with MediapipeExtractor(mirrored=mirrored) as ex:
        src = open_source(path, every_ms=every_ms)
        try:
            for frame, ts in src:
                out.append(ex.extract(frame, ts))
        finally:
            src.close()
    return out


def _from_camera(index: int, seconds: float, mirrored: bool) -> dict[str, list[Any]]:
    from bodycoach.io.video import open_source
    from bodycoach.landmarks.mediapipe import MediapipeExtractor

    got: dict[str, list[Any]] = {}
    with MediapipeExtractor(mirrored=mirrored) as ex:
        src = open_source(index)
        try:
            frames = iter(src)
            for name, prompt in PHASES:
                print(f"{prompt} ... (starts in 2 s)", file=sys.stderr, flush=True)
                t_wait = time.monotonic() + 2.0
                for _frame, _ts in frames:  # keep the camera flowing while the person gets ready
                    if time.monotonic() >= t_wait:
                        break
                end = time.monotonic() + seconds
                got[name] = []
                for frame, ts in frames:
                    got[name].append(ex.extract(frame, ts))
                    if time.monotonic() >= end:
                        break
                print(f"  {len(got[name])} frames", file=sys.stderr, flush=True)
        finally:
            src.close()
    return got


def run(args: argparse.Namespace) -> int:
    """Capture, build and save the profile; returns the exit status."""
    from bodycoach.errors import BodycoachError
    from bodycoach.profile import CalibrationProfile

    if args.seconds <= 0:
        raise BodycoachError(f"--seconds must be > 0, but got {args.seconds:g}")
    if args.camera is not None:
        got = _from_camera(args.camera, args.seconds, args.mirrored)
    else:
        got = {"lens": _from_clip(args.lens, args.mirrored)}
        for name in ("screen", "neutral"):
            clip = getattr(args, name)
            got[name] = _from_clip(clip, args.mirrored) if clip is not None else []
    profile = CalibrationProfile.from_samples(lens=got["lens"], screen=got.get("screen", []),
                                              neutral=got.get("neutral", []))
    out = args.out or default_profile_path()
    try:
        profile.save(out)
    except OSError as exc:
        raise BodycoachError(f"{out}: cannot write the profile ({exc.strerror})") from None
    print(f"profile written to {out}")
    print(f"  lens direction: yaw {profile.lens_yaw_deg:+.1f} deg, pitch {profile.lens_pitch_deg:+.1f} deg")
    if profile.has_screen:
        print(f"  screen zone: yaw {profile.screen_yaw_deg:+.1f}, pitch {profile.screen_pitch_deg:+.1f} deg "
              f"(radius {profile.screen_radius_deg:.1f})")
    print(f"  neutral face values: {len(profile.neutral)}")
    return 0
