"""Display names, coaching cues and verdicts for every behaviour label, in the guide's own words.

Pure data and lookups (no cv2, mediapipe or streamlit). Norwegian (``"no"``) is the default language and
uses the wording of the training guide (``/work/shared/seeds/kundeservice-ansikt-til-ansikt.txt``,
section "3. Kroppsspråk"); English (``"en"``) is a translation.

Every text describes what the camera can see ("armene er krysset på brystkassen") and, where the guide
says so, how that can come across to the customer. No text ever states an emotion or a character trait
of the trainee.

Verdicts follow the guide's table (``GUIDE.md``): ``"good"`` (what the guide calls ideal or positive),
``"bad"`` (what the guide advises against), ``"neutral"`` (accepted or not judged by the guide, e.g.
looking at the work screen) and ``"unknown"`` (no evidence).
"""

from __future__ import annotations

from typing import Final, Literal

from bodycoach.types import (
    LABELS,
    OUT_OF_VIEW,
    ArmsPose,
    Behaviour,
    EyeContact,
    GazeStyle,
    HandsPose,
    HeadPose,
    PalmSide,
    Posture,
    SmileType,
    View,
)

Lang = Literal["no", "en"]
Verdict = Literal["good", "bad", "neutral", "unknown"]

LANGS: Final[tuple[str, ...]] = ("no", "en")
VERDICTS: Final[tuple[str, ...]] = ("good", "bad", "neutral", "unknown")

_U = "unknown"

# (behaviour, label) -> verdict. Every label of every enum in ``bodycoach.types.LABELS`` appears here
# (tests/test_messages.py enforces it).
_VERDICT: Final[dict[tuple[Behaviour, str], Verdict]] = {
    # Øyekontakt: "Når det ikke er øyekontakt, brytes kommunikasjonen"; looking at the screen is accepted.
    (Behaviour.EYE_CONTACT, EyeContact.LENS): "good",
    (Behaviour.EYE_CONTACT, EyeContact.SCREEN): "neutral",
    (Behaviour.EYE_CONTACT, EyeContact.AWAY): "bad",
    (Behaviour.EYE_CONTACT, EyeContact.UNKNOWN): "unknown",
    (Behaviour.GAZE_STYLE, GazeStyle.WARM): "good",
    (Behaviour.GAZE_STYLE, GazeStyle.CONCENTRATED): "good",
    (Behaviour.GAZE_STYLE, GazeStyle.WANDERING): "bad",
    (Behaviour.GAZE_STYLE, GazeStyle.DEFIANT): "bad",
    (Behaviour.GAZE_STYLE, GazeStyle.SCREEN): "neutral",
    (Behaviour.GAZE_STYLE, GazeStyle.AWAY): "bad",
    (Behaviour.GAZE_STYLE, GazeStyle.UNKNOWN): "unknown",
    # Smil: not smiling is not a fault by itself; the phases that expect a smile make it one
    # (see ``scenarios.phase_verdict``).
    (Behaviour.SMILE, SmileType.NONE): "neutral",
    (Behaviour.SMILE, SmileType.WARM): "good",
    (Behaviour.SMILE, SmileType.OPEN): "good",
    (Behaviour.SMILE, SmileType.FORCED): "bad",
    (Behaviour.SMILE, SmileType.ONE_SIDED): "bad",
    (Behaviour.SMILE, SmileType.UNKNOWN): "unknown",
    # Armene.
    (Behaviour.ARMS, ArmsPose.HIDDEN): "bad",
    (Behaviour.ARMS, ArmsPose.CROSSED_CHEST): "bad",
    (Behaviour.ARMS, ArmsPose.CROSSED_TABLE): "bad",
    (Behaviour.ARMS, ArmsPose.EXTENDED): "good",
    (Behaviour.ARMS, ArmsPose.DOWN): "neutral",
    (Behaviour.ARMS, ArmsPose.OTHER): "neutral",
    (Behaviour.ARMS, ArmsPose.UNKNOWN): "unknown",
    # Hendene: "litt åpne eller samlet" is the ideal.
    (Behaviour.HANDS, HandsPose.OPEN): "good",
    (Behaviour.HANDS, HandsPose.TOGETHER): "good",
    (Behaviour.HANDS, HandsPose.NOT_VISIBLE): "neutral",
    (Behaviour.HANDS, HandsPose.UNKNOWN): "unknown",
    # "det er alltid bedre å vise håndflaten enn ryggen": a preference, not a fault, so the back is neutral
    # (with a gentle tip) rather than bad.
    (Behaviour.PALM, PalmSide.PALM): "good",
    (Behaviour.PALM, PalmSide.BACK): "neutral",
    (Behaviour.PALM, PalmSide.NOT_VISIBLE): "neutral",
    (Behaviour.PALM, PalmSide.UNKNOWN): "unknown",
    # Hodet.
    (Behaviour.HEAD, HeadPose.UPRIGHT): "good",
    (Behaviour.HEAD, HeadPose.PROPPED): "bad",
    (Behaviour.HEAD, HeadPose.TURNED): "bad",
    (Behaviour.HEAD, HeadPose.UNKNOWN): "unknown",
    # Telefon: "Hold kroppen i god posisjon, vær avslappet". Leaning is not judged by the guide.
    (Behaviour.POSTURE, Posture.UPRIGHT): "good",
    (Behaviour.POSTURE, Posture.SLUMPED): "bad",
    (Behaviour.POSTURE, Posture.LEANING): "neutral",
    (Behaviour.POSTURE, Posture.UNKNOWN): "unknown",
    # "Ikke i bildet": the camera does not reach the area. Never a fault, never cued, never scored.
    (Behaviour.ARMS, ArmsPose.OUT_OF_VIEW): "neutral",
    (Behaviour.HANDS, HandsPose.OUT_OF_VIEW): "neutral",
    (Behaviour.PALM, PalmSide.OUT_OF_VIEW): "neutral",
    (Behaviour.POSTURE, Posture.OUT_OF_VIEW): "neutral",
}

