"""Property tests: NaN, infinite or out-of-range landmarks never raise and never give a verdict.

Broken points are no evidence: an area the picture reaches reads ``unknown``; a body area whose points are
not inside the picture reads ``out_of_view`` (the view rule, docs/analysis.md "View"), never a fault.
"""

from __future__ import annotations

import math

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bodycoach.analysis import Analyzer
from bodycoach.types import OUT_OF_VIEW, UNKNOWN, VIEW_GATED, Behaviour, Landmarks, View
from tests.landmark_builder import make_landmarks

BAD = st.sampled_from([math.nan, math.inf, -math.inf, 1e9, -1e9, 50.0])
BASE = make_landmarks()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(part=st.sampled_from(["face", "pose", "left_hand", "right_hand"]), rows=st.lists(st.integers(0, 477),
       min_size=1, max_size=40), col=st.integers(0, 3), value=BAD)
def test_broken_points_never_raise(part: str, rows: list[int], col: int, value: float) -> None:
    arr = getattr(BASE, part).copy()
    rows = [r % arr.shape[0] for r in rows]
    arr[rows, col] = value
    kw = {k: getattr(BASE, k) for k in ("pose", "face", "left_hand", "right_hand")}
    kw[part] = arr
    res = Analyzer().step(Landmarks(timestamp_ms=0, image_wh=BASE.image_wh, **kw))
    for b in Behaviour:
        c = res.classifications[b]
        assert 0.0 <= c.score <= 1.0
    assert all(math.isfinite(v) for v in res.features.values.values())


@settings(max_examples=40, deadline=None)
@given(value=BAD)
def test_fully_broken_person_gives_no_verdict(value: float) -> None:
    def fill(n: int) -> np.ndarray:
        a = np.full((n, 4), value, dtype=np.float32)
        a[:, 3] = 1.0
        return a

    an = Analyzer()
    for ts in range(0, 1100, 100):  # 1 s: long enough for the stable states to settle (min_on 400 ms)
        res = an.step(Landmarks(timestamp_ms=ts, image_wh=(640, 480), pose=fill(33), face=fill(478),
                                left_hand=fill(21), right_hand=fill(21), num_faces=1))
    for b in (Behaviour.EYE_CONTACT, Behaviour.SMILE, Behaviour.HEAD, Behaviour.GAZE_STYLE):
        assert res.label(b) == UNKNOWN, b  # nothing measurable
    if math.isnan(value):
        # all-NaN blocks are absence (Landmarks): nobody in the picture is no evidence, nothing is gated
        assert res.frame_view == View.NONE
        assert all(res.label(b) == UNKNOWN for b in Behaviour)
    else:
        # a face was found but no pose point lies inside the picture: at most the face is in view, so
        # posture (needs the shoulders) is not in view, never upright/slumped/leaning
        assert res.frame_view == View.FACE
        assert res.label(Behaviour.POSTURE) == OUT_OF_VIEW
    # the hand model's (broken) hands keep arms/hands/palm open to judgement, but nothing is measurable
    for b in (Behaviour.ARMS, Behaviour.HANDS, Behaviour.PALM):
        assert res.label(b) in (UNKNOWN, OUT_OF_VIEW), b
    for b in Behaviour:
        assert res.state(b) == (OUT_OF_VIEW if res.label(b) == OUT_OF_VIEW else UNKNOWN), b


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), scale=st.floats(0.0, 100.0), nan_share=st.floats(0.0, 1.0),
       wh=st.tuples(st.integers(0, 4000), st.integers(0, 4000)))
def test_random_face_never_raises(seed: int, scale: float, nan_share: float, wh: tuple[int, int]) -> None:
    rng = np.random.default_rng(seed)
    assert BASE.face is not None
    face = BASE.face + rng.normal(0.0, scale, BASE.face.shape).astype(np.float32)
    face[rng.random(478) < nan_share, :2] = np.nan
    res = Analyzer().step(Landmarks(timestamp_ms=0, image_wh=wh, face=face))
    if np.isnan(face[:, :2]).all():
        # every point NaN is absence: nobody in the picture, nothing is gated
        assert res.frame_view == View.NONE
        assert all(res.label(b) == UNKNOWN for b in Behaviour)
    else:
        # a face alone: the body areas are out of the picture, never judged (and never a fault)
        assert res.frame_view == View.FACE
        for b in VIEW_GATED:
            assert res.label(b) == OUT_OF_VIEW, b
    for c in res.classifications.values():
        assert 0.0 <= c.score <= 1.0
