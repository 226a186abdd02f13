"""Helpers shared by the classifiers: quality gates and score shaping."""

from __future__ import annotations

import math

from bodycoach.config import QualityConfig
from bodycoach.types import Behaviour, Classification, Features


def clip01(x: float) -> float:
    """Clamp to 0..1 (NaN → 0)."""
    if not math.isfinite(x):
        return 0.0
    return max(0.0, min(1.0, x))


def margin_score(value: float, threshold: float, width: float) -> float:
    """Confidence 0.5..1 that grows as ``value`` moves away from ``threshold`` (either side) over ``width``."""
    if not (math.isfinite(value) and math.isfinite(threshold)) or width <= 0:
        return 0.5
    return 0.5 + 0.5 * clip01(abs(value - threshold) / width)


def face_ok(f: Features, q: QualityConfig) -> bool:
    """Whether the face mesh is measurable and trustworthy (big enough, fits a face shape)."""
    iod = f.get("face_iod_px")
    rms = f.get("face_fit_rms_norm")
    return math.isfinite(iod) and iod >= q.min_face_iod_px and math.isfinite(rms) and rms <= q.max_face_fit_rms_norm


def make(behaviour: Behaviour, label: str, score: float, ts: int) -> Classification:
    """Build a classification with a clamped score."""
    return Classification(behaviour=behaviour, label=label, score=clip01(score), timestamp_ms=ts)


# Why a face-based reading is unknown, for the framing check to tell the trainee (Norwegian, English).
FACE_TOO_SMALL = "face_too_small"
REASON_TEXT = {FACE_TOO_SMALL: {"no": "for lite i bildet", "en": "too small in the picture"}}


def face_unknown_reason(f: Features, q: QualityConfig) -> str | None:
    """``FACE_TOO_SMALL`` when a face was measured but is under ``quality.min_face_iod_px`` between the eyes.

    None when the face is usable or when no face was found at all (then nothing says it was the size).
    """
    iod = f.get("face_iod_px")
    if math.isfinite(iod) and iod < q.min_face_iod_px:
        return FACE_TOO_SMALL
    return None
