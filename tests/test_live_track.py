"""NewestFrameTrack: newest input frame only, processing off the event loop, no backlog, reusable."""

from __future__ import annotations

import asyncio
import fractions
import statistics
import threading
import time
from collections.abc import AsyncIterator
from typing import Any

import numpy as np
import pytest

av = pytest.importorskip("av")
aiortc = pytest.importorskip("aiortc")

from aiortc import MediaStreamTrack  # noqa: E402
from aiortc.mediastreams import MediaStreamError  # noqa: E402

from bodycoach.apps.live_track import NewestFrameTrack  # noqa: E402


class Camera(MediaStreamTrack):
    """A fake input track delivering numbered frames at ``fps`` (pts = frame number)."""

    kind = "video"

    def __init__(self, fps: float, n: int) -> None:
        super().__init__()
        self.fps, self.n, self.i = fps, n, 0
        self.sent_at: dict[int, float] = {}

    async def recv(self) -> Any:
        if self.i >= self.n:
            raise MediaStreamError
        await asyncio.sleep(1 / self.fps)
        f = av.VideoFrame.from_ndarray(np.zeros((16, 16, 3), np.uint8), format="bgr24")
        f.pts, f.time_base = self.i, fractions.Fraction(1, 90000)
        self.sent_at[self.i] = time.monotonic()
        self.i += 1
        return f


async def received(track: NewestFrameTrack) -> AsyncIterator[Any]:
    """Each frame the track returns until its input ends, pulled as aiortc's RTP sender pulls them."""
    while True:
        try:
            frame = await track.recv()
        except MediaStreamError:
            return
        yield frame


def run_track(process_s: float, fps: float = 50.0, n: int = 40) -> tuple[list[tuple[int, float]], int, Camera,
                                                                          set[str]]:
    dropped = 0
    threads: set[str] = set()

    def on_dropped(k: int) -> None:
        nonlocal dropped
        dropped += k

    def process(frame: Any) -> Any:
        threads.add(threading.current_thread().name)
        time.sleep(process_s)
        return av.VideoFrame.from_ndarray(frame.to_ndarray(format="bgr24"), format="bgr24")

    cam = Camera(fps, n)
    track = NewestFrameTrack(process, on_dropped=on_dropped, send_time_pts=False)
    out: list[tuple[int, float]] = []

    async def main() -> None:
        track.addTrack(cam)
        track.start()
        async for f in received(track):
            out.append((int(f.pts), time.monotonic()))

    asyncio.run(main())
    track.close()
    return out, dropped, cam, threads


def test_fast_processing_returns_every_frame_in_order() -> None:
    out, dropped, cam, threads = run_track(process_s=0.0, fps=40, n=20)
    pts = [p for p, _ in out]  # capture pts (send_time_pts=False in run_track)
    assert pts == sorted(pts) and len(pts) >= 18 and dropped <= 2
    assert threads and all(t.startswith("bodycoach-live") for t in threads)


def test_slow_processing_drops_old_frames_and_builds_no_backlog() -> None:
    out, dropped, cam, _ = run_track(process_s=0.06, fps=50, n=50)  # 20 ms camera, 60 ms processing
    pts = [p for p, _ in out]
    assert pts == sorted(pts)
    assert dropped >= 20 and len(pts) + dropped <= 50
    # Each returned frame left the camera about one processing time (+ one frame) before it was sent; a
    # queue would make the age grow by ~40 ms per frame (to > 1 s by the end). Loose bounds: shared CI.
    ages = [t - cam.sent_at[p] for p, t in out]
    assert statistics.median(ages) < 0.2 and max(ages[-5:]) < 0.3, ages


def test_track_is_reusable_after_stop() -> None:
    track = NewestFrameTrack(lambda f: f)

    async def once() -> int:
        cam = Camera(100, 5)
        track.addTrack(cam)
        track.start()
        got = 0
        async for _ in received(track):
            got += 1
        track.stop()
        return got

    assert asyncio.run(once()) >= 4
    assert asyncio.run(once()) >= 4
    assert track.readyState == "live"
    track.close()
    assert track.readyState == "ended"


def test_send_time_pts_follow_the_clock_and_increase() -> None:
    sent: list[tuple[int, Any, float]] = []

    def process(frame: Any) -> Any:
        time.sleep(0.01 if frame.pts % 2 else 0.04)  # uneven processing
        return av.VideoFrame.from_ndarray(np.zeros((16, 16, 3), np.uint8), format="bgr24")

    track = NewestFrameTrack(process)

    async def main() -> None:
        track.addTrack(Camera(50, 20))
        track.start()
        async for f in received(track):
            sent.append((int(f.pts), f.time_base, time.monotonic()))

    asyncio.run(main())
    track.close()
    pts = [p for p, _, _ in sent]
    assert pts == sorted(set(pts)) and all(tb == fractions.Fraction(1, 90000) for _, tb, _ in sent)
    # pts advance like the wall clock between sends (within 10 ms), whatever the camera's own stamps were.
    for (p0, _, t0), (p1, _, t1) in zip(sent, sent[1:], strict=False):
        assert abs((p1 - p0) / 90000 - (t1 - t0)) < 0.01


