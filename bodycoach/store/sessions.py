"""The session store: one SQLite file (WAL) under the data folder, written incrementally.

Usage (what ``bodycoach analyze --save`` and the live coach do)::

    store = SessionStore(home)
    writer = store.create_session(trainee="Kari", scenario="rude", source="clip.mp4")
    for result in results:
        writer.add_frame(result, phase="reception")
    writer.add_events(events)
    writer.close(duration_s=62.0)        # or writer.abort("camera lost") on failure

``add_frame`` buffers and commits at least once per ``commit_every_s`` seconds of media time or wall
time, so a crash loses at most that much. A commit that fails (disk full, database locked past the
timeout) raises ``StoreError`` and keeps the buffered frames for the next try; what was committed
before is never touched.
"""

from __future__ import annotations

import io
import json
import logging
import math
import os
import sqlite3
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, BinaryIO, cast

import numpy as np
import numpy.typing as npt

from bodycoach.errors import StoreError
from bodycoach.safetext import NOTE_MAX_CHARS, TRAINEE_MAX_CHARS, check_free_text
from bodycoach.store import backend, codec, paths
from bodycoach.store.schema import MIGRATIONS, SCHEMA_VERSION
from bodycoach.types import (
    UNKNOWN,
    Behaviour,
    Classification,
    Features,
    FeedbackEvent,
    FrameResult,
    Landmarks,
)

log = logging.getLogger(__name__)

#: Seconds to wait for another program holding the database lock before giving up.
DEFAULT_TIMEOUT_S = 10.0
#: Commit at least this often (media time or wall time): the most a crash can lose.
DEFAULT_COMMIT_EVERY_S = 1.0

STATUS_RECORDING = "recording"
STATUS_COMPLETE = "complete"
STATUS_INCOMPLETE = "incomplete"
#: Left "recording" by a program that stopped without closing it (kill -9, crash, power cut): found and
#: marked on the next start of a store; its frames are kept.
STATUS_INTERRUPTED = "interrupted"
REASON_USER_INTERRUPT = "interrupted by the user"
#: Folder (under the data folder) of the lock files that say "this session is being recorded right now".
RECORDING_LOCKS_DIR = ".recording"
#: On PostgreSQL the "being recorded" lock is a server-side advisory lock (this key, the session id) held
#: by the recording program's connection: the server drops it when that program dies, and every PC of a
#: room sees it (a lock file would only be seen on the PC that wrote it).
_PG_RECORDING_LOCK = 0x7265636F  # "reco"

try:  # POSIX advisory locks: released by the kernel when the recording program dies, however it dies
    import fcntl as _fcntl
except ImportError:  # pragma: no cover - Windows: no stale-session recovery
    _fcntl = None  # type: ignore[assignment]


def _try_lock(path: Path, create: bool) -> int | None:
    """Open ``path`` and take an exclusive non-blocking lock; the fd, or None when another program holds it."""
    if _fcntl is None:
        return None
    flags = os.O_RDWR | (os.O_CREAT if create else 0)
    try:
        fd = os.open(path, flags, 0o600)
    except FileNotFoundError:
        return -1  # no lock file at all: nobody is recording it
    try:
        _fcntl.flock(fd, _fcntl.LOCK_EX | _fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        return None
    return fd


def _now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _version() -> str:
    try:
        from bodycoach import __version__

        return str(__version__)
    except ImportError:  # pragma: no cover
        return "unknown"


def check_trainee(value: str | None) -> str:
    """Return the trainee name stripped and NFC-normalised, or raise ``StoreError`` (1..100 plain characters)."""
    try:
        return check_free_text("trainee", value or "", TRAINEE_MAX_CHARS)
    except ValueError as exc:
        raise StoreError(str(exc)) from None


def check_note(value: str | None) -> str | None:
    """Return a correction note stripped (None when blank), or raise ``StoreError`` (at most 2,000 characters)."""
    if value is None:
        return None
    try:
        return check_free_text("note", value, NOTE_MAX_CHARS, allow_empty=True) or None
    except ValueError as exc:
        raise StoreError(str(exc)) from None


def _scenario_aliases() -> dict[str, str]:
    """Every spelling of a customer type (key, Norwegian and English name, without æøå) → its key."""
    import unicodedata

    from bodycoach.feedback.scenarios import CUSTOMER_TYPES

    out: dict[str, str] = {}
    for c in CUSTOMER_TYPES:
        for name in (c.key, c.name.no, c.name.en):
            n = name.strip().lower()
            out[n] = c.key
            plain = unicodedata.normalize("NFKD", n.replace("ø", "o").replace("æ", "ae").replace("å", "a"))
            out["".join(ch for ch in plain if not unicodedata.combining(ch))] = c.key
    return out


def check_scenario(value: str | None) -> str | None:
    """The canonical customer-type key of ``value`` ("objektiv", "Objective", "uhoflig" → their key), None for none.

    Raises:
        StoreError: not one of the guide's customer types (the message lists the keys).
    """
    if value is None or not str(value).strip():
        return None
    from bodycoach.feedback.scenarios import CUSTOMER_TYPES

    key = _scenario_aliases().get(str(value).strip().lower())
    if key is None:
        from bodycoach.safetext import preview

        raise StoreError(f"scenario: {preview(str(value))} is not a customer type of the guide; expected one of "
                         f"{', '.join(c.key for c in CUSTOMER_TYPES)} (or the Norwegian name)")
    return key


def _canonical_scenario(stored: str | None) -> str | None:
    """A stored scenario as its key when it is a known spelling (older rows hold 'objektiv', 'shy' ...)."""
    if stored is None:
        return None
    return _scenario_aliases().get(str(stored).strip().lower(), stored)


#: Errors of every back-end the store may be on (sqlite3, psycopg).
_DB_ERRORS = backend.db_errors()


def _translate(exc: BaseException, db: Path | str, action: str, timeout_s: float) -> StoreError:
    """Turn a database error into a one-line ``StoreError`` that says what to do."""
    if not isinstance(exc, sqlite3.Error):
        return backend.translate_pg_error(exc, str(db), action, timeout_s)
    msg = str(exc).lower()
    if "locked" in msg or "busy" in msg:
        return StoreError(
            f"{db}: the session database is locked by another program (waited {timeout_s:g} s) while "
            f"{action}; close other bodycoach windows or retry"
        )
    if "full" in msg:
        return StoreError(
            f"{db}: the disk is full while {action}; free some space and retry "
            "(sessions saved before this point are kept)"
        )
    if "not a database" in msg or "malformed" in msg or "encrypted" in msg:
        return StoreError(f"{db}: not a readable bodycoach session database ({exc}); expected a SQLite file")
    if "readonly" in msg or "unable to open" in msg:
        return StoreError(f"{db}: cannot open for writing ({exc}) while {action}; expected a writable data "
                          f"folder")
    return StoreError(f"{db}: database error while {action}: {exc}")


def _connect(db: Path, timeout_s: float) -> sqlite3.Connection:
    """Open ``db``, refuse a newer schema, enable WAL and migrate an older one."""
    try:
        conn = sqlite3.connect(str(db), timeout=timeout_s, isolation_level=None, check_same_thread=False)
    except sqlite3.Error as exc:
        raise _translate(exc, db, "opening", timeout_s) from exc
    try:
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{db}: schema version {version} is newer than this bodycoach supports ({SCHEMA_VERSION}); "
                "upgrade bodycoach to open it (the file was not changed)"
            )
        conn.execute("PRAGMA journal_mode=WAL")
        # NORMAL in WAL mode: a committed transaction survives a crash of the program (not always a
        # power cut), without an fsync per commit.
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA foreign_keys=ON")
        # Deleted sessions are overwritten with zeros, not left readable in free pages.
        conn.execute("PRAGMA secure_delete=ON")
        migrate(conn, SCHEMA_VERSION)
    except sqlite3.Error as exc:
        conn.close()
        raise _translate(exc, db, "opening", timeout_s) from exc
    except BaseException:
        conn.close()
        raise
    return conn


