"""Thresholds of the classifiers and the temporal layer, read from ``calibration/thresholds.toml``.

Every value has its unit in its name (``_deg``, ``_norm`` = inter-ocular distances of the frontalised
face, ``_sw`` = shoulder widths, ``_iod`` = inter-ocular distances in the image, ``_ms``, ``_share`` = 0..1)
and is range-checked here; unknown sections or keys are errors, so a typo cannot silently fall back to a
default. ``calibration/README.md`` says where each value comes from.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from bodycoach.errors import ConfigError
from bodycoach.resources import calibration_file
from bodycoach.tomlfile import read_toml


def _check(section: str, obj: object, limits: dict[str, tuple[float, float]]) -> None:
    for f in fields(obj):  # type: ignore[arg-type]
        v = getattr(obj, f.name)
        if f.name in limits and isinstance(v, (int, float)):
            lo, hi = limits[f.name]
            if not (lo <= float(v) <= hi):
                raise ConfigError(f"{section}.{f.name} = {v}, expected a value in [{lo:g}, {hi:g}]")


@dataclass(frozen=True)
class QualityConfig:
    """When evidence counts as present."""

    min_visibility: float = 0.5
    min_face_iod_px: float = 8.0
    max_face_fit_rms_norm: float = 0.12

    def __post_init__(self) -> None:
        _check("quality", self, {"min_visibility": (0, 1), "min_face_iod_px": (0, 1000),
                                 "max_face_fit_rms_norm": (0.001, 10)})


@dataclass(frozen=True)
class EyeContactConfig:
    """Gaze = head pose + iris offset; the lens is an ellipse around the calibrated lens direction."""

    iris_yaw_gain_deg: float = -150.0
    iris_pitch_gain_deg: float = 0.0
    iris_v_neutral_norm: float = -0.02
    lens_yaw_deg: float = 14.0
    lens_pitch_deg: float = 28.0
    min_eye_open_norm: float = 0.10
    screen_yaw_min_deg: float = -35.0
    screen_yaw_max_deg: float = 35.0
    screen_pitch_min_deg: float = -60.0
    screen_pitch_max_deg: float = -28.0
    model: str = ""
    lens_min_prob: float = 0.5

    def __post_init__(self) -> None:
        if self.model and not self.model.endswith(".json"):
            raise ConfigError(f"eye_contact.model = {self.model!r}, expected a .json file name in calibration/ or \"\"")
        _check("eye_contact", self, {"lens_min_prob": (0, 1),
            "iris_yaw_gain_deg": (-1000, 1000), "iris_pitch_gain_deg": (-1000, 1000),
            "iris_v_neutral_norm": (-1, 1), "lens_yaw_deg": (0.5, 90), "lens_pitch_deg": (0.5, 90),
            "min_eye_open_norm": (0, 1), "screen_yaw_min_deg": (-90, 90), "screen_yaw_max_deg": (-90, 90),
            "screen_pitch_min_deg": (-90, 90), "screen_pitch_max_deg": (-90, 90)})
        if self.screen_yaw_min_deg > self.screen_yaw_max_deg or self.screen_pitch_min_deg > self.screen_pitch_max_deg:
            raise ConfigError("eye_contact.screen_*: the screen zone's min must not exceed its max")


@dataclass(frozen=True)
class SmileConfig:
    """Smile presence (a small logistic model) and shape rules."""

    model: str = "smile_model.json"
    appearance_model: str = "smile_appearance_model.json"
    presence_min_prob: float = 0.4
    open_lip_gap_norm: float = 0.09
    one_sided_asym_norm: float = 0.09
    forced_min_prob: float = 0.8
    forced_min_lower_lid_drop_norm: float = 0.054
    forced_min_eye_open_norm: float = 0.34
    max_abs_yaw_deg: float = 60.0
    emit_one_sided: bool = False
    emit_forced: bool = False

    def __post_init__(self) -> None:
        _check("smile", self, {"presence_min_prob": (0, 1), "open_lip_gap_norm": (0, 1),
                               "one_sided_asym_norm": (0, 1), "forced_min_lower_lid_drop_norm": (-1, 1),
                               "forced_min_prob": (0, 1),
                               "forced_min_eye_open_norm": (0, 1), "max_abs_yaw_deg": (1, 90)})
        if not self.model.endswith(".json"):
            raise ConfigError(f"smile.model = {self.model!r}, expected a .json file name in calibration/")
        if self.appearance_model and not self.appearance_model.endswith(".json"):
            raise ConfigError(f"smile.appearance_model = {self.appearance_model!r}, expected a .json file name in "
                              "calibration/ or \"\" (geometry only)")


@dataclass(frozen=True)
class HeadConfig:
    """Head turned / propped / upright."""

    turned_yaw_deg: float = 26.0
    propped_hand_face_iod: float = 0.3

    def __post_init__(self) -> None:
        _check("head", self, {"turned_yaw_deg": (1, 90), "propped_hand_face_iod": (0, 10)})


@dataclass(frozen=True)
class ArmsConfig:
    """Arm positions from shoulder-normalised pose points."""

    crossed_wrist_elbow_sw: float = 0.8
    crossed_chest_min_up_sw: float = -1.0
    extended_max_vert_deg: float = 50.0
    extended_max_wrist_up_sw: float = -0.7
    down_min_vert_deg: float = 60.0
    down_max_wrist_up_sw: float = -1.2
    hidden_max_visibility: float = 0.3

    def __post_init__(self) -> None:
        _check("arms", self, {"crossed_wrist_elbow_sw": (0, 5), "crossed_chest_min_up_sw": (-5, 5),
                              "extended_max_vert_deg": (0, 90), "extended_max_wrist_up_sw": (-5, 5),
                              "down_min_vert_deg": (0, 90),
                              "down_max_wrist_up_sw": (-5, 5), "hidden_max_visibility": (0, 1)})


@dataclass(frozen=True)
class PalmConfig:
    """Palm vs back of the most visible hand."""

    min_abs_facing: float = 0.0

    def __post_init__(self) -> None:
        _check("palm", self, {"min_abs_facing": (0, 1)})


@dataclass(frozen=True)
class HandsConfig:
    """Hands together vs open."""

    together_gap_sw: float = 0.45

    def __post_init__(self) -> None:
        _check("hands", self, {"together_gap_sw": (0, 10)})


@dataclass(frozen=True)
class PostureConfig:
    """Upright vs slumped vs leaning (telephone practice)."""

    leaning_tilt_deg: float = 10.0
    slumped_max_nose_up_sw: float = 0.45

    def __post_init__(self) -> None:
        _check("posture", self, {"leaning_tilt_deg": (0, 90), "slumped_max_nose_up_sw": (-5, 5)})


@dataclass(frozen=True)
class ViewConfig:
    """What the camera can see (``bodycoach/classifiers/view.py``)."""

    min_visibility: float = 0.5
    edge_margin_frac: float = 0.02
    head_shoulders_min_below_sw: float = 0.3
    min_elbows_seen: int = 1
    counter_min_below_shoulders_sw: float = 0.8
    min_on_ms: int = 400

    def __post_init__(self) -> None:
        _check("view", self, {"min_visibility": (0, 1), "edge_margin_frac": (0, 0.5), "min_elbows_seen": (0, 2),
                              "head_shoulders_min_below_sw": (0, 20),
                              "counter_min_below_shoulders_sw": (0, 20), "min_on_ms": (0, 60_000)})


@dataclass(frozen=True)
class GazeStyleConfig:
    """The guide's four kinds of look, judged over a sliding window of per-frame eye-contact labels."""

    window_ms: int = 3000
    min_evidence_share: float = 0.5
    lens_min_share: float = 0.6
    screen_min_share: float = 0.5
    wandering_max_lens_share: float = 0.6
    wandering_min_shifts_per_s: float = 0.6
    warm_min_smile_share: float = 0.3
    defiant_max_eye_open_norm: float = 0.26
    defiant_min_pitch_deg: float = 8.0
    defiant_max_brow_raise_norm: float = 0.33
    defiant_max_smile_share: float = 0.05

    def __post_init__(self) -> None:
        _check("gaze_style", self, {
            "window_ms": (200, 60_000), "min_evidence_share": (0, 1), "lens_min_share": (0, 1),
            "screen_min_share": (0, 1), "wandering_max_lens_share": (0, 1),
            "wandering_min_shifts_per_s": (0, 20), "warm_min_smile_share": (0, 1),
            "defiant_max_eye_open_norm": (0, 1), "defiant_min_pitch_deg": (-90, 90),
            "defiant_max_brow_raise_norm": (0, 2), "defiant_max_smile_share": (0, 1)})


