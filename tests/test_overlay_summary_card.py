"""Summary card image from a Report (kiosk and end of a live session)."""

from __future__ import annotations

import numpy as np
import pytest

from bodycoach.feedback.report import SessionRecorder
from bodycoach.render.summary_card import render_summary_card
from bodycoach.types import Behaviour, Features, FrameResult, Landmarks

B = Behaviour


def _report(scenario: str | None = "shy"):  # type: ignore[no-untyped-def]
    rec = SessionRecorder(scenario=scenario)
    for t in range(0, 30000, 100):
        states = {
            B.EYE_CONTACT: "lens" if t < 20000 else "away",
            B.SMILE: "warm" if t % 5000 < 2500 else "none",
            B.ARMS: "extended" if t < 15000 else "crossed_chest",
            B.HANDS: "open",
            B.HEAD: "upright",
        }
        phase = "reception" if t < 10000 else "problem_solving" if t < 25000 else "farewell"
        rec.add(FrameResult(Landmarks.empty(t, (640, 480)), Features.empty(t), {}, states), phase)
    rec.finish(30000)
    return rec.report()


@pytest.mark.parametrize("lang", ["no", "en"])
@pytest.mark.parametrize("size", [(1280, 720), (1920, 1080), (640, 480), (800, 1280)])
def test_card_renders(lang: str, size: tuple[int, int]) -> None:
    img = render_summary_card(_report(), lang=lang, size=size)
    assert img.shape == (size[1], size[0], 3) and img.dtype == np.uint8
    # Text and bars were drawn: many distinct colours (anti-aliased text), green and orange status dots.
    px = img.reshape(-1, 3)[::5]
    assert len({tuple(p) for p in px}) > 50
    assert ((px[:, 1] > 150) & (px[:, 2] < 100)).any()  # green (BGR)
    assert ((px[:, 2] > 200) & (px[:, 1] > 100) & (px[:, 0] < 50)).any()  # orange (BGR)


def test_card_language_changes_the_image() -> None:
    r = _report()
    assert np.count_nonzero(render_summary_card(r, lang="no") != render_summary_card(r, lang="en")) > 1000


@pytest.mark.parametrize("size", [(1, 1), (10, 5), (3840, 2160)])
def test_card_odd_sizes_and_empty_report(size: tuple[int, int]) -> None:
    img = render_summary_card(SessionRecorder().report(), size=size)
    assert img.shape == (size[1], size[0], 3)


def test_card_bad_size_raises() -> None:
    with pytest.raises(ValueError, match="size"):
        render_summary_card(_report(), size=(0, 100))
