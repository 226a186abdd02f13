"""Read a TOML settings file with one-line errors (shared by every config loader)."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from bodycoach.errors import ConfigError


def read_toml(path: str | Path, what: str = "file") -> dict[str, Any]:
    """Return the parsed TOML at ``path``.

    Args:
        path: The file.
        what: How to name a missing file in the error ("file", "config file", ...).

    Raises:
        ConfigError: the file is missing, unreadable or not TOML (one line naming the file).
    """
    p = Path(path)
    if not p.exists():
        raise ConfigError(f"{p}: no such {what}")
    try:
        with p.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{p}: not valid TOML, cannot read it ({exc})") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{p}: cannot read it ({exc.__class__.__name__}: {exc})") from None
