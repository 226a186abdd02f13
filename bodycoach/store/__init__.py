"""Session store: one SQLite file (WAL, versioned schema) under the data folder.

See ``bodycoach.store.sessions`` for the API and ``docs/review.md`` for the user view.
"""

from __future__ import annotations

from bodycoach.store.paths import resolve_home
from bodycoach.store.schema import SCHEMA_VERSION
from bodycoach.store.sessions import (
    Correction,
    PhaseSegment,
    SessionData,
    SessionInfo,
    SessionRecord,
    SessionStore,
    SessionWriter,
    migrate,
)

__all__ = [
    "SCHEMA_VERSION",
    "Correction",
    "PhaseSegment",
    "SessionData",
    "SessionInfo",
    "SessionRecord",
    "SessionStore",
    "SessionWriter",
    "migrate",
    "resolve_home",
]
