"""Eye contact per frame: lens / screen / away from gaze = head pose + iris offset.

``gaze_yaw = head_yaw + iris_yaw_gain · iris_h`` (and the same for pitch with the vertical iris offset):
neither the head nor the eyes alone say where someone looks (a turned head with the eyes back on the lens
is eye contact). The lens is an ellipse of half-axes ``lens_yaw_deg`` × ``lens_pitch_deg`` around the
calibrated lens direction (straight ahead without a profile); closed eyes are never eye contact.
"""

from __future__ import annotations

import math

from bodycoach.classifiers.common import clip01, face_ok, make
from bodycoach.config import EyeContactConfig, QualityConfig
from bodycoach.profile import CalibrationProfile
from bodycoach.types import Behaviour, Classification, EyeContact, Features


def raw_gaze(f: Features, t: EyeContactConfig) -> tuple[float, float]:
    """Gaze yaw and pitch in degrees before any profile offset (NaN when not measurable)."""
    yaw, pitch = f.get("head_yaw_deg"), f.get("head_pitch_deg")
    ih, iv = f.get("iris_h_norm"), f.get("iris_v_norm")
    gy = yaw + t.iris_yaw_gain_deg * ih
    gp = pitch + t.iris_pitch_gain_deg * (iv - t.iris_v_neutral_norm)
    return gy, gp


def gaze(f: Features, t: EyeContactConfig, profile: CalibrationProfile | None = None) -> tuple[float, float]:
    """Gaze yaw and pitch in degrees relative to the lens direction (NaN when not measurable)."""
    gy, gp = raw_gaze(f, t)
    if profile is not None:
        gy -= profile.lens_yaw_deg
        gp -= profile.lens_pitch_deg
    return gy, gp


def classify_eye_contact(f: Features, t: EyeContactConfig, q: QualityConfig,
                         profile: CalibrationProfile | None = None) -> Classification:
    """Lens, screen or away for one frame's features; ``unknown`` without a usable face."""
    ts = f.timestamp_ms
    if not face_ok(f, q):
        return Classification.unknown(Behaviour.EYE_CONTACT, ts)
    gy, gp = gaze(f, t, profile)
    eye_open = f.get("eye_open_norm")
    if not (math.isfinite(gy) and math.isfinite(gp) and math.isfinite(eye_open)):
        return Classification.unknown(Behaviour.EYE_CONTACT, ts)
    e = math.hypot(gy / t.lens_yaw_deg, gp / t.lens_pitch_deg)  # 1 = on the ellipse
    if eye_open < t.min_eye_open_norm:
        closed = 1.0 - eye_open / t.min_eye_open_norm if t.min_eye_open_norm > 0 else 1.0
        return make(Behaviour.EYE_CONTACT, EyeContact.AWAY, 0.5 + 0.5 * clip01(closed), ts)
    if e <= 1.0:
        return make(Behaviour.EYE_CONTACT, EyeContact.LENS, 0.5 + 0.5 * (1 - e), ts)
    if in_screen_zone(gy, gp, t, profile):
        return make(Behaviour.EYE_CONTACT, EyeContact.SCREEN, 0.75, ts)
    return make(Behaviour.EYE_CONTACT, EyeContact.AWAY, 0.5 + 0.5 * clip01(e - 1.0), ts)


def in_screen_zone(gy: float, gp: float, t: EyeContactConfig, profile: CalibrationProfile | None) -> bool:
    """Whether a lens-relative gaze direction falls in the work-screen zone (calibrated or default)."""
    if profile is not None and profile.has_screen:
        assert profile.screen_yaw_deg is not None and profile.screen_pitch_deg is not None
        return math.hypot(gy - profile.screen_yaw_deg, gp - profile.screen_pitch_deg) <= profile.screen_radius_deg
    return t.screen_yaw_min_deg <= gy <= t.screen_yaw_max_deg and t.screen_pitch_min_deg <= gp <= t.screen_pitch_max_deg


class EyeContactClassifier:
    """Binds thresholds (and a profile) to :func:`classify_eye_contact`."""

    def __init__(self, t: EyeContactConfig, q: QualityConfig, profile: CalibrationProfile | None = None) -> None:
        self.t, self.q, self.profile = t, q, profile

    def __call__(self, f: Features) -> Classification:
        """Classify one frame."""
        return classify_eye_contact(f, self.t, self.q, self.profile)
