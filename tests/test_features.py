"""Features on hand-built landmarks (tests/landmark_builder.py): geometry, units, mirroring, broken input."""

from __future__ import annotations

import math

import numpy as np
import pytest

from bodycoach.features.extract import extract_features
from bodycoach.types import Landmarks
from tests.landmark_builder import make_face, make_landmarks, mirror


def feats(**kw: object) -> dict[str, float]:
    return dict(extract_features(make_landmarks(**kw)).values)  # type: ignore[arg-type]


@pytest.mark.parametrize("yaw,pitch,roll", [(0, 0, 0), (20, 0, 0), (-35, 0, 0), (0, 15, 0), (0, -20, 0),
                                            (0, 0, 12), (15, -10, 8)])
def test_head_pose_recovers_known_rotation(yaw: float, pitch: float, roll: float) -> None:
    f = feats(yaw_deg=yaw, pitch_deg=pitch, roll_deg=roll)
    assert f["head_yaw_deg"] == pytest.approx(yaw, abs=1.0)
    assert f["head_pitch_deg"] == pytest.approx(pitch, abs=1.0)
    assert f["head_roll_deg"] == pytest.approx(roll, abs=1.0)


def test_face_shape_features_do_not_depend_on_scale_or_rotation() -> None:
    base = feats(smile=0.06)
    for kw in ({"yaw_deg": 25.0}, {"roll_deg": 15.0}, {"pitch_deg": -12.0}):
        f = feats(smile=0.06, **kw)
        for k in ("smile_lift_norm", "mouth_width_norm", "lip_gap_norm", "eye_open_norm"):
            assert f[k] == pytest.approx(base[k], abs=0.01), (kw, k)
    small = Landmarks(0, (1280, 720), face=make_face(smile=0.06, iod_px=25.0))
    f = extract_features(small).values
    assert f["smile_lift_norm"] == pytest.approx(base["smile_lift_norm"], abs=0.01)
    assert f["face_iod_px"] == pytest.approx(25.0, rel=0.05)


@pytest.mark.parametrize("kw,name,direction", [
    ({"smile": 0.08}, "smile_lift_norm", +1), ({"smile": 0.08}, "mouth_width_norm", +1),
    ({"lip_gap": 0.2}, "lip_gap_norm", +1), ({"asym": 0.08}, "smile_asym_norm", +1),
    ({"iris_h": 0.1}, "iris_h_norm", +1), ({"eye_open": 0.4}, "eye_open_norm", -1),
    ({"cheek": 0.1}, "cheek_mouth_norm", +1),
])
def test_face_edits_move_their_feature(kw: dict[str, float], name: str, direction: int) -> None:
    neutral, edited = feats()[name], feats(**kw)[name]
    assert (edited - neutral) * direction > 0.02


def test_arms_features() -> None:
    assert feats(arms="crossed")["wrist_cross_elbow_sw"] < 0.3
    assert feats(arms="extended")["wrist_cross_elbow_sw"] > 0.8
    down = feats(arms="down")
    assert down["l_forearm_vert_deg"] > 80 and down["l_wrist_up_sw"] < -1.2 and down["l_wrist_in_frame"] == 1.0
    assert feats(arms="hidden")["hands_visible"] == 0


def test_prop_chin_puts_a_hand_on_the_lower_face() -> None:
    assert feats(prop_chin=True)["hand_face_dist_iod"] < 0.2
    assert feats()["hand_face_dist_iod"] > 1.0


def test_mirrored_view_keeps_own_side_features() -> None:
    a = extract_features(make_landmarks()).values
    b = extract_features(mirror(make_landmarks())).values
    assert b["pose_mirrored"] == 1.0 and a["pose_mirrored"] == 0.0
    for k in ("palm_facing", "l_wrist_out_sw", "r_wrist_out_sw", "wrist_cross_elbow_sw", "hand_gap_sw"):
        assert b[k] == pytest.approx(a[k], abs=1e-4), k


def test_palm_sign_flips_when_the_hand_shows_its_back() -> None:
    lm = make_landmarks()
    assert lm.left_hand is not None and lm.right_hand is not None
    # The back of a hand = the same 2-D outline with the chirality swapped: give each side the other's
    # hand mirrored about its own wrist.
    def flip_about_wrist(h: np.ndarray) -> np.ndarray:
        out = h.copy()
        out[:, 0] = 2 * h[0, 0] - h[:, 0]
        return out

    back = Landmarks(0, lm.image_wh, pose=lm.pose, face=lm.face, left_hand=flip_about_wrist(lm.left_hand),
                     right_hand=flip_about_wrist(lm.right_hand), num_faces=1)
    assert extract_features(lm).values["palm_facing"] > 0.5
    assert extract_features(back).values["palm_facing"] < -0.5


def test_empty_and_partial_landmarks() -> None:
    f = extract_features(Landmarks.empty(5)).values
    assert f["hands_visible"] == 0 and "head_yaw_deg" not in f and "shoulder_width_px" not in f
    only_face = extract_features(make_landmarks(pose=False, hands=False)).values
    assert "head_yaw_deg" in only_face and "shoulder_width_px" not in only_face


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf, 1e6])
def test_broken_face_points_make_the_face_unmeasurable(bad: float) -> None:
    lm = make_landmarks()
    assert lm.face is not None
    face = lm.face.copy()
    face[61, 1] = bad  # a mouth corner
    f = extract_features(Landmarks(0, lm.image_wh, pose=lm.pose, face=face)).values
    assert "head_yaw_deg" not in f and "smile_lift_norm" not in f
    assert all(math.isfinite(v) for v in f.values())
