"""Hand features: which side of each hand faces the camera, and how far apart the hands are.

Palm side from geometry: the winding of wrist → index knuckle → pinky knuckle in the image is fixed for a
given hand chirality and facing. For the person's right hand seen palm-on in a non-mirrored frame, the
2-D cross product (index − wrist) × (pinky − wrist) is negative (image y grows downward); the left hand,
a mirrored view or the back of the hand each flip the sign. ``palm_facing`` below is +1 for a palm fully
toward the camera, −1 for the back, near 0 when the hand is edge-on.

The winding needs the hand's identity, which the adapter takes from the nearest pose wrist; that is wrong
when the wrists are hidden (crossed arms, hands over the mouth). The hand model's 3-D points carry their own
chirality: fingers curl toward the palm side, so the fingertips' offset along the knuckle-plane normal has
the sign of the hand's side (``palm_curl_hl``; large only for clearly curled fingers).

Lengths marked ``_hl`` are in hand lengths: the mean image distance from the wrist to the four finger
knuckles. ``_iod`` lengths are in inter-ocular distances of the face.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import numpy.typing as npt

from bodycoach.features.geometry import COORD_LIMIT, to_pixels, valid_points
from bodycoach.landmarks.indices import Face, Hand, Pose


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


_TIPS = (int(Hand.INDEX_TIP), int(Hand.MIDDLE_TIP), 16, int(Hand.PINKY_TIP))  # 16: ring fingertip
_KNUCKLES = (int(Hand.INDEX_MCP), int(Hand.MIDDLE_MCP), int(Hand.RING_MCP), int(Hand.PINKY_MCP))
_PALM = (int(Hand.WRIST), *_KNUCKLES)
# Face points read per frame: the outline's top, chin and side extremes (forehead, chin, the face edges at
# temple, eye and cheek height) for the face box, then the outer eye corners.
_FACE_PTS = np.asarray([10, 152, 234, 454, 127, 356, 93, 323, Face.RIGHT_EYE_OUTER, Face.LEFT_EYE_OUTER],
                       dtype=np.intp)

Px = list[tuple[float, float, float]]


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


def _complete(pts: list[tuple[float, float, float] | None]) -> Px | None:
    """The points when every one is measurable, else None."""
    if len(pts) < 21 or any(q is None for q in pts):
        return None
    return [q for q in pts if q is not None]


def _shape(p: Px, is_left: bool, mirrored: bool) -> tuple[float, float]:
    wx, wy, wz = p[0]
    hl = sum(math.hypot(p[k][0] - wx, p[k][1] - wy) for k in _KNUCKLES) / 4
    if not hl > 1e-9:
        return math.nan, math.nan
    ext = sum(math.hypot(p[k][0] - wx, p[k][1] - wy) for k in _TIPS) / 4 / hl
    ax, ay, az = p[Hand.INDEX_MCP][0] - wx, p[Hand.INDEX_MCP][1] - wy, p[Hand.INDEX_MCP][2] - wz
    bx, by, bz = p[Hand.PINKY_MCP][0] - wx, p[Hand.PINKY_MCP][1] - wy, p[Hand.PINKY_MCP][2] - wz
    nx, ny, nz = ay * bz - az * by, az * bx - ax * bz, ax * by - ay * bx
    nn = math.sqrt(nx * nx + ny * ny + nz * nz)
    if not nn > 1e-9:
        return math.nan, ext
    off = sum((p[k][0] - wx) * nx + (p[k][1] - wy) * ny + (p[k][2] - wz) * nz for k in _TIPS) / 4 / (nn * hl)
    # Right hand in the true view: fingers curl along +normal (dev: every curled hand beyond ±0.25 agreed
    # with this sign except one whose pose-assigned side was wrong).
    sign = -1.0 if is_left else 1.0
    if mirrored:
        sign = -sign
    return sign * off, ext


def hand_shape(hand: npt.NDArray[np.floating[Any]] | None, image_wh: tuple[int, int], is_left: bool,
               mirrored: bool) -> tuple[float, float]:
    """Finger curl toward the assigned side's palm, and finger extension, both in hand lengths.

    Returns:
        ``(curl, extension)``: ``curl`` is the mean fingertip offset from the wrist–index–pinky plane
        along that plane's normal, signed so that fingers curling the way the assigned hand's (``is_left``)
        palm faces are positive; clearly negative means the 3-D shape is the other hand. ``extension`` is
        the mean fingertip-to-wrist distance in the image (about 2 for an open hand, 1 or less for a fist).
        NaN when a point is missing or the hand is degenerate.
    """
    p = None if hand is None else _complete(_points_px(hand, image_wh))
    return (math.nan, math.nan) if p is None else _shape(p, is_left, mirrored)


_FaceFrame = tuple[float, float, float, float, float, float, float]  # box x0, x1, y0, y1; eye y; chin x, y


def _face_frame(face: npt.NDArray[np.floating[Any]] | None, image_wh: tuple[int, int]) -> _FaceFrame | None:
    if face is None or face.shape[0] < 468:
        return None
    pts = _points_px(face[_FACE_PTS], image_wh)
    if any(q is None for q in pts):
        return None
    q = [r for r in pts if r is not None]
    xs, ys = [r[0] for r in q[:8]], [r[1] for r in q[:8]]
    return min(xs), max(xs), min(ys), max(ys), (q[8][1] + q[9][1]) / 2, q[1][0], q[1][1]


def _contact(p: Px, ff: _FaceFrame, iod_px: float) -> tuple[float, float, float]:
    x0, x1, y0, y1, eye_y = ff[:5]
    inside, best = 0, math.inf
    for x, y, _ in p:
        dx = x0 - x if x < x0 else (x - x1 if x > x1 else 0.0)
        dy = y0 - y if y < y0 else (y - y1 if y > y1 else 0.0)
        if dx == 0.0 and dy == 0.0:
            inside += 1
        else:
            best = min(best, dx * dx + dy * dy)
    gap = 0.0 if inside else math.sqrt(best) / iod_px
    above = (eye_y - sum(p[k][1] for k in _PALM) / 5) / iod_px
    return inside / len(p), gap, above


def hand_face_contact(hand: npt.NDArray[np.floating[Any]] | None, face: npt.NDArray[np.floating[Any]] | None,
                      image_wh: tuple[int, int], iod_px: float) -> tuple[float, float, float]:
    """Where a hand is relative to the face: overlap, gap and height above the eyes.

    The face box is the bounding box of the face outline's extreme points (forehead, chin, edges).

    Returns:
        ``(share, gap_iod, above_eyes_iod)``: the share (0..1) of the hand's points inside the face box;
        the smallest distance from a hand point to that box (0 when a point lies inside); how far the
        hand's palm centre lies above the eye line (negative below). NaN when hand, face or scale is not
        measurable.
    """
    ff = _face_frame(face, image_wh)
    p = None if hand is None else _complete(_points_px(hand, image_wh))
    if ff is None or p is None or not math.isfinite(iod_px) or iod_px <= 0:
        return math.nan, math.nan, math.nan
    return _contact(p, ff, iod_px)


def _chin(hands: list[Px], ff: _FaceFrame, iod_px: float) -> dict[str, float]:
    cx0, cy0 = ff[5], ff[6]
    best: dict[str, float] = {}
    best_d = math.inf
    for p in hands:
        cx = sum(p[k][0] for k in _PALM) / 5
        cy = sum(p[k][1] for k in _PALM) / 5
        xs, ys = [q[0] for q in p], [q[1] for q in p]
        width = max(xs) - min(xs)
        dist = math.hypot(cx - cx0, cy - cy0)
        if dist < best_d and width > 1e-9:
            best_d = dist
            best = {"chin_hand_width_iod": width / iod_px, "chin_hand_height_ratio": (max(ys) - min(ys)) / width,
                    "chin_hand_below_iod": (cy - cy0) / iod_px, "chin_hand_side_iod": (cx - cx0) / iod_px}
    return best


def chin_rest(hands: list[npt.NDArray[np.floating[Any]]], face: npt.NDArray[np.floating[Any]] | None,
              image_wh: tuple[int, int], iod_px: float) -> dict[str, float]:
    """Outline of the hand nearest the chin: a hand lying flat under the chin marks folded forearms.

    Returns ``chin_hand_width_iod`` (bounding-box width), ``chin_hand_height_ratio`` (box height / width:
    small for a hand lying flat), ``chin_hand_below_iod`` (palm centre below the chin, negative above) and
    ``chin_hand_side_iod`` (palm centre right of the chin in the image); empty when not measurable.
    """
    ff = _face_frame(face, image_wh)
    if ff is None or not math.isfinite(iod_px) or iod_px <= 0:
        return {}
    pts = [p for h in hands if (p := _complete(_points_px(h, image_wh))) is not None]
    return _chin(pts, ff, iod_px)


def _elbows(pose: npt.NDArray[np.floating[Any]] | None,
            image_wh: tuple[int, int]) -> tuple[tuple[float, float], tuple[float, float], float] | None:
    """Left and right elbow in pixels and the shoulder width, or None when any is not measurable."""
    if pose is None or pose.shape[0] < 33:
        return None
    pts = _points_px(pose[[Pose.LEFT_ELBOW, Pose.RIGHT_ELBOW, Pose.LEFT_SHOULDER, Pose.RIGHT_SHOULDER]], image_wh)
    if any(q is None for q in pts):
        return None
    le, re_, ls, rs = (q for q in pts if q is not None)
    sw = math.hypot(ls[0] - rs[0], ls[1] - rs[1])
    return ((le[0], le[1]), (re_[0], re_[1]), sw) if sw > 1e-6 else None


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
    """Palm side of the most visible hand with the cues that qualify it, and the chin-rest outline.

    Args:
        left: The person's left hand (21, 4) or None (after the pose-based side check).
        right: The person's right hand or None.
        face: (478, 4) face mesh or None.
        pose: (33, 4) BlazePose points or None (coarse hand points when the hand model found no hand).
        image_wh: Frame size in pixels.
        mirrored: Whether the view is mirrored (``pose_mirrored``).
        min_visibility: Pose visibility below which a pose point is not used.
        iod_px: Inter-ocular distance in pixels (NaN without a face).

    Returns:
        Per hand ``{l,r}_palm_facing`` and ``{l,r}_hand_size_px``; per hand with all points and a body
        ``{l,r}_hand_curl_hl`` (see :func:`hand_shape`) and the palm centre's distance to the assigned
        side's elbow and the other one (``{l,r}_hand_own_elbow_sw``, ``..._other_elbow_sw``, shoulder
        widths); for the most visible (largest) hand
        ``palm_facing``, ``palm_curl_hl``, ``palm_finger_ext_hl``, ``palm_face_overlap_share``,
        ``palm_face_gap_iod`` and ``palm_above_eyes_iod``; ``palm_facing`` and ``palm_from_pose`` = 1
        from the pose's hand points when no hand-model hand is measurable; the ``chin_hand_*`` outline.
        Values may be NaN (the caller drops them).
    """
    out: dict[str, float] = {}
    best_size = -1.0
    best: tuple[list[tuple[float, float, float] | None], bool] | None = None
    complete: list[Px] = []
    elbows = _elbows(pose, image_wh)
    for name, h, is_left in (("l", left, True), ("r", right, False)):
        if h is None or h.shape[0] < 21:
            continue
        pts = _points_px(h, image_wh)
        full = _complete(pts)
        if full is not None:
            complete.append(full)
            if elbows is not None:
                # A hand tucked at an elbow: with its 3-D side known, at the other arm's elbow = crossed arms.
                (lx, ly), (rx, ry), sw = elbows
                cx, cy = sum(full[k][0] for k in _PALM) / 5, sum(full[k][1] for k in _PALM) / 5
                d_l, d_r = math.hypot(cx - lx, cy - ly) / sw, math.hypot(cx - rx, cy - ry) / sw
                out[f"{name}_hand_curl_hl"] = _shape(full, is_left, mirrored)[0]
                own, other = (d_l, d_r) if is_left else (d_r, d_l)
                out[f"{name}_hand_own_elbow_sw"], out[f"{name}_hand_other_elbow_sw"] = own, other
        pf, size = _winding(pts, is_left, mirrored)
        if math.isfinite(pf):
            out[f"{name}_palm_facing"] = pf
            out[f"{name}_hand_size_px"] = size
            # The most visible hand: the larger one in the image (dev: preferring the more face-on hand
            # instead lost 2 of 89 palm rows).
            if size > best_size:
                best_size = size
                out["palm_facing"] = pf
                best = (pts, is_left)
    scale_ok = math.isfinite(iod_px) and iod_px > 0
    ff = _face_frame(face, image_wh) if scale_ok and (best is not None or complete) else None
    if best is not None:
        full = _complete(best[0])
        if full is not None:
            out["palm_curl_hl"], out["palm_finger_ext_hl"] = _shape(full, best[1], mirrored)
            if ff is not None:
                c = _contact(full, ff, iod_px)
                out["palm_face_overlap_share"], out["palm_face_gap_iod"], out["palm_above_eyes_iod"] = c
    elif pose is not None:
        # No hand-model hand: fall back to the pose's coarse hand points (the more visible side).
        best_vis = -1.0
        for is_left, w in ((True, Pose.LEFT_WRIST), (False, Pose.RIGHT_WRIST)):
            pf = pose_palm_facing(pose, image_wh, is_left, mirrored, min_visibility)
            vis = float(pose[w, 3])
            if math.isfinite(pf) and vis > best_vis:
                best_vis = vis
                out["palm_facing"] = pf
                out["palm_from_pose"] = 1.0
    if ff is not None and complete:
        out.update(_chin(complete, ff, iod_px))
    return out


def hand_size_px(hand: npt.NDArray[np.floating[Any]] | None, image_wh: tuple[int, int]) -> float:
    """Wrist to middle knuckle distance in pixels (hand scale); NaN when not measurable."""
    if hand is None or not valid_points(hand, (Hand.WRIST, Hand.MIDDLE_MCP)):
        return math.nan
    p = to_pixels(hand, image_wh)
    return float(np.linalg.norm(p[Hand.MIDDLE_MCP, :2] - p[Hand.WRIST, :2]))
