"""CueScheduler, step by step with synthetic timestamps: min show, cooldown, no flicker, phase priority."""

from __future__ import annotations

import pytest

from bodycoach.feedback.config import CueConfig
from bodycoach.feedback.cues import Cue, CueScheduler
from bodycoach.types import Behaviour, Features, FeedbackEvent, FrameResult, Landmarks

B = Behaviour
CFG = CueConfig(
    min_show_ms=3000,
    max_show_ms=8000,
    cooldown_ms=20000,
    fault_hold_ms=0,
    ack_show_ms=2500,
    ack_hold_ms=2000,
    ack_interval_ms=12000,
)


def res(ts: int, states: dict[Behaviour, str] | None = None, started: tuple[FeedbackEvent, ...] = ()) -> FrameResult:
    return FrameResult(Landmarks.empty(ts, (640, 480)), Features.empty(ts), {}, states or {}, started)


def run(
    s: CueScheduler, t0: int, t1: int, states: dict[Behaviour, str], phase: str | None = None, step: int = 100
) -> list[tuple[int, Cue | None]]:
    return [(t, s.update(res(t, states), phase)) for t in range(t0, t1, step)]


def key(c: Cue | None) -> tuple[Behaviour, str] | None:
    return None if c is None else c.key


def test_nothing_known_gives_no_cue() -> None:
    s = CueScheduler(config=CFG)
    assert all(c is None for _, c in run(s, 0, 5000, {}))
    assert all(c is None for _, c in run(s, 5000, 9000, {B.ARMS: "unknown", B.SMILE: "unknown"}))


def test_fault_cue_appears_at_once_and_stays_min_show_even_if_state_ends() -> None:
    s = CueScheduler(config=CFG)
    c = s.update(res(0, {B.ARMS: "crossed_chest"}))
    assert c is not None and c.key == (B.ARMS, "crossed_chest") and c.verdict == "bad" and c.since_ms == 0
    assert "brystkassen" in c.text
    # The arms uncross after 500 ms: the cue must stay until min_show_ms (no flicker).
    seen = run(s, 500, 3000, {B.ARMS: "extended"})
    assert all(key(c) == (B.ARMS, "crossed_chest") for _, c in seen)
    # After min_show_ms the state no longer holds: the fault leaves, and the correction (held 2.5 s >=
    # ack_hold_ms) is acknowledged.
    c = s.update(res(3000, {B.ARMS: "extended"}))
    assert c is not None and c.key == (B.ARMS, "extended") and c.verdict == "good"
    s2 = CueScheduler(config=CFG)
    s2.update(res(0, {B.ARMS: "crossed_chest"}))
    run(s2, 500, 3000, {B.ARMS: "down"})  # neutral: nothing to acknowledge
    assert s2.update(res(3000, {B.ARMS: "down"})) is None


def test_fault_cue_stays_while_state_holds_up_to_max_show_then_cooldown() -> None:
    s = CueScheduler(config=CFG)
    seen = run(s, 0, 30000, {B.ARMS: "crossed_chest"})
    shown = [t for t, c in seen if key(c) == (B.ARMS, "crossed_chest")]
    # Shown 0..7900 (max_show 8000), hidden for the cooldown (20 s), shown again at 28000.
    assert shown[0] == 0 and 7900 in shown and 8000 not in shown
    assert not any(8000 <= t < 28000 for t in shown)
    assert 28000 in shown


