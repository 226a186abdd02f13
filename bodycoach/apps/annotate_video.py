"""Annotated MP4 of a stored session: the kept (or given) video with the overlay burned in.

Every video frame gets the stable states of the nearest analysed frame (within one analysis step) and
its landmarks, drawn by ``bodycoach.render.overlay.annotate`` (Pillow text, so æ, ø and å render).
Encoding goes through the ``ffmpeg`` program (H.264, yuv420p, faststart: plays in browsers) when it is
installed, else OpenCV's ``mp4v`` writer. The output is written to a temporary file and renamed at the
end: a failed or cancelled export leaves no half-written MP4.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from bodycoach.errors import BodycoachError, StoreError, VideoReadError

Progress = Callable[[int, int], None]


class Cancelled(BodycoachError):
    """The export was cancelled; nothing was written."""


class _FfmpegWriter:
    def __init__(self, path: Path, w: int, h: int, fps: float) -> None:
        cmd = [
            shutil.which("ffmpeg") or "ffmpeg", "-hide_banner", "-loglevel", "error", "-y",
            "-f", "rawvideo", "-pix_fmt", "bgr24", "-s", f"{w}x{h}", "-r", f"{fps:.3f}", "-i", "-",
            "-an", "-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-pix_fmt", "yuv420p",
            "-vf", "pad=ceil(iw/2)*2:ceil(ih/2)*2", "-movflags", "+faststart", "-f", "mp4", str(path),
        ]
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stderr=subprocess.PIPE)

    def write(self, frame: np.ndarray[Any, Any]) -> None:
        assert self.proc.stdin is not None
        try:
            self.proc.stdin.write(np.ascontiguousarray(frame).tobytes())
        except BrokenPipeError as exc:
            err = self.proc.stderr.read().decode(errors="replace").strip() if self.proc.stderr else ""
            raise StoreError(f"ffmpeg stopped while encoding: {err or exc}") from exc

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        rc = self.proc.wait()
        if rc != 0:
            err = self.proc.stderr.read().decode(errors="replace").strip() if self.proc.stderr else ""
            raise StoreError(f"ffmpeg failed (exit {rc}): {err[-300:]}")

    def abort(self) -> None:
        self.proc.kill()
        self.proc.wait()


class _CvWriter:
    def __init__(self, path: Path, w: int, h: int, fps: float) -> None:
        import cv2

        self.w = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, (w, h))
        if not self.w.isOpened():
            raise StoreError(f"{path}: OpenCV cannot write an MP4 here; expected a writable path")

    def write(self, frame: np.ndarray[Any, Any]) -> None:
        self.w.write(frame)

    def close(self) -> None:
        self.w.release()

    def abort(self) -> None:
        self.w.release()


def _check_same_recording(data: Any, info: Any, lm: Any, session_id: int) -> None:
    """Refuse to draw a session's overlay on an unrelated recording (other length or other picture shape).

    The session's last analysed frame must lie inside the video (within one second or 10 %), a complete
    session must not be much shorter than the video, and the stored frame size must have the video's shape.
    """
    session_s = float(data.timestamps_ms[-1]) / 1000.0
    video_s = float(info.duration_s or 0.0)
    slack = max(1.0, 0.1 * max(session_s, video_s))
    if video_s > 0 and (video_s + slack < session_s
                        or (data.info.status == "complete" and session_s + slack < video_s
                            and data.info.duration_s + slack < video_s)):
        raise VideoReadError(f"{info.source}: {video_s:.1f} s long, but session {session_id} covers "
                             f"{max(session_s, data.info.duration_s):.1f} s; expected the recording of that "
                             f"session")
    if lm is not None and lm.image_wh[0] > 0 and lm.image_wh[1] > 0 and info.width > 0 and info.height > 0:
        a_lm = lm.image_wh[0] / lm.image_wh[1]
        a_v = info.width / info.height
        if abs(a_lm - a_v) > 0.03 * a_v:
            raise VideoReadError(f"{info.source}: {info.width}x{info.height}, but session {session_id} was "
                                 f"recorded at {lm.image_wh[0]}x{lm.image_wh[1]}; expected the recording of that "
                                 f"session")


def annotate_session_video(store: Any, session_id: int, out: Path, *, video: Path | None = None,
                           lang: str = "no", progress: Progress | None = None,
                           cancel: threading.Event | None = None, use_ffmpeg: bool | None = None) -> Path:
    """Write ``out`` (MP4): the session's video with the overlay of its stored states burned in.

    Args:
        store: A ``SessionStore``.
        session_id: The session.
        out: Output path (``.mp4``).
        video: The recording to annotate; default the video kept with the session.
        lang: Badge language, ``"no"`` or ``"en"``.
        progress: Called as ``progress(done_frames, total_frames)``.
        cancel: Set it to stop; raises ``Cancelled`` and leaves no output.
        use_ffmpeg: Force (True) or avoid (False) the ffmpeg encoder; default: when installed.

    Raises:
        StoreError: No video for the session, or the output cannot be written.
        VideoReadError: The video cannot be read.
        Cancelled: ``cancel`` was set.
    """
    from bodycoach.io.video import open_source
    from bodycoach.render.overlay import annotate

    data = store.load(session_id)
    src = Path(video) if video is not None else data.info.video_path
    if src is None:
        raise StoreError(f"session {session_id}: no video was kept; pass --video PATH of the recording")
    if not src.exists():
        raise VideoReadError(f"{src}: the session's video is missing; expected the recording (pass --video)")
    if len(data) == 0:
        raise StoreError(f"session {session_id}: no analysed frames; nothing to draw")
    landmarks = {lm.timestamp_ms: lm for lm in store.iter_landmarks(session_id)}
    from bodycoach.review.timeline import frame_step_ms

    tolerance = frame_step_ms(data.timestamps_ms)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.stem}.{os.getpid()}.part.mp4")
    if use_ffmpeg is None:
        use_ffmpeg = shutil.which("ffmpeg") is not None
    source = open_source(src)
    info = source.info
    try:
        _check_same_recording(data, info, next(iter(landmarks.values()), None), session_id)
    except BaseException:
        source.close()
        raise
    fps = info.fps if info.fps and info.fps > 0 else 25.0
    total = max(0, int(info.frame_count))
    writer: _FfmpegWriter | _CvWriter | None = None
    done = 0
    try:
        for frame, ts in source:
            if cancel is not None and cancel.is_set():
                raise Cancelled(f"{out}: export cancelled; nothing was written")
            if writer is None:
                h, w = frame.shape[:2]
                writer = _FfmpegWriter(tmp, w, h, fps) if use_ffmpeg else _CvWriter(tmp, w, h, fps)
            i = data.index_at(ts)
            if abs(int(data.timestamps_ms[i]) - ts) <= tolerance:
                t_i = int(data.timestamps_ms[i])
                result = data.frame_result(i, landmarks.get(t_i))
                frame = annotate(frame, result, lang=lang, inplace=True)
            writer.write(frame)
            done += 1
            if progress is not None:
                progress(done, max(total, done))
        if writer is None:
            raise VideoReadError(f"{src}: no frames could be read; expected a playable video")
        writer.close()
        writer = None
        os.replace(tmp, out)
    except BaseException:
        if writer is not None:
            writer.abort()
        tmp.unlink(missing_ok=True)
        raise
    finally:
        source.close()
    return out
