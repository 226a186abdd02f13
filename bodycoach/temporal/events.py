"""Stable states → events with a start and an end (milliseconds), with the peak score seen meanwhile."""

from __future__ import annotations

from bodycoach.temporal.hysteresis import UNKNOWN, Switch
from bodycoach.types import Behaviour, FeedbackEvent


class EventTracker:
    """Keeps the open event of one behaviour."""

    def __init__(self, behaviour: Behaviour) -> None:
        self.behaviour = behaviour
        self.open: FeedbackEvent | None = None
        self._peak = 0.0

    def observe(self, label: str, score: float) -> None:
        """Raise the open event's peak score when the frame's label matches it."""
        if self.open is not None and label == self.open.label and score > self._peak:
            self._peak = score

    def apply(self, sw: Switch | None, score: float) -> tuple[FeedbackEvent | None, FeedbackEvent | None]:
        """Apply a state switch; return (started, ended)."""
        if sw is None:
            return None, None
        ended = self.close(sw.at_ms)
        started = None
        if sw.new != UNKNOWN:
            self._peak = score
            self.open = FeedbackEvent(self.behaviour, sw.new, sw.at_ms, None, score)
            started = self.open
        return started, ended

    def close(self, at_ms: int) -> FeedbackEvent | None:
        """Close the open event at ``at_ms`` (never before its start) and return it."""
        if self.open is None:
            return None
        ev = FeedbackEvent(self.behaviour, self.open.label, self.open.start_ms, max(at_ms, self.open.start_ms),
                           self._peak)
        self.open = None
        self._peak = 0.0
        return ev