# Area names (badge titles, table headers).
_BEHAVIOUR_TEXT: Final[dict[Behaviour, tuple[str, str]]] = {
    Behaviour.EYE_CONTACT: ("Øyekontakt", "Eye contact"),
    Behaviour.GAZE_STYLE: ("Blikk", "Look"),
    Behaviour.SMILE: ("Smil", "Smile"),
    Behaviour.ARMS: ("Armene", "Arms"),
    Behaviour.HANDS: ("Hendene", "Hands"),
    Behaviour.PALM: ("Håndflaten", "Palm"),
    Behaviour.HEAD: ("Hodet", "Head"),
    Behaviour.POSTURE: ("Kroppsholdning", "Posture"),
}

_UNKNOWN_TEXT: Final[tuple[str, str]] = ("Ukjent", "Unknown")

# (behaviour, label) -> (Norwegian, English) short display names.
_LABEL_TEXT: Final[dict[tuple[Behaviour, str], tuple[str, str]]] = {
    (Behaviour.EYE_CONTACT, EyeContact.LENS): ("Øyekontakt", "Eye contact"),
    (Behaviour.EYE_CONTACT, EyeContact.SCREEN): ("Ser på skjermen", "Looking at the screen"),
    (Behaviour.EYE_CONTACT, EyeContact.AWAY): ("Ingen øyekontakt", "No eye contact"),
    (Behaviour.GAZE_STYLE, GazeStyle.WARM): ("Varmt og direkte blikk", "Warm, direct look"),
    (Behaviour.GAZE_STYLE, GazeStyle.CONCENTRATED): ("Konsentrert blikk", "Concentrated look"),
    (Behaviour.GAZE_STYLE, GazeStyle.WANDERING): ("Flakkende blikk", "Wandering look"),
    (Behaviour.GAZE_STYLE, GazeStyle.DEFIANT): ("Trassig blikk", "Defiant look"),
    (Behaviour.GAZE_STYLE, GazeStyle.SCREEN): ("Ser på skjermen", "Looking at the screen"),
    (Behaviour.GAZE_STYLE, GazeStyle.AWAY): ("Ingen øyekontakt", "No eye contact"),
    (Behaviour.SMILE, SmileType.NONE): ("Ikke smil", "No smile"),
    (Behaviour.SMILE, SmileType.WARM): ("Varmt smil", "Warm smile"),
    (Behaviour.SMILE, SmileType.OPEN): ("Åpent smil", "Open smile"),
    (Behaviour.SMILE, SmileType.FORCED): ("Tvungent smil", "Forced smile"),
    (Behaviour.SMILE, SmileType.ONE_SIDED): ("Trassig smil (ensidig)", "Defiant smile (one-sided)"),
    (Behaviour.ARMS, ArmsPose.HIDDEN): ("Skjulte armer", "Hidden arms"),
    (Behaviour.ARMS, ArmsPose.CROSSED_CHEST): ("Armer krysset på brystkassen", "Arms crossed on the chest"),
    (Behaviour.ARMS, ArmsPose.CROSSED_TABLE): ("Armene krysset på bordet", "Arms crossed on the table"),
    (Behaviour.ARMS, ArmsPose.EXTENDED): (
        "Armene litt utstrakt på benken",
        "Arms slightly extended on the counter",
    ),
    (Behaviour.ARMS, ArmsPose.DOWN): ("Armene ned", "Arms down"),
    (Behaviour.ARMS, ArmsPose.OTHER): ("Annen armstilling", "Other arm position"),
    (Behaviour.HANDS, HandsPose.OPEN): ("Hendene litt åpne", "Hands slightly open"),
    (Behaviour.HANDS, HandsPose.TOGETHER): ("Hendene samlet", "Hands together"),
    (Behaviour.HANDS, HandsPose.NOT_VISIBLE): ("Hendene ikke synlige", "Hands not visible"),
    (Behaviour.PALM, PalmSide.PALM): ("Viser håndflaten", "Palm shown"),
    (Behaviour.PALM, PalmSide.BACK): ("Viser håndryggen", "Back of the hand shown"),
    (Behaviour.PALM, PalmSide.NOT_VISIBLE): ("Hånden ikke synlig", "Hand not visible"),
    (Behaviour.HEAD, HeadPose.UPRIGHT): ("Hode oppreist", "Head upright"),
    (Behaviour.HEAD, HeadPose.PROPPED): ("Hodestøttet", "Head propped on a hand"),
    (Behaviour.HEAD, HeadPose.TURNED): ("Hodet vendt", "Head turned away"),
    (Behaviour.POSTURE, Posture.UPRIGHT): ("God kroppsholdning", "Good posture"),
    (Behaviour.POSTURE, Posture.SLUMPED): ("Sammensunket", "Slumped"),
    (Behaviour.POSTURE, Posture.LEANING): ("Lener seg", "Leaning"),
    (Behaviour.ARMS, ArmsPose.OUT_OF_VIEW): ("Ikke i bildet", "Not in view"),
    (Behaviour.HANDS, HandsPose.OUT_OF_VIEW): ("Ikke i bildet", "Not in view"),
    (Behaviour.PALM, PalmSide.OUT_OF_VIEW): ("Ikke i bildet", "Not in view"),
    (Behaviour.POSTURE, Posture.OUT_OF_VIEW): ("Ikke i bildet", "Not in view"),
}

