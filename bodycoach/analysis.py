"""Landmarks → features → classifications → stable states and events, for one person over time.

Pure logic (no cv2, mediapipe or streamlit). ``Analyzer.step`` is called once per analysed frame with
timestamps that never decrease (a decrease raises ``ValueError``). Broken landmarks (NaN, inf, far outside
the frame) never raise: the affected behaviours are ``unknown`` for that frame.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

from bodycoach.classifiers.arms import classify_arms
from bodycoach.classifiers.eye_contact import classify_eye_contact, gaze
from bodycoach.classifiers.hands import classify_hands, classify_palm
from bodycoach.classifiers.head import classify_head
from bodycoach.classifiers.posture import classify_posture
from bodycoach.classifiers.smile import classify_smile, load_appearance_model, load_smile_model
from bodycoach.config import CoachConfig, load_config
from bodycoach.features.extract import extract_features, load_face_reference
from bodycoach.profile import CalibrationProfile
from bodycoach.temporal.events import EventTracker
from bodycoach.temporal.gaze_window import GazeStyleWindow
from bodycoach.temporal.hysteresis import Debouncer
from bodycoach.types import (
    Behaviour,
    Classification,
    Features,
    FeedbackEvent,
    FrameResult,
    Landmarks,
    SmileType,
)

_BEHAVIOURS = tuple(Behaviour)  # iterating the enum class itself is several times slower


class Analyzer:
    """Stateful per-person analysis: one instance per session.

    Args:
        config: Thresholds; the shipped ``calibration/thresholds.toml`` when None.
        profile: Per-camera/person calibration; population defaults when None.

    ``config`` and ``profile`` may be reassigned between steps (``Coach.update_config``); the history
    (stable states, open events, the gaze window) is kept.
    """

    def __init__(self, config: CoachConfig | None = None, profile: CalibrationProfile | None = None) -> None:
        self._config = config if config is not None else load_config()
        self._profile = profile
        self._ref = load_face_reference()
        self._smile_model = load_smile_model(self._config.smile.model)
        self._smile_appearance = load_appearance_model(self._config.smile.appearance_model)
        self._last_ts: int | None = None
        self._build_temporal()

    # -- configuration -------------------------------------------------------------------------
    @property
    def config(self) -> CoachConfig:
        """Current thresholds."""
        return self._config

    @config.setter
    def config(self, value: CoachConfig | None) -> None:
        self._config = value if value is not None else load_config()
        self._smile_model = load_smile_model(self._config.smile.model)
        self._smile_appearance = load_appearance_model(self._config.smile.appearance_model)
        self._gaze.t = self._config.gaze_style
        for b, d in self._debouncers.items():
            d.min_on_ms = self._min_on(b)

    @property
    def profile(self) -> CalibrationProfile | None:
        """Current calibration profile (None = defaults)."""
        return self._profile

    @profile.setter
    def profile(self, value: CalibrationProfile | None) -> None:
        self._profile = value
        self._gaze.profile = value

    def _min_on(self, b: Behaviour) -> int:
        h = self._config.hysteresis
        if b == Behaviour.SMILE:
            return h.smile_min_on_ms
        if b == Behaviour.EYE_CONTACT:
            return h.gaze_min_on_ms
        return h.min_on_ms

    def _build_temporal(self) -> None:
        self._debouncers = {b: Debouncer(self._min_on(b)) for b in _BEHAVIOURS}
        self._events = {b: EventTracker(b) for b in _BEHAVIOURS}
        # Per behaviour, in report order: its debouncer and event tracker (one tuple walk per frame).
        self._lanes = tuple((b, self._debouncers[b], self._events[b]) for b in _BEHAVIOURS)
        self._gaze = GazeStyleWindow(self._config.gaze_style, self._profile)

    # -- per frame -----------------------------------------------------------------------------
    def features(self, landmarks: Landmarks) -> Features:
        """Per-frame features, plus the lens-relative gaze angles."""
        f = extract_features(landmarks, self._ref, self._config.quality.min_visibility)
        gy, gp = gaze(f, self._config.eye_contact, self._profile)
        if math.isfinite(gy) and math.isfinite(gp):
            f = replace(f, values={**f.values, "gaze_yaw_deg": gy, "gaze_pitch_deg": gp})
        return f

    def classify(self, f: Features) -> dict[Behaviour, Classification]:
        """Per-frame classifications of every behaviour except the gaze style (which needs the window)."""
        c, p = self._config, self._profile
        arms = classify_arms(f, c.arms, c.quality)
        return {
            Behaviour.EYE_CONTACT: classify_eye_contact(f, c.eye_contact, c.quality, p),
            Behaviour.SMILE: classify_smile(f, c.smile, c.quality, self._smile_model, p, self._smile_appearance),
            Behaviour.ARMS: arms,
            Behaviour.HANDS: classify_hands(f, c.hands),
            Behaviour.PALM: classify_palm(f, c.palm, arms),
            Behaviour.HEAD: classify_head(f, c.head, c.quality, p),
            Behaviour.POSTURE: classify_posture(f, c.posture, p),
        }

    def step(self, landmarks: Landmarks) -> FrameResult:
        """Analyse one frame's landmarks and return the frame result."""
        ts = landmarks.timestamp_ms
        if self._last_ts is not None and ts < self._last_ts:
            raise ValueError(f"timestamp_ms must increase monotonically, but got {ts} after {self._last_ts}")
        self._last_ts = ts
        f = self.features(landmarks)
        cls = self.classify(f)
        smile = cls[Behaviour.SMILE]
        smiling = None if smile.is_unknown else smile.label != SmileType.NONE
        cls[Behaviour.GAZE_STYLE] = self._gaze.update(
            ts, cls[Behaviour.EYE_CONTACT].label, smiling, f.get("eye_open_norm"), f.get("head_pitch_deg"),
            f.get("brow_raise_norm"))
        ordered: dict[Behaviour, Classification] = {}
        started: list[FeedbackEvent] = []
        ended: list[FeedbackEvent] = []
        states: dict[Behaviour, str] = {}
        for b, debouncer, tracker in self._lanes:
            c = ordered[b] = cls[b]
            label, score = c.label, c.score
            sw = debouncer.update(label, ts)
            if sw is not None:
                s, e = tracker.apply(sw, score)
                if e is not None:
                    ended.append(e)
                if s is not None:
                    started.append(s)
            tracker.observe(label, score)
            states[b] = debouncer.state
        return FrameResult(landmarks=landmarks, features=f, classifications=ordered, states=states,
                           started=tuple(started), ended=tuple(ended))

    def finish(self, timestamp_ms: int | None = None) -> tuple[FeedbackEvent, ...]:
        """Close the events still open at the end of a session and return them."""
        at = timestamp_ms if timestamp_ms is not None else (self._last_ts or 0)
        closed = [e for b in Behaviour if (e := self._events[b].close(at)) is not None]
        for d in self._debouncers.values():
            d.reset()
        self._gaze.reset()
        return tuple(closed)

    def reset(self) -> None:
        """Forget all history (a new trainee)."""
        self._last_ts = None
        self._build_temporal()

    def snapshot(self) -> dict[str, Any]:
        """Stable states and open events (for debugging and tests)."""
        return {str(b): {"state": self._debouncers[b].state, "open": self._events[b].open} for b in Behaviour}
