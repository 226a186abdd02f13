"""Benchmark: `bodycoach analyze` on a long 720p recording — wall time, x real time and peak RSS.

Builds the recording once by looping a real clip with ffmpeg (default 10 minutes at 1280x720, h264),
then runs the real command in a child process and reads the child's peak RSS from the kernel.

    .venv/bin/python benchmarks/analyze_long.py                # 10 minutes, default sampling
    .venv/bin/python benchmarks/analyze_long.py --minutes 2 --every-ms 100

Prints one table and, with --json, one JSON object. Targets (issues 2 and 5): peak RSS <= 600 MB,
at least 4x faster than real time.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCES = [ROOT.parent / "shared" / "data" / "dev" / "videos" / "liveportrait_s18.mp4",  # 1280x720 upper body
           ROOT / "sample_videos" / "pyfeat_WolfgangLanger_Pexels.mp4"]


def make_long_clip(minutes: float, out: Path) -> Path:
    """Loop a real clip into a 1280x720 h264 file of the given length (cached between runs)."""
    if out.exists():
        return out
    src = next(p for p in SOURCES if p.exists())
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        sys.exit("ffmpeg is required to build the long clip (apt-get install ffmpeg)")
    subprocess.run([ffmpeg, "-y", "-loglevel", "error", "-stream_loop", "-1", "-i", str(src),
                    "-t", str(minutes * 60), "-vf", "scale=1280:720,fps=30", "-c:v", "libx264",
                    "-preset", "ultrafast", "-crf", "28", "-an", str(out)], check=True)
    return out


def main() -> None:
    """Build the clip, run analyze on it and print the figures."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--minutes", type=float, default=10.0)
    ap.add_argument("--every-ms", type=float, default=None, help="passed to analyze (default: its own)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()

    cache = Path(tempfile.gettempdir()) / f"bodycoach_long_{args.minutes:g}min_720p.mp4"
    clip = make_long_clip(args.minutes, cache)
    out = Path(tempfile.mkdtemp(prefix="bodycoach-bench-"))
    cmd = [sys.executable, "-m", "bodycoach", "analyze", str(clip), "--out", str(out), "--json", "--no-progress"]
    if args.every_ms is not None:
        cmd += ["--every-ms", str(args.every_ms)]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        sys.exit(f"analyze failed ({proc.returncode}): {proc.stderr.strip()}")
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024.0
    summary = json.loads(proc.stdout)
    row = {
        "clip_minutes": args.minutes, "size": "1280x720", "every_ms": summary["every_ms"],
        "frames_analysed": summary["frames_analysed"], "wall_s": round(wall, 1),
        "x_realtime": round(summary["duration_s"] / wall, 2), "peak_rss_mb": round(peak_mb, 1),
        "share_face": summary["share_face"],
    }
    shutil.rmtree(out, ignore_errors=True)
    if args.json:
        print(json.dumps(row))
    else:
        for k, v in row.items():
            print(f"{k:<16}{v}")


if __name__ == "__main__":
    main()
