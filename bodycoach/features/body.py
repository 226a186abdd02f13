"""Arm, head-support and posture features from the BlazePose points (and hands when present).

Coordinates: square pixels (``x·W, y·H``), divided by the shoulder width, so ``*_sw`` features are in
shoulder widths. "Outward" offsets are measured from the shoulder midpoint toward the point's *own* side
of the body, which makes them independent of mirroring: a left wrist with a negative outward offset has
crossed the body midline.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from bodycoach.features.geometry import COORD_LIMIT, to_pixels
from bodycoach.landmarks.indices import Face, Pose

_ARM = {
    "l": (Pose.LEFT_SHOULDER, Pose.LEFT_ELBOW, Pose.LEFT_WRIST, Pose.LEFT_INDEX, Pose.LEFT_HIP),
    "r": (Pose.RIGHT_SHOULDER, Pose.RIGHT_ELBOW, Pose.RIGHT_WRIST, Pose.RIGHT_INDEX, Pose.RIGHT_HIP),
}
# Lower face: chin, jaw and cheeks, where a propping hand rests.
_LOWER_FACE = (152, 148, 377, 176, 400, 136, 365, 172, 397, 58, 288, 132, 361, 205, 425, 50, 280, 61, 291)


def _finite_rows(a: npt.NDArray[np.floating]) -> npt.NDArray[np.bool_]:
    ok = np.isfinite(a[:, :3]).all(axis=1)
    ok &= (np.abs(np.nan_to_num(a[:, :2], nan=99.0) - 0.5) <= COORD_LIMIT).all(axis=1)
    return ok


def body_features(pose: npt.NDArray[np.floating] | None, image_wh: tuple[int, int],
                  min_visibility: float) -> dict[str, float]:
    """Shoulder-normalised arm and posture features; empty when the shoulders are not measurable.

    Args:
        pose: (33, 4) BlazePose points (normalised) or None.
        image_wh: Frame size in pixels.
        min_visibility: Pose visibility below which a point counts as not visible (0..1).
    """
    if pose is None or pose.shape[0] < 33:
        return {}
    ok = _finite_rows(pose)
    vis = np.where(ok & np.isfinite(pose[:, 3]), pose[:, 3], 0.0)
    ls, rs = Pose.LEFT_SHOULDER, Pose.RIGHT_SHOULDER
    if not (ok[ls] and ok[rs]) or min(vis[ls], vis[rs]) < min_visibility:
        return {}
    p = to_pixels(np.where(ok[:, None], pose[:, :3], 0.0), image_wh)[:, :2]
    sw = float(np.linalg.norm(p[ls] - p[rs]))
    if sw <= 1e-6:
        return {}
    mid = (p[ls] + p[rs]) / 2
    axis = (p[ls] - p[rs]) / sw  # unit vector from the right shoulder to the left one (image plane)
    up = np.array([axis[1], -axis[0]])  # perpendicular, pointing up (y grows downward)
    if up[1] > 0:
        up = -up
    out: dict[str, float] = {
        "shoulder_width_px": sw,
        "shoulder_tilt_deg": math.degrees(math.atan2(float(p[ls][1] - p[rs][1]), abs(float(p[ls][0] - p[rs][0])))),
        "pose_mirrored": 1.0 if axis[0] < 0 else 0.0,  # left shoulder on the image's left = mirrored view
    }
    for side, (s_i, e_i, w_i, x_i, h_i) in _ARM.items():
        sign = 1.0 if side == "l" else -1.0  # own side along `axis`
        out[f"{side}_elbow_vis"] = float(vis[e_i])
        out[f"{side}_wrist_vis"] = float(vis[w_i])
        # MediaPipe extrapolates points outside the frame (still with a visibility); note it separately.
        inside = bool(ok[w_i] and 0.0 <= pose[w_i, 0] <= 1.0 and 0.0 <= pose[w_i, 1] <= 1.0)
        out[f"{side}_wrist_in_frame"] = 1.0 if inside else 0.0
        for name, i in (("elbow", e_i), ("wrist", w_i)):
            d = (p[i] - mid) / sw
            out[f"{side}_{name}_out_sw"] = sign * float(d @ axis)
            out[f"{side}_{name}_up_sw"] = float(d @ up)
        fa = p[w_i] - p[e_i]
        fa_len = float(np.linalg.norm(fa))
        out[f"{side}_forearm_len_sw"] = fa_len / sw
        # 0° = horizontal forearm, 90° = vertical.
        out[f"{side}_forearm_vert_deg"] = math.degrees(math.atan2(abs(float(fa @ up)), abs(float(fa @ axis)) + 1e-9))
        ua = p[e_i] - p[s_i]
        out[f"{side}_upperarm_len_sw"] = float(np.linalg.norm(ua)) / sw
        out[f"{side}_hip_vis"] = float(vis[h_i])
    out["wrist_gap_sw"] = float(np.linalg.norm(p[Pose.LEFT_WRIST] - p[Pose.RIGHT_WRIST])) / sw
    # Crossed arms put each wrist near the *other* elbow.
    out["wrist_cross_elbow_sw"] = (float(np.linalg.norm(p[Pose.LEFT_WRIST] - p[Pose.RIGHT_ELBOW]))
                                   + float(np.linalg.norm(p[Pose.RIGHT_WRIST] - p[Pose.LEFT_ELBOW]))) / (2 * sw)
    nose = Pose.NOSE
    if ok[nose] and vis[nose] >= min_visibility:
        out["nose_up_sw"] = float(((p[nose] - mid) / sw) @ up)
        out["nose_out_sw"] = float(((p[nose] - mid) / sw) @ axis)
    lh, rh = Pose.LEFT_HIP, Pose.RIGHT_HIP
    if ok[lh] and ok[rh] and min(vis[lh], vis[rh]) >= min_visibility:
        hip_mid = (p[lh] + p[rh]) / 2
        torso = mid - hip_mid
        out["torso_len_sw"] = float(np.linalg.norm(torso)) / sw
        out["torso_lean_deg"] = math.degrees(math.atan2(float(torso[0]), -float(torso[1])))
    return out


def hand_face_distance(face: npt.NDArray[np.floating] | None, hands: list[npt.NDArray[np.floating]],
                       pose: npt.NDArray[np.floating] | None, image_wh: tuple[int, int],
                       iod_px: float, min_visibility: float) -> float:
    """Smallest distance from any hand point to the lower face, in inter-ocular distances.

    Uses the hand models' points and, when the pose is confident, the pose's wrist/index/thumb points
    (the hand model often loses a hand pressed against the face). NaN when nothing is measurable.
    """
    if face is None or not math.isfinite(iod_px) or iod_px <= 0:
        return math.nan
    fpts = face[list(_LOWER_FACE), :3]
    if not np.isfinite(fpts).all():
        return math.nan
    fp = to_pixels(fpts, image_wh)[:, :2]
    pts = []
    for h in hands:
        ok = _finite_rows(h)
        if ok.any():
            pts.append(to_pixels(h[ok], image_wh)[:, :2])
    if pose is not None and pose.shape[0] >= 33:
        ok = _finite_rows(pose)
        idx = [i for i in (15, 16, 17, 18, 19, 20, 21, 22)
               if ok[i] and np.isfinite(pose[i, 3]) and pose[i, 3] >= min_visibility]
        if idx:
            pts.append(to_pixels(pose[idx], image_wh)[:, :2])
    if not pts:
        return math.nan
    hp = np.concatenate(pts)
    d = np.linalg.norm(hp[:, None, :] - fp[None, :, :], axis=2)
    return float(d.min()) / iod_px


__all__ = ["body_features", "hand_face_distance", "Face"]
