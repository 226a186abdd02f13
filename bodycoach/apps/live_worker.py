"""The frame-callback worker of the live coach: frames in, annotated frames and updates out.

``LiveWorker`` is what streamlit-webrtc calls for each camera (or demo) frame. It lives outside Streamlit
so it can be built and driven in a plain pytest process. Rules it keeps (see docs/live.md):

* It only runs the pipeline (``Coach``), the cue scheduler, the session recorder and the overlay, then
  hands a small ``LiveUpdate`` to the page through a bounded ``queue.Queue`` that drops its *oldest* item
  when full, so the page never works through a backlog.
* When processing is slower than the camera, frames are dropped, not queued: streamlit-webrtc hands
  ``on_frames`` every frame that arrived since the previous call and only the newest is processed.
* It never reads Streamlit widgets. The page pushes changes with ``update()`` (language, phase, mode,
  landmarks on/off) and ``coach.update_config()`` (thresholds, calibration profile); both take a lock.
* Timestamps come from a monotonic clock (milliseconds since the worker started), strictly increasing,
  whatever the browser's or the looping demo clip's presentation times do.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from bodycoach.feedback.present import present_cue
from bodycoach.pipeline import Coach
from bodycoach.types import Behaviour, FeedbackEvent, FrameResult, Landmarks

log = logging.getLogger(__name__)

Frame = npt.NDArray[np.uint8]

# Kinds of calibration samples the on-screen flow collects (CalibrationProfile.from_samples keywords).
CAPTURE_KINDS = ("lens", "screen", "neutral")

# Modes of a rehearsal (bodycoach.feedback.scenarios.MODES): at the desk, or on the telephone (posture and
# smile while speaking).
MODES = ("face_to_face", "telephone")


@dataclass(frozen=True)
class LiveSettings:
    """What the page tells the worker. Changed only through ``LiveWorker.update``.

    Attributes:
        lang: Language of cues and overlay text, ``"no"`` (default) or ``"en"``.
        phase: Current phase of the encounter (an id from ``bodycoach.feedback.scenarios``).
        mode: ``"face_to_face"`` or ``"telephone"``.
        show_landmarks: Draw the landmark points on the returned video.
        scenario: Customer type being rehearsed (an id from ``bodycoach.feedback.scenarios``), or "".
        want_body: The trainee wants arms and hands coached: the framing check asks for the counter and the
            hands in the picture ("gå litt bakover ...") when they are not.
    """

    lang: str = "no"
    phase: str = "reception"
    mode: str = "face_to_face"
    show_landmarks: bool = False
    scenario: str = ""
    want_body: bool = False

    def __post_init__(self) -> None:
        if self.lang not in ("no", "en"):
            raise ValueError(f"LiveSettings.lang must be 'no' or 'en', but got {self.lang!r}")
        if self.mode not in MODES:
            raise ValueError(f"LiveSettings.mode must be one of {MODES}, but got {self.mode!r}")


@dataclass(frozen=True)
class StageTimes:
    """Milliseconds spent per stage on the last processed frame (perf_counter based)."""

    decode_ms: float = 0.0
    extract_ms: float = 0.0
    analyse_ms: float = 0.0
    cue_ms: float = 0.0
    render_ms: float = 0.0
    encode_ms: float = 0.0
    total_ms: float = 0.0


@dataclass(frozen=True)
class WorkerStats:
    """Counters of the worker since it was created.

    Attributes:
        received: Frames handed to the worker (processed + dropped).
        processed: Frames that went through the pipeline.
        dropped: Frames skipped because a newer one was waiting.
        fps: Processed frames per second over the last ``FPS_WINDOW_S`` seconds of wall time.
        updates_dropped: Updates the page had not read when the queue was full (oldest discarded).
        stages: Time per stage of the last processed frame.
        mean_total_ms: Mean processing time per frame (all stages) since start.
        errors: Frames whose processing raised (the frame is returned unannotated; see the log).
        last_error: One line about the last such failure ("" when none).
        frame_wh: Width and height of the last processed frame in pixels.
    """

    received: int = 0
    processed: int = 0
    dropped: int = 0
    fps: float = 0.0
    updates_dropped: int = 0
    stages: StageTimes = field(default_factory=StageTimes)
    mean_total_ms: float = 0.0
    errors: int = 0
    last_error: str = ""
    frame_wh: tuple[int, int] = (0, 0)


@dataclass(frozen=True)
class LiveUpdate:
    """What the page shows after one processed frame.

    Attributes:
        timestamp_ms: Worker time of the frame.
        states: Stable label per behaviour (``unknown`` until settled).
        labels: Per-frame label per behaviour.
        cue: The cue currently shown (a ``bodycoach.feedback.cues.Cue``) or None.
        has_person: Whether a face or body was found in this frame.
        started: Events that started at this frame.
        ended: Events that ended at this frame.
        stats: Worker counters at this frame.
        settings: The settings the frame was processed with.
        framing: The framing check held over the last moments (``bodycoach.feedback.framing.FramingStatus``),
            or None before the first frame.
        view: The stable camera view (``FrameResult.view``).
        segment: 1-based segment of the session the frame belongs to.
    """

    timestamp_ms: int
    states: Mapping[Behaviour, str]
    labels: Mapping[Behaviour, str]
    cue: Any | None
    has_person: bool
    started: tuple[FeedbackEvent, ...]
    ended: tuple[FeedbackEvent, ...]
    stats: WorkerStats
    settings: LiveSettings
    framing: Any | None = None
    view: str = "unknown"
    segment: int = 1


@dataclass
class LiveSegment:
    """One stretch of a session with one mode and customer type (a switch starts the next one).

    Attributes:
        index: 1-based position in the session.
        mode: ``"face_to_face"`` or ``"telephone"``.
        scenario: Customer type id, or "".
        start_ms: Worker time of its first frame (None before it has one).
        end_ms: Worker time it ended (None while it runs).
        recorder: Its session recorder (the summary of the segment).
        frames: Frames recorded in it.
    """

    index: int
    mode: str
    scenario: str
    recorder: Recorder
    start_ms: int | None = None
    end_ms: int | None = None
    frames: int = 0


class FrameSink(Protocol):
    """Where saved sessions go frame by frame (``bodycoach.store.SessionWriter``)."""

    def add_frame(self, result: FrameResult, phase: str) -> None:
        """Store one frame's result."""
        ...


