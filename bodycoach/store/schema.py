"""SQLite schema of the session store and its migrations.

The schema version lives in ``PRAGMA user_version``. ``MIGRATIONS[i]`` upgrades a database from version
``i`` to ``i + 1``; each runs in one transaction, so a failed upgrade leaves the file at the old version.
A database whose version is newer than ``SCHEMA_VERSION`` is refused without being touched.

Layout (why it looks like this):

* ``frames`` holds one row per analysed frame with three tiny blobs: per-behaviour label codes, stable
  state codes (``uint16`` each, indices into ``vocab``) and scores (``uint8``, score × 255). A 10-minute
  session at 5 fps is ~3000 rows of ~60 bytes: the timeline loads in milliseconds.
* ``landmarks`` is separate (float16, zlib) so listing and timelines never read it; it is only read to
  draw one moment or to re-analyse a session.
* ``vocab`` maps label strings to small ints once per database, so codes stay stable when a newer
  classifier adds labels.
"""

from __future__ import annotations

SCHEMA_VERSION = 5

_V1 = """
CREATE TABLE vocab (
    code INTEGER PRIMARY KEY,
    label TEXT NOT NULL UNIQUE
);
CREATE TABLE sessions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    trainee TEXT NOT NULL,
    scenario TEXT,
    source TEXT,
    started_at TEXT NOT NULL,              -- ISO 8601, UTC
    updated_at TEXT NOT NULL,
    duration_s REAL,                        -- set by close(); NULL while recording
    status TEXT NOT NULL DEFAULT 'recording', -- recording | complete | incomplete
    status_reason TEXT,
    behaviours TEXT NOT NULL,               -- JSON list: order of the codes in frames blobs
    calibration TEXT,                       -- JSON or NULL
    video_path TEXT,                        -- relative to the data folder when the store owns it
    video_owned INTEGER NOT NULL DEFAULT 0, -- 1 = the store copied it and deletes it with the session
    app_version TEXT,
    frame_count INTEGER NOT NULL DEFAULT 0,
    first_ts_ms INTEGER,
    last_ts_ms INTEGER
);
CREATE INDEX sessions_trainee ON sessions(trainee, started_at);
CREATE TABLE frames (
    session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    ts_ms INTEGER NOT NULL,
    labels BLOB NOT NULL,
    states BLOB NOT NULL,
    scores BLOB NOT NULL,
    PRIMARY KEY (session_id, ts_ms)
) WITHOUT ROWID;
CREATE TABLE landmarks (
    session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    ts_ms INTEGER NOT NULL,
    image_w INTEGER NOT NULL,
    image_h INTEGER NOT NULL,
    num_faces INTEGER NOT NULL,
    data BLOB NOT NULL
);
CREATE UNIQUE INDEX landmarks_key ON landmarks(session_id, ts_ms);
CREATE TABLE phases (
    session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    phase TEXT NOT NULL,
    start_ms INTEGER NOT NULL,
    end_ms INTEGER
);
CREATE INDEX phases_session ON phases(session_id, start_ms);
CREATE TABLE events (
    session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    behaviour TEXT NOT NULL,
    label TEXT NOT NULL,
    start_ms INTEGER NOT NULL,
    end_ms INTEGER,
    peak_score REAL NOT NULL DEFAULT 0,
    UNIQUE (session_id, behaviour, label, start_ms)
);
"""

_V2 = """
CREATE TABLE corrections (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    behaviour TEXT NOT NULL,
    start_ms INTEGER NOT NULL,
    end_ms INTEGER NOT NULL,
    wrong_label TEXT,                 -- what bodycoach said ("crossed_chest"), when the trainer rejects it
    correct_label TEXT,               -- what it was, when the trainer knows (NULL = only "not that")
    note TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX corrections_session ON corrections(session_id, start_ms);
"""

# v3: ``Landmarks.mirrored`` (a selfie view: x runs the other way round the person) is kept, so a
# stored moment is drawn and re-analysed the way it was seen. Older rows were not mirrored-aware: 0.
_V3 = """
ALTER TABLE landmarks ADD COLUMN mirrored INTEGER NOT NULL DEFAULT 0;
"""

# v4: ``bodycoach batch`` keeps what it analysed (content hash of the file and analysis version), so a
# second run of the same folder adds nothing. Unique only where set: ``analyze --save`` and the live coach
# leave both NULL and may record the same file twice on purpose.
_V4 = """
ALTER TABLE sessions ADD COLUMN content_hash TEXT;
ALTER TABLE sessions ADD COLUMN analysis_version TEXT;
CREATE UNIQUE INDEX sessions_recording ON sessions(content_hash, analysis_version)
    WHERE content_hash IS NOT NULL;
"""

# v5: the voice of a session (``bodycoach.voice``): its summary and events as JSON, and its tracks (time,
# activity, level, pitch, pace every 100 ms) as one compressed npz blob, ~10 kB for 10 minutes. One row
# per session; sessions analysed with --no-voice or without audio have none.
_V5 = """
CREATE TABLE voice (
    session_id INTEGER PRIMARY KEY REFERENCES sessions(id) ON DELETE CASCADE,
    summary TEXT NOT NULL,
    events TEXT NOT NULL,
    track BLOB
);
"""

#: ``MIGRATIONS[i]`` takes the schema from version ``i`` to ``i + 1``.
MIGRATIONS: tuple[str, ...] = (_V1, _V2, _V3, _V4, _V5)

assert len(MIGRATIONS) == SCHEMA_VERSION