# What the camera can see (``bodycoach.types.View``): short names for a badge or a summary line.
_VIEW_TEXT: Final[dict[str, tuple[str, str]]] = {
    View.NONE: ("Ingen i bildet", "Nobody in view"),
    View.FACE: ("Bare ansiktet", "Face only"),
    View.HEAD_SHOULDERS: ("Hode og skuldre", "Head and shoulders"),
    View.COUNTER: ("Overkropp til disken", "Upper body to the counter"),
    View.MORE: ("Hele overkroppen", "Whole upper body"),
    View.UNKNOWN: ("Ukjent", "Unknown"),
}

# (behaviour, label) -> (Norwegian, English) cue. Faults: what is seen, what the guide says it can convey
# to the customer, and one concrete thing to try. Good labels: a short acknowledgement. A neutral label has
# a cue only when some phase expects something else (e.g. "Husk å smile" during the reception).
_CUE_TEXT: Final[dict[tuple[Behaviour, str], tuple[str, str]]] = {
    (Behaviour.EYE_CONTACT, EyeContact.LENS): ("Fin øyekontakt.", "Good eye contact."),
    (Behaviour.EYE_CONTACT, EyeContact.SCREEN): (
        "Blikket er på skjermen — se kunden i øynene når du hilser og snakker.",
        "Your eyes are on the screen — look the customer in the eyes when you greet and talk.",
    ),
    (Behaviour.EYE_CONTACT, EyeContact.AWAY): (
        "Blikket er borte fra kunden — uten øyekontakt brytes kommunikasjonen. Se kunden i øynene.",
        "Your eyes are away from the customer — without eye contact communication breaks. "
        "Look the customer in the eyes.",
    ),
    (Behaviour.GAZE_STYLE, GazeStyle.WARM): ("Varmt og direkte blikk — fint.", "Warm, direct look — good."),
    (Behaviour.GAZE_STYLE, GazeStyle.CONCENTRATED): (
        "Konsentrert blikk — det viser kunden at du lytter.",
        "Concentrated look — it shows the customer that you are listening.",
    ),
    (Behaviour.GAZE_STYLE, GazeStyle.WANDERING): (
        "Blikket flakker — la det hvile rolig på kunden.",
        "Your gaze keeps moving — let it rest calmly on the customer.",
    ),
    (Behaviour.GAZE_STYLE, GazeStyle.DEFIANT): (
        "Fast blikk uten smil kan oppleves som trassig — myk opp blikket og smil litt.",
        "A fixed look without a smile can come across as defiant — soften your look and smile a little.",
    ),
    (Behaviour.GAZE_STYLE, GazeStyle.SCREEN): (
        "Blikket er på skjermen — se kunden i øynene når du hilser og snakker.",
        "Your eyes are on the screen — look the customer in the eyes when you greet and talk.",
    ),
    (Behaviour.GAZE_STYLE, GazeStyle.AWAY): (
        "Blikket er borte fra kunden — se kunden i øynene.",
        "Your eyes are away from the customer — look the customer in the eyes.",
    ),
    (Behaviour.SMILE, SmileType.NONE): (
        "Husk å smile — et lite, varmt smil virker imøtekommende.",
        "Remember to smile — a small, warm smile is welcoming.",
    ),
    (Behaviour.SMILE, SmileType.WARM): ("Varmt smil — fint.", "Warm smile — good."),
    (Behaviour.SMILE, SmileType.OPEN): (
        "Åpent smil — det forsterker samarbeidsstilen.",
        "Open smile — it strengthens the cooperative style.",
    ),
    (Behaviour.SMILE, SmileType.FORCED): (
        "Smilet løfter ikke kinnene — et lite, varmt smil virker bedre enn et tvungent.",
        "The smile does not lift the cheeks — a small, warm smile works better than a forced one.",
    ),
    (Behaviour.SMILE, SmileType.ONE_SIDED): (
        "Smilet er skjevt, bare én munnvik løftes — det kan oppfattes som nedsettende. Prøv et jevnt, "
        "varmt smil.",
        "The smile is one-sided — it can come across as condescending. Try an even, warm smile.",
    ),
    (Behaviour.ARMS, ArmsPose.HIDDEN): (
        "Armene er skjult — det kan skape avstand. Legg hendene synlig på disken.",
        "Your arms are hidden — it can create distance. Rest your hands visibly on the counter.",
    ),
    (Behaviour.ARMS, ArmsPose.CROSSED_CHEST): (
        "Armene er krysset på brystkassen — det kan virke avvisende. Prøv å legge dem lett på disken.",
        "Your arms are crossed on the chest — it can seem defensive. Try resting them lightly on the "
        "counter.",
    ),
    (Behaviour.ARMS, ArmsPose.CROSSED_TABLE): (
        "Armene er krysset på bordet — det kan formidle at det ikke er noe å gjøre. Strekk dem litt ut på "
        "benken.",
        "Your arms are crossed on the table — it can signal that there is nothing to do. Extend them "
        "slightly on the counter.",
    ),
    (Behaviour.ARMS, ArmsPose.EXTENDED): (
        "Armene litt utstrakt på benken — det er det ideelle.",
        "Arms slightly extended on the counter — that is the ideal.",
    ),
    (Behaviour.HANDS, HandsPose.OPEN): ("Hendene er litt åpne — fint.", "Hands slightly open — good."),
    (Behaviour.HANDS, HandsPose.TOGETHER): ("Hendene er samlet — fint.", "Hands together — good."),
    (Behaviour.HANDS, HandsPose.NOT_VISIBLE): (
        "Hendene er ikke synlige — la dem gjerne hvile synlig på disken.",
        "Your hands are not visible — let them rest visibly on the counter.",
    ),
    (Behaviour.PALM, PalmSide.PALM): (
        "Du viser håndflaten — det er alltid bedre enn ryggen.",
        "You show your palm — that is always better than the back of the hand.",
    ),
    (Behaviour.PALM, PalmSide.BACK): (
        "Håndryggen vender mot kunden — vis heller håndflaten.",
        "The back of your hand faces the customer — show your palm instead.",
    ),
    (Behaviour.HEAD, HeadPose.UPRIGHT): (
        "Hodet er oppreist — da ser du direkte på kunden.",
        "Head upright — that lets you look straight at the customer.",
    ),
    (Behaviour.HEAD, HeadPose.PROPPED): (
        "Hodet hviler på hånden — det kan formidle uinteresse. Løft hodet og se på kunden.",
        "Your head rests on your hand — it can signal a lack of interest. Lift your head and face the "
        "customer.",
    ),
    (Behaviour.HEAD, HeadPose.TURNED): (
        "Hodet er vendt bort — det kan virke rutinepreget. Vend ansiktet mot kunden.",
        "Your head is turned away — it can come across as routine. Turn your face to the customer.",
    ),
    (Behaviour.POSTURE, Posture.UPRIGHT): (
        "God kroppsholdning — det høres i stemmen.",
        "Good posture — it shows in your voice.",
    ),
    (Behaviour.POSTURE, Posture.SLUMPED): (
        "Overkroppen synker sammen — hold kroppen i god posisjon og vær avslappet. Det høres i stemmen.",
        "Your upper body is slumped — keep your body in a good position and relaxed. It shows in your voice.",
    ),
    (Behaviour.POSTURE, Posture.LEANING): (
        "Du lener deg — hold kroppen i god posisjon og vær avslappet.",
        "You are leaning — keep your body in a good position and relaxed.",
    ),
}

