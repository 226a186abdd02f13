"""Per-behaviour debouncing in milliseconds.

A new label becomes the stable state only after it has been seen for ``min_on_ms`` of source time
without a different known label in between.

``unknown`` is no evidence: it neither starts, advances the clock of nor resets a candidate, and it never
ends a state. Timestamps must not decrease (a violation raises ``ValueError``).
"""

from __future__ import annotations

from dataclasses import dataclass

UNKNOWN = "unknown"


@dataclass(frozen=True)
class Switch:
    """A change of stable state: ``old`` ended and ``new`` started at ``at_ms`` (the candidate's first frame)."""

    old: str
    new: str
    at_ms: int


class Debouncer:
    """Turns a stream of per-frame labels into a stable state.

    Args:
        min_on_ms: How long a new label must be seen (first to latest frame) before it takes over.
    """

    def __init__(self, min_on_ms: int) -> None:
        if min_on_ms < 0:
            raise ValueError(f"min_on_ms must be >= 0, but got {min_on_ms}")
        self.min_on_ms = int(min_on_ms)
        self.state = UNKNOWN
        self.since_ms: int | None = None
        self._cand: str | None = None
        self._cand_start = 0
        self._last_ts: int | None = None

    def update(self, label: str, timestamp_ms: int) -> Switch | None:
        """Feed one frame's label; return the switch when the stable state changes."""
        if self._last_ts is not None and timestamp_ms < self._last_ts:
            raise ValueError(f"timestamp_ms must not decrease, but got {timestamp_ms} after {self._last_ts}")
        self._last_ts = timestamp_ms
        if label == UNKNOWN:
            return None
        if label == self.state:
            self._cand = None
            return None
        if self._cand != label:
            self._cand = label
            self._cand_start = timestamp_ms
        if timestamp_ms - self._cand_start >= self.min_on_ms:
            sw = Switch(old=self.state, new=label, at_ms=self._cand_start)
            self.state = label
            self.since_ms = self._cand_start
            self._cand = None
            return sw
        return None

    def reset(self) -> None:
        """Forget the state and any candidate."""
        self.__init__(self.min_on_ms)  # type: ignore[misc]
