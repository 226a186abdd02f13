"""Long run of the live coach in a real browser: server memory, processed rate and latency over time.

Same setup as ``benchmarks/live_latency.py`` (headless Chromium, fake camera from a stamped sample clip at
640×480, 30 fps, the real ``app.py``). Every ``--sample-s`` seconds it records the app server's resident
memory (VmRSS of the ``streamlit run`` process), the frames processed and dropped since the last sample,
and the glass-to-glass latency of the frames returned in that window. A backlog would show as growing
latency; a leak as growing memory.

Usage: python benchmarks/live_soak.py --minutes 10 --sample-s 30
Prints one JSON line per sample, then a summary line.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "e2e"))

import harness as h  # noqa: E402


def rss_mb(pid: int) -> float:
    """Resident memory of ``pid`` in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024.0
    return float("nan")


def main() -> int:
    """Run the soak; print JSON lines."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--minutes", type=float, default=10.0)
    ap.add_argument("--sample-s", type=float, default=30.0)
    ap.add_argument("--warmup-s", type=float, default=20.0, help="after the first returned frame")
    ap.add_argument("--clip", type=Path, default=REPO / "sample_videos" / "liveportrait_d12.mp4")
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args()
    missing = h.missing_tools()
    if missing:
        print(f"live_soak: missing {', '.join(missing)}", file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    out = args.out or Path(tempfile.mkdtemp(prefix="bodycoach-soak-"))
    out.mkdir(parents=True, exist_ok=True)
    y4m = h.make_y4m(args.clip, out / "stamped.y4m", width=640, height=480, fps=30, stamp=True)
    samples: list[dict[str, object]] = []
    with h.run_app(log_path=out / "app.log", env={"BODYCOACH_E2E_LOG": "INFO"}) as (url, proc), \
            sync_playwright() as pw, h.chromium(pw, y4m) as page:
        page.context.add_init_script(h.LATENCY_JS)
        console = open(out / "console.log", "w")
        page.on("console", lambda m: (console.write(f"{time.strftime('%H:%M:%S')} {m.type}: {m.text[:300]}\n"),
                                      console.flush()))
        page.goto(url)
        page.get_by_text("Øv på møtet med kunden").wait_for(timeout=60_000)
        page.locator('[data-testid="stSidebar"]').get_by_text("Speilvendt bilde").click()
        page.wait_for_timeout(1500)
        h.click_start(page, timeout_s=60)
        h.wait_processed(page, 1, timeout_s=120)
        page.wait_for_timeout(args.warmup_s * 1000)
        body = page.frame_locator('iframe[title*="streamlit_webrtc"]').locator("body")
        body.evaluate("() => { window.__bc.lat = []; }")
        prev = h.read_stats(page)
        t_start = time.monotonic()
        rss0 = rss_mb(proc.pid)
        while time.monotonic() - t_start < args.minutes * 60:
            t0 = time.monotonic()
            page.wait_for_timeout(args.sample_s * 1000)
            lat = [float(x[1]) for x in body.evaluate("() => { const l = window.__bc.lat; window.__bc.lat = []; "
                                                       "return l; }")]
            cur = h.read_stats(page)
            dt = time.monotonic() - t0
            s = {
                "t_s": round(time.monotonic() - t_start), "rss_mb": round(rss_mb(proc.pid), 1),
                "processed_fps": round((cur["processed"] - prev["processed"]) / dt, 1),
                "received_fps": round((cur["received"] - prev["received"]) / dt, 1),
                "dropped": int(cur["dropped"] - prev["dropped"]), "errors": int(cur["errors"]),
                "latency_ms_p50": round(statistics.median(lat), 1) if lat else None,
                "latency_samples": len(lat), "loadavg_1min": round(os.getloadavg()[0], 1),
                "input_delay_ms": cur.get("input-delay-ms"), "keepalive_repeats": cur.get("repeated"),
                "throttled": cur.get("throttled"),
                "loop_lag_max_ms": cur.get("loop-lag-max-ms"),
            }
            prev = cur
            samples.append(s)
            print(json.dumps(s), flush=True)
        page.screenshot(path=str(out / "soak_end.png"))
    rss = [float(s["rss_mb"]) for s in samples]  # type: ignore[arg-type]
    lats = [float(s["latency_ms_p50"]) for s in samples if s["latency_ms_p50"] is not None]  # type: ignore[arg-type]
    print(json.dumps({
        "summary": True, "minutes": args.minutes, "rss_mb_start": round(rss0, 1), "rss_mb_first_sample": rss[0],
        "rss_mb_last": rss[-1], "rss_mb_max": max(rss), "rss_growth_mb_first_to_last": round(rss[-1] - rss[0], 1),
        "latency_p50_first": lats[0] if lats else None, "latency_p50_last": lats[-1] if lats else None,
        "processed_fps_mean": round(statistics.mean(float(s["processed_fps"]) for s in samples), 1),  # type: ignore[arg-type]
    }))
    print(f"logs: {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