def _connect_postgres(url: str, timeout_s: float) -> backend.PgConnection:
    """Open a PostgreSQL store: refuse a newer schema, migrate an older one (same steps as SQLite)."""
    conn = backend.connect_postgres(url, timeout_s)
    try:
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{conn.where}: schema version {version} is newer than this bodycoach supports "
                f"({SCHEMA_VERSION}); upgrade bodycoach to open it (the database was not changed)")
        migrate(conn, SCHEMA_VERSION)  # type: ignore[arg-type]
    except _DB_ERRORS as exc:
        conn.close()
        raise _translate(exc, conn.where, "opening", timeout_s) from exc
    except BaseException:
        conn.close()
        raise
    return conn


def _statements(script: str) -> list[str]:
    """Split an SQL script into complete statements (``sqlite3.complete_statement`` knows comments/quotes)."""
    out, buf = [], ""
    for line in script.splitlines(keepends=True):
        buf += line
        if sqlite3.complete_statement(buf):
            out.append(buf.strip())
            buf = ""
    if buf.strip():
        out.append(buf.strip())
    return out


def migrate(conn: sqlite3.Connection, target: int = SCHEMA_VERSION) -> int:
    """Upgrade the schema of ``conn`` step by step up to ``target``; return the final version.

    Each step runs in its own ``BEGIN IMMEDIATE`` transaction together with the version bump, and the
    version is read inside that transaction: two programs opening an old database at once upgrade it
    once, and an interrupted upgrade leaves the database at the previous version.
    """
    while True:
        conn.execute("BEGIN IMMEDIATE")
        try:
            version = int(conn.execute("PRAGMA user_version").fetchone()[0])
            if version >= target:
                conn.execute("COMMIT")
                return version
            for stmt in _statements(MIGRATIONS[version]):
                conn.execute(stmt)
            conn.execute(f"PRAGMA user_version={version + 1}")
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise


@dataclass(frozen=True)
class SessionInfo:
    """One row of the sessions list.

    Attributes:
        id: Session id (an integer, never reused).
        trainee: Name or pseudonym.
        scenario: Customer type or exercise, or None.
        source: Where the frames came from (a file path, ``camera:0``), or None.
        started_at: ISO 8601 UTC time the session was created.
        duration_s: Length in seconds (from ``close`` or, for an unfinished session, the frames saved).
        status: ``recording`` (never closed: the program stopped), ``complete`` or ``incomplete``.
        status_reason: Why a session is incomplete.
        frame_count: Frames saved.
        video_path: Absolute path of the kept video, or None.
        video_owned: Whether the store owns the video (it is deleted with the session).
        calibration: The calibration used (JSON object) or None.
        behaviours: Behaviour order of the stored codes.
        app_version: bodycoach version that recorded it.
        problem: What is wrong with the stored row (damaged JSON), or None. A session with a problem is
            still listed; ``load`` refuses it only when the frames cannot be read.
    """

    id: int
    trainee: str
    scenario: str | None
    source: str | None
    started_at: str
    duration_s: float
    status: str
    status_reason: str | None
    frame_count: int
    video_path: Path | None
    video_owned: bool
    calibration: Any
    behaviours: tuple[str, ...]
    app_version: str | None
    problem: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        extra = {} if self.problem is None else {"problem": self.problem}
        return {**extra, 
            "id": self.id,
            "trainee": self.trainee,
            "scenario": self.scenario,
            "source": self.source,
            "started_at": self.started_at,
            "duration_s": round(self.duration_s, 3),
            "status": self.status,
            "status_reason": self.status_reason,
            "frame_count": self.frame_count,
            "video_path": None if self.video_path is None else str(self.video_path),
            "calibration": self.calibration,
            "app_version": self.app_version,
        }


@dataclass(frozen=True)
class PhaseSegment:
    """A phase of the encounter from ``start_ms`` to ``end_ms`` (None = until the end)."""

    phase: str
    start_ms: int
    end_ms: int | None

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {"phase": self.phase, "start_ms": self.start_ms, "end_ms": self.end_ms}


@dataclass(frozen=True)
class Correction:
    """A trainer's correction of a label over a time span.

    Attributes:
        id: Correction id.
        session_id: Session it belongs to.
        behaviour: Behaviour corrected (``arms``).
        start_ms: Start of the span.
        end_ms: End of the span (equal to ``start_ms`` for one moment).
        wrong_label: The label bodycoach gave that the trainer rejects, or None.
        correct_label: The label it really was, or None when only "not that" is known.
        note: Free text.
        created_at: ISO 8601 UTC.
    """

    id: int
    session_id: int
    behaviour: str
    start_ms: int
    end_ms: int
    wrong_label: str | None
    correct_label: str | None
    note: str | None
    created_at: str

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {
            "id": self.id, "session_id": self.session_id, "behaviour": self.behaviour,
            "start_ms": self.start_ms, "end_ms": self.end_ms, "wrong_label": self.wrong_label,
            "correct_label": self.correct_label, "note": self.note, "created_at": self.created_at,
        }


@dataclass
class SessionData:
    """A loaded session: per-frame arrays plus phases, events and corrections.

    Attributes:
        info: The session row.
        timestamps_ms: (N,) int64 frame times.
        labels: Per behaviour, (N,) object array of per-frame labels.
        states: Per behaviour, (N,) object array of stable (debounced) labels.
        scores: Per behaviour, (N,) float32 scores in 0..1 (1/255 resolution).
        phases: Phase segments in time order.
        events: Stored events in time order.
        corrections: Trainer corrections.
    """

    info: SessionInfo
    timestamps_ms: npt.NDArray[np.int64]
    labels: dict[str, npt.NDArray[np.object_]]
    states: dict[str, npt.NDArray[np.object_]]
    scores: dict[str, npt.NDArray[np.float32]]
    phases: list[PhaseSegment] = field(default_factory=list)
    events: list[FeedbackEvent] = field(default_factory=list)
    corrections: list[Correction] = field(default_factory=list)

    @property
    def behaviours(self) -> tuple[str, ...]:
        """Behaviours stored for this session."""
        return self.info.behaviours

    def __len__(self) -> int:
        return int(self.timestamps_ms.shape[0])

    def index_at(self, ts_ms: float) -> int:
        """Index of the stored frame nearest to ``ts_ms`` (0 for an empty session)."""
        n = len(self)
        if n == 0:
            return 0
        i = int(np.searchsorted(self.timestamps_ms, ts_ms))
        if i >= n:
            return n - 1
        if i > 0 and ts_ms - self.timestamps_ms[i - 1] <= self.timestamps_ms[i] - ts_ms:
            return i - 1
        return i

    def phase_at(self, ts_ms: float) -> str | None:
        """Phase at ``ts_ms`` or None."""
        current = None
        for seg in self.phases:
            if seg.start_ms <= ts_ms and (seg.end_ms is None or ts_ms <= seg.end_ms):
                current = seg.phase
        return current

    def frame_result(self, i: int, landmarks: Landmarks | None = None) -> FrameResult:
        """Rebuild the ``FrameResult`` of frame ``i`` (landmarks empty unless given)."""
        ts = int(self.timestamps_ms[i])
        classes: dict[Behaviour, Classification] = {}
        states: dict[Behaviour, str] = {}
        for name in self.behaviours:
            try:
                b = Behaviour(name)
            except ValueError:
                continue
            classes[b] = Classification(b, str(self.labels[name][i]), float(self.scores[name][i]), ts)
            st = str(self.states[name][i])
            if st != UNKNOWN:
                states[b] = st
        lm = landmarks if landmarks is not None else Landmarks.empty(ts)
        return FrameResult(landmarks=lm, features=Features.empty(ts), classifications=classes, states=states)

    def frame_results(self) -> Iterator[FrameResult]:
        """Yield every stored frame as a ``FrameResult`` (without landmarks)."""
        for i in range(len(self)):
            yield self.frame_result(i)


