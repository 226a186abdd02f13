"""Is somebody standing in front of the kiosk and facing it? Pure numpy, time in milliseconds.

``observe(landmarks, cfg)`` turns one frame's landmarks into a ``PresenceObservation`` (face present,
facing, head yaw, face width). ``PresenceTracker.update(ts_ms, observation)`` adds time: it reports
``engaged`` once a face has faced the screen continuously for ``start_after_ms`` (short detector dropouts
below ``dropout_grace_ms`` forgiven) and ``gone`` once no face has been seen for ``leave_after_ms``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from bodycoach.kiosk.config import PresenceConfig
from bodycoach.types import Landmarks

# Face-mesh indices (MediaPipe): nose tip and the face contour at cheekbone height on either side.
_NOSE_TIP = 1
_RIGHT_EDGE = 234
_LEFT_EDGE = 454

# Feature names the analysis may provide; preferred over the kiosk's own rough estimate when finite.
YAW_FEATURE = "head_yaw_deg"


def estimate_yaw_deg(face: npt.NDArray[np.floating[Any]]) -> float:
    """Rough head yaw from the face mesh, in degrees (0 = facing the camera; sign = direction).

    The nose tip sits midway between the two face edges when the head faces the camera and moves toward
    one edge as it turns; for a head modelled as a cylinder, ``sin(yaw)`` is the nose's offset from the
    midpoint divided by half the face width. Precise enough to tell "facing" from "turned away" (the
    only use here); the analysis's own head-pose feature is preferred when it exists.

    Args:
        face: (478, 4) or (468+, >=2) face-mesh points, x/y normalised to the frame.

    Returns:
        Yaw in degrees in [-90, 90], or NaN when the face is degenerate.
    """
    x_nose = float(face[_NOSE_TIP, 0])
    x_r = float(face[_RIGHT_EDGE, 0])
    x_l = float(face[_LEFT_EDGE, 0])
    half = abs(x_l - x_r) / 2.0
    if not (half > 1e-6) or not all(map(math.isfinite, (x_nose, x_r, x_l))):
        return math.nan
    ratio = (x_nose - (x_l + x_r) / 2.0) / half
    return math.degrees(math.asin(max(-1.0, min(1.0, ratio))))


def face_width_norm(face: npt.NDArray[np.floating[Any]]) -> float:
    """Face width (cheekbone to cheekbone) as a share of the frame width (0..1)."""
    return abs(float(face[_LEFT_EDGE, 0]) - float(face[_RIGHT_EDGE, 0]))


@dataclass(frozen=True)
class PresenceObservation:
    """What one frame says about presence.

    Attributes:
        face: A face large enough to be in front of the kiosk was found.
        facing: That face looks toward the screen (|yaw| <= ``max_yaw_deg``).
        yaw_deg: Head yaw in degrees (NaN when no face).
        face_width_norm: Face width as a share of the frame width (0 when no face).
    """

    face: bool
    facing: bool
    yaw_deg: float = math.nan
    face_width_norm: float = 0.0

    @classmethod
    def nobody(cls) -> PresenceObservation:
        """The observation of an empty frame (or no frame at all)."""
        return cls(face=False, facing=False)


def observe(landmarks: Landmarks, cfg: PresenceConfig,
            features: Mapping[str, float] | None = None) -> PresenceObservation:
    """Turn one frame's landmarks into a presence observation.

    Args:
        landmarks: The followed person's landmarks (x, y normalised to the frame).
        cfg: Presence thresholds.
        features: Optional analysis features; a finite ``head_yaw_deg`` replaces the rough estimate.

    Returns:
        The observation; ``nobody()`` when no face was found or it is too small (far away).
    """
    face = landmarks.face
    if face is None:
        return PresenceObservation.nobody()
    width = face_width_norm(face)
    if width < cfg.min_face_width_norm:
        return PresenceObservation(face=False, facing=False, face_width_norm=width)
    yaw = math.nan
    if features is not None:
        yaw = float(features.get(YAW_FEATURE, math.nan))
    if not math.isfinite(yaw):
        yaw = estimate_yaw_deg(face)
    facing = math.isfinite(yaw) and abs(yaw) <= cfg.max_yaw_deg
    return PresenceObservation(face=True, facing=facing, yaw_deg=yaw, face_width_norm=width)


@dataclass(frozen=True)
class PresenceState:
    """Presence over time after one update.

    Attributes:
        engaged: A face has faced the screen for at least ``start_after_ms`` (counting forgiven dropouts).
        gone: No face has been seen for at least ``leave_after_ms`` (True before anybody was seen).
        facing_ms: How long the current facing streak has lasted.
        progress: ``facing_ms / start_after_ms`` clipped to 0..1 (drives the attract screen's countdown).
        absent_ms: How long no face has been seen (0 while one is seen).
    """

    engaged: bool
    gone: bool
    facing_ms: int
    progress: float
    absent_ms: int


class PresenceTracker:
    """Hysteresis in milliseconds over presence observations (one instance per kiosk).

    Timestamps must not decrease; a decrease raises ``ValueError``.
    """

    def __init__(self, cfg: PresenceConfig) -> None:
        self.cfg = cfg
        self.reset()

    def reset(self) -> None:
        """Forget everything (e.g. after a session)."""
        self._last_ts: int | None = None
        self._facing_since: int | None = None
        self._last_facing: int | None = None
        self._last_face: int | None = None

    def update(self, ts_ms: int, obs: PresenceObservation) -> PresenceState:
        """Add one observation at ``ts_ms`` and return the presence state."""
        if self._last_ts is not None and ts_ms < self._last_ts:
            raise ValueError(f"ts_ms must not decrease, but got {ts_ms} after {self._last_ts}")
        self._last_ts = ts_ms
        cfg = self.cfg
        if obs.face:
            self._last_face = ts_ms
        if obs.facing:
            if self._facing_since is None or (
                self._last_facing is not None and ts_ms - self._last_facing > cfg.dropout_grace_ms
            ):
                self._facing_since = ts_ms
            self._last_facing = ts_ms
        elif self._last_facing is not None and ts_ms - self._last_facing > cfg.dropout_grace_ms:
            self._facing_since = None
            self._last_facing = None
        facing_ms = 0 if self._facing_since is None else ts_ms - self._facing_since
        absent_ms = 0 if obs.face else (
            ts_ms - self._last_face if self._last_face is not None else cfg.leave_after_ms
        )
        if cfg.start_after_ms <= 0:
            progress = 1.0 if self._facing_since is not None else 0.0
        else:
            progress = min(1.0, facing_ms / cfg.start_after_ms)
        return PresenceState(
            engaged=self._facing_since is not None and facing_ms >= cfg.start_after_ms,
            gone=absent_ms >= cfg.leave_after_ms,
            facing_ms=facing_ms,
            progress=progress,
            absent_ms=absent_ms,
        )
