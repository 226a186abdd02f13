"""Thresholds file: defaults, validation, one-line errors naming the key, the value and what was expected."""

from __future__ import annotations

from pathlib import Path

import pytest

from bodycoach.config import CoachConfig, load_config
from bodycoach.errors import ConfigError


def test_shipped_thresholds_load_and_differ_only_where_tuned() -> None:
    cfg = load_config()
    assert isinstance(cfg, CoachConfig)
    assert cfg.eye_contact.lens_yaw_deg > 0 and cfg.hysteresis.min_on_ms >= 0
    # Every key of the file is a real field (from_dict would have raised) and the dataclass defaults
    # match the shipped file, so code that builds CoachConfig() gets the calibrated values.
    assert cfg == CoachConfig()


@pytest.mark.parametrize("text,match", [
    ("[head]\nturned_deg = 3\n", r"unknown key head\.turned_deg"),
    ("[heads]\nturned_yaw_deg = 3\n", r"unknown section \[heads\]"),
    ("[head]\nturned_yaw_deg = 200\n", r"head\.turned_yaw_deg = 200, expected a value in \[1, 90\]"),
    ("[head]\nturned_yaw_deg = 'x'\n", r"expected a number"),
    ("[head]\nturned_yaw_deg = true\n", r"expected a number"),
    ("[hysteresis]\nmin_on_ms = 2.5\n", r"expected a whole number"),
    ("[smile]\nmodel = 'x.pkl'\n", r"expected a \.json file"),
    ("[eye_contact]\nscreen_pitch_min_deg = 10\nscreen_pitch_max_deg = 0\n", r"min must not exceed"),
    ("head = 3\n", r"must be a table"),
    ("[head\n", r"not valid TOML"),
])
def test_bad_values_raise_config_error(tmp_path: Path, text: str, match: str) -> None:
    p = tmp_path / "t.toml"
    p.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=match) as exc:
        load_config(p)
    assert "\n" not in str(exc.value) and str(p) in str(exc.value)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such file"):
        load_config(tmp_path / "nope.toml")


def test_partial_file_keeps_defaults(tmp_path: Path) -> None:
    p = tmp_path / "t.toml"
    p.write_text("[head]\nturned_yaw_deg = 30\n[hysteresis]\nmin_on_ms = 1000.0\n", encoding="utf-8")
    cfg = load_config(p)
    assert cfg.head.turned_yaw_deg == 30 and cfg.hysteresis.min_on_ms == 1000
    assert cfg.smile == CoachConfig().smile


def test_bad_model_files(tmp_path: Path) -> None:
    from bodycoach.classifiers.linear import LinearModel
    from bodycoach.features.face import FaceReference

    bad = tmp_path / "bad.json"
    bad.write_text('{"features": ["a"], "mean": [0], "scale": [0], "weights": [1], "intercept": 0}', encoding="utf-8")
    with pytest.raises(ConfigError, match="scale values must be > 0"):
        LinearModel.load(bad)
    with pytest.raises(ConfigError, match="no such model file"):
        LinearModel.load(tmp_path / "none.json")
    with pytest.raises(ConfigError, match="not a face reference"):
        FaceReference.load(bad)
    with pytest.raises(ConfigError, match="no such face reference"):
        FaceReference.load(tmp_path / "none.json")
