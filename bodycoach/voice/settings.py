"""Thresholds of the voice layer, read from ``calibration/voice.toml``.

Pure logic. Each value has its unit in its name; the reasons live beside the values in the TOML file.
Unknown keys and bad values raise :class:`bodycoach.errors.ConfigError` (one line: file, key, value).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from functools import lru_cache
from pathlib import Path
from typing import Any

from bodycoach.errors import ConfigError
from bodycoach.resources import calibration_file
from bodycoach.tomlfile import read_toml

FILE_NAME = "voice.toml"


@dataclass(frozen=True)
class AnalysisSettings:
    sample_rate_hz: int = 16000
    hop_ms: int = 10


@dataclass(frozen=True)
class VadSettings:
    aggressiveness: int = 2
    floor_below_loud_db: float = 40.0
    min_pause_ms: int = 250
    min_speech_ms: int = 80


@dataclass(frozen=True)
class PitchSettings:
    fmin_hz: float = 65.0
    fmax_hz: float = 400.0
    yin_threshold: float = 0.15
    voiced_max_aperiodicity: float = 0.35
    median_frames: int = 5


@dataclass(frozen=True)
class SyllableSettings:
    min_dip_db: float = 2.0
    silence_below_max_db: float = 25.0
    intensity_window_ms: int = 50
    min_gap_ms: int = 80
    band_low_hz: float = 500.0
    band_high_hz: float = 2000.0


@dataclass(frozen=True)
class BaselineSettings:
    speech_s: float = 20.0
    min_speech_s: float = 5.0


@dataclass(frozen=True)
class PaceSettings:
    window_speech_s: float = 10.0
    meter_speech_s: float = 5.0
    fast_en_syl_s: float = 6.0
    fast_no_syl_s: float = 5.8
    slow_en_syl_s: float = 2.5
    slow_no_syl_s: float = 2.5
    fast_phone_factor: float = 0.9
    min_event_s: float = 4.0

    def band(self, lang: str = "no", phone: bool = False) -> tuple[float, float]:
        """(slow, fast) limits in syllables per second for ``lang`` ("no"/"en"), lower fast on the phone."""
        slow = self.slow_en_syl_s if lang == "en" else self.slow_no_syl_s
        fast = self.fast_en_syl_s if lang == "en" else self.fast_no_syl_s
        return slow, fast * (self.fast_phone_factor if phone else 1.0)


@dataclass(frozen=True)
class LevelSettings:
    smooth_s: float = 2.0
    loud_above_baseline_db: float = 8.0
    quiet_below_baseline_db: float = 10.0
    min_event_s: float = 3.0


@dataclass(frozen=True)
class MonotonySettings:
    window_s: float = 10.0
    min_voiced_s: float = 2.0
    monotone_below_st: float = 1.5
    outlier_st: float = 12.0


@dataclass(frozen=True)
class SilenceSettings:
    pause_s: float = 1.0
    long_s: float = 3.0


@dataclass(frozen=True)
class LiveSettings:
    block_s: float = 1.0
    queue_frames: int = 200


_RANGES: dict[str, tuple[float, float]] = {
    "sample_rate_hz": (8000, 48000), "hop_ms": (5, 30), "aggressiveness": (0, 3),
    "median_frames": (1, 31), "yin_threshold": (0.01, 0.9), "voiced_max_aperiodicity": (0.01, 1.0),
    "fast_phone_factor": (0.3, 1.5), "queue_frames": (1, 100_000),
}


@dataclass(frozen=True)
class VoiceSettings:
    """All voice thresholds (``calibration/voice.toml``)."""

    analysis: AnalysisSettings = field(default_factory=AnalysisSettings)
    vad: VadSettings = field(default_factory=VadSettings)
    pitch: PitchSettings = field(default_factory=PitchSettings)
    syllables: SyllableSettings = field(default_factory=SyllableSettings)
    baseline: BaselineSettings = field(default_factory=BaselineSettings)
    pace: PaceSettings = field(default_factory=PaceSettings)
    level: LevelSettings = field(default_factory=LevelSettings)
    monotony: MonotonySettings = field(default_factory=MonotonySettings)
    silence: SilenceSettings = field(default_factory=SilenceSettings)
    live: LiveSettings = field(default_factory=LiveSettings)

    @property
    def hop_s(self) -> float:
        return self.analysis.hop_ms / 1000.0

    @classmethod
    def from_dict(cls, data: dict[str, Any], source: str = FILE_NAME) -> VoiceSettings:
        """Build from parsed TOML; raises ConfigError on unknown sections/keys or bad values."""
        kwargs: dict[str, Any] = {}
        sections = {f.name: f for f in fields(cls)}
        for name, table in data.items():
            if name not in sections:
                raise ConfigError(f"{source}: unknown section [{name}], expected one of {sorted(sections)}")
            if not isinstance(table, dict):
                raise ConfigError(f"{source}: [{name}] must be a table")
            sec_cls = type(getattr(cls(), name))
            known = {f.name: f for f in fields(sec_cls)}
            vals: dict[str, Any] = {}
            for key, value in table.items():
                if key not in known:
                    raise ConfigError(f"{source} [{name}] unknown key {key!r}, expected one of {sorted(known)}")
                default = getattr(sec_cls(), key)
                if isinstance(value, bool) or not isinstance(value, int | float):
                    raise ConfigError(f"{source} [{name}] {key} = {value!r}, expected a number")
                if isinstance(default, int) and not isinstance(value, int):
                    raise ConfigError(f"{source} [{name}] {key} = {value!r}, expected a whole number")
                lo, hi = _RANGES.get(key, (0.0, 1e6))
                if not (lo <= value <= hi):
                    raise ConfigError(f"{source} [{name}] {key} = {value!r}, expected a number in [{lo}, {hi}]")
                vals[key] = type(default)(value)
            kwargs[name] = sec_cls(**vals)
        s = cls(**kwargs)
        if s.pitch.fmax_hz <= s.pitch.fmin_hz:
            raise ConfigError(f"{source} [pitch] fmax_hz = {s.pitch.fmax_hz}, expected > fmin_hz ({s.pitch.fmin_hz})")
        if s.analysis.hop_ms not in (10, 20, 30):
            raise ConfigError(f"{source} [analysis] hop_ms = {s.analysis.hop_ms}, expected 10, 20 or 30 (webrtcvad)")
        if s.analysis.sample_rate_hz not in (8000, 16000, 32000, 48000):
            raise ConfigError(f"{source} [analysis] sample_rate_hz = {s.analysis.sample_rate_hz}, "
                              "expected 8000, 16000, 32000 or 48000 (webrtcvad)")
        return s

    @classmethod
    def load(cls, path: str | Path | None = None) -> VoiceSettings:
        """Read ``calibration/voice.toml`` (or ``path``)."""
        if path is None:
            return _load_default()
        return cls.from_dict(read_toml(path, "voice settings file"), str(path))


@lru_cache(maxsize=1)
def _load_default() -> VoiceSettings:
    p = calibration_file(FILE_NAME)
    return VoiceSettings.from_dict(read_toml(p, "voice settings file"), FILE_NAME)
