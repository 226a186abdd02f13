"""Kiosk text is drawn at the screen's resolution, whatever the camera delivers (issue 10, item 8).

A 1920×1080 kiosk screen with 640×480, 720×1280 (a phone held upright) and 1920×1080 cameras: the cue's
capital letters are at least 28 px high and the badge panel is the same size in all three. Screenshots of
each go to ``$BODYCOACH_KIOSK_SHOTS`` (default: the test's temp dir).
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from bodycoach.feedback.cues import Cue
from bodycoach.types import Behaviour, Classification, Features, FrameResult, Landmarks

SCREEN = (1920, 1080)
CUE_TEXT = "HEI HEI HEI"  # capitals only, no descenders: the drawn height is the capital height
STATES = {Behaviour.EYE_CONTACT: "lens", Behaviour.SMILE: "forced", Behaviour.ARMS: "out_of_view",
          Behaviour.HANDS: "out_of_view", Behaviour.HEAD: "upright"}


def _kiosk_app(source_wh: tuple[int, int]) -> Any:
    from bodycoach.apps.kiosk_app import HeadlessDisplay, KioskApp
    from bodycoach.kiosk.config import PhaseConfig, load_kiosk_config
    from bodycoach.kiosk.testing import ArraySource, SyntheticFaceExtractor

    cfg = load_kiosk_config()
    cfg = dataclasses.replace(cfg, session=dataclasses.replace(
        cfg.session, phases=(PhaseConfig("reception", 20.0),), max_s=30.0))
    w, h = source_wh
    pool = []
    for i in range(20):
        f = np.full((h, w, 3), 110, np.uint8)
        f[(i * 7) % h, :, :] = 140  # never identical (the frozen-camera watch)
        pool.append(f)
    return KioskApp(cfg, open_source=lambda: ArraySource(pool, every_ms=40), extractor=SyntheticFaceExtractor(),
                    display=HeadlessDisplay(SCREEN), accelerated=True, drop_old=False, profile=None)


def _white_rows(img: np.ndarray) -> np.ndarray:
    white = (img >= 235).all(axis=2)
    return np.nonzero(white.any(axis=1))[0]


def _runs(rows: np.ndarray) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for r in rows:
        if out and r == out[-1][1] + 1:
            out[-1] = (out[-1][0], int(r))
        else:
            out.append((int(r), int(r)))
    return out


@pytest.mark.parametrize("source_wh", [(640, 480), (720, 1280), (1920, 1080)])
def test_cue_and_badges_are_sized_for_the_screen(source_wh: tuple[int, int], tmp_path: Path) -> None:
    from PIL import Image

    from bodycoach.kiosk.layout import layout_for

    app = _kiosk_app(source_wh)
    try:
        app.start()
        for _ in range(400):
            app.tick()
            if str(app.view.screen) == "session":
                break
        assert str(app.view.screen) == "session"
        now = app.clock.now_ms
        lm = Landmarks.empty(now, source_wh)
        app._result = FrameResult(lm, Features.empty(now),
                                  {b: Classification(b, lab, 0.9, now) for b, lab in STATES.items()}, STATES)
        app._cue = Cue(Behaviour.SMILE, "forced", CUE_TEXT, "bad", now)
        canvas = app.render(app.view, now, True)
    finally:
        app.close()
    assert (canvas.shape[1], canvas.shape[0]) == SCREEN
    out = Path(os.environ.get("BODYCOACH_KIOSK_SHOTS", tmp_path))
    out.mkdir(parents=True, exist_ok=True)
    Image.fromarray(canvas[:, :, ::-1]).save(out / f"kiosk_text_{source_wh[0]}x{source_wh[1]}.png")

    lay = layout_for(SCREEN)
    vx, vy, vw, vh = lay.video
    # The cue: the lowest white text line inside the video area (the cue panel sits at its bottom).
    cue_band = canvas[vy + vh // 2: vy + vh]
    runs = _runs(_white_rows(cue_band))
    assert runs, "no cue text drawn"
    top, bottom = runs[-1]
    cap_px = bottom - top + 1
    assert cap_px >= 28, f"cue capitals are {cap_px} px high with a {source_wh} camera"
    # The cue spans the screen's width, not the (narrow, portrait) camera image's.
    cols = np.nonzero((cue_band[top:bottom + 1] >= 235).all(axis=2).any(axis=0))[0]
    assert cols.min() < 0.1 * SCREEN[0]
    # Badges: the top-left panel's text is the same size whatever the camera.
    badge_band = canvas[vy: vy + vh // 2, : SCREEN[0] // 2]
    brow = _runs(_white_rows(badge_band))
    assert len(brow) >= 3  # eye contact, smile, arms, hands, head rows
    heights = [b - a + 1 for a, b in brow]
    assert min(heights) >= 20, heights
    _BADGES[source_wh] = heights


_BADGES: dict[tuple[int, int], list[int]] = {}


def test_badges_identical_across_cameras() -> None:
    if len(_BADGES) < 3:
        pytest.skip("runs after the three camera sizes above")
    assert len({tuple(v) for v in _BADGES.values()}) == 1, _BADGES


@pytest.mark.slow
def test_real_face_only_clip_shows_no_body_fault(tmp_path: Path) -> None:
    """The bundled face close-up through the real kiosk: arms and hands never a fault, never cued."""
    pytest.importorskip("mediapipe")
    from PIL import Image

    from bodycoach.apps.kiosk_app import HeadlessDisplay, KioskApp
    from bodycoach.feedback.present import present_states
    from bodycoach.io.video import open_source
    from bodycoach.kiosk.config import PhaseConfig, load_kiosk_config
    from bodycoach.landmarks.mediapipe import MediapipeExtractor

    clip = Path(__file__).resolve().parent.parent / "sample_videos" / "liveportrait_d12.mp4"
    cfg = load_kiosk_config()
    cfg = dataclasses.replace(cfg, session=dataclasses.replace(
        cfg.session, phases=(PhaseConfig("reception", 30.0),), max_s=40.0))
    app = KioskApp(cfg, open_source=lambda: open_source(clip, loop=True), extractor=MediapipeExtractor(),
                   display=HeadlessDisplay(SCREEN), accelerated=True, drop_old=False, profile=None)
    body = (Behaviour.ARMS, Behaviour.HANDS, Behaviour.PALM)
    seen: list[tuple[str, str]] = []
    cues: list[Any] = []
    shot = None
    try:
        app.start()
        for _ in range(600):
            app.tick()
            if str(app.view.screen) != "session" or app._result is None:
                continue
            for r in present_states(app._result.states, "face_to_face", "no", "reception"):
                if r.behaviour in body:
                    seen.append((r.label, r.verdict))
            if app._cue is not None:
                cues.append(app._cue)
            if app.clock.now_ms > 9000 and shot is None:
                shot = app.last_canvas
            if app.clock.now_ms > 12000:
                break
    finally:
        app.close()
    assert shot is not None and seen
    out = Path(os.environ.get("BODYCOACH_KIOSK_SHOTS", tmp_path))
    out.mkdir(parents=True, exist_ok=True)
    Image.fromarray(shot[:, :, ::-1]).save(out / "kiosk_face_only_session.png")
    assert all(v != "bad" for _, v in seen), seen[:5]
    assert not [c for c in cues if Behaviour(c.behaviour) in body]