class CueSource(Protocol):
    """``bodycoach.feedback.cues.CueScheduler`` as the worker uses it."""

    def update(self, result: FrameResult, phase: str) -> Any | None:
        """Return the cue to show now (or None)."""
        ...


class Recorder(Protocol):
    """``bodycoach.feedback.report.SessionRecorder`` as the worker uses it."""

    def add(self, result: FrameResult, phase: str) -> None:
        """Account one frame."""
        ...

    def set_phase(self, phase: str, timestamp_ms: int) -> None:
        """Mark a phase change."""
        ...


Render = Callable[..., Frame]
CueFactory = Callable[[LiveSettings], CueSource]

FPS_WINDOW_S = 2.0


def _default_cues(settings: LiveSettings) -> CueSource:
    from bodycoach.feedback.cues import CueScheduler

    return CueScheduler(lang=settings.lang, mode=settings.mode)


def _default_recorder(settings: LiveSettings) -> Recorder:
    from bodycoach.feedback.report import SessionRecorder

    return SessionRecorder(lang=settings.lang, mode=settings.mode, scenario=settings.scenario or None)


def _default_render(frame: Frame, result: FrameResult, **kw: Any) -> Frame:
    from bodycoach.render.overlay import annotate

    # The frame is the worker's own array (decoded from the stream), so drawing in place saves a copy.
    return annotate(frame, result, inplace=True, **kw)


