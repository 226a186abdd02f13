"""Framing and level contours over 16 kHz mono float samples (pure numpy)."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float32]

#: Floor of every dB value (digital silence): -120 dBFS, never -inf.
FLOOR_DB = -120.0


def frame_count(n_samples: int, hop: int) -> int:
    """Number of analysis frames (one per ``hop`` samples, the last partial hop included)."""
    return int(np.ceil(n_samples / hop)) if n_samples > 0 else 0


def frames(x: FloatArray, length: int, hop: int, n: int | None = None) -> FloatArray:
    """Return an (n, length) read-only view of ``x``, frame i centred on sample ``i*hop + hop/2``."""
    n = frame_count(len(x), hop) if n is None else n
    pad_left = length // 2 - hop // 2
    total = (n - 1) * hop + length
    padded = np.zeros(max(total, length), dtype=np.float32)
    src = x[: max(0, total - pad_left)]
    padded[pad_left : pad_left + len(src)] = src
    return np.lib.stride_tricks.as_strided(
        padded, shape=(n, length), strides=(padded.strides[0] * hop, padded.strides[0]), writeable=False
    )


def level_db(x: FloatArray, hop: int, window: int) -> FloatArray:
    """RMS level per frame in dBFS (1.0 full scale = 0 dB) over a rectangular ``window``."""
    n = frame_count(len(x), hop)
    if n == 0:
        return np.zeros(0, dtype=np.float32)
    sq = np.concatenate([[0.0], np.cumsum(x.astype(np.float64) ** 2)])
    centres = np.arange(n) * hop + hop // 2
    lo = np.clip(centres - window // 2, 0, len(x))
    hi = np.clip(centres + window // 2, 0, len(x))
    ms = (sq[hi] - sq[lo]) / np.maximum(hi - lo, 1)
    return np.maximum(10.0 * np.log10(np.maximum(ms, 1e-30)), FLOOR_DB).astype(np.float32)


def intensity_db(x: FloatArray, hop: int, window: int) -> FloatArray:
    """Hann-weighted intensity per frame in dB (Praat-style intensity contour for syllable nuclei)."""
    n = frame_count(len(x), hop)
    if n == 0:
        return np.zeros(0, dtype=np.float32)
    w = np.hanning(window).astype(np.float32)
    w /= w.sum()
    out = np.empty(n, dtype=np.float32)
    step = 4096
    for s in range(0, n, step):
        m = min(step, n - s)
        fr = frames(x[s * hop :], window, hop, m)
        out[s : s + m] = (fr.astype(np.float32) ** 2) @ w
    return np.maximum(10.0 * np.log10(np.maximum(out, 1e-30)), FLOOR_DB).astype(np.float32)


def runs(mask: NDArray[np.bool_]) -> list[tuple[int, int]]:
    """Return the ``[start, end)`` index pairs of True runs in ``mask``."""
    if mask.size == 0:
        return []
    d = np.diff(np.concatenate([[0], mask.astype(np.int8), [0]]))
    starts = np.flatnonzero(d == 1)
    ends = np.flatnonzero(d == -1)
    return list(zip(starts.tolist(), ends.tolist(), strict=True))
