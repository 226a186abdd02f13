"""Calibration profile: from a guided capture, save/load, validation."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bodycoach.analysis import Analyzer
from bodycoach.errors import ConfigError
from bodycoach.profile import CalibrationProfile
from bodycoach.types import Behaviour, Landmarks
from tests.landmark_builder import make_landmarks


def capture() -> CalibrationProfile:
    # This camera sits 18° to the side of where the person faces; the screen is straight ahead, 25° lower.
    lens = [make_landmarks(t, yaw_deg=18.0 + 0.5 * (t % 3)) for t in range(0, 1000, 100)]
    screen = [make_landmarks(t, pitch_deg=-25.0, yaw_deg=0.5 * (t % 2)) for t in range(1000, 2000, 100)]
    neutral = [make_landmarks(t, yaw_deg=18.0) for t in range(2000, 2500, 100)]
    return CalibrationProfile.from_samples(lens=lens, screen=screen, neutral=neutral)


def test_profile_from_samples_moves_lens_and_screen() -> None:
    prof = capture()
    assert prof.lens_yaw_deg == pytest.approx(19.2, abs=1.5)
    assert prof.has_screen
    assert prof.screen_pitch_deg == pytest.approx(-25.0, abs=2.0)
    assert prof.screen_yaw_deg == pytest.approx(-19.2, abs=2.0)
    assert "eye_open_norm" in prof.neutral and "nose_up_sw" in prof.neutral
    looking_at_lens = make_landmarks(0, yaw_deg=18.0)
    at_screen = make_landmarks(0, pitch_deg=-25.0)
    assert Analyzer(profile=None).step(looking_at_lens).label(Behaviour.EYE_CONTACT) == "away"
    assert Analyzer(profile=prof).step(looking_at_lens).label(Behaviour.EYE_CONTACT) == "lens"
    assert Analyzer(profile=prof).step(at_screen).label(Behaviour.EYE_CONTACT) == "screen"


def test_profile_round_trip(tmp_path: Path) -> None:
    prof = capture()
    p = prof.save(tmp_path / "me.json")
    assert CalibrationProfile.load(p) == prof


def test_too_few_lens_frames() -> None:
    with pytest.raises(ConfigError, match="only 0 lens frames"):
        CalibrationProfile.from_samples(lens=[Landmarks.empty(t) for t in range(5)])


@pytest.mark.parametrize("data,match", [
    ({"lens_yaw_deg": 400}, "lens_yaw_deg = 400"),
    ({"lens_yaw_deg": "x"}, "lens_yaw_deg = 'x'"),
    ({"colour": 1}, "unknown key"),
    ({"neutral": {"nose": 1.0}}, "profile.neutral.nose: unknown key"),
    ({"version": 9}, "profile version 9"),
    ({"screen_radius_deg": -1}, "screen_radius_deg"),
])
def test_bad_profile_files(tmp_path: Path, data: dict[str, object], match: str) -> None:
    p = tmp_path / "p.json"
    p.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ConfigError, match=match):
        CalibrationProfile.load(p)


def test_profile_file_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such profile file"):
        CalibrationProfile.load(tmp_path / "none.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid JSON"):
        CalibrationProfile.load(bad)


@pytest.mark.slow
def test_calibrate_command_from_clips(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from bodycoach.apps.cli import main
    from bodycoach.resources import sample_video

    clip = sample_video("liveportrait_s20.mp4")
    if not clip.exists():
        pytest.skip("sample clip missing")
    out = tmp_path / "me.json"
    assert main(["calibrate", "--lens", str(clip), "--neutral", str(clip), "--out", str(out)]) == 0
    prof = CalibrationProfile.load(out)
    assert abs(prof.lens_yaw_deg) < 20 and "eye_open_norm" in prof.neutral
    assert "profile written to" in capsys.readouterr().out
    assert main(["calibrate", "--lens", str(tmp_path / "none.mp4")]) == 2
