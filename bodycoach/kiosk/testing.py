"""Test doubles for the kiosk: a synthetic face extractor and frame-source wrappers that misbehave.

Used by ``tests/test_kiosk*.py`` and ``benchmarks/kiosk_soak.py``; shipped (like
``landmarks.recording.ReplayExtractor``) so a room can rehearse failures without a camera. Pure numpy.

- ``SyntheticFaceExtractor``: a frontal face whenever the frame is not black, nobody when it is.
- ``ScriptedOpener``: wraps a source factory and, by frame and attempt counts, makes the source vanish
  (read error), refuse to open (unplugged / busy), go black (the person left), repeat one frame (a stuck
  driver) or stop delivering (a hung driver).
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from bodycoach.errors import VideoReadError
from bodycoach.types import FACE_POINTS, Landmarks

Frame = npt.NDArray[np.uint8]


def synthetic_face(ts_ms: int, wh: tuple[int, int], yaw_deg: float = 0.0, width: float = 0.3) -> Landmarks:
    """Landmarks with a face mesh whose cheek edges and nose tip give ``yaw_deg`` (see ``presence``)."""
    face = np.full((FACE_POINTS, 4), 0.5, dtype=np.float32)
    face[:, 3] = 1.0
    face[234, 0] = 0.5 - width / 2
    face[454, 0] = 0.5 + width / 2
    face[1, 0] = 0.5 + math.sin(math.radians(yaw_deg)) * width / 2
    return Landmarks(timestamp_ms=ts_ms, image_wh=wh, face=face, num_faces=1)


class SyntheticFaceExtractor:
    """Reports a frontal face whenever the frame's mean brightness is at least ``min_mean``.

    Attributes:
        calls: Frames seen.
        fail_at: Call numbers (1-based) at which ``extract`` raises ``RuntimeError`` (a coach crash).
    """

    def __init__(self, min_mean: float = 16.0, yaw_deg: float = 0.0, fail_at: set[int] | None = None) -> None:
        self.min_mean = min_mean
        self.yaw_deg = yaw_deg
        self.fail_at = set(fail_at or ())
        self.calls = 0
        self.resets = 0
        self.closed = False

    def extract(self, frame_bgr: Frame, timestamp_ms: int) -> Landmarks:
        """Return a face when the frame is not black, else empty landmarks."""
        self.calls += 1
        if self.calls in self.fail_at:
            raise RuntimeError(f"synthetic model failure at call {self.calls}")
        h, w = frame_bgr.shape[:2]
        if float(frame_bgr[::8, ::8].mean()) < self.min_mean:
            return Landmarks.empty(timestamp_ms, (w, h))
        return synthetic_face(timestamp_ms, (w, h), self.yaw_deg)

    def reset(self) -> None:
        """Forget the followed person."""
        self.resets += 1

    def close(self) -> None:
        """Nothing to release."""
        self.closed = True


@dataclass
class Script:
    """What goes wrong, counted in frames delivered by the opener (all sources together).

    Attributes:
        vanish_at: After this many frames the current source raises ``VideoReadError`` (unplugged).
        refuse_opens: Then this many open attempts fail (still unplugged, or busy).
        black: Frame index ranges [start, stop) delivered black (nobody in front of the camera).
        repeat_from: From this frame on, the same frame is delivered again and again (stuck driver),
            until ``repeat_frames`` repeats have been delivered; then normal.
        hang_at: After this many frames the source stops delivering (blocks) until it is abandoned.
    """

    vanish_at: int | None = None
    refuse_opens: int = 0
    black: list[tuple[int, int]] = field(default_factory=list)
    repeat_from: int | None = None
    repeat_frames: int = 0
    hang_at: int | None = None


class ScriptedOpener:
    """A source factory that wraps ``open_inner`` and misbehaves according to a ``Script``.

    Call it like ``open_source``; pass it as ``KioskApp(open_source=...)``. Thread-safe counters so tests
    can assert what happened.
    """

    def __init__(self, open_inner: Callable[[], Any], script: Script) -> None:
        self.open_inner = open_inner
        self.script = script
        self.delivered = 0
        self.opens = 0
        self.refused = 0
        self.vanished = 0
        self.hung = 0
        self._lock = threading.Lock()
        self._release = threading.Event()

    def release_hang(self) -> None:
        """Let a hung source return (so its thread ends)."""
        self._release.set()

    def __call__(self) -> _ScriptedSource:
        """Open the wrapped source (or refuse, per the script)."""
        s = self.script
        with self._lock:
            self.opens += 1
            vanished_before = s.vanish_at is not None and self.delivered >= s.vanish_at
            if vanished_before and self.refused < s.refuse_opens:
                self.refused += 1
                raise VideoReadError("camera 0: cannot be opened (no such camera, or it is busy)")
        return _ScriptedSource(self, self.open_inner())


class _ScriptedSource:
    def __init__(self, opener: ScriptedOpener, inner: Any) -> None:
        self.o = opener
        self.inner = inner
        self.info = getattr(inner, "info", None)

    def __iter__(self) -> Iterator[tuple[Frame, int]]:
        o, s = self.o, self.o.script
        repeated: tuple[Frame, int] | None = None
        reps = 0
        last_ts = 0
        for frame, ts in self.inner:
            with o._lock:
                n = o.delivered
                if s.vanish_at is not None and n == s.vanish_at and o.vanished == 0:
                    o.vanished += 1
                    vanish = True
                else:
                    vanish = False
                hang = s.hang_at is not None and n == s.hang_at and o.hung == 0
                if hang:
                    o.hung += 1
            if vanish:
                raise VideoReadError("camera 0: the camera stopped delivering frames (unplugged or busy?)")
            if hang:
                o._release.wait()
                return
            if s.repeat_from is not None and n >= s.repeat_from and reps < s.repeat_frames:
                if repeated is None:
                    repeated = (frame, ts)
                frame = repeated[0]
                reps += 1
            if any(a <= n < b for a, b in s.black):
                # Dark sensor noise, like an empty dim room: no face, yet never two identical frames.
                frame = np.random.default_rng(n).integers(0, 8, size=frame.shape, dtype=np.uint8)
            last_ts = max(ts, last_ts + 1)
            with o._lock:
                o.delivered += 1
            yield frame, last_ts

    def close(self) -> None:
        self.inner.close()


class ArraySource:
    """A frame source from a list of frames (looped), with timestamps ``i * every_ms``."""

    def __init__(self, frames: list[Frame], every_ms: int = 40, loop: bool = True) -> None:
        if not frames:
            raise ValueError("frames must not be empty")
        self.frames = frames
        self.every_ms = every_ms
        self.loop = loop
        self.closed = False

    def __iter__(self) -> Iterator[tuple[Frame, int]]:
        i = 0
        while not self.closed:
            if i >= len(self.frames) and not self.loop:
                return
            yield self.frames[i % len(self.frames)], i * self.every_ms
            i += 1

    def close(self) -> None:
        """Stop iterating."""
        self.closed = True
