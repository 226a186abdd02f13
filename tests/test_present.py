"""One truth on every surface: ``bodycoach.feedback.present`` and the surfaces that use it."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from bodycoach.feedback.cues import Cue
from bodycoach.feedback.present import OUT_OF_VIEW, areas_for_mode, present_cue, present_states
from bodycoach.types import Behaviour, Classification, Features, FrameResult, Landmarks

B = Behaviour
FACE_ONLY = {B.EYE_CONTACT: "lens", B.GAZE_STYLE: "warm", B.SMILE: "open", B.ARMS: OUT_OF_VIEW,
             B.HANDS: OUT_OF_VIEW, B.PALM: OUT_OF_VIEW, B.HEAD: "upright", B.POSTURE: OUT_OF_VIEW}


def rows(states: dict[Any, str], mode: str = "face_to_face", lang: str = "no",
         phase: str | None = None) -> dict[Behaviour, Any]:
    return {r.behaviour: r for r in present_states(states, mode, lang, phase)}


def test_areas_per_mode() -> None:
    assert areas_for_mode("telephone") == (B.POSTURE, B.SMILE)
    face = areas_for_mode("face_to_face")
    assert B.POSTURE not in face and {B.EYE_CONTACT, B.SMILE, B.ARMS, B.HANDS, B.HEAD} <= set(face)
    with pytest.raises(ValueError, match="mode"):
        areas_for_mode("video_call")


@pytest.mark.parametrize("lang, text", [("no", "Armene: ikke i bildet"), ("en", "Arms: not in view")])
def test_out_of_view_is_neutral_never_a_fault(lang: str, text: str) -> None:
    r = rows(FACE_ONLY, lang=lang, phase="reception")
    assert r[B.ARMS].badge == text and r[B.ARMS].verdict == "neutral" and not r[B.ARMS].in_view
    assert r[B.HANDS].verdict == "neutral"
    assert B.PALM not in r  # no hand shows a side
    assert all(x.verdict != "bad" for x in r.values())


def test_gaze_style_only_while_the_eyes_are_on_the_customer() -> None:
    r = rows({B.EYE_CONTACT: "lens", B.GAZE_STYLE: "warm"})
    assert r[B.GAZE_STYLE].text == "Varmt og direkte blikk"
    # Eyes away: no "Varmt og direkte blikk" beside "Ingen øyekontakt".
    r = rows({B.EYE_CONTACT: "away", B.GAZE_STYLE: "warm"})
    assert B.GAZE_STYLE not in r and r[B.EYE_CONTACT].text == "Ingen øyekontakt"
    # The gaze style's own away/screen labels would repeat the eye-contact row in other words.
    for lab in ("away", "screen"):
        r = rows({B.EYE_CONTACT: "lens", B.GAZE_STYLE: lab})
        assert B.GAZE_STYLE not in r
    texts = [x.text for x in present_states({B.EYE_CONTACT: "lens", B.GAZE_STYLE: "away"})]
    assert not ("Øyekontakt" in texts and "Ingen øyekontakt" in texts)


def test_telephone_shows_only_what_it_coaches() -> None:
    r = rows({**FACE_ONLY, B.ARMS: "hidden", B.POSTURE: "upright"}, mode="telephone")
    assert set(r) == {B.POSTURE, B.SMILE}


def test_unknown_names_its_area_and_keys_may_be_strings() -> None:
    r = rows({"smile": "unknown", "eye_contact": "lens"}, lang="en")
    assert r[B.SMILE].badge == "Smile: unknown" and r[B.SMILE].verdict == "unknown"
    assert r[B.EYE_CONTACT].badge == "Eye contact" and r[B.EYE_CONTACT].verdict == "good"


def test_phase_verdicts() -> None:
    assert rows({B.SMILE: "none"})[B.SMILE].verdict == "neutral"
    assert rows({B.SMILE: "none"}, phase="reception")[B.SMILE].verdict == "bad"
    # A phase of the other mode (an older stored session) falls back to the guide's plain verdict.
    assert rows({B.SMILE: "none"}, phase="before_call")[B.SMILE].verdict == "neutral"


def cue(b: Behaviour, label: str, verdict: str = "bad") -> Cue:
    return Cue(b, label, "text", verdict, 0)  # type: ignore[arg-type]


def test_cue_only_while_its_state_holds_in_an_area_on_screen() -> None:
    st = {B.SMILE: "open", B.ARMS: "hidden", B.EYE_CONTACT: "away", B.GAZE_STYLE: "warm"}
    # "Tvungent smil" cue beside "Åpent smil ✓": gone.
    assert present_cue(cue(B.SMILE, "forced"), st, "telephone") is None
    assert present_cue(cue(B.SMILE, "open", "good"), st, "telephone") is not None
    # Arms are not coached on the telephone.
    assert present_cue(cue(B.ARMS, "hidden"), st, "telephone") is None
    assert present_cue(cue(B.ARMS, "hidden"), st, "face_to_face") is not None
    # A gaze-style cue while the eyes are away.
    assert present_cue(cue(B.GAZE_STYLE, "warm", "good"), st) is None
    assert present_cue(cue(B.ARMS, OUT_OF_VIEW), {B.ARMS: OUT_OF_VIEW}) is None
    assert present_cue(None, st) is None


def _result(states: dict[Behaviour, str], labels: dict[Behaviour, str] | None = None) -> FrameResult:
    labels = labels or {}
    return FrameResult(
        landmarks=Landmarks.empty(1000, (640, 480)), features=Features.empty(1000),
        classifications={b: Classification(b, lab, 0.9, 1000) for b, lab in labels.items()},
        states=states)


def test_overlay_badges_read_states_not_frame_labels() -> None:
    """The badge panel is the same whatever the per-frame labels say (only the states count)."""
    from bodycoach.render.overlay import annotate

    frame = np.full((480, 640, 3), 90, np.uint8)
    st = {B.EYE_CONTACT: "lens", B.SMILE: "none", B.ARMS: OUT_OF_VIEW, B.HANDS: OUT_OF_VIEW, B.HEAD: "upright"}
    a = annotate(frame, _result(st, {B.SMILE: "open", B.ARMS: "hidden"}), show_landmarks=False)
    b = annotate(frame, _result(st, {B.SMILE: "none", B.ARMS: "crossed_chest"}), show_landmarks=False)
    assert np.array_equal(a, b)
    # ... and a different state does change it.
    c = annotate(frame, _result({**st, B.SMILE: "open"}), show_landmarks=False)
    assert not np.array_equal(a, c)


def test_overlay_telephone_draws_fewer_badges_than_face_to_face() -> None:
    from bodycoach.render.overlay import annotate

    frame = np.zeros((480, 640, 3), np.uint8)
    st = {B.EYE_CONTACT: "lens", B.SMILE: "open", B.ARMS: "hidden", B.HANDS: "open", B.HEAD: "upright",
          B.POSTURE: "upright"}

    def panel_rows(img: np.ndarray) -> int:
        # The badge panel is a translucent box from the top-left: count its rows in the first column it covers.
        col = img[:, 14, :].astype(int).sum(axis=1)
        return int((col > 0).sum())

    face = annotate(frame, _result(st), show_landmarks=False, mode="face_to_face")
    phone = annotate(frame, _result(st), show_landmarks=False, mode="telephone")
    assert panel_rows(phone) < panel_rows(face)


def test_live_table_uses_the_same_rows() -> None:
    pytest.importorskip("streamlit")
    from bodycoach.apps.live_worker import LiveSettings, LiveUpdate, WorkerStats
    from bodycoach.apps.ui.live import _states_html

    st = {B.EYE_CONTACT: "away", B.GAZE_STYLE: "warm", B.SMILE: "none", B.ARMS: OUT_OF_VIEW,
          B.HANDS: OUT_OF_VIEW, B.HEAD: "upright", B.POSTURE: "slumped"}
    for mode in ("face_to_face", "telephone"):
        u = LiveUpdate(timestamp_ms=0, states=st, labels={B.SMILE: "open"}, cue=None, has_person=True,
                       started=(), ended=(), stats=WorkerStats(),
                       settings=LiveSettings(mode=mode, phase="reception"))
        html = _states_html(u, "no")
        shown = present_states(st, mode, "no", "reception")
        assert html.count("<tr") == len(shown)
        for r in shown:
            assert f'data-behaviour="{r.behaviour}"' in html and r.text in html
        assert "Åpent smil" not in html  # the frame label is never displayed
    assert "Ikke i bildet" in _states_html(
        LiveUpdate(0, st, {}, None, True, (), (), WorkerStats(), LiveSettings()), "no")


def test_mode_of_a_stored_phase() -> None:
    from bodycoach.feedback.present import mode_of_phase

    assert mode_of_phase("before_call") == "telephone"
    assert mode_of_phase("reception") == "face_to_face"  # in both modes: face to face
    assert mode_of_phase(None) == "face_to_face"
