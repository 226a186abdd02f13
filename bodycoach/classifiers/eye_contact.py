"""Eye contact per frame: lens / screen / away from head pose and iris offset together.

``gaze_yaw = head_yaw + iris_yaw_gain · iris_h`` (and the same for pitch with the vertical iris offset):
neither the head nor the eyes alone say where someone looks (a turned head with the eyes back on the lens
can be eye contact).

With ``eye_contact.model`` set (the shipped ``calibration/eye_contact_model.json``) the lens decision is one
fitted logistic model over four named inputs (:func:`eye_contact_inputs`): the squared lens-relative gaze
yaw and pitch, the squared head yaw and how far the lids are from closing. The head-yaw term is what keeps
a turned head from being "compensated" into eye contact by the iris offset alone: the same gaze angle is less
likely eye contact the more the head itself is turned (the iris offset is the noisiest of the measures, and
it grows with the turn). Lens = probability ≥ ``lens_min_prob``. With a calibration profile the angles are
relative to the person's measured lens direction. Without a model the lens is an ellipse of half-axes
``lens_yaw_deg`` × ``lens_pitch_deg`` around the lens direction. Closed eyes are never eye contact.
"""

from __future__ import annotations

import math
from functools import lru_cache

from bodycoach.classifiers.common import clip01, face_ok, make
from bodycoach.classifiers.linear import LinearModel
from bodycoach.config import EyeContactConfig, QualityConfig
from bodycoach.profile import CalibrationProfile
from bodycoach.resources import calibration_file
from bodycoach.types import Behaviour, Classification, EyeContact, Features

# The model's inputs, by name (the model file lists the ones it reads).
EYE_CONTACT_INPUTS = ("gaze_yaw_sq_deg2", "gaze_pitch_sq_deg2", "head_yaw_sq_deg2", "eye_closing_norm")
# Lid aperture (lid gap / eye width) below which ``eye_closing_norm`` grows: open eyes sit at 0.2-0.45.
_EYE_OPEN_NORM = 0.15


@lru_cache(maxsize=8)
def load_eye_contact_model(name: str) -> LinearModel | None:
    """The eye-contact model named by ``eye_contact.model`` ("" = none: the ellipse rule)."""
    return LinearModel.load(calibration_file(name)) if name else None


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


def eye_contact_inputs(f: Features, t: EyeContactConfig,
                       profile: CalibrationProfile | None = None) -> dict[str, float]:
    """The eye-contact model's named inputs for one frame (NaN where not measurable).

    ``head_yaw_sq_deg2`` is the head's own yaw relative to the lens direction (the profile's, when calibrated).
    """
    gy, gp = gaze(f, t, profile)
    yaw = f.get("head_yaw_deg")
    if profile is not None:
        yaw -= profile.lens_yaw_deg
    eye_open = f.get("eye_open_norm")
    return {"gaze_yaw_sq_deg2": gy * gy, "gaze_pitch_sq_deg2": gp * gp, "head_yaw_sq_deg2": yaw * yaw,
            "eye_closing_norm": max(0.0, _EYE_OPEN_NORM - eye_open) if math.isfinite(eye_open) else math.nan}


def lens_probability(f: Features, t: EyeContactConfig, model: LinearModel,
                     profile: CalibrationProfile | None = None) -> float:
    """Probability that the frame shows eye contact (NaN when an input is not measurable)."""
    return model.probability(eye_contact_inputs(f, t, profile))


def classify_eye_contact(f: Features, t: EyeContactConfig, q: QualityConfig,
                         profile: CalibrationProfile | None = None,
                         model: LinearModel | None = None) -> Classification:
    """Lens, screen or away for one frame's features; ``unknown`` without a usable face.

    Args:
        model: The fitted lens model; None = ``t.model`` (loaded once), or the ellipse rule when that is "".
    """
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
    if model is None:
        model = load_eye_contact_model(t.model)
    if model is not None:
        p = lens_probability(f, t, model, profile)
        if not math.isfinite(p):
            return Classification.unknown(Behaviour.EYE_CONTACT, ts)
        if p >= t.lens_min_prob:
            return make(Behaviour.EYE_CONTACT, EyeContact.LENS, p, ts)
        if in_screen_zone(gy, gp, t, profile):
            return make(Behaviour.EYE_CONTACT, EyeContact.SCREEN, 0.75, ts)
        return make(Behaviour.EYE_CONTACT, EyeContact.AWAY, 1.0 - p, ts)
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
        self.model = load_eye_contact_model(t.model)

    def __call__(self, f: Features) -> Classification:
        """Classify one frame."""
        return classify_eye_contact(f, self.t, self.q, self.profile, self.model)
