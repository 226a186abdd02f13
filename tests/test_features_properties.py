"""Property tests: NaN, infinite or out-of-range landmarks never raise and give ``unknown``."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bodycoach.analysis import Analyzer
from bodycoach.types import Behaviour, Landmarks
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
def test_fully_broken_person_is_unknown(value: float) -> None:
    def fill(n: int) -> np.ndarray:
        a = np.full((n, 4), value, dtype=np.float32)
        a[:, 3] = 1.0
        return a

    lm = Landmarks(timestamp_ms=0, image_wh=(640, 480), pose=fill(33), face=fill(478), left_hand=fill(21),
                   right_hand=fill(21), num_faces=1)
    res = Analyzer().step(lm)
    for b in (Behaviour.EYE_CONTACT, Behaviour.SMILE, Behaviour.HEAD, Behaviour.ARMS, Behaviour.POSTURE,
              Behaviour.GAZE_STYLE, Behaviour.PALM):
        assert res.label(b) == "unknown", b


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), scale=st.floats(0.0, 100.0), nan_share=st.floats(0.0, 1.0),
       wh=st.tuples(st.integers(0, 4000), st.integers(0, 4000)))
def test_random_face_never_raises(seed: int, scale: float, nan_share: float, wh: tuple[int, int]) -> None:
    rng = np.random.default_rng(seed)
    assert BASE.face is not None
    face = BASE.face + rng.normal(0.0, scale, BASE.face.shape).astype(np.float32)
    face[rng.random(478) < nan_share, :2] = np.nan
    res = Analyzer().step(Landmarks(timestamp_ms=0, image_wh=wh, face=face))
    assert res.label(Behaviour.ARMS) == "unknown"
    for c in res.classifications.values():
        assert 0.0 <= c.score <= 1.0
