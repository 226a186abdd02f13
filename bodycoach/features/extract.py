"""Landmarks → :class:`~bodycoach.types.Features` for one frame (pure, no state).

Every value is a float with its unit in the name; NaN (or absence) = not measurable. Broken input (NaN,
inf, coordinates far outside the frame) makes the affected part not measurable instead of raising.
"""

from __future__ import annotations

import math
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from bodycoach.features.body import body_features, hand_face_distance
from bodycoach.features.face import FaceReference, face_features
from bodycoach.features.geometry import midpoint_px, valid_points
from bodycoach.features.hands import hand_features, hand_size_px
from bodycoach.landmarks.indices import Hand, Pose
from bodycoach.resources import calibration_file
from bodycoach.types import Features, Landmarks


@lru_cache(maxsize=4)
def load_face_reference(path: str | None = None) -> FaceReference:
    """Load (once) the rigid face reference used for head pose (default ``calibration/face_reference.json``)."""
    return FaceReference.load(Path(path) if path is not None else calibration_file("face_reference.json"))


def _resolve_hands(lm: Landmarks) -> tuple[npt.NDArray[np.floating[Any]] | None, npt.NDArray[np.floating[Any]] | None]:
    """Return (left, right) hands, swapped when the pose wrists clearly say the adapter got them crossed."""
    left, right = lm.left_hand, lm.right_hand
    pose = lm.pose
    if pose is None or not valid_points(pose, (Pose.LEFT_WRIST, Pose.RIGHT_WRIST)):
        return left, right
    pl, pr = pose[Pose.LEFT_WRIST, :2], pose[Pose.RIGHT_WRIST, :2]

    def closer_to_left(h: npt.NDArray[np.floating[Any]]) -> bool | None:
        if not valid_points(h, (Hand.WRIST,)):
            return None
        w = h[Hand.WRIST, :2]
        dl, dr = float(np.linalg.norm(w - pl)), float(np.linalg.norm(w - pr))
        if min(dl, dr) > 0.6 * max(dl, dr):  # ambiguous: keep the adapter's word
            return None
        return dl < dr

    if left is not None and right is None and closer_to_left(left) is False:
        return None, left
    if right is not None and left is None and closer_to_left(right) is True:
        return right, None
    if left is not None and right is not None and closer_to_left(left) is False and closer_to_left(right) is True:
        return right, left
    return left, right


def extract_features(lm: Landmarks, ref: FaceReference | None = None, min_visibility: float = 0.5) -> Features:
    """Compute every per-frame feature of ``lm``.

    Args:
        lm: One frame's landmarks.
        ref: Face reference for head pose (the shipped one when None).
        min_visibility: Pose visibility (0..1) below which a body point counts as not visible.
    """
    ref = ref or load_face_reference()
    lm = lm.true_view()  # a mirrored frame's face is a mirror image: head pose and gaze need the real one
    wh = lm.image_wh
    v: dict[str, float] = {}
    v.update(face_features(lm.face, wh, ref))
    v.update(body_features(lm.pose, wh, min_visibility))
    v["num_faces"] = float(lm.num_faces)
    mirrored = v.get("pose_mirrored", 0.0) > 0.5
    left, right = _resolve_hands(lm)
    hands = [h for h in (left, right) if h is not None and valid_points(h, (Hand.WRIST,))]
    v["hands_visible"] = float(len(hands))
    v.update(hand_features(left, right, lm.face, lm.pose, wh, mirrored, min_visibility,
                           v.get("face_iod_px", math.nan)))
    if left is not None and right is not None and valid_points(left, (0, 9)) and valid_points(right, (0, 9)):
        (plx, ply), (prx, pry) = midpoint_px(left, 0, 9, wh), midpoint_px(right, 0, 9, wh)
        scale = v.get("shoulder_width_px", math.nan)
        if not math.isfinite(scale):
            scale = 4.0 * float(np.nanmean([hand_size_px(left, wh), hand_size_px(right, wh)]))
        if math.isfinite(scale) and scale > 0:
            v["hand_gap_sw"] = math.hypot(plx - prx, ply - pry) / scale
    iod = v.get("face_iod_px", math.nan)
    v["hand_face_dist_iod"], v["hand_face_finger_up_iod"] = hand_face_distance(lm.face, hands, lm.pose, wh, iod,
                                                                               min_visibility)
    clean = {k: float(x) for k, x in v.items() if math.isfinite(x)}
    return Features(timestamp_ms=lm.timestamp_ms, values=clean, mouth_hog=lm.mouth_hog)
