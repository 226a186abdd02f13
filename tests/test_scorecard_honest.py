"""The honest scorecard: nothing graded that did not happen or was not in view; verdicts cite their moments.

Hand-built stable states through ``SessionRecorder``, then the real face-only clip through the analysis.
"""

from __future__ import annotations

import pytest

from bodycoach.feedback.config import ReportConfig
from bodycoach.feedback.messages import SCORE_REASONS, score_note
from bodycoach.feedback.report import Report, ScoreItem, SessionRecorder, recording_end_ms
from bodycoach.landmarks.recording import load_landmarks
from bodycoach.pipeline import analyse_landmarks
from bodycoach.types import OUT_OF_VIEW, Behaviour, Features, FrameResult, Landmarks
from tests.conftest import TEST_DATA

B = Behaviour
CFG = ReportConfig()


def res(ts: int, states: dict[Behaviour, str], view: str = "unknown") -> FrameResult:
    return FrameResult(Landmarks.empty(ts, (640, 480)), Features.empty(ts), {}, states, view=view)


def feed(rec: SessionRecorder, t0: int, t1: int, states: dict[Behaviour, str], phase: str | None = None,
         view: str = "unknown") -> None:
    for t in range(t0, t1, 100):
        rec.add(res(t, states, view), phase)


def state_at(rec_frames: list[tuple[int, dict[Behaviour, str]]], b: Behaviour, t: int) -> str:
    cur = "unknown"
    for ts, st in rec_frames:
        if ts > t:
            break
        cur = st.get(b, "unknown")
    return cur


FACE_ONLY = {B.EYE_CONTACT: "lens", B.SMILE: "warm", B.HEAD: "upright", B.ARMS: OUT_OF_VIEW,
             B.HANDS: OUT_OF_VIEW, B.PALM: OUT_OF_VIEW, B.POSTURE: OUT_OF_VIEW}


def test_out_of_view_areas_are_not_graded_and_say_why() -> None:
    rec = SessionRecorder(config=CFG)
    feed(rec, 0, 8000, FACE_ONLY, view="face")
    rec.finish(8000)
    r = rec.report()
    for key, no, en in (("arms", "ikke vurdert: armene var ikke i bildet", "not judged: the arms were not in view"),
                        ("hands", "ikke vurdert: hendene var ikke i bildet", "not judged: the hands were not in view")):
        it = r.item(key)
        assert it is not None and it.status == "no_data" and it.reason == "out_of_view"
        assert it.share is None and not it.moments
        assert it.note("no") == no and it.note("en") == en
    assert "posture" not in [i.key for i in r.scorecard]  # face to face: posture is not coached
    lines = r.summary_lines("no")
    assert "– Armene: ikke vurdert: armene var ikke i bildet" in lines
    assert not any("skjult" in line.lower() for line in lines)
    # Shares leave the area out (no 0 %, no 100 % "not in view").
    assert B.ARMS.value not in r.shares() and r.out_of_view_share(B.ARMS) == 1.0
    assert r.view_shares() == {"face": 1.0}


def test_partly_out_of_view_is_graded_on_the_judged_part_and_says_so() -> None:
    rec = SessionRecorder(config=CFG)
    feed(rec, 0, 6000, {B.ARMS: OUT_OF_VIEW})
    feed(rec, 6000, 10000, {B.ARMS: "extended"})
    rec.finish(10000)
    r = rec.report()
    arms = r.item("arms")
    assert arms is not None and arms.status == "good" and arms.share == 1.0 and arms.known_ms == 4000
    line = next(x for x in r.summary_lines("en") if x.startswith("✓ Arms"))
    assert "(not in view 60 % of the time)" in line


def test_telephone_posture_out_of_view() -> None:
    rec = SessionRecorder(mode="telephone", config=CFG)
    feed(rec, 0, 5000, {B.SMILE: "warm", B.POSTURE: OUT_OF_VIEW}, "reception")
    rec.finish(5000)
    it = rec.report().item("posture")
    assert it is not None and it.status == "no_data" and it.note("no") == "ikke vurdert: overkroppen var ikke i bildet"


