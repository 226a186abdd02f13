"""One live coaching cue at a time, chosen from the stable states, shown long enough and never flickering.

Pure logic (no cv2, mediapipe or streamlit). Time is the frames' ``timestamp_ms`` (never the wall clock),
so the same recording gives the same cues at any processing speed.

Rules (thresholds in ``calibration/feedback.toml`` ``[cues]``):

* Candidates come from ``FrameResult.states`` (debounced by the temporal layer) and, for an area with no
  state yet, from an event that started at this step. ``unknown`` is no evidence and never cues.
* A fault (verdict ``"bad"`` during the current phase, see :func:`scenarios.phase_verdict`) in an area
  the phase checks beats one in another area; then a fault not yet shown beats a repeat; then the
  guide's order of areas (``AREA_PRIORITY``); then the state that has lasted longest.
* A fault not yet shown beats an acknowledgement. A *repeat* of a fault yields to a due acknowledgement,
  so a trainee with a lasting fault still hears what goes well.
* A cue, once shown, stays at least ``min_show_ms`` even if its state ends (no flicker). A fault cue then
  stays while its state holds, up to ``max_show_ms``, unless a fault not yet shown is waiting; an
  acknowledgement leaves after ``ack_show_ms``. So a new fault waits at most ``min_show_ms``.
* When a cue leaves, the same (area, label) is not shown again for ``cooldown_ms``.
* Good behaviour held for ``ack_hold_ms`` is acknowledged, at most once per ``ack_interval_ms``, and only in
  areas the phase checks.
* Areas outside the mode never cue (posture is telephone practice; face to face it is not coached).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from bodycoach.feedback.config import CueConfig, default_feedback_config
from bodycoach.feedback.messages import Verdict, check_lang, cue_text
from bodycoach.feedback.scenarios import checks_for, phase_key, phase_verdict
from bodycoach.types import UNKNOWN, Behaviour, FrameResult

# Tie-break between faults of equal relevance: the guide's order of areas, most visible to a customer
# first (eyes and smile lead the guide's closing checklist).
AREA_PRIORITY: Final[tuple[Behaviour, ...]] = (
    Behaviour.EYE_CONTACT,
    Behaviour.SMILE,
    Behaviour.ARMS,
    Behaviour.HEAD,
    Behaviour.GAZE_STYLE,
    Behaviour.POSTURE,
    Behaviour.HANDS,
    Behaviour.PALM,
)
_RANK: Final[dict[Behaviour, int]] = {b: i for i, b in enumerate(AREA_PRIORITY)}


@dataclass(frozen=True)
class Cue:
    """A cue on screen.

    Attributes:
        behaviour: The area the cue is about.
        label: The stable label that caused it.
        text: The cue text in the scheduler's language.
        verdict: ``"bad"`` for a fault, ``"good"`` for an acknowledgement.
        since_ms: Frame time when the cue was first shown.
    """

    behaviour: Behaviour
    label: str
    text: str
    verdict: Verdict
    since_ms: int

    @property
    def key(self) -> tuple[Behaviour, str]:
        """The (area, label) pair the cooldown is keyed on."""
        return (self.behaviour, self.label)


class CueScheduler:
    """Pick at most one cue per frame from the stable states; call :meth:`update` once per frame.

    Args:
        lang: ``"no"`` (default) or ``"en"``.
        min_show_ms: Minimum time a cue stays on screen; default from ``calibration/feedback.toml``.
        cooldown_ms: Minimum time before the same cue is shown again; default from the TOML.
        mode: ``"face_to_face"`` or ``"telephone"`` (which phases and checks apply).
        config: All cue timings; explicit ``min_show_ms`` / ``cooldown_ms`` override it.
    """

    def __init__(
        self,
        lang: str = "no",
        min_show_ms: int | None = None,
        cooldown_ms: int | None = None,
        *,
        mode: str = "face_to_face",
        config: CueConfig | None = None,
    ) -> None:
        cfg = config if config is not None else default_feedback_config().cues
        if min_show_ms is not None or cooldown_ms is not None:
            cfg = CueConfig(
                min_show_ms=cfg.min_show_ms if min_show_ms is None else min_show_ms,
                max_show_ms=max(cfg.max_show_ms, cfg.min_show_ms if min_show_ms is None else min_show_ms),
                cooldown_ms=cfg.cooldown_ms if cooldown_ms is None else cooldown_ms,
                fault_hold_ms=cfg.fault_hold_ms,
                ack_show_ms=cfg.ack_show_ms,
                ack_hold_ms=cfg.ack_hold_ms,
                ack_interval_ms=cfg.ack_interval_ms,
            )
        self.config = cfg
        self.lang = check_lang(lang)
        checks_for(None, mode)  # validates the mode
        self.mode = mode
        self._current: Cue | None = None
        self._last_ts: int | None = None
        self._labels: dict[Behaviour, str] = {}
        self._since: dict[Behaviour, int] = {}
        self._hidden_at: dict[tuple[Behaviour, str], int] = {}
        self._last_ack_ms: int | None = None

    @property
    def current(self) -> Cue | None:
        """The cue on screen after the last update (None when nothing is shown)."""
        return self._current

    def set_lang(self, lang: str) -> None:
        """Switch the language; the cue on screen is re-worded at the next update."""
        self.lang = check_lang(lang)

    def reset(self) -> None:
        """Forget everything (a new trainee or session)."""
        self._current = None
        self._last_ts = None
        self._labels.clear()
        self._since.clear()
        self._hidden_at.clear()
        self._last_ack_ms = None

    @staticmethod
    def _read(result: FrameResult) -> dict[Behaviour, tuple[str, int | None]]:
        """(label, start hint) per area from the states, or a started event for an area with no state.

        Raises:
            ValueError: An area that is not a ``Behaviour`` (before anything is changed).
        """
        started = {Behaviour(e.behaviour): e for e in result.started}
        now: dict[Behaviour, tuple[str, int | None]] = {}
        for b_raw, label in result.states.items():
            b = Behaviour(b_raw)
            ev = started.get(b)
            now[b] = (str(label), ev.start_ms if ev is not None and ev.label == str(label) else None)
        for b, ev in started.items():
            now.setdefault(b, (ev.label, ev.start_ms))
        return now

    def _observe(self, now: dict[Behaviour, tuple[str, int | None]], ts: int) -> None:
        for b, (label, start) in now.items():
            if self._labels.get(b) != label:
                self._labels[b] = label
                # An event's own start (at or before this frame) dates the state; else this frame does.
                self._since[b] = start if start is not None and start <= ts else ts
        for b in [b for b in self._labels if b not in now]:
            # No state reported for this area any more: treat it as unknown.
            del self._labels[b]
            self._since.pop(b, None)

    def _holds(self, cue: Cue) -> bool:
        return self._labels.get(cue.behaviour) == cue.label

    def _hide(self, ts: int) -> None:
        if self._current is not None:
            self._hidden_at[self._current.key] = ts
            self._current = None

    def _cooling(self, key: tuple[Behaviour, str], ts: int) -> bool:
        t = self._hidden_at.get(key)
        return t is not None and ts - t < self.config.cooldown_ms

    def _fresh_fault_waiting(self, cur: Cue, ts: int, phase: str | None) -> bool:
        checked = checks_for(phase, self.mode)
        in_mode = checks_for(None, self.mode)
        for b, label in self._labels.items():
            if (b, label) == cur.key or (b, label) in self._hidden_at or label == UNKNOWN or b not in in_mode:
                continue
            if self.mode == "telephone" and b not in checked:
                continue
            if (
                phase_verdict(b, label, phase, self.mode) == "bad"
                and ts - self._since.get(b, ts) >= self.config.fault_hold_ms
                and cue_text(b, label, self.lang) is not None
            ):
                return True
        return False

    def _pick(self, ts: int, phase: str | None) -> Cue | None:
        cfg = self.config
        checked = checks_for(phase, self.mode)
        in_mode = checks_for(None, self.mode)
        faults: list[tuple[int, int, int, int, Behaviour, str]] = []
        goods: list[tuple[int, int, Behaviour, str]] = []
        for b, label in self._labels.items():
            if label == UNKNOWN or b not in in_mode or self._cooling((b, label), ts):
                continue
            held = ts - self._since.get(b, ts)
            v = phase_verdict(b, label, phase, self.mode)
            if v == "bad" and self.mode == "telephone" and b not in checked:
                continue  # on the phone nobody sees the arms or the eyes: only posture and smile count
            if v == "bad" and held >= cfg.fault_hold_ms and cue_text(b, label, self.lang) is not None:
                fresh = (b, label) not in self._hidden_at  # never shown in this session
                faults.append((0 if b in checked else 1, 0 if fresh else 1, _RANK.get(b, 99), -held, b, label))
            elif v == "good" and b in checked and held >= cfg.ack_hold_ms and cue_text(b, label, self.lang):
                goods.append((_RANK.get(b, 99), -held, b, label))
        faults.sort()
        goods.sort()
        ack_due = self._last_ack_ms is None or ts - self._last_ack_ms >= cfg.ack_interval_ms
        # A fault not yet shown comes first. A reminder of one already shown yields to a due
        # acknowledgement, so a trainee with a lasting fault still hears what goes well.
        if faults and (faults[0][1] == 0 or not (ack_due and goods)):
            *_, b, label = faults[0]
            return Cue(b, label, cue_text(b, label, self.lang) or "", "bad", ts)
        if ack_due and goods:
            *_, b, label = goods[0]
            self._last_ack_ms = ts
            return Cue(b, label, cue_text(b, label, self.lang) or "", "good", ts)
        return None

    def update(self, result: FrameResult, phase: str | None = None) -> Cue | None:
        """Take one frame's result and return the cue to show now (None = show nothing).

        Args:
            result: The frame's result; only ``states``, ``started`` and the timestamp are read.
            phase: The current phase id (see :mod:`bodycoach.feedback.scenarios`) or None.

        Raises:
            ValueError: The timestamp went backwards, or the phase is unknown for the mode.
        """
        ts = int(result.timestamp_ms)
        if self._last_ts is not None and ts < self._last_ts:
            raise ValueError(f"timestamp_ms must increase monotonically, but got {ts} after {self._last_ts}")
        phase = phase_key(phase, self.mode)  # canonical id or None ("" = no phase); validates early
        now = self._read(result)  # validates the areas before any state changes
        self._last_ts = ts
        self._observe(now, ts)
        cfg = self.config
        cur = self._current
        if cur is not None:
            shown = ts - cur.since_ms
            if shown < cfg.min_show_ms:
                return self._reword(cur)
            if cur.verdict == "bad":
                still_bad = self._holds(cur) and phase_verdict(cur.behaviour, cur.label, phase, self.mode) == "bad"
                # A lasting fault keeps the screen up to max_show_ms, unless a fault not yet shown waits:
                # that one must not wait several seconds behind a cue the trainee has already read.
                if still_bad and shown < cfg.max_show_ms and not self._fresh_fault_waiting(cur, ts, phase):
                    return self._reword(cur)
            elif shown < cfg.ack_show_ms and self._holds(cur):
                return self._reword(cur)
            self._hide(ts)
        self._current = self._pick(ts, phase)
        return self._current

    def _reword(self, cue: Cue) -> Cue:
        text = cue_text(cue.behaviour, cue.label, self.lang)
        if text is not None and text != cue.text:
            cue = Cue(cue.behaviour, cue.label, text, cue.verdict, cue.since_ms)
            self._current = cue
        return cue

    def states_seen(self) -> Mapping[Behaviour, str]:
        """The last stable label per area as the scheduler saw it (for debugging and tests)."""
        return dict(self._labels)
