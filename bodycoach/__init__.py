"""bodycoach: an on-device body-language coach for front-desk and reception trainees."""

from __future__ import annotations

__version__ = "0.1.0"