def test_a_phase_that_did_not_happen_is_not_practised() -> None:
    rec = SessionRecorder(config=CFG)
    feed(rec, 0, 8000, {B.EYE_CONTACT: "lens", B.SMILE: "warm"}, "reception")
    feed(rec, 8000, 20000, {B.EYE_CONTACT: "screen", B.SMILE: "none"}, "problem_solving")
    rec.finish(20000)
    r = rec.report()
    close = r.item("close")
    assert close is not None and close.status == "no_data" and close.reason == "not_practised"
    assert close.note("no") == "ikke øvd" and close.note("en") == "not practised"
    assert "– Få til en god avslutt: ikke øvd" in r.summary_lines("no")
    welcome = r.item("welcome")
    assert welcome is not None and welcome.status == "good" and welcome.window == ((0, 8000),)


def test_a_recording_without_phases_is_one_encounter() -> None:
    rec = SessionRecorder(config=CFG)
    feed(rec, 0, 7000, {B.EYE_CONTACT: "lens", B.SMILE: "open", B.HEAD: "upright", B.ARMS: "extended",
                        B.HANDS: "open"})
    rec.finish(7000)
    r = rec.report()
    graded = [i.key for i in r.scorecard if i.status != "no_data"]
    assert graded == ["smile", "eye_contact", "arms", "hands", "head"]
    for key in ("welcome", "close"):
        assert r.item(key).reason == "no_phases"  # type: ignore[union-attr]


def _frames() -> list[tuple[int, dict[Behaviour, str]]]:
    seq = [(0, {B.SMILE: "none", B.EYE_CONTACT: "away"}), (3000, {B.SMILE: "warm", B.EYE_CONTACT: "lens"}),
           (6000, {B.SMILE: "none", B.EYE_CONTACT: "lens"}), (8000, {B.SMILE: "open", B.EYE_CONTACT: "lens"}),
           (12000, {B.SMILE: "none", B.EYE_CONTACT: "away"})]
    out = []
    for i, (t0, st) in enumerate(seq):
        t1 = seq[i + 1][0] if i + 1 < len(seq) else 14000
        out += [(t, st) for t in range(t0, t1, 100)]
    return out


def _check_cited(r: Report, frames: list[tuple[int, dict[Behaviour, str]]], it: ScoreItem) -> None:
    starts = [m.start_ms for m in it.moments]
    assert starts == sorted(starts), "moments in time order"
    for m in it.moments:
        for t in range(m.start_ms, m.end_ms, 100):
            assert state_at(frames, m.behaviour, t) == m.label, (it.key, m)
        assert m.verdict == ("good" if it.status == "good" else "bad")


def test_every_verdict_cites_moments_that_show_it_in_time_order() -> None:
    frames = _frames()
    rec = SessionRecorder(config=CFG)
    for t, st in frames:
        rec.add(res(t, st))
    rec.finish(14000)
    r = rec.report()
    smile, eye = r.item("smile"), r.item("eye_contact")
    assert smile is not None and smile.status == "good"
    assert [m.label for m in smile.moments] == ["warm", "open"]  # never the "Ikke smil" stretches
    assert eye is not None and eye.status == "good" and {m.label for m in eye.moments} == {"lens"}
    for it in r.scorecard:
        _check_cited(r, frames, it)
    # A smile item that needs work cites the stretches without a smile.
    rec = SessionRecorder(config=CFG)
    few = [(t, {B.SMILE: "none"}) for t in range(0, 9000, 100)] + [(t, {B.SMILE: "warm"}) for t in range(9000, 10000, 100)]
    for t, st in few:
        rec.add(res(t, st))
    rec.finish(10000)
    sm = rec.report().item("smile")
    assert sm is not None and sm.status == "needs_work" and [m.label for m in sm.moments] == ["none"]
    _check_cited(rec.report(), few, sm)


