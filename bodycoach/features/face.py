"""Face features from the 478-point face mesh: head pose, gaze (iris), smile shape, brows and lids.

Coordinates: the mesh is first converted to square pixels (``x·W, y·H, z·W``), then a rigid upper-face
reference (``calibration/face_reference.json``) is fitted to it (similarity transform). The fit gives
yaw/pitch/roll, and its inverse "frontalises" the mesh into reference units where the inter-ocular
distance (eye centre to eye centre) is 1. All ``*_norm`` face features are in these units, so they do not
depend on resolution, distance to the camera or head rotation.

Sign conventions (non-mirrored frame, "left" = the person's left):
``head_yaw_deg`` > 0 when the face turns toward the image's right (the person's left);
``head_pitch_deg`` > 0 when the chin goes up; ``head_roll_deg`` > 0 when the head tilts clockwise in the image.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from bodycoach.errors import ConfigError
from bodycoach.features.geometry import Array, euler_yxz_deg, kabsch, to_pixels, valid_points
from bodycoach.landmarks.indices import HEAD_POSE_POINTS, Face

# Every face point read below; a NaN or absurd value in any of them makes the face "not measurable".
_USED = np.asarray(sorted({*HEAD_POSE_POINTS, *(int(f) for f in Face)}), dtype=np.intp)


@dataclass(frozen=True)
class FaceReference:
    """A frontal upper-face shape in reference units (inter-ocular distance 1, x right, y down, z away)."""

    indices: tuple[int, ...]
    points: Array  # (len(indices), 3)

    def __post_init__(self) -> None:
        # Precomputed once: the centred reference and its variance (the similarity fit needs both per frame).
        pts = np.asarray(self.points, dtype=np.float64)
        if pts.shape != (len(self.indices), 3) or not np.isfinite(pts).all():
            raise ValueError(f"face reference points must be finite with shape ({len(self.indices)}, 3), "
                             f"but got {pts.shape}")
        mean = pts.mean(axis=0)
        object.__setattr__(self, "_mean", mean)
        object.__setattr__(self, "_centred", pts - mean)
        object.__setattr__(self, "_var", float(((pts - mean) ** 2).sum() / len(pts)))
        object.__setattr__(self, "_idx", np.asarray(self.indices, dtype=np.intp))
        # Where the reference points sit among the face points in use (None when some are outside them).
        row = {int(i): k for k, i in enumerate(_USED.tolist())}
        fit = [row.get(int(i)) for i in self.indices]
        object.__setattr__(self, "_fit_rows", None if None in fit else np.asarray(fit, dtype=np.intp))

    @classmethod
    def load(cls, path: Path) -> FaceReference:
        """Read a reference written by :meth:`save`.

        Raises:
            ConfigError: the file is missing or not a face reference.
        """
        try:
            d = json.loads(Path(path).read_text(encoding="utf-8"))
            return cls(indices=tuple(int(i) for i in d["indices"]), points=np.asarray(d["points"], dtype=np.float64))
        except FileNotFoundError:
            raise ConfigError(f"{path}: no such face reference file") from None
        except (KeyError, TypeError, ValueError) as exc:
            raise ConfigError(f"{path}: not a face reference ({exc})") from None

    def save(self, path: Path, note: str = "") -> None:
        """Write the reference as JSON (small, reviewable)."""
        d = {"note": note, "indices": list(self.indices), "points": np.round(self.points, 5).tolist()}
        Path(path).write_text(json.dumps(d, indent=1) + "\n", encoding="utf-8")


def _eye_centres(p: Array) -> tuple[Array, Array]:
    r = (p[Face.RIGHT_EYE_OUTER] + p[Face.RIGHT_EYE_INNER]) / 2
    lft = (p[Face.LEFT_EYE_OUTER] + p[Face.LEFT_EYE_INNER]) / 2
    return r, lft


def build_reference(faces_px: Sequence[Array], indices: tuple[int, ...] = HEAD_POSE_POINTS,
                    iterations: int = 5) -> FaceReference:
    """Generalised Procrustes mean of frontal faces (square-pixel meshes) → a :class:`FaceReference`.

    Args:
        faces_px: Full meshes (478, 3) in square pixels, preferably of near-frontal faces.
        indices: Mesh points that make up the rigid reference.
        iterations: Procrustes refinement rounds.
    """
    idx = list(indices)
    shapes = []
    for f in faces_px:
        r, lft = _eye_centres(f)
        iod = float(np.linalg.norm(lft - r))
        if iod <= 0:
            continue
        shapes.append((f[idx] - (r + lft) / 2) / iod)
    if not shapes:
        raise ValueError("build_reference needs at least one face with a positive inter-ocular distance")
    mean = np.mean(shapes, axis=0)
    for _ in range(iterations):
        aligned = []
        for s in shapes:
            rot, sc, t = kabsch(s, mean)
            aligned.append(sc * (rot @ s.T).T + t)
        mean = np.mean(aligned, axis=0)
    # Re-normalise: eye centres at ±0.5 on x, midpoint at the origin, and the eye line horizontal.
    pos = {i: k for k, i in enumerate(idx)}
    r = (mean[pos[Face.RIGHT_EYE_OUTER]] + mean[pos[Face.RIGHT_EYE_INNER]]) / 2
    lft = (mean[pos[Face.LEFT_EYE_OUTER]] + mean[pos[Face.LEFT_EYE_INNER]]) / 2
    mean = (mean - (r + lft) / 2) / float(np.linalg.norm(lft - r))
    return FaceReference(indices=tuple(idx), points=mean)


@dataclass(frozen=True)
class FacePose:
    """Result of fitting the reference to one mesh."""

    yaw_deg: float
    pitch_deg: float
    roll_deg: float
    rotation: Array
    scale: float
    translation: Array
    fit_rms: float  # residual in reference units (a bad mesh fits badly)


def fit_pose(face_px: Array, ref: FaceReference) -> FacePose:
    """Fit the reference to a mesh in square pixels and return the head pose (Umeyama similarity fit)."""
    return _fit(face_px[ref._idx], ref)  # type: ignore[attr-defined]


def _fit(obs: Array, ref: FaceReference) -> FacePose:
    """:func:`fit_pose` on the observed points that correspond to the reference's, in its order."""
    a = ref._centred  # type: ignore[attr-defined]
    mo = obs.sum(axis=0) / len(obs)  # = obs.mean(axis=0) (the same sum and division), without its overhead
    b = obs - mo
    cov = b.T @ a / len(a)
    var = ref._var  # type: ignore[attr-defined]
    horn = _horn_rotation(cov.tolist())
    if horn is not None:
        r_list, lam = horn
        rot = np.array(r_list)
        s = lam / var if var > 0 else 1.0
    else:  # degenerate point sets: the SVD (same optimum, slower)
        u, d, vt = np.linalg.svd(cov)
        # u and vt are orthogonal (determinant ±1), so a plain 3×3 determinant gives the same sign as
        # np.linalg.det at a fraction of its per-call cost.
        reflect = _det3(u.tolist()) * _det3(vt.tolist()) < 0
        sign = _SIGN_REFLECT if reflect else _SIGN_KEEP
        rot = (u * sign) @ vt
        s = float((d * sign).sum() / var) if var > 0 else 1.0
    t = mo - s * rot @ ref._mean  # type: ignore[attr-defined]
    resid = s * (a @ rot.T) - b
    rms = math.sqrt(float((resid * resid).sum(axis=1).sum()) / len(resid)) / s if s > 0 else math.inf
    yaw, pitch, roll = euler_yxz_deg(rot)
    # Image y points down and z away from the camera: flip pitch so "chin up" is positive.
    return FacePose(yaw, -pitch, roll, rot, s, t, rms)


