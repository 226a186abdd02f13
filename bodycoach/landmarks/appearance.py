"""Appearance of the lower face from pixels: a HOG descriptor of the mouth region (adapter side, cv2).

Mesh geometry tops out at about 0.945 smile accuracy on GENKI-4K; the pixels add what the points cannot
show (teeth, the nasolabial folds, the cheek bulge). This module cuts the lower face out of the frame in a
canonical pose and describes it with a fixed-length histogram-of-gradients vector that the pure smile
classifier combines with the geometry features (``calibration/smile_appearance_model.json``).

Canonical crop: a least-squares 2-D affine map from the 33 rigid upper-face mesh points (eye corners,
nose line, face contour at eye and cheekbone height, temples; the points head pose is fitted to) in a
frontal template to the image. Units of the template: the inter-ocular distance (eye-centre to
eye-centre) = 1, origin midway between the eye centres, y down. An affine map (not only a similarity)
absorbs part of the foreshortening of a turned head. The crop covers x in [-0.9, 0.9], y in [0.45, 1.65]
(below the nose tip to the upper chin, cheek to cheek) and is sampled at 48 × 32 pixels; a face larger than
that is first shrunk with area averaging so the crop does not alias. HOG: 8-pixel cells, 16-pixel blocks
with an 8-pixel stride, 9 unsigned orientation bins, L2-Hys block normalisation (OpenCV defaults) →
5 × 3 blocks × 36 = 540 floats.

Cost: about 0.1 ms per face on one core (see ``tests/test_appearance.py`` and ``bodycoach bench``).
"""

from __future__ import annotations

from typing import Any

import cv2
import numpy as np
import numpy.typing as npt

from bodycoach.types import MOUTH_HOG_VERSION, FloatArray

__all__ = ["MOUTH_HOG_DIM", "MOUTH_HOG_VERSION", "lower_face_crop", "mouth_hog"]
# Bump bodycoach.types.MOUTH_HOG_VERSION when anything below changes: fitted models then no longer match.
CROP_W, CROP_H = 48, 32  # pixels of the canonical crop
CROP_X = (-0.9, 0.9)  # canonical x range (inter-ocular distances)
CROP_Y = (0.45, 1.65)  # canonical y range (inter-ocular distances, down from the eye line)
MIN_IOD_PX = 6.0  # smaller faces carry no usable mouth texture
_SHRINK_BELOW = 0.6  # crop pixels per image pixel below which the region is area-averaged first

# (mesh index, x, y) of the frontal template: the generalised-Procrustes mean of the near-frontal
# GENKI-4K faces (calibration/face_reference.json, 2-D part), re-expressed with the eye midpoint as the
# origin and the eye-centre distance as the unit. Frozen here because the fitted models depend on it.
_TEMPLATE: tuple[tuple[int, float, float], ...] = (
    (10, 0.002, -0.845), (151, 0.003, -0.583), (9, 0.004, -0.300), (8, 0.004, -0.167), (168, 0.005, -0.053),
    (6, 0.007, 0.074), (197, 0.009, 0.194), (195, 0.011, 0.306), (5, 0.013, 0.427), (4, 0.014, 0.570),
    (1, 0.014, 0.674), (33, -0.717, -0.016), (133, -0.283, 0.016), (362, 0.284, 0.018), (263, 0.716, -0.018),
    (234, -1.137, 0.245), (454, 1.098, 0.240), (127, -1.144, 0.016), (356, 1.105, 0.011), (93, -1.122, 0.482),
    (323, 1.086, 0.476), (21, -1.066, -0.406), (251, 1.033, -0.410), (54, -0.966, -0.576), (284, 0.941, -0.579),
    (103, -0.807, -0.711), (332, 0.793, -0.712), (116, -1.026, 0.240), (345, 1.013, 0.235), (50, -0.793, 0.495),
    (280, 0.795, 0.489), (36, -0.495, 0.523), (266, 0.504, 0.519),
)
_IDX = np.array([i for i, _, _ in _TEMPLATE], dtype=np.intp)
_CANON = np.array([(x, y, 1.0) for _, x, y in _TEMPLATE], dtype=np.float64)
_PINV = np.linalg.pinv(_CANON)  # (3, 33): least-squares affine = _PINV @ image points
# Output pixel (u, v, 1) → canonical (x, y, 1).
_OUT_TO_CANON = np.array([[(CROP_X[1] - CROP_X[0]) / CROP_W, 0.0, CROP_X[0]],
                          [0.0, (CROP_Y[1] - CROP_Y[0]) / CROP_H, CROP_Y[0]],
                          [0.0, 0.0, 1.0]])
_HOG = cv2.HOGDescriptor((CROP_W, CROP_H), (16, 16), (8, 8), (8, 8), 9)
MOUTH_HOG_DIM = int(_HOG.getDescriptorSize())


