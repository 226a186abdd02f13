"""LiveWorker without a Streamlit runtime, camera or model: queue drops, frame drops, settings, capture."""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

import numpy as np
import pytest

from bodycoach.apps.live_worker import LiveSettings, LiveWorker, ThreadedSink
from bodycoach.pipeline import Coach
from bodycoach.types import (
    FACE_POINTS,
    POSE_POINTS,
    Behaviour,
    Classification,
    Features,
    FrameResult,
    Landmarks,
)


class FakeExtractor:
    """Returns empty landmarks, or a face every ``face_every`` frames; can be slowed down."""

    def __init__(self, delay_s: float = 0.0, face: bool = False) -> None:
        self.delay_s = delay_s
        self.face = face
        self.calls: list[int] = []
        self.closed = False

    def extract(self, frame_bgr: Any, timestamp_ms: int) -> Landmarks:
        self.calls.append(timestamp_ms)
        if self.delay_s:
            time.sleep(self.delay_s)
        h, w = frame_bgr.shape[:2]
        if not self.face:
            return Landmarks.empty(timestamp_ms, (w, h))
        face = np.full((FACE_POINTS, 4), 0.5, dtype=np.float32)
        pose = np.full((POSE_POINTS, 4), 0.5, dtype=np.float32)
        return Landmarks(timestamp_ms=timestamp_ms, image_wh=(w, h), face=face, pose=pose, num_faces=1)

    def close(self) -> None:
        self.closed = True


class FakeCoach:
    """The ``Coach`` surface the worker uses, with every behaviour ``unknown`` (no analyzer needed)."""

    def __init__(self, extractor: FakeExtractor) -> None:
        self.extractor = extractor
        self.finished_at: list[int | None] = []

    def step_landmarks(self, lm: Landmarks) -> FrameResult:
        ts = lm.timestamp_ms
        cls = {b: Classification.unknown(b, ts) for b in Behaviour}
        return FrameResult(landmarks=lm, features=Features.empty(ts), classifications=cls, states={})

    def finish(self, timestamp_ms: int | None = None) -> tuple[()]:
        self.finished_at.append(timestamp_ms)
        return ()

    def update_config(self, config: Any = None, profile: Any = None) -> None:
        pass

    def close(self) -> None:
        self.extractor.close()


class FakeCues:
    def __init__(self, settings: LiveSettings) -> None:
        self.settings = settings
        self.phases: list[str] = []

    def update(self, result: FrameResult, phase: str) -> Any:
        self.phases.append(phase)
        return f"cue-{self.settings.lang}-{phase}"


class FakeRecorder:
    def __init__(self) -> None:
        self.frames: list[tuple[int, str]] = []
        self.phase_changes: list[tuple[str, int]] = []

    def add(self, result: FrameResult, phase: str) -> None:
        self.frames.append((result.timestamp_ms, phase))

    def set_phase(self, phase: str, timestamp_ms: int) -> None:
        self.phase_changes.append((phase, timestamp_ms))


def fake_render(frame: Any, result: FrameResult, **kw: Any) -> Any:
    out = frame.copy()
    out[0, 0] = (1, 2, 3)
    return out


class Clock:
    def __init__(self) -> None:
        self.t = 100.0

    def __call__(self) -> float:
        return self.t


def make_worker(extractor: FakeExtractor | None = None, **kw: Any) -> tuple[LiveWorker, FakeExtractor,
                                                                            FakeRecorder]:
    ex = extractor or FakeExtractor()
    rec = FakeRecorder()
    w = LiveWorker(FakeCoach(ex), render=fake_render, cue_factory=FakeCues, recorder=rec, **kw)
    return w, ex, rec


