"""Property tests: for any sequence of stable states and phases the scheduler keeps its promises."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bodycoach.feedback.config import CueConfig
from bodycoach.feedback.cues import Cue, CueScheduler
from bodycoach.feedback.scenarios import phase_verdict
from bodycoach.types import LABELS, Behaviour, Features, FrameResult, Landmarks

CFG = CueConfig(
    min_show_ms=3000,
    max_show_ms=8000,
    cooldown_ms=20000,
    fault_hold_ms=0,
    ack_show_ms=2500,
    ack_hold_ms=2000,
    ack_interval_ms=12000,
)
AREAS = [Behaviour.EYE_CONTACT, Behaviour.SMILE, Behaviour.ARMS, Behaviour.HEAD, Behaviour.HANDS]
PHASES = [None, "reception", "problem_solving", "confirmation", "farewell"]

step = st.tuples(
    st.integers(min_value=0, max_value=1500),  # ms since the previous frame (0 = same timestamp)
    st.fixed_dictionaries({}, optional={b: st.sampled_from([str(x) for x in LABELS[b]]) for b in AREAS}),
    st.sampled_from(PHASES),
    st.integers(min_value=1, max_value=40),  # the same states for this many frames
)


@settings(max_examples=150, deadline=None)
@given(st.lists(step, min_size=1, max_size=40))
def test_scheduler_invariants(steps: list[tuple[int, dict[Behaviour, str], str | None, int]]) -> None:
    s = CueScheduler(config=CFG)
    t = 0
    prev: Cue | None = None
    hidden_at: dict[tuple[Behaviour, str], int] = {}
    for dt, states, phase, repeat in steps:
        for _ in range(repeat):
            t += dt
            c = s.update(FrameResult(Landmarks.empty(t), Features.empty(t), {}, states), phase)
            if prev is not None and (c is None or c.key != prev.key or c.since_ms != prev.since_ms):
                # Never leaves early (no flicker).
                assert t - prev.since_ms >= CFG.min_show_ms
                hidden_at[prev.key] = t
            if c is not None and (prev is None or c.since_ms != prev.since_ms or c.key != prev.key):
                # A new cue: from a current stable state, with the verdict of the phase, not cooling down.
                assert c.since_ms == t
                assert states.get(c.behaviour) == c.label
                assert c.verdict == phase_verdict(c.behaviour, c.label, phase)
                assert c.verdict in ("good", "bad") and c.text
                if c.key in hidden_at:
                    assert t - hidden_at[c.key] >= CFG.cooldown_ms
            prev = c
