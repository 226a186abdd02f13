"""Framing check before a session (``bodycoach.feedback.framing``) and the calibration capture's check."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from bodycoach.errors import ConfigError
from bodycoach.feedback.framing import (
    ISSUES,
    FrameLight,
    FramingCheck,
    FramingConfig,
    body_in_view,
    coached_areas,
    coached_text,
    frame_issues,
    frame_light,
    issue_texts,
    load_framing_config,
)
from bodycoach.types import Behaviour, Landmarks
from tests.landmark_builder import make_face, make_landmarks

WH = (1280, 720)
OK_LIGHT = FrameLight(120.0, 110.0, 120.0)


def face_lm(ts: int = 0, *, centre: tuple[float, float] = (640, 330), iod: float = 70.0, faces: int = 1,
            pitch: float = 0.0) -> Landmarks:
    f = make_face(centre_px=centre, iod_px=iod, image_wh=WH, pitch_deg=pitch)
    return Landmarks(timestamp_ms=ts, image_wh=WH, face=f, num_faces=faces)


def test_shipped_config_loads_and_bad_values_raise(tmp_path: Path) -> None:
    cfg = load_framing_config()
    assert 0 < cfg.face_min_height_share < cfg.face_max_height_share <= 1
    bad = tmp_path / "framing.toml"
    bad.write_text("[framing]\nwindow_seconds = 3\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="unknown key framing.window_seconds"):
        load_framing_config(bad)
    bad.write_text("[framing]\nmin_share = 1.5\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="min_share"):
        load_framing_config(bad)


def test_a_well_framed_face_has_no_issue() -> None:
    assert frame_issues(face_lm(), OK_LIGHT, {"head_pitch_deg": 3.0}) == ()


@pytest.mark.parametrize("lm, light, feats, issue", [
    (face_lm(iod=260.0), OK_LIGHT, None, "too_close"),
    (face_lm(iod=14.0), OK_LIGHT, None, "too_far"),
    (face_lm(centre=(250, 330)), OK_LIGHT, None, "off_centre"),
    (face_lm(centre=(640, 80)), OK_LIGHT, None, "off_centre"),
    (face_lm(), FrameLight(30.0, 30.0, 30.0), None, "too_dark"),
    (face_lm(), FrameLight(150.0, 60.0, 190.0), None, "backlit"),
    (face_lm(faces=2), OK_LIGHT, None, "several_people"),
    (face_lm(), OK_LIGHT, {"head_pitch_deg": 30.0}, "lens_low"),
    (face_lm(), OK_LIGHT, {"head_pitch_deg": -30.0}, "lens_high"),
    (Landmarks.empty(0, WH), OK_LIGHT, None, "no_face"),
])
def test_each_issue(lm: Landmarks, light: FrameLight, feats: dict[str, float] | None, issue: str) -> None:
    assert issue in frame_issues(lm, light, feats)


def test_face_height_boundaries() -> None:
    cfg = FramingConfig()
    # Face height is ~2.9 inter-ocular distances on this mesh: find the iod at each boundary.
    lm = face_lm(iod=70.0)
    assert lm.face is not None
    h_per_iod = float(np.ptp(lm.face[:, 1])) * WH[1] / 70.0
    just_ok = cfg.face_max_height_share * WH[1] / h_per_iod * 0.97
    too_big = cfg.face_max_height_share * WH[1] / h_per_iod * 1.03
    assert "too_close" not in frame_issues(face_lm(iod=just_ok), OK_LIGHT)
    assert "too_close" in frame_issues(face_lm(iod=too_big), OK_LIGHT)


def test_body_needed_only_when_the_trainee_wants_arms_and_hands() -> None:
    face_only = face_lm()
    assert "body_out_of_view" not in frame_issues(face_only, OK_LIGHT)
    assert "body_out_of_view" in frame_issues(face_only, OK_LIGHT, want_body=True)
    full = make_landmarks()
    assert body_in_view(full)
    assert "body_out_of_view" not in frame_issues(full, OK_LIGHT, want_body=True)
    hidden = make_landmarks(arms="hidden")
    assert not body_in_view(hidden)


def test_texts_in_the_guides_terms_both_languages() -> None:
    no = issue_texts(["body_out_of_view"], "no")[0]
    assert no == "Gå litt bakover så disken og hendene dine synes."
    for lang in ("no", "en"):
        texts = issue_texts(ISSUES, lang)
        assert len(set(texts)) == len(ISSUES) and all(t.endswith(".") for t in texts)
    with pytest.raises(ValueError):
        issue_texts(["too_blurry"], "no")


def test_window_holds_issues_and_ignores_a_single_bad_frame() -> None:
    chk = FramingCheck()
    for i in range(20):
        dark = i == 10
        st = chk.update(face_lm(i * 100), FrameLight(20.0) if dark else OK_LIGHT, None)
    assert st.ok and st.frames > 5
    for i in range(20, 40):
        st = chk.update(face_lm(i * 100, iod=260.0), OK_LIGHT, None)
    assert st.issues == ("too_close",) and not st.ok
    assert st.texts("en") == ["You are too close to the camera — lean back a little."]
    chk.reset()
    assert chk.status.frames == 0 and not chk.status.ok


def test_frame_light_face_against_background() -> None:
    lm = face_lm()
    img = np.full((WH[1], WH[0], 3), 220, np.uint8)
    assert lm.face is not None
    x0, y0 = (np.nanmin(lm.face[:, :2], axis=0) * WH).astype(int)
    x1, y1 = (np.nanmax(lm.face[:, :2], axis=0) * WH).astype(int)
    img[y0:y1, x0:x1] = 60
    light = frame_light(img, lm)
    assert light.face_luma < 80 and light.back_luma > 200
    assert "backlit" in frame_issues(lm, light)
    grey = frame_light(np.full((48, 64), 100, np.uint8))
    assert grey.mean_luma == pytest.approx(100) and math.isnan(grey.face_luma)
    with pytest.raises(ValueError):
        frame_light(np.zeros((4, 4), np.float32))  # type: ignore[arg-type]


def test_coached_areas_say_what_is_judged() -> None:
    assert Behaviour.ARMS not in coached_areas("face_to_face", False)
    assert Behaviour.ARMS in coached_areas("face_to_face", True)
    assert coached_areas("telephone", False) == (Behaviour.POSTURE, Behaviour.SMILE)
    no = coached_text("face_to_face", False, "no")
    assert "armene og hendene er ikke i bildet" in no.lower() and "smil" in no
    assert "not in view" in coached_text("face_to_face", False, "en")
    assert "not in view" not in coached_text("face_to_face", True, "en")


def test_capture_refuses_screen_samples_that_look_like_the_lens() -> None:
    from bodycoach.profile import CalibrationProfile, check_separation

    check_separation(12.0, 1.0, 1.0)  # a screen 12 degrees away: fine
    with pytest.raises(ConfigError, match="record the screen step again"):
        check_separation(1.0, 0.5, 0.5)
    with pytest.raises(ConfigError, match="not at the camera"):
        check_separation(5.0, 3.0, 1.0)  # inside twice the spread
    lens = [make_landmarks(i * 100) for i in range(5)]
    same = [make_landmarks(1000 + i * 100) for i in range(5)]
    with pytest.raises(ConfigError, match="the screen samples point where the lens samples point"):
        CalibrationProfile.from_samples(lens=lens, screen=same)
    far = [make_landmarks(2000 + i * 100, iris_h=0.25, pitch_deg=-20.0) for i in range(5)]
    prof = CalibrationProfile.from_samples(lens=lens, screen=far)
    assert prof.has_screen
