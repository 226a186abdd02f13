"""What the camera can see (``View``) and the ``out_of_view`` gating of the areas it does not reach.

Unit tables on hand-built landmarks (``tests/landmark_builder.py``), cropped as a closer camera would
frame the same person, plus real face-only clips (landmarks recorded from
``sample_videos/liveportrait_d12.mp4`` and the dev clip ``retalking_1.mp4``, see ``tests/data/README.md``).
"""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from bodycoach.analysis import Analyzer
from bodycoach.classifiers.view import classify_view
from bodycoach.config import ViewConfig, load_config
from bodycoach.feedback.messages import cue_text, label_text, verdict, view_text
from bodycoach.features.view import view_measures
from bodycoach.landmarks.recording import load_landmarks
from bodycoach.pipeline import analyse_landmarks
from bodycoach.types import (
    OUT_OF_VIEW,
    VIEW_GATED,
    VIEW_NEEDED,
    ArmsPose,
    Behaviour,
    Landmarks,
    View,
    in_view,
    view_rank,
)
from tests.conftest import TEST_DATA
from tests.landmark_builder import make_landmarks

CFG = load_config()
VT = CFG.view
BODY = (Behaviour.ARMS, Behaviour.HANDS, Behaviour.PALM)


def crop_top(lm: Landmarks, keep: float) -> Landmarks:
    """The same scene seen by a camera that shows only the top ``keep`` of the picture (a closer framing).

    Points below the new bottom edge keep their (extrapolated) coordinates, as BlazePose gives them; a
    hand-model hand wholly outside the picture is not found.
    """

    def scale(a: np.ndarray | None) -> np.ndarray | None:
        if a is None:
            return None
        b = a.copy()
        b[:, 1] = b[:, 1] / keep
        return b

    def hand(a: np.ndarray | None) -> np.ndarray | None:
        b = scale(a)
        return None if b is None or (b[:, 1] > 1.0).all() else b

    w, h = lm.image_wh
    return Landmarks(timestamp_ms=lm.timestamp_ms, image_wh=(w, int(round(h * keep))), pose=scale(lm.pose),
                     face=scale(lm.face), left_hand=hand(lm.left_hand), right_hand=hand(lm.right_hand),
                     num_faces=lm.num_faces)


def frame_view(lm: Landmarks, t: ViewConfig = VT) -> View:
    return classify_view(view_measures(lm, t.min_visibility, t.edge_margin_frac), t)


@pytest.mark.parametrize(("name", "lm", "want"), [
    ("forearms on the desk", make_landmarks(), View.COUNTER),
    ("arms crossed on the desk", make_landmarks(arms="crossed"), View.COUNTER),
    ("arms hidden, hips in view", make_landmarks(arms="hidden"), View.MORE),
    ("arms hanging, hips in view", make_landmarks(arms="down"), View.MORE),
    ("face mesh only", make_landmarks(pose=False, hands=False), View.FACE),
    ("nobody", make_landmarks(face=False, pose=False, hands=False), View.NONE),
    ("cropped at the chest", crop_top(make_landmarks(hands=False), 0.62), View.HEAD_SHOULDERS),
    ("cropped at the shoulders", crop_top(make_landmarks(hands=False), 0.52), View.FACE),
])
def test_view_table(name: str, lm: Landmarks, want: View) -> None:
    assert frame_view(lm) is want, name


def test_view_measures_below_shoulders_in_shoulder_widths() -> None:
    lm = make_landmarks()
    m = view_measures(lm, VT.min_visibility, VT.edge_margin_frac)
    p, (w, h) = lm.pose, lm.image_wh
    assert p is not None
    sw = float(np.hypot((p[11, 0] - p[12, 0]) * w, (p[11, 1] - p[12, 1]) * h))
    assert m["view_below_shoulders_sw"] == pytest.approx((1 - (p[11, 1] + p[12, 1]) / 2) * h / sw)
    # Broken input is "not seen", never a crash.
    bad = p.copy()
    bad[:, :2] = np.inf
    m2 = view_measures(Landmarks(0, lm.image_wh, pose=bad), VT.min_visibility, VT.edge_margin_frac)
    assert m2["view_shoulders_seen"] == 0 and frame_view(Landmarks(0, lm.image_wh, pose=bad)) is View.NONE


def test_elbows_extrapolated_below_the_frame_are_not_in_the_picture() -> None:
    # A talking head: BlazePose puts the elbows below the frame edge with a fair visibility.
    lm = crop_top(make_landmarks(hands=False), 0.7)
    p = lm.pose
    assert p is not None and p[13, 1] > 1.0 and p[13, 3] > 0.5
    assert frame_view(lm) is View.HEAD_SHOULDERS


