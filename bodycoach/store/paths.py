"""Where the session store lives, and how files get into it safely.

The data folder is ``--home`` when given, else ``$BODYCOACH_HOME``, else the platform's user data
directory (``platformdirs.user_data_dir("bodycoach")``, e.g. ``~/.local/share/bodycoach`` on Linux).
Files copied or uploaded into the store get generated names under ``<home>/videos``: a file name from
outside (an upload's name, ``../../etc/passwd``) never becomes a path.
"""

from __future__ import annotations

import errno
import os
import shutil
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

from bodycoach.errors import StoreError

ENV_HOME = "BODYCOACH_HOME"
DB_NAME = "sessions.db"
VIDEO_DIR = "videos"
#: Container formats accepted for uploads and kept videos (lower-case suffixes).
VIDEO_SUFFIXES = frozenset({".mp4", ".mov", ".m4v", ".avi", ".mkv", ".webm", ".y4m", ".mjpeg", ".mjpg"})
#: Largest upload accepted: 2 GiB is ~30 min of 720p H.264 at a generous bitrate.
MAX_UPLOAD_BYTES = 2 * 1024**3
_CHUNK = 1024 * 1024


def resolve_home(home: str | os.PathLike[str] | None = None) -> Path:
    """Return the data folder: ``home``, else ``$BODYCOACH_HOME``, else the user data directory."""
    if home is not None and str(home) != "":
        return Path(home).expanduser()
    env = os.environ.get(ENV_HOME, "")
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("bodycoach", appauthor=False))


def size_text(n: float) -> str:
    """A byte count for people: "512 kB", "20 MB", "2.1 GB" (never "0 MB" for a small limit)."""
    if n < 1e6:
        return f"{n / 1e3:.0f} kB"
    if n < 1e9:
        return f"{n / 1e6:.0f} MB"
    return f"{n / 1e9:.1f} GB"


def video_suffix(name: str) -> str:
    """Return the lower-case suffix of ``name`` when it is an accepted video container.

    Raises:
        StoreError: the suffix is not one of ``VIDEO_SUFFIXES``.
    """
    suffix = Path(str(name).replace("\\", "/")).suffix.lower()
    if suffix not in VIDEO_SUFFIXES:
        allowed = ", ".join(sorted(VIDEO_SUFFIXES))
        raise StoreError(f"{Path(str(name).replace(chr(92), '/')).name!r}: file type {suffix or '(none)'!r} is "
                         f"not accepted; expected one of {allowed}")
    return suffix


def store_stream(chunks: Iterable[bytes], videos_dir: Path, suffix: str, max_bytes: int, label: str) -> Path:
    """Write ``chunks`` to a new generated file under ``videos_dir``; all-or-nothing.

    Args:
        chunks: The file content.
        videos_dir: Target folder (created when missing).
        suffix: Accepted suffix from ``video_suffix``.
        max_bytes: Size limit; exceeding it removes the partial file and raises.
        label: How to name the source in error messages.

    Returns:
        The path of the stored file (``<videos_dir>/<uuid><suffix>``).

    Raises:
        StoreError: too large, disk full or not writable; no partial file is left behind.
    """
    videos_dir.mkdir(parents=True, exist_ok=True)
    final = videos_dir / f"{uuid.uuid4().hex}{suffix}"
    tmp = final.with_suffix(final.suffix + ".part")
    written = 0
    try:
        with open(tmp, "xb") as fh:
            for chunk in chunks:
                written += len(chunk)
                if written > max_bytes:
                    raise StoreError(
                        f"{label}: larger than the limit of {size_text(max_bytes)}; expected a smaller video"
                    )
                fh.write(chunk)
            fh.flush()
            os.fsync(fh.fileno())
        if written == 0:
            raise StoreError(f"{label}: the file is empty; expected a video")
        os.replace(tmp, final)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        # Named by the label, not the data folder's absolute path: an upload's error goes to a browser.
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            raise StoreError(f"{label}: the disk of the data folder is full; free some space and retry "
                             f"(nothing stored before was changed)") from exc
        raise StoreError(f"{label}: cannot be stored in the data folder ({exc.strerror or 'write error'})") from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return final


def iter_file(fh: BinaryIO) -> Iterable[bytes]:
    """Yield a binary file in 1 MiB chunks."""
    while True:
        chunk = fh.read(_CHUNK)
        if not chunk:
            return
        yield chunk


def copy_into(src: Path, videos_dir: Path, max_bytes: int = MAX_UPLOAD_BYTES) -> Path:
    """Copy the video ``src`` into ``videos_dir`` under a generated name (size-checked)."""
    suffix = video_suffix(src.name)
    try:
        size = src.stat().st_size
    except OSError as exc:
        raise StoreError(
            f"{src}: cannot read ({exc.strerror or exc}); expected an existing video file"
        ) from exc
    if size > max_bytes:
        raise StoreError(f"{src}: {size_text(size)} is larger than the limit of {size_text(max_bytes)}")
    free = shutil.disk_usage(videos_dir.parent if videos_dir.parent.exists() else Path.cwd()).free
    if size > free:
        raise StoreError(f"{videos_dir}: the disk is full ({free / 1e6:.0f} MB free, {size / 1e6:.0f} MB "
                         f"needed)")
    with open(src, "rb") as fh:
        return store_stream(iter_file(fh), videos_dir, suffix, max_bytes, str(src))


def is_inside(path: Path, folder: Path) -> bool:
    """Whether ``path`` resolves to somewhere inside ``folder`` (symlinks and ``..`` resolved)."""
    try:
        path.resolve().relative_to(folder.resolve())
    except ValueError:
        return False
    return True
