"""One calibration profile location, read by calibrate, analyze, the kiosk and the live page (issue 10, item 5)."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from bodycoach.errors import ConfigError
from bodycoach.profile import PROFILE_NAME, CalibrationProfile, load_saved_profile, saved_profile_path

REPO = Path(__file__).resolve().parent.parent
CLIP = REPO / "sample_videos" / "liveportrait_d12.mp4"


@pytest.fixture()
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("BODYCOACH_HOME", str(tmp_path))
    return tmp_path


def test_one_name_and_place(home: Path) -> None:
    from bodycoach.apps.cmd_calibrate import default_profile_path

    assert saved_profile_path() == home / PROFILE_NAME == default_profile_path()
    assert load_saved_profile() is None  # none stored: None, not an error
    CalibrationProfile(lens_yaw_deg=3.0).save(saved_profile_path())
    p = load_saved_profile()
    assert p is not None and p.lens_yaw_deg == 3.0
    saved_profile_path().write_text("{not json", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid JSON"):
        load_saved_profile()


def test_analyze_reads_the_saved_profile_unless_told(home: Path) -> None:
    from bodycoach.apps.cmd_analyze import _profile

    def ns(**kw: object) -> argparse.Namespace:
        return argparse.Namespace(**{"profile": None, "no_profile": False, "home": None, **kw})

    assert _profile(ns()) == (None, None)
    CalibrationProfile(lens_pitch_deg=-4.0).save(saved_profile_path())
    prof, path = _profile(ns())
    assert prof is not None and prof.lens_pitch_deg == -4.0 and path == saved_profile_path()
    assert _profile(ns(no_profile=True)) == (None, None)
    other = home / "other.json"
    CalibrationProfile(lens_yaw_deg=7.0).save(other)
    prof, path = _profile(ns(profile=other))
    assert prof is not None and prof.lens_yaw_deg == 7.0 and path == other


def test_analyze_missing_profile_is_one_line_exit_2(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from bodycoach.apps.cli import main

    assert main(["analyze", str(CLIP), "--profile", str(home / "nope.json"), "--out", str(home / "out")]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "nope.json" in err and "no such profile file" in err
    assert not (home / "out").exists()  # nothing written


def test_kiosk_uses_the_saved_profile(home: Path) -> None:
    from bodycoach.apps.kiosk_app import HeadlessDisplay, KioskApp
    from bodycoach.kiosk.config import load_kiosk_config
    from bodycoach.kiosk.testing import SyntheticFaceExtractor

    CalibrationProfile(lens_yaw_deg=5.0).save(saved_profile_path())
    app = KioskApp(load_kiosk_config(), open_source=lambda: iter(()),  # type: ignore[arg-type,return-value]
                   extractor=SyntheticFaceExtractor(), display=HeadlessDisplay((320, 240)))
    try:
        assert app.profile is not None and app.profile.lens_yaw_deg == 5.0
        coach = app._new_coach(0)
        assert coach is not None
    finally:
        app.close()


def test_kiosk_check_names_the_profile(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from bodycoach.apps.cli import main

    assert main(["kiosk", "--check"]) == 0
    assert "profile=none" in capsys.readouterr().out
    CalibrationProfile().save(saved_profile_path())
    assert main(["kiosk", "--check"]) == 0
    assert f"profile={saved_profile_path()}" in capsys.readouterr().out
    saved_profile_path().write_text("[]", encoding="utf-8")
    assert main(["kiosk", "--check"]) == 2
    assert "expected a JSON object" in capsys.readouterr().err
