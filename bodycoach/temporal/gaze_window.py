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
    """Sliding window of per-frame gaze samples."""

    def __init__(self, t: GazeStyleConfig, profile: CalibrationProfile | None = None) -> None:
        self.t = t
        self.profile = profile
        self._buf: deque[_Sample] = deque()

    def reset(self) -> None:
        """Forget the window."""
        self._buf.clear()

    def update(self, ts: int, eye: str, smiling: bool | None, eye_open: float, pitch: float,
               brow: float) -> Classification:
        """Add one frame and return the style of the window ending at ``ts``."""
        t = self.t
        self._buf.append(_Sample(ts, eye, smiling, eye_open, pitch, brow))
        while self._buf and self._buf[0].ts < ts - t.window_ms:
            self._buf.popleft()
        n = len(self._buf)
        known = [s for s in self._buf if s.eye != EyeContact.UNKNOWN]
        span = ts - self._buf[0].ts
        # Need most of a full window of evidence before judging a style.
        if not known or span < 0.8 * t.window_ms or len(known) < t.min_evidence_share * n:
            return Classification.unknown(Behaviour.GAZE_STYLE, ts)
        k = len(known)
        lens = sum(s.eye == EyeContact.LENS for s in known) / k
        screen = sum(s.eye == EyeContact.SCREEN for s in known) / k
        shifts = sum(a.eye != b.eye for a, b in zip(known, known[1:], strict=False))
        shifts_per_s = shifts / max(span / 1000.0, 1e-3)
        smiles = [s.smiling for s in known if s.smiling is not None]
        smile_share = sum(smiles) / len(smiles) if smiles else 0.0

        def mean(xs: list[float]) -> float:
            xs = [x for x in xs if math.isfinite(x)]
            return sum(xs) / len(xs) if xs else math.nan

        if screen >= t.screen_min_share:
            return _c(GazeStyle.SCREEN, screen, ts)
        if lens >= t.lens_min_share:
            eye_open = mean([s.eye_open for s in known])
            brow = mean([s.brow for s in known])
            pitch = mean([s.pitch for s in known])
            max_eye, max_brow = t.defiant_max_eye_open_norm, t.defiant_max_brow_raise_norm
            if self.profile is not None:
                neu = self.profile.neutral
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