FrameRow = tuple[int, tuple[str, ...], tuple[str, ...], tuple[float, ...]]
LandmarkRow = tuple[int, int, int, int, int, bytes]


def _frame_rows(result: FrameResult, behaviours: Sequence[str],
                keep_landmarks: bool) -> tuple[FrameRow, LandmarkRow | None]:
    """What one frame result is stored as: (ts, labels, states, scores) and the landmark row (or None)."""
    ts = int(result.timestamp_ms)
    known = Behaviour._value2member_map_
    labels = tuple(result.label(Behaviour(b)) if b in known else UNKNOWN for b in behaviours)
    states = tuple(result.state(Behaviour(b)) if b in known else UNKNOWN for b in behaviours)
    scores = []
    for b in behaviours:
        c = result.classifications.get(Behaviour(b)) if b in known else None
        s = 0.0 if c is None else float(c.score)
        scores.append(0.0 if math.isnan(s) else s)
    lm = result.landmarks
    lm_row: LandmarkRow | None = None
    if keep_landmarks and not lm.is_empty:
        lm_row = (ts, int(lm.image_wh[0]), int(lm.image_wh[1]), int(lm.num_faces),
                  int(bool(getattr(lm, "mirrored", False))), codec.encode_landmarks(lm))
    return (ts, labels, states, tuple(scores)), lm_row


def _write_rows(conn: sqlite3.Connection, sid: int, code: Callable[[str], int], frames: Sequence[FrameRow],
                landmarks: Sequence[LandmarkRow], events: Iterable[FeedbackEvent],
                phase_ops: Sequence[tuple[str, int, str | None]], first_ts: int | None,
                last_ts: int | None) -> None:
    """Write buffered rows of session ``sid`` inside the caller's transaction (one code path for the
    incremental writer and the one-transaction ``save_record``)."""
    rows = [
        (sid, ts, codec.encode_codes([code(x) for x in labels]), codec.encode_codes([code(x) for x in states]),
         codec.encode_scores(scores))
        for ts, labels, states, scores in frames
    ]
    conn.executemany(
        "INSERT OR REPLACE INTO frames(session_id, ts_ms, labels, states, scores) VALUES (?,?,?,?,?)", rows)
    conn.executemany(
        "INSERT OR REPLACE INTO landmarks(session_id, ts_ms, image_w, image_h, num_faces, mirrored, "
        "data) VALUES (?,?,?,?,?,?,?)",
        [(sid, *r) for r in landmarks],
    )
    conn.executemany(
        "INSERT INTO events(session_id, behaviour, label, start_ms, end_ms, peak_score) "
        "VALUES (?,?,?,?,?,?) ON CONFLICT(session_id, behaviour, label, start_ms) DO UPDATE SET "
        "end_ms=COALESCE(excluded.end_ms, events.end_ms), peak_score=MAX(events.peak_score, "
        "excluded.peak_score)",
        [(sid, str(e.behaviour), e.label, int(e.start_ms), None if e.end_ms is None else int(e.end_ms),
          float(e.peak_score)) for e in events],
    )
    for op, ts, phase in phase_ops:
        if op == "close":
            conn.execute("UPDATE phases SET end_ms=? WHERE session_id=? AND end_ms IS NULL", (ts, sid))
        else:
            conn.execute("INSERT INTO phases(session_id, phase, start_ms, end_ms) VALUES (?,?,?,NULL)",
                         (sid, phase, ts))
    conn.execute(
        "UPDATE sessions SET frame_count=frame_count+?, first_ts_ms=COALESCE(first_ts_ms, ?), "
        "last_ts_ms=COALESCE(?, last_ts_ms), updated_at=? WHERE id=?",
        (len(frames), first_ts, last_ts, _now_iso(), sid),
    )


def _vocab_code(conn: sqlite3.Connection, cache: dict[str, int], label: str) -> int:
    code = cache.get(label)
    if code is None:
        # Look first: an INSERT that conflicts would still use up a number on PostgreSQL.
        row = conn.execute("SELECT code FROM vocab WHERE label=?", (label,)).fetchone()
        if row is None:
            conn.execute("INSERT OR IGNORE INTO vocab(label) VALUES (?)", (label,))
            row = conn.execute("SELECT code FROM vocab WHERE label=?", (label,)).fetchone()
        code = int(row[0])
        if code > 0xFFFF:
            raise StoreError(f"vocab: label {label!r} got code {code}; expected at most 65535 labels")
        cache[label] = code
    return code


@dataclass
class SessionRecord:
    """A whole analysed session built away from the store (a batch worker), saved in one transaction.

    It buffers exactly what ``SessionWriter`` buffers (same ``add_frame``/``add_events`` rows), so a
    session saved with ``SessionStore.save_record`` is the one ``analyze --save`` writes. Picklable: a
    worker process or a Ray task returns it to the single writer.
    """

    behaviours: tuple[str, ...] = tuple(str(b) for b in Behaviour)
    keep_landmarks: bool = True
    frames: list[FrameRow] = field(default_factory=list)
    landmarks: list[LandmarkRow] = field(default_factory=list)
    events: dict[tuple[str, str, int], FeedbackEvent] = field(default_factory=dict)
    first_ts: int | None = None
    last_ts: int | None = None

    def add_frame(self, result: FrameResult, phase: str | None = None) -> None:
        """Take one analysed frame (phases are not tracked in a recording's analysis)."""
        ts = int(result.timestamp_ms)
        if self.last_ts is not None and ts <= self.last_ts:
            return
        frame_row, lm_row = _frame_rows(result, self.behaviours, self.keep_landmarks)
        self.frames.append(frame_row)
        if lm_row is not None:
            self.landmarks.append(lm_row)
        for ev in result.ended:
            self.events[(str(ev.behaviour), ev.label, int(ev.start_ms))] = ev
        if self.first_ts is None:
            self.first_ts = ts
        self.last_ts = ts

    def add_events(self, events: Iterable[FeedbackEvent]) -> None:
        """Take events (same behaviour/label/start merge, as in the writer)."""
        for ev in events:
            self.events[(str(ev.behaviour), ev.label, int(ev.start_ms))] = ev


def _as_json(value: Any) -> str | None:
    """Serialise a calibration value (mapping, object with ``to_dict``, path or string) as JSON."""
    if value is None:
        return None
    if hasattr(value, "to_dict"):
        value = value.to_dict()
    elif isinstance(value, Path):
        value = {"path": str(value)}
    try:
        return json.dumps(value, default=str, ensure_ascii=False)
    except (TypeError, ValueError) as exc:
        raise StoreError(f"calibration: cannot be saved as JSON ({exc}); expected a mapping") from exc


