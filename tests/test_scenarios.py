"""Scenarios: the guide's six customer types, the phases and what each phase checks."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from bodycoach.feedback import scenarios as sc
from bodycoach.types import Behaviour

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"


def test_six_customer_types_in_the_guides_order() -> None:
    assert [c.key for c in sc.CUSTOMER_TYPES] == [
        "objective",
        "friendly",
        "rude",
        "shy",
        "pretentious",
        "indecisive",
    ]
    assert [c.name.no for c in sc.CUSTOMER_TYPES] == [
        "Objektiv",
        "Vennlig",
        "Uhøflig",
        "Sjenert",
        "Pretensiøs",
        "Ubesluttsom",
    ]


@pytest.mark.parametrize("ct", sc.CUSTOMER_TYPES, ids=lambda c: c.key)
@pytest.mark.parametrize("lang", ["no", "en"])
def test_customer_type_has_all_columns_in_both_languages(ct: sc.CustomerType, lang: str) -> None:
    for col in (ct.description, ct.normal_contact, ct.difficult_contact):
        lines = col.get(lang)
        assert lines and all(s.strip() for s in lines)
    assert ct.name.get(lang)


def test_rude_customer_advice_is_the_guides() -> None:
    rude = sc.get_customer_type("uhøflig")
    assert rude is sc.get_customer_type("rude")
    assert rude.normal_contact.no[:3] == ("La dem lufte", "Ro deg ned", "Vis kontrasten ved å være hyggelig")
    assert "Let them vent" in rude.normal_contact.en


def test_norwegian_customer_texts_come_from_the_seed() -> None:
    seed = SEEDS / "kundeservice-ansikt-til-ansikt.txt"
    if not seed.exists():
        pytest.skip(f"guide seed text not found at {seed} (../shared is absent)")
    flat = " ".join(seed.read_text(encoding="utf-8").split()).lower()
    missing = [
        line
        for ct in sc.CUSTOMER_TYPES
        if ct.key != "rude"
        for col in (ct.description, ct.normal_contact, ct.difficult_contact)
        for line in col.no
        if line.lower().split(" (")[0] not in flat
    ]
    # The seed is a PDF extract; a few lines were re-joined across its table columns.
    assert len(missing) <= 3, missing


def test_phases_face_to_face_and_telephone() -> None:
    assert [p.key for p in sc.phases()] == ["reception", "problem_solving", "confirmation", "farewell"]
    assert [p.name.no for p in sc.phases()] == ["Mottak", "Raskt løse problem", "Bekreftelse", "Å si farvel"]
    assert [p.key for p in sc.phases("telephone")] == [
        "before_call",
        "reception",
        "action",
        "closing",
        "after_call",
    ]
    assert sc.get_phase("Mottak").key == "reception"
    assert sc.get_phase("å si farvel").key == "farewell"


@pytest.mark.parametrize(
    ("phase", "mode", "must", "must_not"),
    [
        ("reception", "face_to_face", {Behaviour.SMILE, Behaviour.EYE_CONTACT}, {Behaviour.POSTURE}),
        ("farewell", "face_to_face", {Behaviour.SMILE, Behaviour.EYE_CONTACT}, {Behaviour.POSTURE}),
        (
            "problem_solving",
            "face_to_face",
            {Behaviour.ARMS, Behaviour.HEAD, Behaviour.HANDS},
            {Behaviour.SMILE, Behaviour.POSTURE},
        ),
        (
            "reception",
            "telephone",
            {Behaviour.POSTURE, Behaviour.SMILE},
            {Behaviour.ARMS, Behaviour.EYE_CONTACT},
        ),
        ("action", "telephone", {Behaviour.POSTURE, Behaviour.SMILE}, {Behaviour.EYE_CONTACT}),
        (None, "telephone", {Behaviour.POSTURE, Behaviour.SMILE}, {Behaviour.ARMS}),
        (None, "face_to_face", {Behaviour.ARMS, Behaviour.SMILE, Behaviour.EYE_CONTACT}, {Behaviour.POSTURE}),
    ],
)
def test_checks_for(phase: str | None, mode: str, must: set[Behaviour], must_not: set[Behaviour]) -> None:
    checks = sc.checks_for(phase, mode)
    assert isinstance(checks, frozenset)
    assert must <= checks
    assert not (must_not & checks)


@pytest.mark.parametrize(
    ("b", "label", "phase", "expected"),
    [
        (Behaviour.SMILE, "none", None, "neutral"),
        (Behaviour.SMILE, "none", "reception", "bad"),  # "smile og være imøtekommende"
        (Behaviour.SMILE, "none", "farewell", "bad"),
        (Behaviour.SMILE, "none", "problem_solving", "neutral"),
        (Behaviour.EYE_CONTACT, "screen", "problem_solving", "neutral"),  # looking at the screen is fine
        (Behaviour.EYE_CONTACT, "screen", "reception", "bad"),
        (Behaviour.ARMS, "crossed_chest", "problem_solving", "bad"),
        (Behaviour.ARMS, "extended", "reception", "good"),
        (Behaviour.ARMS, "unknown", "reception", "unknown"),
    ],
)
def test_phase_verdict(b: Behaviour, label: str, phase: str | None, expected: str) -> None:
    assert sc.phase_verdict(b, label, phase) == expected


def test_telephone_reception_expects_a_smile() -> None:
    assert sc.phase_verdict(Behaviour.SMILE, "none", "reception", "telephone") == "bad"
    assert sc.phase_verdict(Behaviour.POSTURE, "slumped", "action", "telephone") == "bad"


def test_dataclasses_are_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        sc.PHASES[0].key = "x"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        sc.CUSTOMER_TYPES[0].key = "x"  # type: ignore[misc]


@pytest.mark.parametrize(
    "call",
    [
        lambda: sc.get_phase("lunch"),
        lambda: sc.get_phase("problem_solving", "telephone"),  # a face-to-face id on the phone is refused
        lambda: sc.checks_for("reception", "email"),
        lambda: sc.get_customer_type("grumpy"),
    ],
)
def test_unknown_ids_raise_naming_the_allowed_ones(call: object) -> None:
    with pytest.raises(ValueError, match="must be one of") as e:
        call()  # type: ignore[operator]
    assert "\n" not in str(e.value)


def test_empty_phase_is_no_phase() -> None:
    assert sc.phase_key("", "face_to_face") is None and sc.phase_key(None) is None
    assert sc.phase_key("Mottak") == "reception" and sc.phase_key("mottak", "telephone") == "reception"
    assert sc.checks_for("") == sc.checks_for(None)
    assert sc.phase_verdict(Behaviour.SMILE, "none", "") == "neutral"
    with pytest.raises(ValueError, match="mode must be one of"):
        sc.phase_key("", "email")
