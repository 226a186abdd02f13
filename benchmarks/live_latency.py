"""Glass-to-glass latency and processed frame rate of the live coach in a real browser.

Chromium (headless, Debian's ``/usr/bin/chromium``) gets a fake camera playing a sample clip at 640×480,
30 fps, with the frame number stamped into each frame as a bar code (``tests/e2e/harness.py``). A page
script reads the code from the local camera frames (``captureTime``) and from the returned video
(``expectedDisplayTime``) and records the difference: capture to display, everything in between.

Targets:
  app         the real app (``app.py``): MediaPipe pose + face mesh + hands, analysis, cues, overlay,
              camera through NewestFrameTrack (the default)
  app-callback  the real app with BODYCOACH_LIVE_PATH=callback (streamlit-webrtc's frame callback)
  app-capture-pts  the real app, NewestFrameTrack but returned frames keep the camera timestamps
  echo        bare streamlit-webrtc echo with an identity callback (the path the app uses)
  echo-relay  bare echo without a callback
  echo-sync   bare echo, identity callback with async_processing=False

Usage: python benchmarks/live_latency.py --target app --seconds 30
Prints one JSON line per target.
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


def pct(xs: list[float], q: float) -> float:
    """Return the q-quantile (0..1) of xs (nearest rank)."""
    s = sorted(xs)
    return s[min(len(s) - 1, max(0, round(q * (len(s) - 1))))]


def _proc_cpu_s(pid: int) -> float:
    """CPU seconds (user + system) a process has used so far, all its threads; 0 if it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_seconds(server_pid: int) -> dict[str, float]:
    """CPU seconds used so far by the app server (and its children) and by Chromium's processes.

    Wall-clock rates depend on what else the machine runs; CPU per second of the two sides does much less,
    so these figures say whether the 2 cores would suffice on a quiet machine.
    """
    children: dict[int, list[int]] = {}
    names: dict[int, str] = {}
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            stat = (d / "stat").read_text()
        except OSError:
            continue
        names[int(d.name)] = stat[stat.index("(") + 1: stat.rindex(")")]
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(d.name))
    server, stack = 0.0, [server_pid]
    while stack:
        pid = stack.pop()
        server += _proc_cpu_s(pid)
        stack.extend(children.get(pid, []))
    browser = sum(_proc_cpu_s(pid) for pid, name in names.items() if name.startswith("chrom"))
    return {"server": server, "browser": browser}


