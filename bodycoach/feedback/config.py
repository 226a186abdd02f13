"""Thresholds of the feedback layer, read from ``calibration/feedback.toml``.

Pure logic (no cv2, mediapipe or streamlit). Each value has its unit in its name; the reasons live beside
the values in the TOML file. Unknown keys and bad values raise :class:`bodycoach.errors.ConfigError` with
one line naming the file, the key, the value and what was expected.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from functools import lru_cache
from pathlib import Path
from typing import Any

from bodycoach.errors import ConfigError
from bodycoach.resources import calibration_file
from bodycoach.tomlfile import read_toml

FILE_NAME = "feedback.toml"


def _check_range(section: str, name: str, value: float, lo: float, hi: float) -> None:
    if not (lo <= value <= hi):
        raise ConfigError(f"{FILE_NAME} [{section}] {name} = {value!r}, expected a number in [{lo}, {hi}]")


@dataclass(frozen=True)
class CueConfig:
    """Timing of live cues (milliseconds of frame time)."""

    min_show_ms: int = 3000
    max_show_ms: int = 8000
    cooldown_ms: int = 20000
    fault_hold_ms: int = 0
    ack_show_ms: int = 2500
    ack_hold_ms: int = 2000
    ack_interval_ms: int = 12000

    def __post_init__(self) -> None:
        for f in fields(self):
            _check_range("cues", f.name, getattr(self, f.name), 0, 3_600_000)
        if self.max_show_ms < self.min_show_ms:
            raise ConfigError(
                f"{FILE_NAME} [cues] max_show_ms = {self.max_show_ms}, expected >= min_show_ms "
                f"({self.min_show_ms})"
            )


@dataclass(frozen=True)
class ReportConfig:
    """Session report and scorecard settings."""

    max_frame_gap_ms: int = 1000
    eye_contact_target_share: float = 0.6
    smile_target_share: float = 0.25
    smile_min_ms: int = 1000
    bad_max_share: float = 0.1
    hands_target_share: float = 0.5
    moments_max: int = 5
    min_moment_ms: int = 1000

    def __post_init__(self) -> None:
        for name in (
            "max_frame_gap_ms",
            "smile_min_ms",
            "min_moment_ms",
        ):
            _check_range("report", name, getattr(self, name), 0, 3_600_000)
        for name in ("eye_contact_target_share", "smile_target_share", "bad_max_share", "hands_target_share"):
            _check_range("report", name, getattr(self, name), 0.0, 1.0)
        _check_range("report", "moments_max", self.moments_max, 0, 1000)


@dataclass(frozen=True)
class OverlayConfig:
    """Overlay drawing settings."""

    landmark_min_visibility: float = 0.5
    cue_text_height_frac: float = 0.045
    badge_text_height_frac: float = 0.032
    min_text_px: int = 11
    panel_alpha: float = 0.6

    def __post_init__(self) -> None:
        _check_range("overlay", "landmark_min_visibility", self.landmark_min_visibility, 0.0, 1.0)
        _check_range("overlay", "cue_text_height_frac", self.cue_text_height_frac, 0.001, 0.5)
        _check_range("overlay", "badge_text_height_frac", self.badge_text_height_frac, 0.001, 0.5)
        _check_range("overlay", "min_text_px", self.min_text_px, 1, 500)
        _check_range("overlay", "panel_alpha", self.panel_alpha, 0.0, 1.0)


@dataclass(frozen=True)
class FeedbackConfig:
    """All feedback-layer settings."""

    cues: CueConfig = field(default_factory=CueConfig)
    report: ReportConfig = field(default_factory=ReportConfig)
    overlay: OverlayConfig = field(default_factory=OverlayConfig)


def _build(cls: type[Any], section: str, raw: Any, path: Path) -> Any:
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: [{section}] = {raw!r}, expected a table")
    allowed = {f.name: f for f in fields(cls)}
    kwargs: dict[str, Any] = {}
    for key, value in raw.items():
        if key not in allowed:
            raise ConfigError(f"{path}: [{section}] unknown key {key!r}, expected one of {sorted(allowed)}")
        want = allowed[key].type
        is_int = want in (int, "int")
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or (is_int and not isinstance(value, int))
        ):
            raise ConfigError(
                f"{path}: [{section}] {key} = {value!r}, expected {'an integer' if is_int else 'a number'}"
            )
        kwargs[key] = value if is_int else float(value)
    return cls(**kwargs)


def load_feedback_config(path: str | Path | None = None) -> FeedbackConfig:
    """Read the feedback settings from ``path`` (default ``calibration/feedback.toml``).

    Missing keys keep their defaults (which equal the shipped file).

    Raises:
        ConfigError: The file cannot be read or parsed, has unknown keys or bad values.
    """
    p = Path(path) if path is not None else calibration_file(FILE_NAME)
    raw = read_toml(p, "file (expected the feedback settings TOML)")
    sections = {"cues": CueConfig, "report": ReportConfig, "overlay": OverlayConfig}
    for key in raw:
        if key not in sections:
            raise ConfigError(f"{p}: unknown section [{key}], expected one of {sorted(sections)}")
    try:
        built = {name: _build(cls, name, raw.get(name, {}), p) for name, cls in sections.items()}
    except ConfigError as e:
        msg = str(e)
        raise ConfigError(msg if msg.startswith(str(p)) else f"{p}: {msg}") from None
    return FeedbackConfig(**built)


@lru_cache(maxsize=1)
def default_feedback_config() -> FeedbackConfig:
    """Return the shipped settings (read once per process)."""
    return load_feedback_config()
