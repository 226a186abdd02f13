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
from bodycoach.classifiers.view import classify_view
from bodycoach.config import CoachConfig, load_config
from bodycoach.features.extract import extract_features, load_face_reference
from bodycoach.features.view import view_measures
from bodycoach.profile import CalibrationProfile
from bodycoach.temporal.events import EventTracker
from bodycoach.temporal.gaze_window import GazeStyleWindow
from bodycoach.temporal.hysteresis import Debouncer
from bodycoach.types import (
    OUT_OF_VIEW,
    ArmsPose,
    HandsPose,
    PalmSide,
    VIEW_GATED,
    VIEW_NEEDED,
    Behaviour,
    Classification,
    Features,
    FeedbackEvent,
    FrameResult,
    Landmarks,
    SmileType,
    View,
    view_rank,
)

_BEHAVIOURS = tuple(Behaviour)  # iterating the enum class itself is several times slower
# Areas a hand in the picture makes judgeable below their view: a hand the hand model finds is in view.
_HAND_SEEN_JUDGES = frozenset({Behaviour.ARMS, Behaviour.HANDS, Behaviour.PALM})
_GATES = tuple((b, view_rank(VIEW_NEEDED[b]), b in _HAND_SEEN_JUDGES) for b in VIEW_GATED)


# Labels that assert an absence ("the arms are not there"): below the needed view the picture cannot show
# that, so they are out_of_view even while a hand is in the picture.
_ABSENCE = frozenset({str(ArmsPose.HIDDEN), str(HandsPose.NOT_VISIBLE), str(PalmSide.NOT_VISIBLE)})


def gate_view(cls: dict[Behaviour, Classification], view: View, hands_seen: int, ts: int) -> None:
    """Set the label of every area the frame's ``view`` does not reach to ``out_of_view`` (in place).

    Arms, hands and the palm need the counter view; a hand in the picture keeps what it shows judged
    anyway (a raised hand in a close-up is in view), but never an absence (``hidden``, ``not_visible``):
    below the counter the picture does not show where the arms would be. Nobody in the picture (``view``
    none) is no evidence: the labels stay as classified (``unknown``), so the stable states hold.
    """
    r = view_rank(view)
    if view is View.NONE or r < 0:
        return
    for b, need, hand_ok in _GATES:
        c = cls.get(b)
        if c is not None and r < need and not (hand_ok and hands_seen > 0 and c.label not in _ABSENCE):
            cls[b] = Classification(b, OUT_OF_VIEW, 1.0, ts)


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
            d.max_frame_ms = self._config.hysteresis.max_frame_ms
        self._view.min_on_ms = self._config.view.min_on_ms
        self._view.max_frame_ms = self._config.hysteresis.max_frame_ms

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
        frame_ms = self._config.hysteresis.max_frame_ms
        self._debouncers = {b: Debouncer(self._min_on(b), frame_ms) for b in _BEHAVIOURS}
        self._events = {b: EventTracker(b) for b in _BEHAVIOURS}
        # Per behaviour, in report order: its debouncer and event tracker (one tuple walk per frame).
        self._lanes = tuple((b, self._debouncers[b], self._events[b]) for b in _BEHAVIOURS)
        self._gaze = GazeStyleWindow(self._config.gaze_style, self._profile)
        self._view = Debouncer(self._config.view.min_on_ms, frame_ms)

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
        vt = self._config.view
        vm = view_measures(landmarks, vt.min_visibility, vt.edge_margin_frac)
        frame_view = classify_view(vm, vt)
        self._view.update(str(frame_view), ts)
        gate_view(cls, frame_view, int(vm["view_hands_seen"]), ts)
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
                           started=tuple(started), ended=tuple(ended), view=self._view.state,
                           frame_view=str(frame_view))

    def finish(self, timestamp_ms: int | None = None) -> tuple[FeedbackEvent, ...]:
        """Close the events still open at the end of a session and return them."""
        at = timestamp_ms if timestamp_ms is not None else (self._last_ts or 0)
        closed = [e for b in Behaviour if (e := self._events[b].close(at)) is not None]
        for d in self._debouncers.values():
            d.reset()
        self._view.reset()
        self._gaze.reset()
        return tuple(closed)

    def reset(self) -> None:
        """Forget all history (a new trainee)."""
        self._last_ts = None
        self._build_temporal()

    def snapshot(self) -> dict[str, Any]:
        """Stable states and open events (for debugging and tests)."""
        out: dict[str, Any] = {str(b): {"state": self._debouncers[b].state, "open": self._events[b].open}
                               for b in Behaviour}
        out["view"] = {"state": self._view.state}
        return out