@dataclass(frozen=True)
class HysteresisConfig:
    """How long (ms of evidence) a new label must hold before it becomes the stable state."""

    min_on_ms: int = 400
    smile_min_on_ms: int = 250
    gaze_min_on_ms: int = 250
    max_frame_ms: int = 200

    def __post_init__(self) -> None:
        _check("hysteresis", self, {"min_on_ms": (0, 60_000), "smile_min_on_ms": (0, 60_000),
                                    "gaze_min_on_ms": (0, 60_000), "max_frame_ms": (1, 60_000)})


@dataclass(frozen=True)
class CoachConfig:
    """All thresholds, one section per classifier plus the temporal layer."""

    quality: QualityConfig = field(default_factory=QualityConfig)
    eye_contact: EyeContactConfig = field(default_factory=EyeContactConfig)
    smile: SmileConfig = field(default_factory=SmileConfig)
    head: HeadConfig = field(default_factory=HeadConfig)
    arms: ArmsConfig = field(default_factory=ArmsConfig)
    palm: PalmConfig = field(default_factory=PalmConfig)
    hands: HandsConfig = field(default_factory=HandsConfig)
    posture: PostureConfig = field(default_factory=PostureConfig)
    gaze_style: GazeStyleConfig = field(default_factory=GazeStyleConfig)
    hysteresis: HysteresisConfig = field(default_factory=HysteresisConfig)
    view: ViewConfig = field(default_factory=ViewConfig)

    @classmethod
    def from_dict(cls, data: dict[str, Any], source: str = "config") -> CoachConfig:
        """Build a config from nested dicts (as read from TOML); unknown keys raise ``ConfigError``."""
        sections = {f.name: f for f in fields(cls)}
        kwargs: dict[str, Any] = {}
        for name, values in data.items():
            if name not in sections:
                raise ConfigError(f"{source}: unknown section [{name}], expected one of {', '.join(sections)}")
            if not isinstance(values, dict):
                raise ConfigError(f"{source}: [{name}] must be a table, but got {type(values).__name__}")
            default = getattr(cls(), name)
            known = {f.name: f for f in fields(default)}
            for k, v in values.items():
                if k not in known:
                    raise ConfigError(f"{source}: unknown key {name}.{k}, expected one of {', '.join(known)}")
                want = type(getattr(default, k))
                if want is bool and not isinstance(v, bool):
                    raise ConfigError(f"{source}: {name}.{k} = {v!r}, expected true or false")
                if want is str and not isinstance(v, str):
                    raise ConfigError(f"{source}: {name}.{k} = {v!r}, expected a string")
                if want in (int, float) and (isinstance(v, bool) or not isinstance(v, (int, float))):
                    raise ConfigError(f"{source}: {name}.{k} = {v!r}, expected a number")
                if want is int and isinstance(v, float):
                    if not v.is_integer():
                        raise ConfigError(f"{source}: {name}.{k} = {v!r}, expected a whole number")
                    values = {**values, k: int(v)}
            try:
                kwargs[name] = replace(default, **values)
            except ConfigError as exc:
                raise ConfigError(f"{source}: {exc}") from None
        return cls(**kwargs)


def load_config(path: str | Path | None = None) -> CoachConfig:
    """Read thresholds from ``path`` (default: the shipped ``calibration/thresholds.toml``).

    Raises:
        ConfigError: the file is missing, not TOML, or holds an unknown key or an out-of-range value.
    """
    p = Path(path) if path is not None else calibration_file("thresholds.toml")
    return CoachConfig.from_dict(read_toml(p), source=str(p))
