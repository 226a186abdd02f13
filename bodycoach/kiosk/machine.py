"""The kiosk's state machine: attract → session → summary → (reset) → attract. Pure, time in milliseconds.

``KioskMachine.update(now_ms, presence)`` is called once per loop iteration (with or without a new
frame). It returns the events of this step (session started, phase changed, session ended, reset) and a
``KioskView`` that says what to show. The shell acts on the events (new coach on ``SessionStarted``,
summary on ``SessionEnded``, forget everything on ``Reset``) and draws the view; it decides nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bodycoach.kiosk.config import PhaseConfig, SessionConfig
from bodycoach.kiosk.presence import PresenceState


class Screen(StrEnum):
    """What the kiosk shows."""

    ATTRACT = "attract"  # waiting: explains what to do
    SESSION = "session"  # a rehearsal is running
    SUMMARY = "summary"  # the summary card of the session that just ended


class EndReason(StrEnum):
    """Why a session ended."""

    LEFT = "left"  # no face for leave_after_ms
    MAX_TIME = "max_time"  # session.max_s reached
    COMPLETED = "completed"  # all phases done
    CAMERA = "camera"  # the camera was lost for leave_after_ms


@dataclass(frozen=True)
class SessionStarted:
    """A person has faced the kiosk long enough: start a fresh coach."""

    ts_ms: int


@dataclass(frozen=True)
class PhaseChanged:
    """The rehearsal moved to phase ``index`` (also emitted for the first phase)."""

    ts_ms: int
    index: int
    phase: PhaseConfig


@dataclass(frozen=True)
class SessionEnded:
    """The session is over: build and show the summary."""

    ts_ms: int
    reason: EndReason
    duration_ms: int


@dataclass(frozen=True)
class Reset:
    """The summary has been shown: forget the session (coach, recorder, presence)."""

    ts_ms: int


KioskEvent = SessionStarted | PhaseChanged | SessionEnded | Reset


@dataclass(frozen=True)
class KioskView:
    """What to draw now.

    Attributes:
        screen: The current screen.
        start_progress: 0..1 countdown toward a session start (attract screen).
        phase_index: Current phase (session screen), -1 otherwise.
        phase: The current phase config, or None outside a session.
        phase_remaining_ms: Time left in the current phase.
        session_elapsed_ms: Time since the session started (0 outside a session).
        session_remaining_ms: Time left until the session ends at the latest.
        summary_remaining_ms: Time left on the summary screen.
        end_reason: Why the last session ended (summary screen), else None.
    """

    screen: Screen
    start_progress: float = 0.0
    phase_index: int = -1
    phase: PhaseConfig | None = None
    phase_remaining_ms: int = 0
    session_elapsed_ms: int = 0
    session_remaining_ms: int = 0
    summary_remaining_ms: int = 0
    end_reason: EndReason | None = None


class KioskMachine:
    """Attract → session → summary → attract, driven by presence and timers."""

    def __init__(self, cfg: SessionConfig) -> None:
        if not cfg.phases:
            raise ValueError("session.phases must hold at least one phase")
        self.cfg = cfg
        self._ends_ms: list[int] = []
        acc = 0
        for p in cfg.phases:
            acc += int(round(p.seconds * 1000))
            self._ends_ms.append(acc)
        self.max_ms = int(round(cfg.max_s * 1000))
        self.summary_ms = int(round(cfg.summary_s * 1000))
        self.screen = Screen.ATTRACT
        self._started_ms = 0
        self._phase_index = -1
        self._summary_since = 0
        self._end_reason: EndReason | None = None
        self._last_ms: int | None = None
        self.sessions_started = 0

    @property
    def planned_ms(self) -> int:
        """Length of the session if nobody leaves: the phases' sum capped by ``max_s``."""
        return min(self._ends_ms[-1], self.max_ms)

    def _phase_at(self, elapsed_ms: int) -> int:
        for i, end in enumerate(self._ends_ms):
            if elapsed_ms < end:
                return i
        return len(self._ends_ms)  # past the last phase

    def update(self, now_ms: int, presence: PresenceState,
               camera_ok: bool = True) -> tuple[list[KioskEvent], KioskView]:
        """Advance to ``now_ms`` and return this step's events and the view.

        Args:
            now_ms: Kiosk time in milliseconds (monotonic; a decrease raises ``ValueError``).
            presence: The presence tracker's state at ``now_ms``.
            camera_ok: Whether frames are arriving (only used to name why a session ended).
        """
        if self._last_ms is not None and now_ms < self._last_ms:
            raise ValueError(f"now_ms must not decrease, but got {now_ms} after {self._last_ms}")
        self._last_ms = now_ms
        events: list[KioskEvent] = []
        if self.screen is Screen.ATTRACT and presence.engaged:
            self.screen = Screen.SESSION
            self._started_ms = now_ms
            self._phase_index = 0
            self.sessions_started += 1
            events.append(SessionStarted(now_ms))
            events.append(PhaseChanged(now_ms, 0, self.cfg.phases[0]))
        elif self.screen is Screen.SESSION:
            elapsed = now_ms - self._started_ms
            reason: EndReason | None = None
            idx = self._phase_at(elapsed)
            if presence.gone:
                reason = EndReason.LEFT if camera_ok else EndReason.CAMERA
            elif elapsed >= self.max_ms:
                reason = EndReason.MAX_TIME
            elif idx >= len(self.cfg.phases):
                reason = EndReason.COMPLETED
            if reason is not None:
                self.screen = Screen.SUMMARY
                self._summary_since = now_ms
                self._end_reason = reason
                events.append(SessionEnded(now_ms, reason, elapsed))
            elif idx != self._phase_index:
                self._phase_index = idx
                events.append(PhaseChanged(now_ms, idx, self.cfg.phases[idx]))
        elif self.screen is Screen.SUMMARY and now_ms - self._summary_since >= self.summary_ms:
            self.screen = Screen.ATTRACT
            self._phase_index = -1
            self._end_reason = None
            events.append(Reset(now_ms))
        return events, self._view(now_ms, presence)

    def _view(self, now_ms: int, presence: PresenceState) -> KioskView:
        if self.screen is Screen.ATTRACT:
            return KioskView(Screen.ATTRACT, start_progress=presence.progress)
        if self.screen is Screen.SESSION:
            elapsed = now_ms - self._started_ms
            i = self._phase_index
            return KioskView(
                Screen.SESSION,
                phase_index=i,
                phase=self.cfg.phases[i],
                phase_remaining_ms=max(0, min(self._ends_ms[i], self.max_ms) - elapsed),
                session_elapsed_ms=elapsed,
                session_remaining_ms=max(0, self.planned_ms - elapsed),
            )
        return KioskView(
            Screen.SUMMARY,
            summary_remaining_ms=max(0, self.summary_ms - (now_ms - self._summary_since)),
            end_reason=self._end_reason,
        )
