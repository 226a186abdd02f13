"""Locate files shipped with bodycoach: calibration tables and bundled sample clips.

``calibration/`` lives at the top of the repository (every threshold, with its unit and reason) and is
installed as the package ``bodycoach.calibration`` (see ``pyproject.toml``), so both a checkout and an
installed wheel find the same files.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

_REPO = Path(__file__).resolve().parent.parent


def calibration_file(name: str) -> Path:
    """Return the path of ``calibration/<name>`` from the checkout or the installed package."""
    local = _REPO / "calibration" / name
    if local.exists():
        return local
    try:
        p = Path(str(resources.files("bodycoach.calibration") / name))
    except ModuleNotFoundError:
        return local
    return p


def sample_video(name: str = "") -> Path:
    """Return the path of a bundled sample clip (or the folder when ``name`` is empty).

    A checkout has ``sample_videos/`` at the top; an installed wheel has it as package data in
    ``bodycoach/sample_videos`` (see ``pyproject.toml``).
    """
    local = _REPO / "sample_videos"
    if not local.exists():
        installed = Path(__file__).resolve().parent / "sample_videos"
        if installed.exists():
            local = installed
    return local / name if name else local