_VERDICT_TEXT: Final[dict[str, tuple[str, str]]] = {
    "good": ("Bra", "Good"),
    "bad": ("Kan forbedres", "Can improve"),
    "neutral": ("Nøytral", "Neutral"),
    "unknown": ("Ukjent", "Unknown"),
}


def check_lang(lang: str) -> Lang:
    """Return ``lang`` when it is supported.

    Raises:
        ValueError: ``lang`` is not one of ``LANGS``.
    """
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {LANGS}, but got {lang!r}")
    return "no" if lang == "no" else "en"


def _pick(pair: tuple[str, str], lang: str) -> str:
    return pair[0] if check_lang(lang) == "no" else pair[1]


def _key(behaviour: Behaviour | str, label: str) -> tuple[Behaviour, str]:
    try:
        b = Behaviour(behaviour)
    except ValueError:
        raise ValueError(
            f"behaviour must be one of {[str(x) for x in Behaviour]}, but got {behaviour!r}"
        ) from None
    return b, str(label)


def is_known_label(behaviour: Behaviour | str, label: str) -> bool:
    """Whether ``label`` is a label of ``behaviour``'s enum (``unknown`` included)."""
    b, lab = _key(behaviour, label)
    return lab in {str(x) for x in LABELS[b]}


def behaviour_text(behaviour: Behaviour | str, lang: str = "no") -> str:
    """Return the area's short name (e.g. "Øyekontakt").

    Raises:
        ValueError: Unknown behaviour or language.
    """
    b, _ = _key(behaviour, _U)
    return _pick(_BEHAVIOUR_TEXT[b], lang)


