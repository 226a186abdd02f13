"""What every surface shows for a set of stable states: one function, so no two surfaces disagree.

Pure logic (no cv2, mediapipe or streamlit). The overlay badges, the live page's "Nå" table, the kiosk, the
review page's state display and the cue shown beside them all go through :func:`present_states` and
:func:`present_cue`. They read the *stable* states (``FrameResult.states``), never the per-frame labels, so
a badge and a table row cannot say different things about the same moment.

Rules that keep the screen free of contradictions:

* Only the areas the mode coaches are shown: face to face every area but posture; on the telephone posture
  and smile (nobody sees the arms on the phone).
* The gaze style (the guide's kinds of look) is shown only while the eyes are on the customer
  (eye contact ``lens``), and only as a kind of look: its ``screen`` / ``away`` labels would repeat the
  eye-contact row in other words ("Øyekontakt" beside "Ingen øyekontakt").
* The palm row appears only while a hand shows a side (palm or back).
* A body part out of the picture (``out_of_view``) is drawn neutrally as "ikke i bildet" / "not in view",
  never as a fault and never cued.
* A cue is shown only while the state it talks about still holds in an area on screen (a "tvungent smil"
  cue is never beside "Åpent smil ✓").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from bodycoach.feedback.messages import behaviour_text, check_lang, label_text, verdict
from bodycoach.feedback.scenarios import checks_for, phase_verdict
from bodycoach.types import OUT_OF_VIEW, UNKNOWN, Behaviour, EyeContact, GazeStyle, PalmSide

__all__ = ["OUT_OF_VIEW", "Shown", "areas_for_mode", "mode_of_phase", "present_cue", "present_states"]

_OUT_TEXT: Final[tuple[str, str]] = ("Ikke i bildet", "Not in view")

# Display order: the guide's areas as a customer meets them, posture (telephone) last.
_ORDER: Final[tuple[Behaviour, ...]] = (
    Behaviour.POSTURE,
    Behaviour.EYE_CONTACT,
    Behaviour.GAZE_STYLE,
    Behaviour.SMILE,
    Behaviour.ARMS,
    Behaviour.HANDS,
    Behaviour.PALM,
    Behaviour.HEAD,
)
_LOOKS: Final[frozenset[str]] = frozenset(
    {str(GazeStyle.WARM), str(GazeStyle.CONCENTRATED), str(GazeStyle.WANDERING), str(GazeStyle.DEFIANT)}
)
_PALM_SHOWN: Final[frozenset[str]] = frozenset({str(PalmSide.PALM), str(PalmSide.BACK)})


@dataclass(frozen=True)
class Shown:
    """One area as a surface shows it.

    Attributes:
        behaviour: The area.
        label: Its stable label (``unknown``, ``out_of_view`` or a label of the area's enum).
        area: The area's name ("Armene").
        text: The label's name ("Skjulte armer", "Ikke i bildet", "Ukjent").
        verdict: ``"good"``, ``"bad"``, ``"neutral"`` or ``"unknown"`` for the current phase.
    """

    behaviour: Behaviour
    label: str
    area: str
    text: str
    verdict: str

    @property
    def in_view(self) -> bool:
        """Whether the picture shows the area."""
        return self.label != OUT_OF_VIEW

    @property
    def known(self) -> bool:
        """Whether the area has a settled label it was judged on."""
        return self.label not in (UNKNOWN, OUT_OF_VIEW)

    @property
    def badge(self) -> str:
        """One-line badge text: a known label names its area already; otherwise "Area: text"."""
        return self.text if self.known else f"{self.area}: {self.text.lower()}"


def areas_for_mode(mode: str) -> tuple[Behaviour, ...]:
    """The areas a surface may show in ``mode`` (those the mode coaches), in display order.

    Raises:
        ValueError: unknown mode.
    """
    coached = checks_for(None, mode)
    return tuple(b for b in _ORDER if b in coached)


def mode_of_phase(phase: str | None) -> str:
    """The mode a stored phase id belongs to (``"telephone"`` for the telephone-only phases, else face to face).

    A stored session carries phase ids, not its mode; ``reception`` exists in both and reads as face to face.
    """
    from bodycoach.feedback.scenarios import phases

    if phase and phase not in {p.key for p in phases("face_to_face")} and phase in {p.key for p in phases("telephone")}:
        return "telephone"
    return "face_to_face"


def _verdict(b: Behaviour, label: str, phase: str | None, mode: str) -> str:
    if label == OUT_OF_VIEW:
        return "neutral"
    try:
        return str(phase_verdict(b, label, phase, mode))
    except ValueError:  # a phase of another mode or an older version: the guide's plain verdict
        return str(verdict(b, label))


def present_states(
    states: Mapping[Any, str], mode: str = "face_to_face", lang: str = "no", phase: str | None = None
) -> tuple[Shown, ...]:
    """Return the rows to show for ``states`` (stable label per area), in display order.

    Args:
        states: Stable label per area (``FrameResult.states``, a stored frame's states); keys are
            ``Behaviour`` members or their string values; missing areas count as ``unknown``.
        mode: ``"face_to_face"`` or ``"telephone"``.
        lang: ``"no"`` or ``"en"``.
        phase: Current phase id (verdicts are the phase's: no smile is a fault in the reception), or None.

    Raises:
        ValueError: unknown mode or language.
    """
    lg = check_lang(lang)
    st = {str(k): str(v) for k, v in states.items()}
    out: list[Shown] = []
    for b in areas_for_mode(mode):
        lab = st.get(str(b), UNKNOWN)
        if b is Behaviour.GAZE_STYLE and (lab not in _LOOKS or st.get(str(Behaviour.EYE_CONTACT)) != EyeContact.LENS):
            continue
        if b is Behaviour.PALM and lab not in _PALM_SHOWN:
            continue
        text = _OUT_TEXT[0 if lg == "no" else 1] if lab == OUT_OF_VIEW else label_text(b, lab, lg)
        out.append(Shown(b, lab, behaviour_text(b, lg), text, _verdict(b, lab, phase, mode)))
    return tuple(out)


def present_cue(cue: Any, states: Mapping[Any, str], mode: str = "face_to_face") -> Any | None:
    """Return ``cue`` when it may be shown beside ``states``, else None.

    A cue (``bodycoach.feedback.cues.Cue``: ``behaviour``, ``label``) stays on screen a few seconds after
    its state ended so it can be read; beside the new state it would contradict the badges, so it goes.
    A cue about an area the mode does not show, or about the gaze style while the eyes are not on the
    customer, goes too.

    Raises:
        ValueError: unknown mode.
    """
    if cue is None:
        return None
    b_raw, label = getattr(cue, "behaviour", None), getattr(cue, "label", None)
    if b_raw is None or label is None:
        return cue  # a plain text cue (tests, messages): nothing to compare
    try:
        b = Behaviour(b_raw)
    except ValueError:
        return None
    if str(label) in (UNKNOWN, OUT_OF_VIEW):
        return None
    st = {str(k): str(v) for k, v in states.items()}
    if st.get(str(b)) != str(label):
        return None
    shown = {r.behaviour for r in present_states(st, mode)}
    return cue if b in shown else None
