"""Rehearsal structure from the guide: customer types, encounter phases and what each phase checks.

Pure data (no cv2, mediapipe or streamlit). Norwegian texts are the guide's own words
(``seeds/kundeservice-ansikt-til-ansikt.txt``: the customer-type table and "4 faser";
``seeds/kundetjeneste-telefon-epost.txt``: "Ulike faser ved telefonservice"); English is a translation.
Where the seed table itself is in English (the rude customer's description) the Norwegian is ours.

Phase ids are stable ASCII keys (``"reception"``, ``"problem_solving"``, ...) used by the apps, the store
and the report; Norwegian names such as ``"mottak"`` are accepted as aliases by ``get_phase``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final, Literal

from bodycoach.feedback.messages import Verdict, check_lang, verdict
from bodycoach.types import Behaviour, EyeContact, GazeStyle, SmileType

Mode = Literal["face_to_face", "telephone"]
MODES: Final[tuple[str, ...]] = ("face_to_face", "telephone")


@dataclass(frozen=True)
class Text:
    """A text in Norwegian and English."""

    no: str
    en: str

    def get(self, lang: str = "no") -> str:
        """Return the text in ``lang`` (``"no"`` or ``"en"``)."""
        return self.no if check_lang(lang) == "no" else self.en


@dataclass(frozen=True)
class Lines:
    """Bullet lines in Norwegian and English (same count and order)."""

    no: tuple[str, ...]
    en: tuple[str, ...]

    def __post_init__(self) -> None:
        if len(self.no) != len(self.en):
            raise ValueError(
                f"Lines must have as many English as Norwegian lines, got {len(self.no)} and {len(self.en)}"
            )

    def get(self, lang: str = "no") -> tuple[str, ...]:
        """Return the lines in ``lang``."""
        return self.no if check_lang(lang) == "no" else self.en


@dataclass(frozen=True)
class CustomerType:
    """One customer type of the guide's table, for a rehearsal scenario card.

    Attributes:
        key: Stable id (``"objective"``, ``"friendly"``, ``"rude"``, ``"shy"``, ``"pretentious"``,
            ``"indecisive"``).
        name: The guide's name ("Objektiv", ...).
        description: "Beskrivelse" column.
        normal_contact: "Normal kontakt" column.
        difficult_contact: "Vanskelig kontakt" column.
    """

    key: str
    name: Text
    description: Lines
    normal_contact: Lines
    difficult_contact: Lines


@dataclass(frozen=True)
class Phase:
    """One phase of the encounter and what bodycoach checks during it.

    Attributes:
        key: Stable id.
        mode: ``"face_to_face"`` or ``"telephone"``.
        order: 1-based position in the encounter.
        name: The guide's name ("Mottak", ...).
        description: The guide's advice for the phase (short).
        checks: Behaviours coached in this phase (faults of others are shown with lower priority).
        expected: Neutral (behaviour, label) pairs that count as faults in this phase, e.g. no smile
            during the reception ("smile og være imøtekommende").
        aliases: Other accepted ids (Norwegian names).
    """

    key: str
    mode: Mode
    order: int
    name: Text
    description: Text
    checks: frozenset[Behaviour]
    expected: frozenset[tuple[Behaviour, str]] = frozenset()
    aliases: tuple[str, ...] = ()


def _lines(*pairs: tuple[str, str]) -> Lines:
    return Lines(no=tuple(p[0] for p in pairs), en=tuple(p[1] for p in pairs))


CUSTOMER_TYPES: Final[tuple[CustomerType, ...]] = (
    CustomerType(
        key="objective",
        name=Text("Objektiv", "Objective"),
        description=_lines(
            ("Bruker få ord", "Uses few words"),
            ("Fokusert", "Focused"),
            ("Gir nøyaktige data", "Gives precise data"),
            ("Vet hva de vil ha", "Knows what they want"),
        ),
        normal_contact=_lines(("Nøyaktige og velformulerte spørsmål", "Precise, well-phrased questions")),
        difficult_contact=_lines(
            ("La dem snakke", "Let them talk"),
            ("Gi nøyaktige svar og raske løsning", "Give precise answers and a quick solution"),
            ("Gi tydelig idé om aktivitet", "Give a clear idea of what is being done"),
        ),
    ),
    CustomerType(
        key="friendly",
        name=Text("Vennlig", "Friendly"),
        description=_lines(
            ("Snakker mye", "Talks a lot"),
            ("Smiler", "Smiles"),
            ("Vennlig", "Friendly"),
            ("Godtar løsninger", "Accepts solutions"),
        ),
        normal_contact=_lines(
            (
                "Riktige spørsmål bringer dem tilbake til emnet",
                "The right questions bring them back to the topic",
            ),
        ),
        difficult_contact=_lines(
            ("Oppretthold initiativet", "Keep the initiative"),
            ("Gi informasjonen raskt", "Give the information quickly"),
            ("Unngå å falle inn i samtaleemnet ditt", "Avoid drifting into your own topics"),
        ),
    ),
    CustomerType(
        key="rude",
        name=Text("Uhøflig", "Rude"),
        description=_lines(
            ("Roper", "Shouts"),
            ("Krever fra begynnelsen, med dårlige manerer", "Demands from the beginning with bad manners"),
        ),
        normal_contact=_lines(
            ("La dem lufte", "Let them vent"),
            ("Ro deg ned", "Calm down"),
            ("Vis kontrasten ved å være hyggelig", "Show the contrast by being pleasant"),
            ("Vær hensynsfull, snakk med vennlighet", "Be considerate, speak kindly"),
        ),
        difficult_contact=_lines(
            ("Få dem til å tenke etter", "Get them to think it over"),
            ("Be dem om å roe seg ned", "Ask them to calm down"),
            ("Forklar målet ditt", "Explain your goal"),
            ("Tilby ekstra fordeler", "Offer extra benefits"),
            ("Press dem til å godta løsningen", "Press them to accept the solution"),
            ("Gi navnet til overordnet hvis det er forespurt", "Give your superior's name if asked"),
        ),
    ),
    CustomerType(
        key="shy",
        name=Text("Sjenert", "Shy"),
        description=_lines(
            ("Stille", "Quiet"),
            ("Utrygg", "Insecure"),
            ("Snakker ikke eller gjør det med lav stemme", "Does not talk, or talks in a low voice"),
        ),
        normal_contact=_lines(
            ("Mange spørsmål", "Many questions"),
            ("Tydelig", "Clear"),
            ("Lukket", "Closed questions"),
        ),
        difficult_contact=_lines(
            ("La ingenting være opp til dem", "Leave nothing up to them"),
            ("Gi presise forklaringer", "Give precise explanations"),
            ("Formidle sikkerhet og tålmodighet", "Convey confidence and patience"),
        ),
    ),
    CustomerType(
        key="pretentious",
        name=Text("Pretensiøs", "Pretentious"),
        description=_lines(
            ("Vet alt", "Knows everything"),
            ("Slutter ikke å snakke", "Does not stop talking"),
            ("Godtar ikke forklaringer", "Does not accept explanations"),
            ("Pålegger kriteriene deres", "Imposes their own criteria"),
        ),
        normal_contact=_lines(
            ("La dem snakke og ikke motsi dem", "Let them talk and do not contradict them"),
            ("Lat som om løsningen kommer fra dem", "Let the solution seem to come from them"),
        ),
        difficult_contact=_lines(
            ("Få dem til å tenke etter", "Get them to think it over"),
            ("Spesifiser målet eller alternativet", "Specify the goal or the alternative"),
            ("Gi dem det som er mulig", "Give them what is possible"),
            ("Press dem til å godta løsningen", "Press them to accept the solution"),
        ),
    ),
    CustomerType(
        key="indecisive",
        name=Text("Ubesluttsom", "Indecisive"),
        description=_lines(
            ("Skjønner ikke hva de skal gjøre", "Does not understand what to do"),
            ("Utrygg", "Insecure"),
            ("Forvirret", "Confused"),
        ),
        normal_contact=_lines(
            ("Oppdag målet", "Find out the goal"),
            ("Gi kortfattet og tydelig informasjon", "Give brief, clear information"),
        ),
        difficult_contact=_lines(
            ("La ingenting være opp til dem", "Leave nothing up to them"),
            ("Gi nøyaktige forklaringer (ikke detaljrike)", "Give precise (not detailed) explanations"),
            ("Formidle sikkerhet og tålmodighet", "Convey confidence and patience"),
        ),
    ),
)

_FACE_ALL: Final = frozenset(b for b in Behaviour if b is not Behaviour.POSTURE)
_EYES_SMILE: Final = frozenset({Behaviour.EYE_CONTACT, Behaviour.GAZE_STYLE, Behaviour.SMILE, Behaviour.HEAD})
# Listening posture: head upright (not propped or turned), no crossed or hidden arms, hands visible;
# eye contact still counts but looking at the screen is fine (neutral) while solving the problem.
_LISTENING: Final = frozenset(
    {
        Behaviour.EYE_CONTACT,
        Behaviour.GAZE_STYLE,
        Behaviour.ARMS,
        Behaviour.HANDS,
        Behaviour.PALM,
        Behaviour.HEAD,
    }
)
_PHONE: Final = frozenset({Behaviour.POSTURE, Behaviour.SMILE})
# "smile og være imøtekommende", "tiltal dem med navn, si hei og smil": in these phases not smiling and
# looking at the screen instead of the customer are faults.
_WELCOME_EXPECTED: Final = frozenset(
    {
        (Behaviour.SMILE, str(SmileType.NONE)),
        (Behaviour.EYE_CONTACT, str(EyeContact.SCREEN)),
        (Behaviour.GAZE_STYLE, str(GazeStyle.SCREEN)),
    }
)
# "Det er viktig å smile, selv om ingen er til stede."
_PHONE_EXPECTED: Final = frozenset({(Behaviour.SMILE, str(SmileType.NONE))})

PHASES: Final[tuple[Phase, ...]] = (
    Phase(
        key="reception",
        mode="face_to_face",
        order=1,
        name=Text("Mottak", "Reception"),
        description=Text(
            "Det er viktig å skape et tillitsklima; rask tilbakemelding, si hei, presentere deg selv, smile "
            "og være imøtekommende.",
            "Build a climate of trust: respond quickly, say hello, introduce yourself, smile and be "
            "welcoming.",
        ),
        checks=_EYES_SMILE,
        expected=_WELCOME_EXPECTED,
        aliases=("mottak",),
    ),
    Phase(
        key="problem_solving",
        mode="face_to_face",
        order=2,
        name=Text("Raskt løse problem", "Solve the problem quickly"),
        description=Text(
            "For dette må du lytte, spørre, være løsningsorientert og personanpasse løsningene til kunden.",
            "Listen, ask, be solution-oriented and tailor the solutions to the customer.",
        ),
        checks=_LISTENING,
        aliases=("raskt_lose_problem", "raskt løse problem", "problem"),
    ),
    Phase(
        key="confirmation",
        mode="face_to_face",
        order=3,
        name=Text("Bekreftelse", "Confirmation"),
        description=Text(
            "Tydelig informasjon; informere interne og eksterne kunder og kolleger.",
            "Clear information; inform internal and external customers and colleagues.",
        ),
        checks=_LISTENING | {Behaviour.SMILE},
        aliases=("bekreftelse",),
    ),
    Phase(
        key="farewell",
        mode="face_to_face",
        order=4,
        name=Text("Å si farvel", "Farewell"),
        description=Text(
            "Det er viktig å være tilgjengelig selv når kunden reiser; tiltal dem med navn, si hei og smil.",
            "Stay available even as the customer leaves; address them by name, say goodbye and smile.",
        ),
        checks=_EYES_SMILE,
        expected=_WELCOME_EXPECTED,
        aliases=("si_farvel", "å si farvel", "farvel"),
    ),
    Phase(
        key="before_call",
        mode="telephone",
        order=1,
        name=Text("Før samtalen", "Before the call"),
        description=Text(
            "Ha svarene på de hyppigste spørsmålene klare, og penn og papir tilgjengelig.",
            "Have the answers to the most frequent questions ready, and pen and paper at hand.",
        ),
        checks=frozenset({Behaviour.POSTURE}),
        aliases=("for_samtalen", "før samtalen"),
    ),
    Phase(
        key="reception",
        mode="telephone",
        order=2,
        name=Text("Mottak", "Reception"),
        description=Text(
            "Svar raskt. Det er viktig å smile, selv om ingen er til stede. Fortell hvem du er.",
            "Answer quickly. Smile, even though nobody is there. Say who you are.",
        ),
        checks=_PHONE,
        expected=_PHONE_EXPECTED,
        aliases=("mottak",),
    ),
    Phase(
        key="action",
        mode="telephone",
        order=3,
        name=Text("Handling", "Action"),
        description=Text(
            "Svar på forespørsler, koble samtalen videre, svar på klager, samle informasjon.",
            "Answer requests, transfer the call, answer complaints, gather information.",
        ),
        checks=_PHONE,
        aliases=("handling",),
    ),
    Phase(
        key="closing",
        mode="telephone",
        order=4,
        name=Text("Avslutning og farvel", "Closing and goodbye"),
        description=Text(
            "Kort oppsummering, takk for samtalen, si farvel med navn, la kunden legge på.",
            "Short summary, thank the caller, say goodbye by name, let the customer hang up.",
        ),
        checks=_PHONE,
        expected=_PHONE_EXPECTED,
        aliases=("avslutning", "avslutning og farvel"),
    ),
    Phase(
        key="after_call",
        mode="telephone",
        order=5,
        name=Text("Etter samtalen", "After the call"),
        description=Text(
            "Det som ble avtalt i løpet av samtalen må utføres raskt.",
            "Carry out what was agreed during the call quickly.",
        ),
        checks=frozenset({Behaviour.POSTURE}),
        aliases=("etter_samtalen", "etter samtalen"),
    ),
)

_BY_KEY: Final[Mapping[tuple[str, str], Phase]] = MappingProxyType(
    {(p.mode, k): p for p in PHASES for k in (p.key, *p.aliases)}
)
_CUSTOMERS: Final[Mapping[str, CustomerType]] = MappingProxyType(
    {k: c for c in CUSTOMER_TYPES for k in (c.key, c.name.no.lower())}
)


def _check_mode(mode: str) -> Mode:
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, but got {mode!r}")
    return "telephone" if mode == "telephone" else "face_to_face"


def phases(mode: str = "face_to_face") -> tuple[Phase, ...]:
    """Return the phases of ``mode`` in encounter order.

    Raises:
        ValueError: Unknown mode.
    """
    m = _check_mode(mode)
    return tuple(p for p in PHASES if p.mode == m)


def get_phase(phase: str, mode: str = "face_to_face") -> Phase:
    """Return the phase ``phase`` (id or Norwegian alias, case-insensitive) of ``mode``.

    Raises:
        ValueError: Unknown phase or mode (names the allowed ids).
    """
    m = _check_mode(mode)
    p = _BY_KEY.get((m, phase.strip().lower()))
    if p is None:
        # A face-to-face id in telephone mode would silently check the wrong things: refuse it.
        raise ValueError(
            f"phase must be one of {[q.key for q in phases(m)]} for mode {m!r}, but got {phase!r}"
        )
    return p


def get_customer_type(key: str) -> CustomerType:
    """Return the customer type ``key`` (id or Norwegian name, case-insensitive).

    Raises:
        ValueError: Unknown customer type.
    """
    c = _CUSTOMERS.get(key.strip().lower())
    if c is None:
        raise ValueError(f"customer type must be one of {[x.key for x in CUSTOMER_TYPES]}, but got {key!r}")
    return c


def phase_key(phase: str | None, mode: str = "face_to_face") -> str | None:
    """Return the canonical id of ``phase`` (aliases resolved), or None for no phase (None or "").

    Raises:
        ValueError: Unknown phase or mode.
    """
    if phase is None or not phase.strip():
        _check_mode(mode)
        return None
    return get_phase(phase, mode).key


def checks_for(phase: str | None, mode: str = "face_to_face") -> frozenset[Behaviour]:
    """Return the behaviours coached in ``phase`` of ``mode``.

    ``phase=None`` or ``""`` (free practice) checks everything visible in the mode: every area except posture face
    to face; posture and smile on the telephone.

    Raises:
        ValueError: Unknown phase or mode.
    """
    m = _check_mode(mode)
    if phase is None or not phase.strip():
        return _FACE_ALL if m == "face_to_face" else _PHONE
    return get_phase(phase, m).checks


def phase_verdict(
    behaviour: Behaviour | str, label: str, phase: str | None = None, mode: str = "face_to_face"
) -> Verdict:
    """Return the verdict on ``label`` during ``phase``: the guide's, stricter where the phase expects more.

    Example: no smile is ``"neutral"`` in general but ``"bad"`` during the reception and the farewell.

    Raises:
        ValueError: Unknown behaviour, phase or mode.
    """
    v = verdict(behaviour, label)
    if phase and phase.strip() and v == "neutral":
        if (Behaviour(behaviour), str(label)) in get_phase(phase, mode).expected:
            return "bad"
    return v