class SessionWriter:
    """Appends one session's frames, phases and events; commits incrementally.

    Thread-safe: the live coach may call ``add_frame`` from a video thread and ``close`` from the UI.
    Use as a context manager: leaving with an exception calls ``abort``.
    """

    def __init__(self, store: SessionStore, session_id: int, behaviours: Sequence[str], *,
                 keep_landmarks: bool, commit_every_s: float) -> None:
        self.store = store
        self.session_id = session_id
        self.behaviours = tuple(behaviours)
        self.keep_landmarks = keep_landmarks
        self.commit_every_s = float(commit_every_s)
        self._conn = store._open_connection()
        self._lock = threading.Lock()
        self._frames: list[tuple[int, tuple[str, ...], tuple[str, ...], tuple[float, ...]]] = []
        self._landmarks: list[tuple[int, int, int, int, int, bytes]] = []
        self._events: dict[tuple[str, str, int], FeedbackEvent] = {}
        self._phase_ops: list[tuple[str, int, str | None]] = []  # ("open"|"close", ts, phase)
        self._phase: str | None = None
        self._vocab: dict[str, int] = {}
        self._first_ts: int | None = None
        self._last_ts: int | None = None
        self._buffer_start_ts: int | None = None
        self._last_commit = time.monotonic()
        self._saved_frames = 0
        self.closed = False
        self._lock_fd: int | None = None
        self._lock_path: Path | None = None

    @property
    def id(self) -> int:
        """The session id."""
        return self.session_id

    @property
    def pending_frames(self) -> int:
        """Frames buffered but not yet committed."""
        return len(self._frames)

    @property
    def saved_frames(self) -> int:
        """Frames committed so far."""
        return self._saved_frames

    def __enter__(self) -> SessionWriter:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self.closed:
            return
        if exc is None:
            self.close()
        elif isinstance(exc, KeyboardInterrupt):
            self.abort(REASON_USER_INTERRUPT)
        else:
            self.abort(f"{exc_type.__name__ if exc_type else 'error'}: {exc}")

    # -- writing -------------------------------------------------------------------------------------
    def add_frame(self, result: FrameResult, phase: str | None = None) -> None:
        """Buffer one analysed frame; commits when ``commit_every_s`` has passed.

        Args:
            result: The pipeline output of the frame (its ``ended`` events are saved too).
            phase: Phase of the encounter at this frame, or None when not tracked. A change of phase
                closes the previous phase segment.

        Raises:
            StoreError: a due commit failed; the frames stay buffered for the next try.
        """
        ts = int(result.timestamp_ms)
        with self._lock:
            self._check_open()
            if self._last_ts is not None and ts <= self._last_ts:
                log.debug("session %s: frame at %d ms after %d ms ignored",
                          self.session_id, ts, self._last_ts)
                return
            frame_row, lm_row = _frame_rows(result, self.behaviours, self.keep_landmarks)
            self._frames.append(frame_row)
            if lm_row is not None:
                self._landmarks.append(lm_row)
            for ev in result.ended:
                self._events[(str(ev.behaviour), ev.label, int(ev.start_ms))] = ev
            if phase != self._phase:
                if self._phase is not None:
                    self._phase_ops.append(("close", ts, None))
                if phase is not None:
                    self._phase_ops.append(("open", ts, phase))
                self._phase = phase
            if self._first_ts is None:
                self._first_ts = ts
            if self._buffer_start_ts is None:
                self._buffer_start_ts = ts
            self._last_ts = ts
            due_media = (ts - self._buffer_start_ts) >= self.commit_every_s * 1000.0
            due_wall = (time.monotonic() - self._last_commit) >= self.commit_every_s
            if due_media or due_wall:
                self._flush_locked()

    def set_phase(self, phase: str | None, timestamp_ms: int) -> None:
        """Start ``phase`` at ``timestamp_ms`` (for callers that track phases apart from frames)."""
        with self._lock:
            self._check_open()
            if phase == self._phase:
                return
            if self._phase is not None:
                self._phase_ops.append(("close", int(timestamp_ms), None))
            if phase is not None:
                self._phase_ops.append(("open", int(timestamp_ms), phase))
            self._phase = phase

    def add_events(self, events: Iterable[FeedbackEvent]) -> None:
        """Save events (duplicates of ones already saved, same behaviour/label/start, are merged)."""
        with self._lock:
            self._check_open()
            for ev in events:
                self._events[(str(ev.behaviour), ev.label, int(ev.start_ms))] = ev
            self._flush_locked()

    def flush(self) -> None:
        """Commit everything buffered now."""
        with self._lock:
            self._check_open()
            self._flush_locked()

    def close(self, duration_s: float | None = None, *, incomplete: str | None = None) -> SessionInfo:
        """Commit the rest and mark the session complete; returns its info. Idempotent.

        Args:
            duration_s: Length in seconds (default: first to last saved frame).
            incomplete: Everything was saved but the recording itself is short (a truncated file): mark the
                session incomplete with this reason instead of complete.
        """
        with self._lock:
            if not self.closed:
                if incomplete:
                    self._finish_locked(STATUS_INCOMPLETE, str(incomplete)[:500], duration_s)
                else:
                    self._finish_locked(STATUS_COMPLETE, None, duration_s)
        return self.store.get(self.session_id)

    def abort(self, reason: str) -> None:
        """Keep what was recorded, mark the session incomplete with ``reason``; never raises."""
        with self._lock:
            if self.closed:
                return
            try:
                self._finish_locked(STATUS_INCOMPLETE, str(reason or "stopped")[:500], None)
            except StoreError as exc:
                # _finish_locked raises the *flush* error after the status was written: say which happened.
                try:
                    marked = self.store.get(self.session_id).status == STATUS_INCOMPLETE
                except StoreError:
                    marked = False
                if marked:
                    log.warning("session %s: marked incomplete, but its last frames were not saved: %s",
                                self.session_id, exc)
                else:
                    log.warning("session %s could not be marked incomplete: %s", self.session_id, exc)
                self.closed = True
                self._conn.close()
                self._release_lock()

    # -- internals -----------------------------------------------------------------------------------
    def _check_open(self) -> None:
        if self.closed:
            raise StoreError(f"session {self.session_id}: already closed; expected an open session writer")

    def _code(self, label: str) -> int:
        return _vocab_code(self._conn, self._vocab, label)

    def _flush_locked(self) -> None:
        if not (self._frames or self._landmarks or self._events or self._phase_ops):
            self._last_commit = time.monotonic()
            return
        conn = self._conn
        try:
            conn.execute("BEGIN IMMEDIATE")
            vocab_before = dict(self._vocab)
            try:
                _write_rows(conn, self.session_id, self._code, self._frames, self._landmarks,
                            self._events.values(), self._phase_ops, self._first_ts, self._last_ts)
                conn.execute("COMMIT")
            except BaseException:
                self._vocab = vocab_before
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
        except _DB_ERRORS as exc:
            raise _translate(exc, self.store.location, f"saving session {self.session_id}",
                             self.store.timeout_s) from exc
        self._saved_frames += len(self._frames)
        self._frames.clear()
        self._landmarks.clear()
        self._events.clear()
        self._phase_ops.clear()
        self._buffer_start_ts = None
        self._last_commit = time.monotonic()

    def _finish_locked(self, status: str, reason: str | None, duration_s: float | None) -> None:
        if self._phase is not None and self._last_ts is not None:
            self._phase_ops.append(("close", self._last_ts, None))
            self._phase = None
        flush_error: StoreError | None = None
        try:
            self._flush_locked()
        except StoreError as exc:
            flush_error = exc
            status = STATUS_INCOMPLETE
            reason = f"{reason + '; ' if reason else ''}last {len(self._frames)} frames not saved: {exc}"
        if duration_s is None or not math.isfinite(duration_s):
            duration_s = (0.0 if self._first_ts is None or self._last_ts is None
                          else (self._last_ts - self._first_ts) / 1000.0)
        try:
            self._conn.execute(
                "UPDATE sessions SET status=?, status_reason=?, duration_s=?, updated_at=? WHERE id=?",
                (status, reason, float(duration_s), _now_iso(), self.session_id),
            )
        except _DB_ERRORS as exc:
            raise _translate(exc, self.store.location, f"closing session {self.session_id}",
                             self.store.timeout_s) from exc
        finally:
            self.closed = True
            self._conn.close()
            self._release_lock()
        if flush_error is not None:
            raise flush_error

    def _hold_lock(self, path: Path, fd: int) -> None:
        self._lock_path, self._lock_fd = path, fd

    def _release_lock(self) -> None:
        if self.store.url:  # PostgreSQL: the server-side lock taken by create_session
            try:
                with self.store._sql("releasing the recording lock") as c:
                    c.execute("SELECT pg_advisory_unlock(?, ?)", (_PG_RECORDING_LOCK, int(self.session_id)))
            except StoreError as exc:  # the connection is gone: so is the lock
                log.debug("session %s: recording lock not released: %s", self.session_id, exc)
            return
        if self._lock_fd is not None and self._lock_fd >= 0:
            if self._lock_path is not None:
                self._lock_path.unlink(missing_ok=True)
            os.close(self._lock_fd)
        self._lock_fd = None


