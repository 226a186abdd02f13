"""Hand features: which side of each hand faces the camera, and how far apart the hands are.

Palm side from geometry: the winding of wrist → index knuckle → pinky knuckle in the image is fixed for a
given hand chirality and facing. For the person's right hand seen palm-on in a non-mirrored frame, the
2-D cross product (index − wrist) × (pinky − wrist) is negative (image y grows downward); the left hand,
a mirrored view or the back of the hand each flip the sign. ``palm_facing`` below is +1 for a palm fully
toward the camera, −1 for the back, near 0 when the hand is edge-on.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import numpy.typing as npt

from bodycoach.features.geometry import to_pixels, valid_points
from bodycoach.landmarks.indices import Hand


def palm_facing(hand: npt.NDArray[np.floating[Any]] | None, image_wh: tuple[int, int], is_left: bool,
                mirrored: bool) -> float:
    """Signed palm-facing score in −1..1 (+ palm toward the camera); NaN when not measurable.

    Args:
        hand: (21, 4) normalised hand points.
        image_wh: Frame size in pixels.
        is_left: Whether this is the person's left hand.
        mirrored: Whether the frame is mirrored (selfie view).
    """
    if hand is None or not valid_points(hand, (Hand.WRIST, Hand.INDEX_MCP, Hand.PINKY_MCP, Hand.MIDDLE_MCP)):
        return math.nan
    p = to_pixels(hand, image_wh)
    a = p[Hand.INDEX_MCP, :2] - p[Hand.WRIST, :2]
    b = p[Hand.PINKY_MCP, :2] - p[Hand.WRIST, :2]
    na, nb = float(np.linalg.norm(a)), float(np.linalg.norm(b))
    if na <= 1e-9 or nb <= 1e-9:
        return math.nan
    cross = float(a[0] * b[1] - a[1] * b[0]) / (na * nb)
    sign = -1.0  # right hand, palm-on, non-mirrored
    if is_left:
        sign = -sign
    if mirrored:
        sign = -sign
    return sign * cross


def pose_palm_facing(pose: npt.NDArray[np.floating[Any]] | None, image_wh: tuple[int, int], is_left: bool,
                     mirrored: bool, min_visibility: float) -> float:
    """The same winding rule on BlazePose's coarse hand points (wrist, index, pinky); NaN when not visible.

    A fallback for hands the hand model does not find (folded, half hidden, small): weaker, but measured.
    """
    if pose is None:
        return math.nan
    w, i, k = (15, 19, 17) if is_left else (16, 20, 18)
    if not valid_points(pose, (w, i, k)) or float(np.min(pose[[w, i, k], 3])) < min_visibility:
        return math.nan
    q = to_pixels(pose[[w, i, k]], image_wh)
    a, b = q[1, :2] - q[0, :2], q[2, :2] - q[0, :2]
    na, nb = float(np.linalg.norm(a)), float(np.linalg.norm(b))
    if na <= 1e-9 or nb <= 1e-9:
        return math.nan
    cross = float(a[0] * b[1] - a[1] * b[0]) / (na * nb)
    sign = -1.0 if not is_left else 1.0
    return -sign * cross if mirrored else sign * cross


def hand_size_px(hand: npt.NDArray[np.floating[Any]] | None, image_wh: tuple[int, int]) -> float:
    """Wrist to middle knuckle distance in pixels (hand scale); NaN when not measurable."""
    if hand is None or not valid_points(hand, (Hand.WRIST, Hand.MIDDLE_MCP)):
        return math.nan
    p = to_pixels(hand, image_wh)
    return float(np.linalg.norm(p[Hand.MIDDLE_MCP, :2] - p[Hand.WRIST, :2]))
