"""Temporal layer step by step with synthetic timestamps: hysteresis in ms, unknown, events, gaze style."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bodycoach.analysis import Analyzer
from bodycoach.config import load_config
from bodycoach.temporal.events import EventTracker
from bodycoach.temporal.gaze_window import GazeStyleWindow
from bodycoach.temporal.hysteresis import Debouncer, Switch
from bodycoach.types import Behaviour, Landmarks
from tests.landmark_builder import make_landmarks

CFG = load_config()


def run(d: Debouncer, seq: list[tuple[int, str]]) -> list[tuple[int, str, Switch | None]]:
    return [(ts, lab, d.update(lab, ts)) for ts, lab in seq]


def test_new_label_needs_min_on_ms_of_evidence() -> None:
    d = Debouncer(300, max_frame_ms=100)
    assert d.update("a", 0) is None and d.state == "unknown"
    assert d.update("a", 200) is None and d.state == "unknown"  # the 200 ms gap counts as 100 ms
    sw = d.update("a", 300)
    assert sw is None
    assert d.update("a", 400) == Switch(old="unknown", new="a", at_ms=0) and d.state == "a"
    assert d.update("b", 500) is None  # 100 ms for b
    assert d.update("a", 600) is None  # 100 ms against it: b at 0, still a candidate
    assert d.update("a", 700) is None  # below zero: b is dropped
    assert d.update("b", 800) is None and d.update("b", 900) is None and d.state == "a"
    assert d.update("b", 1000) == Switch("a", "b", 800)


def test_flicker_costs_its_time_not_the_whole_candidate() -> None:
    # 25 fps: "b" with a one-frame flicker back to "a" every 5th frame still takes over (3/5 of the time
    # net for b), like at 5 fps where the flicker frames are not sampled.
    fast, slow = Debouncer(400, 200), Debouncer(400, 200)
    fast.update("a", 0), slow.update("a", 0)
    fast.update("a", 400), slow.update("a", 400)
    labels = ["a" if i % 5 == 4 else "b" for i in range(40)]
    fast_sw = [fast.update(lab, 440 + 40 * i) for i, lab in enumerate(labels)]
    slow_sw = [slow.update("b", 600 + 200 * i) for i in range(8)]
    at_fast = next(440 + 40 * i for i, s in enumerate(fast_sw) if s is not None)
    at_slow = next(600 + 200 * i for i, s in enumerate(slow_sw) if s is not None)
    assert fast.state == slow.state == "b" and abs(at_fast - at_slow) <= 400


def test_a_short_episode_counts_the_same_at_5_and_25_fps() -> None:
    # A 0.4 s glance away: 2 frames at 5 fps, 10 frames at 25 fps. Both are a state (min_on 250 ms).
    for step in (200, 40):
        d = Debouncer(250, 200)
        for t in range(0, 2000, step):
            d.update("lens", t)
        switches = [d.update("away", 2000 + t) for t in range(0, 400, step)]
        assert any(s is not None for s in switches), step


def test_hysteresis_counts_milliseconds_not_frames() -> None:
    slow, fast = Debouncer(400), Debouncer(400)
    # 5 fps: 3 frames span 400 ms → switch; 30 fps: 3 frames span 66 ms → not yet.
    assert [s for _, _, s in run(slow, [(0, "x"), (200, "x"), (400, "x")])][-1] is not None
    assert all(s is None for _, _, s in run(fast, [(0, "x"), (33, "x"), (66, "x")]))


def test_unknown_neither_starts_nor_ends_a_state() -> None:
    d = Debouncer(200, max_frame_ms=100)
    assert all(s is None for _, _, s in run(d, [(t, "unknown") for t in range(0, 2000, 100)]))
    assert d.state == "unknown"
    run(d, [(2000, "lens"), (2100, "lens"), (2200, "lens")])
    assert d.state == "lens"
    assert all(s is None for _, _, s in run(d, [(t, "unknown") for t in range(2300, 9000, 100)]))
    assert d.state == "lens"
    # unknown between two "away" frames neither resets nor stops the candidate's clock
    assert d.update("away", 9000) is None
    assert d.update("unknown", 9100) is None
    assert d.update("away", 9200) == Switch("lens", "away", 9000)


def test_zero_min_on_switches_immediately() -> None:
    d = Debouncer(0)
    assert d.update("a", 5) == Switch("unknown", "a", 5)


def test_decreasing_timestamp_raises() -> None:
    d = Debouncer(100)
    d.update("a", 1000)
    with pytest.raises(ValueError, match="must not decrease"):
        d.update("a", 999)
    with pytest.raises(ValueError):
        Debouncer(-1)


def test_event_tracker_start_end_and_peak() -> None:
    tr = EventTracker(Behaviour.ARMS)
    started, ended = tr.apply(Switch("unknown", "crossed_chest", 100), 0.6)
    assert started is not None and started.start_ms == 100 and ended is None
    tr.observe("crossed_chest", 0.9)
    tr.observe("other", 1.0)  # other labels do not raise the peak
    started, ended = tr.apply(Switch("crossed_chest", "extended", 2500), 0.7)
    assert ended is not None and (ended.start_ms, ended.end_ms, ended.peak_score) == (100, 2500, 0.9)
    assert ended.duration_ms == 2400 and started is not None and started.label == "extended"
    closed = tr.close(3000)
    assert closed is not None and closed.end_ms == 3000 and tr.close(3100) is None


def feed(w: GazeStyleWindow, seq: list[tuple[str, bool]], step: int = 100, **kw: float) -> str:
    label = "unknown"
    for i, (eye, smiling) in enumerate(seq):
        label = w.update(i * step, eye, smiling, kw.get("eye_open", 0.32), kw.get("pitch", 0.0),
                         kw.get("brow", 0.37)).label
    return label


@pytest.mark.parametrize("seq,kw,expected", [
    ([("lens", True)] * 40, {}, "warm"),
    ([("lens", False)] * 40, {}, "concentrated"),
    ([("lens", False)] * 40, {"pitch": 15.0, "eye_open": 0.2}, "defiant"),
    ([("lens", True)] * 40, {"pitch": 15.0, "eye_open": 0.2}, "warm"),  # smiling: not defiant
    ([("lens", False), ("away", False), ("away", False)] * 14, {}, "wandering"),
    ([("away", False)] * 40, {}, "away"),
    ([("screen", False)] * 40, {}, "screen"),
    ([("unknown", False)] * 40, {}, "unknown"),
    ([("lens", True)] * 10, {}, "unknown"),  # less than a window of evidence
])
def test_gaze_style_window(seq: list[tuple[str, bool]], kw: dict[str, float], expected: str) -> None:
    assert feed(GazeStyleWindow(CFG.gaze_style), seq, **kw) == expected


def test_analyzer_states_events_and_finish() -> None:
    a = Analyzer(replace(CFG, hysteresis=replace(CFG.hysteresis, min_on_ms=300)))
    starts, ends = [], []
    frames = [make_landmarks(t, arms="extended") for t in range(0, 1000, 100)]
    frames += [make_landmarks(t, arms="crossed") for t in range(1000, 2000, 100)]
    frames += [Landmarks.empty(t) for t in range(2000, 3000, 100)]  # nobody: states are kept
    for lm in frames:
        r = a.step(lm)
        starts += [e for e in r.started if e.behaviour == Behaviour.ARMS]
        ends += [e for e in r.ended if e.behaviour == Behaviour.ARMS]
        if lm.timestamp_ms == 250 // 100 * 100:
            assert r.state(Behaviour.ARMS) == "unknown"
    assert [e.label for e in starts] == ["extended", "crossed_chest"]
    assert starts[1].start_ms == 1000 and ends[0].end_ms == 1000
    assert r.state(Behaviour.ARMS) == "crossed_chest"
    closed = a.finish(3000)
    arms = [e for e in closed if e.behaviour == Behaviour.ARMS]
    assert arms and arms[0].end_ms == 3000
    with pytest.raises(ValueError, match="monotonically"):
        a.step(Landmarks.empty(2500))
    a.reset()
    assert a.step(Landmarks.empty(0)).state(Behaviour.ARMS) == "unknown"


def test_analyzer_gaze_style_needs_the_window() -> None:
    a = Analyzer(CFG)
    labels = [a.step(make_landmarks(t, smile=0.15, cheek=0.03)).label(Behaviour.GAZE_STYLE)
              for t in range(0, 4000, 100)]
    assert labels[0] == "unknown" and labels[-1] == "warm"


def test_config_swap_keeps_history() -> None:
    a = Analyzer(CFG)
    for t in range(0, 1000, 100):
        a.step(make_landmarks(t))
    before = a.step(make_landmarks(1000)).state(Behaviour.ARMS)
    a.config = replace(CFG, hysteresis=replace(CFG.hysteresis, min_on_ms=50))
    assert a.step(make_landmarks(1100)).state(Behaviour.ARMS) == before == "extended"