def _check_frames(session_id: int, frames: Sequence[tuple[Any, ...]], nb: int, vocab_size: int) -> None:
    """Raise ``StoreError`` naming the session and the first damaged frame row (wrong blob size, unknown code)."""
    for ts, labels, states, scores in frames:
        for name, blob, size in (("labels", labels, 2 * nb), ("states", states, 2 * nb), ("scores", scores, nb)):
            if not isinstance(blob, bytes) or len(blob) != size:
                got = f"{len(blob)} bytes" if isinstance(blob, bytes) else type(blob).__name__
                raise StoreError(f"session {session_id}: frame at {ts} ms: {name} is {got}; expected {size} "
                                 f"bytes for {nb} behaviours (the database row is damaged; other sessions are "
                                 f"not affected)")
        for name, blob in (("labels", labels), ("states", states)):
            codes = codec.decode_codes(blob)
            if codes.size and int(codes.max()) >= vocab_size:
                raise StoreError(f"session {session_id}: frame at {ts} ms: {name} holds vocabulary code "
                                 f"{int(codes.max())}, which is not in the vocab table (the database row is "
                                 f"damaged; other sessions are not affected)")


def _decode_landmarks_row(session_id: int, row: Sequence[Any]) -> Landmarks:
    ts, w, h, nf, mirrored, data = row
    try:
        return codec.decode_landmarks(data, int(ts), (int(w), int(h)), int(nf), bool(mirrored))
    except (ValueError, TypeError, zlib.error) as exc:
        raise StoreError(f"session {session_id}: landmarks at {ts} ms cannot be decoded ({exc}); the database "
                         f"row is damaged (other frames are not affected)") from None