def lower_face_crop(image: npt.NDArray[Any], face: npt.NDArray[Any], rgb: bool = True) -> npt.NDArray[np.uint8] | None:
    """Cut the lower face out of ``image`` in the canonical pose, as a grayscale ``uint8`` (32, 48) array.

    Args:
        image: The frame the face points refer to: ``uint8`` HxW (gray) or HxWx3 (RGB, or BGR with
            ``rgb=False``), any size.
        face: (478, >=2) face-mesh points, ``x`` and ``y`` normalised to ``image`` (0..1 of width and height),
            in the true (unmirrored) view of ``image``.
        rgb: Channel order of a 3-channel ``image`` (only the gray weights depend on it).

    Returns:
        The crop, or None when the points are missing or not finite, the face is smaller than
        ``MIN_IOD_PX`` between the eyes, or the region lies outside the image.
    """
    img = np.asarray(image)
    pts = np.asarray(face)
    if (img.dtype != np.uint8 or img.ndim not in (2, 3) or (img.ndim == 3 and img.shape[2] != 3)
            or min(img.shape[:2]) < 2 or pts.ndim != 2 or pts.shape[0] <= int(_IDX.max()) or pts.shape[1] < 2):
        return None
    h, w = img.shape[:2]
    xy = pts[_IDX, :2].astype(np.float64) * (w, h)
    if not np.isfinite(xy).all() or np.abs(xy).max() > 4.0 * max(w, h):
        return None
    affine = (_PINV @ xy).T  # (2, 3): canonical (x, y, 1) → image pixels
    iod_px = float(np.sqrt(abs(np.linalg.det(affine[:, :2]))))
    if not np.isfinite(iod_px) or iod_px < MIN_IOD_PX:
        return None
    out_to_img = affine @ _OUT_TO_CANON  # (2, 3): crop pixel → image pixel
    corners = np.array([[0, 0, 1], [CROP_W, 0, 1], [0, CROP_H, 1], [CROP_W, CROP_H, 1]], np.float64) @ out_to_img.T
    x0, y0 = np.floor(corners.min(axis=0)).astype(int) - 2
    x1, y1 = np.ceil(corners.max(axis=0)).astype(int) + 2
    x0, y0, x1, y1 = max(int(x0), 0), max(int(y0), 0), min(int(x1), w), min(int(y1), h)
    if x1 - x0 < 2 or y1 - y0 < 2:
        return None  # the mouth region is outside the picture
    roi = img[y0:y1, x0:x1]
    m = np.vstack([out_to_img, (0.0, 0.0, 1.0)])
    m = np.array([[1.0, 0.0, -x0], [0.0, 1.0, -y0], [0.0, 0.0, 1.0]]) @ m  # crop pixel → roi pixel
    scale = CROP_W / ((CROP_X[1] - CROP_X[0]) * iod_px)  # crop pixels per image pixel
    if scale < _SHRINK_BELOW:
        # warpAffine samples bilinearly: from a large face it would skip pixels (aliasing), so shrink the
        # region with area averaging to ~1.25 image pixels per crop pixel first.
        f = scale / 0.8
        sw, sh = max(1, round((x1 - x0) * f)), max(1, round((y1 - y0) * f))
        roi = cv2.resize(roi, (sw, sh), interpolation=cv2.INTER_AREA)
        m = np.array([[sw / (x1 - x0), 0.0, 0.0], [0.0, sh / (y1 - y0), 0.0], [0.0, 0.0, 1.0]]) @ m
    crop = cv2.warpAffine(roi, m[:2], (CROP_W, CROP_H), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                          borderMode=cv2.BORDER_REPLICATE)
    if crop.ndim == 3:
        crop = cv2.cvtColor(crop, cv2.COLOR_RGB2GRAY if rgb else cv2.COLOR_BGR2GRAY)
    return np.ascontiguousarray(crop, dtype=np.uint8)


def mouth_hog(image: npt.NDArray[Any], face: npt.NDArray[Any] | None, rgb: bool = True) -> FloatArray | None:
    """HOG descriptor (``MOUTH_HOG_DIM`` float32 values) of the canonical lower-face crop, or None.

    Args:
        image: See :func:`lower_face_crop`.
        face: Face-mesh points normalised to ``image`` in its true view, or None (no face → None).
        rgb: Channel order of a 3-channel ``image``.
    """
    if face is None:
        return None
    crop = lower_face_crop(image, face, rgb)
    if crop is None:
        return None
    v = np.asarray(_HOG.compute(crop), dtype=np.float32).reshape(-1)
    if v.shape != (MOUTH_HOG_DIM,) or not np.isfinite(v).all():
        return None
    return v
