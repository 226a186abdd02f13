"""Posture per frame for telephone practice: upright and relaxed, slumped, or leaning to one side.

Leaning = the shoulder line (or the torso, when the hips are visible) tilts by more than the limit;
slumped = the nose sits low above the shoulder line (head sunk forward/down), in shoulder widths, relative
to the person's calibrated upright posture when a profile holds one.
"""

from __future__ import annotations

import math

from bodycoach.classifiers.common import make, margin_score
from bodycoach.config import PostureConfig
from bodycoach.profile import CalibrationProfile
from bodycoach.types import Behaviour, Classification, Features, Posture


def classify_posture(f: Features, t: PostureConfig, profile: CalibrationProfile | None = None) -> Classification:
    """Upright, slumped or leaning; ``unknown`` without shoulders and nose."""
    ts = f.timestamp_ms
    tilt, nose_up = f.get("shoulder_tilt_deg"), f.get("nose_up_sw")
    if not (math.isfinite(tilt) and math.isfinite(nose_up)):
        return Classification.unknown(Behaviour.POSTURE, ts)
    lean = f.get("torso_lean_deg")
    if profile is not None and "shoulder_tilt_deg" in profile.neutral:
        tilt -= profile.neutral["shoulder_tilt_deg"]
    worst = max(abs(tilt), abs(lean) if math.isfinite(lean) else 0.0)
    if worst >= t.leaning_tilt_deg:
        return make(Behaviour.POSTURE, Posture.LEANING, margin_score(worst, t.leaning_tilt_deg, 10.0), ts)
    limit = t.slumped_max_nose_up_sw
    if profile is not None and "nose_up_sw" in profile.neutral:
        limit = 0.8 * profile.neutral["nose_up_sw"]  # 20 % lower than this person's upright posture
    if nose_up <= limit:
        return make(Behaviour.POSTURE, Posture.SLUMPED, margin_score(nose_up, limit, 0.2), ts)
    return make(Behaviour.POSTURE, Posture.UPRIGHT, margin_score(nose_up, limit, 0.2), ts)


class PostureClassifier:
    """Binds thresholds to :func:`classify_posture`."""

    def __init__(self, t: PostureConfig, profile: CalibrationProfile | None = None) -> None:
        self.t, self.profile = t, profile

    def __call__(self, f: Features) -> Classification:
        """Classify one frame."""
        return classify_posture(f, self.t, self.profile)
