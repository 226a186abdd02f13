"""``bodycoach bench``: per-stage speed and memory on this machine, with MediaPipe Holistic as baseline."""

from __future__ import annotations

import argparse
import json
import os
import resource
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

HELP = "measure per-stage speed and memory on this machine (vs MediaPipe Holistic)"

DESCRIPTION = """\
Run the perception and analysis pipeline on a clip and print, per frame: decoding, each landmark model
(pose, face mesh with iris, hands; timed inside their threads), the analysis (features, classifiers,
temporal layer), the end-to-end frame rate, p50/p95 per frame and the peak resident memory. The same
frames then go through MediaPipe Holistic (the one-graph alternative) for comparison.

The analysis is timed twice: wall time (what the frame waits for) and the CPU time of the calling
thread (time.thread_time, the analysis' own work). Wall above CPU is waiting, not work: other threads
(MediaPipe's, the video prefetch, other processes on a shared machine) holding the cores or the GIL.
Both are measured as in a live session: once per frame, after the thread has waited for the landmark
models, when the CPU caches no longer hold the analysis' code and data. That costs 2-3x the CPU time of
the same steps run back to back, which the "replayed" row shows: the same landmarks through a fresh
analyser after the run (benchmarks/analysis_speed.py does that on recordings, and --idle-ms there
reproduces the cold-cache case).

Frames are decoded and resized to --size on the fly (not preloaded), exactly as the live coach sees them.
The first 10 frames are a warm-up and not counted. The clip loops when it has fewer frames than --frames.
"""

EPILOG = """\
examples:
  bodycoach bench
  bodycoach bench --video session.mp4 --size 1280x720 --frames 500 --json
"""

WARMUP = 10


def register(sub: Any) -> None:
    """Add the ``bench`` subcommand."""
    p = sub.add_parser("bench", help=HELP, description=DESCRIPTION, epilog=EPILOG,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--video", metavar="PATH", type=Path, default=None,
                   help="clip to run (default: sample_videos/pyfeat_WolfgangLanger_Pexels.mp4, a landscape upper-body "
                        "clip like a webcam session)")
    p.add_argument("--size", metavar="WxH", default="640x480", help="frame size fed to the models (default 640x480)")
    p.add_argument("--frames", metavar="N", type=int, default=300, help="frames to time (default 300)")
    p.add_argument("--no-holistic", action="store_true", help="skip the Holistic baseline")
    p.add_argument("--sequential", action="store_true",
                   help="also time the three models one after another (no threads)")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    p.set_defaults(func=run)


def _parse_size(text: str) -> tuple[int, int]:
    from bodycoach.errors import BodycoachError

    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise BodycoachError(f"--size must look like 640x480, but got {text!r}") from None
    if not (16 <= w <= 8192 and 16 <= h <= 8192):
        raise BodycoachError(f"--size must be between 16x16 and 8192x8192, but got {text!r}")
    return w, h


def _frames(video: Path, size: tuple[int, int], n: int) -> Iterator[tuple[npt.NDArray[np.uint8], int, float]]:
    """Yield (frame, ts_ms, decode_ms) for ``n`` frames, looping the clip."""
    import cv2

    from bodycoach.io.video import open_source

    src = open_source(video, loop=True)
    it = iter(src)
    try:
        for _ in range(n):
            t0 = time.perf_counter()
            frame, ts = next(it)
            if (frame.shape[1], frame.shape[0]) != size:
                frame = np.asarray(cv2.resize(frame, size, interpolation=cv2.INTER_AREA), dtype=np.uint8)
            yield frame, ts, (time.perf_counter() - t0) * 1e3
    finally:
        src.close()


def _pct(a: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(a), q)) if a else float("nan")


def _time_extractor(make: Callable[[], Any], video: Path, size: tuple[int, int], n: int,
                    analyse: bool) -> dict[str, Any]:
    from bodycoach.analysis import Analyzer

    ex = make()
    analyzer = Analyzer() if analyse else None
    stages: dict[str, list[float]] = {}
    per_frame: list[float] = []
    seen: list[Any] = []
    try:
        for i, (frame, ts, dec_ms) in enumerate(_frames(video, size, n + WARMUP)):
            t0 = time.perf_counter()
            lm = ex.extract(frame, ts)
            t1 = time.perf_counter()
            c1 = time.thread_time()
            if analyzer is not None:
                analyzer.step(lm)
                seen.append(lm)
            c2 = time.thread_time()
            t2 = time.perf_counter()
            if i < WARMUP:
                continue
            rec = {"decode": dec_ms, "perception": (t1 - t0) * 1e3}
            if analyzer is not None:
                rec["analysis"] = (t2 - t1) * 1e3
                rec["analysis_cpu"] = (c2 - c1) * 1e3
            for k, v in getattr(ex, "last_timings_ms", {}).items():
                if k in ("pose", "face", "hands", "prepare", "assemble"):
                    rec[k] = v
            for k, v in rec.items():
                stages.setdefault(k, []).append(v)
            per_frame.append(dec_ms + (t2 - t0) * 1e3)
    finally:
        ex.close()
    if analyse and seen:
        # The same landmarks again, back to back (hot caches, no model threads): the analysis' own cost.
        replay = Analyzer()
        hot: list[float] = []
        for i, lm in enumerate(seen):
            c0 = time.thread_time()
            replay.step(lm)
            if i >= WARMUP:
                hot.append((time.thread_time() - c0) * 1e3)
        if hot:
            stages["analysis_hot"] = hot
    total_s = sum(per_frame) / 1e3
    return {
        "frames": len(per_frame),
        "fps": len(per_frame) / total_s if total_s else float("nan"),
        "ms_p50": _pct(per_frame, 50),
        "ms_p95": _pct(per_frame, 95),
        "stages": {k: float(np.mean(v)) for k, v in stages.items()},
        "stages_p50": {k: _pct(v, 50) for k, v in stages.items()},
        "stages_p95": {k: _pct(v, 95) for k, v in stages.items()},
    }


