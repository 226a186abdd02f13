"""The coach: one extractor (frames → landmarks) plus one analyzer (landmarks → results).

Runtime dependencies are injected: tests pass a ``ReplayExtractor`` that reads recorded landmarks, so no
camera or model is needed.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from bodycoach.analysis import Analyzer
from bodycoach.types import FeedbackEvent, FrameResult, Landmarks

Frame = npt.NDArray[np.uint8]


class Extractor(Protocol):
    """Anything that turns a BGR frame into ``Landmarks``."""

    def extract(self, frame_bgr: Frame, timestamp_ms: int) -> Landmarks:
        """Return the landmarks of the followed person in ``frame_bgr``."""
        ...

    def close(self) -> None:
        """Release models and threads."""
        ...


class Coach:
    """Frames in, ``FrameResult`` out. Thread-safe for one producer; config changes take a lock."""

    def __init__(self, extractor: Extractor, config: Any | None = None, profile: Any | None = None) -> None:
        self.extractor = extractor
        self._lock = threading.Lock()
        self._analyzer = Analyzer(config=config, profile=profile)

    def step(self, frame_bgr: Frame, timestamp_ms: int) -> FrameResult:
        """Run perception and analysis on one frame."""
        lm = self.extractor.extract(frame_bgr, timestamp_ms)
        return self.step_landmarks(lm)

    def step_landmarks(self, landmarks: Landmarks) -> FrameResult:
        """Run analysis only (landmarks already known, e.g. replayed from a recording)."""
        with self._lock:
            return self._analyzer.step(landmarks)

    def update_config(self, config: Any | None = None, profile: Any | None = None) -> None:
        """Swap thresholds or the calibration profile; history is kept."""
        with self._lock:
            if config is not None:
                self._analyzer.config = config
            if profile is not None:
                self._analyzer.profile = profile

    def finish(self, timestamp_ms: int | None = None) -> tuple[FeedbackEvent, ...]:
        """Close open events (end of session)."""
        with self._lock:
            return self._analyzer.finish(timestamp_ms)

    def reset(self) -> None:
        """Start over for a new person."""
        with self._lock:
            self._analyzer.reset()

    def close(self) -> None:
        """Release the extractor."""
        self.extractor.close()


def analyse_landmarks(seq: Iterable[Landmarks], config: Any | None = None,
                      profile: Any | None = None) -> Iterator[FrameResult]:
    """Run the analysis over a recorded landmark sequence."""
    analyzer = Analyzer(config=config, profile=profile)
    for lm in seq:
        yield analyzer.step(lm)
