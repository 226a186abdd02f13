"""Build small test clips on the fly (no binary fixtures needed beyond sample_videos/)."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterable
from pathlib import Path

import cv2
import numpy as np


def write_clip(path: Path, frames: Iterable[np.ndarray], fps: float = 10.0, fourcc: str = "mp4v",
               is_color: bool = True) -> Path:
    frames = list(frames)
    h, w = frames[0].shape[:2]
    vw = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*fourcc), fps, (w, h), is_color)
    assert vw.isOpened(), f"cannot write {path} with {fourcc}"
    for f in frames:
        vw.write(f)
    vw.release()
    return path


def noise_frames(n: int, w: int, h: int, seed: int = 0) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [rng.integers(0, 255, (h, w, 3), dtype=np.uint8) for _ in range(n)]


def read_frames(path: Path, n: int, size: tuple[int, int] | None = None) -> list[np.ndarray]:
    cap = cv2.VideoCapture(str(path))
    out = []
    while len(out) < n:
        ok, f = cap.read()
        if not ok:
            break
        out.append(cv2.resize(f, size) if size else f)
    cap.release()
    return out


def ffmpeg(*args: str) -> bool:
    """Run ffmpeg quietly; False when it is not installed."""
    exe = shutil.which("ffmpeg")
    if exe is None:
        return False
    subprocess.run([exe, "-y", "-loglevel", "error", *args], check=True)
    return True
