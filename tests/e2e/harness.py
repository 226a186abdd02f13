"""Browser harness for the live app: start ``streamlit run app.py``, drive Debian Chromium with a fake camera.

Used by ``tests/e2e/test_live_browser.py`` and by ``benchmarks/live_*.py``. Nothing here is product
code: the loopback ICE patch lives in ``tests/e2e/sitecustomize.py`` and is only put on the app
subprocess's ``PYTHONPATH`` from here.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
E2E_DIR = Path(__file__).resolve().parent
CHROMIUM = os.environ.get("BODYCOACH_CHROMIUM", "/usr/bin/chromium")

CHROMIUM_ARGS = [
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # WebRTC between this browser and the app on 127.0.0.1 (the app side is patched to offer loopback).
    "--allow-loopback-in-peer-connection",
    # Offer real host candidates instead of mDNS names (nothing resolves .local names here).
    "--disable-features=WebRtcHideLocalIpsWithMdns",
    # Keep decoding and timers running at full speed in a headless, never-focused tab.
    "--disable-background-timer-throttling",
    "--disable-renderer-backgrounding",
    "--disable-backgrounding-occluded-windows",
    "--autoplay-policy=no-user-gesture-required",
]


def missing_tools() -> list[str]:
    """Return what the browser tests need but this machine lacks."""
    out = []
    if not Path(CHROMIUM).exists():
        out.append(CHROMIUM)
    if shutil.which("ffmpeg") is None:
        out.append("ffmpeg")
    try:
        import playwright  # noqa: F401
    except ImportError:
        out.append("python package playwright")
    return out


def free_port() -> int:
    """Return a TCP port that is free on 127.0.0.1 right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def make_y4m(src: Path, dst: Path, *, seconds: float | None = None, width: int = 640, height: int = 480,
             fps: int = 30, stamp: bool = False) -> Path:
    """Convert ``src`` to a raw .y4m Chromium can play as a fake camera (letterboxed to width×height).

    Args:
        src: A video file.
        dst: Output path (.y4m).
        seconds: Keep only the first ``seconds`` (None = all).
        width: Output width in pixels.
        height: Output height in pixels.
        fps: Output frame rate.
        stamp: Draw the frame number as a 16-bit binary bar code along the top (see ``read_stamp``).
    """
    vf = (f"scale={width}:{height}:force_original_aspect_ratio=decrease,"
          f"pad={width}:{height}:(ow-iw)/2:(oh-ih)/2,fps={fps},format=yuv420p")
    cmd = ["ffmpeg", "-v", "error", "-y", "-i", str(src)]
    if seconds is not None:
        cmd += ["-t", f"{seconds}"]
    cmd += ["-vf", vf, "-f", "yuv4mpegpipe", str(dst)]
    subprocess.run(cmd, check=True, timeout=300)
    if stamp:
        stamp_y4m(dst)
    return dst


# Bar code: a column of STAMP_BITS cells of STAMP_CELL×STAMP_CELL pixels near the right edge, from
# y = 2 cells down, white = 1 (bit 0 on top). The right edge is clear of the overlay (state badges are
# drawn top-left, the cue at the bottom) as long as the frame is not mirrored.
STAMP_BITS = 16
STAMP_CELL = 16


