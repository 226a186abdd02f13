"""Benchmark: `bodycoach batch` throughput with 1 worker, 2 workers and Ray (2 worker processes).

Builds >= ``--minutes`` of real video by looping each dev clip (../shared/data/dev/videos) with ffmpeg
(stream copy, no re-encoding: each looped file has its own bytes, so none is skipped as already stored),
then analyses the whole set three times, each into a fresh store:

* ``local-1``: ``LocalRunner(1)`` (one process, its three models on threads);
* ``local-2``: ``LocalRunner(2)`` (two processes, one core each, models one after another);
* ``ray-2``: ``RayRunner`` on a local Ray cluster with 2 CPUs (one task per recording, bytes with the task).

Then a Ray probe: the same short files sent one at a time, so the driver's round trip minus the analysis
time the worker measured is Ray's overhead per task (submit, send bytes, schedule, return the record).

Reports throughput in video-minutes per wall-minute, scaling efficiency (2 workers vs 1, and relative
to the cores that were free: 2 - the load average before the run, other programs counted), peak memory
per worker (max RSS of the worker process), and the load average around each run.

    .venv/bin/python benchmarks/batch_scale.py                 # 20 minutes of video
    .venv/bin/python benchmarks/batch_scale.py --minutes 4 --configs local-1,ray-2 --json
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEV_VIDEOS = Path(os.environ.get("BODYCOACH_DEV_DATA", ROOT.parent / "shared" / "data" / "dev")) / "videos"


def loadavg() -> float:
    """One-minute load average."""
    return float(Path("/proc/loadavg").read_text().split()[0])


def build_clips(minutes: float, folder: Path) -> list[Path]:
    """Loop every dev clip to about ``minutes / n`` minutes each (cached in ``folder``)."""
    import cv2

    sources = sorted(DEV_VIDEOS.glob("*.mp4"))
    if not sources:
        sys.exit(f"no dev clips in {DEV_VIDEOS} (set BODYCOACH_DEV_DATA)")
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        sys.exit("ffmpeg is required to build the clips (apt-get install ffmpeg)")
    folder.mkdir(parents=True, exist_ok=True)
    per_clip_s = minutes * 60.0 / len(sources)
    out: list[Path] = []
    for src in sources:
        cap = cv2.VideoCapture(str(src))
        fps = cap.get(cv2.CAP_PROP_FPS) or 25.0
        dur = (cap.get(cv2.CAP_PROP_FRAME_COUNT) or 1) / fps
        cap.release()
        loops = max(1, int(round(per_clip_s / max(dur, 0.5))))
        dst = folder / "Trainee" / f"{src.stem}_x{loops}.mp4"
        dst.parent.mkdir(exist_ok=True)
        if not dst.exists():
            subprocess.run([ffmpeg, "-y", "-loglevel", "error", "-stream_loop", str(loops - 1), "-i", str(src),
                            "-c", "copy", "-an", str(dst)], check=True)
        out.append(dst)
    return out


class LoadSampler:
    """Samples the load average every few seconds while a run goes on."""

    def __init__(self, every_s: float = 5.0) -> None:
        self.samples: list[float] = []
        self._stop = threading.Event()
        self._t = threading.Thread(target=self._loop, args=(every_s,), daemon=True)

    def _loop(self, every_s: float) -> None:
        while not self._stop.wait(every_s):
            self.samples.append(loadavg())

    def __enter__(self) -> LoadSampler:
        self._t.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._t.join(2)


def run_config(name: str, items: list[Any], every_ms: float | None) -> dict[str, Any]:
    """One batch over ``items`` into a fresh store; the figures of that run."""
    from bodycoach import batch
    from bodycoach.store import SessionStore

    runner: Any
    if name == "local-1":
        runner = batch.LocalRunner(1)
    elif name == "local-2":
        runner = batch.LocalRunner(2)
    elif name == "ray-2":
        import ray

        t0 = time.perf_counter()
        if not ray.is_initialized():
            ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
        ray_start_s = time.perf_counter() - t0
        runner = batch.RayRunner(ray.get_runtime_context().gcs_address, send_bytes=True)
    else:
        raise SystemExit(f"unknown config {name!r}")
    home = Path(tempfile.mkdtemp(prefix=f"bodycoach-batchbench-{name}-"))
    load_before = loadavg()
    with SessionStore(home) as store, LoadSampler() as sampler:
        report = batch.run_batch(items, store, runner, every_ms=every_ms)
    load_after = loadavg()
    db_mb = (home / "sessions.db").stat().st_size / 1e6
    shutil.rmtree(home, ignore_errors=True)
    saved = [i for i in report.items if i.status == "saved"]
    video_min = sum(i.video_s for i in saved) / 60.0
    res: dict[str, Any] = {
        "config": name,
        "files": len(report.items),
        "saved": len(saved),
        "failed": report.count("failed"),
        "video_min": round(video_min, 2),
        "wall_s": round(report.wall_s, 1),
        "video_min_per_wall_min": round(video_min / (report.wall_s / 60.0), 2) if report.wall_s else None,
        "peak_rss_mb_per_worker": round(max((i.peak_rss_mb for i in report.items), default=0.0), 0),
        "analysis_s_sum": round(sum(i.analysis_s for i in saved), 1),
        "db_mb": round(db_mb, 2),
        "db_mb_per_video_hour": round(db_mb / (video_min / 60.0), 1) if video_min else None,
        "load_before": load_before,
        "load_during_mean": round(sum(sampler.samples) / len(sampler.samples), 2) if sampler.samples else None,
        "load_after": load_after,
        "failures": [f"{Path(i.file).name}: {i.reason}" for i in report.items if i.status == "failed"],
    }
    if name == "ray-2":
        res["ray_start_s"] = round(ray_start_s, 2)
    return res


def ray_overhead(items: list[Any], every_ms: float | None, n: int = 6) -> dict[str, Any]:
    """Ray's cost per task: driver round trip of one task at a time minus the worker's own analysis time."""
    import ray

    from bodycoach import batch

    if not ray.is_initialized():
        ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    remote = ray.remote(num_cpus=1, max_retries=1)(batch._ray_task)
    short = sorted(items, key=lambda i: i.size_bytes)[:n]
    # warm the worker (its models load once) so the probe measures the per-task cost only
    ray.get(remote.remote(batch.Task(0, str(short[0].path), short[0].content_hash, every_ms, False,
                                     short[0].path.read_bytes())))
    overheads = []
    for i, item in enumerate(short):
        t0 = time.perf_counter()
        task = batch.Task(i, str(item.path), item.content_hash, every_ms, False, item.path.read_bytes())
        out = ray.get(remote.remote(task))
        overheads.append(time.perf_counter() - t0 - out.analysis_s)
    overheads.sort()
    return {"tasks": len(overheads), "overhead_s_median": round(overheads[len(overheads) // 2], 3),
            "overhead_s_max": round(overheads[-1], 3),
            "mean_file_mb": round(sum(i.size_bytes for i in short) / len(short) / 1e6, 2)}


def main() -> None:
    """Build the clips, run the configurations and print the table."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--minutes", type=float, default=20.0, help="minutes of video to build (default 20)")
    ap.add_argument("--every-ms", type=float, default=None, help="as for batch (default: analyze's)")
    ap.add_argument("--configs", default="local-1,local-2,ray-2")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()

    from bodycoach import batch

    folder = Path(tempfile.gettempdir()) / f"bodycoach_batch_scale_{args.minutes:g}min"
    clips = build_clips(args.minutes, folder)
    items = batch.plan_items(clips, trainee_from="folder")
    cores = len(os.sched_getaffinity(0))
    results = []
    for name in args.configs.split(","):
        r = run_config(name.strip(), items, args.every_ms)
        results.append(r)
        print(json.dumps(r), file=sys.stderr, flush=True)
    by = {r["config"]: r for r in results}
    summary: dict[str, Any] = {"cores": cores, "every_ms": args.every_ms, "runs": results}
    if "local-1" in by and "local-2" in by:
        one, two = by["local-1"]["video_min_per_wall_min"], by["local-2"]["video_min_per_wall_min"]
        speedup = two / one
        free = max(0.5, min(2.0, cores - by["local-1"]["load_before"]))
        summary["speedup_2_vs_1"] = round(speedup, 2)
        summary["efficiency_2_vs_1"] = round(speedup / 2.0, 2)
        summary["cores_free_estimate"] = round(free, 2)
        summary["efficiency_vs_free_cores"] = round(speedup / max(1.0, free), 2)
    if "ray-2" in by:
        summary["ray_overhead"] = ray_overhead(items, args.every_ms)
        import ray

        ray.shutdown()
    if args.json:
        print(json.dumps(summary, indent=2))
        return
    print(f"{'config':<9} {'files':>5} {'video min':>9} {'wall s':>7} {'vmin/wmin':>9} {'peak MB/worker':>14} "
          f"{'load before/mean/after':>24}")
    for r in results:
        print(f"{r['config']:<9} {r['saved']:>5} {r['video_min']:>9.2f} {r['wall_s']:>7.1f} "
              f"{r['video_min_per_wall_min']:>9.2f} {r['peak_rss_mb_per_worker']:>14.0f} "
              f"{r['load_before']:>8.2f}/{r['load_during_mean'] or 0:.2f}/{r['load_after']:.2f}")
    for k in ("speedup_2_vs_1", "efficiency_2_vs_1", "cores_free_estimate", "efficiency_vs_free_cores"):
        if k in summary:
            print(f"{k:<26} {summary[k]}")
    if "ray_overhead" in summary:
        print(f"ray overhead per task      {summary['ray_overhead']}")


if __name__ == "__main__":
    main()
