"""Palm vs back: the winding's sign qualified by 3-D finger curl, crossed arms, a hand over the face and
a hand on the head.

Tables on hand-built features at every ``[palm]`` boundary, the hand-shape and face-contact features on
hand-built hands, mirror invariance, and hypothesis: any value (NaN, inf) never raises.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bodycoach.analysis import Analyzer
from bodycoach.classifiers.hands import PalmClassifier, classify_palm
from bodycoach.config import load_config
from bodycoach.features.extract import extract_features
from bodycoach.features.hands import hand_face_contact, hand_features, hand_shape
from bodycoach.types import ArmsPose, Behaviour, Classification, Features, PalmSide
from tests.landmark_builder import make_landmarks, mirror

CFG = load_config()
T = CFG.palm
EPS = 1e-3
BASE = {"hands_visible": 1.0, "shoulder_width_px": 200.0, "palm_facing": 0.6, "palm_curl_hl": 0.1,
        "palm_finger_ext_hl": 2.0, "palm_face_overlap_share": 0.0, "palm_face_gap_iod": 3.0,
        "palm_above_eyes_iod": -3.0}


def F(**v: float) -> Features:
    return Features(0, {**BASE, **v})


def arms(label: ArmsPose) -> Classification:
    return Classification(behaviour=Behaviour.ARMS, label=label.value, score=0.9, timestamp_ms=0)


CROSSED = arms(ArmsPose.CROSSED_CHEST)


@pytest.mark.parametrize("values,arms_c,expected", [
    ({}, None, PalmSide.PALM),
    ({"palm_facing": -0.6}, None, PalmSide.BACK),
    # 3-D curl: the other hand's way by at least the threshold flips the sign.
    ({"palm_curl_hl": -T.flip_min_curl_hl + EPS}, None, PalmSide.PALM),
    ({"palm_curl_hl": -T.flip_min_curl_hl - EPS}, None, PalmSide.BACK),
    ({"palm_curl_hl": -T.flip_min_curl_hl - EPS, "palm_facing": -0.6}, None, PalmSide.PALM),
    ({"palm_curl_hl": 5.0}, None, PalmSide.PALM),
    # Crossed arms: curled or unseen hands show their backs; an open hand keeps its own sign.
    ({"palm_finger_ext_hl": T.crossed_max_finger_ext_hl - EPS}, CROSSED, PalmSide.BACK),
    ({"palm_finger_ext_hl": T.crossed_max_finger_ext_hl + EPS}, CROSSED, PalmSide.PALM),
    ({"palm_finger_ext_hl": T.crossed_max_finger_ext_hl - EPS}, arms(ArmsPose.CROSSED_TABLE), PalmSide.BACK),
    ({"palm_finger_ext_hl": T.crossed_max_finger_ext_hl - EPS}, arms(ArmsPose.EXTENDED), PalmSide.PALM),
    ({"palm_finger_ext_hl": T.crossed_max_finger_ext_hl - EPS}, None, PalmSide.PALM),
    ({"hands_visible": 0.0, "palm_facing": math.nan, "palm_finger_ext_hl": math.nan}, CROSSED, PalmSide.BACK),
    ({"hands_visible": 0.0, "palm_facing": math.nan, "palm_finger_ext_hl": math.nan}, None, PalmSide.NOT_VISIBLE),
    # A hand over the face.
    ({"palm_face_overlap_share": T.face_cover_min_share + EPS}, None, PalmSide.BACK),
    ({"palm_face_overlap_share": T.face_cover_min_share - EPS}, None, PalmSide.PALM),
    # A hand on the head, edge-on: each condition at its boundary.
    ({"palm_face_gap_iod": 0.5, "palm_above_eyes_iod": 1.0, "palm_facing": 0.1}, None, PalmSide.BACK),
    ({"palm_face_gap_iod": T.head_touch_max_gap_iod - EPS, "palm_above_eyes_iod": 1.0, "palm_facing": 0.1},
     None, PalmSide.BACK),
    ({"palm_face_gap_iod": T.head_touch_max_gap_iod + EPS, "palm_above_eyes_iod": 1.0, "palm_facing": 0.1},
     None, PalmSide.PALM),
    ({"palm_face_gap_iod": 0.5, "palm_above_eyes_iod": T.head_touch_min_above_eyes_iod + EPS,
      "palm_facing": 0.1}, None, PalmSide.BACK),
    ({"palm_face_gap_iod": 0.5, "palm_above_eyes_iod": T.head_touch_min_above_eyes_iod - EPS,
      "palm_facing": 0.1}, None, PalmSide.PALM),
    ({"palm_face_gap_iod": 0.5, "palm_above_eyes_iod": 1.0, "palm_facing": T.head_touch_max_abs_facing - EPS},
     None, PalmSide.BACK),
    ({"palm_face_gap_iod": 0.5, "palm_above_eyes_iod": 1.0, "palm_facing": T.head_touch_max_abs_facing + EPS},
     None, PalmSide.PALM),
    # Unmeasured cues (NaN) leave the winding's word.
    ({"palm_curl_hl": math.nan, "palm_face_overlap_share": math.nan, "palm_face_gap_iod": math.nan,
      "palm_above_eyes_iod": math.nan}, None, PalmSide.PALM),
    ({"palm_curl_hl": -math.inf}, None, PalmSide.BACK),
    ({"palm_face_overlap_share": math.inf, "palm_facing": 0.6}, None, PalmSide.BACK),
])
def test_palm_rule_boundaries(values: dict[str, float], arms_c: Classification | None, expected: str) -> None:
    f = F(**values)
    assert classify_palm(f, T, arms_c).label == expected
    assert PalmClassifier(T)(f, arms_c) == classify_palm(f, T, arms_c)


def test_rules_switch_off_at_their_extremes() -> None:
    off = replace(T, flip_min_curl_hl=10.0, crossed_max_finger_ext_hl=0.0, face_cover_min_share=1.0,
                  head_touch_max_gap_iod=0.0)
    f = F(palm_curl_hl=-5.0, palm_finger_ext_hl=0.5, palm_face_overlap_share=0.9)
    assert classify_palm(f, off, CROSSED).label == PalmSide.PALM
    assert classify_palm(f, T, CROSSED).label == PalmSide.BACK


# --- features on hand-built hands ---------------------------------------------------------------------
def body_hands() -> tuple[np.ndarray, np.ndarray, tuple[int, int]]:
    lm = make_landmarks()
    assert lm.left_hand is not None and lm.right_hand is not None
    return lm.left_hand, lm.right_hand, lm.image_wh


def curl_fingers(hand: np.ndarray, wh: tuple[int, int], amount: float) -> np.ndarray:
    """Move the fingertips by ``amount`` hand lengths along the wrist–index–pinky normal (in 3-D)."""
    w, h = wh
    p = hand[:, :3].astype(np.float64) * np.array([w, h, w])
    rel = p - p[0]
    n = np.cross(rel[5], rel[17])
    n /= np.linalg.norm(n)
    hl = float(np.linalg.norm(rel[[5, 9, 13, 17], :2], axis=1).mean())
    p[[8, 12, 16, 20]] += amount * hl * n
    out = hand.copy()
    out[:, :3] = p / np.array([w, h, w])
    return out


@pytest.mark.parametrize("is_left", [True, False])
def test_curl_sign_follows_the_assigned_side(is_left: bool) -> None:
    left, right, wh = body_hands()
    hand = left if is_left else right
    # A hand curled toward its +normal is a right hand; the left hand's palm faces the other way.
    toward = curl_fingers(hand, wh, 1.0)
    away = curl_fingers(hand, wh, -1.0)
    c_toward, _ = hand_shape(toward, wh, is_left, mirrored=False)
    c_away, _ = hand_shape(away, wh, is_left, mirrored=False)
    assert c_toward - c_away == pytest.approx(-2.0 if is_left else 2.0, abs=1e-4)
    # A mirrored view swaps the sign convention.
    assert hand_shape(toward, wh, is_left, mirrored=True)[0] == pytest.approx(-c_toward, abs=1e-6)


def test_finger_extension_tells_a_fist_from_an_open_hand() -> None:
    _, right, wh = body_hands()
    _, ext = hand_shape(right, wh, False, False)
    fist = right.copy()
    fist[[8, 12, 16, 20], :3] = right[[5, 9, 13, 17], :3]  # tips folded back onto the knuckles
    _, ext_fist = hand_shape(fist, wh, False, False)
    assert ext > T.crossed_max_finger_ext_hl > ext_fist
    assert ext_fist == pytest.approx(1.0, abs=1e-6)


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf, 1e6])
def test_hand_shape_is_nan_when_not_measurable(bad: float) -> None:
    _, right, wh = body_hands()
    broken = right.copy()
    broken[12, 2] = bad
    assert all(math.isnan(v) for v in hand_shape(broken, wh, False, False))
    assert all(math.isnan(v) for v in hand_shape(None, wh, False, False))
    flat = right.copy()
    flat[:, :2] = right[0, :2]  # every point on the wrist: degenerate
    assert all(math.isnan(v) for v in hand_shape(flat, wh, False, False))


def test_face_contact_overlap_gap_and_height() -> None:
    lm = make_landmarks(hands=False)
    _, right, wh = body_hands()
    assert lm.face is not None
    iod = extract_features(lm).values["face_iod_px"]
    w, h = wh

    def hand_at(x_px: float, y_px: float) -> np.ndarray:
        out = right.copy()
        out[:, 0] += x_px / w - float(right[[0, 5, 9, 13, 17], 0].mean())
        out[:, 1] += y_px / h - float(right[[0, 5, 9, 13, 17], 1].mean())
        return out

    nose = lm.face[1, :2] * np.array(wh)
    share, gap, _ = hand_face_contact(hand_at(*nose), lm.face, wh, iod)
    assert share > 0.5 and gap == 0.0
    top = lm.face[10, :2] * np.array(wh)
    share, gap, above = hand_face_contact(hand_at(top[0], top[1] - 3 * iod), lm.face, wh, iod)
    assert share == 0.0 and gap > 0.5 and above > 3.0
    far = hand_at(nose[0] + 10 * iod, nose[1] + 5 * iod)
    share, gap, above = hand_face_contact(far, lm.face, wh, iod)
    assert share == 0.0 and gap > 5.0 and above < -4.0
    for bad_iod in (0.0, -1.0, math.nan, math.inf):
        assert all(math.isnan(v) for v in hand_face_contact(far, lm.face, wh, bad_iod))
    face = lm.face.copy()
    face[10, 1] = math.nan
    assert all(math.isnan(v) for v in hand_face_contact(far, face, wh, iod))
    assert all(math.isnan(v) for v in hand_face_contact(far, None, wh, iod))


def test_hand_features_keep_the_larger_hand_and_the_pose_fallback() -> None:
    lm = make_landmarks()
    left, right, wh = body_hands()
    f = hand_features(left, right, lm.face, lm.pose, wh, False, 0.5, 67.0)
    bigger = "l" if f["l_hand_size_px"] > f["r_hand_size_px"] else "r"
    assert f["palm_facing"] == f[f"{bigger}_palm_facing"]
    for k in ("palm_curl_hl", "palm_finger_ext_hl", "palm_face_overlap_share", "palm_face_gap_iod",
              "palm_above_eyes_iod"):
        assert k in f
    no_hands = hand_features(None, None, lm.face, lm.pose, wh, False, 0.5, 67.0)
    assert no_hands.get("palm_from_pose") == 1.0 and "palm_curl_hl" not in no_hands
    assert hand_features(None, None, None, None, wh, False, 0.5, math.nan) == {}


@pytest.mark.parametrize("kw", [{}, {"arms": "crossed"}, {"prop_chin": True}])
def test_palm_features_are_mirror_invariant(kw: dict[str, object]) -> None:
    lm = make_landmarks(**kw)  # type: ignore[arg-type]
    a = extract_features(lm).values
    b = extract_features(mirror(lm)).values
    for k in ("palm_facing", "palm_curl_hl", "palm_finger_ext_hl", "palm_face_overlap_share", "palm_face_gap_iod",
              "palm_above_eyes_iod"):
        assert (k in a) == (k in b), k
        if k in a:
            # The builder's mirror does not re-index the face mesh, so the fitted face scale differs:
            # compare ``_iod`` lengths in pixels.
            sa, sb = (a["face_iod_px"], b["face_iod_px"]) if k.endswith("_iod") else (1.0, 1.0)
            assert b[k] * sb == pytest.approx(a[k] * sa, abs=1e-3), k
    assert Analyzer(CFG).step(lm).label(Behaviour.PALM) == Analyzer(CFG).step(mirror(lm)).label(Behaviour.PALM)


VALUE = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.just(math.nan))
KEYS = ("hands_visible", "shoulder_width_px", "palm_facing", "palm_curl_hl", "palm_finger_ext_hl",
        "palm_face_overlap_share", "palm_face_gap_iod", "palm_above_eyes_iod")


@settings(max_examples=300, deadline=None)
@given(values=st.tuples(*[VALUE] * len(KEYS)), arms_label=st.sampled_from([None, *ArmsPose]))
def test_any_palm_values_never_raise(values: tuple[float, ...], arms_label: ArmsPose | None) -> None:
    f = Features(0, dict(zip(KEYS, values, strict=True)))
    c = classify_palm(f, T, None if arms_label is None else arms(arms_label))
    assert c.label in {p.value for p in PalmSide}
    assert 0.0 <= c.score <= 1.0
