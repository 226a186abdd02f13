"""What the camera can see of the person: per-frame measurements behind ``bodycoach.types.View``.

Pure (numpy only). From the BlazePose points: whether the shoulders, the elbows and the hips are seen
(pose visibility at or above a threshold *and* inside the picture with a margin: MediaPipe extrapolates
points beyond the frame edge, often still with a fair visibility; for the elbows only where they lie
counts, since arms kept out of sight still leave their place in the picture), and how far the picture reaches below
the shoulder line, in shoulder widths (``view_below_shoulders_sw``: where a counter and forearms resting on
it would be). NaN = not measurable. ``bodycoach/classifiers/view.py`` turns these into a ``View``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import numpy.typing as npt

from bodycoach.landmarks.indices import Pose
from bodycoach.types import Landmarks

_PAIRS = {
    "shoulders": (int(Pose.LEFT_SHOULDER), int(Pose.RIGHT_SHOULDER)),
    "elbows": (int(Pose.LEFT_ELBOW), int(Pose.RIGHT_ELBOW)),
    "hips": (int(Pose.LEFT_HIP), int(Pose.RIGHT_HIP)),
}
# Pose points of each hand (wrist, pinky, index, thumb): a hand is in the picture when any of them is seen.
_HAND_POINTS = ((15, 17, 19, 21), (16, 18, 20, 22))

VIEW_FEATURES = ("view_face", "view_shoulders_seen", "view_elbows_seen", "view_hips_seen", "view_wrists_seen",
                 "view_below_shoulders_sw", "view_hands_seen")


def _seen(pose: npt.NDArray[np.floating[Any]], i: int, min_visibility: float, edge_margin: float) -> bool:
    """Point ``i`` lies inside the picture (bottom margin ``edge_margin``) with at least ``min_visibility``."""
    x, y, _z, v = (float(a) for a in pose[i])
    if not (math.isfinite(x) and math.isfinite(y) and math.isfinite(v)):
        return False
    m = edge_margin
    return v >= min_visibility and -m <= x <= 1.0 + m and 0.0 <= y <= 1.0 - m


def view_measures(lm: Landmarks, min_visibility: float, edge_margin: float) -> dict[str, float]:
    """Per-frame view measurements of ``lm``.

    Args:
        lm: The frame's landmarks.
        min_visibility: Pose visibility (0..1) at or above which a point counts as seen.
        edge_margin: A point must lie at least this far (fraction of the frame height) above the bottom
            edge to count as inside the picture (sideways a point may lie this far outside: a shoulder cut
            by the side of a close-up still shows the body's outline).

    Returns:
        ``view_face`` (1/0), ``view_shoulders_seen``, ``view_elbows_seen`` (elbows whose estimated
        position lies inside the picture, whatever their visibility), ``view_hips_seen`` and
        ``view_wrists_seen`` (how many of the pair are seen: 0, 1 or 2; "wrists" = any of the pose's points
        of that hand), ``view_hands_seen`` (hands in the picture: the larger of the hand-model hands found
        and the pose hands seen, 0..2) and
        ``view_below_shoulders_sw`` (picture height below the shoulder midpoint, in shoulder widths; NaN
        without both shoulders).
    """
    out: dict[str, float] = {
        "view_face": 1.0 if lm.face is not None else 0.0,
        "view_hands_seen": float((lm.left_hand is not None) + (lm.right_hand is not None)),
        "view_shoulders_seen": 0.0,
        "view_elbows_seen": 0.0,
        "view_hips_seen": 0.0,
        "view_wrists_seen": 0.0,
        "view_below_shoulders_sw": math.nan,
    }
    pose = lm.pose
    if pose is None or pose.shape[0] < 33:
        return out
    for name, (a, b) in _PAIRS.items():  # shoulders, elbows, hips
        # Elbows: where they are, seen or not. "In the picture" is the question: an elbow kept out of
        # sight (behind the back, under the counter) that lies inside the frame leaves its place in view.
        vmin = 0.0 if name == "elbows" else min_visibility
        out[f"view_{name}_seen"] = float(_seen(pose, a, vmin, edge_margin) + _seen(pose, b, vmin, edge_margin))
    out["view_wrists_seen"] = float(sum(any(_seen(pose, i, min_visibility, edge_margin) for i in hand)
                                        for hand in _HAND_POINTS))
    # A hand the pose sees inside the picture is a hand in view even when the hand model missed it (a
    # hand under the chin, over the mouth).
    out["view_hands_seen"] = max(out["view_hands_seen"], out["view_wrists_seen"])
    if out["view_shoulders_seen"] >= 2:
        w, h = lm.image_wh
        if w <= 0 or h <= 0:
            w, h = 1, 1
        (lx, ly), (rx, ry) = pose[_PAIRS["shoulders"][0], :2], pose[_PAIRS["shoulders"][1], :2]
        sw = math.hypot((lx - rx) * w, (ly - ry) * h)
        if sw > 1e-6:
            out["view_below_shoulders_sw"] = float((1.0 - (ly + ry) / 2) * h / sw)
    return out


__all__ = ["VIEW_FEATURES", "view_measures"]
