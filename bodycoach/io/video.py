"""Frames and timestamps from a video file or a camera, behind one interface. Nothing else.

A *source* is a file path or a camera index. ``open_source`` validates it up front and raises
``VideoReadError`` with a one-line message naming the source and what is wrong, so callers (CLI, live
app, kiosk) can show it as is. Frames are BGR ``uint8`` arrays of shape (H, W, 3) whatever the file holds
(grayscale and alpha are converted); timestamps are integer milliseconds from the start of the source,
strictly increasing: for files the container's presentation time of each frame (right for
variable-frame-rate recordings), for cameras the monotonic clock.
"""

from __future__ import annotations

import errno
import math
import os
import queue
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt

from bodycoach.errors import VideoReadError

Frame = npt.NDArray[np.uint8]

# Containers OpenCV's FFmpeg backend reads here (checked in tests/test_video.py).
VIDEO_SUFFIXES = (".mp4", ".m4v", ".mov", ".webm", ".mkv", ".avi", ".y4m", ".mjpeg", ".mjpg")

# A camera that reports no frame rate is assumed to run at this rate (frames per second) only for
# ``VideoInfo.fps``; camera timestamps come from the monotonic clock, never from this number.
_FALLBACK_FPS = 30.0
# A file that reports neither presentation times nor a frame rate: frames this many milliseconds apart.
_FALLBACK_FRAME_MS = 1000.0 / _FALLBACK_FPS
# Presentation times at or above this (ms, ~11.6 days) are treated as missing (garbage from a stream
# without timestamps).
_MAX_PTS_MS = 1e9


@dataclass(frozen=True)
class VideoInfo:
    """Facts about a source.

    Attributes:
        source: The path or ``camera:<index>``.
        width: Frame width in pixels.
        height: Frame height in pixels.
        fps: Frames per second reported by the container or camera (0.0 when unknown).
        frame_count: Frames reported by the container (0 for cameras or when unknown).
        duration_s: ``frame_count / fps`` for files, 0.0 for cameras.
        is_camera: Whether the source is a live camera.
    """

    source: str
    width: int
    height: int
    fps: float
    frame_count: int
    duration_s: float
    is_camera: bool

    def to_dict(self) -> dict[str, object]:
        """Return a JSON-ready dict."""
        return {
            "source": self.source,
            "width": self.width,
            "height": self.height,
            "fps": round(self.fps, 3),
            "frame_count": self.frame_count,
            "duration_s": round(self.duration_s, 3),
            "is_camera": self.is_camera,
        }


def to_bgr(frame: npt.NDArray[np.generic]) -> Frame:
    """Return ``frame`` as a 3-channel BGR ``uint8`` image (grayscale and BGRA are converted)."""
    f: Any = np.asarray(frame)
    if f.dtype != np.uint8:
        if np.issubdtype(f.dtype, np.floating):
            f = np.clip(np.nan_to_num(f) * (255.0 if f.max(initial=0) <= 1.0 else 1.0), 0, 255)
        f = np.clip(f, 0, 255).astype(np.uint8)
    if f.ndim == 2:
        return np.asarray(cv2.cvtColor(f, cv2.COLOR_GRAY2BGR), dtype=np.uint8)
    if f.ndim == 3 and f.shape[2] == 1:
        return np.asarray(cv2.cvtColor(f[:, :, 0], cv2.COLOR_GRAY2BGR), dtype=np.uint8)
    if f.ndim == 3 and f.shape[2] == 4:
        return np.asarray(cv2.cvtColor(f, cv2.COLOR_BGRA2BGR), dtype=np.uint8)
    if f.ndim == 3 and f.shape[2] == 3:
        return np.asarray(f, dtype=np.uint8)
    raise VideoReadError(f"frame must be HxW, HxWx1, HxWx3 or HxWx4, but got shape {f.shape}")


class _PresentationClock:
    """Frame times of one pass through a file, from the container's presentation times.

    OpenCV's ``CAP_PROP_POS_MSEC`` after ``grab()`` is the grabbed frame's presentation time (pts, from the
    stream start), so variable-frame-rate recordings (what phones write) get the moment each frame was
    shown, not ``index x 1000 / average fps`` (which drifted by 1.2 s on a 10 fps -> 25 fps clip).
    Streams without presentation times (raw MJPEG gives a huge negative number) or a time that does not
    move forward fall back to the previous frame's time plus one average frame.
    """

    def __init__(self, frame_ms: float) -> None:
        self.frame_ms = frame_ms
        self.origin_ms: float | None = None
        self.last_ms = -frame_ms  # the first frame without a presentation time is at 0

    def time_ms(self, pos_ms: float) -> float:
        """Time of the frame just grabbed, ms from the first frame of this pass."""
        t: float | None = None
        if math.isfinite(pos_ms) and 0.0 <= pos_ms < _MAX_PTS_MS:
            if self.origin_ms is None:
                self.origin_ms = pos_ms - max(self.last_ms + self.frame_ms, 0.0)
            t = pos_ms - self.origin_ms
        if t is None or t <= self.last_ms:
            t = self.last_ms + self.frame_ms
        self.last_ms = t
        return t