_SIGN_KEEP = np.array([1.0, 1.0, 1.0])
_SIGN_REFLECT = np.array([1.0, 1.0, -1.0])
_SIGN_KEEP.flags.writeable = False
_SIGN_REFLECT.flags.writeable = False


def _det3(m: list[list[float]]) -> float:
    (a, b, c), (d, e, f), (g, h, i) = m
    return a * (e * i - f * h) - b * (d * i - f * g) + c * (d * h - e * g)


def _horn_rotation(c: list[list[float]]) -> tuple[list[list[float]], float] | None:
    """Best rotation for a cross-covariance, by Horn's unit quaternion; None when (near) degenerate.

    ``c[j][k]`` = mean of observed coordinate j times reference coordinate k (both centred). The rotation
    ``R`` maximising ``trace(Rᵀ c)`` is the SVD's ``U·diag(1, 1, ±1)·Vᵀ``, and the maximum is the largest
    eigenvalue of Horn's symmetric 4×4 matrix: the Umeyama scale times the reference variance. Plain floats
    (Newton on the characteristic polynomial, the eigenvector from the adjugate) cost a fraction of a
    LAPACK SVD when the caches are cold, as they are after the landmark models ran; the results agree with
    the SVD to rounding. Ill-conditioned input (two top eigenvalues close) returns None for the SVD.
    """
    (sxx, syx, szx), (sxy, syy, szy), (sxz, syz, szz) = c  # s_ab = mean(ref_a · obs_b) = c[b][a]
    norm2 = sxx * sxx + sxy * sxy + sxz * sxz + syx * syx + syy * syy + syz * syz + szx * szx + szy * szy + szz * szz
    if not (norm2 > 0.0 and math.isfinite(norm2)):
        return None
    n00, n11, n22, n33 = sxx + syy + szz, sxx - syy - szz, -sxx + syy - szz, -sxx - syy + szz
    n01, n02, n03 = syz - szy, szx - sxz, sxy - syx
    n12, n13, n23 = sxy + syx, szx + sxz, syz + szy
    # det(N - λI) = λ⁴ + c2·λ² + c1·λ + c0 (N is traceless).
    c2 = -2.0 * norm2
    c1 = -8.0 * (sxx * (syy * szz - syz * szy) - sxy * (syx * szz - syz * szx) + sxz * (syx * szy - syy * szx))
    # det(N) by Laplace along rows 0-1: 2×2 minors of rows 0-1 (m) times the complementary ones of rows 2-3 (k).
    m01 = n00 * n11 - n01 * n01
    m02 = n00 * n12 - n02 * n01
    m03 = n00 * n13 - n03 * n01
    m12 = n01 * n12 - n02 * n11
    m13 = n01 * n13 - n03 * n11
    m23 = n02 * n13 - n03 * n12
    k01 = n02 * n13 - n12 * n03
    k02 = n02 * n23 - n22 * n03
    k03 = n02 * n33 - n23 * n03
    k12 = n12 * n23 - n22 * n13
    k13 = n12 * n33 - n23 * n13
    k23 = n22 * n33 - n23 * n23
    c0 = m01 * k23 - m02 * k13 + m03 * k12 + m12 * k03 - m13 * k02 + m23 * k01
    # Newton from above (√3·‖S‖ ≥ d1 + d2 + d3 ≥ λmax): monotone convergence to the largest root.
    lam = math.sqrt(3.0 * norm2)
    for _ in range(60):
        lam2 = lam * lam
        p = (lam2 + c2) * lam2 + c1 * lam + c0
        dp = (4.0 * lam2 + 2.0 * c2) * lam + c1
        if not dp > 0.0:
            return None
        step = p / dp
        lam -= step
        if abs(step) <= 1e-15 * abs(lam):
            break
    else:
        return None
    # The eigenvector: any non-zero row of adj(N - λI) = μ·q·qᵀ, the best-conditioned being the one with the
    # largest diagonal entry. Cofactors from the 2×2 minors of rows 0-1 (s) and rows 2-3 (k) of the symmetric
    # N - λI = [[a0, n01, n02, n03], [n01, a1, n12, n13], [n02, n12, a2, n23], [n03, n13, n23, a3]].
    a0, a1, a2, a3 = n00 - lam, n11 - lam, n22 - lam, n33 - lam
    s0, s1, s2 = a0 * a1 - n01 * n01, a0 * n12 - n01 * n02, a0 * n13 - n01 * n03
    s3, s4, s5 = n01 * n12 - a1 * n02, n01 * n13 - a1 * n03, n02 * n13 - n12 * n03
    k5, k4, k3 = a2 * a3 - n23 * n23, n12 * a3 - n13 * n23, n12 * n23 - n13 * a2
    k2, k1, k0 = n02 * a3 - n03 * n23, n02 * n23 - n03 * a2, n02 * n13 - n03 * n12
    adj = ((a1 * k5 - n12 * k4 + n13 * k3, -n01 * k5 + n02 * k4 - n03 * k3,
            n13 * s5 - n23 * s4 + a3 * s3, -n12 * s5 + a2 * s4 - n23 * s3),
           (-n01 * k5 + n12 * k2 - n13 * k1, a0 * k5 - n02 * k2 + n03 * k1,
            -n03 * s5 + n23 * s2 - a3 * s1, n02 * s5 - a2 * s2 + n23 * s1),
           (n01 * k4 - a1 * k2 + n13 * k0, -a0 * k4 + n01 * k2 - n03 * k0,
            n03 * s4 - n13 * s2 + a3 * s0, -n02 * s4 + n12 * s2 - n23 * s0),
           (-n01 * k3 + a1 * k1 - n12 * k0, a0 * k3 - n01 * k1 + n02 * k0,
            -n03 * s3 + n13 * s1 - n23 * s0, n02 * s3 - n12 * s1 + a2 * s0))
    k = max(range(4), key=lambda i: abs(adj[i][i]))
    if not abs(adj[k][k]) > 1e-6 * (4.0 * norm2) ** 1.5:
        return None
    q = adj[k]
    qn = math.sqrt(q[0] * q[0] + q[1] * q[1] + q[2] * q[2] + q[3] * q[3])
    w, x, y, z = q[0] / qn, q[1] / qn, q[2] / qn, q[3] / qn
    r = [[w * w + x * x - y * y - z * z, 2.0 * (x * y - w * z), 2.0 * (x * z + w * y)],
         [2.0 * (y * x + w * z), w * w - x * x + y * y - z * z, 2.0 * (y * z - w * x)],
         [2.0 * (z * x - w * y), 2.0 * (z * y + w * x), w * w - x * x - y * y + z * z]]
    return r, lam