def stamp_y4m(path: Path) -> int:
    """Overwrite a column near the right edge of each frame with the frame number; return the frame count."""
    import numpy as np

    data = bytearray(path.read_bytes())
    header_end = data.index(b"\n") + 1
    header = data[:header_end].decode()
    w = int(next(p[1:] for p in header.split() if p.startswith("W")))
    h = int(next(p[1:] for p in header.split() if p.startswith("H")))
    frame_bytes = w * h * 3 // 2
    x0 = w - 2 * STAMP_CELL
    y_end = STAMP_CELL * (STAMP_BITS + 3)
    xa, xb = x0 - STAMP_CELL // 2, x0 + STAMP_CELL + STAMP_CELL // 2
    pos = header_end
    n = 0
    while pos < len(data):
        line_end = data.index(b"\n", pos) + 1  # "FRAME\n"
        y = np.frombuffer(data, dtype=np.uint8, count=w * h, offset=line_end).reshape(h, w).copy()
        y[:y_end, xa:xb] = 0
        for bit in range(STAMP_BITS):
            if (n >> bit) & 1:
                y0 = STAMP_CELL * (bit + 2)
                y[y0: y0 + STAMP_CELL, x0: x0 + STAMP_CELL] = 255
        data[line_end: line_end + w * h] = y.tobytes()
        cw, ch = w // 2, h // 2  # neutral chroma under the code
        for plane in (line_end + w * h, line_end + w * h + cw * ch):
            uv = np.frombuffer(data, dtype=np.uint8, count=cw * ch, offset=plane).reshape(ch, cw).copy()
            uv[: y_end // 2, xa // 2: xb // 2] = 128
            data[plane: plane + cw * ch] = uv.tobytes()
        pos = line_end + frame_bytes
        n += 1
    path.write_bytes(bytes(data))
    return n


# Page script (every frame, before the page's own scripts): wrap getUserMedia to watch the local camera
# stream, decode the stamp of each local frame (captureTime) and of each frame of any other <video>
# (the returned stream; expectedDisplayTime), and keep glass-to-glass samples in window.__bc.lat.
LATENCY_JS_TEMPLATE = """
(() => {
  const CELL = @CELL@, BITS = @BITS@;
  const cv = new OffscreenCanvas(16, 16);
  const cx = cv.getContext('2d', {willReadFrequently: true});
  function decode(video) {
    const w = video.videoWidth, h = video.videoHeight;
    if (!w || !h) return -1;
    if (cv.width !== w || cv.height !== h) { cv.width = w; cv.height = h; }
    cx.drawImage(video, 0, 0);
    // The code was drawn on 640-pixel-wide frames; the browser may send a scaled-down stream.
    const c = CELL * w / 640;
    const x = w - 2 * c + c / 2;
    const col = cx.getImageData(x | 0, 0, 1, Math.ceil(c * (BITS + 3))).data;
    const at = (y) => col[(y | 0) * 4];
    if (at(c * 1.5) > 64) return -1;        // guard cell above the code must be black
    let v = 0;
    for (let b = 0; b < BITS; b++) if (at(c * (b + 2) + c / 2) > 128) v |= (1 << b);
    return v;
  }
  const bc = window.__bc = {local: new Map(), lat: [], remoteFrames: 0, localFrames: 0, misses: 0,
                            streams: new Set(), firstSeen: new Map(), repeats: 0};
  function watchLocal(stream) {
    const v = document.createElement('video');
    v.muted = true; v.playsInline = true; v.srcObject = stream; v.play();
    const onf = (now, m) => {
      const k = decode(v);
      if (k >= 0) { bc.local.set(k, m.captureTime || m.presentationTime || now); bc.localFrames++; }
      v.requestVideoFrameCallback(onf);
    };
    v.requestVideoFrameCallback(onf);
  }
  if (navigator.mediaDevices && navigator.mediaDevices.getUserMedia) {
    const orig = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
    navigator.mediaDevices.getUserMedia = async (c) => {
      const s = await orig(c);
      if (c && c.video) { bc.streams.add(s.id); watchLocal(s.clone()); }
      return s;
    };
  }
  setInterval(() => {
    for (const v of document.querySelectorAll('video')) {
      if (v.__bc || !v.srcObject || bc.streams.has(v.srcObject.id)) continue;
      v.__bc = true;
      const onf = (now, m) => {
        const k = decode(v);
        const t0 = bc.local.get(k);
        // A code seen more than 3 s ago belongs to an earlier loop of the clip: not a sample. Only the
        // first arrival of a capture counts (the server re-sends the last picture while it is busy).
        if (k >= 0 && t0 !== undefined && now - t0 < 3000) {
          if (bc.firstSeen.get(k) !== t0) {
            bc.firstSeen.set(k, t0);
            bc.lat.push([k, (m.expectedDisplayTime || now) - t0, now - t0]);
          } else bc.repeats++;
        } else bc.misses++;
        bc.remoteFrames++;
        v.requestVideoFrameCallback(onf);
      };
      v.requestVideoFrameCallback(onf);
    }
  }, 200);
})();
"""
LATENCY_JS = LATENCY_JS_TEMPLATE.replace("@CELL@", str(STAMP_CELL)).replace("@BITS@", str(STAMP_BITS))


@contextlib.contextmanager
def run_app(port: int | None = None, *, home: Path | None = None, env: dict[str, str] | None = None,
            loopback: str = "only", log_path: Path | None = None,
            timeout_s: float = 60.0,
            app: Path | None = None) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """Start ``streamlit run app.py`` headless on a free port; yield (url, process); stop it after.

    Args:
        port: Port (default: a free one).
        home: ``BODYCOACH_HOME`` for the app (default: a fresh temporary folder).
        env: Extra environment variables.
        loopback: ``BODYCOACH_E2E_ICE_LOOPBACK`` for the app ("only", "1" or "" for stock aioice).
        log_path: Where the app's output goes (default: a temporary file).
        timeout_s: How long to wait for the health check.
        app: The Streamlit script (default: the product's ``app.py``; benchmarks pass an echo app).
    """
    port = port or free_port()
    tmp = Path(tempfile.mkdtemp(prefix="bodycoach-e2e-"))
    e = dict(os.environ)
    e["PYTHONPATH"] = os.pathsep.join(p for p in (str(E2E_DIR), e.get("PYTHONPATH", "")) if p)
    e["BODYCOACH_E2E_ICE_LOOPBACK"] = loopback
    e["BODYCOACH_HOME"] = str(home or (tmp / "home"))
    e.update(env or {})
    log_path = log_path or tmp / "app.log"
    log = open(log_path, "wb")
    cmd = [sys.executable, "-m", "streamlit", "run", str(app or REPO / "app.py"), "--server.headless", "true",
           "--server.port", str(port), "--server.address", "127.0.0.1",
           "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"]
    proc = subprocess.Popen(cmd, cwd=REPO, env=e, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout_s
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"app exited with {proc.returncode}; log: {log_path}\n"
                                   + log_path.read_text(errors="replace")[-3000:])
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"app did not answer on {url} within {timeout_s} s; log: {log_path}")
            time.sleep(0.3)
        yield url, proc
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(5)
        log.close()


