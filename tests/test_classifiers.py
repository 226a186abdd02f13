"""Classifiers: tables on hand-built features (each threshold boundary) and on hand-built landmarks
(every category end to end), plus function == class."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bodycoach.analysis import Analyzer
from bodycoach.classifiers.arms import ArmsClassifier, classify_arms
from bodycoach.classifiers.eye_contact import EyeContactClassifier, classify_eye_contact
from bodycoach.classifiers.hands import HandsClassifier, PalmClassifier, classify_hands, classify_palm
from bodycoach.classifiers.head import HeadClassifier, classify_head
from bodycoach.classifiers.posture import PostureClassifier, classify_posture
from bodycoach.classifiers.smile import SmileClassifier, classify_smile, load_smile_model
from bodycoach.config import load_config
from bodycoach.features.extract import extract_features
from bodycoach.profile import CalibrationProfile
from bodycoach.types import Behaviour, Features
from tests.landmark_builder import make_landmarks

CFG = load_config()
Q = CFG.quality
FACE_OK = {"face_iod_px": 60.0, "face_fit_rms_norm": 0.03}


def F(**v: float) -> Features:
    return Features(1000, {**FACE_OK, **v})


def eye(**v: float) -> Features:
    base = {"head_yaw_deg": 0.0, "head_pitch_deg": 0.0, "iris_h_norm": 0.0, "iris_v_norm": -0.02,
            "eye_open_norm": 0.33}
    return F(**{**base, **v})


# --- eye contact ----------------------------------------------------------------------------------
T_EC = CFG.eye_contact


@pytest.mark.parametrize("features,expected", [
    (eye(), "lens"),
    (eye(head_yaw_deg=T_EC.lens_yaw_deg - 1), "lens"),
    (eye(head_yaw_deg=T_EC.lens_yaw_deg + 1), "away"),
    (eye(head_yaw_deg=-(T_EC.lens_yaw_deg + 1)), "away"),
    # A turned head with the eyes back on the lens is eye contact: iris offset compensates the yaw.
    (eye(head_yaw_deg=30.0, iris_h_norm=30.0 / -T_EC.iris_yaw_gain_deg), "lens"),
    (eye(head_pitch_deg=T_EC.lens_pitch_deg - 1), "lens"),
    (eye(head_pitch_deg=T_EC.lens_pitch_deg + 1), "away"),
    (eye(eye_open_norm=T_EC.min_eye_open_norm - 0.01), "away"),
    (eye(eye_open_norm=T_EC.min_eye_open_norm + 0.01), "lens"),
    (eye(head_pitch_deg=(T_EC.screen_pitch_min_deg + T_EC.screen_pitch_max_deg) / 2), "screen"),
    (eye(face_iod_px=Q.min_face_iod_px - 1), "unknown"),
    (eye(face_fit_rms_norm=Q.max_face_fit_rms_norm + 0.01), "unknown"),
    (Features(0, {}), "unknown"),
])
def test_eye_contact_table(features: Features, expected: str) -> None:
    c = classify_eye_contact(features, T_EC, Q)
    assert c.label == expected
    assert 0.0 <= c.score <= 1.0
    assert EyeContactClassifier(T_EC, Q)(features) == c


def test_eye_contact_profile_moves_lens_and_screen() -> None:
    prof = CalibrationProfile(lens_yaw_deg=20.0, lens_pitch_deg=-5.0, screen_yaw_deg=-35.0, screen_pitch_deg=0.0,
                              screen_radius_deg=10.0)
    assert classify_eye_contact(eye(head_yaw_deg=20.0, head_pitch_deg=-5.0), T_EC, Q, prof).label == "lens"
    assert classify_eye_contact(eye(head_yaw_deg=0.0), T_EC, Q, prof).label == "away"
    assert classify_eye_contact(eye(head_yaw_deg=-15.0, head_pitch_deg=-5.0), T_EC, Q, prof).label == "screen"


# --- smile ----------------------------------------------------------------------------------------
T_SM = CFG.smile
MODEL = load_smile_model(T_SM.model)
# Face measures of the hand-built neutral face and of the same face smiling (corners up, cheeks raised).
NEUTRAL = {**extract_features(make_landmarks(pose=False, hands=False)).values}
SMILE = {**extract_features(make_landmarks(pose=False, hands=False, smile=0.15, cheek=0.08)).values,
         "lip_gap_norm": 0.0, "smile_asym_norm": 0.01}
# A broad, open-lipped smile (the only kind that can be "forced").
BROAD = {**extract_features(make_landmarks(pose=False, hands=False, smile=0.15, lip_gap=0.2)).values,
         "smile_asym_norm": 0.01}


@pytest.mark.parametrize("values,expected", [
    (NEUTRAL, "none"),
    (SMILE, "warm"),
    ({**SMILE, "lip_gap_norm": T_SM.open_lip_gap_norm - 0.01}, "warm"),
    ({**SMILE, "lip_gap_norm": T_SM.open_lip_gap_norm + 0.01, "mouth_open_norm": 0.4}, "open"),
    ({**SMILE, "smile_asym_norm": T_SM.one_sided_asym_norm + 0.01}, "one_sided"),
    ({**SMILE, "smile_asym_norm": T_SM.one_sided_asym_norm - 0.01}, "warm"),
    ({**BROAD, "lower_lid_drop_norm": T_SM.forced_min_lower_lid_drop_norm + 0.002,
      "eye_open_norm": T_SM.forced_min_eye_open_norm + 0.02}, "forced"),
    ({**BROAD, "lower_lid_drop_norm": T_SM.forced_min_lower_lid_drop_norm - 0.002,
      "eye_open_norm": T_SM.forced_min_eye_open_norm + 0.02}, "open"),
    ({**BROAD, "lower_lid_drop_norm": T_SM.forced_min_lower_lid_drop_norm + 0.002,
      "eye_open_norm": T_SM.forced_min_eye_open_norm - 0.02}, "open"),
    # a small closed-lip smile is warm even without cheek raise
    ({**SMILE, "lower_lid_drop_norm": T_SM.forced_min_lower_lid_drop_norm + 0.01,
      "eye_open_norm": T_SM.forced_min_eye_open_norm + 0.05}, "warm"),
    ({**SMILE, "head_yaw_deg": T_SM.max_abs_yaw_deg + 1}, "unknown"),
    ({**SMILE, "face_iod_px": 1.0}, "unknown"),
    ({k: v for k, v in SMILE.items() if k != "lip_gap_norm"}, "unknown"),
])
def test_smile_table(values: dict[str, float], expected: str) -> None:
    # The table exercises the one-sided and forced rules too, so both are switched on here.
    t = replace(T_SM, emit_one_sided=True, emit_forced=True)
    f = F(**values)
    c = classify_smile(f, t, Q, MODEL)
    assert c.label == expected
    assert SmileClassifier(t, Q)(f) == c


def test_shipped_thresholds_never_emit_unvalidated_smile_types() -> None:
    # One-sided and forced lack validating dev data: the shipped config reports such smiles by their lips.
    assert not T_SM.emit_one_sided and not T_SM.emit_forced
    one_sided = F(**{**SMILE, "smile_asym_norm": T_SM.one_sided_asym_norm + 0.05})
    assert classify_smile(one_sided, T_SM, Q, MODEL).label == "warm"
    no_raise = F(**{**BROAD, "lower_lid_drop_norm": T_SM.forced_min_lower_lid_drop_norm + 0.01,
                    "eye_open_norm": T_SM.forced_min_eye_open_norm + 0.05})
    assert classify_smile(no_raise, T_SM, Q, MODEL).label == "open"
    assert classify_smile(no_raise, replace(T_SM, emit_forced=True), Q, MODEL).label == "forced"


def test_smile_presence_boundary() -> None:
    t = replace(T_SM, presence_min_prob=0.5)
    p = MODEL.probability(F(**SMILE).values)
    assert classify_smile(F(**SMILE), replace(t, presence_min_prob=p - 0.01), Q, MODEL).label != "none"
    assert classify_smile(F(**SMILE), replace(t, presence_min_prob=min(1.0, p + 0.01)), Q, MODEL).label == "none"


def test_forced_is_relative_to_the_neutral_face_with_a_profile() -> None:
    f = F(**{**BROAD, "lower_lid_drop_norm": 0.045, "eye_open_norm": 0.4})
    t = replace(T_SM, emit_forced=True)
    assert classify_smile(f, t, Q, MODEL).label == "open"  # absolute rule: the lids look raised
    prof = CalibrationProfile(neutral={"lower_lid_drop_norm": 0.045, "eye_open_norm": 0.4})
    assert classify_smile(f, t, Q, MODEL, prof).label == "forced"  # this person's lids did not rise


# --- head -----------------------------------------------------------------------------------------
T_H = CFG.head


@pytest.mark.parametrize("values,expected", [
    ({"head_yaw_deg": 0.0, "head_pitch_deg": 0.0}, "upright"),
    ({"head_yaw_deg": T_H.turned_yaw_deg - 1, "head_pitch_deg": 0.0}, "upright"),
    ({"head_yaw_deg": T_H.turned_yaw_deg + 1, "head_pitch_deg": 0.0}, "turned"),
    ({"head_yaw_deg": -T_H.turned_yaw_deg - 1, "head_pitch_deg": 0.0}, "turned"),
    ({"head_yaw_deg": 0.0, "head_pitch_deg": 0.0, "hand_face_dist_iod": T_H.propped_hand_face_iod - 0.01}, "propped"),
    ({"head_yaw_deg": 0.0, "head_pitch_deg": 0.0, "hand_face_dist_iod": T_H.propped_hand_face_iod + 0.01}, "upright"),
    ({"head_yaw_deg": 40.0, "head_pitch_deg": 0.0, "hand_face_dist_iod": 0.0}, "propped"),
    ({"face_iod_px": 0.0}, "unknown"),
])
def test_head_table(values: dict[str, float], expected: str) -> None:
    f = F(**values)
    assert classify_head(f, T_H, Q).label == expected
    assert HeadClassifier(T_H, Q)(f) == classify_head(f, T_H, Q)


# --- arms -----------------------------------------------------------------------------------------
T_A = CFG.arms


def arms(**v: float) -> Features:
    base = {"shoulder_width_px": 300.0, "hands_visible": 2.0, "wrist_cross_elbow_sw": 1.5}
    for s in "lr":
        base.update({f"{s}_wrist_vis": 0.9, f"{s}_elbow_vis": 0.9, f"{s}_wrist_in_frame": 1.0,
                     f"{s}_wrist_out_sw": 0.4, f"{s}_forearm_vert_deg": 60.0, f"{s}_wrist_up_sw": -0.5})
    base.update(v)
    return Features(0, base)


def both(name: str, value: float) -> dict[str, float]:
    return {f"l_{name}": value, f"r_{name}": value}


@pytest.mark.parametrize("features,expected", [
    (arms(), "other"),
    (arms(wrist_cross_elbow_sw=T_A.crossed_wrist_elbow_sw - 0.05, **both("forearm_vert_deg", 10.0)), "crossed_chest"),
    (arms(wrist_cross_elbow_sw=T_A.crossed_wrist_elbow_sw + 0.05, **both("forearm_vert_deg", 10.0)), "other"),
    (arms(wrist_cross_elbow_sw=0.3, **both("forearm_vert_deg", 10.0),
          **both("wrist_up_sw", T_A.crossed_chest_min_up_sw - 0.1)), "crossed_table"),
    (arms(**both("forearm_vert_deg", 20.0), **both("wrist_up_sw", T_A.extended_max_wrist_up_sw - 0.05)), "extended"),
    (arms(**both("forearm_vert_deg", 20.0), **both("wrist_up_sw", T_A.extended_max_wrist_up_sw + 0.05)), "other"),
    (arms(**both("forearm_vert_deg", T_A.down_min_vert_deg + 5), **both("wrist_up_sw", -1.5)), "down"),
    (arms(hands_visible=0.0, **both("forearm_vert_deg", T_A.down_min_vert_deg + 5), **both("wrist_up_sw", -1.5)),
     "hidden"),
    (arms(**both("wrist_vis", T_A.hidden_max_visibility - 0.05)), "hidden"),
    (arms(**both("wrist_in_frame", 0.0)), "hidden"),
    (Features(0, {}), "unknown"),
])
def test_arms_table(features: Features, expected: str) -> None:
    assert classify_arms(features, T_A, Q).label == expected
    assert ArmsClassifier(T_A, Q)(features) == classify_arms(features, T_A, Q)


# --- palm, hands, posture -------------------------------------------------------------------------
@pytest.mark.parametrize("values,expected", [
    ({"hands_visible": 1.0, "palm_facing": 0.7}, "palm"),
    ({"hands_visible": 1.0, "palm_facing": -0.7}, "back"),
    ({"hands_visible": 0.0, "shoulder_width_px": 300.0}, "not_visible"),
    ({"hands_visible": 0.0}, "unknown"),
    ({}, "unknown"),
])
def test_palm_table(values: dict[str, float], expected: str) -> None:
    f = Features(0, values)
    assert classify_palm(f, CFG.palm).label == expected
    assert PalmClassifier(CFG.palm)(f) == classify_palm(f, CFG.palm)


def test_palm_edge_on_is_unknown() -> None:
    t = replace(CFG.palm, min_abs_facing=0.2)
    assert classify_palm(Features(0, {"hands_visible": 1.0, "palm_facing": 0.1}), t).label == "unknown"
    assert classify_palm(Features(0, {"hands_visible": 1.0, "palm_facing": 0.3}), t).label == "palm"


@pytest.mark.parametrize("values,expected", [
    ({"hands_visible": 2.0, "hand_gap_sw": CFG.hands.together_gap_sw - 0.05}, "together"),
    ({"hands_visible": 2.0, "hand_gap_sw": CFG.hands.together_gap_sw + 0.05}, "open"),
    ({"hands_visible": 1.0}, "open"),
    ({"hands_visible": 0.0, "shoulder_width_px": 300.0}, "not_visible"),
    ({"hands_visible": 0.0}, "unknown"),
    ({}, "unknown"),
])
def test_hands_table(values: dict[str, float], expected: str) -> None:
    f = Features(0, values)
    assert classify_hands(f, CFG.hands).label == expected
    assert HandsClassifier(CFG.hands)(f) == classify_hands(f, CFG.hands)


T_P = CFG.posture


@pytest.mark.parametrize("values,expected", [
    ({"shoulder_tilt_deg": 0.0, "nose_up_sw": 0.7}, "upright"),
    ({"shoulder_tilt_deg": T_P.leaning_tilt_deg + 1, "nose_up_sw": 0.7}, "leaning"),
    ({"shoulder_tilt_deg": T_P.leaning_tilt_deg - 1, "nose_up_sw": 0.7}, "upright"),
    ({"shoulder_tilt_deg": 0.0, "nose_up_sw": 0.7, "torso_lean_deg": -(T_P.leaning_tilt_deg + 1)}, "leaning"),
    ({"shoulder_tilt_deg": 0.0, "nose_up_sw": T_P.slumped_max_nose_up_sw - 0.05}, "slumped"),
    ({"shoulder_tilt_deg": 0.0, "nose_up_sw": T_P.slumped_max_nose_up_sw + 0.05}, "upright"),
    ({"shoulder_tilt_deg": 0.0}, "unknown"),
])
def test_posture_table(values: dict[str, float], expected: str) -> None:
    f = Features(0, values)
    assert classify_posture(f, T_P).label == expected
    assert PostureClassifier(T_P)(f) == classify_posture(f, T_P)


def test_posture_profile_is_relative() -> None:
    prof = CalibrationProfile(neutral={"nose_up_sw": 1.0, "shoulder_tilt_deg": 5.0})
    f = Features(0, {"shoulder_tilt_deg": 12.0, "nose_up_sw": 0.7})
    assert classify_posture(f, T_P, prof).label == "slumped"  # 30 % below this person's upright
    assert classify_posture(Features(0, {"shoulder_tilt_deg": 12.0, "nose_up_sw": 0.9}), T_P, prof).label == "upright"


# --- every category end to end on hand-built landmarks ----------------------------------------------
def labels(**kw: object) -> dict[Behaviour, str]:
    res = Analyzer(CFG).step(make_landmarks(**kw))  # type: ignore[arg-type]
    return {b: res.label(b) for b in Behaviour}


@pytest.mark.parametrize("kw,behaviour,expected", [
    ({}, Behaviour.EYE_CONTACT, "lens"),
    ({"yaw_deg": 35.0}, Behaviour.EYE_CONTACT, "away"),
    ({"pitch_deg": -40.0}, Behaviour.EYE_CONTACT, "screen"),
    ({"eye_open": 0.2}, Behaviour.EYE_CONTACT, "away"),
    ({}, Behaviour.SMILE, "none"),
    ({"smile": 0.15, "cheek": 0.08}, Behaviour.SMILE, "warm"),
    ({"smile": 0.09, "cheek": 0.12, "lip_gap": 0.2}, Behaviour.SMILE, "open"),
    ({"smile": 0.15, "asym": 0.15, "cheek": 0.08}, Behaviour.SMILE, "warm"),  # one-sided is not emitted (unvalidated)
    ({}, Behaviour.HEAD, "upright"),
    ({"yaw_deg": 35.0}, Behaviour.HEAD, "turned"),
    ({"prop_chin": True}, Behaviour.HEAD, "propped"),
    ({}, Behaviour.ARMS, "extended"),
    ({"arms": "crossed"}, Behaviour.ARMS, "crossed_chest"),
    ({"arms": "down"}, Behaviour.ARMS, "down"),
    ({"arms": "hidden"}, Behaviour.ARMS, "hidden"),
    ({}, Behaviour.PALM, "palm"),
    ({"mirrored": True}, Behaviour.PALM, "palm"),
    ({"pose": False, "hands": False}, Behaviour.PALM, "out_of_view"),  # a face only: the hands are not in view
    ({}, Behaviour.HANDS, "open"),
    ({"hands": False}, Behaviour.HANDS, "not_visible"),
    ({}, Behaviour.POSTURE, "slumped"),  # the recorded presenter leans over the desk: nose low over shoulders
    ({"face": False, "pose": False, "hands": False}, Behaviour.SMILE, "unknown"),
    ({"face": False, "pose": False, "hands": False}, Behaviour.ARMS, "unknown"),
])
def test_every_category_on_hand_built_landmarks(kw: dict[str, object], behaviour: Behaviour, expected: str) -> None:
    assert labels(**kw)[behaviour] == expected


def test_eye_contact_model_inputs_and_turned_head_penalty() -> None:
    from bodycoach.classifiers.eye_contact import EYE_CONTACT_INPUTS, eye_contact_inputs
    from bodycoach.classifiers.linear import LinearModel

    # A head turned 22 deg with the iris offset bringing the gaze back to the lens (22 - 150 * 0.147 ~ 0).
    turned = F(face_iod_px=60.0, face_fit_rms_norm=0.03, head_yaw_deg=22.0, head_pitch_deg=0.0,
               iris_h_norm=0.147, iris_v_norm=-0.02, eye_open_norm=0.3)
    frontal = F(face_iod_px=60.0, face_fit_rms_norm=0.03, head_yaw_deg=0.0, head_pitch_deg=0.0,
                iris_h_norm=0.0, iris_v_norm=-0.02, eye_open_norm=0.3)
    ins = eye_contact_inputs(turned, T_EC)
    assert set(ins) == set(EYE_CONTACT_INPUTS)
    assert ins["head_yaw_sq_deg2"] == pytest.approx(22.0 ** 2) and ins["gaze_yaw_sq_deg2"] < 1.0
    assert ins["eye_closing_norm"] == 0.0
    # The ellipse is compensated by the iris; a model with a head-yaw term is not.
    assert classify_eye_contact(turned, T_EC, Q).label == "lens"
    model = LinearModel(features=EYE_CONTACT_INPUTS, mean=(0.0, 0.0, 0.0, 0.0), scale=(100.0, 400.0, 100.0, 0.05),
                        weights=(-2.0, -1.0, -2.0, -1.0), intercept=2.0)
    assert classify_eye_contact(frontal, T_EC, Q, model=model).label == "lens"
    assert classify_eye_contact(turned, T_EC, Q, model=model).label == "away"
    # A missing input is unknown, never a guess.
    no_iris = F(**{k: v for k, v in frontal.values.items() if k != "iris_h_norm"})
    assert classify_eye_contact(no_iris, T_EC, Q, model=model).label == "unknown"


def test_face_too_small_reason() -> None:
    from bodycoach.classifiers.common import FACE_TOO_SMALL, REASON_TEXT, face_unknown_reason

    small = F(face_iod_px=Q.min_face_iod_px - 1, face_fit_rms_norm=0.03)
    assert face_unknown_reason(small, Q) == FACE_TOO_SMALL
    assert REASON_TEXT[FACE_TOO_SMALL]["no"] == "for lite i bildet"
    assert classify_eye_contact(small, T_EC, Q).label == "unknown"
    assert face_unknown_reason(F(face_iod_px=Q.min_face_iod_px + 20, face_fit_rms_norm=0.03), Q) is None
    assert face_unknown_reason(F(), Q) is None  # no face at all: nothing says it was the size
