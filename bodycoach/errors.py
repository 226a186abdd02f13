"""Typed errors. Messages name the field or file, the value and what was expected, on one line."""

from __future__ import annotations


class BodycoachError(Exception):
    """Base class of every error bodycoach raises on purpose."""


class ConfigError(BodycoachError):
    """A config or calibration value is missing, unknown or out of range."""


class VideoReadError(BodycoachError):
    """A video file or camera cannot be opened or decoded."""


class LandmarkerError(BodycoachError):
    """The landmark models could not be loaded or run."""


class StoreError(BodycoachError):
    """The session store cannot be read or written."""