class VideoSource:
    """Iterate ``(frame_bgr, timestamp_ms)`` from a file or camera.

    Args:
        source: A file path, or a camera index (int or a string of digits).
        every_ms: Analyse at most one frame per this many milliseconds of source time; the frames in
            between are grabbed but not converted (cheaper). None = every frame.
        loop: Start a file again at its end (demo and kiosk); timestamps keep increasing.
        prefetch: Decode on a background thread, this many frames ahead (0 = decode inline).
    """

    def __init__(self, source: str | Path | int, every_ms: float | None = None, loop: bool = False,
                 prefetch: int = 0) -> None:
        if every_ms is not None and not (every_ms >= 0):
            raise VideoReadError(f"every_ms must be >= 0, but got {every_ms}")
        self.every_ms = float(every_ms) if every_ms else 0.0
        self.loop = loop
        self.prefetch = max(0, int(prefetch))
        self.frames_read = 0
        self.ended_early = False
        self._stop = threading.Event()
        self._cap, self.info = _open(source)

    # -- iteration -----------------------------------------------------------------------------
    def __iter__(self) -> Iterator[tuple[Frame, int]]:
        """Yield frames with strictly increasing timestamps."""
        if self.prefetch <= 0:
            yield from self._frames()
            return
        q: queue.Queue[tuple[Frame, int] | BaseException | None] = queue.Queue(maxsize=self.prefetch)

        def worker() -> None:
            try:
                for item in self._frames():
                    while not self._stop.is_set():
                        try:
                            q.put(item, timeout=0.1)
                            break
                        except queue.Full:
                            continue
                    if self._stop.is_set():
                        return
            except BaseException as exc:  # handed to the consumer, raised there
                q.put(exc)
                return
            q.put(None)

        t = threading.Thread(target=worker, name="bodycoach-decode", daemon=True)
        t.start()
        try:
            while True:
                item = q.get()
                if item is None:
                    return
                if isinstance(item, BaseException):
                    raise item
                yield item
        finally:
            self._stop.set()
            t.join(timeout=2.0)

    def _frames(self) -> Iterator[tuple[Frame, int]]:
        cap = self._cap
        info = self.info
        next_ms = 0.0
        last_ts = -1
        offset_ms = 0.0
        t0 = time.monotonic()
        idx = 0
        fps = info.fps if 0 < info.fps < 1000 else 0.0
        frame_ms = 1000.0 / fps if fps else _FALLBACK_FRAME_MS
        clock = _PresentationClock(frame_ms)
        while not self._stop.is_set():
            if info.is_camera:
                ok = cap.grab()
                ts_f = (time.monotonic() - t0) * 1000.0
            else:
                ok = cap.grab()
                if ok:
                    ts_f = offset_ms + clock.time_ms(cap.get(cv2.CAP_PROP_POS_MSEC))
                    idx += 1
            if not ok:
                if info.is_camera:
                    raise VideoReadError(f"{info.source}: the camera stopped delivering frames (unplugged or busy?)")
                if self.loop and self.frames_read > 0:
                    # Reopen rather than seek: not every container seeks back reliably. The next pass
                    # starts one (average) frame after the last frame of this one.
                    offset_ms += clock.last_ms + frame_ms
                    clock = _PresentationClock(frame_ms)
                    idx = 0
                    cap.release()
                    self._cap = cap = _open(info.source)[0]
                    continue
                if info.frame_count and idx < info.frame_count * 0.95 - 1:
                    self.ended_early = True
                return
            if self.every_ms and ts_f + 1e-6 < next_ms:
                continue
            ok, frame = cap.retrieve()
            if not ok or frame is None:
                if info.is_camera:
                    raise VideoReadError(f"{info.source}: the camera returned an empty frame")
                self.ended_early = True
                return
            ts = int(round(ts_f))
            if ts <= last_ts:
                ts = last_ts + 1
            last_ts = ts
            if self.every_ms:
                next_ms = max(next_ms + self.every_ms, ts_f + self.every_ms * 0.5)
            self.frames_read += 1
            yield to_bgr(frame), ts

    # -- lifecycle ------------------------------------------------------------------------------
    def close(self) -> None:
        """Release the file or camera."""
        self._stop.set()
        self._cap.release()

    def __enter__(self) -> VideoSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _parse_camera(source: str | Path | int) -> int | None:
    if isinstance(source, bool):
        return None
    if isinstance(source, int):
        return source
    s = str(source)
    if s.isdigit() and not Path(s).exists():
        return int(s)
    return None


