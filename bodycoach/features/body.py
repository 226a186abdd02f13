"""Arm, head-support and posture features from the BlazePose points (and hands when present).

Coordinates: square pixels (``x·W, y·H``), divided by the shoulder width, so ``*_sw`` features are in
shoulder widths. "Outward" offsets are measured from the shoulder midpoint toward the point's *own* side
of the body, which makes them independent of mirroring: a left wrist with a negative outward offset has
crossed the body midline.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import numpy.typing as npt

from bodycoach.features.geometry import COORD_LIMIT
from bodycoach.landmarks.indices import Face, Pose

_ARM = {
    "l": (Pose.LEFT_SHOULDER, Pose.LEFT_ELBOW, Pose.LEFT_WRIST, Pose.LEFT_INDEX, Pose.LEFT_HIP),
    "r": (Pose.RIGHT_SHOULDER, Pose.RIGHT_ELBOW, Pose.RIGHT_WRIST, Pose.RIGHT_INDEX, Pose.RIGHT_HIP),
}
# Lower face: chin, jaw and cheeks, where a propping hand rests.
_LOWER_FACE = (152, 148, 377, 176, 400, 136, 365, 172, 397, 58, 288, 132, 361, 205, 425, 50, 280, 61, 291)
_LOWER_FACE_IDX = np.asarray(_LOWER_FACE, dtype=np.intp)


def body_features(pose: npt.NDArray[np.floating[Any]] | None, image_wh: tuple[int, int],
                  min_visibility: float) -> dict[str, float]:
    """Shoulder-normalised arm and posture features; empty when the shoulders are not measurable.

    Args:
        pose: (33, 4) BlazePose points (normalised) or None.
        image_wh: Frame size in pixels.
        min_visibility: Pose visibility below which a point counts as not visible (0..1).
    """
    if pose is None or pose.shape[0] < 33:
        return {}
    w, h = image_wh
    if w <= 0 or h <= 0:
        w, h = 1, 1
    # Plain floats: ~40 small vector operations are much cheaper without numpy's per-call overhead.
    rows = pose[:25].tolist()
    pts: dict[int, tuple[float, float]] = {}
    vis: dict[int, float] = {}
    inside: dict[int, bool] = {}
    for i, (x, y, z, v) in enumerate(rows):
        good = (math.isfinite(x) and math.isfinite(y) and math.isfinite(z)
                and abs(x - 0.5) <= COORD_LIMIT and abs(y - 0.5) <= COORD_LIMIT)
        if good:
            pts[i] = (x * w, y * h)
            vis[i] = v if math.isfinite(v) else 0.0
            inside[i] = 0.0 <= x <= 1.0 and 0.0 <= y <= 1.0
        else:
            vis[i] = 0.0
            inside[i] = False
    ls, rs = int(Pose.LEFT_SHOULDER), int(Pose.RIGHT_SHOULDER)
    if ls not in pts or rs not in pts or min(vis[ls], vis[rs]) < min_visibility:
        return {}
    (lx, ly), (rx, ry) = pts[ls], pts[rs]
    sw = math.hypot(lx - rx, ly - ry)
    if sw <= 1e-6:
        return {}
    mx, my = (lx + rx) / 2, (ly + ry) / 2
    ax, ay = (lx - rx) / sw, (ly - ry) / sw  # unit vector, right shoulder → left shoulder (image plane)
    ux, uy = ay, -ax  # perpendicular, pointing up (y grows downward)
    if uy > 0:
        ux, uy = -ux, -uy

    def rel(i: int) -> tuple[float, float]:
        """(along the shoulder axis, up) of point i from the shoulder midpoint, in shoulder widths."""
        x, y = pts.get(i, (mx, my))
        dx, dy = (x - mx) / sw, (y - my) / sw
        return dx * ax + dy * ay, dx * ux + dy * uy

    def d(i: int, j: int) -> float:
        a, b = pts.get(i, (mx, my)), pts.get(j, (mx, my))
        return math.hypot(a[0] - b[0], a[1] - b[1]) / sw

    out: dict[str, float] = {
        "shoulder_width_px": sw,
        "shoulder_tilt_deg": math.degrees(math.atan2(ly - ry, abs(lx - rx))),
        "pose_mirrored": 1.0 if ax < 0 else 0.0,  # left shoulder on the image's left = mirrored view
    }
    for side, (s_i, e_i, w_i, _x_i, h_i) in _ARM.items():
        sign = 1.0 if side == "l" else -1.0  # own side along the shoulder axis
        out[f"{side}_elbow_vis"] = vis[e_i]
        out[f"{side}_wrist_vis"] = vis[w_i]
        # MediaPipe extrapolates points outside the frame (still with a visibility); note it separately.
        out[f"{side}_wrist_in_frame"] = 1.0 if inside[w_i] else 0.0
        e_al, e_up = rel(e_i)
        w_al, w_up = rel(w_i)
        out[f"{side}_elbow_out_sw"] = sign * e_al
        out[f"{side}_elbow_up_sw"] = e_up
        out[f"{side}_wrist_out_sw"] = sign * w_al
        out[f"{side}_wrist_up_sw"] = w_up
        out[f"{side}_forearm_len_sw"] = d(w_i, e_i)
        # 0° = horizontal forearm, 90° = vertical.
        out[f"{side}_forearm_vert_deg"] = math.degrees(math.atan2(abs(w_up - e_up), abs(w_al - e_al) + 1e-9))
        out[f"{side}_upperarm_len_sw"] = d(e_i, s_i)
        out[f"{side}_hip_vis"] = vis[h_i]
    lw, rw, le, re_ = int(Pose.LEFT_WRIST), int(Pose.RIGHT_WRIST), int(Pose.LEFT_ELBOW), int(Pose.RIGHT_ELBOW)
    out["wrist_gap_sw"] = d(lw, rw)
    # Crossed arms put each wrist near the *other* elbow.
    out["wrist_cross_elbow_sw"] = (d(lw, re_) + d(rw, le)) / 2
    nose = int(Pose.NOSE)
    if nose in pts and vis[nose] >= min_visibility:
        n_al, n_up = rel(nose)
        out["nose_up_sw"] = n_up
        out["nose_out_sw"] = n_al
    lh, rh = int(Pose.LEFT_HIP), int(Pose.RIGHT_HIP)
    if lh in pts and rh in pts and min(vis[lh], vis[rh]) >= min_visibility:
        hx, hy = (pts[lh][0] + pts[rh][0]) / 2, (pts[lh][1] + pts[rh][1]) / 2
        tx, ty = mx - hx, my - hy
        out["torso_len_sw"] = math.hypot(tx, ty) / sw
        out["torso_lean_deg"] = math.degrees(math.atan2(tx, -ty))
    return out


def hand_face_distance(face: npt.NDArray[np.floating[Any]] | None, hands: list[npt.NDArray[np.floating[Any]]],
                       pose: npt.NDArray[np.floating[Any]] | None, image_wh: tuple[int, int],
                       iod_px: float, min_visibility: float) -> tuple[float, float]:
    """Smallest distance from any hand point to the lower face, and how far that hand's fingers point up.

    Uses the hand models' points and, when the pose is confident, the pose's wrist/index/thumb points
    (the hand model often loses a hand pressed against the face).

    Returns:
        (distance, finger_up), both in inter-ocular distances: ``finger_up`` is how far the middle
        fingertip of the nearest hand-model hand lies above its wrist (a raised, gesturing hand has
        its fingers straight up; a hand holding the head does not). NaN when not measurable.
    """
    if face is None or not math.isfinite(iod_px) or iod_px <= 0:
        return math.nan, math.nan
    w, h_px = image_wh
    if w <= 0 or h_px <= 0:
        w, h_px = 1, 1
    fp: list[tuple[float, float]] = []
    for x, y, z in face[_LOWER_FACE_IDX, :3].tolist():
        if not (math.isfinite(x) and math.isfinite(y) and math.isfinite(z)):
            return math.nan, math.nan
        fp.append((x * w, y * h_px))
    # Every candidate point (the hands' measurable rows, then the confident pose hand points) goes into
    # one block: one distance matrix to the lower face instead of one per part. Squared distances are
    # compared and only the minima are rooted (sqrt is monotonic, so the figures are the same). Rows are
    # checked and scaled as plain floats: few numpy calls, which matters when the caches are cold.
    pts: list[tuple[float, float]] = []
    lo_c, hi_c = 0.5 - COORD_LIMIT, 0.5 + COORD_LIMIT  # |v - 0.5| <= COORD_LIMIT
    hand_rows: list[tuple[int, int, bool, float]] = []  # (first row, end row, has wrist+middle tip, finger_up)
    for hand in hands:
        lo = len(pts)
        rows = hand[:, :3].tolist()
        ok = [lo_c <= x <= hi_c and lo_c <= y <= hi_c and math.isfinite(z) for x, y, z in rows]
        pts.extend((x * w, y * h_px) for (x, y, _), good in zip(rows, ok, strict=True) if good)
        if len(pts) > lo:
            tip = ok[0] and ok[12]
            up = (rows[0][1] * h_px - rows[12][1] * h_px) / iod_px if tip else math.nan
            hand_rows.append((lo, len(pts), tip, up))
    if pose is not None and pose.shape[0] >= 33:
        pts.extend((x * w, y * h_px) for x, y, z, v in pose[15:23].tolist()
                   if lo_c <= x <= hi_c and lo_c <= y <= hi_c and math.isfinite(z)
                   and math.isfinite(v) and v >= min_visibility)
    if not pts:
        return math.nan, math.nan
    diff = np.array(pts)[:, None, :] - np.array(fp)[None, :, :]
    sq = (diff * diff).sum(axis=2).min(axis=1).tolist()  # per candidate point: squared distance to the face
    best_hand, best_d, finger_up = -1.0, math.inf, math.nan
    for lo, hi, tip, up in hand_rows:
        dh = math.sqrt(min(sq[lo:hi]))
        if dh < best_d and tip:
            best_d, finger_up, best_hand = dh, up, dh
    d = math.sqrt(min(sq))
    # The finger direction only speaks for the hand that is actually the nearest one.
    return d / iod_px, (finger_up if best_hand <= d + 1e-9 else math.nan)


__all__ = ["body_features", "hand_face_distance", "Face"]
