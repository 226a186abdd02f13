"""Measure the overlay's cost per frame: ``python -m bodycoach.render.bench [--size 640x480] [--frames 600]``.

Uses real recorded landmarks when the repository's ``tests/data/golden_*.npz`` are present (otherwise a
synthetic person), the shipped cue texts and all badges. Reports wall-clock p50 / p95 / max and
thread-CPU p50 / p95 milliseconds of ``annotate`` (copy + landmarks + badges + cue) and of
``annotate(..., inplace=True)``. CPU time is what the overlay costs; wall time adds the machine's load.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

from bodycoach.feedback.cues import Cue
from bodycoach.feedback.messages import cue_text
from bodycoach.render.overlay import annotate
from bodycoach.types import Behaviour, Features, FrameResult, Landmarks


def _landmark_seq(n: int, wh: tuple[int, int]) -> tuple[list[Landmarks], str]:
    root = Path(__file__).resolve().parents[2] / "tests" / "data"
    for p in sorted(root.glob("golden_*.npz")):
        try:
            from bodycoach.landmarks.recording import load_landmarks

            seq = [lm for lm in load_landmarks(p) if not lm.is_empty]
        except Exception:  # noqa: BLE001 - any unreadable recording: fall back to synthetic
            continue
        if seq:
            return [seq[i % len(seq)] for i in range(n)], p.name
    rng = np.random.default_rng(0)
    out = []
    for i in range(n):
        pose = np.column_stack([0.5 + 0.1 * rng.standard_normal((33, 2)), np.zeros(33), np.ones(33)])
        face = np.column_stack([0.5 + 0.04 * rng.standard_normal((478, 2)), np.zeros(478), np.ones(478)])
        out.append(Landmarks(i * 33, wh, pose=pose.astype(np.float32), face=face.astype(np.float32)))
    return out, "synthetic"


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print one JSON line."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--size", default="640x480", help="frame WIDTHxHEIGHT in pixels")
    ap.add_argument("--frames", type=int, default=600)
    a = ap.parse_args(argv)
    w, h = (int(v) for v in a.size.lower().split("x"))
    seq, source = _landmark_seq(a.frames, (w, h))
    states = {
        Behaviour.EYE_CONTACT: "lens",
        Behaviour.SMILE: "warm",
        Behaviour.ARMS: "crossed_chest",
        Behaviour.HANDS: "open",
        Behaviour.HEAD: "upright",
        Behaviour.GAZE_STYLE: "concentrated",
    }
    labels = ["crossed_chest", "hidden", "crossed_table"]
    frame = np.random.default_rng(1).integers(0, 255, (h, w, 3), dtype=np.uint8)
    res = {"size": f"{w}x{h}", "frames": a.frames, "landmarks": source}
    for inplace in (False, True):
        times, cpu = [], []
        for i, lm in enumerate(seq):
            lab = labels[(i // 90) % 3]  # the cue changes every 3 s, as in a session
            cue = Cue(Behaviour.ARMS, lab, cue_text(Behaviour.ARMS, lab) or "", "bad", 0)
            r = FrameResult(lm, Features.empty(lm.timestamp_ms), {}, states)
            f = frame.copy() if inplace else frame
            t0, c0 = time.perf_counter(), time.thread_time()
            annotate(f, r, cue=cue, inplace=inplace)
            cpu.append((time.thread_time() - c0) * 1000)
            times.append((time.perf_counter() - t0) * 1000)
        t, c = np.asarray(times[10:]), np.asarray(cpu[10:])
        res["inplace" if inplace else "copy"] = {
            "wall_p50_ms": round(float(np.median(t)), 3),
            "wall_p95_ms": round(float(np.percentile(t, 95)), 3),
            "wall_max_ms": round(float(t.max()), 3),
            # CPU time of this thread: what the overlay costs, without the waits a busy machine adds.
            "cpu_p50_ms": round(float(np.median(c)), 3),
            "cpu_p95_ms": round(float(np.percentile(c, 95)), 3),
        }
    print(json.dumps(res))
    return 0


if __name__ == "__main__":
    sys.exit(main())