def _open(source: str | Path | int) -> tuple[cv2.VideoCapture, VideoInfo]:
    index = _parse_camera(source)
    if index is None and isinstance(source, str) and source.startswith("camera:") and source[7:].isdigit():
        index = int(source[7:])
    if index is not None:
        return _open_camera(index)
    return _open_file(Path(str(source)))


def _open_camera(index: int) -> tuple[cv2.VideoCapture, VideoInfo]:
    name = f"camera {index}"
    if index < 0:
        raise VideoReadError(f"{name}: camera index must be >= 0")
    if not Path(f"/dev/video{index}").exists() and os.name == "posix" and Path("/dev").exists():
        raise VideoReadError(f"{name}: no such camera (/dev/video{index} does not exist)")
    cap = cv2.VideoCapture(index)
    if not cap.isOpened():
        cap.release()
        raise VideoReadError(f"{name}: cannot be opened (no such camera, or it is busy)")
    ok, frame = cap.read()
    if not ok or frame is None:
        cap.release()
        raise VideoReadError(f"{name}: opened but delivers no frames (busy or unplugged?)")
    h, w = frame.shape[:2]
    fps = float(cap.get(cv2.CAP_PROP_FPS) or 0.0) or _FALLBACK_FPS
    return cap, VideoInfo(f"camera:{index}", w, h, fps, 0, 0.0, True)


def _open_file(path: Path) -> tuple[cv2.VideoCapture, VideoInfo]:
    try:
        path.stat()
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise VideoReadError(f"{path}: a symbolic link loop (the link leads back to itself); expected a "
                                 f"video file") from None
    if not path.exists():
        raise VideoReadError(f"{path}: no such file")
    if path.is_dir():
        raise VideoReadError(f"{path}: is a folder, expected a video file")
    size = path.stat().st_size
    if size == 0:
        raise VideoReadError(f"{path}: file is empty (0 bytes)")
    if not os.access(path, os.R_OK):
        raise VideoReadError(f"{path}: permission denied")
    # FFmpeg opens a JPEG/PNG/... as a one-frame "video" whatever its name: refuse a still image by its
    # signature (OpenCV's image codecs). An .mjpeg stream starts like a JPEG and is a real video.
    if path.suffix.lower() not in (".mjpeg", ".mjpg") and cv2.haveImageReader(str(path)):
        raise VideoReadError(f"{path}: an image, not a video (renamed {path.suffix or 'without a suffix'}?); "
                             f"expected a recording ({', '.join(VIDEO_SUFFIXES)})")
    cap = cv2.VideoCapture(str(path), cv2.CAP_FFMPEG)
    if not cap.isOpened():
        cap.release()
        raise VideoReadError(
            f"{path}: not a readable video (truncated, corrupt or not a video; "
            f"expected one of {', '.join(VIDEO_SUFFIXES)})"
        )
    w = int(cap.get(cv2.CAP_PROP_FRAME_WIDTH) or 0)
    h = int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT) or 0)
    fps = float(cap.get(cv2.CAP_PROP_FPS) or 0.0)
    n = int(cap.get(cv2.CAP_PROP_FRAME_COUNT) or 0)
    if not (0 < fps < 1000):
        fps = 0.0
    if n < 0 or n > 10**9:
        n = 0
    # Probe the first frame: a header that opens but holds no decodable frame is an error, not empty.
    ok = cap.grab()
    if not ok:
        cap.release()
        raise VideoReadError(f"{path}: contains no decodable frames (truncated or corrupt)")
    ok, frame = cap.retrieve()
    if not ok or frame is None:
        cap.release()
        raise VideoReadError(f"{path}: contains no decodable frames (truncated or corrupt)")
    if w <= 0 or h <= 0:
        h, w = frame.shape[:2]
    # Reopen rather than seek back to frame 0: seeking is inexact for some codecs.
    cap.release()
    cap = cv2.VideoCapture(str(path), cv2.CAP_FFMPEG)
    duration = n / fps if fps and n else 0.0
    return cap, VideoInfo(str(path), w, h, fps, n, duration, False)


def open_source(source: str | Path | int, every_ms: float | None = None, loop: bool = False,
                prefetch: int = 0) -> VideoSource:
    """Open a file path or camera index; see ``VideoSource``.

    Raises:
        VideoReadError: the source is missing, empty, unreadable or delivers no frames.
    """
    return VideoSource(source, every_ms=every_ms, loop=loop, prefetch=prefetch)


def read_image(path: str | Path) -> Frame:
    """Read a still image as BGR ``uint8``.

    Raises:
        VideoReadError: the file is missing or not a readable image.
    """
    p = Path(path)
    if not p.exists():
        raise VideoReadError(f"{p}: no such file")
    img = cv2.imread(str(p), cv2.IMREAD_UNCHANGED)
    if img is None:
        raise VideoReadError(f"{p}: not a readable image")
    return to_bgr(img)