def test_stalled_processing_repeats_the_last_picture_to_keep_media_flowing() -> None:
    calls = 0

    def process(frame: Any) -> Any:
        nonlocal calls
        calls += 1
        time.sleep(0.45 if calls == 3 else 0.0)  # the third frame stalls
        return av.VideoFrame.from_ndarray(np.full((16, 16, 3), min(calls, 6) * 40, np.uint8), format="bgr24")

    track = NewestFrameTrack(process, keepalive_s=0.1)
    got: list[int] = []

    async def main() -> None:
        track.addTrack(Camera(50, 40))
        track.start()
        async for f in received(track):
            got.append(round(int(f.to_ndarray(format="bgr24")[8, 8, 0]) / 40))  # the call that made it

    asyncio.run(main())
    track.close()
    assert track.repeated >= 3  # ~0.45 s stall / 0.1 s keep-alive
    i = got.index(3)
    assert set(got[i - track.repeated: i]) == {2}  # the picture before the stall, repeated
    assert got[i + 1:] and all(v >= 4 for v in got[i + 1:])


def test_input_delay_is_the_excess_of_wall_time_over_frame_time() -> None:
    class ClockCamera(Camera):
        """Frame times follow the wall clock; frames 10.. arrive 200 ms late (a queue on the way in)."""

        async def recv(self) -> Any:
            f = await super().recv()
            late = 0.2 if self.i > 10 else 0.0
            f.pts = int((time.monotonic() - late) * 90000)
            return f

    seen: list[dict[str, float]] = []
    track = NewestFrameTrack(lambda f: f, send_time_pts=False, on_stats=seen.append)

    async def main() -> None:
        track.addTrack(ClockCamera(50, 20))
        track.start()
        async for _ in received(track):
            pass

    asyncio.run(main())
    track.close()
    delays = [s["input-delay-ms"] for s in seen]
    assert min(delays[:5]) < 30 and 150 < delays[-1] < 300, delays


def test_throttle_skips_processing_and_repeats_the_picture() -> None:
    calls = 0

    def process(frame: Any) -> Any:
        nonlocal calls
        calls += 1
        return frame

    track = NewestFrameTrack(process, keepalive_s=0.01)

    async def main() -> list[Any]:
        track.addTrack(Camera(100, 50))
        track.start()
        first = await track.recv()
        track._throttle_until = time.monotonic() + 0.2  # as the watchdog does after a late loop
        during = [await track.recv() for _ in range(5)]
        return [first, *during]

    frames = asyncio.run(main())
    track.close()
    assert calls == 1 and track.throttled == 5 and len(frames) == 6
    pts = [f.pts for f in frames]
    assert pts == sorted(set(pts))


def test_lower_thread_priority_applies_to_the_thread_and_its_children() -> None:
    import os

    from bodycoach.apps.live_track import lower_thread_priority

    seen: dict[str, int] = {}

    def child() -> None:
        seen["child"] = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

    def parent() -> None:
        seen["before"] = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
        seen["ok"] = int(lower_thread_priority(5))
        seen["after"] = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
        t = threading.Thread(target=child)
        t.start()
        t.join()

    main_before = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    t = threading.Thread(target=parent)
    t.start()
    t.join()
    if not seen["ok"]:
        pytest.skip("per-thread priorities not available here")
    assert seen["after"] == min(19, seen["before"] + 5) and seen["child"] == seen["after"]
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == main_before  # caller untouched


def test_processing_overlaps_with_sending() -> None:
    """The next frame is processed while the sender encodes the last one: rate ~ 1/max(process, send)."""
    process_s, send_s = 0.03, 0.03

    def process(frame: Any) -> Any:
        time.sleep(process_s)
        return frame

    track = NewestFrameTrack(process, send_time_pts=False, keepalive_s=0)
    sent: list[float] = []

    async def main() -> None:
        track.addTrack(Camera(100, 60))  # 10 ms camera: a new frame is always there
        track.start()
        async for _ in received(track):
            sent.append(time.monotonic())
            await asyncio.sleep(send_s)  # the RTP sender encoding and sending (off the processing thread)

    asyncio.run(main())
    track.close()
    gaps = [b - a for a, b in zip(sent, sent[1:], strict=False)]
    # Serial processing + sending would give ~60 ms per frame; overlapped ~30-40 ms. Loose for shared CI.
    assert len(gaps) > 5 and statistics.median(gaps) < 0.05, gaps


@pytest.mark.parametrize(("env", "added"), [("", 10), ("0", 0), ("4", 4), ("25", 10), ("-3", 10), ("x", 10)])
def test_priority_env_override(monkeypatch: pytest.MonkeyPatch, env: str, added: int) -> None:
    import os

    from bodycoach.apps import live_track

    monkeypatch.setenv(live_track.ENV_NICE, env)
    seen: dict[str, int] = {}

    def run() -> None:
        tid = threading.get_native_id()
        before = os.getpriority(os.PRIO_PROCESS, tid)
        seen["ok"] = int(live_track.lower_thread_priority())
        seen["delta"] = os.getpriority(os.PRIO_PROCESS, tid) - before
        seen["before"] = before

    t = threading.Thread(target=run)
    t.start()
    t.join()
    if not seen["ok"]:
        pytest.skip("per-thread priorities not available here")
    assert seen["delta"] == min(19, seen["before"] + added) - seen["before"]
