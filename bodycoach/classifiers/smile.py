"""Smile per frame, described as observed: none, warm, open, forced, one-sided.

Warm = closed lips; open = lips parted; forced = the mouth smiles, cheeks and eyes do not; one-sided =
asymmetric corners.

Presence comes from a small logistic model fitted on GENKI-4K. When the frame carries the lower-face
appearance vector (``Features.mouth_hog``, HOG of the canonical mouth crop, computed from the pixels by the
adapter) the model reads it together with the 14 named mouth/eye features
(``calibration/smile_appearance_model.json``); without it (old recordings, replays, a crop outside the
picture) or when it is not finite, the geometry-only model (``calibration/smile_model.json``) decides. The
shape rules then split a present smile. With a calibration profile the cheek and eye rules are relative to
the person's neutral face.

"One-sided" and "forced" are emitted only when ``smile.emit_one_sided`` / ``smile.emit_forced`` are on, and
they are off in the shipped thresholds: the dev data has 1 one-sided and 2 forced smiles, too few to
validate either rule (a rule needs at least 5 examples from 2 sources), and the forced rule's only effect on
dev was 8 open smiles called "forced" (0 right). Such a smile is reported by its lips (warm or open).
"""

from __future__ import annotations

import math
from functools import lru_cache

from bodycoach.classifiers.common import face_ok, make, margin_score
from bodycoach.classifiers.linear import LinearModel
from bodycoach.config import QualityConfig, SmileConfig
from bodycoach.errors import ConfigError
from bodycoach.profile import CalibrationProfile
from bodycoach.resources import calibration_file
from bodycoach.types import MOUTH_HOG_VERSION, Behaviour, Classification, Features, SmileType


@lru_cache(maxsize=8)
def load_smile_model(name: str) -> LinearModel:
    """Load (once) a smile-presence model from ``calibration/``.

    Raises:
        ConfigError: the file is missing or malformed, or its vector part was fitted on another version of
            the appearance descriptor than the adapter computes.
    """
    model = LinearModel.load(calibration_file(name))
    v = model.vector
    if v is not None and (v.name != "mouth_hog" or v.version != MOUTH_HOG_VERSION):
        raise ConfigError(f"{name}: fitted on appearance vector {v.name!r} version {v.version}, but the adapter "
                          f"computes 'mouth_hog' version {MOUTH_HOG_VERSION}; refit it (calibration/fit_models.py)")
    return model


def load_appearance_model(name: str) -> LinearModel | None:
    """The geometry + appearance model named by ``smile.appearance_model`` ("" = none)."""
    return load_smile_model(name) if name else None


def smile_probability(f: Features, model: LinearModel, appearance_model: LinearModel | None = None) -> float:
    """Probability that a smile is present: the appearance model when it can decide, else geometry alone.

    Returns NaN when neither model can (a needed feature is missing or not finite).
    """
    if appearance_model is not None and f.mouth_hog is not None:
        p = appearance_model.probability(f.values, f.mouth_hog)
        if math.isfinite(p):
            return p
    return model.probability(f.values)


def classify_smile(f: Features, t: SmileConfig, q: QualityConfig, model: LinearModel,
                   profile: CalibrationProfile | None = None,
                   appearance_model: LinearModel | None = None) -> Classification:
    """Smile type of one frame; ``unknown`` without a usable, roughly frontal face.

    Args:
        f: The frame's features (with ``mouth_hog`` when the adapter computed it).
        t: Smile thresholds.
        q: Face-quality thresholds.
        model: Geometry-only presence model (the fallback).
        profile: Per-person calibration (neutral face), or None.
        appearance_model: Geometry + appearance presence model, or None to use geometry alone.
    """
    ts = f.timestamp_ms
    yaw = f.get("head_yaw_deg")
    if not face_ok(f, q) or not math.isfinite(yaw) or abs(yaw) > t.max_abs_yaw_deg:
        return Classification.unknown(Behaviour.SMILE, ts)
    p = smile_probability(f, model, appearance_model)
    if not math.isfinite(p):
        return Classification.unknown(Behaviour.SMILE, ts)
    if p < t.presence_min_prob:
        return make(Behaviour.SMILE, SmileType.NONE, 1.0 - p, ts)
    asym, gap = f.get("smile_asym_norm"), f.get("lip_gap_norm")
    lid, eye_open = f.get("lower_lid_drop_norm"), f.get("eye_open_norm")
    if t.emit_one_sided and math.isfinite(asym) and asym >= t.one_sided_asym_norm:
        return make(Behaviour.SMILE, SmileType.ONE_SIDED, min(p, margin_score(asym, t.one_sided_asym_norm, 0.03)), ts)
    lid_min, eye_min = t.forced_min_lower_lid_drop_norm, t.forced_min_eye_open_norm
    if profile is not None and "lower_lid_drop_norm" in profile.neutral and "eye_open_norm" in profile.neutral:
        # Relative to this person's neutral face: the lower lids did not rise, the eyes did not narrow.
        lid_min = profile.neutral["lower_lid_drop_norm"] - 0.003
        eye_min = 0.95 * profile.neutral["eye_open_norm"]
    # Only a broad, open-lipped smile can be forced: a small, held-back smile is warm whatever the eyes do.
    broad = p >= t.forced_min_prob and math.isfinite(gap) and gap >= t.open_lip_gap_norm
    no_cheek_raise = math.isfinite(lid) and math.isfinite(eye_open) and lid >= lid_min and eye_open >= eye_min
    if t.emit_forced and broad and no_cheek_raise:
        return make(Behaviour.SMILE, SmileType.FORCED, min(p, margin_score(lid, lid_min, 0.01)), ts)
    if math.isfinite(gap) and gap >= t.open_lip_gap_norm:
        return make(Behaviour.SMILE, SmileType.OPEN, min(p, margin_score(gap, t.open_lip_gap_norm, 0.05)), ts)
    return make(Behaviour.SMILE, SmileType.WARM, min(p, margin_score(gap, t.open_lip_gap_norm, 0.05)), ts)


class SmileClassifier:
    """Binds thresholds, the presence models and a profile to :func:`classify_smile`."""

    def __init__(self, t: SmileConfig, q: QualityConfig, profile: CalibrationProfile | None = None) -> None:
        self.t, self.q, self.profile = t, q, profile
        self.model = load_smile_model(t.model)
        self.appearance_model = load_appearance_model(t.appearance_model)

    def __call__(self, f: Features) -> Classification:
        """Classify one frame."""
        return classify_smile(f, self.t, self.q, self.model, self.profile, self.appearance_model)
