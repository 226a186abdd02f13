"""Property tests: the recorder's totals always add up, and the report round-trips through JSON."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from bodycoach.feedback.config import ReportConfig
from bodycoach.feedback.report import Report, SessionRecorder
from bodycoach.types import LABELS, UNKNOWN, Behaviour, Features, FrameResult, Landmarks

AREAS = [Behaviour.EYE_CONTACT, Behaviour.SMILE, Behaviour.ARMS, Behaviour.HEAD]
PHASES = [None, "reception", "problem_solving", "farewell"]

step = st.tuples(
    st.integers(min_value=0, max_value=2500),  # ms to the previous frame; > 1000 is a gap
    st.fixed_dictionaries({}, optional={b: st.sampled_from([str(x) for x in LABELS[b]]) for b in AREAS}),
    st.sampled_from(PHASES),
    st.booleans(),  # change the phase between frames with set_phase instead of add(..., phase)
)


@settings(max_examples=150, deadline=None)
@given(st.lists(step, min_size=1, max_size=60), st.integers(min_value=0, max_value=3000))
def test_totals_add_up(steps: list[tuple[int, dict[Behaviour, str], str | None, bool]], tail: int) -> None:
    rec = SessionRecorder(config=ReportConfig(max_frame_gap_ms=1000))
    t = 0
    for i, (dt, states, phase, between) in enumerate(steps):
        t += dt if i else 0
        if between and phase is not None:
            rec.set_phase(phase, max(0, t - dt // 2) if i else t)
            rec.add(FrameResult(Landmarks.empty(t), Features.empty(t), {}, states))
        else:
            rec.add(FrameResult(Landmarks.empty(t), Features.empty(t), {}, states), phase)
    rec.finish(t + tail)
    r = rec.report()
    assert r.duration_ms == t + tail
    for b in Behaviour:
        labs = r.time_ms[str(b)]
        assert sum(labs.values()) == r.duration_ms, (b, labs)
        # Known time per label equals the length of that label's segments.
        for lab, ms in labs.items():
            if lab != UNKNOWN:
                seg = sum(s.duration_ms for s in r.segments if s.behaviour is b and s.label == lab)
                assert seg == ms, (b, lab, seg, ms)
        segs = sorted((s.start_ms, s.end_ms) for s in r.segments if s.behaviour is b)
        assert all(a[1] <= b_[0] for a, b_ in zip(segs, segs[1:], strict=False))  # no overlaps
    spans = [(p.start_ms, p.end_ms) for p in r.phases]
    assert all(a[1] <= b_[0] for a, b_ in zip(spans, spans[1:], strict=False))
    for p in r.phases:
        for b in Behaviour:
            assert sum(r.phase_time_ms.get(p.phase, {}).get(str(b), {}).values()) <= r.duration_ms
    assert sum(p.end_ms - p.start_ms for p in r.phases) == sum(
        sum(r.phase_time_ms[ph][str(Behaviour.SMILE)].values()) for ph in r.phase_time_ms
    )
    for item in r.scorecard:
        assert item.share is None or 0.0 <= item.share <= 1.0
        assert item.bad_share is None or 0.0 <= item.bad_share <= 1.0
    assert Report.from_dict(json.loads(json.dumps(r.to_dict()))) == r