def frontalise(face_px: Array, pose: FacePose) -> Array:
    """Map the mesh into reference units (undo rotation, scale and translation)."""
    return ((face_px - pose.translation) @ pose.rotation) / pose.scale


# The named points, in one fancy index: their frontalised rows are read as plain floats (one ``tolist``
# instead of ~60 numpy scalar reads per frame).
_NAMED = tuple(Face)
_NAMED_ROWS = np.asarray([int(f) for f in _NAMED], dtype=np.intp)
_NAMED_IN_USED = np.searchsorted(_USED, _NAMED_ROWS)  # their rows among the points in use (_USED is sorted)
_Points = dict[Face, list[float]]


def _eye_iris(fp: _Points, outer: Face, inner: Face, top: Face, bottom: Face,
              iris: Face) -> tuple[float, float, float]:
    """Iris offset in one eye (frontalised coords).

    Returns:
        Horizontal offset (fraction of the eye width, + = toward the image's right), vertical offset
        (fraction of the eye width, + = down) and the lid aperture (lid gap / eye width).
    """
    o, i = fp[outer], fp[inner]
    width = math.hypot(i[0] - o[0], i[1] - o[1])
    if width <= 1e-9:
        return math.nan, math.nan, math.nan
    centre_x = (o[0] + i[0]) / 2
    lid_mid_y = (fp[top][1] + fp[bottom][1]) / 2
    h = (fp[iris][0] - centre_x) / width
    v = (fp[iris][1] - lid_mid_y) / width
    aperture = (fp[bottom][1] - fp[top][1]) / width
    return h, v, aperture


