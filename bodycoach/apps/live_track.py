"""A low-latency processing track for streamlit-webrtc: always the newest camera frame, no frame of lag.

streamlit-webrtc's default async processing returns, for each incoming frame, the result of an *earlier*
one (the worker thread's output is picked up when the next camera frame arrives), which adds about one
frame interval plus queueing to the glass-to-glass latency (measured in docs/live.md). This track plugs
into streamlit-webrtc's public ``sink_video_track`` / ``source_video_track`` slots instead:

* as the *sink* it gets the browser's track and keeps reading it on aiortc's event loop, holding only the
  newest frame (older ones are counted as dropped, never queued);
* processing starts as soon as a frame arrives and the worker thread is free (always the newest frame);
* as the *source* its ``recv()`` (pulled by the outgoing RTP sender) returns the newest processed frame, and
  the next frame is processed while the sender encodes and sends this one.

So each returned frame is the newest camera frame plus one processing time, processing and encoding run
side by side (a frame costs max(processing, encoding), not their sum), and the event loop never blocks on
MediaPipe.
"""

from __future__ import annotations

import asyncio
import fractions
import logging
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from aiortc import MediaStreamTrack
from aiortc.mediastreams import MediaStreamError

log = logging.getLogger(__name__)

_CLOCK_HZ = 90_000  # the RTP video clock
_TIME_BASE = fractions.Fraction(1, _CLOCK_HZ)


#: Niceness added to the threads that run the models, so WebRTC's event loop (nice 0) wins the CPU.
PROCESSING_NICE = 10
#: Environment variable overriding :data:`PROCESSING_NICE` (0..19; for measurements and odd machines).
ENV_NICE = "BODYCOACH_LIVE_NICE"


def lower_thread_priority(nice: int | None = None) -> bool:
    """Give the calling thread (and the threads it creates later) a lower CPU priority; Linux only.

    On Linux the nice value is per thread and inherited by threads created afterwards, so calling this
    in the thread that builds the MediaPipe graphs lowers their worker threads too. Returns whether it
    worked (never raises: it is an optimisation).

    Args:
        nice: Niceness to add; default ``$BODYCOACH_LIVE_NICE`` if it is a whole number 0..19, else
            :data:`PROCESSING_NICE`.
    """
    if nice is None:
        raw = os.environ.get(ENV_NICE, "")
        nice = int(raw) if raw.isdigit() and int(raw) <= 19 else PROCESSING_NICE
    try:
        tid = threading.get_native_id()
        os.setpriority(os.PRIO_PROCESS, tid, min(19, os.getpriority(os.PRIO_PROCESS, tid) + nice))
        return True
    except (AttributeError, OSError):
        return False


