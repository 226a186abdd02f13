"""Palm vs back: the sign of the knuckle winding with the hand's side, for hands with and without a body.

Tables on hand-built features, the larger-hand choice and the pose fallback on hand-built landmarks, an
isolated hand (no body: the side is the hand model's own), mirror invariance, and hypothesis: any value
(NaN, inf) never raises.
"""

from __future__ import annotations

import math
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bodycoach.analysis import Analyzer
from bodycoach.classifiers.hands import classify_palm
from bodycoach.config import load_config
from bodycoach.features.extract import extract_features
from bodycoach.features.hands import hand_features
from bodycoach.types import ArmsPose, Behaviour, Classification, Features, PalmSide
from tests.landmark_builder import make_landmarks, mirror

CFG = load_config()
T = CFG.palm


@pytest.mark.parametrize("values,expected", [
    ({"hands_visible": 1.0, "shoulder_width_px": 200.0, "palm_facing": 0.6}, PalmSide.PALM),
    ({"hands_visible": 1.0, "shoulder_width_px": 200.0, "palm_facing": -0.6}, PalmSide.BACK),
    ({"hands_visible": 1.0, "palm_facing": -0.2}, PalmSide.BACK),  # an isolated hand: no body needed
    ({"hands_visible": 0.0, "shoulder_width_px": 200.0}, PalmSide.NOT_VISIBLE),
    ({"hands_visible": 0.0}, "unknown"),  # no hand and no body: nothing says whether hands are there
    ({}, "unknown"),
])
def test_palm_from_the_winding_sign(values: dict[str, float], expected: str) -> None:
    crossed = Classification(Behaviour.ARMS, ArmsPose.CROSSED_CHEST.value, 0.9, 0)
    for arms in (None, crossed):  # crossed arms no longer override the hand's own reading
        assert classify_palm(Features(0, values), T, arms).label == expected


def test_edge_on_cut_makes_unknown() -> None:
    t = replace(T, min_abs_facing=0.3)
    assert classify_palm(Features(0, {"hands_visible": 1.0, "palm_facing": 0.2}), t).label == "unknown"
    assert classify_palm(Features(0, {"hands_visible": 1.0, "palm_facing": 0.4}), t).label == PalmSide.PALM


def test_hand_features_keep_the_larger_hand_and_the_pose_fallback() -> None:
    lm = make_landmarks()
    assert lm.left_hand is not None and lm.right_hand is not None
    f = hand_features(lm.left_hand, lm.right_hand, lm.face, lm.pose, lm.image_wh, False, 0.5, 67.0)
    bigger = "l" if f["l_hand_size_px"] > f["r_hand_size_px"] else "r"
    assert f["palm_facing"] == f[f"{bigger}_palm_facing"]
    no_hands = hand_features(None, None, lm.face, lm.pose, lm.image_wh, False, 0.5, 67.0)
    assert no_hands.get("palm_from_pose") == 1.0
    assert hand_features(None, None, None, None, lm.image_wh, False, 0.5, math.nan) == {}


def test_an_isolated_hand_reads_its_side_from_the_hand_model() -> None:
    """No body, no face: the side the adapter gave (the hand model's handedness) decides the sign."""
    lm = make_landmarks()
    alone = replace(lm, pose=None, face=None, pose_world=None, right_hand=None, num_faces=0)
    as_right = replace(alone, left_hand=None, right_hand=lm.left_hand)
    a = Analyzer(CFG).step(alone).label(Behaviour.PALM)
    b = Analyzer(CFG).step(as_right).label(Behaviour.PALM)
    assert a in (PalmSide.PALM, PalmSide.BACK) and b in (PalmSide.PALM, PalmSide.BACK)
    assert a != b  # the same outline is the palm of one hand and the back of the other


@pytest.mark.parametrize("kw", [{}, {"arms": "crossed"}, {"prop_chin": True}])
def test_palm_features_are_mirror_invariant(kw: dict[str, object]) -> None:
    lm = make_landmarks(**kw)  # type: ignore[arg-type]
    a = extract_features(lm).values
    b = extract_features(mirror(lm)).values
    assert ("palm_facing" in a) == ("palm_facing" in b)
    if "palm_facing" in a:
        assert b["palm_facing"] == pytest.approx(a["palm_facing"], abs=1e-3)
    assert Analyzer(CFG).step(lm).label(Behaviour.PALM) == Analyzer(CFG).step(mirror(lm)).label(Behaviour.PALM)


VALUE = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.just(math.nan))
KEYS = ("hands_visible", "shoulder_width_px", "palm_facing")


@settings(max_examples=200, deadline=None)
@given(values=st.tuples(*[VALUE] * len(KEYS)))
def test_any_palm_values_never_raise(values: tuple[float, ...]) -> None:
    c = classify_palm(Features(0, dict(zip(KEYS, values, strict=True))), T)
    assert c.label in {p.value for p in PalmSide}
    assert 0.0 <= c.score <= 1.0
