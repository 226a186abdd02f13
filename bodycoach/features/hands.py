"""Hand features: which side of each hand faces the camera, and how far apart the hands are.

Palm side from geometry: the winding of wrist → index knuckle → pinky knuckle in the image is fixed for a
given hand chirality and facing. For the person's right hand seen palm-on in a non-mirrored frame, the
2-D cross product (index − wrist) × (pinky − wrist) is negative (image y grows downward); the left hand,
a mirrored view or the back of the hand each flip the sign. ``palm_facing`` below is +1 for a palm fully
toward the camera, −1 for the back, near 0 when the hand is edge-on.

The winding needs the hand's identity: the adapter takes it from the nearest pose wrist when there is a
body, else from the hand model's own handedness (an isolated hand, the true unmirrored view). Rules that
qualified the sign by where the hand was (folded in crossed arms, over the face, on the head, a 3-D finger
curl overriding the side) rested on 1-3 dev rows each and were removed (calibration/README.md, support).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import numpy.typing as npt

from bodycoach.features.geometry import COORD_LIMIT, to_pixels, valid_points
from bodycoach.landmarks.indices import Hand, Pose


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


def _points_px(a: npt.NDArray[np.floating[Any]], image_wh: tuple[int, int]) -> list[tuple[float, float, float] | None]:
    """Rows as square-pixel ``(x·W, y·H, z·W)`` floats; None for a broken row (the ``valid_points`` test).

    Plain floats: the per-hand geometry below is a few dozen operations, far cheaper without numpy calls.
    """
    if valid_points(a):  # the usual case: one check, one conversion
        return [(x, y, z) for x, y, z in to_pixels(a, image_wh).tolist()]
    w, h = image_wh
    if w <= 0 or h <= 0:
        w, h = 1, 1
    out: list[tuple[float, float, float] | None] = []
    for x, y, z, *_ in a.tolist():
        ok = abs(x - 0.5) <= COORD_LIMIT and abs(y - 0.5) <= COORD_LIMIT and abs(z) <= 10 * COORD_LIMIT
        out.append((x * w, y * h, z * w) if ok else None)
    return out


def _winding(pts: list[tuple[float, float, float] | None], is_left: bool, mirrored: bool) -> tuple[float, float]:
    """``(palm_facing, hand_size_px)`` from pixel points: the same as :func:`palm_facing` / ``hand_size_px``."""
    w, i, k, m = pts[Hand.WRIST], pts[Hand.INDEX_MCP], pts[Hand.PINKY_MCP], pts[Hand.MIDDLE_MCP]
    if w is None or i is None or k is None or m is None:
        return math.nan, math.nan
    ax, ay, bx, by = i[0] - w[0], i[1] - w[1], k[0] - w[0], k[1] - w[1]
    na, nb = math.hypot(ax, ay), math.hypot(bx, by)
    if na <= 1e-9 or nb <= 1e-9:
        return math.nan, math.nan
    sign = -1.0  # right hand, palm-on, non-mirrored
    if is_left:
        sign = -sign
    if mirrored:
        sign = -sign
    return sign * (ax * by - ay * bx) / (na * nb), math.hypot(m[0] - w[0], m[1] - w[1])


def hand_features(left: npt.NDArray[np.floating[Any]] | None, right: npt.NDArray[np.floating[Any]] | None,
                  face: npt.NDArray[np.floating[Any]] | None, pose: npt.NDArray[np.floating[Any]] | None,
                  image_wh: tuple[int, int], mirrored: bool, min_visibility: float,
                  iod_px: float) -> dict[str, float]:
    """Palm side of each hand and of the most visible (largest) one.

    Args:
        left: The person's left hand (21, 4) or None (after the pose-based side check).
        right: The person's right hand or None.
        face: (478, 4) face mesh or None (unused; kept for the caller's signature).
        pose: (33, 4) BlazePose points or None (coarse hand points when the hand model found no hand).
        image_wh: Frame size in pixels.
        mirrored: Whether the view is mirrored (``pose_mirrored``).
        min_visibility: Pose visibility below which a pose point is not used.
        iod_px: Inter-ocular distance in pixels (unused; kept for the caller's signature).

    Returns:
        Per hand ``{l,r}_palm_facing`` and ``{l,r}_hand_size_px``; ``palm_facing`` of the larger hand; without
        a measurable hand-model hand, ``palm_facing`` and ``palm_from_pose`` = 1 from the pose's coarse hand
        points. Values may be NaN (the caller drops them).
    """
    out: dict[str, float] = {}
    best_size = -1.0
    for name, h, is_left in (("l", left, True), ("r", right, False)):
        if h is None or h.shape[0] < 21:
            continue
        pf, size = _winding(_points_px(h, image_wh), is_left, mirrored)
        if math.isfinite(pf):
            out[f"{name}_palm_facing"] = pf
            out[f"{name}_hand_size_px"] = size
            # The most visible hand: the larger one in the image.
            if size > best_size:
                best_size = size
                out["palm_facing"] = pf
    if best_size < 0 and pose is not None:
        # No hand-model hand: fall back to the pose's coarse hand points (the more visible side).
        best_vis = -1.0
        for is_left, w in ((True, Pose.LEFT_WRIST), (False, Pose.RIGHT_WRIST)):
            pf = pose_palm_facing(pose, image_wh, is_left, mirrored, min_visibility)
            vis = float(pose[w, 3])
            if math.isfinite(pf) and vis > best_vis:
                best_vis = vis
                out["palm_facing"] = pf
                out["palm_from_pose"] = 1.0
    return out


def hand_size_px(hand: npt.NDArray[np.floating[Any]] | None, image_wh: tuple[int, int]) -> float:
    """Wrist to middle knuckle distance in pixels (hand scale); NaN when not measurable."""
    if hand is None or not valid_points(hand, (Hand.WRIST, Hand.MIDDLE_MCP)):
        return math.nan
    p = to_pixels(hand, image_wh)
    return float(np.linalg.norm(p[Hand.MIDDLE_MCP, :2] - p[Hand.WRIST, :2]))
