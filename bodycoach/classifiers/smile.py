"""Smile per frame, described as observed: none, warm, open, forced, one-sided.

Warm = closed lips; open = lips parted; forced = the mouth smiles, cheeks and eyes do not; one-sided =
asymmetric corners.

Presence comes from a small logistic model on named mouth/eye features (``calibration/smile_model.json``,
fitted on GENKI-4K); the shape rules then split a present smile. With a calibration profile the cheek and
eye rules are relative to the person's neutral face.
"""

from __future__ import annotations

import math
from functools import lru_cache

from bodycoach.classifiers.common import face_ok, make, margin_score
from bodycoach.classifiers.linear import LinearModel
from bodycoach.config import QualityConfig, SmileConfig
from bodycoach.profile import CalibrationProfile
from bodycoach.resources import calibration_file
from bodycoach.types import Behaviour, Classification, Features, SmileType


@lru_cache(maxsize=8)
def load_smile_model(name: str) -> LinearModel:
    """Load (once) a smile-presence model from ``calibration/``."""
    return LinearModel.load(calibration_file(name))


def classify_smile(f: Features, t: SmileConfig, q: QualityConfig, model: LinearModel,
                   profile: CalibrationProfile | None = None) -> Classification:
    """Smile type of one frame; ``unknown`` without a usable, roughly frontal face."""
    ts = f.timestamp_ms
    yaw = f.get("head_yaw_deg")
    if not face_ok(f, q) or not math.isfinite(yaw) or abs(yaw) > t.max_abs_yaw_deg:
        return Classification.unknown(Behaviour.SMILE, ts)
    p = model.probability(f.values)
    if not math.isfinite(p):
        return Classification.unknown(Behaviour.SMILE, ts)
    if p < t.presence_min_prob:
        return make(Behaviour.SMILE, SmileType.NONE, 1.0 - p, ts)
    asym, gap = f.get("smile_asym_norm"), f.get("lip_gap_norm")
    lid, eye_open = f.get("lower_lid_drop_norm"), f.get("eye_open_norm")
    if math.isfinite(asym) and asym >= t.one_sided_asym_norm:
        return make(Behaviour.SMILE, SmileType.ONE_SIDED, min(p, margin_score(asym, t.one_sided_asym_norm, 0.03)), ts)
    lid_min, eye_min = t.forced_min_lower_lid_drop_norm, t.forced_min_eye_open_norm
    if profile is not None and "lower_lid_drop_norm" in profile.neutral and "eye_open_norm" in profile.neutral:
        # Relative to this person's neutral face: the lower lids did not rise, the eyes did not narrow.
        lid_min = profile.neutral["lower_lid_drop_norm"] - 0.003
        eye_min = 0.95 * profile.neutral["eye_open_norm"]
    # Only a broad, open-lipped smile can be forced: a small, held-back smile is warm whatever the eyes do.
    broad = p >= t.forced_min_prob and math.isfinite(gap) and gap >= t.open_lip_gap_norm
    if broad and math.isfinite(lid) and math.isfinite(eye_open) and lid >= lid_min and eye_open >= eye_min:
        return make(Behaviour.SMILE, SmileType.FORCED, min(p, margin_score(lid, lid_min, 0.01)), ts)
    if math.isfinite(gap) and gap >= t.open_lip_gap_norm:
        return make(Behaviour.SMILE, SmileType.OPEN, min(p, margin_score(gap, t.open_lip_gap_norm, 0.05)), ts)
    return make(Behaviour.SMILE, SmileType.WARM, min(p, margin_score(gap, t.open_lip_gap_norm, 0.05)), ts)


class SmileClassifier:
    """Binds thresholds, the presence model and a profile to :func:`classify_smile`."""

    def __init__(self, t: SmileConfig, q: QualityConfig, profile: CalibrationProfile | None = None) -> None:
        self.t, self.q, self.profile = t, q, profile
        self.model = load_smile_model(t.model)

    def __call__(self, f: Features) -> Classification:
        """Classify one frame."""
        return classify_smile(f, self.t, self.q, self.model, self.profile)