def test_view_order_and_needs() -> None:
    assert [view_rank(v) for v in (View.NONE, View.FACE, View.HEAD_SHOULDERS, View.COUNTER, View.MORE)] == \
        [0, 1, 2, 3, 4]
    assert view_rank("unknown") == -1 and view_rank("garbage") == -1
    assert VIEW_NEEDED[Behaviour.ARMS] is View.COUNTER and VIEW_NEEDED[Behaviour.POSTURE] is View.HEAD_SHOULDERS
    assert set(VIEW_GATED) == {Behaviour.ARMS, Behaviour.HANDS, Behaviour.PALM, Behaviour.POSTURE}
    assert not in_view(Behaviour.ARMS, View.HEAD_SHOULDERS) and in_view(Behaviour.ARMS, View.MORE)
    assert in_view(Behaviour.ARMS, "unknown")  # nothing ruled out before the first frame


def test_out_of_view_is_neutral_never_cued_in_both_languages() -> None:
    for b in VIEW_GATED:
        assert verdict(b, OUT_OF_VIEW) == "neutral"
        assert cue_text(b, OUT_OF_VIEW, "no") is None and cue_text(b, OUT_OF_VIEW, "en") is None
        assert label_text(b, OUT_OF_VIEW, "no") == "Ikke i bildet"
        assert label_text(b, OUT_OF_VIEW, "en") == "Not in view"
    assert view_text(View.HEAD_SHOULDERS, "no") == "Hode og skuldre"
    assert view_text(View.FACE, "en") == "Face only"


def _run(frames: list[Landmarks]) -> list:
    a = Analyzer(CFG)
    return [a.step(lm) for lm in frames]


def test_face_only_frames_give_out_of_view_never_hidden() -> None:
    frames = [crop_top(make_landmarks(ts, hands=False), 0.45) for ts in range(0, 2000, 100)]
    res = _run(frames)
    assert all(r.frame_view == View.FACE for r in res)
    settled = res[5:]  # past the 400 ms debounce
    for r in settled:
        assert r.view == View.FACE
        for b in VIEW_GATED:
            assert r.label(b) == OUT_OF_VIEW and r.state(b) == OUT_OF_VIEW, b
            assert not r.in_view(b)
        assert r.label(Behaviour.HEAD) != OUT_OF_VIEW  # the face areas stay judged
    assert not any(r.label(Behaviour.ARMS) == ArmsPose.HIDDEN for r in res)


def test_counter_view_keeps_hidden_when_the_arms_are_not_there() -> None:
    res = _run([make_landmarks(ts, arms="hidden") for ts in range(0, 1500, 100)])
    assert res[-1].view in (View.COUNTER, View.MORE)
    assert res[-1].label(Behaviour.ARMS) == ArmsPose.HIDDEN and res[-1].state(Behaviour.ARMS) == ArmsPose.HIDDEN


def test_head_and_shoulders_judges_posture_not_arms() -> None:
    res = _run([crop_top(make_landmarks(ts, hands=False), 0.62) for ts in range(0, 1500, 100)])
    last = res[-1]
    assert last.view == View.HEAD_SHOULDERS
    assert last.state(Behaviour.POSTURE) not in (OUT_OF_VIEW, "unknown")
    for b in BODY:
        assert last.state(b) == OUT_OF_VIEW


def test_a_hand_in_the_picture_keeps_what_it_shows_judged_but_never_an_absence() -> None:
    # A close-up with a hand raised into the picture: the hand is in view, so the hands are judged; the
    # arms classifier reads "hidden" (no forearm seen), an absence the picture cannot show: out of view.
    frames = []
    for ts in range(0, 1500, 100):
        lm = crop_top(make_landmarks(ts, hands=False), 0.62)
        base = make_landmarks(ts)
        assert base.left_hand is not None and lm.face is not None
        hand = base.left_hand.copy()
        hand[:, :2] += lm.face[152, :2] + np.array([0.05, 0.05]) - hand[0, :2]
        frames.append(Landmarks(ts, lm.image_wh, pose=lm.pose, face=lm.face, left_hand=hand, num_faces=1))
    res = _run(frames)
    last = res[-1]
    assert last.view == View.HEAD_SHOULDERS
    assert last.state(Behaviour.HANDS) not in (OUT_OF_VIEW, "unknown")
    a = Analyzer(CFG)
    assert a.classify(a.features(frames[-1]))[Behaviour.ARMS].label == ArmsPose.HIDDEN  # before the gating
    assert last.label(Behaviour.ARMS) == OUT_OF_VIEW and last.state(Behaviour.ARMS) == OUT_OF_VIEW
    assert not any(r.label(b) in (ArmsPose.HIDDEN, "not_visible") for r in res for b in BODY)