class ThreadedSink:
    """Writes frames to a ``FrameSink`` on its own thread so disk I/O never stalls the frame callback.

    The queue is bounded (``maxsize`` frames); if the disk falls that far behind, further frames are
    counted in ``dropped`` instead of growing memory.
    """

    def __init__(self, sink: FrameSink, maxsize: int = 512) -> None:
        self.sink = sink
        self.dropped = 0
        self.written = 0
        self.error: BaseException | None = None
        self._q: queue.Queue[tuple[FrameResult, str] | None] = queue.Queue(maxsize=maxsize)
        self._thread = threading.Thread(target=self._run, name="bodycoach-session-writer", daemon=True)
        self._thread.start()

    def add_frame(self, result: FrameResult, phase: str) -> None:
        """Queue one frame for writing (never blocks)."""
        try:
            self._q.put_nowait((result, phase))
        except queue.Full:
            self.dropped += 1

    def _run(self) -> None:
        while True:
            item = self._q.get()
            if item is None:
                return
            if self.error is not None:
                continue
            try:
                self.sink.add_frame(*item)
                self.written += 1
            except BaseException as exc:  # noqa: BLE001 - keep the camera running; report it on close
                log.exception("session writer failed")
                self.error = exc

    def close(self, timeout_s: float = 30.0) -> None:
        """Write what is queued, then stop the thread."""
        self._q.put(None)
        self._thread.join(timeout_s)


class SessionSaver:
    """A session being written to the store while the trainee practises (only after the "save" tick).

    Frames go through a ``ThreadedSink`` (never on the frame thread); ``finish`` adds the closing events
    and either keeps the session or deletes it (the tick was removed before finishing).
    """

    def __init__(self, store: Any, writer: Any, sink: ThreadedSink, worker: LiveWorker) -> None:
        self.store = store
        self.writer = writer
        self.sink = sink
        self.worker = worker

    @classmethod
    def open(cls, store: Any, worker: LiveWorker, **create: Any) -> SessionSaver:
        """Create the store session (``store.create_session(**create)``) and attach it to ``worker``."""
        writer = store.create_session(**create)
        sink = ThreadedSink(writer)
        worker.attach_sink(sink)
        return cls(store, writer, sink, worker)

    def finish(self, events: Sequence[FeedbackEvent], keep: bool) -> int | None:
        """Stop writing; keep (return the session id) or delete (return None) the session.

        Raises:
            BaseException: what the writer thread raised, after the session was aborted.
        """
        self.worker.attach_sink(None)
        self.sink.close()
        try:
            if self.sink.error is not None:
                self.writer.abort(f"writing failed: {self.sink.error}")
                raise self.sink.error
            self.writer.add_events(events)
            self.writer.close()
            sid = int(self.writer.id)
            if not keep:
                self.store.delete(sid)
                return None
            return sid
        finally:
            self.store.close()