def label_text(behaviour: Behaviour | str, label: str, lang: str = "no") -> str:
    """Return the short display name of ``label`` (e.g. "Armer krysset på brystkassen").

    ``unknown`` and labels the enum does not know give "Ukjent" / "Unknown" (an older stored session
    may carry a label that was renamed since; it must still display).

    Raises:
        ValueError: Unknown behaviour or language.
    """
    k = _key(behaviour, label)
    return _pick(_LABEL_TEXT.get(k, _UNKNOWN_TEXT), lang)


def share_heading(behaviour: Behaviour | str, labels: tuple[str, ...] | list[str], lang: str = "no") -> str:
    """Heading for the share of ``labels`` of ``behaviour`` (a table column, a chart axis).

    The label names alone when they already name the area ("Øyekontakt", "Varmt smil / Åpent smil"),
    never "Øyekontakt: Øyekontakt"; otherwise "Area: label, label".

    Raises:
        ValueError: Unknown behaviour or language.
    """
    area = behaviour_text(behaviour, lang)
    names = [label_text(behaviour, lab, lang) for lab in labels]
    stem = area.lower()[:4]
    if names and all(stem in n.lower() for n in names):
        return " / ".join(names)
    return f"{area}: " + ", ".join(n[:1].lower() + n[1:] for n in names)


