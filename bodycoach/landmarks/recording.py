"""Save and load ``Landmarks`` sequences as ``.npz`` (NaN where a part is absent), and replay them.

File layout (all float32 unless noted; N = analysed frames):
``t_ms`` (N,) int64, ``image_wh`` (N, 2) int32, ``num_faces`` (N,) int16, ``pose`` (N, 33, 4),
``face`` (N, 478, 4), ``left_hand`` (N, 21, 4), ``right_hand`` (N, 21, 4), ``pose_world`` (N, 33, 4),
``mirrored`` (N,) bool, ``format_version`` () int. Hands are the person's left and right.
Since format 2, when any frame has one: ``mouth_hog`` (N, D) float32 (the lower-face appearance vector,
NaN rows where absent) and ``mouth_hog_version`` () int (``bodycoach.types.MOUTH_HOG_VERSION`` when it was
computed). Files without them (format 1) load with ``mouth_hog=None``, and so do vectors of another
version (the fitted models would not match them): the smile classifier then uses the geometry alone.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from bodycoach.errors import BodycoachError
from bodycoach.types import FACE_POINTS, HAND_POINTS, MOUTH_HOG_VERSION, POSE_POINTS, FloatArray, Landmarks

FORMAT_VERSION = 2
_PARTS = {"pose": POSE_POINTS, "face": FACE_POINTS, "left_hand": HAND_POINTS, "right_hand": HAND_POINTS,
          "pose_world": POSE_POINTS}


class LandmarkBuffer:
    """Collect landmarks frame by frame into preallocated-on-demand float32 blocks (no per-frame dicts)."""

    def __init__(self) -> None:
        self._t: list[int] = []
        self._wh: list[tuple[int, int]] = []
        self._nf: list[int] = []
        self._mirrored: list[bool] = []
        self._parts: dict[str, list[FloatArray | None]] = {k: [] for k in _PARTS}
        self._hog: list[FloatArray | None] = []
        self._hog_dim: int | None = None

    def __len__(self) -> int:
        return len(self._t)

    def append(self, lm: Landmarks) -> None:
        """Add one frame."""
        self._t.append(lm.timestamp_ms)
        self._wh.append(lm.image_wh)
        self._nf.append(lm.num_faces)
        self._mirrored.append(lm.mirrored)
        for k in _PARTS:
            self._parts[k].append(getattr(lm, k))
        vec = lm.mouth_hog
        if vec is not None:
            if self._hog_dim is None:
                self._hog_dim = len(vec)
            elif len(vec) != self._hog_dim:
                raise ValueError(f"mouth_hog must keep one length in a recording ({self._hog_dim}), "
                                 f"but got {len(vec)} at t_ms={lm.timestamp_ms}")
        self._hog.append(vec)

    def arrays(self) -> dict[str, npt.NDArray[Any]]:
        """Return the npz arrays."""
        n = len(self._t)
        out: dict[str, npt.NDArray[Any]] = {
            "t_ms": np.asarray(self._t, dtype=np.int64).reshape(n),
            "image_wh": np.asarray(self._wh, dtype=np.int32).reshape(n, 2),
            "num_faces": np.asarray(self._nf, dtype=np.int16).reshape(n),
            "mirrored": np.asarray(self._mirrored, dtype=bool).reshape(n),
            "format_version": np.asarray(FORMAT_VERSION),
        }
        for k, npts in _PARTS.items():
            block = np.full((n, npts, 4), np.nan, dtype=np.float32)
            for i, a in enumerate(self._parts[k]):
                if a is not None:
                    block[i] = a
            out[k] = block
        if self._hog_dim is not None:
            hog = np.full((n, self._hog_dim), np.nan, dtype=np.float32)
            for i, v in enumerate(self._hog):
                if v is not None:
                    hog[i] = v
            out["mouth_hog"] = hog
            out["mouth_hog_version"] = np.asarray(MOUTH_HOG_VERSION)
        return out


def save_landmarks(path: str | Path, seq: Iterable[Landmarks] | LandmarkBuffer) -> Path:
    """Write ``seq`` to ``path`` atomically (a temporary file renamed into place)."""
    buf = seq if isinstance(seq, LandmarkBuffer) else LandmarkBuffer()
    if not isinstance(seq, LandmarkBuffer):
        for lm in seq:
            buf.append(lm)
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".landmarks-", suffix=".npz", dir=p.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            np.savez_compressed(fh, **buf.arrays())
        os.replace(tmp, p)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return p


def load_landmarks(path: str | Path) -> list[Landmarks]:
    """Read a sequence written by ``save_landmarks``.

    Raises:
        BodycoachError: the file is missing or not a landmarks recording.
    """
    p = Path(path)
    if not p.exists():
        raise BodycoachError(f"{p}: no such file")
    try:
        with np.load(p) as z:
            data = {k: z[k] for k in z.files}
    except (OSError, ValueError) as exc:
        raise BodycoachError(f"{p}: not a landmarks recording ({exc})") from None
    missing = [k for k in ("t_ms", "pose", "face", "left_hand", "right_hand") if k not in data]
    if missing:
        raise BodycoachError(f"{p}: not a landmarks recording (missing {', '.join(missing)})")
    n = len(data["t_ms"])
    wh = data.get("image_wh", np.zeros((n, 2), dtype=np.int32))
    nf = data.get("num_faces", np.zeros(n, dtype=np.int16))
    world = data.get("pose_world")
    mirrored = data.get("mirrored", np.zeros(n, dtype=bool))
    hog = data.get("mouth_hog")
    if hog is not None and (hog.ndim != 2 or len(hog) != n or hog.shape[1] == 0
                            or int(data.get("mouth_hog_version", -1)) != MOUTH_HOG_VERSION):
        hog = None  # another descriptor version (or a damaged block): fall back to geometry
    out = []
    for i in range(n):
        out.append(Landmarks(
            timestamp_ms=int(data["t_ms"][i]), image_wh=(int(wh[i][0]), int(wh[i][1])),
            pose=data["pose"][i], face=data["face"][i], left_hand=data["left_hand"][i],
            right_hand=data["right_hand"][i], pose_world=None if world is None else world[i],
            num_faces=int(nf[i]), mirrored=bool(mirrored[i]), mouth_hog=None if hog is None else hog[i],
        ))
    return out


class ReplayExtractor:
    """An ``Extractor`` that hands out recorded landmarks in order, ignoring the frame's pixels.

    The timestamp passed to ``extract`` replaces the recorded one, so a replay can be driven by any clock.
    After the recording runs out it returns empty landmarks (or loops with ``loop=True``).
    """

    def __init__(self, seq: Sequence[Landmarks] | str | Path, loop: bool = False) -> None:
        self._seq = load_landmarks(seq) if isinstance(seq, (str, Path)) else list(seq)
        self._i = 0
        self.loop = loop

    def extract(self, frame_bgr: object, timestamp_ms: int) -> Landmarks:
        """Return the next recorded frame, re-stamped at ``timestamp_ms``."""
        if self._i >= len(self._seq):
            if not self.loop or not self._seq:
                return Landmarks.empty(timestamp_ms)
            self._i = 0
        lm = self._seq[self._i]
        self._i += 1
        return Landmarks(timestamp_ms=timestamp_ms, image_wh=lm.image_wh, pose=lm.pose, face=lm.face,
                         left_hand=lm.left_hand, right_hand=lm.right_hand, pose_world=lm.pose_world,
                         num_faces=lm.num_faces, mirrored=lm.mirrored, mouth_hog=lm.mouth_hog)

    def reset(self) -> None:
        """Start again from the first frame."""
        self._i = 0

    def close(self) -> None:
        """Nothing to release."""
