"""Move sessions from one store to another (``bodycoach store migrate``), checked by counts and hashes.

Each session is copied in one transaction of the target (a stopped copy leaves whole sessions only) and
gets a new id there (the target may already hold other rooms' sessions). Label codes are mapped through
the target's vocabulary. A session's *digest* hashes everything a trainer sees or the store keeps of it
(its row without the id, frames decoded to labels, landmarks, phases, events, corrections, voice), so
the copy is checked against the original, and a session already copied (same digest) is not copied again.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bodycoach.store import codec
from bodycoach.store.sessions import SessionStore, _vocab_code

_SESSION_COLS = ("trainee", "scenario", "source", "started_at", "updated_at", "duration_s", "status",
                 "status_reason", "behaviours", "calibration", "video_path", "video_owned", "app_version",
                 "frame_count", "first_ts_ms", "last_ts_ms", "content_hash", "analysis_version")
#: Columns that say what a session is (``updated_at`` changes on copy: not part of the digest).
_DIGEST_COLS = tuple(c for c in _SESSION_COLS if c != "updated_at")


@dataclass
class MigrateReport:
    """What ``copy_store`` did."""

    copied: int = 0
    already: int = 0
    source_counts: dict[str, int] = field(default_factory=dict)
    target_counts: dict[str, int] = field(default_factory=dict)
    mismatched: list[int] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return dict(self.__dict__)


def _vocab(store: SessionStore) -> dict[int, str]:
    with store._sql("reading the vocabulary") as c:
        return {int(code): str(label) for code, label in c.execute("SELECT code, label FROM vocab").fetchall()}


def _decode(blob: bytes, vocab: dict[int, str]) -> list[str]:
    return [vocab.get(int(x), "unknown") for x in codec.decode_codes(bytes(blob))]


def _fetch(store: SessionStore, sid: int) -> dict[str, Any]:
    """Every row of session ``sid``, codes decoded to labels."""
    vocab = _vocab(store)
    with store._sql(f"reading session {sid}") as c:
        row = c.execute(f"SELECT {', '.join(_SESSION_COLS)} FROM sessions WHERE id=?", (sid,)).fetchone()
        frames = c.execute("SELECT ts_ms, labels, states, scores FROM frames WHERE session_id=? ORDER BY ts_ms",
                           (sid,)).fetchall()
        lms = c.execute("SELECT ts_ms, image_w, image_h, num_faces, mirrored, data FROM landmarks WHERE "
                        "session_id=? ORDER BY ts_ms", (sid,)).fetchall()
        phases = c.execute("SELECT phase, start_ms, end_ms FROM phases WHERE session_id=? ORDER BY start_ms, "
                           "phase", (sid,)).fetchall()
        events = c.execute("SELECT behaviour, label, start_ms, end_ms, peak_score FROM events WHERE session_id=? "
                           "ORDER BY start_ms, behaviour, label", (sid,)).fetchall()
        corr = c.execute("SELECT behaviour, start_ms, end_ms, wrong_label, correct_label, note, created_at FROM "
                         "corrections WHERE session_id=? ORDER BY start_ms, created_at, behaviour", (sid,)).fetchall()
        voice = c.execute("SELECT summary, events, track FROM voice WHERE session_id=?", (sid,)).fetchone()
    return {
        "session": dict(zip(_SESSION_COLS, row, strict=True)),
        "frames": [(int(ts), _decode(lab, vocab), _decode(st, vocab), bytes(sc)) for ts, lab, st, sc in frames],
        "landmarks": [(int(ts), int(w), int(h), int(nf), int(m), bytes(d)) for ts, w, h, nf, m, d in lms],
        "phases": [tuple(p) for p in phases],
        "events": [tuple(e) for e in events],
        "corrections": [tuple(x) for x in corr],
        "voice": None if voice is None else (voice[0], voice[1], None if voice[2] is None else bytes(voice[2])),
    }


def digest(data: dict[str, Any]) -> str:
    """SHA-256 of a fetched session (ids and ``updated_at`` left out)."""
    h = hashlib.sha256()
    s = data["session"]
    h.update(json.dumps([s[c] if not isinstance(s[c], float) else round(s[c], 6) for c in _DIGEST_COLS],
                        default=str).encode())
    for ts, lab, st, sc in data["frames"]:
        h.update(f"{ts}|{','.join(lab)}|{','.join(st)}|".encode())
        h.update(sc)
    for ts, w, hh, nf, m, d in data["landmarks"]:
        h.update(f"{ts}|{w}|{hh}|{nf}|{m}|".encode())
        h.update(d)
    h.update(json.dumps([data["phases"], [list(e[:4]) + [round(float(e[4]), 6)] for e in data["events"]],
                         data["corrections"]], default=str).encode())
    if data["voice"] is not None:
        h.update(data["voice"][0].encode())
        h.update(data["voice"][1].encode())
        h.update(data["voice"][2] or b"")
    return h.hexdigest()


def counts(store: SessionStore) -> dict[str, int]:
    """Rows per table."""
    out = {}
    with store._sql("counting rows") as c:
        for table in ("sessions", "frames", "landmarks", "phases", "events", "corrections", "voice"):
            out[table] = int(c.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])
    return out


def _insert(dst: SessionStore, data: dict[str, Any]) -> int:
    s = data["session"]
    vocab: dict[str, int] = {}
    with dst._sql("copying a session") as c:
        c.execute("BEGIN IMMEDIATE")
        cur = c.execute(f"INSERT INTO sessions({', '.join(_SESSION_COLS)}) VALUES "
                        f"({', '.join('?' for _ in _SESSION_COLS)})", tuple(s[col] for col in _SESSION_COLS))
        sid = int(cur.lastrowid or 0)

        def code(label: str) -> int:
            return _vocab_code(c, vocab, label)

        c.executemany("INSERT INTO frames(session_id, ts_ms, labels, states, scores) VALUES (?,?,?,?,?)",
                      [(sid, ts, codec.encode_codes([code(x) for x in lab]),
                        codec.encode_codes([code(x) for x in st]), sc) for ts, lab, st, sc in data["frames"]])
        c.executemany("INSERT INTO landmarks(session_id, ts_ms, image_w, image_h, num_faces, mirrored, data) "
                      "VALUES (?,?,?,?,?,?,?)", [(sid, *r) for r in data["landmarks"]])
        c.executemany("INSERT INTO phases(session_id, phase, start_ms, end_ms) VALUES (?,?,?,?)",
                      [(sid, *p) for p in data["phases"]])
        c.executemany("INSERT INTO events(session_id, behaviour, label, start_ms, end_ms, peak_score) "
                      "VALUES (?,?,?,?,?,?)", [(sid, *e) for e in data["events"]])
        c.executemany("INSERT INTO corrections(session_id, behaviour, start_ms, end_ms, wrong_label, "
                      "correct_label, note, created_at) VALUES (?,?,?,?,?,?,?,?)",
                      [(sid, *x) for x in data["corrections"]])
        if data["voice"] is not None:
            c.execute("INSERT INTO voice(session_id, summary, events, track) VALUES (?,?,?,?)",
                      (sid, *data["voice"]))
        c.execute("COMMIT")
    return sid


def copy_store(src: SessionStore, dst: SessionStore,
               progress: Callable[[int, int], None] | None = None) -> MigrateReport:
    """Copy every session of ``src`` missing from ``dst``; check each copy's digest against the original."""
    report = MigrateReport(source_counts=counts(src))
    with src._sql("listing sessions") as c:
        ids = [int(r[0]) for r in c.execute("SELECT id FROM sessions ORDER BY id").fetchall()]
    for n, sid in enumerate(ids, 1):
        data = _fetch(src, sid)
        want = digest(data)
        s = data["session"]
        with dst._sql("looking for a copied session") as c:
            cands = [int(r[0]) for r in c.execute(
                "SELECT id FROM sessions WHERE trainee=? AND started_at=? AND frame_count=?",
                (s["trainee"], s["started_at"], s["frame_count"])).fetchall()]
        if any(digest(_fetch(dst, cid)) == want for cid in cands):
            report.already += 1
        else:
            new = _insert(dst, data)
            if digest(_fetch(dst, new)) == want:
                report.copied += 1
            else:
                report.mismatched.append(sid)
        if progress:
            progress(n, len(ids))
    report.target_counts = counts(dst)
    return report


__all__ = ["MigrateReport", "copy_store", "counts", "digest"]