def test_no_flicker_cue_never_changes_before_min_show() -> None:
    """States toggling every 200-300 ms must not make the cue change faster than min_show_ms."""
    s = CueScheduler(config=CFG)
    prev: Cue | None = None
    changes = 0
    for i, t in enumerate(range(0, 60000, 100)):
        states = {
            B.ARMS: "crossed_chest" if (i // 2) % 2 else "hidden",
            B.HEAD: "propped" if i % 3 else "upright",
        }
        c = s.update(res(t, states))
        if prev is not None and key(c) != key(prev):
            assert t - prev.since_ms >= CFG.min_show_ms, f"cue {prev.key} left after {t - prev.since_ms} ms"
        if key(c) != key(prev):
            changes += 1
        prev = c
    assert changes >= 3  # it did coach, just calmly
    assert changes <= 60000 // CFG.min_show_ms + 1


def test_same_cue_not_repeated_within_cooldown() -> None:
    s = CueScheduler(config=CFG)
    shows: list[int] = []
    prev = None
    for t in range(0, 60000, 100):
        # Crossed arms come and go every 4 s.
        states = {B.ARMS: "crossed_chest" if (t // 4000) % 2 == 0 else "extended"}
        c = s.update(res(t, states))
        if key(c) == (B.ARMS, "crossed_chest") and key(prev) != (B.ARMS, "crossed_chest"):
            shows.append(t)
        prev = c
    assert shows[0] == 0
    for a, b in zip(shows, shows[1:], strict=False):
        assert b - a >= CFG.cooldown_ms


def test_phase_relevant_fault_wins() -> None:
    states = {B.SMILE: "none", B.ARMS: "crossed_chest"}
    # Reception checks smile and eye contact: "no smile" is a fault there and comes first.
    s = CueScheduler(config=CFG)
    c = s.update(res(0, states), "reception")
    assert c is not None and c.key == (B.SMILE, "none") and "smile" in c.text
    # While solving the problem the arms are what is checked; not smiling is not a fault.
    s = CueScheduler(config=CFG)
    c = s.update(res(0, states), "problem_solving")
    assert c is not None and c.key == (B.ARMS, "crossed_chest")


def test_screen_is_fine_while_solving_but_not_in_the_welcome() -> None:
    s = CueScheduler(config=CFG)
    assert s.update(res(0, {B.EYE_CONTACT: "screen"}), "problem_solving") is None
    s = CueScheduler(config=CFG)
    c = s.update(res(0, {B.EYE_CONTACT: "screen"}), "reception")
    assert c is not None and c.key == (B.EYE_CONTACT, "screen") and c.verdict == "bad"


def test_good_behaviour_is_acknowledged_after_hold_and_rate_limited() -> None:
    s = CueScheduler(config=CFG)
    seen = run(s, 0, 40000, {B.EYE_CONTACT: "lens", B.SMILE: "warm"}, "reception")
    acks = [(t, c) for t, c in seen if c is not None]
    assert acks and all(c.verdict == "good" for _, c in acks)
    first = acks[0][0]
    assert first == CFG.ack_hold_ms  # held 2 s before it is acknowledged
    starts = sorted({c.since_ms for _, c in acks})
    assert all(b - a >= CFG.ack_interval_ms for a, b in zip(starts, starts[1:], strict=False))
    assert {c.text for _, c in acks} >= {"Fin øyekontakt."}


def test_fault_preempts_acknowledgement_after_min_show() -> None:
    s = CueScheduler(config=CFG)
    run(s, 0, 2100, {B.EYE_CONTACT: "lens"}, "reception")
    assert key(s.current) == (B.EYE_CONTACT, "lens")
    c = s.update(res(2200, {B.EYE_CONTACT: "away"}), "reception")
    assert key(c) == (B.EYE_CONTACT, "lens")  # still within min_show
    c = s.update(res(2000 + CFG.min_show_ms, {B.EYE_CONTACT: "away"}), "reception")
    assert key(c) == (B.EYE_CONTACT, "away") and c is not None and c.verdict == "bad"


def test_started_event_counts_when_states_are_empty() -> None:
    s = CueScheduler(config=CFG)
    ev = FeedbackEvent(B.HEAD, "propped", 0)
    c = s.update(res(0, {}, (ev,)))
    assert key(c) == (B.HEAD, "propped")


def test_english_and_language_switch() -> None:
    s = CueScheduler("en", config=CFG)
    c = s.update(res(0, {B.ARMS: "crossed_chest"}))
    assert c is not None and c.text.startswith("Your arms are crossed")
    s.set_lang("no")
    c = s.update(res(100, {B.ARMS: "crossed_chest"}))
    assert c is not None and c.text.startswith("Armene er krysset")


def test_constructor_overrides_and_defaults_from_toml() -> None:
    s = CueScheduler("no", 1000, 5000)
    assert s.config.min_show_ms == 1000 and s.config.cooldown_ms == 5000
    d = CueScheduler()
    assert d.config.min_show_ms >= 1000 and d.config.cooldown_ms >= d.config.min_show_ms


def test_timestamps_backwards_raise_and_reset_recovers() -> None:
    s = CueScheduler(config=CFG)
    s.update(res(1000, {}))
    with pytest.raises(ValueError, match="monotonically"):
        s.update(res(999, {}))
    s.reset()
    assert s.update(res(0, {B.ARMS: "hidden"})) is not None


@pytest.mark.parametrize("kw", [{"lang": "de"}, {"mode": "email"}])
def test_bad_arguments_raise(kw: dict[str, str]) -> None:
    with pytest.raises(ValueError, match="must be one of"):
        CueScheduler(config=CFG, **kw)  # type: ignore[arg-type]


def test_unknown_phase_raises() -> None:
    s = CueScheduler(config=CFG)
    with pytest.raises(ValueError, match="phase must be one of"):
        s.update(res(0, {}), "lunch")


def test_telephone_mode_coaches_posture() -> None:
    s = CueScheduler(config=CFG, mode="telephone")
    c = s.update(res(0, {B.POSTURE: "slumped", B.ARMS: "crossed_chest"}), "action")
    assert key(c) == (B.POSTURE, "slumped")
    # Nobody sees arms or eyes on the phone: those faults are never cued in telephone mode.
    s = CueScheduler(config=CFG, mode="telephone")
    seen = run(s, 0, 60000, {B.ARMS: "crossed_chest", B.EYE_CONTACT: "away", B.POSTURE: "upright"}, "action")
    assert {key(c) for _, c in seen} <= {None, (B.POSTURE, "upright")}
    assert (B.POSTURE, "upright") in {key(c) for _, c in seen}


def test_lasting_fault_still_lets_good_behaviour_be_acknowledged() -> None:
    s = CueScheduler(config=CFG)
    states = {B.ARMS: "crossed_chest", B.EYE_CONTACT: "lens"}
    seen = run(s, 0, 60000, states, "problem_solving")
    shows = []
    for (t, c), (_, p) in zip(seen, [(0, None), *seen], strict=False):
        if c is not None and (p is None or c.since_ms != p.since_ms):
            shows.append((t, c.verdict, c.label))
    assert shows[0] == (0, "bad", "crossed_chest")  # a new fault comes at once
    assert (8000, "good", "lens") in shows  # then what goes well
    assert [v for _, v, _ in shows].count("bad") >= 2  # and the reminder comes back after its cooldown


def test_new_fault_beats_a_due_acknowledgement() -> None:
    s = CueScheduler(config=CFG)
    run(s, 0, 5000, {B.EYE_CONTACT: "lens"}, "reception")  # acknowledged at 2000, shown until 5000
    c = s.update(res(5000, {B.EYE_CONTACT: "lens", B.SMILE: "one_sided"}), "reception")
    assert key(c) == (B.SMILE, "one_sided")


def test_new_fault_waits_at_most_min_show_behind_a_lasting_one() -> None:
    s = CueScheduler(config=CFG)
    run(s, 0, 1000, {B.ARMS: "crossed_chest"}, "problem_solving")
    seen = run(s, 1000, 9000, {B.ARMS: "crossed_chest", B.HEAD: "propped"}, "problem_solving")
    first_head = next(t for t, c in seen if key(c) == (B.HEAD, "propped"))
    assert first_head == CFG.min_show_ms  # not max_show_ms
    # Without a new fault the lasting one keeps the screen until max_show_ms.
    s = CueScheduler(config=CFG)
    seen = run(s, 0, 9000, {B.ARMS: "crossed_chest"}, "problem_solving")
    assert all(key(c) == (B.ARMS, "crossed_chest") for t, c in seen if t < CFG.max_show_ms)


def test_empty_phase_and_aliases() -> None:
    s = CueScheduler(config=CFG)
    assert key(s.update(res(0, {B.SMILE: "none"}), "")) is None  # no phase: not smiling is not a fault
    s = CueScheduler(config=CFG)
    assert key(s.update(res(0, {B.SMILE: "none"}), "Mottak")) == (B.SMILE, "none")


def test_areas_outside_the_mode_never_cue() -> None:
    """Posture is telephone practice: face to face a slumped posture is not coached (nor acknowledged)."""
    s = CueScheduler(config=CFG)
    seen = run(s, 0, 10000, {B.POSTURE: "slumped"})
    assert all(c is None for _, c in seen)
    phone = CueScheduler(config=CFG, mode="telephone")
    c = phone.update(res(0, {B.POSTURE: "slumped"}))
    assert c is not None and c.key == (B.POSTURE, "slumped")
