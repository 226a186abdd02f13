"""Head per frame: propped on a hand, turned away, or upright (yaw/pitch/roll are features)."""

from __future__ import annotations

import math

from bodycoach.classifiers.common import face_ok, make, margin_score
from bodycoach.config import HeadConfig, QualityConfig
from bodycoach.profile import CalibrationProfile
from bodycoach.types import Behaviour, Classification, Features, HeadPose


def classify_head(f: Features, t: HeadConfig, q: QualityConfig,
                  profile: CalibrationProfile | None = None) -> Classification:
    """Propped when a hand touches the lower face; turned when |yaw| (lens-relative) exceeds the limit."""
    ts = f.timestamp_ms
    if not face_ok(f, q):
        return Classification.unknown(Behaviour.HEAD, ts)
    yaw = f.get("head_yaw_deg")
    pitch = f.get("head_pitch_deg")
    if not (math.isfinite(yaw) and math.isfinite(pitch)):
        return Classification.unknown(Behaviour.HEAD, ts)
    if profile is not None:
        yaw -= profile.lens_yaw_deg
    hand = f.get("hand_face_dist_iod")
    # Contact only: the chin-raised and fingers-up exceptions were removed (each changed at most 2 dev rows
    # from 1-2 sources; a rule needs at least 5 from 2). Support geometry (the hand under the chin carrying
    # it) does not yet separate a phone at the ear or a hand over the mouth on dev (calibration/README.md).
    if math.isfinite(hand) and hand <= t.propped_hand_face_iod:
        return make(Behaviour.HEAD, HeadPose.PROPPED, margin_score(hand, t.propped_hand_face_iod, 0.2), ts)
    if abs(yaw) >= t.turned_yaw_deg:
        return make(Behaviour.HEAD, HeadPose.TURNED, margin_score(abs(yaw), t.turned_yaw_deg, 10.0), ts)
    return make(Behaviour.HEAD, HeadPose.UPRIGHT, margin_score(abs(yaw), t.turned_yaw_deg, 10.0), ts)


class HeadClassifier:
    """Binds thresholds to :func:`classify_head`."""

    def __init__(self, t: HeadConfig, q: QualityConfig, profile: CalibrationProfile | None = None) -> None:
        self.t, self.q, self.profile = t, q, profile

    def __call__(self, f: Features) -> Classification:
        """Classify one frame."""
        return classify_head(f, self.t, self.q, self.profile)
