"""Landmarks → features → classifications → stable states and events, for one person over time.

Pure logic (no cv2, mediapipe or streamlit). ``Analyzer.step`` is called once per analysed frame with
monotonically increasing timestamps.

NOTE: placeholder until the classifier issue lands: it reports every behaviour as ``unknown``.
"""

from __future__ import annotations

from bodycoach.types import Behaviour, Classification, FeedbackEvent, Features, FrameResult, Landmarks


class Analyzer:
    """Stateful per-person analysis: one instance per session."""

    def __init__(self, config: object | None = None, profile: object | None = None) -> None:
        self.config = config
        self.profile = profile
        self._last_ts: int | None = None

    def step(self, landmarks: Landmarks) -> FrameResult:
        """Analyse one frame's landmarks and return the frame result."""
        ts = landmarks.timestamp_ms
        if self._last_ts is not None and ts < self._last_ts:
            raise ValueError(f"timestamp_ms must increase monotonically, but got {ts} after {self._last_ts}")
        self._last_ts = ts
        cls = {b: Classification.unknown(b, ts) for b in Behaviour}
        return FrameResult(
            landmarks=landmarks, features=Features.empty(ts), classifications=cls, states={}
        )

    def finish(self, timestamp_ms: int | None = None) -> tuple[FeedbackEvent, ...]:
        """Close the events still open at the end of a session and return them."""
        return ()

    def reset(self) -> None:
        """Forget all history (a new trainee)."""
        self._last_ts = None