@contextlib.contextmanager
def chromium(pw: Any, y4m: Path | None, *, viewport: tuple[int, int] = (1400, 1000),
             extra_args: list[str] | None = None, camera: bool = True) -> Iterator[Any]:
    """Launch Debian Chromium headless with a fake camera playing ``y4m``; yield a Playwright page.

    ``page.context.new_page()`` opens more pages (each is a new Streamlit session) in the same browser.
    With ``camera=False`` the browser has no camera at all (no fake device; a machine without a webcam).
    """
    profile = Path(tempfile.mkdtemp(prefix="bodycoach-chromium-"))
    args = list(CHROMIUM_ARGS)
    if not camera:
        args.remove("--use-fake-device-for-media-stream")
    elif y4m is not None:
        args.append(f"--use-file-for-fake-video-capture={y4m}")
    args += extra_args or []
    # A fresh profile each run (Playwright passes it as --user-data-dir).
    ctx = pw.chromium.launch_persistent_context(
        str(profile), executable_path=CHROMIUM, headless=True, args=args,
        viewport={"width": viewport[0], "height": viewport[1]}, permissions=["camera"])
    try:
        page = ctx.pages[0] if ctx.pages else ctx.new_page()
        yield page
    finally:
        ctx.close()
        shutil.rmtree(profile, ignore_errors=True)


def webrtc_frame(page: Any) -> Any:
    """Return the frame locator of streamlit-webrtc's component iframe."""
    return page.frame_locator('iframe[title*="streamlit_webrtc"]')


def read_stats(page: Any) -> dict[str, float]:
    """Return the counters the live page publishes on ``#bc-stats`` (empty dict before the first frame)."""
    # One query and read in the page: a locator resolved twice (count, then evaluate) can land on another
    # element while Streamlit re-renders the panel.
    attrs = page.evaluate("""() => { const e = document.getElementById('bc-stats');
        return e ? Object.fromEntries([...e.attributes].map(a => [a.name, a.value])) : {}; }""")
    return {k[5:]: float(v) for k, v in attrs.items() if k.startswith("data-")}


def read_states(page: Any) -> dict[str, dict[str, str]]:
    """Return ``{behaviour: {"state", "label", "verdict"}}`` from the live page's state table."""
    rows = page.locator("#bc-states tr")
    out: dict[str, dict[str, str]] = {}
    for i in range(rows.count()):
        r = rows.nth(i)
        out[r.get_attribute("data-behaviour") or ""] = {
            "state": r.get_attribute("data-state") or "",
            "label": r.get_attribute("data-label") or "",
            "verdict": r.get_attribute("data-verdict") or "",
        }
    return out


def read_cue(page: Any) -> dict[str, str]:
    """Return the cue box's text, verdict and person flag."""
    el = page.locator("#bc-cue")
    if el.count() == 0:
        return {}
    e = el.first
    return {"text": e.inner_text(), "verdict": e.get_attribute("data-verdict") or "",
            "person": e.get_attribute("data-person") or ""}


def wait_processed(page: Any, n: int, timeout_s: float) -> dict[str, float]:
    """Wait until the page reports at least ``n`` processed frames; return the stats."""
    deadline = time.monotonic() + timeout_s
    stats: dict[str, float] = {}
    while time.monotonic() < deadline:
        stats = read_stats(page)
        if stats.get("processed", 0) >= n:
            return stats
        page.wait_for_timeout(250)
    raise AssertionError(
        f"only {stats.get('processed', 0):.0f} of {n} frames processed in {timeout_s} s: {stats}")


def click_start(page: Any, timeout_s: float = 30.0) -> None:
    """Click streamlit-webrtc's Start button (any language)."""
    frame = webrtc_frame(page)
    btn = frame.get_by_role("button", name="Start")
    btn.wait_for(timeout=timeout_s * 1000)
    btn.click()
