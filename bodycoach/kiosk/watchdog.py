"""Unattended robustness as small pure objects: reopen back-off, frozen-source watch, coach error budget.

Time is in milliseconds on the kiosk's clock. None of these touch a camera; the shell feeds them.
"""

from __future__ import annotations

import hashlib
from collections import deque
from enum import StrEnum

import numpy as np
import numpy.typing as npt

from bodycoach.kiosk.config import WatchdogConfig


class Backoff:
    """Delays between reopen attempts: ``initial``, ``initial*factor``, … capped at ``max``.

    Example: 500, 1000, 2000, 4000, 8000, 8000 ms with the shipped thresholds.
    """

    def __init__(self, initial_ms: int, max_ms: int, factor: float) -> None:
        if initial_ms <= 0 or max_ms < initial_ms or factor < 1:
            raise ValueError(
                "backoff needs 0 < initial_ms <= max_ms and factor >= 1, "
                f"but got {initial_ms}, {max_ms}, {factor}"
            )
        self.initial_ms = initial_ms
        self.max_ms = max_ms
        self.factor = factor
        self._next = float(initial_ms)
        self.attempts = 0

    @classmethod
    def from_config(cls, cfg: WatchdogConfig) -> Backoff:
        """Build from the watchdog thresholds."""
        return cls(cfg.retry_initial_ms, cfg.retry_max_ms, cfg.retry_factor)

    def next_delay_ms(self) -> int:
        """Return the delay before the next attempt and grow it."""
        d = int(round(self._next))
        self._next = min(float(self.max_ms), self._next * self.factor)
        self.attempts += 1
        return d

    def reset(self) -> None:
        """Start again from ``initial_ms`` (after a success)."""
        self._next = float(self.initial_ms)
        self.attempts = 0


def frame_digest(frame: npt.NDArray[np.generic], step: int = 16) -> bytes:
    """A cheap fingerprint of a frame (blake2b of a 1/``step`` subsample) to spot repeated frames."""
    sub = np.ascontiguousarray(frame[::step, ::step])
    return hashlib.blake2b(sub.tobytes(), digest_size=16).digest()


class StallReason(StrEnum):
    """Why the frame source counts as stalled."""

    NO_FRAMES = "no_frames"  # nothing new for frozen_after_ms
    IDENTICAL = "identical"  # the same frame again and again for identical_for_ms


class FrameWatch:
    """Notices a frame source that stopped delivering or keeps delivering the same frame."""

    def __init__(self, cfg: WatchdogConfig) -> None:
        self.cfg = cfg
        self.reset(0)

    def reset(self, now_ms: int) -> None:
        """Start watching afresh at ``now_ms`` (after (re)opening the source)."""
        self._last_frame_ms = now_ms
        self._last_digest: bytes | None = None
        self._same_since: int | None = None

    def frame(self, now_ms: int, digest: bytes) -> None:
        """Record a frame arriving at ``now_ms`` with fingerprint ``digest``."""
        self._last_frame_ms = now_ms
        if digest == self._last_digest:
            if self._same_since is None:
                self._same_since = now_ms
        else:
            self._same_since = None
        self._last_digest = digest

    def check(self, now_ms: int) -> StallReason | None:
        """Return why the source is stalled at ``now_ms``, or None when it is fine."""
        if now_ms - self._last_frame_ms >= self.cfg.frozen_after_ms:
            return StallReason.NO_FRAMES
        if self._same_since is not None and now_ms - self._same_since >= self.cfg.identical_for_ms:
            return StallReason.IDENTICAL
        return None


class ErrorBudget:
    """Counts coach failures in a sliding window; ``add`` returns True when the budget is exhausted."""

    def __init__(self, max_errors: int, window_ms: int) -> None:
        self.max_errors = max_errors
        self.window_ms = window_ms
        self._times: deque[int] = deque()

    def add(self, now_ms: int) -> bool:
        """Record one failure at ``now_ms``; True when ``max_errors`` fell within ``window_ms``."""
        self._times.append(now_ms)
        while self._times and now_ms - self._times[0] > self.window_ms:
            self._times.popleft()
        return len(self._times) >= self.max_errors

    def __len__(self) -> int:
        return len(self._times)


class KioskClock:
    """Kiosk time in milliseconds, advancing by real time or, when accelerated, by media time.

    ``advance(real_dt_ms, media_dt_ms)`` moves the clock by ``max(real, media)`` when accelerated
    (a clip fed as fast as it is processed runs the kiosk at the clip's own pace, so sessions last as
    many *clip* seconds as configured) and by the real time otherwise. Always monotonic.
    """

    def __init__(self, accelerated: bool = False) -> None:
        self.accelerated = accelerated
        self.now_ms = 0

    def advance(self, real_dt_ms: float, media_dt_ms: float = 0.0) -> int:
        """Advance and return the new time in milliseconds."""
        step = max(0.0, real_dt_ms)
        if self.accelerated:
            step = max(step, media_dt_ms)
        self.now_ms += int(round(step))
        return self.now_ms
