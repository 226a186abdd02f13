"""Small numpy geometry helpers shared by the feature modules. Pure functions, no state."""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Any

import numpy as np
import numpy.typing as npt

Array = npt.NDArray[np.float64]

# Landmarks this far outside the frame (normalised units) are treated as broken, not as "off-screen".
COORD_LIMIT = 3.0
_Z_LIMIT = 10 * COORD_LIMIT  # MediaPipe's relative depth has a wider range
# |v - 0.5| <= COORD_LIMIT as one chained comparison (exact: v - 0.5 is exact near both bounds).
_LO, _HI = 0.5 - COORD_LIMIT, 0.5 + COORD_LIMIT
# Up to this many selected points / rows are checked in plain Python (cheaper than a numpy reduction).
_FEW = 8
_SMALL = 64


def valid_points(arr: npt.NDArray[np.floating[Any]] | None,
                 idx: tuple[int, ...] | list[int] | npt.NDArray[np.intp] | None = None) -> bool:
    """Return whether the (selected) points are finite and inside a sane range.

    Args:
        arr: (N, 4) landmark block in normalised image coordinates, or None.
        idx: Rows to check; all rows when None.
    """
    if arr is None:
        return False
    if idx is not None and len(idx) <= _FEW:
        # A few selected points (the common case): plain floats beat numpy's per-call overhead several times
        # over. NaN fails every comparison and inf fails the range, so this is the same test as below.
        for i in idx:
            x, y, z = arr[i, :3].tolist()
            if not (_LO <= x <= _HI and _LO <= y <= _HI and -_Z_LIMIT <= z <= _Z_LIMIT):
                return False
        return True
    sub = arr[:, :3] if idx is None else arr[np.asarray(idx, dtype=np.intp), :3]
    if len(sub) <= _SMALL:
        # Up to a few dozen rows (a hand, the face points in use): one ``tolist``, then plain floats. Fewer
        # numpy calls also matter when the caches are cold, as they are after the landmark models ran.
        for x, y, z in sub.tolist():
            if not (_LO <= x <= _HI and _LO <= y <= _HI and -_Z_LIMIT <= z <= _Z_LIMIT):
                return False
        return True
    # Every value lies between the column minima and maxima (NaN makes them NaN, which fails the test).
    lo: list[float] = sub.min(axis=0).tolist()
    hi: list[float] = sub.max(axis=0).tolist()
    (x0, y0, z0), (x1, y1, z1) = lo, hi
    return (abs(x0 - 0.5) <= COORD_LIMIT and abs(x1 - 0.5) <= COORD_LIMIT and abs(y0 - 0.5) <= COORD_LIMIT
            and abs(y1 - 0.5) <= COORD_LIMIT and abs(z0) <= _Z_LIMIT and abs(z1) <= _Z_LIMIT)


def to_pixels(arr: npt.NDArray[np.floating[Any]], image_wh: tuple[int, int]) -> Array:
    """Convert normalised (x, y, z) to a square-pixel space: x·W, y·H, z·W (MediaPipe's z scale is x's).

    Returns a new float64 (N, 3) array (the input is not modified).
    """
    w, h = image_wh
    if w <= 0 or h <= 0:
        w, h = 1, 1
    # One multiply by a float64 row: float32 input is widened exactly, then scaled, as before.
    return np.multiply(arr[:, :3], _scale_row(w, h), dtype=np.float64)


def midpoint_px(arr: npt.NDArray[np.floating[Any]], i: int, j: int, image_wh: tuple[int, int]) -> tuple[float, float]:
    """Midpoint of rows ``i`` and ``j`` in square pixels, as plain floats (same figures as ``to_pixels``)."""
    w, h = image_wh
    if w <= 0 or h <= 0:
        w, h = 1, 1
    (xi, yi), (xj, yj) = arr[i, :2].tolist(), arr[j, :2].tolist()
    return (xi * w + xj * w) / 2, (yi * h + yj * h) / 2


@lru_cache(maxsize=16)
def _scale_row(w: int, h: int) -> Array:
    row = np.array((w, h, w), dtype=np.float64)
    row.flags.writeable = False
    return row


def kabsch(ref: Array, obs: Array) -> tuple[Array, float, Array]:
    """Similarity transform ``obs ≈ s·R·ref + t`` (least squares, Umeyama).

    Args:
        ref: (N, 3) reference points.
        obs: (N, 3) observed points.

    Returns:
        Rotation (3, 3), scale and translation (3,).
    """
    mr = ref.mean(axis=0)
    mo = obs.mean(axis=0)
    a = ref - mr
    b = obs - mo
    cov = b.T @ a / len(ref)
    u, d, vt = np.linalg.svd(cov)
    sign = np.ones(3)
    if np.linalg.det(u) * np.linalg.det(vt) < 0:
        sign[2] = -1.0
    r = u @ np.diag(sign) @ vt
    var_a = (a**2).sum() / len(ref)
    s = float((d * sign).sum() / var_a) if var_a > 0 else 1.0
    t = mo - s * r @ mr
    return r, s, t


def euler_yxz_deg(r: Array) -> tuple[float, float, float]:
    """Yaw, pitch and roll in degrees of a rotation in image axes (x right, y down, z away from camera).

    Yaw turns about the vertical axis, pitch about the horizontal, roll in the image plane.
    """
    # R = Ry(yaw) · Rx(pitch) · Rz(roll)
    (_, _, r02), (r10, r11, r12), (_, _, r22) = r.tolist()
    pitch = math.asin(max(-1.0, min(1.0, -r12)))
    yaw = math.atan2(r02, r22)
    roll = math.atan2(r10, r11)
    return math.degrees(yaw), math.degrees(pitch), math.degrees(roll)


def dist(a: Array, b: Array) -> float:
    """Euclidean distance."""
    return float(np.linalg.norm(np.asarray(a) - np.asarray(b)))