def cue_text(behaviour: Behaviour | str, label: str, lang: str = "no") -> str | None:
    """Return one short, kind coaching cue (fault) or acknowledgement (good), or None.

    None for ``unknown`` and for neutral labels that no phase turns into a fault (e.g. arms down).

    Raises:
        ValueError: Unknown behaviour or language.
    """
    k = _key(behaviour, label)
    check_lang(lang)
    pair = _CUE_TEXT.get(k)
    return None if pair is None else _pick(pair, lang)


# Why a scorecard item is not graded (``ScoreItem.reason``), per item key where the wording depends on it.
_OUT_OF_VIEW_NOTE: Final[dict[str, tuple[str, str]]] = {
    "arms": ("ikke vurdert: armene var ikke i bildet", "not judged: the arms were not in view"),
    "hands": ("ikke vurdert: hendene var ikke i bildet", "not judged: the hands were not in view"),
    "posture": ("ikke vurdert: overkroppen var ikke i bildet", "not judged: the upper body was not in view"),
}
_SCORE_NOTE: Final[dict[str, tuple[str, str]]] = {
    "not_measured": ("ikke målt", "not measured"),
    "out_of_view": ("ikke vurdert: ikke i bildet", "not judged: not in view"),
    "not_practised": ("ikke øvd", "not practised"),
    "no_phases": ("ikke vurdert: opptaket har ingen faser", "not judged: the recording has no phases"),
}
SCORE_REASONS: Final[tuple[str, ...]] = tuple(_SCORE_NOTE)


def score_note(key: str, reason: str, lang: str = "no") -> str:
    """Why scorecard item ``key`` is not graded, e.g. "ikke øvd", "ikke vurdert: armene var ikke i bildet".

    Raises:
        ValueError: ``reason`` is not one of ``SCORE_REASONS`` or the language is unknown.
    """
    if reason not in _SCORE_NOTE:
        raise ValueError(f"reason must be one of {SCORE_REASONS}, but got {reason!r}")
    if reason == "out_of_view" and key in _OUT_OF_VIEW_NOTE:
        return _pick(_OUT_OF_VIEW_NOTE[key], lang)
    return _pick(_SCORE_NOTE[reason], lang)


def view_text(view: str, lang: str = "no") -> str:
    """Return the short name of a camera view (``bodycoach.types.View`` value), e.g. "Hode og skuldre".

    Unrecognised values give "Ukjent" / "Unknown".

    Raises:
        ValueError: Unknown language.
    """
    return _pick(_VIEW_TEXT.get(str(view), _UNKNOWN_TEXT), lang)


def is_out_of_view(label: str) -> bool:
    """Whether ``label`` is ``out_of_view`` (shown neutrally as "ikke i bildet", never scored)."""
    return str(label) == OUT_OF_VIEW


def verdict(behaviour: Behaviour | str, label: str) -> Verdict:
    """Return the guide's verdict on ``label``: ``"good"``, ``"bad"``, ``"neutral"`` or ``"unknown"``.

    Labels the enum does not know are ``"unknown"``.

    Raises:
        ValueError: Unknown behaviour.
    """
    return _VERDICT.get(_key(behaviour, label), "unknown")


def verdict_text(v: str, lang: str = "no") -> str:
    """Return the display name of a verdict ("Bra", "Kan forbedres", ...).

    Raises:
        ValueError: ``v`` is not one of ``VERDICTS`` or the language is unknown.
    """
    if v not in _VERDICT_TEXT:
        raise ValueError(f"verdict must be one of {VERDICTS}, but got {v!r}")
    return _pick(_VERDICT_TEXT[v], lang)


def all_keys() -> list[tuple[Behaviour, str]]:
    """Return every (behaviour, label) pair of ``bodycoach.types.LABELS`` in enum order."""
    return [(b, str(lab)) for b, enum in LABELS.items() for lab in enum]


def markdown_table() -> str:
    """Return every label with its verdict and texts in both languages as a Markdown table (for docs)."""
    rows = ["| area | label | verdict | Norsk | English |", "|---|---|---|---|---|"]
    for b, lab in all_keys():
        if lab == _U:
            continue
        no = label_text(b, lab, "no")
        en = label_text(b, lab, "en")
        cue_no, cue_en = cue_text(b, lab, "no"), cue_text(b, lab, "en")
        if cue_no:
            no += f": {cue_no}"
        if cue_en:
            en += f": {cue_en}"
        rows.append(f"| {b} | {lab} | {verdict(b, lab)} | {no} | {en} |")
    return "\n".join(rows)


if __name__ == "__main__":
    print(markdown_table())
