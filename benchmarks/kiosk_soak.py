"""Soak test of the kiosk: a looped clip fed as fast as it is processed, RSS sampled over time.

Runs the real ``KioskApp`` (HighGUI window when ``DISPLAY`` is set, else headless) with the real
MediaPipe extractor (or ``--fake`` for a synthetic one) on a looped sample clip. Kiosk time follows the
clip's time (``accelerated``), so sessions start, run their phases, end, show the summary and reset over
and over. Optionally the camera "vanishes" every ``--vanish-every`` frames (read error, refused reopens)
and the person "leaves" (black frames) so the recovery paths are soaked too.

RSS (``VmRSS``) is sampled every ``--sample-s`` seconds and appended to ``--out`` (CSV) as it goes, so a
run that is killed keeps its data. At the end (or on SIGTERM/SIGINT) it prints the baseline after warm-up,
the largest rise over it, a least-squares slope after warm-up and the projection to 8 hours, and checks
the issue's criterion: RSS within 50 MB of the post-warm-up level, projected to 8 h as well.

    DISPLAY=:99 python benchmarks/kiosk_soak.py --minutes 60 --out soak.csv
    python benchmarks/kiosk_soak.py --report soak.csv      # summarise an existing CSV
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import json
import os
import signal
import sys
import time
from pathlib import Path

LIMIT_MB = 50.0
PROJECT_H = 8.0


def rss_mb() -> float:
    """Resident set size of this process in MiB (Linux ``/proc``)."""
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    return float("nan")


def summarise(rows: list[dict[str, float]], warmup_s: float) -> dict[str, object]:
    """Baseline, rise and 8-hour projection from samples (``t_s``, ``rss_mb``, counters)."""
    if not rows:
        return {"error": "no samples"}
    after = [r for r in rows if r["t_s"] >= warmup_s]
    if len(after) < 3:
        return {"error": f"run shorter than the warm-up ({warmup_s:.0f} s) plus 3 samples",
                "samples": len(rows), "t_s": rows[-1]["t_s"]}
    # Baseline: median of the first minute after warm-up (robust to a single GC spike).
    first = sorted(r["rss_mb"] for r in after if r["t_s"] <= warmup_s + 60) or [after[0]["rss_mb"]]
    base = first[len(first) // 2]
    peak = max(r["rss_mb"] for r in after)
    n = len(after)
    mt = sum(r["t_s"] for r in after) / n
    mr = sum(r["rss_mb"] for r in after) / n
    var = sum((r["t_s"] - mt) ** 2 for r in after)
    slope_per_s = (sum((r["t_s"] - mt) * (r["rss_mb"] - mr) for r in after) / var) if var > 0 else 0.0
    end_t = after[-1]["t_s"]
    fit_end = mr + slope_per_s * (end_t - mt)
    # A falling trend is not extrapolated (memory cannot shrink forever): project growth only.
    proj = fit_end + max(0.0, slope_per_s) * (PROJECT_H * 3600 - end_t)
    last = rows[-1]
    out: dict[str, object] = {
        "duration_s": round(end_t, 1),
        "samples": len(rows),
        "warmup_s": warmup_s,
        "rss_start_mb": round(rows[0]["rss_mb"], 1),
        "rss_baseline_mb": round(base, 1),
        "rss_peak_after_warmup_mb": round(peak, 1),
        "rss_end_mb": round(last["rss_mb"], 1),
        "max_rise_mb": round(peak - base, 1),
        "slope_mb_per_h": round(slope_per_s * 3600, 2),
        "projected_8h_mb": round(proj, 1),
        "projected_8h_rise_mb": round(proj - base, 1),
        "limit_mb": LIMIT_MB,
        "frames": int(last.get("frames", 0)),
        "sessions": int(last.get("sessions", 0)),
        "reopens": int(last.get("opens", 0)),
        "kiosk_time_h": round(last.get("kiosk_ms", 0) / 3.6e6, 2),
    }
    out["pass"] = bool(peak - base <= LIMIT_MB and proj - base <= LIMIT_MB)
    return out


def read_csv(path: Path) -> list[dict[str, float]]:
    """Read samples written by a run."""
    with path.open(encoding="utf-8") as fh:
        return [{k: float(v) for k, v in r.items()} for r in csv.DictReader(fh)]


def main(argv: list[str] | None = None) -> int:
    """Run the soak (or ``--report`` an existing CSV)."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--minutes", type=float, default=60.0, help="real minutes to run (default 60)")
    ap.add_argument("--clip", default="sample_videos/liveportrait_d12.mp4", help="clip looped as the camera")
    ap.add_argument("--fake", action="store_true", help="synthetic face extractor instead of MediaPipe")
    ap.add_argument("--headless", action="store_true", help="no window even when DISPLAY is set")
    ap.add_argument("--size", default="1280x720", help="headless canvas size (WxH)")
    ap.add_argument("--sample-s", type=float, default=10.0, help="seconds between RSS samples")
    ap.add_argument("--warmup-s", type=float, default=300.0, help="seconds before the baseline is taken")
    ap.add_argument("--vanish-every", type=int, default=3000,
                    help="frames between simulated camera losses (0 = never)")
    ap.add_argument("--out", default="kiosk_soak.csv", help="CSV of samples (appended as it runs)")
    ap.add_argument("--report", metavar="CSV", help="only summarise an existing CSV")
    args = ap.parse_args(argv)

    if args.report:
        print(json.dumps(summarise(read_csv(Path(args.report)), args.warmup_s), indent=2))
        return 0

    from bodycoach.apps.kiosk_app import HeadlessDisplay, HighGuiDisplay, KioskApp
    from bodycoach.io.video import open_source
    from bodycoach.kiosk.config import load_kiosk_config
    from bodycoach.kiosk.testing import Script, ScriptedOpener, SyntheticFaceExtractor

    cfg = load_kiosk_config()
    # Short sessions so a run goes through many full cycles (start, phases, end, summary, reset).
    cfg = dataclasses.replace(
        cfg, camera=dataclasses.replace(cfg.camera, source=args.clip),
        session=dataclasses.replace(cfg.session, max_s=30.0, summary_s=5.0),
    )
    clip = args.clip

    def inner():  # noqa: ANN202 - a VideoSource
        return open_source(clip, loop=True)

    opener = inner
    scripted: list[ScriptedOpener] = []
    if args.vanish_every > 0:
        # A fresh script per cycle: lose the camera, refuse two reopens, then a black stretch (nobody).
        class Cycling:
            def __init__(self) -> None:
                self.base = 0
                self.cur = self._new(0)

            def _new(self, base: int) -> ScriptedOpener:
                v = base + args.vanish_every
                s = ScriptedOpener(inner, Script(vanish_at=v, refuse_opens=2,
                                                 black=[(v - 400, v - 200)]))
                s.delivered = base
                scripted.append(s)
                return s

            def __call__(self):  # noqa: ANN204
                cur = self.cur
                if cur.vanished and cur.refused >= cur.script.refuse_opens:
                    self.cur = cur = self._new(cur.delivered)
                return cur()

        opener = Cycling()

    extractor = SyntheticFaceExtractor() if args.fake else None
    if args.headless or not os.environ.get("DISPLAY"):
        w, h = (int(x) for x in args.size.lower().split("x"))
        display = HeadlessDisplay((w, h))
        disp_name = f"headless {w}x{h}"
    else:
        display = HighGuiDisplay(windowed=False)
        disp_name = f"HighGUI on {os.environ['DISPLAY']}"
    app = KioskApp(cfg, open_source=opener, extractor=extractor, display=display, accelerated=True)

    stop = {"flag": False}

    def _stop(signum: int, frame: object) -> None:
        stop["flag"] = True

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)

    out = Path(args.out)
    fields = ["t_s", "rss_mb", "frames", "ticks", "sessions", "opens", "failures", "kiosk_ms"]
    rows: list[dict[str, float]] = []
    t0 = time.monotonic()
    next_sample = 0.0
    ext_name = "synthetic" if args.fake else "MediaPipe"
    print(f"kiosk soak: {args.minutes} min, clip {clip}, extractor {ext_name}, "
          f"display {disp_name}, pid {os.getpid()}, samples -> {out}", flush=True)
    with out.open("w", newline="", encoding="utf-8") as fh:
        wr = csv.DictWriter(fh, fieldnames=fields)
        wr.writeheader()

        def on_tick(a: KioskApp) -> bool:
            nonlocal next_sample
            t = time.monotonic() - t0
            if t >= next_sample:
                next_sample += args.sample_s
                row = {"t_s": round(t, 2), "rss_mb": round(rss_mb(), 2), "frames": a.frames, "ticks": a.ticks,
                       "sessions": a.sessions_completed, "opens": a.grabber.opens,
                       "failures": a.grabber.failures, "kiosk_ms": a.clock.now_ms}
                rows.append({k: float(v) for k, v in row.items()})
                wr.writerow(row)
                fh.flush()
            return stop["flag"]

        try:
            app.run(duration_s=args.minutes * 60.0, on_tick=on_tick)
        finally:
            for s in scripted:
                s.release_hang()
            app.close()
    res = summarise(rows, args.warmup_s)
    res.update({"extractor": "synthetic" if args.fake else "mediapipe", "display": disp_name,
                "fps": round(rows[-1]["frames"] / max(1.0, rows[-1]["t_s"]), 1) if rows else 0.0})
    print(json.dumps(res, indent=2), flush=True)
    return 0 if res.get("pass") else 1


if __name__ == "__main__":
    sys.exit(main())
