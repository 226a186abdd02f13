"""Perception settings, read from ``calibration/perception.toml`` and validated."""

from __future__ import annotations

from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from bodycoach.errors import ConfigError
from bodycoach.resources import calibration_file
from bodycoach.tomlfile import read_toml


@dataclass(frozen=True)
class PerceptionSettings:
    """How frames are prepared and which person is followed. See ``calibration/perception.toml``."""

    max_side_px: int = 1280
    min_side_px: int = 32
    max_faces: int = 2
    max_hands: int = 2
    min_detection_confidence: float = 0.5
    min_tracking_confidence: float = 0.5
    hands_model_complexity: int = 1
    hands_wrist_margin_norm: float = 0.05
    hands_probe_ms: int = 500
    centre_falloff_norm: float = 0.75
    track_radius_face_widths: float = 1.5
    track_bonus: float = 3.0
    pose_face_max_dist_face_widths: float = 1.0
    hand_wrist_max_dist_shoulder: float = 0.6
    hand_face_max_dist_face_widths: float = 6.0
    every_ms: float = 200.0
    retry_face_min_iod_px: float = 24.0

    def __post_init__(self) -> None:
        _range("max_side_px", self.max_side_px, 64, 8192)
        _range("min_side_px", self.min_side_px, 1, 1024)
        _range("max_faces", self.max_faces, 1, 10)
        _range("max_hands", self.max_hands, 1, 10)
        _range("min_detection_confidence", self.min_detection_confidence, 0.0, 1.0)
        _range("min_tracking_confidence", self.min_tracking_confidence, 0.0, 1.0)
        if self.hands_model_complexity not in (0, 1):
            raise ConfigError(
                f"perception.hands_model_complexity must be 0 or 1, but got {self.hands_model_complexity}")
        _range("hands_wrist_margin_norm", self.hands_wrist_margin_norm, 0.0, 1.0)
        _range("hands_probe_ms", self.hands_probe_ms, 0, 60_000)
        _range("centre_falloff_norm", self.centre_falloff_norm, 0.05, 5.0)
        _range("track_radius_face_widths", self.track_radius_face_widths, 0.0, 20.0)
        _range("track_bonus", self.track_bonus, 1.0, 100.0)
        _range("pose_face_max_dist_face_widths", self.pose_face_max_dist_face_widths, 0.1, 20.0)
        _range("hand_wrist_max_dist_shoulder", self.hand_wrist_max_dist_shoulder, 0.05, 5.0)
        _range("hand_face_max_dist_face_widths", self.hand_face_max_dist_face_widths, 0.5, 50.0)
        _range("every_ms", self.every_ms, 0.0, 10_000.0)
        _range("retry_face_min_iod_px", self.retry_face_min_iod_px, 0.0, 1000.0)

    @classmethod
    def load(cls, path: str | Path | None = None) -> PerceptionSettings:
        """Read ``[perception]`` and ``[person]`` from ``path`` (default: the shipped table)."""
        p = Path(path) if path is not None else calibration_file("perception.toml")
        data = read_toml(p)
        known = {f.name for f in fields(cls)}
        values: dict[str, Any] = {}
        for section in ("perception", "person", "analyze"):
            for key, value in dict(data.pop(section, {})).items():
                if key not in known:
                    raise ConfigError(f"{p}: unknown key {section}.{key}")
                values[key] = value
        if data:
            raise ConfigError(f"{p}: unknown section {sorted(data)[0]!r} (expected perception, person, analyze)")
        return cls(**values)


def _range(name: str, value: float, lo: float, hi: float) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not (lo <= value <= hi):
        raise ConfigError(f"perception.{name} must be a number in [{lo}, {hi}], but got {value!r}")
