"""The guide's four kinds of look over a sliding window of frames.

Warm, concentrated, wandering and defiant, plus screen work and no eye contact.

Per frame the window stores the eye-contact label and a few face measures; the style is then read from
shares of time and the number of gaze shifts per second:
- screen: most of the window on the calibrated work screen (accepted);
- warm: mostly on the lens and smiling part of the time;
- defiant: mostly on the lens, steady, no smile, chin raised and narrowed eyes or lowered brows;
- concentrated: mostly on the lens otherwise;
- wandering: little time on the lens and frequent shifts;
- away: little time on the lens, few shifts.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from bodycoach.config import GazeStyleConfig
from bodycoach.profile import CalibrationProfile
from bodycoach.types import Behaviour, Classification, EyeContact, GazeStyle


@dataclass(frozen=True)
class _Sample:
    ts: int
    eye: str
    smiling: bool | None
    eye_open: float
    pitch: float
    brow: float


class GazeStyleWindow:
    """Sliding window of per-frame gaze samples.

    The shares, the shift count and the smile counts are kept up to date as frames enter and leave the
    window (whole numbers, so exact), and the finite face measures of the known frames sit in their own
    queues in window order, so each mean is one ``sum`` in the same order as over the whole window: the
    same figures as recomputing everything every frame, at a cost that does not grow with the window.
    """

    def __init__(self, t: GazeStyleConfig, profile: CalibrationProfile | None = None) -> None:
        self.t = t
        self.profile = profile
        self._buf: deque[_Sample] = deque()
        self._known: deque[str] = deque()  # eye labels of the known samples, in order
        self._eye_open: deque[float] = deque()  # finite values of the known samples, in order
        self._pitch: deque[float] = deque()
        self._brow: deque[float] = deque()
        self._lens = 0
        self._screen = 0
        self._shifts = 0  # label changes between consecutive known samples
        self._smile_known = 0  # known samples with a smile verdict
        self._smiling = 0

    def reset(self) -> None:
        """Forget the window."""
        self.__init__(self.t, self.profile)  # type: ignore[misc]

    def _add(self, s: _Sample) -> None:
        self._buf.append(s)
        if s.eye == EyeContact.UNKNOWN:
            return
        if self._known and self._known[-1] != s.eye:
            self._shifts += 1
        self._known.append(s.eye)
        self._lens += s.eye == EyeContact.LENS
        self._screen += s.eye == EyeContact.SCREEN
        if s.smiling is not None:
            self._smile_known += 1
            self._smiling += s.smiling
        for q, x in ((self._eye_open, s.eye_open), (self._pitch, s.pitch), (self._brow, s.brow)):
            if math.isfinite(x):
                q.append(x)

    def _drop_oldest(self) -> None:
        s = self._buf.popleft()
        if s.eye == EyeContact.UNKNOWN:
            return
        self._known.popleft()
        if self._known and self._known[0] != s.eye:
            self._shifts -= 1
        self._lens -= s.eye == EyeContact.LENS
        self._screen -= s.eye == EyeContact.SCREEN
        if s.smiling is not None:
            self._smile_known -= 1
            self._smiling -= s.smiling
        for q, x in ((self._eye_open, s.eye_open), (self._pitch, s.pitch), (self._brow, s.brow)):
            if math.isfinite(x):
                q.popleft()

    def update(self, ts: int, eye: str, smiling: bool | None, eye_open: float, pitch: float,
               brow: float) -> Classification:
        """Add one frame and return the style of the window ending at ``ts``."""
        t = self.t
        self._add(_Sample(ts, eye, smiling, eye_open, pitch, brow))
        while self._buf and self._buf[0].ts < ts - t.window_ms:
            self._drop_oldest()
        n = len(self._buf)
        k = len(self._known)
        span = ts - self._buf[0].ts if self._buf else 0
        # Need most of a full window of evidence before judging a style.
        if not k or span < 0.8 * t.window_ms or k < t.min_evidence_share * n:
            return Classification.unknown(Behaviour.GAZE_STYLE, ts)
        lens = self._lens / k
        screen = self._screen / k
        shifts_per_s = self._shifts / max(span / 1000.0, 1e-3)
        smile_share = self._smiling / self._smile_known if self._smile_known else 0.0

        def means() -> tuple[float, float, float]:
            return _mean(self._eye_open), _mean(self._pitch), _mean(self._brow)

        return decide_style(t, self.profile, ts, lens=lens, screen=screen, shifts_per_s=shifts_per_s,
                            smile_share=smile_share, means=means)


def _mean(xs: deque[float]) -> float:
    return sum(xs) / len(xs) if xs else math.nan


def decide_style(t: GazeStyleConfig, profile: CalibrationProfile | None, ts: int, *, lens: float, screen: float,
                 shifts_per_s: float, smile_share: float,
                 means: Callable[[], tuple[float, float, float]]) -> Classification:
    """The gaze style of a window from its summary (shares 0..1 of the frames with a known gaze).

    Args:
        t: Thresholds.
        profile: The person's calibration (neutral eye aperture and brow height), if any.
        ts: Timestamp of the window's end, ms.
        lens: Share on the lens.
        screen: Share on the work screen.
        shifts_per_s: Gaze changes per second.
        smile_share: Share of the frames with a known smile that smile.
        means: Returns the window's mean eye aperture (norm), head pitch (deg) and brow height (norm);
            called only when the window is mostly on the lens (it costs a pass over the window).
    """
    if screen >= t.screen_min_share:
        return _c(GazeStyle.SCREEN, screen, ts)
    if lens >= t.lens_min_share:
        eye_open, pitch, brow = means()
        max_eye, max_brow = t.defiant_max_eye_open_norm, t.defiant_max_brow_raise_norm
        if profile is not None:
            neu = profile.neutral
            if "eye_open_norm" in neu:
                max_eye = 0.85 * neu["eye_open_norm"]
            if "brow_raise_norm" in neu:
                max_brow = neu["brow_raise_norm"] - 0.03
        tense = (eye_open <= max_eye) or (brow <= max_brow)
        if (smile_share <= t.defiant_max_smile_share and pitch >= t.defiant_min_pitch_deg and tense
                and shifts_per_s < t.wandering_min_shifts_per_s):
            return _c(GazeStyle.DEFIANT, lens, ts)
        if smile_share >= t.warm_min_smile_share:
            return _c(GazeStyle.WARM, lens, ts)
        return _c(GazeStyle.CONCENTRATED, lens, ts)
    if shifts_per_s >= t.wandering_min_shifts_per_s and lens <= t.wandering_max_lens_share:
        return _c(GazeStyle.WANDERING, min(1.0, shifts_per_s / (2 * t.wandering_min_shifts_per_s)), ts)
    return _c(GazeStyle.AWAY, 1.0 - lens, ts)


def _c(label: GazeStyle, score: float, ts: int) -> Classification:
    return Classification(Behaviour.GAZE_STYLE, label, max(0.0, min(1.0, score)), ts)
