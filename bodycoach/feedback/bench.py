"""Measure the per-frame cost of the feedback layer: ``python -m bodycoach.feedback.bench [--minutes 20]``.

Feeds a synthetic session (30 frames/s, the stable states change every 3 s) through
``SessionRecorder.add`` and ``CueScheduler.update``, then builds the report. Prints one JSON line with
thread-CPU microseconds per frame and the milliseconds ``report()`` takes at the end.
"""

from __future__ import annotations

import argparse
import json
import sys
import time

from bodycoach.feedback.cues import CueScheduler
from bodycoach.feedback.report import SessionRecorder
from bodycoach.types import Behaviour, Features, FrameResult, Landmarks


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print one JSON line."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--minutes", type=float, default=20.0)
    a = ap.parse_args(argv)
    b = Behaviour
    good = {
        b.EYE_CONTACT: "lens",
        b.SMILE: "warm",
        b.ARMS: "extended",
        b.HEAD: "upright",
        b.HANDS: "open",
        b.PALM: "palm",
        b.GAZE_STYLE: "warm",
        b.POSTURE: "upright",
    }
    bad = {**good, b.ARMS: "crossed_chest", b.SMILE: "none"}
    n = int(a.minutes * 60 * 30)
    frames = [
        FrameResult(Landmarks.empty(i * 33), Features.empty(i * 33), {}, good if (i // 90) % 2 else bad)
        for i in range(n)
    ]
    rec, cues = SessionRecorder(), CueScheduler()
    c0 = time.thread_time()
    for f in frames:
        rec.add(f, "problem_solving")
    c1 = time.thread_time()
    for f in frames:
        cues.update(f, "problem_solving")
    c2 = time.thread_time()
    rec.finish(n * 33)
    report = rec.report()
    c3 = time.thread_time()
    print(
        json.dumps(
            {
                "frames": n,
                "recorder_add_us_per_frame": round((c1 - c0) / n * 1e6, 2),
                "cue_update_us_per_frame": round((c2 - c1) / n * 1e6, 2),
                "report_ms": round((c3 - c2) * 1000, 2),
                "segments": len(report.segments),
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
