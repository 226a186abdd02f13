"""calibration/feedback.toml: loaded, validated, unknown keys and bad values refused with one line."""

from __future__ import annotations

from pathlib import Path

import pytest

from bodycoach.errors import ConfigError
from bodycoach.feedback.config import FeedbackConfig, load_feedback_config
from bodycoach.resources import calibration_file


def test_shipped_file_equals_the_defaults() -> None:
    assert load_feedback_config() == FeedbackConfig()


def test_every_value_in_the_file_has_a_reason_comment() -> None:
    lines = calibration_file("feedback.toml").read_text(encoding="utf-8").splitlines()
    for i, line in enumerate(lines):
        if "=" in line and not line.lstrip().startswith("#"):
            assert lines[i - 1].lstrip().startswith("#") or lines[i - 2].lstrip().startswith("#"), line


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("[cues]\nmin_show_mss = 3\n", "unknown key 'min_show_mss'"),
        ("[cue]\n", "unknown section"),
        ("[cues]\nmin_show_ms = -5\n", "min_show_ms = -5"),
        ("[cues]\nmin_show_ms = 'long'\n", "expected an integer"),
        ("[cues]\nmin_show_ms = 2.5\n", "expected an integer"),
        ("[cues]\nmin_show_ms = 9000\nmax_show_ms = 8000\n", "max_show_ms"),
        ("[report]\nsmile_target_share = 1.5\n", "smile_target_share"),
        ("[overlay]\npanel_alpha = true\n", "panel_alpha"),
        ("not toml [", "cannot read"),
    ],
)
def test_bad_files_raise_one_line_config_error(tmp_path: Path, text: str, match: str) -> None:
    p = tmp_path / "feedback.toml"
    p.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=match) as e:
        load_feedback_config(p)
    assert "\n" not in str(e.value) and str(p) in str(e.value)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such file"):
        load_feedback_config(tmp_path / "nope.toml")


def test_partial_file_keeps_defaults(tmp_path: Path) -> None:
    p = tmp_path / "f.toml"
    p.write_text("[cues]\ncooldown_ms = 5000\n", encoding="utf-8")
    cfg = load_feedback_config(p)
    assert cfg.cues.cooldown_ms == 5000 and cfg.cues.min_show_ms == FeedbackConfig().cues.min_show_ms