class SessionStore:
    """All sessions of one data folder.

    Args:
        home: Data folder (``--home``); None = ``$BODYCOACH_HOME`` or the platform user data dir. Kept
            videos live there whatever the database.
        timeout_s: Seconds to wait for a lock held by another program before a clear error.
        store: Where the sessions are: None = ``$BODYCOACH_STORE`` or, without it, the SQLite file of the
            data folder; ``sqlite:PATH`` (a data folder or a ``.db`` file); ``postgresql://...`` (one
            database shared by a room of PCs, same schema and guarantees; needs ``bodycoach[postgres]``).

    Raises:
        StoreError: the database is from a newer bodycoach, locked, unreadable, or the folder is not
            writable.
    """

    def __init__(self, home: str | Path | None = None, *, timeout_s: float = DEFAULT_TIMEOUT_S,
                 store: str | None = None) -> None:
        url = backend.resolve_store(store)
        db_file: Path | None = None
        if url and url.lower().startswith("sqlite:"):
            target = Path(url[len("sqlite:"):]).expanduser()
            if target.suffix.lower() == ".db":
                db_file, home = target, target.parent
            else:
                home = target
            url = None
        elif url and not backend.is_postgres(url):
            raise StoreError(f"store: got {url!r}; expected postgresql://USER@HOST/DB or sqlite:PATH")
        self.home = paths.resolve_home(home)
        self.timeout_s = float(timeout_s)
        self.url = url
        try:
            self.home.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"{self.home}: cannot create the data folder ({exc.strerror or exc}); "
                             "expected a writable folder (set --home or BODYCOACH_HOME)") from exc
        self.db_path = db_file or self.home / paths.DB_NAME
        self.videos_dir = self.home / paths.VIDEO_DIR
        #: Where the sessions are, for messages (a path, or the URL without its password).
        self.location = backend.redact(url) if url else str(self.db_path)
        self.backend = "postgresql" if url else "sqlite"
        self._conn = self._open_connection()
        self._lock = threading.RLock()
        self.locks_dir = self.home / RECORDING_LOCKS_DIR
        self.recover_interrupted()

    def _recording_lock(self, session_id: int) -> Path:
        return self.locks_dir / f"session-{int(session_id)}.lock"

    def recover_interrupted(self) -> list[int]:
        """Mark sessions left "recording" by a program that died (kill -9, crash) as "interrupted".

        A writer holds an advisory lock on ``<home>/.recording/session-<id>.lock`` while it records; the
        kernel drops it when the program dies, however it dies. A "recording" session whose lock nobody
        holds was therefore interrupted. Its frames are kept; the duration is that of the saved frames.

        Returns:
            The ids marked.
        """
        if _fcntl is None and not self.url:
            return []
        with self._sql("looking for interrupted sessions") as c:
            ids = [int(r[0]) for r in c.execute("SELECT id FROM sessions WHERE status=?", (STATUS_RECORDING,))]
        if self.url:
            return self._recover_interrupted_pg(ids)
        marked = []
        for sid in ids:
            path = self._recording_lock(sid)
            fd = _try_lock(path, create=False)
            if fd is None:
                continue  # being recorded right now by another program
            try:
                with self._sql("marking an interrupted session") as c:
                    cur = c.execute(
                        "UPDATE sessions SET status=?, status_reason=?, updated_at=? WHERE id=? AND status=?",
                        (STATUS_INTERRUPTED, "the program stopped while recording (killed, crashed or power "
                         "lost); the frames saved until then are kept", _now_iso(), sid, STATUS_RECORDING))
                    if cur.rowcount:
                        marked.append(sid)
            finally:
                if fd >= 0:
                    path.unlink(missing_ok=True)
                    os.close(fd)
        if marked:
            log.warning("sessions %s were left recording by a program that stopped; marked interrupted", marked)
        return marked

    def _recover_interrupted_pg(self, ids: list[int]) -> list[int]:
        marked = []
        for sid in ids:
            with self._sql("marking an interrupted session") as c:
                got = c.execute("SELECT pg_try_advisory_lock(?, ?)", (_PG_RECORDING_LOCK, sid)).fetchone()[0]
                if not got:
                    continue  # its recording program is alive (on this PC or another)
                try:
                    cur = c.execute(
                        "UPDATE sessions SET status=?, status_reason=?, updated_at=? WHERE id=? AND status=?",
                        (STATUS_INTERRUPTED, "the program stopped while recording (killed, crashed or power "
                         "lost); the frames saved until then are kept", _now_iso(), sid, STATUS_RECORDING))
                    if cur.rowcount:
                        marked.append(sid)
                finally:
                    c.execute("SELECT pg_advisory_unlock(?, ?)", (_PG_RECORDING_LOCK, sid))
        if marked:
            log.warning("sessions %s were left recording by a program that stopped; marked interrupted", marked)
        return marked

    def _open_connection(self) -> sqlite3.Connection:
        if self.url:
            return cast(sqlite3.Connection, _connect_postgres(self.url, self.timeout_s))
        return _connect(self.db_path, self.timeout_s)

    def close(self) -> None:
        """Close the database connection."""
        self._conn.close()

    def __enter__(self) -> SessionStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _sql(self, action: str) -> Iterator[sqlite3.Connection]:
        with self._lock:
            try:
                yield self._conn
            except _DB_ERRORS as exc:
                if self._conn.in_transaction:
                    self._conn.execute("ROLLBACK")
                raise _translate(exc, self.location, action, self.timeout_s) from exc

    @property
    def schema_version(self) -> int:
        """Schema version of the open database."""
        with self._sql("reading the version") as c:
            return int(c.execute("PRAGMA user_version").fetchone()[0])

    # -- sessions ------------------------------------------------------------------------------------
    def create_session(self, trainee: str, scenario: str | None = None, source: str | None = None,
                       calibration: Any = None, video_path: str | Path | None = None, *,
                       behaviours: Sequence[str] | None = None, keep_landmarks: bool = True,
                       commit_every_s: float = DEFAULT_COMMIT_EVERY_S,
                       started_at: str | None = None) -> SessionWriter:
        """Create a session row and return its writer.

        Args:
            trainee: Name or pseudonym (1..100 characters of plain text: no control characters, no
                bidirectional overrides; stripped and NFC-normalised).
            scenario: Customer type or exercise.
            source: Where the frames come from (file path, ``camera:0``).
            calibration: The calibration used: a mapping, an object with ``to_dict()``, a path, or None.
            video_path: A kept video. Inside ``<home>/videos`` it is owned (deleted with the session);
                elsewhere it is only referenced.
            behaviours: Behaviour order of the stored codes (default: every ``Behaviour``).
            keep_landmarks: Also save landmarks (to draw a moment without video, or re-analyse).
            commit_every_s: Commit interval in seconds of media or wall time (what a crash can lose).
            started_at: ISO 8601 start time (default now, UTC).
        """
        name = check_trainee(trainee)
        scenario = check_scenario(scenario)
        if commit_every_s <= 0:
            raise StoreError(f"commit_every_s: got {commit_every_s}; expected a positive number of seconds")
        order = tuple(str(b) for b in (behaviours if behaviours is not None else list(Behaviour)))
        stored_video, owned = self._video_ref(video_path)
        now = started_at or _now_iso()
        lock: tuple[Path, int] | None = None
        with self._sql("creating a session") as c:
            # The recording lock is taken before the row is committed: another program's
            # recover_interrupted never sees this session "recording" without its lock.
            c.execute("BEGIN IMMEDIATE")
            cur = c.execute(
                "INSERT INTO sessions(trainee, scenario, source, started_at, updated_at, behaviours, "
                "calibration, "
                "video_path, video_owned, app_version) VALUES (?,?,?,?,?,?,?,?,?,?)",
                (name, scenario, source, now, now, json.dumps(order), _as_json(calibration),
                 stored_video, int(owned), _version()),
            )
            sid = int(cur.lastrowid or 0)
            if self.url:  # held by this store's connection until the writer closes (or the program dies)
                c.execute("SELECT pg_advisory_lock(?, ?)", (_PG_RECORDING_LOCK, sid))
            elif _fcntl is not None:
                path = self._recording_lock(sid)
                try:
                    self.locks_dir.mkdir(parents=True, exist_ok=True)
                    fd = _try_lock(path, create=True)
                except OSError as exc:
                    c.execute("ROLLBACK")
                    raise StoreError(f"{self.locks_dir}: cannot create the recording lock ({exc.strerror or exc}); "
                                     f"expected a writable data folder") from exc
                if fd is not None and fd >= 0:
                    lock = (path, fd)
            c.execute("COMMIT")
        writer = SessionWriter(self, sid, order, keep_landmarks=keep_landmarks, commit_every_s=commit_every_s)
        if lock is not None:
            writer._hold_lock(*lock)
        return writer

    def find_recording(self, content_hash: str, analysis_version: str) -> int | None:
        """Id of the session saved from a file with this content hash and analysis version, or None."""
        with self._sql("looking up a recording") as c:
            row = c.execute("SELECT id FROM sessions WHERE content_hash=? AND analysis_version=?",
                            (content_hash, analysis_version)).fetchone()
        return None if row is None else int(row[0])

    def save_record(self, record: SessionRecord, *, trainee: str, scenario: str | None = None,
                    source: str | None = None, duration_s: float | None = None, content_hash: str,
                    analysis_version: str, started_at: str | None = None,
                    incomplete: str | None = None) -> tuple[int, bool]:
        """Save a whole analysed recording in one transaction; returns (session id, newly saved).

        A crash before the commit leaves nothing (never a half-written session); a recording already
        saved with the same ``content_hash`` and ``analysis_version`` is not saved again (its id is
        returned with False).
        """
        name = check_trainee(trainee)
        scenario = check_scenario(scenario)
        if duration_s is None or not math.isfinite(duration_s):
            duration_s = (0.0 if record.first_ts is None or record.last_ts is None
                          else (record.last_ts - record.first_ts) / 1000.0)
        now = started_at or _now_iso()
        vocab: dict[str, int] = {}
        with self._sql(f"saving the recording {source or content_hash}") as c:
            c.execute("BEGIN IMMEDIATE")
            row = c.execute("SELECT id FROM sessions WHERE content_hash=? AND analysis_version=?",
                            (content_hash, analysis_version)).fetchone()
            if row is not None:
                c.execute("COMMIT")
                return int(row[0]), False
            cur = c.execute(
                "INSERT INTO sessions(trainee, scenario, source, started_at, updated_at, duration_s, status, "
                "behaviours, app_version, content_hash, analysis_version, status_reason) "
                "VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                (name, scenario, source, now, now, float(duration_s),
                 STATUS_INCOMPLETE if incomplete else STATUS_COMPLETE,
                 json.dumps(list(record.behaviours)), _version(), content_hash, analysis_version,
                 str(incomplete)[:500] if incomplete else None),
            )
            sid = int(cur.lastrowid or 0)
            _write_rows(c, sid, lambda label: _vocab_code(c, vocab, label), record.frames, record.landmarks,
                        record.events.values(), (), record.first_ts, record.last_ts)
            c.execute("COMMIT")
        return sid, True

    def _video_ref(self, video_path: str | Path | None) -> tuple[str | None, bool]:
        if video_path is None or str(video_path) == "":
            return None, False
        p = Path(video_path)
        if paths.is_inside(p, self.videos_dir):
            return p.resolve().relative_to(self.home.resolve()).as_posix(), True
        return str(p.resolve()), False

    def set_video(self, session_id: int, video_path: str | Path | None) -> None:
        """Attach (or detach with None) a kept video to a session."""
        self.get(session_id)
        ref, owned = self._video_ref(video_path)
        with self._sql("attaching a video") as c:
            c.execute("UPDATE sessions SET video_path=?, video_owned=? WHERE id=?",
                      (ref, int(owned), session_id))

    def _row_to_info(self, row: sqlite3.Row | tuple[Any, ...]) -> SessionInfo:
        (sid, trainee, scenario, source, started_at, duration_s, status, reason, behaviours, calibration,
         video_path, video_owned, app_version, frame_count, first_ts, last_ts) = row
        if duration_s is None:
            duration_s = 0.0 if first_ts is None or last_ts is None else (last_ts - first_ts) / 1000.0
        video: Path | None = None
        if video_path:
            video = (self.home / video_path) if video_owned else Path(video_path)
        # One damaged row must not hide the others: what cannot be parsed is reported, not raised.
        problems = []
        calib: Any = None
        if calibration is not None:
            try:
                calib = json.loads(calibration)
            except (TypeError, ValueError) as exc:
                problems.append(f"the calibration column is not valid JSON ({exc})")
        order: tuple[str, ...] = ()
        try:
            parsed = json.loads(behaviours)
            if not isinstance(parsed, list) or not all(isinstance(b, str) for b in parsed):
                raise ValueError("expected a list of names")
            order = tuple(parsed)
        except (TypeError, ValueError) as exc:
            problems.append(f"the behaviours column is not a JSON list of names ({exc}); its frames cannot "
                            f"be read")
        return SessionInfo(
            id=int(sid), trainee=str(trainee), scenario=_canonical_scenario(scenario), source=source, started_at=str(started_at),
            duration_s=float(duration_s), status=str(status), status_reason=reason,
            frame_count=int(frame_count or 0), video_path=video, video_owned=bool(video_owned),
            calibration=calib, behaviours=order, app_version=app_version,
            problem="; ".join(problems) or None,
        )

    _COLUMNS = ("id, trainee, scenario, source, started_at, duration_s, status, status_reason, behaviours, "
                "calibration, video_path, video_owned, app_version, frame_count, first_ts_ms, last_ts_ms")

    def list_sessions(self, trainee: str | None = None, scenario: str | None = None,
                      since: str | None = None, until: str | None = None) -> list[SessionInfo]:
        """Sessions, newest first, optionally filtered (``since``/``until`` compare ISO dates)."""
        where, args = [], []
        if trainee:
            import unicodedata

            where.append("trainee = ?")
            args.append(unicodedata.normalize("NFC", trainee.strip()))
        if scenario:
            key = check_scenario(scenario)  # an unknown filter is an error, not "no sessions"
            spellings = sorted({k for k, v in _scenario_aliases().items() if v == key})
            where.append(f"lower(scenario) IN ({','.join('?' * len(spellings))})")
            args.extend(spellings)
        if since:
            where.append("started_at >= ?")
            args.append(since)
        if until:
            where.append("started_at <= ?")
            args.append(until)
        sql = f"SELECT {self._COLUMNS} FROM sessions"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY started_at DESC, id DESC"
        with self._sql("listing sessions") as c:
            rows = c.execute(sql, args).fetchall()
        return [self._row_to_info(r) for r in rows]

    def trainees(self) -> list[str]:
        """Distinct trainee names, sorted."""
        with self._sql("listing trainees") as c:
            return [r[0] for r in c.execute("SELECT DISTINCT trainee FROM sessions ORDER BY trainee")]

    def get(self, session_id: int) -> SessionInfo:
        """The info of one session.

        Raises:
            StoreError: no such session.
        """
        with self._sql("reading a session") as c:
            row = c.execute(f"SELECT {self._COLUMNS} FROM sessions WHERE id=?", (int(session_id),)).fetchone()
        if row is None:
            raise StoreError(f"session {session_id}: not found in {self.location}; run 'bodycoach sessions' "
                             f"to list ids")
        return self._row_to_info(row)

    def load(self, session_id: int) -> SessionData:
        """Load a session's per-frame labels, states and scores, phases, events and corrections."""
        info = self.get(session_id)
        with self._sql("loading a session") as c:
            vocab_rows = c.execute("SELECT code, label FROM vocab").fetchall()
            # CAST: a damaged row holding TEXT where a blob belongs reads as bytes (then checked), instead
            # of sqlite3's "Could not decode to UTF-8" for the whole query.
            frames = c.execute("SELECT ts_ms, CAST(labels AS BLOB), CAST(states AS BLOB), CAST(scores AS BLOB) "
                               "FROM frames WHERE session_id=? ORDER BY ts_ms",
                               (info.id,)).fetchall()
            phase_rows = c.execute("SELECT phase, start_ms, end_ms FROM phases WHERE session_id=? ORDER BY "
                                   "start_ms",
                                   (info.id,)).fetchall()
            event_rows = c.execute(
                "SELECT behaviour, label, start_ms, end_ms, peak_score FROM events WHERE session_id=? "
                "ORDER BY start_ms, behaviour", (info.id,)).fetchall()
        if info.problem is not None and not info.behaviours:
            raise StoreError(f"session {info.id}: {info.problem}; the database row is damaged (other sessions "
                             f"are not affected)")
        vocab = np.empty(max((r[0] for r in vocab_rows), default=0) + 1, dtype=object)
        vocab[:] = UNKNOWN
        for code, label in vocab_rows:
            vocab[code] = label
        nb = len(info.behaviours)
        n = len(frames)
        _check_frames(info.id, frames, nb, len(vocab))
        ts = np.fromiter((f[0] for f in frames), dtype=np.int64, count=n)
        if n:
            lab = np.frombuffer(b"".join(f[1] for f in frames), dtype="<u2").reshape(n, nb)
            st = np.frombuffer(b"".join(f[2] for f in frames), dtype="<u2").reshape(n, nb)
            sc8 = np.frombuffer(b"".join(f[3] for f in frames), dtype=np.uint8).reshape(n, nb)
            sc = sc8.astype(np.float32) / 255
        else:
            lab = st = np.zeros((0, nb), dtype=np.uint16)
            sc = np.zeros((0, nb), dtype=np.float32)
        labels = {b: vocab[lab[:, j]] for j, b in enumerate(info.behaviours)}
        states = {b: vocab[st[:, j]] for j, b in enumerate(info.behaviours)}
        scores = {b: np.ascontiguousarray(sc[:, j]) for j, b in enumerate(info.behaviours)}
        events = []
        for b, label, s, e, peak in event_rows:
            try:
                beh = Behaviour(b)
            except ValueError:
                continue
            events.append(FeedbackEvent(beh, label, int(s), None if e is None else int(e), float(peak)))
        return SessionData(
            info=info, timestamps_ms=ts, labels=labels, states=states, scores=scores,
            phases=[PhaseSegment(p, int(s), None if e is None else int(e)) for p, s, e in phase_rows],
            events=events, corrections=self.corrections(info.id),
        )

    def landmarks_at(self, session_id: int, ts_ms: float) -> Landmarks | None:
        """Stored landmarks of the frame nearest ``ts_ms`` (None when none were kept)."""
        with self._sql("reading landmarks") as c:
            row = c.execute(
                "SELECT ts_ms, image_w, image_h, num_faces, mirrored, data FROM landmarks WHERE session_id=? "
                "ORDER BY ABS(ts_ms - ?) LIMIT 1", (int(session_id), float(ts_ms))).fetchone()
        if row is None:
            return None
        return _decode_landmarks_row(int(session_id), row)

    def iter_landmarks(self, session_id: int) -> Iterator[Landmarks]:
        """All stored landmarks of a session in time order."""
        with self._sql("reading landmarks") as c:
            rows = c.execute("SELECT ts_ms, image_w, image_h, num_faces, mirrored, data FROM landmarks WHERE "
                             "session_id=? "
                             "ORDER BY ts_ms", (int(session_id),)).fetchall()
        for row in rows:
            yield _decode_landmarks_row(int(session_id), row)

    def delete(self, session_id: int) -> None:
        """Delete a session with its frames, landmarks, events, corrections and owned video."""
        info = self.get(session_id)
        with self._sql(f"deleting session {session_id}") as c:
            c.execute("BEGIN IMMEDIATE")
            c.execute("DELETE FROM sessions WHERE id=?", (info.id,))
            c.execute("COMMIT")
        video = info.video_path
        if info.video_owned and video is not None and paths.is_inside(video, self.videos_dir):
            try:
                video.unlink(missing_ok=True)
            except OSError as exc:
                raise StoreError(f"{video}: session {session_id} was deleted but its video could not be "
                                 f"removed ({exc.strerror or exc}); delete the file by hand") from exc

    # -- voice ---------------------------------------------------------------------------------------
    def save_voice(self, session_id: int, summary: dict[str, Any], events: Sequence[dict[str, Any]],
                   track: dict[str, npt.NDArray[Any]] | None = None) -> None:
        """Keep the voice analysis of a session (replaces an earlier one): summary, events, tracks."""
        info = self.get(session_id)
        blob = None
        if track is not None:
            buf = io.BytesIO()
            np.savez_compressed(buf, **{k: np.asarray(v) for k, v in track.items()})
            blob = buf.getvalue()
        with self._sql(f"saving the voice of session {session_id}") as c:
            c.execute("BEGIN IMMEDIATE")
            c.execute("INSERT OR REPLACE INTO voice (session_id, summary, events, track) VALUES (?, ?, ?, ?)",
                      (info.id, json.dumps(summary, ensure_ascii=False), json.dumps(list(events)), blob))
            c.execute("COMMIT")

    def voice(self, session_id: int) -> dict[str, Any] | None:
        """The stored voice of a session as {"summary", "events", "track"} (None when it has none)."""
        with self._sql("reading the voice") as c:
            row = c.execute("SELECT summary, events, track FROM voice WHERE session_id=?",
                            (int(session_id),)).fetchone()
        if row is None:
            return None
        track: dict[str, npt.NDArray[Any]] = {}
        if row[2] is not None:
            with np.load(io.BytesIO(row[2]), allow_pickle=False) as z:
                track = {k: z[k] for k in z.files}
        return {"summary": json.loads(row[0]), "events": json.loads(row[1]), "track": track}

    # -- corrections ---------------------------------------------------------------------------------
    def add_correction(self, session_id: int, behaviour: str, start_ms: int, end_ms: int | None = None, *,
                       wrong_label: str | None = None, correct_label: str | None = None,
                       note: str | None = None) -> Correction:
        """Store a trainer's correction ("this was not crossed arms") over ``start_ms``..``end_ms``."""
        from bodycoach.types import LABELS

        self.get(session_id)
        note = check_note(note)
        try:
            beh = Behaviour(behaviour)
        except ValueError as exc:
            allowed = ", ".join(b.value for b in Behaviour)
            raise StoreError(f"behaviour: got {behaviour!r}; expected one of {allowed}") from exc
        values = {m.value for m in LABELS[beh]}
        for field_name, value in (("wrong_label", wrong_label), ("correct_label", correct_label)):
            if value is not None and value not in values:
                raise StoreError(f"{field_name}: got {value!r} for {beh.value}; expected one of "
                                 f"{', '.join(sorted(values))}")
        if wrong_label is None and correct_label is None:
            raise StoreError("correction: neither wrong_label nor correct_label given; expected at least one")
        if wrong_label is not None and wrong_label == correct_label:
            raise StoreError(f"correction: wrong_label and correct_label are both {wrong_label!r}; "
                             f"expected different")
        end = int(start_ms) if end_ms is None else int(end_ms)
        if end < int(start_ms):
            raise StoreError(f"end_ms: got {end} before start_ms {start_ms}; expected end_ms >= start_ms")
        now = _now_iso()
        with self._sql("saving a correction") as c:
            cur = c.execute(
                "INSERT INTO corrections(session_id, behaviour, start_ms, end_ms, wrong_label, "
                "correct_label, note, "
                "created_at) VALUES (?,?,?,?,?,?,?,?)",
                (int(session_id), beh.value, int(start_ms), end, wrong_label, correct_label, note, now))
            cid = int(cur.lastrowid or 0)
        return Correction(cid, int(session_id), beh.value, int(start_ms), end, wrong_label, correct_label,
                          note, now)

    def corrections(self, session_id: int | None = None) -> list[Correction]:
        """Corrections of one session, or of all sessions when ``session_id`` is None."""
        sql = ("SELECT id, session_id, behaviour, start_ms, end_ms, wrong_label, correct_label, note, "
               "created_at "
               "FROM corrections")
        args: tuple[Any, ...] = ()
        if session_id is not None:
            sql += " WHERE session_id=?"
            args = (int(session_id),)
        sql += " ORDER BY session_id, start_ms, id"
        with self._sql("reading corrections") as c:
            return [Correction(*r) for r in c.execute(sql, args).fetchall()]

    def corrected_samples(self, session_id: int | None = None) -> Iterator[tuple[Correction, Landmarks]]:
        """Labelled data from trainer corrections: each correction with the stored landmarks in its span.

        Yields ``(correction, landmarks)`` for every kept frame with ``start_ms <= t <= end_ms`` (or the
        nearest frame for a single moment), so ``bodycoach evaluate`` or a calibration fit can score the
        classifiers against the trainer's labels without the video.
        """
        for c in self.corrections(session_id):
            with self._sql("reading landmarks") as conn:
                rows = conn.execute(
                    "SELECT ts_ms, image_w, image_h, num_faces, mirrored, data FROM landmarks WHERE session_id=? "
                    "AND ts_ms BETWEEN ? AND ? ORDER BY ts_ms", (c.session_id, c.start_ms, c.end_ms)).fetchall()
            if not rows and c.start_ms == c.end_ms:
                lm = self.landmarks_at(c.session_id, c.start_ms)
                if lm is not None:
                    yield c, lm
                continue
            for row in rows:
                yield c, _decode_landmarks_row(c.session_id, row)

    def delete_correction(self, correction_id: int) -> None:
        """Remove one correction."""
        with self._sql("deleting a correction") as c:
            c.execute("DELETE FROM corrections WHERE id=?", (int(correction_id),))

    # -- files ---------------------------------------------------------------------------------------
    def import_video(self, src: str | Path, max_bytes: int = paths.MAX_UPLOAD_BYTES) -> Path:
        """Copy a video into ``<home>/videos`` under a generated name; returns the new path."""
        return paths.copy_into(Path(src), self.videos_dir, max_bytes)

    def save_upload(self, filename: str, data: bytes | BinaryIO | Iterable[bytes],
                    max_bytes: int = paths.MAX_UPLOAD_BYTES) -> Path:
        """Store uploaded bytes under a generated name; ``filename`` only picks the (checked) suffix."""
        suffix = paths.video_suffix(filename)
        chunks: Iterable[bytes]
        if isinstance(data, bytes | bytearray):
            chunks = [bytes(data)]
        elif isinstance(data, io.IOBase) or hasattr(data, "read"):
            chunks = paths.iter_file(cast(BinaryIO, data))
        else:
            chunks = data
        return paths.store_stream(chunks, self.videos_dir, suffix, max_bytes, f"upload {filename!r}")