def run(args: argparse.Namespace) -> int:
    """Run the benchmark; returns the exit status."""
    from bodycoach.errors import BodycoachError
    from bodycoach.io.video import open_source
    from bodycoach.landmarks.mediapipe import HolisticExtractor, MediapipeExtractor
    from bodycoach.resources import sample_video

    size = _parse_size(args.size)
    if args.frames < 1:
        raise BodycoachError(f"--frames must be >= 1, but got {args.frames}")
    # Default: landscape, upper body, one person talking - a webcam session's framing, in which Holistic also
    # finds the face on every frame, so both pipelines do the same work.
    video = args.video or sample_video("pyfeat_WolfgangLanger_Pexels.mp4")
    open_source(video).close()  # validate first: one-line error for a bad file

    ours = _time_extractor(MediapipeExtractor, video, size, args.frames, analyse=True)
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # Linux: kilobytes
    out: dict[str, Any] = {
        "video": str(video),
        "size": f"{size[0]}x{size[1]}",
        "frames": ours["frames"],
        "fps": ours["fps"],
        "ms_p50": ours["ms_p50"],
        "ms_p95": ours["ms_p95"],
        "rss_mb": rss_mb,
        "stages": ours["stages"],
        "stages_p50": ours["stages_p50"],
        "stages_p95": ours["stages_p95"],
        "load_avg": list(os.getloadavg()),
    }
    if args.sequential:
        seq = _time_extractor(lambda: MediapipeExtractor(parallel=False), video, size, args.frames, analyse=True)
        out["sequential_fps"] = seq["fps"]
        out["sequential_ms_p50"] = seq["ms_p50"]
    if not args.no_holistic:
        hol = _time_extractor(HolisticExtractor, video, size, args.frames, analyse=False)
        out["holistic_fps"] = hol["fps"]
        out["holistic_ms_p50"] = hol["ms_p50"]
        out["holistic_ms_p95"] = hol["ms_p95"]
        out["ratio_vs_holistic"] = ours["fps"] / hol["fps"] if hol["fps"] else float("nan")
    if args.json:
        print(json.dumps(_rounded(out), indent=2))
    else:
        _print_table(out)
    return 0


def _rounded(v: Any) -> Any:
    if isinstance(v, float):
        return round(v, 3)
    if isinstance(v, dict):
        return {k: _rounded(x) for k, x in v.items()}
    return v


def _print_table(o: dict[str, Any]) -> None:
    print(f"clip {o['video']} at {o['size']}, {o['frames']} frames (after {WARMUP} warm-up)")
    load = o.get("load_avg")
    if load:
        print(f"load average  {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} ({os.cpu_count()} cpus)")
    print(f"{'stage':<14}{'mean ms':>9}{'p50 ms':>9}{'p95 ms':>9}")
    names = {"decode": "decode+resize", "prepare": "to RGB", "pose": "pose model", "face": "face+iris",
             "hands": "hands model", "assemble": "assemble", "perception": "perception",
             "analysis": "analysis wall", "analysis_cpu": "analysis CPU", "analysis_hot": "  replayed"}
    for k in ("decode", "prepare", "pose", "face", "hands", "assemble", "perception", "analysis", "analysis_cpu",
              "analysis_hot"):
        if k in o["stages"]:
            print(f"{names[k]:<14}{o['stages'][k]:>9.2f}{o['stages_p50'][k]:>9.2f}{o['stages_p95'][k]:>9.2f}")
    print("(the three models run side by side; 'perception' is their wall time together)")
    if "analysis_cpu" in o["stages"]:
        print("(analysis CPU = its own work, caches cold after the models ran; wall - CPU = waiting for cores/GIL;")
        print(" replayed = CPU of the same landmarks again, back to back with hot caches)")
    print(f"end to end    {o['fps']:.1f} fps, per frame p50 {o['ms_p50']:.1f} ms, p95 {o['ms_p95']:.1f} ms")
    print(f"peak RSS      {o['rss_mb']:.0f} MB")
    if "sequential_fps" in o:
        print(f"sequential    {o['sequential_fps']:.1f} fps (models one after another)")
    if "holistic_fps" in o:
        print(f"holistic      {o['holistic_fps']:.1f} fps, p50 {o['holistic_ms_p50']:.1f} ms  "
              f"→ ours is {o['ratio_vs_holistic']:.2f}x Holistic")