def test_view_and_gated_states_change_together_when_the_trainee_leans_in() -> None:
    far = [make_landmarks(ts) for ts in range(0, 1500, 100)]
    near = [crop_top(make_landmarks(ts, hands=False), 0.45) for ts in range(1500, 3000, 100)]
    res = _run(far + near)
    assert res[14].view == View.COUNTER and res[14].state(Behaviour.ARMS) == ArmsPose.EXTENDED
    switch_view = next(r.timestamp_ms for r in res[15:] if r.view == View.FACE)
    switch_arms = next(r.timestamp_ms for r in res[15:] if r.state(Behaviour.ARMS) == OUT_OF_VIEW)
    assert switch_view == switch_arms
    ended = [e for r in res for e in r.ended if e.behaviour is Behaviour.ARMS]
    assert ended and ended[0].label == ArmsPose.EXTENDED


def test_nobody_in_the_picture_holds_the_states() -> None:
    res = _run([crop_top(make_landmarks(ts, hands=False), 0.45) for ts in range(0, 1000, 100)]
               + [Landmarks.empty(ts, (1280, 720)) for ts in range(1000, 2000, 100)])
    assert res[-1].frame_view == View.NONE
    assert res[-1].label(Behaviour.ARMS) == "unknown"
    assert res[-1].state(Behaviour.ARMS) == OUT_OF_VIEW  # held: no evidence either way


def test_view_thresholds_come_from_the_config() -> None:
    lm = crop_top(make_landmarks(hands=False), 0.62)
    assert frame_view(lm) is View.HEAD_SHOULDERS
    loose = ViewConfig(counter_min_below_shoulders_sw=0.1, min_elbows_seen=0)
    assert frame_view(lm, loose) is View.COUNTER


@pytest.mark.parametrize("name", ["view_liveportrait_d12.npz", "view_retalking_1.npz"])
def test_real_face_only_clips_never_read_hidden_arms(name: str) -> None:
    seq = load_landmarks(TEST_DATA / name)
    res = list(analyse_landmarks(seq, CFG))
    views = Counter(r.view for r in res)
    assert views[View.COUNTER] == 0 and views[View.MORE] == 0, views
    for b in BODY:
        states = Counter(r.state(b) for r in res)
        assert set(states) <= {OUT_OF_VIEW, "unknown"}, (b, states)
        assert states[OUT_OF_VIEW] >= 0.9 * len(res)
    assert not any(r.label(Behaviour.ARMS) == ArmsPose.HIDDEN for r in res)


@pytest.mark.parametrize(("view", "hands", "label", "want"), [
    (View.FACE, 0, "other", OUT_OF_VIEW),
    (View.FACE, 1, "other", "other"),  # a raised hand in a close-up is in view
    (View.FACE, 1, "crossed_table", "crossed_table"),  # forearms folded under the chin, seen
    (View.FACE, 1, "hidden", OUT_OF_VIEW),  # an absence the picture cannot show
    (View.HEAD_SHOULDERS, 2, "not_visible", OUT_OF_VIEW),
    (View.COUNTER, 0, "hidden", "hidden"),
    (View.NONE, 0, "unknown", "unknown"),
])
def test_gate_view_table(view: View, hands: int, label: str, want: str) -> None:
    from bodycoach.analysis import gate_view
    from bodycoach.types import Classification

    b = Behaviour.HANDS if label == "not_visible" else Behaviour.ARMS
    cls = {b: Classification(b, label, 0.7, 0)}
    gate_view(cls, view, hands, 0)
    assert cls[b].label == want


@pytest.mark.parametrize("mode_phase", [("face_to_face", "reception"), ("face_to_face", "problem_solving"),
                                        ("telephone", "reception")])
def test_face_only_clip_is_never_cued_on_body_areas(mode_phase: tuple[str, str]) -> None:
    from bodycoach.feedback.cues import CueScheduler

    mode, phase = mode_phase
    for lang in ("no", "en"):
        sched = CueScheduler(lang, mode=mode)
        for r in analyse_landmarks(load_landmarks(TEST_DATA / "view_liveportrait_d12.npz"), CFG):
            cue = sched.update(r, phase)
            assert cue is None or cue.behaviour not in (*BODY, Behaviour.POSTURE), cue