class LiveWorker:
    """Runs the coach on the newest frame and publishes ``LiveUpdate``s. Thread-safe.

    Args:
        coach: The coach, or a zero-argument factory (called on the first frame so the page loads fast).
        settings: Initial settings.
        mirror_display: Return a mirror image (selfie view) with the overlay drawn on it. The coach still
            analyses the true camera view (extractor ``mirrored=False``), the view the classifiers were
            built and calibrated on; only the returned picture and the drawn landmarks are flipped.
        render: ``render(frame, result, lang=, show_landmarks=, cue=) -> frame``; default
            ``bodycoach.render.overlay.annotate``.
        cue_factory: Builds the cue scheduler for the settings (rebuilt when language or mode changes).
        recorder: Session recorder of the first segment; default ``SessionRecorder`` for the settings.
            Switching the mode or the customer type mid-session starts a new segment with a fresh recorder
            from ``recorder_factory`` (a recorder's mode and customer type are fixed); the coach, its
            history, the saved session and the earlier segments are kept.
        recorder_factory: Builds a segment's recorder for the settings; default ``SessionRecorder``.
        queue_size: Updates kept for the page; older ones are dropped.
        clock: Monotonic clock in seconds (injectable for tests).
    """

    def __init__(
        self,
        coach: Coach | Callable[[], Coach],
        *,
        settings: LiveSettings | None = None,
        mirror_display: bool = False,
        render: Render | None = None,
        cue_factory: CueFactory | None = None,
        recorder: Recorder | None = None,
        recorder_factory: Callable[[LiveSettings], Recorder] | None = None,
        queue_size: int = 4,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if queue_size < 1:
            raise ValueError(f"LiveWorker queue_size must be >= 1, but got {queue_size}")
        self._coach_or_factory = coach
        # A coach is anything with ``extractor`` and ``step_landmarks`` (tests pass light doubles).
        self._coach: Coach | None = coach if hasattr(coach, "step_landmarks") else None  # type: ignore[assignment]
        self._settings = settings or LiveSettings()
        self.mirror_display = mirror_display
        self._render = render or _default_render
        self._cue_factory = cue_factory or _default_cues
        self._cues: CueSource | None = None
        self._recorder_factory = recorder_factory or _default_recorder
        self._segments: list[LiveSegment] = []
        if recorder is not None:
            self._segments.append(LiveSegment(1, self._settings.mode, self._settings.scenario, recorder))
        self.updates: queue.Queue[LiveUpdate] = queue.Queue(maxsize=queue_size)
        self._clock = clock
        self._t0: float | None = None
        self._last_ts = -1
        self._lock = threading.Lock()  # settings, counters, capture, sink
        self._busy = threading.Lock()  # one frame at a time through the coach
        self._received = 0
        self._processed = 0
        self._dropped = 0
        self._errors = 0
        self._last_error = ""
        self._frame_wh = (0, 0)
        self._updates_dropped = 0
        self._sum_total_ms = 0.0
        self._stages = StageTimes()
        self._times: deque[float] = deque()
        self._last_cue: Any | None = None
        self._phase_sent: str | None = None
        self._captures: dict[str, list[Landmarks]] = {}
        self._capture_kind: str | None = None
        self._capture_until_ms = 0
        self._capture_max = 0
        self._sink: FrameSink | None = None
        self._finished = False
        self._framing: Any | None = None  # bodycoach.feedback.framing.FramingCheck, built on first frame
        self.last_update: LiveUpdate | None = None
        self.transport: dict[str, float] = {}

    # ----------------------------------------------------------------------------------------- page side
    @property
    def settings(self) -> LiveSettings:
        """Current settings."""
        with self._lock:
            return self._settings

    def update(self, **changes: Any) -> LiveSettings:
        """Change settings (lang, phase, mode, show_landmarks, scenario) under the lock."""
        with self._lock:
            new = replace(self._settings, **changes)
            if new.mode != self._settings.mode:
                self._cues = None  # rebuilt for the new mode on the next frame
            elif new.lang != self._settings.lang and self._cues is not None:
                set_lang = getattr(self._cues, "set_lang", None)
                if callable(set_lang):
                    set_lang(new.lang)  # keeps the cue on screen and the cooldowns
                else:
                    self._cues = None
            self._settings = new
            return new

    def update_config(self, config: Any | None = None, profile: Any | None = None) -> None:
        """Swap thresholds or the calibration profile of the coach (history is kept)."""
        self.coach.update_config(config=config, profile=profile)

    @property
    def coach(self) -> Coach:
        """The coach (built on first use when a factory was given)."""
        with self._lock:
            if self._coach is None:
                factory = self._coach_or_factory
                assert callable(factory)
                self._coach = factory()
            return self._coach

    @property
    def recorder(self) -> Recorder:
        """The latest segment's session recorder (the first one is built for the settings on first use)."""
        with self._lock:
            if not self._segments:
                st = self._settings
                self._segments.append(LiveSegment(1, st.mode, st.scenario, self._recorder_factory(st)))
            return self._segments[-1].recorder

    def segments(self) -> list[LiveSegment]:
        """The session's segments so far, oldest first (one per mode / customer-type stretch)."""
        with self._lock:
            return list(self._segments)

    def _segment_for_locked(self, st: LiveSettings) -> LiveSegment:
        """The segment a frame with settings ``st`` belongs to; a mode or customer switch starts a new one.

        Called on the frame thread only (under ``_busy``), so a segment never ends while a frame is being
        added to it.
        """
        seg = self._segments[-1] if self._segments else None
        if seg is not None and seg.end_ms is None and (seg.mode, seg.scenario) == (st.mode, st.scenario):
            return seg
        if seg is not None and seg.end_ms is None:
            if seg.frames == 0:
                self._segments.pop()  # nothing was recorded with those settings: no empty segment
            else:
                self._end_segment_locked(seg)
        seg = LiveSegment(len(self._segments) + 1, st.mode, st.scenario, self._recorder_factory(st))
        self._segments.append(seg)
        self._phase_sent = None  # the new recorder learns the phase at its first frame
        return seg

    def _end_segment_locked(self, seg: LiveSegment) -> None:
        """Close ``seg`` at the last processed frame (nothing recorded in it is lost)."""
        if seg.end_ms is not None:
            return
        seg.end_ms = max(self._last_ts, seg.start_ms or 0)
        fin = getattr(seg.recorder, "finish", None)
        if callable(fin):
            fin(seg.end_ms)

    def attach_sink(self, sink: FrameSink | None) -> None:
        """Start (or stop, with None) writing every processed frame to ``sink``."""
        with self._lock:
            self._sink = sink

    def stats(self) -> WorkerStats:
        """Current counters."""
        with self._lock:
            return self._stats_locked()

    def drain(self) -> list[LiveUpdate]:
        """Return the updates published since the last call (oldest first; never blocks)."""
        out: list[LiveUpdate] = []
        while True:
            try:
                out.append(self.updates.get_nowait())
            except queue.Empty:
                return out

    def start_capture(self, kind: str, duration_ms: int = 3000, max_samples: int = 90) -> None:
        """Collect the landmarks of the next ``duration_ms`` of frames with a face as ``kind`` samples.

        Args:
            kind: One of ``CAPTURE_KINDS``.
            duration_ms: Capture window in milliseconds of worker time.
            max_samples: Cap on kept samples (memory stays bounded).
        """
        if kind not in CAPTURE_KINDS:
            raise ValueError(f"capture kind must be one of {CAPTURE_KINDS}, but got {kind!r}")
        with self._lock:
            self._captures[kind] = []
            self._capture_kind = kind
            self._capture_until_ms = self._now_ms_locked() + duration_ms
            self._capture_max = max_samples

    def capture_status(self) -> tuple[str | None, dict[str, int]]:
        """Return the kind being captured now (or None) and the sample count per kind."""
        with self._lock:
            if self._capture_kind is not None and self._now_ms_locked() > self._capture_until_ms:
                self._capture_kind = None
            return self._capture_kind, {k: len(v) for k, v in self._captures.items()}

    def captured(self, kind: str) -> list[Landmarks]:
        """Return the samples captured as ``kind``."""
        with self._lock:
            return list(self._captures.get(kind, []))

    def finish(self) -> tuple[FeedbackEvent, ...]:
        """End the session: close open events (also in the recorder) and return them."""
        with self._busy:
            ts = max(self._last_ts, 0)
            events = self.coach.finish(ts)
            self.recorder  # noqa: B018 - a session without frames still has its (empty) segment
            with self._lock:
                self._end_segment_locked(self._segments[-1])
            self._finished = True
            return events

    def close(self) -> None:
        """Release the coach's models."""
        with self._lock:
            coach = self._coach
        if coach is not None:
            coach.close()

    # ---------------------------------------------------------------------------------- callback side
    async def on_frames(self, frames: Sequence[Any]) -> list[Any]:
        """streamlit-webrtc ``queued_video_frames_callback``: process the newest frame, drop the rest.

        Runs on streamlit-webrtc's processing thread (its own event loop), never on Streamlit's.
        """
        if not frames:
            return []
        with self._lock:
            self._received += len(frames)
            self._dropped += len(frames) - 1
        return [self._process_av(frames[-1])]

    def on_frame(self, frame: Any) -> Any:
        """streamlit-webrtc ``video_frame_callback`` (one frame at a time)."""
        with self._lock:
            self._received += 1
        return self._process_av(frame)

    def note_transport(self, values: Mapping[str, float]) -> None:
        """Keep transport diagnostics from the track (shown with the counters; see ``NewestFrameTrack``)."""
        with self._lock:
            self.transport = dict(values)

    def note_dropped(self, n: int = 1) -> None:
        """Count ``n`` frames that arrived and were skipped for a newer one (``NewestFrameTrack``)."""
        with self._lock:
            self._received += n
            self._dropped += n

    def _process_av(self, frame: Any) -> Any:
        import av

        t = time.perf_counter()
        img = frame.to_ndarray(format="bgr24")
        decode = (time.perf_counter() - t) * 1000.0
        out = self.process(img, _decode_ms=decode)
        t = time.perf_counter()
        new = av.VideoFrame.from_ndarray(out, format="bgr24")
        encode = (time.perf_counter() - t) * 1000.0
        with self._lock:
            self._stages = replace(self._stages, encode_ms=encode, total_ms=self._stages.total_ms + encode)
        return new

    def submit(self, frame_bgr: Frame) -> Frame:
        """Process one frame unless another is being processed, in which case drop it and return it as is.

        For callers that push frames from their own threads (demo players, benchmarks).
        """
        with self._lock:
            self._received += 1
        if not self._busy.acquire(blocking=False):
            with self._lock:
                self._dropped += 1
            return frame_bgr
        try:
            return self._process_locked(frame_bgr, 0.0)
        finally:
            self._busy.release()

    def process(self, frame_bgr: Frame, _decode_ms: float = 0.0) -> Frame:
        """Run pipeline, cues, recorder and overlay on one BGR frame; return the annotated frame.

        Counted as received by the ``on_*`` entry points; direct callers count it here.
        """
        with self._busy:
            return self._process_locked(frame_bgr, _decode_ms)

    def _now_ms_locked(self) -> int:
        now = self._clock()
        if self._t0 is None:
            self._t0 = now
        return int(round((now - self._t0) * 1000.0))

    def _process_locked(self, frame_bgr: Frame, decode_ms: float) -> Frame:
        t_start = time.perf_counter()
        try:
            coach = self.coach
        except Exception as exc:  # e.g. models or thresholds missing: keep the video, say why
            return self._failed(frame_bgr, exc)
        with self._lock:
            ts = max(self._now_ms_locked(), self._last_ts + 1)
            self._last_ts = ts
            settings = self._settings
            if self._cues is None:
                self._cues = self._cue_factory(settings)
            cues = self._cues
            sink = self._sink
        frame = frame_bgr
        try:
            t0 = time.perf_counter()
            lm = coach.extractor.extract(frame, ts)
            t1 = time.perf_counter()
            result = coach.step_landmarks(lm)
            t2 = time.perf_counter()
            with self._lock:
                seg = self._segment_for_locked(settings)
                if seg.start_ms is None:
                    seg.start_ms = ts
                seg.frames += 1
            rec = seg.recorder
            if self._phase_sent != settings.phase:
                rec.set_phase(settings.phase, ts)
                self._phase_sent = settings.phase
            # The cue shown is one that agrees with the states on screen (feedback.present).
            cue = present_cue(cues.update(result, settings.phase), result.states, settings.mode)
            rec.add(result, settings.phase)
            framing = self._check_framing(frame, result, settings)
            t3 = time.perf_counter()
            if self.mirror_display:
                shown, shown_result = np.ascontiguousarray(frame[:, ::-1]), mirror_result(result)
            else:
                shown, shown_result = frame, result
            out = self._render(shown, shown_result, lang=settings.lang, show_landmarks=settings.show_landmarks,
                               cue=cue, phase=settings.phase or None, mode=settings.mode)
            t4 = time.perf_counter()
        except Exception as exc:
            return self._failed(frame, exc)
        if sink is not None:
            sink.add_frame(result, settings.phase)
        stages = StageTimes(
            decode_ms=decode_ms,
            extract_ms=(t1 - t0) * 1000.0,
            analyse_ms=(t2 - t1) * 1000.0,
            cue_ms=(t3 - t2) * 1000.0,
            render_ms=(t4 - t3) * 1000.0,
            total_ms=(t4 - t_start) * 1000.0 + decode_ms,
        )
        now = self._clock()
        with self._lock:
            self._processed += 1
            self._sum_total_ms += stages.total_ms
            self._stages = stages
            self._frame_wh = (int(frame.shape[1]), int(frame.shape[0]))
            self._times.append(now)
            while self._times and now - self._times[0] > FPS_WINDOW_S:
                self._times.popleft()
            if self._capture_kind is not None:
                if ts > self._capture_until_ms:
                    self._capture_kind = None
                elif lm.has_face and len(self._captures[self._capture_kind]) < self._capture_max:
                    self._captures[self._capture_kind].append(lm)
            stats = self._stats_locked()
        update = LiveUpdate(
            timestamp_ms=ts,
            states=dict(result.states),
            labels={b: c.label for b, c in result.classifications.items()},
            cue=cue,
            has_person=not lm.is_empty,
            started=result.started,
            ended=result.ended,
            stats=stats,
            settings=settings,
            framing=framing,
            view=str(getattr(result, "view", "unknown")),
            segment=seg.index,
        )
        self._publish(update)
        return np.asarray(out, dtype=np.uint8)

    def _check_framing(self, frame: Frame, result: FrameResult, settings: LiveSettings) -> Any | None:
        """The framing check on this frame (light, size, position, lens height, people, body in view)."""
        from bodycoach.feedback.framing import FramingCheck, frame_light

        if self._framing is None:
            self._framing = FramingCheck(want_body=settings.want_body)
        self._framing.want_body = settings.want_body and settings.mode == "face_to_face"
        lm = result.landmarks
        return self._framing.update(lm, frame_light(frame, lm), result.features.values)

    def _failed(self, frame: Frame, exc: Exception) -> Frame:
        with self._lock:
            first = self._errors == 0
            self._errors += 1
            self._last_error = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
        if first:
            log.exception("live frame failed")
        else:
            log.debug("live frame failed: %s", exc)
        return frame

    def _publish(self, update: LiveUpdate) -> None:
        self.last_update = update
        while True:
            try:
                self.updates.put_nowait(update)
                return
            except queue.Full:
                try:
                    self.updates.get_nowait()  # drop the oldest: the page wants the present
                    with self._lock:
                        self._updates_dropped += 1
                except queue.Empty:
                    pass

    def _stats_locked(self) -> WorkerStats:
        times = self._times
        fps = 0.0
        if len(times) >= 2 and times[-1] > times[0]:
            fps = (len(times) - 1) / (times[-1] - times[0])
        return WorkerStats(
            received=self._received,
            processed=self._processed,
            dropped=self._dropped,
            fps=fps,
            updates_dropped=self._updates_dropped,
            stages=self._stages,
            mean_total_ms=self._sum_total_ms / self._processed if self._processed else 0.0,
            errors=self._errors,
            last_error=self._last_error,
            frame_wh=self._frame_wh,
        )


def _flip_x(points: Any) -> Any:
    if points is None:
        return None
    p = np.array(points, dtype=np.float32, copy=True)
    p[:, 0] = 1.0 - p[:, 0]
    return p


def mirror_result(result: FrameResult) -> FrameResult:
    """Return ``result`` with its image landmarks flipped left-right (x → 1 − x), for drawing on a mirror image.

    Which hand is the person's left does not change; only where it appears. World coordinates are kept.
    """
    lm = result.landmarks
    flipped = replace(lm, pose=_flip_x(lm.pose), face=_flip_x(lm.face), left_hand=_flip_x(lm.left_hand),
                      right_hand=_flip_x(lm.right_hand))
    return replace(result, landmarks=flipped)


def make_live_coach(mirrored: bool, config: Any | None = None, profile: Any | None = None) -> Coach:
    """Build the coach with MediaPipe for live use.

    Args:
        mirrored: Whether the frames handed to the extractor are mirror images (selfie view).
        config: Thresholds (``CoachConfig``) or None for the defaults.
        profile: Calibration profile or None.
    """
    from bodycoach.landmarks.mediapipe import MediapipeExtractor

    return Coach(MediapipeExtractor(mirrored=mirrored), config=config, profile=profile)


def demo_clip(name: str = "liveportrait_d12.mp4") -> Path:
    """Return the bundled clip the demo mode plays."""
    from bodycoach.resources import sample_video

    return sample_video(name)
