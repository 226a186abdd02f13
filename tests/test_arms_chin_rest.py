"""Arms: forearms folded under the chin (the hand lying flat just below it) = crossed on the table.

Tables on hand-built features at every ``chin_rest_*`` boundary, the feature on hand-built landmarks, the
whole analyser without a body, and hypothesis: any value (NaN, inf) never raises.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bodycoach.analysis import Analyzer
from bodycoach.classifiers.arms import ArmsClassifier, chin_rest, classify_arms, tucked_hand
from bodycoach.config import load_config
from bodycoach.features.extract import extract_features
from bodycoach.features.hands import chin_rest as chin_rest_features
from bodycoach.types import ArmsPose, Behaviour, Features, Landmarks
from tests.landmark_builder import make_landmarks

CFG = load_config()
T = CFG.arms
Q = CFG.quality
EPS = 1e-3
REST = {"chin_hand_width_iod": 2.0, "chin_hand_height_ratio": 0.25, "chin_hand_below_iod": 0.2,
        "chin_hand_side_iod": 0.3}


def F(**v: float) -> Features:
    return Features(0, {**REST, **v})


@pytest.mark.parametrize("values,expected", [
    ({}, True),
    ({"chin_hand_width_iod": T.chin_rest_min_width_iod + EPS}, True),
    ({"chin_hand_width_iod": T.chin_rest_min_width_iod - EPS}, False),
    ({"chin_hand_height_ratio": T.chin_rest_max_height_ratio - EPS}, True),
    ({"chin_hand_height_ratio": T.chin_rest_max_height_ratio + EPS}, False),
    ({"chin_hand_below_iod": T.chin_rest_min_below_iod + EPS}, True),
    ({"chin_hand_below_iod": T.chin_rest_min_below_iod - EPS}, False),
    ({"chin_hand_below_iod": T.chin_rest_max_below_iod - EPS}, True),
    ({"chin_hand_below_iod": T.chin_rest_max_below_iod + EPS}, False),
    ({"chin_hand_side_iod": T.chin_rest_max_side_iod - EPS}, True),
    ({"chin_hand_side_iod": -(T.chin_rest_max_side_iod - EPS)}, True),
    ({"chin_hand_side_iod": T.chin_rest_max_side_iod + EPS}, False),
    ({"chin_hand_side_iod": -(T.chin_rest_max_side_iod + EPS)}, False),
    ({"chin_hand_width_iod": math.nan}, False),
    ({"chin_hand_height_ratio": math.inf}, False),
    ({"chin_hand_below_iod": -math.inf}, False),
    ({"chin_hand_side_iod": math.nan}, False),
])
def test_chin_rest_boundaries(values: dict[str, float], expected: bool) -> None:
    f = F(**values)
    assert chin_rest(f, T) is expected
    label = classify_arms(f, T, Q).label
    # No shoulders in these features: without a chin rest the arms are not measurable.
    assert label == (ArmsPose.CROSSED_TABLE if expected else ArmsPose.UNKNOWN)
    assert ArmsClassifier(T, Q)(f) == classify_arms(f, T, Q)


def test_chin_rest_outranks_the_pose() -> None:
    extended = extract_features(make_landmarks()).values
    assert classify_arms(Features(0, extended), T, Q).label == ArmsPose.EXTENDED
    assert classify_arms(Features(0, {**extended, **REST}), T, Q).label == ArmsPose.CROSSED_TABLE
    off = replace(T, chin_rest_max_height_ratio=0.0)
    assert classify_arms(Features(0, {**extended, **REST}), off, Q).label == ArmsPose.EXTENDED


def test_missing_chin_features_keep_the_old_rules() -> None:
    for arms in ("crossed", "down", "hidden"):
        f = extract_features(make_landmarks(arms=arms, face=False)).values
        assert not any(k.startswith("chin_hand_") for k in f)


# --- the feature on hand-built landmarks ------------------------------------------------------------
def flat_hand(lm: Landmarks, *, below_iod: float, side_iod: float, width_iod: float, height_iod: float,
              iod_px: float) -> np.ndarray:
    """A (21, 4) hand whose points fill a box of the given size centred below/beside the chin."""
    assert lm.face is not None
    w, h = lm.image_wh
    cx = float(lm.face[152, 0]) * w + side_iod * iod_px
    cy = float(lm.face[152, 1]) * h + below_iod * iod_px
    u = np.linspace(-0.5, 0.5, 21)
    pts = np.zeros((21, 4), dtype=np.float32)
    pts[:, 0] = (cx + u * width_iod * iod_px) / w
    pts[:, 1] = (cy + np.sin(np.arange(21)) * 0.5 * height_iod * iod_px) / h
    pts[:, 3] = 1.0
    # Palm points (wrist and knuckles) symmetric about the centre, so the palm centre is (cx, cy).
    for i, x in zip((0, 5, 9, 13, 17), (-0.2, -0.1, 0.0, 0.1, 0.2), strict=True):
        pts[i, 0] = (cx + x * width_iod * iod_px) / w
        pts[i, 1] = cy / h
    pts[4, 0] = (cx - 0.5 * width_iod * iod_px) / w  # the box's left end (the wrist took the first slot)
    return pts


def face_only() -> tuple[Landmarks, float]:
    lm = make_landmarks(pose=False, hands=False)
    return lm, extract_features(lm).values["face_iod_px"]


def test_chin_rest_features_measure_the_hand_outline() -> None:
    lm, iod = face_only()
    hand = flat_hand(lm, below_iod=0.3, side_iod=-0.5, width_iod=2.0, height_iod=0.4, iod_px=iod)
    got = chin_rest_features([hand], lm.face, lm.image_wh, iod)
    assert got["chin_hand_below_iod"] == pytest.approx(0.3, abs=1e-3)
    assert got["chin_hand_side_iod"] == pytest.approx(-0.5, abs=1e-3)
    assert got["chin_hand_width_iod"] == pytest.approx(2.0, abs=1e-3)
    assert got["chin_hand_height_ratio"] == pytest.approx(0.2, abs=0.01)
    # The hand nearest the chin is the one described.
    far = flat_hand(lm, below_iod=4.0, side_iod=3.0, width_iod=1.0, height_iod=1.0, iod_px=iod)
    assert chin_rest_features([far, hand], lm.face, lm.image_wh, iod) == got


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf, 1e6])
def test_chin_rest_features_are_empty_when_not_measurable(bad: float) -> None:
    lm, iod = face_only()
    assert lm.face is not None
    hand = flat_hand(lm, below_iod=0.3, side_iod=0.0, width_iod=2.0, height_iod=0.4, iod_px=iod)
    broken = hand.copy()
    broken[7, 1] = bad
    assert chin_rest_features([broken], lm.face, lm.image_wh, iod) == {}
    face = lm.face.copy()
    face[152, 0] = bad
    assert chin_rest_features([hand], face, lm.image_wh, iod) == {}
    assert chin_rest_features([hand], None, lm.image_wh, iod) == {}
    assert chin_rest_features([hand], lm.face, lm.image_wh, bad if bad < 0 or math.isnan(bad) else -1.0) == {}
    assert chin_rest_features([], lm.face, lm.image_wh, iod) == {}


@pytest.mark.parametrize("below,height,expected", [
    (0.25, 0.4, ArmsPose.CROSSED_TABLE),  # a hand lying flat under the chin, no body found
    (0.25, 1.5, ArmsPose.UNKNOWN),  # an upright hand there (propping the chin): no chin rest, no body
    (2.5, 0.4, ArmsPose.UNKNOWN),  # a flat hand far below the chin
])
def test_analyzer_reads_folded_forearms_without_a_body(below: float, height: float, expected: str) -> None:
    lm, iod = face_only()
    hand = flat_hand(lm, below_iod=below, side_iod=0.2, width_iod=2.0, height_iod=height, iod_px=iod)
    lm = Landmarks(0, lm.image_wh, face=lm.face, left_hand=hand, num_faces=1)
    assert Analyzer(CFG).step(lm).label(Behaviour.ARMS) == expected


FINITE_OR_NOT = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.just(math.nan))


@settings(max_examples=200, deadline=None)
@given(w=FINITE_OR_NOT, r=FINITE_OR_NOT, b=FINITE_OR_NOT, s=FINITE_OR_NOT, sw=FINITE_OR_NOT)
def test_any_chin_values_never_raise(w: float, r: float, b: float, s: float, sw: float) -> None:
    f = Features(0, {"chin_hand_width_iod": w, "chin_hand_height_ratio": r, "chin_hand_below_iod": b,
                     "chin_hand_side_iod": s, "shoulder_width_px": sw})
    c = classify_arms(f, T, Q)
    assert c.label in {p.value for p in ArmsPose}
    assert 0.0 <= c.score <= 1.0


# --- a hand tucked at the other arm's elbow (its side from the 3-D finger curl) -----------------------
TUCK = {"shoulder_width_px": 200.0, "l_elbow_vis": 0.9, "r_elbow_vis": 0.9, "wrist_cross_elbow_sw": 1.1,
        "l_wrist_up_sw": -0.6, "r_wrist_up_sw": -0.8}


@pytest.mark.parametrize("hand,expected", [
    # The assigned side confirmed by the curl: at the other elbow = crossed.
    ({"l_hand_curl_hl": T.tucked_hand_min_curl_hl + EPS, "l_hand_own_elbow_sw": 1.0,
      "l_hand_other_elbow_sw": T.tucked_hand_max_elbow_sw - EPS}, True),
    ({"l_hand_curl_hl": T.tucked_hand_min_curl_hl - EPS, "l_hand_own_elbow_sw": 1.0,
      "l_hand_other_elbow_sw": T.tucked_hand_max_elbow_sw - EPS}, False),
    ({"l_hand_curl_hl": T.tucked_hand_min_curl_hl + EPS, "l_hand_own_elbow_sw": 1.0,
      "l_hand_other_elbow_sw": T.tucked_hand_max_elbow_sw + EPS}, False),
    # The curl says it is the other hand: then the assigned side's elbow is its opposite one.
    ({"r_hand_curl_hl": -T.tucked_hand_min_curl_hl - EPS, "r_hand_own_elbow_sw": 0.3,
      "r_hand_other_elbow_sw": 1.2}, True),
    ({"r_hand_curl_hl": -T.tucked_hand_min_curl_hl + EPS, "r_hand_own_elbow_sw": 0.3,
      "r_hand_other_elbow_sw": 1.2}, False),
    ({"r_hand_curl_hl": T.tucked_hand_min_curl_hl + EPS, "r_hand_own_elbow_sw": 0.3,
      "r_hand_other_elbow_sw": 1.2}, False),  # its own elbow: a forearm toward the camera, not crossed
    # Nearer the other elbow only counts when nearer than to its own.
    ({"l_hand_curl_hl": 2.0, "l_hand_own_elbow_sw": 0.2, "l_hand_other_elbow_sw": 0.3}, False),
    # That elbow must be in sight.
    ({"l_hand_curl_hl": 2.0, "l_hand_own_elbow_sw": 1.0, "l_hand_other_elbow_sw": 0.2, "r_elbow_vis": 0.1}, False),
    ({"l_hand_curl_hl": math.nan, "l_hand_own_elbow_sw": 1.0, "l_hand_other_elbow_sw": 0.2}, False),
    ({"l_hand_curl_hl": math.inf, "l_hand_own_elbow_sw": 1.0, "l_hand_other_elbow_sw": math.nan}, False),
    ({}, False),
])
def test_tucked_hand_boundaries(hand: dict[str, float], expected: bool) -> None:
    f = Features(0, {**TUCK, **hand})
    assert tucked_hand(f, T) is expected
    if expected:
        assert classify_arms(f, T, Q).label == ArmsPose.CROSSED_CHEST
        low = Features(0, {**TUCK, **hand, "l_wrist_up_sw": -1.5, "r_wrist_up_sw": -1.5})
        assert classify_arms(low, T, Q).label == ArmsPose.CROSSED_TABLE


def test_tucked_hand_features_on_hand_built_landmarks() -> None:
    f = extract_features(make_landmarks()).values  # forearms on a desk, each hand at its own wrist
    for s in "lr":
        assert f[f"{s}_hand_own_elbow_sw"] < f[f"{s}_hand_other_elbow_sw"]
        assert math.isfinite(f[f"{s}_hand_curl_hl"])
    assert not tucked_hand(Features(0, f), T)
    assert "l_hand_own_elbow_sw" not in extract_features(make_landmarks(pose=False)).values


@settings(max_examples=200, deadline=None)
@given(curl=FINITE_OR_NOT, own=FINITE_OR_NOT, other=FINITE_OR_NOT, vis=FINITE_OR_NOT, up=FINITE_OR_NOT)
def test_any_tucked_values_never_raise(curl: float, own: float, other: float, vis: float, up: float) -> None:
    f = Features(0, {**TUCK, "r_hand_curl_hl": curl, "r_hand_own_elbow_sw": own, "r_hand_other_elbow_sw": other,
                     "l_elbow_vis": vis, "r_elbow_vis": vis, "l_wrist_up_sw": up})
    c = classify_arms(f, T, Q)
    assert c.label in {p.value for p in ArmsPose}
    assert 0.0 <= c.score <= 1.0
