"""Compact binary encodings of per-frame labels and landmarks (pure numpy + zlib).

Labels and stable states are ``uint16`` codes (little endian) in the session's behaviour order; scores
are ``uint8`` (score × 255, rounded). Landmarks are the blocks pose (33), face (478), left hand (21),
right hand (21) and pose world (33) stacked into a (586, 4) ``float16`` array, NaN where a block is
absent, zlib-compressed. float16 keeps normalised coordinates to ~0.0005 (under one pixel at 1280 px),
which is plenty to draw a moment or re-run the classifiers.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from bodycoach.types import FACE_POINTS, HAND_POINTS, POSE_POINTS, Landmarks

_BLOCKS: tuple[tuple[str, int], ...] = (
    ("pose", POSE_POINTS),
    ("face", FACE_POINTS),
    ("left_hand", HAND_POINTS),
    ("right_hand", HAND_POINTS),
    ("pose_world", POSE_POINTS),
)
LANDMARK_ROWS = sum(n for _, n in _BLOCKS)


def encode_codes(codes: Sequence[int]) -> bytes:
    """Pack label codes as little-endian ``uint16``."""
    return np.asarray(codes, dtype="<u2").tobytes()


def decode_codes(blob: bytes) -> npt.NDArray[np.uint16]:
    """Unpack ``encode_codes`` output."""
    return np.frombuffer(blob, dtype="<u2")


def encode_scores(scores: Sequence[float]) -> bytes:
    """Pack scores in 0..1 as ``uint8`` (NaN → 0)."""
    a = np.nan_to_num(np.asarray(scores, dtype=np.float64), nan=0.0)
    return bytes(np.clip(np.rint(a * 255.0), 0, 255).astype(np.uint8).tobytes())


def decode_scores(blob: bytes) -> npt.NDArray[np.float32]:
    """Unpack ``encode_scores`` output to floats in 0..1."""
    return np.frombuffer(blob, dtype=np.uint8).astype(np.float32) / 255.0


def encode_landmarks(lm: Landmarks) -> bytes:
    """Pack the point blocks of ``lm`` into a compressed float16 blob."""
    out = np.full((LANDMARK_ROWS, 4), np.nan, dtype=np.float16)
    row = 0
    for name, n in _BLOCKS:
        block = getattr(lm, name)
        if block is not None:
            out[row:row + n] = np.asarray(block, dtype=np.float32).astype(np.float16)
        row += n
    return zlib.compress(out.tobytes(), 6)


def decode_landmarks(blob: bytes, timestamp_ms: int, image_wh: tuple[int, int], num_faces: int,
                     mirrored: bool = False) -> Landmarks:
    """Rebuild ``Landmarks`` from ``encode_landmarks`` output (absent blocks come back as None)."""
    arr = np.frombuffer(zlib.decompress(blob), dtype=np.float16).reshape(LANDMARK_ROWS, 4).astype(np.float32)
    parts: dict[str, npt.NDArray[np.float32] | None] = {}
    row = 0
    for name, n in _BLOCKS:
        block = arr[row:row + n]
        parts[name] = None if np.isnan(block[:, :2]).all() else block.copy()
        row += n
    return Landmarks(timestamp_ms=timestamp_ms, image_wh=image_wh, pose=parts["pose"], face=parts["face"],
                     left_hand=parts["left_hand"], right_hand=parts["right_hand"],
                     pose_world=parts["pose_world"], num_faces=num_faces, mirrored=bool(mirrored))