class NewestFrameTrack(MediaStreamTrack):  # type: ignore[misc]
    """Sink and source in one: newest input frame → ``process`` (on a worker thread) → output.

    Args:
        process: Called with each ``av.VideoFrame`` to send; returns the frame to send back. Runs on one
            dedicated thread, one frame at a time, as soon as a frame is there and the previous result has
            been taken by the sender (at most one processed frame waits; none is thrown away).
        on_dropped: Called with the number of input frames skipped because a newer one arrived first.
        source_factory: Makes an input track when none is attached (the demo's clip player); without it
            the input comes from streamlit-webrtc's sink slot (the browser camera).
        send_time_pts: Stamp each returned frame with the time it is sent (90 kHz clock) instead of the
            camera frame's own time. Processing time varies from frame to frame; with capture times the
            browser reads that variation as network jitter and holds frames back in its jitter buffer.
            Send times make the returned stream look evenly paced, so the browser shows frames at once.
        keepalive_s: When processing a frame takes longer than this (seconds), the last returned picture is
            sent again meanwhile (counted in ``repeated``), so the browser never goes long without media.
            0 disables it.
        on_stats: Called (on the event loop) with diagnostics per processed frame: ``input-delay-ms``
            (queueing before processing, see ``_note_input_delay``), ``repeated``, ``throttled``,
            ``loop-lag-max-ms``.
        throttle_lag_ms: When aiortc's event loop runs this many ms late (an overloaded machine), processing
            pauses for ``throttle_s`` (1 s) and the last picture is re-sent instead, so the connection's
            own work gets the CPU. Chromium reports the connection "disconnected" after ~2.5 s without
            answers, and streamlit-webrtc then ends the session. 0 disables it.
    """

    kind = "video"

    def __init__(self, process: Callable[[Any], Any], on_dropped: Callable[[int], None] | None = None,
                 source_factory: Callable[[], MediaStreamTrack] | None = None,
                 send_time_pts: bool = True, keepalive_s: float = 0.5,
                 on_stats: Callable[[dict[str, float]], None] | None = None,
                 throttle_lag_ms: float = 500.0) -> None:
        super().__init__()
        self._send_time_pts = send_time_pts
        self.keepalive_s = keepalive_s
        self.repeated = 0
        self.max_loop_lag_ms = 0.0
        self.throttle_lag_ms = throttle_lag_ms
        self.throttle_s = 1.0
        self.throttled = 0
        self._throttle_until = 0.0
        self.input_delay_ms = 0.0
        self._min_skew: float | None = None
        self._on_stats = on_stats
        self._watchdog: asyncio.Task[None] | None = None
        self._pending: asyncio.Future[Any] | None = None
        self._pending_frame: Any = None
        self._ready: tuple[Any, Any] | None = None  # (processed frame, its input frame), not yet sent
        self._ready_event: asyncio.Event | None = None
        self._error: BaseException | None = None
        self._generation = 0  # bumped by stop(): results of an earlier connection are discarded
        self._last_out: Any = None
        self._last_frame: Any = None
        self._t0: float | None = None
        self._last_pts = -1
        self._source_factory = source_factory
        self._owned_input = False
        self._process = process
        self._on_dropped = on_dropped
        self._input: MediaStreamTrack | None = None
        self._reader: asyncio.Task[None] | None = None
        self._event: asyncio.Event | None = None
        self._latest: Any | None = None
        self._input_ended = False
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="bodycoach-live",
                                        initializer=lower_thread_priority)

    # -- MediaSink side (streamlit-webrtc calls these with the browser's track) -----------------------
    def addTrack(self, track: MediaStreamTrack) -> None:  # noqa: N802 - streamlit-webrtc's protocol name
        """Take the input track of a new connection (a previous one is let go)."""
        self._cancel_reader()
        self._release_owned_input()
        self._input = track
        self._latest = None
        self._input_ended = False
        self._min_skew = None  # a new connection has a new capture clock

    def hasTrack(self) -> bool:  # noqa: N802
        """Whether an input track is attached."""
        return self._input is not None

    def start(self) -> None:
        """Start reading the input on the running event loop."""
        if self._input is None or (self._reader is not None and not self._reader.done()):
            return
        self._event = asyncio.Event()
        self._ready_event = asyncio.Event()  # events belong to the running loop: new ones per connection
        loop = asyncio.get_event_loop()
        self._reader = loop.create_task(self._read(self._input))
        if self._watchdog is None or self._watchdog.done():
            self._watchdog = loop.create_task(self._watch_loop())

    async def _watch_loop(self) -> None:
        """Record how late aiortc's event loop runs (a starved loop answers the browser's checks late)."""
        period = 0.1
        while True:
            t = time.monotonic()
            await asyncio.sleep(period)
            lag_ms = (time.monotonic() - t - period) * 1000.0
            if lag_ms > self.max_loop_lag_ms:
                self.max_loop_lag_ms = lag_ms
            if lag_ms > self.throttle_lag_ms > 0:
                # Give the CPU back to the connection for a moment: pause processing, keep re-sending.
                self._throttle_until = time.monotonic() + self.throttle_s
            if lag_ms > 1000.0:
                log.warning("WebRTC event loop ran %.0f ms late (the machine is overloaded); the browser may "
                            "drop the connection", lag_ms)

    async def _read(self, track: MediaStreamTrack) -> None:
        try:
            while True:
                frame = await track.recv()
                if self._latest is not None and self._on_dropped is not None:
                    self._on_dropped(1)  # never processed: a newer frame replaces it
                self._latest = frame
                if self._event is not None:
                    self._event.set()
                self._kick()
        except MediaStreamError:
            pass
        except asyncio.CancelledError:
            raise
        except Exception:  # keep the connection's loop alive; say what happened
            log.exception("reading the camera track failed")
        finally:
            self._input_ended = True
            if self._event is not None:
                self._event.set()
            self._wake()

    def _cancel_reader(self) -> None:
        for task in (self._reader, self._watchdog):
            if task is not None and not task.done():
                task.cancel()
        self._reader = None
        self._watchdog = None

    # -- processing (starts as soon as a frame arrives, not when the sender asks) ----------------------
    def _kick(self) -> None:
        """Start processing the newest input frame if the worker is idle and no result waits to be sent.

        Called on aiortc's loop when a frame arrives, when a result is taken by ``recv`` and when processing
        ends. So processing frame N+1 overlaps with encoding and sending frame N (the RTP sender encodes on
        its own executor thread), instead of waiting for the sender's next ``recv``; at most one processed
        frame waits for the sender, so no work is thrown away.
        """
        if self._pending is not None or self._ready is not None or self._latest is None:
            return
        if time.monotonic() < self._throttle_until:
            return  # the connection needs the CPU; recv re-sends the last picture meanwhile
        frame, self._latest = self._latest, None
        self._note_input_delay(frame)
        loop = asyncio.get_running_loop()
        fut = loop.run_in_executor(self._pool, self._process, frame)
        self._pending, self._pending_frame = fut, frame
        generation = self._generation
        fut.add_done_callback(lambda f: self._on_processed(f, frame, generation))

    def _on_processed(self, fut: asyncio.Future[Any], frame: Any, generation: int) -> None:
        if generation != self._generation:
            return  # a result of a connection that was stopped meanwhile
        self._pending = None
        if fut.cancelled():
            return
        exc = fut.exception()
        if exc is not None:
            self._error = exc
        else:
            self._ready = (fut.result(), frame)
        self._wake()
        self._kick()

    def _wake(self) -> None:
        if self._ready_event is not None:
            self._ready_event.set()

    # -- source side (the RTP sender pulls processed frames) ------------------------------------------
    async def recv(self) -> Any:
        """Return the newest processed frame (waits for one newer than the last sent)."""
        if self.readyState != "live":
            raise MediaStreamError
        if self._input is None and self._source_factory is not None:
            self.addTrack(self._source_factory())
            self._owned_input = True
        if self._input is not None and self._reader is None:
            self.start()  # here we are on aiortc's loop
        if self._ready is None and self._last_out is not None and time.monotonic() < self._throttle_until:
            # The event loop has been starved: skip processing for a moment so WebRTC's own work
            # (consent checks, RTP, RTCP) gets the CPU, and keep the browser's picture alive.
            await asyncio.sleep(self.keepalive_s)
            self.throttled += 1
            out = self._repeat(self._last_out)
            self._stamp(out, None)
            return out
        if self._ready_event is None:
            self._ready_event = asyncio.Event()
        deadline = None if self._last_out is None or self.keepalive_s <= 0 else time.monotonic() + self.keepalive_s
        while self._ready is None:
            if self._error is not None:
                exc, self._error = self._error, None
                raise exc
            self._kick()
            if self._ready is not None:
                break
            if self._pending is None and self._latest is None and self._input_ended:
                raise MediaStreamError
            if self._event is None:  # not started yet: the sink side starts after negotiation
                await asyncio.sleep(0.01)
                continue
            self._ready_event.clear()
            timeout = None if deadline is None else deadline - time.monotonic()
            if timeout is not None and timeout <= 0:
                # Processing is stalled (a busy machine): send the last picture again so the browser keeps
                # receiving media; the frame being processed is sent when it is ready.
                self.repeated += 1
                out = self._repeat(self._last_out)
                self._stamp(out, None)
                return out
            try:
                await asyncio.wait_for(self._ready_event.wait(), timeout=timeout)
            except TimeoutError:
                continue
        out, frame = self._ready
        self._ready = None
        self._kick()  # the next frame is processed while this one is encoded and sent
        self._last_out, self._last_frame = out, frame
        self._stamp(out, frame)
        return out

    def _note_input_delay(self, frame: Any) -> None:
        """Track how much later than its own clock the newest input frame reaches processing.

        ``wall time − frame time`` has an unknown constant offset (the browser's capture clock); its
        excess over the smallest value seen is the queueing delay on the way in (browser encoder, network,
        aiortc's jitter buffer and decoder, our reader), in ms.
        """
        if frame.pts is None or frame.time_base is None:
            return
        skew = time.monotonic() - float(frame.pts * frame.time_base)
        if self._min_skew is None or skew < self._min_skew:
            self._min_skew = skew
        self.input_delay_ms = (skew - self._min_skew) * 1000.0
        if self._on_stats is not None:
            self._on_stats({"input-delay-ms": self.input_delay_ms, "repeated": self.repeated,
                            "throttled": self.throttled, "loop-lag-max-ms": self.max_loop_lag_ms})

    @staticmethod
    def _repeat(frame: Any) -> Any:
        import av

        return av.VideoFrame.from_ndarray(frame.to_ndarray(format="yuv420p"), format="yuv420p")

    def _stamp(self, out: Any, frame: Any) -> None:
        if frame is None:  # a repeated picture: the frame in processing, else the one sent last
            frame = self._pending_frame if self._pending_frame is not None else self._last_frame
        if self._send_time_pts or frame is None:
            now = time.monotonic()
            if self._t0 is None:
                self._t0 = now
            pts = max(int((now - self._t0) * _CLOCK_HZ), self._last_pts + 1)
            self._last_pts = pts
            out.pts, out.time_base = pts, _TIME_BASE
        else:
            out.pts, out.time_base = frame.pts, frame.time_base

    def _release_owned_input(self) -> None:
        if self._owned_input and self._input is not None:
            self._input.stop()  # e.g. ends the clip player's decoding thread
        self._owned_input = False

    def stop(self) -> None:
        """End this connection's reading. The track stays usable for the next Start on the page."""
        self._cancel_reader()
        self._release_owned_input()
        self._input = None
        self._latest = None
        self._pending = None
        self._ready = None
        self._error = None
        self._generation += 1
        self._last_out = None
        self._input_ended = True
        if self._event is not None:
            self._event.set()
        self._wake()

    def close(self) -> None:
        """End the track for good and release its thread."""
        self.stop()
        super().stop()
        self._pool.shutdown(wait=False)
