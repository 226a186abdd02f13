"""Messages: complete coverage of every label in both languages, the guide's verdicts, wording rules."""

from __future__ import annotations

import re

import pytest

from bodycoach.feedback import messages as m
from bodycoach.types import LABELS, UNKNOWN, ArmsPose, Behaviour, EyeContact, GazeStyle, SmileType

ALL = m.all_keys()


def test_all_keys_cover_every_enum_label() -> None:
    expected = {(b, str(lab)) for b, enum in LABELS.items() for lab in enum}
    assert set(ALL) == expected
    assert len(ALL) == sum(len(e) for e in LABELS.values())


@pytest.mark.parametrize("lang", m.LANGS)
@pytest.mark.parametrize(("behaviour", "label"), ALL)
def test_every_label_has_text_and_verdict(behaviour: Behaviour, label: str, lang: str) -> None:
    text = m.label_text(behaviour, label, lang)
    assert text.strip() and len(text) <= 40
    v = m.verdict(behaviour, label)
    assert v in m.VERDICTS
    assert (v == "unknown") == (label == UNKNOWN)
    cue = m.cue_text(behaviour, label, lang)
    if v in ("good", "bad"):
        # Every fault gets a coaching cue and every good label an acknowledgement, in both languages.
        assert cue is not None and cue.strip()
    if label == UNKNOWN:
        assert cue is None
        assert text == ("Ukjent" if lang == "no" else "Unknown")
    if cue is not None:
        assert len(cue) <= 140, "a cue must be short enough to read in a few seconds"


@pytest.mark.parametrize(
    ("behaviour", "label", "expected"),
    [
        (Behaviour.EYE_CONTACT, EyeContact.LENS, "good"),
        (Behaviour.EYE_CONTACT, EyeContact.SCREEN, "neutral"),  # the guide accepts looking at the screen
        (Behaviour.EYE_CONTACT, EyeContact.AWAY, "bad"),
        (Behaviour.GAZE_STYLE, GazeStyle.WARM, "good"),
        (Behaviour.GAZE_STYLE, GazeStyle.CONCENTRATED, "good"),
        (Behaviour.GAZE_STYLE, GazeStyle.WANDERING, "bad"),
        (Behaviour.GAZE_STYLE, GazeStyle.DEFIANT, "bad"),
        (Behaviour.SMILE, SmileType.WARM, "good"),
        (Behaviour.SMILE, SmileType.OPEN, "good"),
        (Behaviour.SMILE, SmileType.FORCED, "bad"),
        (Behaviour.SMILE, SmileType.ONE_SIDED, "bad"),
        (Behaviour.SMILE, SmileType.NONE, "neutral"),
        (Behaviour.ARMS, ArmsPose.HIDDEN, "bad"),
        (Behaviour.ARMS, ArmsPose.CROSSED_CHEST, "bad"),
        (Behaviour.ARMS, ArmsPose.CROSSED_TABLE, "bad"),
        (Behaviour.ARMS, ArmsPose.EXTENDED, "good"),
        (Behaviour.HANDS, "open", "good"),
        (Behaviour.HANDS, "together", "good"),
        (Behaviour.PALM, "palm", "good"),
        (Behaviour.HEAD, "propped", "bad"),
        (Behaviour.HEAD, "turned", "bad"),
        (Behaviour.HEAD, "upright", "good"),
        (Behaviour.POSTURE, "slumped", "bad"),
        (Behaviour.POSTURE, "upright", "good"),
        ("arms", "crossed_chest", "bad"),  # plain strings work too (stored sessions)
        (Behaviour.ARMS, "renamed_in_a_future_version", "unknown"),
    ],
)
def test_verdicts_follow_the_guide(behaviour: Behaviour | str, label: str, expected: str) -> None:
    assert m.verdict(behaviour, label) == expected


