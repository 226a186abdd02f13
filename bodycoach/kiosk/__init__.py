"""Kiosk mode for training rooms: pure logic (no cv2, mediapipe or streamlit).

``config`` (validated TOML), ``presence`` (is somebody facing the kiosk, over time), ``machine`` (attract →
session → summary → reset), ``watchdog`` (reopen back-off, frozen source, coach error budget), ``layout``
(window size → boxes and font sizes) and ``texts`` (Norwegian / English words). The window, camera and
coach live in ``bodycoach.apps.kiosk_app``.
"""

from __future__ import annotations

from bodycoach.kiosk.config import KioskConfig, load_kiosk_config
from bodycoach.kiosk.machine import EndReason, KioskMachine, KioskView, Screen
from bodycoach.kiosk.presence import PresenceObservation, PresenceTracker, observe

__all__ = [
    "EndReason",
    "KioskConfig",
    "KioskMachine",
    "KioskView",
    "PresenceObservation",
    "PresenceTracker",
    "Screen",
    "load_kiosk_config",
    "observe",
]
