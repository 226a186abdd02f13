"""Syllable nuclei after de Jong & Wempe (2009): voiced intensity peaks with a dip after them."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy.signal import find_peaks

from bodycoach.voice.signal import FloatArray


def nuclei(
    intensity: FloatArray,
    voiced: NDArray[np.bool_],
    speech: NDArray[np.bool_],
    *,
    min_dip_db: float = 2.0,
    silence_below_max_db: float = 25.0,
    min_gap_frames: int = 8,
) -> NDArray[np.intp]:
    """Return the frame indices of syllable nuclei.

    A peak of the intensity contour counts when (de Jong & Wempe 2009) it is above the silence threshold
    (``silence_below_max_db`` under the 99th percentile of speech intensity), the intensity dips by at
    least ``min_dip_db`` between it and the next peak, it lies in speech and is voiced (within one frame).

    Args:
        intensity: Intensity contour (dB) per frame.
        voiced: Frames with a pitch.
        speech: Frames of voice activity.
        min_dip_db: Least dip after a peak.
        silence_below_max_db: Threshold below the loud speech intensity.
        min_gap_frames: Peaks closer than this are one nucleus (the louder kept).
    """
    if intensity.size < 3 or not speech.any():
        return np.zeros(0, dtype=np.intp)
    top = float(np.percentile(intensity[speech], 99))
    thr = top - silence_below_max_db
    peaks, _ = find_peaks(intensity, height=thr, distance=max(1, min_gap_frames))
    if peaks.size == 0:
        return peaks
    keep: list[int] = []
    for i, p in enumerate(peaks):
        nxt = peaks[i + 1] if i + 1 < peaks.size else None
        if nxt is not None:
            dip = float(intensity[p:nxt + 1].min())
        else:
            dip = float(intensity[p:].min())  # last peak: the fall to the end / silence
        if intensity[p] - dip < min_dip_db:
            continue
        lo, hi = max(0, p - 1), min(intensity.size, p + 2)
        if speech[p] and voiced[lo:hi].any():
            keep.append(int(p))
    return np.asarray(keep, dtype=np.intp)
