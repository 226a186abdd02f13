"""Session report: time shares of the stable states, smiles, events and a scorecard against the guide.

Pure logic (no cv2, mediapipe or streamlit). :class:`SessionRecorder` runs in the live loop: ``add`` does a
constant amount of work per frame (a few dict updates per area), whatever the session length. Everything
else is derived in :meth:`SessionRecorder.report` from per-label totals and the list of state segments
(one entry per state *change*, not per frame).

Time model: the stable states of a frame hold from its timestamp until the next frame's, but at most
``max_frame_gap_ms`` (``calibration/feedback.toml`` ``[report]``); the rest of a longer gap counts as
``unknown``. Shares are fractions of the *known* time of an area (``unknown`` excluded) unless stated.

Scorecard (what is visible on camera from the guide's "retningslinjer for utmerket kommunikasjon", plus the
body-language rules): ``smile`` (Smil), ``eye_contact`` (Se kunden i øynene), ``welcome`` (Gi en flott
mottakelse), ``close`` (Få til en god avslutt), ``arms``, ``hands``, ``head`` and, when measured,
``posture``. Each item carries its share of time and the moments (segments) that drove it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Final, Literal

from bodycoach.feedback.config import ReportConfig, default_feedback_config
from bodycoach.feedback.messages import check_lang, label_text, score_note, verdict
from bodycoach.feedback.scenarios import MODES, checks_for, get_phase, phase_key, phase_verdict
from bodycoach.types import (
    OUT_OF_VIEW,
    UNKNOWN,
    ArmsPose,
    Behaviour,
    EyeContact,
    FeedbackEvent,
    FrameResult,
    HandsPose,
    HeadPose,
    Posture,
    SmileType,
)

Status = Literal["good", "needs_work", "no_data"]
_BEHAVIOURS: Final[tuple[Behaviour, ...]] = tuple(Behaviour)
_SMILES: Final[tuple[str, ...]] = tuple(
    str(s) for s in (SmileType.WARM, SmileType.OPEN, SmileType.FORCED, SmileType.ONE_SIDED)
)
_GOOD_SMILES: Final = frozenset({str(SmileType.WARM), str(SmileType.OPEN)})
_BAD_SMILES: Final = frozenset({str(SmileType.FORCED), str(SmileType.ONE_SIDED)})

_RULE_BEHAVIOUR: Final[dict[str, Behaviour]] = {
    "arms": Behaviour.ARMS,
    "head": Behaviour.HEAD,
    "posture": Behaviour.POSTURE,
}

# Scorecard items whose area can be out of the picture.
_VIEW_AREAS: Final[dict[str, Behaviour]] = {
    "arms": Behaviour.ARMS,
    "hands": Behaviour.HANDS,
    "posture": Behaviour.POSTURE,
}

SCORE_TITLES: Final[dict[str, tuple[str, str]]] = {
    "smile": ("Smil", "Smile"),
    "eye_contact": ("Se kunden i øynene", "Look the customer in the eyes"),
    "welcome": ("Gi en flott mottakelse", "Give a great welcome"),
    "close": ("Få til en god avslutt", "Close well"),
    "arms": ("Armene", "Arms"),
    "hands": ("Hendene", "Hands"),
    "head": ("Hodet", "Head"),
    "posture": ("Kroppsholdning", "Posture"),
}


@dataclass(frozen=True)
class PhaseSpan:
    """A phase of the session from ``start_ms`` to ``end_ms``."""

    phase: str
    start_ms: int
    end_ms: int

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {"phase": self.phase, "start_ms": self.start_ms, "end_ms": self.end_ms}


@dataclass(frozen=True)
class Segment:
    """A stretch of one stable, known label of one area (split at phase changes and frame gaps)."""

    behaviour: Behaviour
    label: str
    start_ms: int
    end_ms: int
    phase: str | None = None

    @property
    def duration_ms(self) -> int:
        """Length in milliseconds."""
        return self.end_ms - self.start_ms

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {
            "behaviour": str(self.behaviour),
            "label": self.label,
            "start_ms": self.start_ms,
            "end_ms": self.end_ms,
            "phase": self.phase,
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Segment:
        """Inverse of :meth:`to_dict`."""
        return cls(
            Behaviour(d["behaviour"]),
            str(d["label"]),
            int(d["start_ms"]),
            int(d["end_ms"]),
            None if d.get("phase") is None else str(d["phase"]),
        )


@dataclass(frozen=True)
class Moment:
    """A moment that drove a scorecard item: a segment with the guide's verdict on it."""

    behaviour: Behaviour
    label: str
    start_ms: int
    end_ms: int
    verdict: str

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {
            "behaviour": str(self.behaviour),
            "label": self.label,
            "start_ms": self.start_ms,
            "end_ms": self.end_ms,
            "verdict": self.verdict,
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Moment:
        """Inverse of :meth:`to_dict`."""
        return cls(
            Behaviour(d["behaviour"]),
            str(d["label"]),
            int(d["start_ms"]),
            int(d["end_ms"]),
            str(d["verdict"]),
        )


@dataclass(frozen=True)
class ScoreItem:
    """One line of the scorecard.

    Attributes:
        key: ``smile``, ``eye_contact``, ``welcome``, ``close``, ``arms``, ``hands``, ``head``, ``posture``.
        status: ``"good"``, ``"needs_work"`` or ``"no_data"``.
        share: Share of the measured time in what the guide asks for (0..1), None without data.
        bad_share: Share of the measured time in what the guide advises against (0..1), None without data.
        target: The share ``share`` is held against (or the maximum ``bad_share`` for body rules).
        known_ms: Measured time the shares are fractions of.
        good_ms: Time in what the guide asks for.
        bad_ms: Time in what the guide advises against.
        moments: The moments that show the verdict (the longest ones, in time order): good moments for
            ``good``, the faults or shortfalls for ``needs_work``; none for ``no_data``.
        window: (start_ms, end_ms) spans the item looked at (welcome and close), else empty.
        reason: Why a ``no_data`` item is not graded: ``not_measured``, ``out_of_view`` (the area was not
            in the picture), ``not_practised`` (the phase did not happen) or ``no_phases`` (a recording
            without phase marks); None for graded items.
    """

    key: str
    status: Status
    share: float | None
    bad_share: float | None
    target: float
    known_ms: int
    good_ms: int
    bad_ms: int
    moments: tuple[Moment, ...] = ()
    window: tuple[tuple[int, int], ...] = ()
    reason: str | None = None

    def title(self, lang: str = "no") -> str:
        """The guide's words for this item."""
        t = SCORE_TITLES.get(self.key, (self.key, self.key))
        return t[0] if check_lang(lang) == "no" else t[1]

    def note(self, lang: str = "no") -> str | None:
        """Why the item is not graded, in ``lang`` ("ikke øvd", "ikke vurdert: armene var ikke i bildet"),
        or None for a graded item."""
        if self.status != "no_data":
            return None
        return score_note(self.key, self.reason or "not_measured", lang)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {
            "key": self.key,
            "title_no": self.title("no"),
            "title_en": self.title("en"),
            "status": self.status,
            "share": self.share,
            "bad_share": self.bad_share,
            "target": self.target,
            "known_ms": self.known_ms,
            "good_ms": self.good_ms,
            "bad_ms": self.bad_ms,
            "moments": [m.to_dict() for m in self.moments],
            "window": [list(w) for w in self.window],
            "reason": self.reason,
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> ScoreItem:
        """Inverse of :meth:`to_dict`."""
        status = str(d["status"])
        if status not in ("good", "needs_work", "no_data"):
            raise ValueError(f"scorecard status must be good, needs_work or no_data, but got {status!r}")
        return cls(
            key=str(d["key"]),
            status=status,  # type: ignore[arg-type]
            share=None if d.get("share") is None else float(d["share"]),
            bad_share=None if d.get("bad_share") is None else float(d["bad_share"]),
            target=float(d["target"]),
            known_ms=int(d["known_ms"]),
            good_ms=int(d["good_ms"]),
            bad_ms=int(d["bad_ms"]),
            moments=tuple(Moment.from_dict(m) for m in d.get("moments", ())),
            window=tuple((int(a), int(b)) for a, b in d.get("window", ())),
            reason=None if d.get("reason") is None else str(d["reason"]),
        )


def _ms_table(raw: Mapping[str, Mapping[str, Any]]) -> dict[str, dict[str, int]]:
    return {str(b): {str(lab): int(v) for lab, v in labs.items()} for b, labs in raw.items()}


# Stable states that are not a judgement of the trainee: no evidence, or the area is not in the picture.
NOT_JUDGED: Final = frozenset({UNKNOWN, OUT_OF_VIEW})


def judged_ms(labs: Mapping[str, int]) -> int:
    """Time of one area spent in a judged state (``unknown`` and ``out_of_view`` left out)."""
    return sum(v for lab, v in labs.items() if lab not in NOT_JUDGED)


def state_shares(time_ms: Mapping[str, Mapping[str, int]]) -> dict[str, dict[str, float]]:
    """THE state shares: per area, each judged stable state's share of the area's judged time.

    ``time_ms`` is milliseconds per area and stable state (``Report.time_ms``, built by
    :class:`SessionRecorder`'s time model). ``unknown`` (no evidence) and ``out_of_view`` (not in the
    picture) are left out of numerator and denominator; an area with no judged time is left out. Every
    surface (``bodycoach analyze``'s summary.json, the HTML report, the review page, the live and kiosk
    summary cards) gets its shares from here, through :meth:`Report.shares`.
    """
    out: dict[str, dict[str, float]] = {}
    for b, labs in time_ms.items():
        known = judged_ms(labs)
        if known > 0:
            out[str(b)] = {str(lab): v / known for lab, v in labs.items() if lab not in NOT_JUDGED}
    return out


def out_of_view_share(labs: Mapping[str, int]) -> float | None:
    """Share of an area's time with evidence (``unknown`` left out) that it was not in the picture."""
    seen = sum(v for lab, v in labs.items() if lab != UNKNOWN)
    return None if seen <= 0 else labs.get(OUT_OF_VIEW, 0) / seen


def recording_end_ms(timestamps_ms: Iterable[int]) -> int:
    """End of a recording analysed at ``timestamps_ms``: the last frame plus one median frame step.

    The same end for every caller that replays a recording (``analyze``'s summary, the stored session's
    report), so their shares agree to the millisecond.
    """
    ts = sorted(int(t) for t in timestamps_ms)
    if not ts:
        return 0
    if len(ts) < 2:
        return ts[-1] + 200
    steps = sorted(b - a for a, b in zip(ts, ts[1:], strict=False))
    n = len(steps)
    med = steps[n // 2] if n % 2 else (steps[n // 2 - 1] + steps[n // 2]) / 2
    return ts[-1] + max(1, int(med))


@dataclass(frozen=True)
class Report:
    """What happened in one session, ready for a summary card, the review page or an export.

    Attributes:
        mode: ``"face_to_face"`` or ``"telephone"``.
        scenario: Customer type id or None.
        start_ms: First frame time; ``end_ms``: end of the session (``finish`` time or last frame).
        phases: The phase spans in order.
        time_ms: Milliseconds per area and stable label (``unknown`` included), whole session.
        phase_time_ms: The same per phase id (time outside any phase is only in ``time_ms``).
        smiles: Number of smile episodes per smile type (warm, open, forced, one_sided).
        events: The temporal layer's events (closed at the end of the session).
        segments: State segments (known labels only), the basis of timelines and moments.
        scorecard: The scorecard items.
        view_ms: Milliseconds per stable camera view (``bodycoach.types.View`` values, ``unknown``
            included); empty when the frames carried no view (a session stored before views existed).
    """

    mode: str
    scenario: str | None
    start_ms: int
    end_ms: int
    phases: tuple[PhaseSpan, ...] = ()
    time_ms: Mapping[str, Mapping[str, int]] = field(default_factory=dict)
    phase_time_ms: Mapping[str, Mapping[str, Mapping[str, int]]] = field(default_factory=dict)
    smiles: Mapping[str, int] = field(default_factory=dict)
    events: tuple[FeedbackEvent, ...] = ()
    segments: tuple[Segment, ...] = ()
    scorecard: tuple[ScoreItem, ...] = ()
    view_ms: Mapping[str, int] = field(default_factory=dict)

    @property
    def duration_ms(self) -> int:
        """Session length in milliseconds."""
        return max(0, self.end_ms - self.start_ms)

    def _table(self, phase: str | None) -> Mapping[str, Mapping[str, int]]:
        return self.time_ms if phase is None else self.phase_time_ms.get(phase, {})

    def known_ms(self, behaviour: Behaviour | str, phase: str | None = None) -> int:
        """Time with a judged stable label of ``behaviour`` (``unknown`` and ``out_of_view`` left out)."""
        return judged_ms(self._table(phase).get(str(behaviour), {}))

    def share(self, behaviour: Behaviour | str, label: str, phase: str | None = None) -> float | None:
        """Share of the judged time of ``behaviour`` spent in ``label`` (None when nothing was judged)."""
        known = self.known_ms(behaviour, phase)
        if known <= 0 or str(label) in NOT_JUDGED:
            return None
        return self._table(phase).get(str(behaviour), {}).get(str(label), 0) / known

    def shares(self, phase: str | None = None) -> dict[str, dict[str, float]]:
        """All shares of judged time, per area and label (:func:`state_shares`)."""
        return state_shares(self._table(phase))

    def out_of_view_share(self, behaviour: Behaviour | str, phase: str | None = None) -> float | None:
        """Share of the time with evidence that ``behaviour`` was not in the picture (None without any)."""
        return out_of_view_share(self._table(phase).get(str(behaviour), {}))

    def view_shares(self) -> dict[str, float]:
        """Share of the time with a judged view (``unknown`` left out) per camera view."""
        known = sum(v for k, v in self.view_ms.items() if k != UNKNOWN)
        return {} if known <= 0 else {k: v / known for k, v in self.view_ms.items() if k != UNKNOWN}

    def item(self, key: str) -> ScoreItem | None:
        """The scorecard item ``key`` or None."""
        return next((i for i in self.scorecard if i.key == key), None)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict (``from_dict`` restores an equal report)."""
        return {
            "version": 1,
            "mode": self.mode,
            "scenario": self.scenario,
            "start_ms": self.start_ms,
            "end_ms": self.end_ms,
            "duration_ms": self.duration_ms,
            "phases": [p.to_dict() for p in self.phases],
            "time_ms": _ms_table(self.time_ms),
            "phase_time_ms": {ph: _ms_table(t) for ph, t in self.phase_time_ms.items()},
            "shares": {b: {lab: round(v, 4) for lab, v in labs.items()} for b, labs in self.shares().items()},
            "smiles": dict(self.smiles),
            # FeedbackEvent.to_dict rounds the score; keep it exact so that from_dict restores an equal report.
            "events": [{**e.to_dict(), "peak_score": float(e.peak_score)} for e in self.events],
            "segments": [s.to_dict() for s in self.segments],
            "scorecard": [i.to_dict() for i in self.scorecard],
            "view_ms": {str(k): int(v) for k, v in self.view_ms.items()},
            "view_shares": {k: round(v, 4) for k, v in self.view_shares().items()},
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Report:
        """Rebuild a report from :meth:`to_dict` output.

        Raises:
            ValueError: A required field is missing or has the wrong type (names the field).
        """
        try:
            return cls(
                mode=str(d["mode"]),
                scenario=None if d.get("scenario") is None else str(d["scenario"]),
                start_ms=int(d["start_ms"]),
                end_ms=int(d["end_ms"]),
                phases=tuple(
                    PhaseSpan(str(p["phase"]), int(p["start_ms"]), int(p["end_ms"])) for p in d.get("phases", ())
                ),
                time_ms=_ms_table(d.get("time_ms", {})),
                phase_time_ms={str(ph): _ms_table(t) for ph, t in d.get("phase_time_ms", {}).items()},
                smiles={str(k): int(v) for k, v in d.get("smiles", {}).items()},
                events=tuple(
                    FeedbackEvent(
                        Behaviour(e["behaviour"]),
                        str(e["label"]),
                        int(e["start_ms"]),
                        None if e.get("end_ms") is None else int(e["end_ms"]),
                        float(e.get("peak_score", 0.0)),
                    )
                    for e in d.get("events", ())
                ),
                segments=tuple(Segment.from_dict(s) for s in d.get("segments", ())),
                scorecard=tuple(ScoreItem.from_dict(i) for i in d.get("scorecard", ())),
                view_ms={str(k): int(v) for k, v in d.get("view_ms", {}).items()},
            )
        except KeyError as e:
            raise ValueError(f"report dict is missing field {e.args[0]!r}") from None
        except (TypeError, ValueError) as e:
            raise ValueError(f"report dict has a bad value: {e}") from None

    def summary_lines(self, lang: str = "no") -> list[str]:
        """Short lines for a summary card, in ``lang`` (observable behaviour only)."""
        return _summary_lines(self, check_lang(lang))


def _fmt_dur(ms: int) -> str:
    s = max(0, int(round(ms / 1000)))
    return f"{s // 60}:{s % 60:02d}"


def _pct(x: float | None) -> str:
    return "–" if x is None else f"{round(100 * x)} %"


def _summary_lines(r: Report, lang: Literal["no", "en"]) -> list[str]:
    no = lang == "no"
    lines = [("Varighet: " if no else "Duration: ") + _fmt_dur(r.duration_ms)]
    mark = {"good": "✓", "needs_work": "→", "no_data": "–"}
    for it in r.scorecard:
        head = f"{mark[it.status]} {it.title(lang)}: "
        if it.status == "no_data":
            lines.append(head + (it.note(lang) or ""))
            continue
        if it.key == "smile":
            body = (
                f"varmt eller åpent smil {_pct(it.share)} av tiden (mål ≥ {_pct(it.target)})"
                if no
                else f"warm or open smile {_pct(it.share)} of the time (target ≥ {_pct(it.target)})"
            )
        elif it.key == "eye_contact":
            body = (
                f"øyekontakt {_pct(it.share)} av tiden (mål ≥ {_pct(it.target)})"
                if no
                else f"eye contact {_pct(it.share)} of the time (target ≥ {_pct(it.target)})"
            )
        elif it.key in ("welcome", "close"):
            smile_s = round(it.good_ms / 1000)
            body = (
                f"øyekontakt {_pct(it.share)}, smil {smile_s} s"
                if no
                else f"eye contact {_pct(it.share)}, smile {smile_s} s"
            )
        elif it.key == "hands":
            body = (
                f"litt åpne eller samlet {_pct(it.share)} av tiden"
                if no
                else f"slightly open or together {_pct(it.share)} of the time"
            )
        else:
            b = _RULE_BEHAVIOUR.get(it.key)
            labs = r.time_ms.get(str(b), {}) if b is not None else {}
            bad = [(v, lab) for lab, v in labs.items() if b is not None and verdict(b, lab) == "bad" and v > 0]
            if bad and b is not None:
                lab = max(bad)[1]
                what = label_text(b, lab, lang).lower()
                share = _pct(labs[lab] / max(1, it.known_ms))
                if len(bad) == 1:
                    body = (
                        f"{what} {share} av tiden (maks {_pct(it.target)})"
                        if no
                        else f"{what} {share} of the time (max {_pct(it.target)})"
                    )
                else:
                    body = (
                        f"{what} {share} av tiden; alt guiden fraråder {_pct(it.bad_share)} (maks {_pct(it.target)})"
                        if no
                        else f"{what} {share} of the time; all the guide advises against "
                        f"{_pct(it.bad_share)} "
                        f"(max {_pct(it.target)})"
                    )
            else:
                body = "ingenting guiden fraråder" if no else "nothing the guide advises against"
        title = it.title(lang).lower()
        if body.lower().startswith(title + " "):  # "Hodet: hodet vendt" -> "Hodet: vendt"
            body = body[len(title) + 1:]
        area = _VIEW_AREAS.get(it.key)
        oov = None if area is None else r.out_of_view_share(area)
        if oov is not None and round(100 * oov) > 0:
            body += (f" (ikke i bildet {_pct(oov)} av tiden)" if no else f" (not in view {_pct(oov)} of the time)")
        lines.append(head + body)
    counts = [(lab, r.smiles.get(lab, 0)) for lab in _SMILES]
    if any(n for _, n in counts):
        parts = ", ".join(f"{label_text(Behaviour.SMILE, lab, lang).lower()} × {n}" for lab, n in counts if n)
        lines.append(("Smil: " if no else "Smiles: ") + parts)
    order: list[str] = []
    total: dict[str, int] = {}
    for p in r.phases:  # a phase visited twice gets one line with its total time
        if p.phase not in total:
            order.append(p.phase)
        total[p.phase] = total.get(p.phase, 0) + p.end_ms - p.start_ms
    for ph in order:
        lines.append(
            f"{_phase_name(ph, r.mode, lang)} ({_fmt_dur(total[ph])}): " + ", ".join(_phase_parts(r, ph, lang))
        )
    return lines


def _phase_name(phase: str, mode: str, lang: str) -> str:
    try:
        return get_phase(phase, mode).name.get(lang)
    except ValueError:
        return phase


def _phase_parts(r: Report, ph: str, lang: str) -> list[str]:
    """Eye contact (or posture on the phone), smile, and the phase's largest fault, as short phrases."""
    no = lang == "no"
    table = r.phase_time_ms.get(ph, {})
    sm_known = r.known_ms(Behaviour.SMILE, ph)
    sm = None if sm_known <= 0 else _sum(table.get(str(Behaviour.SMILE), {}), _GOOD_SMILES) / sm_known
    if r.mode == "telephone":
        first = ("god kroppsholdning " if no else "good posture ") + _pct(
            r.share(Behaviour.POSTURE, Posture.UPRIGHT, ph)
        )
        parts = [first]
    else:
        eye_t = table.get(str(Behaviour.EYE_CONTACT), {})
        lens, away, screen = (eye_t.get(str(x), 0) for x in (EyeContact.LENS, EyeContact.AWAY, EyeContact.SCREEN))
        screen_ok = phase_verdict(Behaviour.EYE_CONTACT, EyeContact.SCREEN, ph, r.mode) == "neutral"
        # Where the guide accepts the screen (solving the problem) it is left out of the eye-contact share
        # and shown on its own; in the welcome and the farewell it counts against eye contact.
        denom = lens + away + (0 if screen_ok else screen)
        parts = []
        if denom > 0 or not (screen_ok and screen > 0):
            parts.append(("øyekontakt " if no else "eye contact ") + _pct(lens / denom if denom > 0 else None))
        if screen_ok and screen > 0:
            parts.append(("skjerm " if no else "screen ") + _pct(screen / (lens + away + screen)))
    parts.append(("smil " if no else "smile ") + _pct(sm))
    try:
        checked = checks_for(ph, r.mode)
    except ValueError:
        return parts
    worst: tuple[float, Behaviour, str] | None = None
    for b in _BEHAVIOURS:  # enum order, so that ties resolve the same way in every process
        if b not in checked or b in (Behaviour.EYE_CONTACT, Behaviour.SMILE):
            continue  # already in the line
        known = r.known_ms(b, ph)
        for lab, ms in table.get(str(b), {}).items():
            if known > 0 and ms > 0 and lab not in NOT_JUDGED and phase_verdict(b, lab, ph, r.mode) == "bad":
                if worst is None or ms / known > worst[0]:
                    worst = (ms / known, b, lab)
    if worst is not None:
        parts.append(f"{label_text(worst[1], worst[2], lang).lower()} {_pct(worst[0])}")
    return parts


class SessionRecorder:
    """Accumulate one session's frame results into a :class:`Report`, O(1) work per frame.

    Args:
        lang: Default language of :meth:`Report.summary_lines` callers (kept for convenience).
        mode: ``"face_to_face"`` or ``"telephone"`` (which phase ids are valid).
        scenario: Customer type id, stored in the report.
        config: Report settings; default from ``calibration/feedback.toml``.
    """

    def __init__(
        self,
        lang: str = "no",
        *,
        mode: str = "face_to_face",
        scenario: str | None = None,
        config: ReportConfig | None = None,
    ) -> None:
        self.lang = check_lang(lang)
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, but got {mode!r}")
        self.mode = mode
        self.scenario = scenario
        self.config = config if config is not None else default_feedback_config().report
        self._start: int | None = None
        self._last_frame: int | None = None
        self._cursor: int | None = None
        self._end: int | None = None
        self._states: dict[Behaviour, str] = {}
        self._phase: str | None = None
        self._phase_start = 0
        self._spans: list[PhaseSpan] = []
        self._time: dict[str | None, dict[Behaviour, dict[str, int]]] = {}
        self._open_seg: dict[Behaviour, tuple[str, int]] = {}
        self._segments: list[Segment] = []
        self._smiles: dict[str, int] = {s: 0 for s in _SMILES}
        self._open_events: dict[tuple[Behaviour, str, int], FeedbackEvent] = {}
        self._events: list[FeedbackEvent] = []
        self._finished = False
        self._view = UNKNOWN
        self._view_ms: dict[str, int] = {}

    # ---- per frame -------------------------------------------------------------------------------------
    def _bucket(self, phase: str | None) -> dict[Behaviour, dict[str, int]]:
        t = self._time.get(phase)
        if t is None:
            t = {b: {} for b in _BEHAVIOURS}
            self._time[phase] = t
        return t

    def _advance(self, to: int) -> None:
        """Attribute [cursor, to) to the states in force, up to the frame-gap limit; the rest is unknown."""
        if self._cursor is None or self._last_frame is None or to <= self._cursor:
            return
        hold_end = min(to, self._last_frame + self.config.max_frame_gap_ms)
        known = max(0, hold_end - self._cursor)
        rest = (to - self._cursor) - known
        bucket = self._bucket(self._phase)
        if known:
            self._view_ms[self._view] = self._view_ms.get(self._view, 0) + known
        if rest:
            self._view_ms[UNKNOWN] = self._view_ms.get(UNKNOWN, 0) + rest
        for b in _BEHAVIOURS:
            labs = bucket[b]
            if known:
                lab = self._states.get(b, UNKNOWN)
                labs[lab] = labs.get(lab, 0) + known
            if rest:
                labs[UNKNOWN] = labs.get(UNKNOWN, 0) + rest
        self._cursor = to

    def _gap_to(self, ts: int) -> None:
        """Before moving to ``ts``: if it is beyond the frame-gap limit, end the held states at the limit."""
        if self._last_frame is not None and ts - self._last_frame > self.config.max_frame_gap_ms:
            limit = self._last_frame + self.config.max_frame_gap_ms
            self._advance(limit)
            self._close_segments(limit)

    def _close_segments(self, at: int) -> None:
        for b, (lab, start) in self._open_seg.items():
            if at > start:
                self._segments.append(Segment(b, lab, start, at, self._phase))
        self._open_seg.clear()

    def _check_ts(self, ts: int, what: str) -> None:
        if self._finished:
            raise ValueError(f"{what}: the session is finished (finish() was called), cannot add more")
        # The cursor is the latest time accounted for: the last frame, a phase change or the end.
        latest = max(t for t in (self._last_frame, self._cursor, -(2**62)) if t is not None)
        if ts < latest:
            raise ValueError(f"{what}: timestamp_ms must increase monotonically, but got {ts} after {latest}")

    def add(self, result: FrameResult, phase: str | None = None) -> None:
        """Record one frame. ``phase`` (when given and different) starts that phase at this frame.

        Raises:
            ValueError: Timestamp going backwards, an unknown phase, or the session is finished. Nothing
                already recorded is changed.
        """
        ts = int(result.timestamp_ms)
        self._check_ts(ts, "SessionRecorder.add")
        # Canonical id (aliases such as "mottak" map to "reception"); validated before anything changes.
        key = phase if phase is not None and phase == self._phase else phase_key(phase, self.mode)
        new: dict[Behaviour, str] = {Behaviour(b): str(lab) for b, lab in result.states.items()}
        if self._start is None:
            self._start = ts
            self._cursor = ts
            self._phase_start = ts
        else:
            self._gap_to(ts)
            self._advance(ts)
        if key is not None and key != self._phase:
            self._switch_phase(key, ts)
        for b in _BEHAVIOURS:
            lab = new.get(b, UNKNOWN)
            seg = self._open_seg.get(b)
            if seg is not None and seg[0] == lab:
                continue
            if seg is not None:
                if ts > seg[1]:
                    self._segments.append(Segment(b, seg[0], seg[1], ts, self._phase))
                del self._open_seg[b]
            if lab != UNKNOWN:
                self._open_seg[b] = (lab, ts)
            if b is Behaviour.SMILE and lab in self._smiles and self._states.get(b) != lab:
                self._smiles[lab] += 1
        self._states = new
        self._view = str(getattr(result, "view", UNKNOWN))
        self._last_frame = ts
        for e in result.started:
            self._open_events[(e.behaviour, e.label, e.start_ms)] = e
        for e in result.ended:
            self._open_events.pop((e.behaviour, e.label, e.start_ms), None)
            self._events.append(e)

    def _switch_phase(self, phase: str | None, ts: int) -> None:
        if self._phase is not None and ts > self._phase_start:
            self._spans.append(PhaseSpan(self._phase, self._phase_start, ts))
        # Split the open segments so that each segment belongs to one phase.
        reopen = dict(self._open_seg)
        self._close_segments(ts)
        self._open_seg = {b: (lab, ts) for b, (lab, _) in reopen.items()}
        self._phase = phase_key(phase, self.mode)
        self._phase_start = ts

    def set_phase(self, phase: str | None, ts_ms: int) -> None:
        """Start ``phase`` (None = no phase) at ``ts_ms`` (between frames is fine).

        Raises:
            ValueError: Unknown phase or a time before the last frame.
        """
        ts = int(ts_ms)
        self._check_ts(ts, "SessionRecorder.set_phase")
        phase = phase_key(phase, self.mode)  # validates; "" = no phase
        if self._start is None:
            self._phase = phase
            self._phase_start = ts
            return
        self._gap_to(ts)
        self._advance(ts)
        self._switch_phase(phase, ts)

    def finish(self, ts_ms: int | None = None) -> None:
        """End the session at ``ts_ms`` (default: the last frame); open events and segments are closed."""
        if self._finished:
            return
        end = self._last_frame if ts_ms is None else int(ts_ms)
        if end is None:
            self._finished = True
            self._end = None
            return
        self._check_ts(end, "SessionRecorder.finish")
        self._gap_to(end)
        self._advance(end)
        self._switch_phase(None, end)
        self._close_segments(end)
        for e in sorted(self._open_events.values(), key=lambda x: x.start_ms):
            self._events.append(FeedbackEvent(e.behaviour, e.label, e.start_ms, max(e.start_ms, end), e.peak_score))
        self._open_events.clear()
        self._end = end
        self._finished = True

    # ---- report ----------------------------------------------------------------------------------------
    def report(self) -> Report:
        """Build the report of everything recorded so far (works before ``finish`` too)."""
        if self._start is None:
            return Report(
                mode=self.mode,
                scenario=self.scenario,
                start_ms=0,
                end_ms=0,
                time_ms={str(b): {} for b in _BEHAVIOURS},
                smiles=dict(self._smiles),
                scorecard=tuple(ScoreItem(k, "no_data", None, None, 0.0, 0, 0, 0) for k in _score_keys(self.mode, {})),
            )
        end = self._end if self._end is not None else (self._cursor or self._start)
        spans = list(self._spans)
        segments = list(self._segments)
        if not self._finished:
            if self._phase is not None and end > self._phase_start:
                spans.append(PhaseSpan(self._phase, self._phase_start, end))
            for b, (lab, start) in self._open_seg.items():
                if end > start:
                    segments.append(Segment(b, lab, start, end, self._phase))
        segments.sort(key=lambda s: (s.start_ms, str(s.behaviour)))
        overall: dict[str, dict[str, int]] = {str(b): {} for b in _BEHAVIOURS}
        per_phase: dict[str, dict[str, dict[str, int]]] = {}
        for ph, table in self._time.items():
            for b, labs in table.items():
                dst = overall.setdefault(str(b), {})
                for lab, v in labs.items():
                    dst[lab] = dst.get(lab, 0) + v
                if ph is not None and labs:
                    per_phase.setdefault(ph, {})[str(b)] = dict(labs)
        events = list(self._events)
        if not self._finished:
            events += [
                FeedbackEvent(e.behaviour, e.label, e.start_ms, None, e.peak_score) for e in self._open_events.values()
            ]
        events.sort(key=lambda e: (e.start_ms, str(e.behaviour)))
        base = Report(
            mode=self.mode,
            scenario=self.scenario,
            start_ms=self._start,
            end_ms=end,
            phases=tuple(spans),
            time_ms=overall,
            phase_time_ms=per_phase,
            smiles=dict(self._smiles),
            events=tuple(events),
            segments=tuple(segments),
            view_ms=dict(self._view_ms),
        )
        return replace(base, scorecard=build_scorecard(base, self.config))


# ---- scorecard ---------------------------------------------------------------------------------------------
#
# Honest grading: an item is graded only on what was judged. ``no_data`` items carry a ``reason``:
# ``not_measured`` (no evidence), ``out_of_view`` (the area was not in the picture), ``not_practised`` (a
# phase-marked session that never reached the phase) or ``no_phases`` (a recording without phase marks:
# it is one encounter, so the welcome and the close cannot be told apart from the rest). Every graded item
# cites the moments that show its verdict (good moments for "good", the faults or shortfalls for
# "needs_work"), the longest ``moments_max`` of them, in time order.

_EYE_GOOD: Final = frozenset({str(EyeContact.LENS)})
_EYE_BAD: Final = frozenset({str(EyeContact.AWAY)})


def _score_keys(mode: str, time_ms: Mapping[str, Mapping[str, int]]) -> list[str]:
    # Posture is coached in telephone practice only (the guide's "Telefon" section); face to face the
    # counter and the customer matter, not the back.
    if mode == "telephone":
        return ["smile", "posture"]
    return ["smile", "eye_contact", "welcome", "close", "arms", "hands", "head"]


def _overlap(a0: int, a1: int, windows: Iterable[tuple[int, int]]) -> int:
    return sum(max(0, min(a1, w1) - max(a0, w0)) for w0, w1 in windows)


def _cite(pieces: Iterable[Moment], cfg: ReportConfig) -> tuple[Moment, ...]:
    """The longest ``moments_max`` pieces of at least ``min_moment_ms``, in time order."""
    ok = [m for m in pieces if m.end_ms - m.start_ms >= cfg.min_moment_ms]
    ok.sort(key=lambda m: (-(m.end_ms - m.start_ms), m.start_ms, str(m.behaviour)))
    return tuple(sorted(ok[: cfg.moments_max], key=lambda m: (m.start_ms, str(m.behaviour))))


def _moments(segs: Iterable[Segment], cfg: ReportConfig, labels: Iterable[str], status: Status,
             windows: tuple[tuple[int, int], ...] = ()) -> tuple[Moment, ...]:
    """Moments of ``segs`` whose label is one of ``labels`` (clipped to ``windows`` when given)."""
    want = {str(x) for x in labels}
    v = "good" if status == "good" else "bad"
    pieces: list[Moment] = []
    for s in segs:
        if s.label not in want:
            continue
        if windows:
            for w0, w1 in windows:
                a, b = max(s.start_ms, w0), min(s.end_ms, w1)
                if b > a:
                    pieces.append(Moment(s.behaviour, s.label, a, b, v))
        else:
            pieces.append(Moment(s.behaviour, s.label, s.start_ms, s.end_ms, v))
    return _cite(pieces, cfg)


def _sum(labs: Mapping[str, int], which: Iterable[str]) -> int:
    return sum(labs.get(str(x), 0) for x in which)


def _known(labs: Mapping[str, int]) -> int:
    return judged_ms(labs)


def _not_graded(key: str, target: float, labs: Mapping[str, int]) -> ScoreItem:
    reason = "out_of_view" if labs.get(OUT_OF_VIEW, 0) > 0 else "not_measured"
    return ScoreItem(key, "no_data", None, None, target, 0, 0, 0, reason=reason)


def _rule(key: str, r: Report, cfg: ReportConfig, b: Behaviour, good: Iterable[str], bad: Iterable[str]) -> ScoreItem:
    labs = r.time_ms.get(str(b), {})
    known = _known(labs)
    good, bad = [str(x) for x in good], [str(x) for x in bad]
    g, bd = _sum(labs, good), _sum(labs, bad)
    if known <= 0:
        return _not_graded(key, cfg.bad_max_share, labs)
    status: Status = "good" if bd / known <= cfg.bad_max_share else "needs_work"
    segs = [s for s in r.segments if s.behaviour is b]
    return ScoreItem(key, status, g / known, bd / known, cfg.bad_max_share, known, g, bd,
                     _moments(segs, cfg, good if status == "good" else bad, status))


def _window_item(key: str, r: Report, cfg: ReportConfig, phase: str) -> ScoreItem:
    if not r.phases:
        return ScoreItem(key, "no_data", None, None, cfg.eye_contact_target_share, 0, 0, 0, reason="no_phases")
    spans = tuple((p.start_ms, p.end_ms) for p in r.phases if p.phase == phase and p.end_ms > p.start_ms)
    if not spans:
        return ScoreItem(key, "no_data", None, None, cfg.eye_contact_target_share, 0, 0, 0,
                         reason="not_practised")
    eye: dict[str, int] = {}
    smile: dict[str, int] = {}
    rel: list[Segment] = []
    for s in r.segments:
        if s.behaviour in (Behaviour.EYE_CONTACT, Behaviour.SMILE):
            ov = _overlap(s.start_ms, s.end_ms, spans)
            if ov > 0:
                d = eye if s.behaviour is Behaviour.EYE_CONTACT else smile
                d[s.label] = d.get(s.label, 0) + ov
                rel.append(s)
    eye_known = _known(eye)
    smile_good = _sum(smile, _GOOD_SMILES)
    smile_bad = _sum(smile, _BAD_SMILES)
    if eye_known <= 0 and _known(smile) <= 0:
        return ScoreItem(key, "no_data", None, None, cfg.eye_contact_target_share, 0, 0, 0, window=spans,
                         reason="not_measured")
    # In the welcome and the close the guide asks for eye contact and a smile: the screen counts against.
    lens = eye.get(str(EyeContact.LENS), 0)
    share = lens / eye_known if eye_known > 0 else None
    bad_ms = eye_known - lens + smile_bad
    ok = (share is not None and share >= cfg.eye_contact_target_share) and smile_good >= cfg.smile_min_ms
    status: Status = "good" if ok else "needs_work"
    # Moments, judged as the phase judges them: for "good" the eye contact and the smiles, for
    # "needs_work" the looks away (or at the screen) and the stretches without a (real) smile.
    want = "good" if ok else "bad"
    labels = {s.label for s in rel if phase_verdict(s.behaviour, s.label, phase, r.mode) == want}
    moments = _moments(rel, cfg, labels, status, spans)
    return ScoreItem(key, status, share, None if share is None else 1 - share, cfg.eye_contact_target_share,
                     eye_known, smile_good, bad_ms, moments, spans)


def build_scorecard(r: Report, cfg: ReportConfig) -> tuple[ScoreItem, ...]:
    """Compute the scorecard of ``r`` with the thresholds of ``cfg``."""
    items: list[ScoreItem] = []
    for key in _score_keys(r.mode, r.time_ms):
        if key == "smile":
            labs = r.time_ms.get(str(Behaviour.SMILE), {})
            known = _known(labs)
            g, bd = _sum(labs, _GOOD_SMILES), _sum(labs, _BAD_SMILES)
            if known <= 0:
                items.append(_not_graded(key, cfg.smile_target_share, labs))
                continue
            ok = g / known >= cfg.smile_target_share and bd / known <= cfg.bad_max_share
            status: Status = "good" if ok else "needs_work"
            segs = [s for s in r.segments if s.behaviour is Behaviour.SMILE]
            cite = _GOOD_SMILES if ok else (
                _BAD_SMILES if bd / known > cfg.bad_max_share and g / known >= cfg.smile_target_share
                else _BAD_SMILES | {str(SmileType.NONE)})
            items.append(ScoreItem(key, status, g / known, bd / known, cfg.smile_target_share, known, g, bd,
                                   _moments(segs, cfg, cite, status)))
        elif key == "eye_contact":
            labs = r.time_ms.get(str(Behaviour.EYE_CONTACT), {})
            lens, away = labs.get(str(EyeContact.LENS), 0), labs.get(str(EyeContact.AWAY), 0)
            known = lens + away  # screen time is accepted by the guide: left out
            if known <= 0:
                items.append(_not_graded(key, cfg.eye_contact_target_share, labs))
                continue
            status = "good" if lens / known >= cfg.eye_contact_target_share else "needs_work"
            segs = [s for s in r.segments if s.behaviour is Behaviour.EYE_CONTACT]
            items.append(ScoreItem(key, status, lens / known, away / known, cfg.eye_contact_target_share, known,
                                   lens, away, _moments(segs, cfg, _EYE_GOOD if status == "good" else _EYE_BAD,
                                                        status)))
        elif key == "welcome":
            items.append(_window_item(key, r, cfg, "reception"))
        elif key == "close":
            items.append(_window_item(key, r, cfg, "farewell"))
        elif key == "arms":
            items.append(_rule(key, r, cfg, Behaviour.ARMS, [ArmsPose.EXTENDED],
                               [ArmsPose.HIDDEN, ArmsPose.CROSSED_CHEST, ArmsPose.CROSSED_TABLE]))
        elif key == "head":
            items.append(_rule(key, r, cfg, Behaviour.HEAD, [HeadPose.UPRIGHT], [HeadPose.PROPPED, HeadPose.TURNED]))
        elif key == "posture":
            items.append(_rule(key, r, cfg, Behaviour.POSTURE, [Posture.UPRIGHT], [Posture.SLUMPED]))
        elif key == "hands":
            labs = r.time_ms.get(str(Behaviour.HANDS), {})
            known = _known(labs)
            good = {str(HandsPose.OPEN), str(HandsPose.TOGETHER)}
            g = _sum(labs, good)
            if known <= 0:
                items.append(_not_graded(key, cfg.hands_target_share, labs))
                continue
            status = "good" if g / known >= cfg.hands_target_share else "needs_work"
            segs = [s for s in r.segments if s.behaviour is Behaviour.HANDS]
            cite = good if status == "good" else {lab for lab in labs if lab not in good and lab not in NOT_JUDGED}
            items.append(ScoreItem(key, status, g / known, None, cfg.hands_target_share, known, g, 0,
                                   _moments(segs, cfg, cite, status)))
    return tuple(items)