@pytest.mark.parametrize(
    ("behaviour", "label", "lang", "text"),
    [
        (Behaviour.ARMS, ArmsPose.CROSSED_CHEST, "no", "Armer krysset på brystkassen"),
        (Behaviour.ARMS, ArmsPose.CROSSED_TABLE, "no", "Armene krysset på bordet"),
        (Behaviour.ARMS, ArmsPose.EXTENDED, "no", "Armene litt utstrakt på benken"),
        (Behaviour.ARMS, ArmsPose.HIDDEN, "no", "Skjulte armer"),
        (Behaviour.GAZE_STYLE, GazeStyle.WANDERING, "no", "Flakkende blikk"),
        (Behaviour.GAZE_STYLE, GazeStyle.DEFIANT, "no", "Trassig blikk"),
        (Behaviour.GAZE_STYLE, GazeStyle.CONCENTRATED, "no", "Konsentrert blikk"),
        (Behaviour.SMILE, SmileType.WARM, "no", "Varmt smil"),
        (Behaviour.SMILE, SmileType.OPEN, "no", "Åpent smil"),
        (Behaviour.SMILE, SmileType.FORCED, "no", "Tvungent smil"),
        (Behaviour.HEAD, "propped", "no", "Hodestøttet"),
        (Behaviour.HEAD, "turned", "no", "Hodet vendt"),
        (Behaviour.HEAD, "upright", "no", "Hode oppreist"),
        (Behaviour.ARMS, ArmsPose.CROSSED_CHEST, "en", "Arms crossed on the chest"),
    ],
)
def test_label_text_uses_the_guides_words(behaviour: Behaviour, label: str, lang: str, text: str) -> None:
    assert m.label_text(behaviour, label, lang) == text


def test_example_cues() -> None:
    assert m.cue_text(Behaviour.ARMS, ArmsPose.CROSSED_CHEST) == (
        "Armene er krysset på brystkassen — det kan virke avvisende. Prøv å legge dem lett på disken."
    )
    assert m.cue_text(Behaviour.EYE_CONTACT, EyeContact.LENS) == "Fin øyekontakt."
    assert m.cue_text(Behaviour.EYE_CONTACT, EyeContact.LENS, "en") == "Good eye contact."
    assert m.cue_text(Behaviour.ARMS, ArmsPose.DOWN) is None  # neutral, nothing to coach


# Words that would state a feeling or a trait of the trainee (EU AI Act art. 5(1)(f)): cues describe
# what is seen and how the guide says it can come across, never what the trainee feels or is.
_FORBIDDEN = [
    r"\bdu er (sint|trist|lei|sliten|nervøs|usikker|glad|uinteressert|arrogant|stresset)",
    r"\bdu virker\b",
    r"\bdu ser (sint|trist|lei|sliten|nervøs|glad|ut)",
    r"\bdu føler\b",
    r"\byou (are|look|seem|feel) (angry|sad|bored|tired|nervous|anxious|happy|uninterested|arrogant)",
    r"\byou feel\b",
    r"\byou seem\b",
]


@pytest.mark.parametrize("lang", m.LANGS)
def test_cues_describe_behaviour_not_emotions(lang: str) -> None:
    texts = [m.cue_text(b, lab, lang) for b, lab in ALL] + [m.label_text(b, lab, lang) for b, lab in ALL]
    for t in filter(None, texts):
        for pat in _FORBIDDEN:
            assert not re.search(pat, t.lower()), f"{t!r} matches {pat!r}"


def test_norwegian_is_the_default_and_differs_from_english() -> None:
    differs = sum(m.label_text(b, lab) != m.label_text(b, lab, "en") for b, lab in ALL)
    assert differs >= len(ALL) - 2
    assert m.behaviour_text(Behaviour.EYE_CONTACT) == "Øyekontakt"
    assert m.verdict_text("bad", "no") == "Kan forbedres"


@pytest.mark.parametrize(
    "call",
    [
        lambda: m.label_text(Behaviour.ARMS, "down", "de"),
        lambda: m.cue_text(Behaviour.ARMS, "down", "sv"),
        lambda: m.label_text("legs", "down"),
        lambda: m.verdict("legs", "down"),
        lambda: m.verdict_text("great"),
    ],
)
def test_bad_input_raises_one_line_value_error(call: object) -> None:
    with pytest.raises(ValueError) as e:
        call()  # type: ignore[operator]
    assert "\n" not in str(e.value) and "but got" in str(e.value)


def test_docs_table_is_current() -> None:
    from pathlib import Path

    doc = Path(__file__).resolve().parents[1] / "docs" / "feedback.md"
    if not doc.exists():
        pytest.skip(f"{doc} not found")
    assert m.markdown_table() in doc.read_text(encoding="utf-8"), "run python -m bodycoach.feedback.messages"