def measure(target: str, y4m: Path, seconds: float, warmup: float, log_dir: Path) -> dict[str, object]:
    """Run one target and return its figures."""
    from playwright.sync_api import sync_playwright

    app = None
    env: dict[str, str] = {}
    if target == "app-callback":
        env["BODYCOACH_LIVE_PATH"] = "callback"
    if target == "app-capture-pts":
        env["BODYCOACH_LIVE_PTS"] = "capture"
    if target.startswith("echo"):
        app = REPO / "benchmarks" / "live_echo_app.py"
        env["BENCH_ECHO"] = {"echo": "callback", "echo-relay": "relay", "echo-sync": "sync"}[target]
    with h.run_app(app=app, env=env, log_path=log_dir / f"{target}.log") as (url, proc), \
            sync_playwright() as pw, h.chromium(pw, y4m) as page:
        page.context.add_init_script(h.LATENCY_JS)
        page.goto(url)
        if target.startswith("app"):
            page.get_by_text("Øv på møtet med kunden").wait_for(timeout=60_000)
            # Not mirrored, so the bar code stays at the right edge, clear of the overlay.
            page.locator('[data-testid="stSidebar"]').get_by_text("Speilvendt bilde").click()
            page.wait_for_timeout(1500)
        h.click_start(page, timeout_s=60)
        t_start = time.monotonic()
        while time.monotonic() - t_start < 60:
            n = page.frame_locator('iframe[title*="streamlit_webrtc"]').locator("body").evaluate(
                "() => window.__bc ? window.__bc.lat.length : 0")
            if n > 0:
                break
            page.wait_for_timeout(500)
        page.wait_for_timeout(warmup * 1000)
        frame = page.frame_locator('iframe[title*="streamlit_webrtc"]').locator("body")
        frame.evaluate("() => { window.__bc.lat = []; window.__bc.remoteFrames = 0; window.__bc.misses = 0; }")
        s0 = h.read_stats(page) if target.startswith("app") else {}
        load0 = os.getloadavg()[0]
        cpu0 = cpu_seconds(proc.pid)
        t0 = time.monotonic()
        page.wait_for_timeout(seconds * 1000)
        data = frame.evaluate("() => ({lat: window.__bc.lat, remote: window.__bc.remoteFrames, "
                              "misses: window.__bc.misses, local: window.__bc.localFrames, "
                              "repeats: window.__bc.repeats})")
        s1 = h.read_stats(page) if target.startswith("app") else {}
        elapsed = time.monotonic() - t0
        cpu1 = cpu_seconds(proc.pid)
        if target.startswith("app"):
            page.screenshot(path=str(log_dir / f"latency_{target}.png"))
    lat = [float(x[1]) for x in data["lat"]]
    now_lat = [float(x[2]) for x in data["lat"]]
    out: dict[str, object] = {
        "target": target, "seconds": round(elapsed, 1), "samples": len(lat),
        "returned_fps": round(data["remote"] / elapsed, 1), "undecoded_frames": data["misses"],
        "repeated_frames_seen": data["repeats"],
        "loadavg_1min": [round(load0, 1), round(os.getloadavg()[0], 1)], "cpus": os.cpu_count(),
        "server_cpu_cores": round((cpu1["server"] - cpu0["server"]) / elapsed, 2),
        "browser_cpu_cores": round((cpu1["browser"] - cpu0["browser"]) / elapsed, 2),
    }
    if lat:
        out.update({
            "latency_ms_p50": round(statistics.median(lat), 1), "latency_ms_p10": round(pct(lat, 0.1), 1),
            "latency_ms_p90": round(pct(lat, 0.9), 1), "latency_ms_max": round(max(lat), 1),
            "callback_time_latency_ms_p50": round(statistics.median(now_lat), 1),
        })
    if s1:
        out.update({
            "processed_fps": round((s1["processed"] - s0.get("processed", 0)) / elapsed, 1),
            "server_cpu_ms_per_processed_frame": round(1000 * (cpu1["server"] - cpu0["server"])
                                                       / max(1.0, s1["processed"] - s0.get("processed", 0)), 1),
            "received_fps": round((s1["received"] - s0.get("received", 0)) / elapsed, 1),
            "dropped": int(s1["dropped"] - s0.get("dropped", 0)),
            "errors": int(s1["errors"]),
            "mean_pipeline_ms": s1["mean-ms"], "last_extract_ms": s1["extract-ms"],
            "last_analyse_ms": s1["analyse-ms"], "last_render_ms": s1["render-ms"],
            "last_decode_ms": s1["decode-ms"], "last_encode_ms": s1["encode-ms"],
            "input_delay_ms": s1.get("input-delay-ms"), "keepalive_repeats": s1.get("repeated"),
            "throttled": s1.get("throttled"),
            "loop_lag_max_ms": s1.get("loop-lag-max-ms"),
        })
    return out


def main() -> int:
    """Run the benchmark; print one JSON line per target."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--target", action="append",
                    choices=("app", "app-callback", "app-capture-pts", "echo", "echo-relay", "echo-sync"))
    ap.add_argument("--seconds", type=float, default=30.0, help="measured window per target")
    ap.add_argument("--warmup", type=float, default=8.0, help="seconds after the first returned frame")
    ap.add_argument("--clip", type=Path, default=REPO / "sample_videos" / "liveportrait_d12.mp4")
    ap.add_argument("--out", type=Path, default=None, help="folder for logs and a screenshot")
    args = ap.parse_args()
    missing = h.missing_tools()
    if missing:
        print(f"live_latency: missing {', '.join(missing)}", file=sys.stderr)
        return 2
    out = args.out or Path(tempfile.mkdtemp(prefix="bodycoach-latency-"))
    out.mkdir(parents=True, exist_ok=True)
    y4m = h.make_y4m(args.clip, out / "stamped.y4m", width=640, height=480, fps=30, stamp=True)
    for target in args.target or ["app"]:
        print(json.dumps(measure(target, y4m, args.seconds, args.warmup, out)), flush=True)
    print(f"logs: {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