def test_phase_moments_are_clipped_to_each_phase_span() -> None:
    frames = [(t, {B.EYE_CONTACT: "lens", B.SMILE: "warm"}) for t in range(0, 20000, 100)]
    rec = SessionRecorder(config=CFG)
    for t, st in frames:
        phase = "reception" if t < 4000 or 10000 <= t < 14000 else "problem_solving"
        rec.add(res(t, st), phase)
    rec.finish(20000)
    welcome = rec.report().item("welcome")
    assert welcome is not None and welcome.window == ((0, 4000), (10000, 14000))
    for m in welcome.moments:
        assert any(w0 <= m.start_ms and m.end_ms <= w1 for w0, w1 in welcome.window), m


def test_no_header_repeats_itself_in_either_language() -> None:
    rec = SessionRecorder(config=CFG)
    feed(rec, 0, 6000, {B.EYE_CONTACT: "lens", B.SMILE: "warm", B.ARMS: "extended", B.HANDS: "open",
                        B.HEAD: "upright"}, "reception")
    feed(rec, 6000, 12000, {B.EYE_CONTACT: "away", B.SMILE: "none", B.ARMS: "hidden", B.HANDS: "not_visible",
                            B.HEAD: "turned"}, "farewell")
    rec.finish(12000)
    for lang in ("no", "en"):
        for line in rec.report().summary_lines(lang):
            head, _, body = line.partition(": ")
            assert head.strip("✓→– ").lower() != body.split(" ")[0].lower(), line
            assert body.split(",")[0].strip().lower() != head.strip("✓→– ").lower(), line


@pytest.mark.parametrize("reason", SCORE_REASONS)
def test_every_reason_has_both_languages(reason: str) -> None:
    for key in ("arms", "hands", "posture", "smile", "welcome"):
        no, en = score_note(key, reason, "no"), score_note(key, reason, "en")
        assert no and en and no != en
    with pytest.raises(ValueError, match="reason must be one of"):
        score_note("arms", "bogus")


def test_real_face_only_clip_scorecard() -> None:
    results = list(analyse_landmarks(load_landmarks(TEST_DATA / "view_liveportrait_d12.npz")))
    rec = SessionRecorder()
    for r in results:
        rec.add(r)
    rec.finish(recording_end_ms([r.timestamp_ms for r in results]))
    rep = rec.report()
    for key in ("arms", "hands"):
        assert rep.item(key).reason == "out_of_view"  # type: ignore[union-attr]
    assert rep.item("welcome").reason == "no_phases"  # type: ignore[union-attr]
    assert [i.key for i in rep.scorecard if i.status == "needs_work" and i.key in ("arms", "hands", "posture")] == []
    assert rep.view_shares() and max(rep.view_shares(), key=rep.view_shares().get) in ("face", "head_shoulders")
    for it in rep.scorecard:
        starts = [m.start_ms for m in it.moments]
        assert starts == sorted(starts)


@pytest.mark.parametrize("lang", ["no", "en"])
def test_share_headings_never_repeat_the_area(lang: str) -> None:
    from bodycoach.feedback.messages import behaviour_text, label_text, share_heading
    from bodycoach.types import LABELS

    assert share_heading(B.EYE_CONTACT, ("lens",), "no") == "Øyekontakt"
    assert share_heading(B.POSTURE, ("leaning",), "en") == "Posture: leaning"
    for b, enum in LABELS.items():
        for lab in enum:
            h = share_heading(b, (str(lab),), lang)
            area, name = behaviour_text(b, lang), label_text(b, str(lab), lang)
            assert h.lower() != f"{area}: {name}".lower() or area.lower()[:4] not in name.lower(), h
            head, sep, rest = h.partition(": ")
            assert not sep or head.lower() != rest.lower(), h


def test_surfaces_say_why_an_item_is_not_graded() -> None:
    from bodycoach.render.summary_card import _status_word

    assert _status_word("no_data", "no", "out_of_view") == "Ikke vurdert"
    assert _status_word("no_data", "en", "not_practised") == "Not judged"
    assert _status_word("no_data", "no", "not_measured") == "Ikke målt"
    assert _status_word("good", "no", None) == "Bra"