def frame(h: int = 48, w: int = 64) -> np.ndarray:
    f = np.zeros((h, w, 3), np.uint8)
    f[:, : w // 2] = 200  # left half bright: lets the test see a horizontal flip
    return f


def test_process_returns_rendered_frame_and_publishes_update() -> None:
    w, ex, rec = make_worker()
    out = w.process(frame())
    assert out.shape == (48, 64, 3) and tuple(out[0, 0]) == (1, 2, 3)
    ups = w.drain()
    assert len(ups) == 1
    u = ups[0]
    assert u.cue == "cue-no-reception" and u.has_person is False
    assert set(u.labels) == set(Behaviour) and all(v == "unknown" for v in u.labels.values())
    assert u.stats.processed == 1 and u.stats.dropped == 0
    assert rec.frames == [(u.timestamp_ms, "reception")]
    assert w.drain() == []


def test_update_queue_is_bounded_and_drops_oldest() -> None:
    clock = Clock()
    w, _, _ = make_worker(queue_size=3, clock=clock)
    for _ in range(10):
        clock.t += 0.04
        w.process(frame())
    ups = w.drain()
    assert len(ups) == 3
    ts = [u.timestamp_ms for u in ups]
    assert ts == sorted(ts) and ts[-1] == w.last_update.timestamp_ms  # the newest are kept
    assert w.stats().updates_dropped == 7


def test_on_frames_processes_only_newest_and_counts_drops() -> None:
    av = pytest.importorskip("av")
    w, ex, _ = make_worker()
    frames = []
    for i in range(5):
        img = np.full((48, 64, 3), i * 40, np.uint8)
        frames.append(av.VideoFrame.from_ndarray(img, format="bgr24"))
    out = asyncio.run(w.on_frames(frames))
    assert len(out) == 1 and len(ex.calls) == 1
    got = out[0].to_ndarray(format="bgr24")
    assert got.shape == (48, 64, 3)
    assert abs(int(got[10, 10, 0]) - 160) <= 3  # the newest frame (i = 4), through a YUV round trip
    s = w.stats()
    assert (s.received, s.processed, s.dropped) == (5, 1, 4)


def test_submit_drops_frames_while_busy() -> None:
    ex = FakeExtractor(delay_s=0.3)
    w, _, _ = make_worker(ex)
    t = threading.Thread(target=w.submit, args=(frame(),))
    t.start()
    time.sleep(0.05)
    f = frame()
    back = w.submit(f)  # the coach is busy: returned untouched, not queued
    assert back is f
    t.join()
    s = w.stats()
    assert (s.received, s.processed, s.dropped) == (2, 1, 1)
    assert len(ex.calls) == 1


def test_slow_pipeline_builds_no_backlog() -> None:
    """A 30 fps producer against a ~50 ms pipeline: frames are dropped and latency stays one frame."""
    ex = FakeExtractor(delay_s=0.05)
    w, _, _ = make_worker(ex)
    lags = []
    for _ in range(30):
        t0 = time.perf_counter()
        w.submit(frame())
        lags.append(time.perf_counter() - t0)
    # Synchronous producer: every call processes (no concurrency); now from two threads at 30 fps:
    stop = time.perf_counter() + 1.0
    produced = 0

    def produce() -> None:
        nonlocal produced
        while time.perf_counter() < stop:
            w.submit(frame())
            produced += 1
            time.sleep(1 / 30)

    threads = [threading.Thread(target=produce) for _ in range(2)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    s = w.stats()
    assert s.dropped > 0
    assert s.received == 30 + produced
    assert s.processed + s.dropped == s.received
    assert max(lags) < 0.5  # no call ever waits for a queue of older frames


def test_timestamps_strictly_increase_even_with_a_stuck_clock() -> None:
    clock = Clock()
    w, ex, _ = make_worker(clock=clock)
    for _ in range(4):
        w.process(frame())
    assert ex.calls == sorted(set(ex.calls)) and len(ex.calls) == 4


def test_settings_changes_reach_the_next_frame_and_rebuild_cues() -> None:
    w, _, rec = make_worker()
    w.process(frame())
    w.update(lang="en", phase="farewell")
    w.process(frame())
    ups = w.drain()
    assert ups[0].cue == "cue-no-reception"
    assert ups[1].cue == "cue-en-farewell" and ups[1].settings.lang == "en"
    assert [p for p, _ in rec.phase_changes] == ["reception", "farewell"]
    with pytest.raises(ValueError, match="lang"):
        w.update(lang="de")


def test_mirror_display_flips_the_returned_picture_not_the_analysed_frame() -> None:
    seen: list[np.ndarray] = []
    drawn: list[tuple[np.ndarray, FrameResult]] = []

    class Spy(FakeExtractor):
        def extract(self, frame_bgr: Any, timestamp_ms: int) -> Landmarks:
            seen.append(frame_bgr.copy())
            return super().extract(frame_bgr, timestamp_ms)

    def render(f: Any, result: FrameResult, **kw: Any) -> Any:
        drawn.append((f.copy(), result))
        return f

    ex = Spy(face=True)
    w = LiveWorker(FakeCoach(ex), render=render, cue_factory=FakeCues, recorder=FakeRecorder(),
                   mirror_display=True)
    out = w.process(frame())
    assert seen[0][0, 0, 0] == 200 and seen[0][0, -1, 0] == 0  # the extractor sees the true view
    assert out[0, 0, 0] == 0 and out[0, -1, 0] == 200  # the trainee sees a mirror
    assert drawn[0][1].landmarks.face is not None


def test_mirror_result_flips_x_only() -> None:
    from bodycoach.apps.live_worker import mirror_result

    pose = np.zeros((POSE_POINTS, 4), np.float32)
    pose[:, 0], pose[:, 1], pose[:, 3] = 0.2, 0.7, 0.9
    hand = np.full((21, 4), 0.1, np.float32)
    lm = Landmarks(timestamp_ms=5, image_wh=(64, 48), pose=pose, left_hand=hand)
    r = FakeCoach(FakeExtractor()).step_landmarks(lm)
    m = mirror_result(r)
    assert np.allclose(m.landmarks.pose[:, 0], 0.8) and np.allclose(m.landmarks.pose[:, 1:], pose[:, 1:])
    assert m.landmarks.left_hand is not None and m.landmarks.right_hand is None
    assert np.allclose(m.landmarks.left_hand[:, 0], 0.9)
    assert np.allclose(r.landmarks.pose[:, 0], 0.2)  # the original is untouched


def test_capture_collects_face_frames_for_the_window_only() -> None:
    clock = Clock()
    w, _, _ = make_worker(FakeExtractor(face=True), clock=clock)
    w.process(frame())  # t0
    w.start_capture("lens", duration_ms=100)
    for _ in range(5):
        clock.t += 0.03
        w.process(frame())
    kind, counts = w.capture_status()
    assert kind is None and counts == {"lens": 3}
    assert all(lm.has_face for lm in w.captured("lens"))
    with pytest.raises(ValueError, match="capture kind"):
        w.start_capture("nose")


def test_pipeline_error_returns_frame_and_counts() -> None:
    class Broken(FakeExtractor):
        def extract(self, frame_bgr: Any, timestamp_ms: int) -> Landmarks:
            raise RuntimeError("boom")

    w, _, _ = make_worker(Broken())
    f = frame()
    assert w.process(f) is f
    assert w.stats().errors == 1 and w.drain() == []


def test_coach_factory_is_called_lazily_once() -> None:
    calls = []

    def factory() -> FakeCoach:
        calls.append(1)
        return FakeCoach(FakeExtractor())

    w = LiveWorker(factory, render=fake_render, cue_factory=FakeCues, recorder=FakeRecorder())
    assert calls == []
    w.process(frame())
    w.process(frame())
    assert calls == [1]


def test_threaded_sink_writes_in_order_off_the_callback_thread() -> None:
    written: list[tuple[int, str, str]] = []

    class Sink:
        def add_frame(self, result: FrameResult, phase: str) -> None:
            written.append((result.timestamp_ms, phase, threading.current_thread().name))

    w, _, _ = make_worker()
    sink = ThreadedSink(Sink())
    w.attach_sink(sink)
    for _ in range(5):
        w.process(frame())
    sink.close()
    assert len(written) == 5 and [t for t, _, _ in written] == sorted(t for t, _, _ in written)
    assert {n for _, _, n in written} == {"bodycoach-session-writer"}


def test_real_coach_cues_recorder_and_overlay_together() -> None:
    """The default wiring (Coach + CueScheduler + SessionRecorder + overlay), no model: empty landmarks."""
    clock = Clock()
    w = LiveWorker(Coach(FakeExtractor()), clock=clock)
    for _ in range(20):
        clock.t += 0.04
        out = w.process(frame(240, 320))
        assert out.shape == (240, 320, 3)
    w.update(phase="problem_solving")
    for _ in range(5):
        clock.t += 0.04
        w.process(frame(240, 320))
    assert w.stats().errors == 0, w.stats().last_error
    w.finish()
    report = w.recorder.report()
    assert report.duration_ms > 0
    assert [p.phase for p in report.phases] == ["reception", "problem_solving"]
    assert report.summary_lines("no") and report.summary_lines("en")


def test_coach_failure_is_counted_and_reported_once() -> None:
    def broken() -> Coach:
        raise RuntimeError("models missing\nsecond line")

    w = LiveWorker(broken, render=fake_render, cue_factory=FakeCues, recorder=FakeRecorder())
    f = frame()
    assert w.process(f) is f and w.process(f) is f
    s = w.stats()
    assert s.errors == 2 and s.last_error == "RuntimeError: models missing" and s.processed == 0


@pytest.mark.parametrize("keep", [True, False])
def test_session_saver_keeps_or_deletes_the_session(tmp_path: Any, keep: bool) -> None:
    from bodycoach.apps.live_worker import SessionSaver
    from bodycoach.store import SessionStore

    clock = Clock()
    w = LiveWorker(Coach(FakeExtractor(face=True)), clock=clock)
    saver = SessionSaver.open(SessionStore(tmp_path), w, trainee="Kari", scenario="shy", source="demo")
    for i in range(12):
        clock.t += 0.04
        w.update(phase="reception" if i < 6 else "problem_solving")
        w.process(frame(240, 320))
    events = w.finish()
    sid = saver.finish(events, keep=keep)
    w.process(frame(240, 320))  # after finishing nothing more is written
    with SessionStore(tmp_path) as store:
        sessions = store.list_sessions()
        if not keep:
            assert sid is None and sessions == []
            return
        assert sid is not None and [s.id for s in sessions] == [sid]
        data = store.load(sid)
        assert len(data.timestamps_ms) == 12
        assert [p.phase for p in data.phases] == ["reception", "problem_solving"]
        assert data.info.trainee == "Kari" and data.info.scenario == "shy"


class StatesCoach(FakeCoach):
    """A coach whose stable states are fixed: a warm smile and eye contact, arms not in view."""

    def step_landmarks(self, lm: Landmarks) -> FrameResult:
        ts = lm.timestamp_ms
        states = {Behaviour.SMILE: "warm", Behaviour.EYE_CONTACT: "lens", Behaviour.ARMS: "out_of_view",
                  Behaviour.POSTURE: "upright"}
        cls = {b: Classification(b, lab, 0.9, ts) for b, lab in states.items()}
        return FrameResult(landmarks=lm, features=Features.empty(ts), classifications=cls, states=states)


def test_mode_and_customer_switch_start_new_segments_and_keep_everything() -> None:
    """Switching face to face -> telephone, then the customer type, mid-session: three segments, nothing lost."""
    pytest.importorskip("streamlit")
    from bodycoach.apps.ui.live import phase_table, segment_heading, summary_segments

    clock = Clock()
    coach = StatesCoach(FakeExtractor(face=True))
    w = LiveWorker(coach, render=fake_render, clock=clock)
    stored: list[tuple[int, str]] = []

    class Sink:
        def add_frame(self, result: FrameResult, phase: str) -> None:
            stored.append((result.timestamp_ms, phase))

    w.attach_sink(Sink())

    def run(n: int) -> None:
        for _ in range(n):
            w.process(frame())
            clock.t += 0.1

    w.update(mode="face_to_face", phase="reception")
    run(10)
    w.update(mode="telephone", phase="before_call")  # the stream and the coach go on
    run(10)
    w.update(scenario="rude")
    run(5)
    w.finish()
    segs = w.segments()
    assert [(s.index, s.mode, s.scenario, s.frames) for s in segs] == [
        (1, "face_to_face", "", 10), (2, "telephone", "", 10), (3, "telephone", "rude", 5)]
    assert w.stats().processed == 25 and len(stored) == 25  # every frame analysed and saved
    assert coach.finished_at == [segs[-1].end_ms]  # one session: the coach is finished once, at the end
    # Segments follow each other in time (one ends where the next begins) and each covers its own frames.
    assert segs[0].end_ms is not None and segs[1].start_ms is not None and segs[0].end_ms <= segs[1].start_ms
    reports = [r for _, r in summary_segments(w)]
    assert [r.mode for r in reports] == ["face_to_face", "telephone", "telephone"]
    assert reports[2].scenario == "rude"
    assert reports[0].share(Behaviour.SMILE, "warm") == pytest.approx(1.0)
    assert 800 <= reports[0].duration_ms <= 1000 and 800 <= reports[1].duration_ms <= 1000
    assert segment_heading(segs[0], 3, "no") == "Del 1 av 3 · Ansikt til ansikt"
    assert segment_heading(segs[2], 3, "en") == "Part 3 of 3 · Telephone · Customer type: Rude"
    for r in reports:
        for row in phase_table(r, "no"):
            assert not any(k.split(": ")[0] == k.split(": ")[-1] and ": " in k for k in row)  # no "X: X"
    # Telephone parts show no arms column; the face-to-face part has none either (arms not in view).
    assert all(not any(k.startswith("Armene") for k in row) for r in reports for row in phase_table(r, "no"))


def test_switch_before_the_first_frame_leaves_no_empty_segment() -> None:
    w = LiveWorker(StatesCoach(FakeExtractor(face=True)), render=fake_render, clock=Clock())
    w.update(mode="telephone", phase="before_call")
    w.process(frame())
    assert [(s.mode, s.frames) for s in w.segments()] == [("telephone", 1)]


def test_framing_status_is_published() -> None:
    w, _, _ = make_worker(FakeExtractor(face=False))
    w.process(frame())
    u = w.drain()[-1]
    assert u.framing is not None and "no_face" in u.framing.issues or u.framing.frames == 1