def face_features(face: npt.NDArray[np.floating[Any]] | None, image_wh: tuple[int, int],
                  ref: FaceReference) -> dict[str, float]:
    """All face features of one frame; an empty dict when the face is missing or broken.

    Args:
        face: (478, 4) normalised face mesh or None.
        image_wh: Frame size in pixels (for square-pixel geometry).
        ref: Rigid reference for head pose.
    """
    if face is None or face.shape[0] < 478:
        return {}
    fit_rows = ref._fit_rows  # type: ignore[attr-defined]
    if fit_rows is None:  # a reference on other points than the ones in use: the whole mesh
        if not valid_points(face, _USED):
            return {}
        p = to_pixels(face, image_wh)
        pose, named = fit_pose(p, ref), p[_NAMED_ROWS]
    else:  # only the points in use (the same figures, fewer rows)
        used = face[_USED]
        if not valid_points(used):
            return {}
        p = to_pixels(used, image_wh)
        pose, named = _fit(p[fit_rows], ref), p[_NAMED_IN_USED]
    if not (math.isfinite(pose.scale) and pose.scale > 0 and math.isfinite(pose.fit_rms)):
        return {}
    fp: _Points = dict(zip(_NAMED, frontalise(named, pose).tolist(), strict=True))
    ro, ri = fp[Face.RIGHT_EYE_OUTER], fp[Face.RIGHT_EYE_INNER]
    lo, li = fp[Face.LEFT_EYE_OUTER], fp[Face.LEFT_EYE_INNER]
    r_eye_y, l_eye_y = (ro[1] + ri[1]) / 2, (lo[1] + li[1]) / 2
    rh, rv, ra = _eye_iris(fp, Face.RIGHT_EYE_OUTER, Face.RIGHT_EYE_INNER, Face.RIGHT_EYE_TOP,
                           Face.RIGHT_EYE_BOTTOM, Face.RIGHT_IRIS)
    lh, lv, la = _eye_iris(fp, Face.LEFT_EYE_INNER, Face.LEFT_EYE_OUTER, Face.LEFT_EYE_TOP,
                           Face.LEFT_EYE_BOTTOM, Face.LEFT_IRIS)
    mr, ml = fp[Face.MOUTH_RIGHT], fp[Face.MOUTH_LEFT]
    lip_up, lip_lo = fp[Face.UPPER_LIP_INNER], fp[Face.LOWER_LIP_INNER]
    lip_centre_y = (lip_up[1] + lip_lo[1]) / 2
    lift_r = lip_centre_y - mr[1]  # + = corner above the lip centre (y grows downward)
    lift_l = lip_centre_y - ml[1]
    eye_y = (r_eye_y + l_eye_y) / 2
    brow_r = r_eye_y - fp[Face.RIGHT_BROW_MID][1]
    brow_l = l_eye_y - fp[Face.LEFT_BROW_MID][1]
    brow_inner = eye_y - (fp[Face.RIGHT_BROW_INNER][1] + fp[Face.LEFT_BROW_INNER][1]) / 2
    # Lid-to-mouth-corner distance: shrinks when the corners rise (and grows a little with cheek raise).
    r_bottom, l_bottom = fp[Face.RIGHT_EYE_BOTTOM], fp[Face.LEFT_EYE_BOTTOM]
    cheek_r = mr[1] - r_bottom[1]
    cheek_l = ml[1] - l_bottom[1]
    # Cheek raise itself: the lower lid rises toward the line through the eye corners.
    lid_r = r_bottom[1] - (ro[1] + ri[1]) / 2
    lid_l = l_bottom[1] - (lo[1] + li[1]) / 2
    nose, lip_top, lip_bottom = fp[Face.NOSE_TIP], fp[Face.UPPER_LIP_TOP], fp[Face.LOWER_LIP_BOTTOM]
    chin = fp[Face.CHIN]
    corner_y = (mr[1] + ml[1]) / 2
    corner_z = (mr[2] + ml[2]) / 2
    iod_px = float(pose.scale)  # reference iod = 1, so the fitted scale is the iod in pixels
    face_h = chin[1] - fp[Face.FOREHEAD][1]
    rw, lw = fp[Face.RIGHT_NOSE_WING], fp[Face.LEFT_NOSE_WING]
    re_, le_ = fp[Face.RIGHT_FACE_EDGE], fp[Face.LEFT_FACE_EDGE]
    return {
        "face_iod_px": iod_px,
        "face_fit_rms_norm": pose.fit_rms,
        "head_yaw_deg": pose.yaw_deg,
        "head_pitch_deg": pose.pitch_deg,
        "head_roll_deg": pose.roll_deg,
        "iris_h_norm": (rh + lh) / 2,
        "iris_v_norm": (rv + lv) / 2,
        "iris_h_diff_norm": rh - lh,
        "eye_open_norm": (ra + la) / 2,
        "brow_raise_norm": (brow_r + brow_l) / 2,
        "brow_inner_norm": brow_inner,
        "mouth_width_norm": math.hypot(ml[0] - mr[0], ml[1] - mr[1]),
        "lip_gap_norm": lip_lo[1] - lip_up[1],
        "mouth_open_norm": lip_bottom[1] - lip_top[1],
        "smile_lift_norm": (lift_r + lift_l) / 2,
        "smile_asym_norm": abs(lift_r - lift_l),
        "cheek_mouth_norm": (cheek_r + cheek_l) / 2,
        "lower_lid_drop_norm": (lid_r + lid_l) / 2,
        "face_height_norm": face_h,
        "chin_drop_norm": chin[1] - nose[1],
        # Smile shape relative to rigid landmarks (the lip centre itself moves when the lips part):
        "corner_below_nose_norm": corner_y - nose[1],
        "corner_below_lip_top_norm": corner_y - lip_top[1],
        "corner_nose_wing_norm": (math.hypot(mr[0] - rw[0], mr[1] - rw[1])
                                  + math.hypot(ml[0] - lw[0], ml[1] - lw[1])) / 2,
        "corner_depth_norm": corner_z - (lip_top[2] + lip_bottom[2]) / 2,
        "face_width_norm": math.hypot(re_[0] - le_[0], re_[1] - le_[1]),
        "upper_lip_curve_norm": (fp[Face.RIGHT_UPPER_LIP_SIDE][1] + fp[Face.LEFT_UPPER_LIP_SIDE][1]) / 2
        - lip_top[1],
    }
