"""Benchmark: cost of the pure analysis stage (``Analyzer.step``: features, classifiers, temporal layer).

Replays recorded landmarks (default: every ``tests/data/*.npz``) through one ``Analyzer`` for several
passes, re-stamped with monotonically increasing synthetic timestamps (``--step-ms`` apart, 33 ms = a
30 fps live session), and prints per recording and overall: mean / p50 / p95 / max milliseconds per
step of wall time (``perf_counter``) and the mean of this thread's CPU time (``thread_time``), plus the
total wall and CPU seconds. Landmarks are re-stamped before the timed loop, so only ``step`` is timed.

Wall time includes any time the OS or other threads (and the GIL) take from this one; CPU time does not,
which is why both are printed, together with the load average. Prints figures only; it is not a test and
asserts nothing.

Back-to-back steps run with hot caches: that is the stage's own cost. In a live session the analysis runs
once per frame after the thread has waited ~20-40 ms for the landmark models, and on a shared machine the
caches are cold again by then: the same step then costs several times more CPU (``bodycoach bench``
shows it). ``--idle-ms 25`` sleeps that long before every timed step to reproduce that regime.

    python benchmarks/analysis_speed.py                    # tests/data/*.npz, 5 passes
    python benchmarks/analysis_speed.py --passes 20 --json
    python benchmarks/analysis_speed.py --passes 2 --idle-ms 25   # cold caches, as after perception
    python benchmarks/analysis_speed.py tests/data/golden_pexels.npz --profile   # + cProfile top 25
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
WARMUP = 50


def _stats(wall: list[float], cpu: list[float]) -> dict[str, float]:
    w, c = np.asarray(wall), np.asarray(cpu)
    return {"steps": len(w), "mean_ms": float(w.mean()), "p50_ms": float(np.percentile(w, 50)),
            "p95_ms": float(np.percentile(w, 95)), "max_ms": float(w.max()), "cpu_mean_ms": float(c.mean()),
            "wall_s": float(w.sum() / 1e3), "cpu_s": float(c.sum() / 1e3)}


def main() -> None:
    """Replay, time and print."""
    from bodycoach.analysis import Analyzer
    from bodycoach.landmarks.recording import load_landmarks

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("files", nargs="*", type=Path, help="landmark recordings (default: tests/data/*.npz)")
    ap.add_argument("--passes", type=int, default=5, help="times each recording is replayed (default 5)")
    ap.add_argument("--step-ms", type=int, default=33, help="synthetic time between frames (default 33)")
    ap.add_argument("--idle-ms", type=float, default=0.0,
                    help="sleep this long before each timed step (cold caches, as in a live session; default 0)")
    ap.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    ap.add_argument("--profile", action="store_true", help="also run cProfile over one pass and print the top")
    args = ap.parse_args()

    files = args.files or sorted((ROOT / "tests" / "data").glob("*.npz"))
    recordings = {p.name: load_landmarks(p) for p in files}
    an = Analyzer()
    ts = 0
    # Warm-up (imports, lazy caches, numpy's first-call paths): not counted.
    first = next(iter(recordings.values()))
    for i in range(WARMUP):
        an.step(replace(first[i % len(first)], timestamp_ms=ts))
        ts += args.step_ms
    per: dict[str, tuple[list[float], list[float]]] = {name: ([], []) for name in recordings}
    load0 = os.getloadavg()
    t_start, c_start = time.perf_counter(), time.thread_time()
    for _ in range(args.passes):
        for name, seq in recordings.items():
            stamped = []
            for lm in seq:
                stamped.append(replace(lm, timestamp_ms=ts))
                ts += args.step_ms
            wall, cpu = per[name]
            pc, tt, step = time.perf_counter, time.thread_time, an.step
            idle = args.idle_ms / 1e3
            for lm in stamped:
                if idle > 0:
                    time.sleep(idle)
                c0, w0 = tt(), pc()
                step(lm)
                w1, c1 = pc(), tt()
                wall.append((w1 - w0) * 1e3)
                cpu.append((c1 - c0) * 1e3)
    t_total, c_total = time.perf_counter() - t_start, time.thread_time() - c_start
    load1 = os.getloadavg()
    all_w = [x for w, _ in per.values() for x in w]
    all_c = [x for _, c in per.values() for x in c]
    out: dict[str, Any] = {
        "python": platform.python_version(), "numpy": np.__version__, "cpus": os.cpu_count(),
        "load_avg_before": [round(x, 2) for x in load0], "load_avg_after": [round(x, 2) for x in load1],
        "passes": args.passes, "step_ms": args.step_ms, "idle_ms": args.idle_ms, "gc": gc.isenabled(),
        "overall": _stats(all_w, all_c),
        "loop_wall_s": t_total, "loop_cpu_s": c_total,
        "recordings": {name: _stats(w, c) for name, (w, c) in per.items()},
    }
    if args.json:
        print(json.dumps(out, indent=2))
    else:
        idle = f", sleeping {args.idle_ms:g} ms before each step" if args.idle_ms > 0 else ""
        print(f"Analyzer.step over {len(files)} recording(s) x {args.passes} passes, {args.step_ms} ms apart{idle} "
              f"(python {out['python']}, numpy {out['numpy']}, {out['cpus']} cpus)")
        print(f"load average before {load0[0]:.2f} {load0[1]:.2f} {load0[2]:.2f}, "
              f"after {load1[0]:.2f} {load1[1]:.2f} {load1[2]:.2f}")
        print(f"{'recording':<32}{'steps':>7}{'mean':>8}{'p50':>8}{'p95':>8}{'max':>8}{'cpu mean':>10}"
              f"{'wall s':>8}{'cpu s':>8}")
        rows = [*out["recordings"].items(), ("ALL", out["overall"])]
        for name, s in rows:
            print(f"{name:<32}{s['steps']:>7}{s['mean_ms']:>8.3f}{s['p50_ms']:>8.3f}{s['p95_ms']:>8.3f}"
                  f"{s['max_ms']:>8.2f}{s['cpu_mean_ms']:>10.3f}{s['wall_s']:>8.2f}{s['cpu_s']:>8.2f}")
        print("(milliseconds per step; wall = perf_counter, cpu = this thread's time.thread_time)")
    if args.profile:
        import cProfile
        import pstats

        prof = cProfile.Profile()
        seq = [lm for s in recordings.values() for lm in s]
        stamped = []
        for lm in seq:
            stamped.append(replace(lm, timestamp_ms=ts))
            ts += args.step_ms
        prof.enable()
        for lm in stamped:
            an.step(lm)
        prof.disable()
        pstats.Stats(prof).sort_stats("tottime").print_stats(25)


if __name__ == "__main__":
    main()
