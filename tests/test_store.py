"""Session store: round trip, migration, newer schema refused, crash mid-save, locks, full disk, files."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from bodycoach.errors import StoreError
from bodycoach.review.synthetic import PHASES, label_schedule, make_landmarks, make_result, synthetic_session
from bodycoach.store import SCHEMA_VERSION, SessionStore, codec, migrate, resolve_home
from bodycoach.types import Behaviour, FeedbackEvent, Landmarks


BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str | None:
    """The store URL of each back-end: None = the SQLite file; a fresh database on a test PostgreSQL."""
    if request.param == "postgresql":
        return request.getfixturevalue("pg_url")
    return None


@pytest.fixture()
def store(tmp_path: Path, backend: str | None) -> SessionStore:
    s = SessionStore(tmp_path / "home", store=backend)
    yield s
    s.close()


def test_round_trip(store: SessionStore) -> None:
    n = 120
    sid = synthetic_session(store, n=n, step_ms=200)
    data = store.load(sid)
    assert data.info.status == "complete"
    assert data.info.trainee == "Kari" and data.info.scenario == "rude"
    assert data.info.duration_s == pytest.approx(n * 0.2)
    assert data.info.frame_count == n
    np.testing.assert_array_equal(data.timestamps_ms, np.arange(n) * 200)
    for i in (0, 5, 37, 119):
        expected = label_schedule(i, n)
        for b, lab in expected.items():
            assert data.labels[str(b)][i] == lab
            assert data.states[str(b)][i] == lab
    # behaviours the frames did not carry come back as unknown, scores within the uint8 step
    assert set(data.labels["posture"]) == {"unknown"}
    assert abs(float(data.scores["arms"][1]) - 0.9) <= 1 / 255
    # phases are run-length segments that tile the session
    assert [p.phase for p in data.phases] == list(PHASES)
    assert data.phases[0].start_ms == 0 and data.phases[-1].end_ms == (n - 1) * 200
    assert all(a.end_ms == b.start_ms for a, b in zip(data.phases, data.phases[1:], strict=False))
    # events from `ended` and from add_events are merged, not duplicated
    keys = [(str(e.behaviour), e.label, e.start_ms) for e in data.events]
    assert len(keys) == len(set(keys)) and len(keys) > 10
    # a frame result rebuilt from the store matches what was written
    fr = data.frame_result(37)
    assert fr.state(Behaviour.ARMS) == label_schedule(37, n)[Behaviour.ARMS]
    # landmarks come back within float16 precision
    lm = store.landmarks_at(sid, 37 * 200 + 30)
    orig = make_landmarks(37 * 200)
    assert lm is not None and lm.timestamp_ms == 37 * 200 and lm.image_wh == (1280, 720)
    np.testing.assert_allclose(lm.face, orig.face, atol=1e-3)
    np.testing.assert_allclose(lm.left_hand, orig.left_hand, atol=1e-3)
    assert lm.pose_world is None


def test_list_filters_and_json(store: SessionStore) -> None:
    a = synthetic_session(store, n=10, trainee="Kari", started_at="2026-01-01T10:00:00+00:00")
    b = synthetic_session(store, n=10, trainee="Ola", scenario="shy", started_at="2026-01-02T10:00:00+00:00")
    assert [s.id for s in store.list_sessions()] == [b, a]  # newest first
    assert [s.id for s in store.list_sessions(trainee="Kari")] == [a]
    assert [s.id for s in store.list_sessions(scenario="shy")] == [b]
    assert [s.id for s in store.list_sessions(since="2026-01-02")] == [b]
    d = json.loads(json.dumps(store.get(a).to_dict()))
    assert {"id", "trainee", "started_at", "duration_s"} <= d.keys()
    assert store.trainees() == ["Kari", "Ola"]


def test_home_resolution(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("BODYCOACH_HOME", str(tmp_path / "env"))
    assert resolve_home() == tmp_path / "env"
    assert resolve_home(tmp_path / "flag") == tmp_path / "flag"
    monkeypatch.delenv("BODYCOACH_HOME")
    assert "bodycoach" in str(resolve_home())


def test_codec_absent_blocks_stay_absent() -> None:
    lm = Landmarks(5, (640, 480), face=make_landmarks(5).face)
    back = codec.decode_landmarks(codec.encode_landmarks(lm), 5, (640, 480), 1)
    assert back.pose is None and back.left_hand is None and back.face is not None
    assert codec.decode_scores(codec.encode_scores([0.0, 1.0, float("nan"), 2.0])).tolist() == [0, 1, 0, 1]


def test_migration_from_v1_keeps_data(tmp_path: Path) -> None:
    home = tmp_path / "old"
    home.mkdir()
    conn = sqlite3.connect(home / "sessions.db", isolation_level=None)
    assert migrate(conn, 1) == 1
    conn.execute(
        "INSERT INTO sessions(trainee, started_at, updated_at, behaviours, frame_count, first_ts_ms, "
        "last_ts_ms) "
        "VALUES ('Eva', '2025-12-01T09:00:00+00:00', '2025-12-01T09:00:00+00:00', '[\"arms\"]', 1, 0, 0)")
    conn.execute("INSERT INTO vocab(label) VALUES ('crossed_chest')")
    conn.execute("INSERT INTO frames VALUES (1, 0, ?, ?, ?)",
                 (codec.encode_codes([1]), codec.encode_codes([1]), codec.encode_scores([0.7])))
    conn.execute("INSERT INTO landmarks(session_id, ts_ms, image_w, image_h, num_faces, data) VALUES (1, "
                 "0, 640, 480, 1, ?)",
                 (codec.encode_landmarks(make_landmarks(0)),))
    assert "corrections" not in {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    conn.close()

    store = SessionStore(home)
    assert store.schema_version == SCHEMA_VERSION == 5
    data = store.load(1)
    assert data.info.trainee == "Eva" and data.labels["arms"].tolist() == ["crossed_chest"]
    lm = store.landmarks_at(1, 0)
    assert lm is not None and lm.mirrored is False and lm.image_wh == (640, 480)  # v3 column defaulted
    c = store.add_correction(1, "arms", 0, wrong_label="crossed_chest", correct_label="extended")
    assert store.corrections(1) == [c]
    store.close()


def test_newer_schema_is_refused_and_untouched(tmp_path: Path) -> None:
    home = tmp_path / "new"
    SessionStore(home).close()
    db = home / "sessions.db"
    conn = sqlite3.connect(db)
    conn.execute(f"PRAGMA user_version={SCHEMA_VERSION + 5}")
    conn.commit()
    conn.close()
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    newer, ours = SCHEMA_VERSION + 5, SCHEMA_VERSION
    with pytest.raises(StoreError, match=rf"schema version {newer} is newer than this bodycoach supports "
                                         rf"\({ours}\)"):
        SessionStore(home)
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before


def test_newer_schema_is_refused_and_untouched_postgresql(tmp_path: Path, pg_url: str) -> None:
    import psycopg

    SessionStore(tmp_path / "h", store=pg_url).close()
    with psycopg.connect(pg_url, autocommit=True) as c:
        c.execute("UPDATE bodycoach_schema SET version=%s", (SCHEMA_VERSION + 5,))
    with pytest.raises(StoreError, match=rf"schema version {SCHEMA_VERSION + 5} is newer"):
        SessionStore(tmp_path / "h", store=pg_url)
    with psycopg.connect(pg_url, autocommit=True) as c:
        assert c.execute("SELECT version FROM bodycoach_schema").fetchone()[0] == SCHEMA_VERSION + 5


def test_not_a_database(tmp_path: Path) -> None:
    home = tmp_path / "junk"
    home.mkdir()
    (home / "sessions.db").write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match="not a readable bodycoach session database"):
        SessionStore(home)


def test_abort_keeps_frames_and_marks_incomplete(store: SessionStore) -> None:
    w = store.create_session(trainee="Kari", source="cam")
    for i in range(20):
        w.add_frame(make_result(i * 200, label_schedule(i, 20)), phase="reception")
    w.abort("camera lost")
    info = store.get(w.session_id)
    assert info.status == "incomplete" and info.status_reason == "camera lost"
    assert info.frame_count == 20 and info.duration_s == pytest.approx(3.8)
    w.abort("again")  # idempotent
    with pytest.raises(StoreError, match="already closed"):
        w.add_frame(make_result(99999, label_schedule(0, 1)))


def test_context_manager_aborts_on_error(store: SessionStore) -> None:
    with pytest.raises(RuntimeError):
        with store.create_session(trainee="Kari") as w:
            w.add_frame(make_result(0, label_schedule(0, 1)))
            raise RuntimeError("decoder died")
    info = store.get(w.session_id)
    assert info.status == "incomplete" and "decoder died" in (info.status_reason or "")
    assert info.frame_count == 1


_CRASH_SCRIPT = textwrap.dedent("""
    import sys, time
    from bodycoach.store import SessionStore
    from bodycoach.review.synthetic import label_schedule, make_result
    store = SessionStore(sys.argv[1], store=sys.argv[2] if len(sys.argv) > 2 else None)
    w = store.create_session(trainee="Crash", source="cam", commit_every_s=1.0)
    print("SESSION", w.session_id, flush=True)
    i = 0
    while True:
        w.add_frame(make_result(i * 200, label_schedule(i, 1000)), phase="reception")
        print("FRAME", i, flush=True)
        i += 1
        time.sleep(0.01)
""")


def test_crash_mid_save_loses_at_most_the_last_second(tmp_path: Path, backend: str | None) -> None:
    home = tmp_path / "crash"
    proc = subprocess.Popen([sys.executable, "-c", _CRASH_SCRIPT, str(home), *([backend] if backend else [])],
                            stdout=subprocess.PIPE, text=True)
    last = -1
    sid = None
    assert proc.stdout is not None
    deadline = time.monotonic() + 60
    for line in proc.stdout:
        word, value = line.split()
        if word == "SESSION":
            sid = int(value)
        else:
            last = int(value)
        if last >= 60 or time.monotonic() > deadline:
            break
    os.kill(proc.pid, signal.SIGKILL)  # no close(), no atexit: a real crash
    proc.wait()
    assert proc.returncode == -signal.SIGKILL and sid is not None and last >= 60
    store = SessionStore(home, store=backend)
    if backend is None:
        assert store._conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    info = store.get(sid)
    data = store.load(sid)
    # the frames printed were all added; at most 1 s of media (5 frames at 200 ms) may be uncommitted
    assert info.status == "interrupted"  # issue 12 item 15: found on the next start, frames kept
    assert last + 1 - 6 <= len(data) <= last + 2
    assert info.frame_count == len(data)
    assert data.timestamps_ms.tolist() == [i * 200 for i in range(len(data))]
    assert data.phases[0].phase == "reception"
    store.close()


def test_locked_database_gives_clear_message(tmp_path: Path) -> None:
    home = tmp_path / "locked"
    store = SessionStore(home, timeout_s=0.2)
    other = sqlite3.connect(home / "sessions.db", isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    t0 = time.monotonic()
    with pytest.raises(StoreError, match=r"locked by another program \(waited 0.2 s\).*retry"):
        store.create_session(trainee="Kari")
    assert time.monotonic() - t0 < 5
    other.execute("ROLLBACK")
    other.close()
    w = store.create_session(trainee="Kari")  # works once the lock is gone
    w.close()
    assert store.get(w.session_id).status == "complete"
    store.close()


def test_full_disk_keeps_saved_frames_and_buffer(store: SessionStore) -> None:
    if store.backend != "sqlite":
        pytest.skip("a full disk is simulated with SQLite's max_page_count; PostgreSQL has no such knob")
    w = store.create_session(trainee="Kari", commit_every_s=1.0)
    for i in range(10):
        w.add_frame(make_result(i * 200, label_schedule(i, 100)))
    w.flush()
    pages = w._conn.execute("PRAGMA page_count").fetchone()[0]
    w._conn.execute(f"PRAGMA max_page_count={pages + 2}")  # simulate a disk that is nearly full
    with pytest.raises(StoreError, match="disk is full.*kept"):
        for i in range(10, 200):
            w.add_frame(make_result(i * 200, label_schedule(i, 100)))
    pending = w.pending_frames
    assert pending > 0
    assert store.get(w.session_id).frame_count >= 10  # what was saved is still there
    w._conn.execute("PRAGMA max_page_count=1073741823")  # space freed
    w.flush()
    saved = store.load(w.session_id)
    assert len(saved) == saved.info.frame_count == w.saved_frames
    assert saved.timestamps_ms.tolist() == [i * 200 for i in range(len(saved))]
    w.close()


def test_delete_removes_frames_and_owned_video(store: SessionStore, tmp_path: Path) -> None:
    external = tmp_path / "mine.mp4"
    external.write_bytes(b"\x00" * 1000)
    kept = store.import_video(external)
    assert kept.parent == store.videos_dir and kept.name != "mine.mp4"
    sid = synthetic_session(store, n=20, video_path=kept)
    sid_ext = synthetic_session(store, n=20, video_path=external)
    store.add_correction(sid, "arms", 200, wrong_label="crossed_chest")
    assert store.get(sid).video_owned and not store.get(sid_ext).video_owned
    store.delete(sid)
    assert not kept.exists()
    for table in ("frames", "landmarks", "events", "phases", "corrections"):
        n = store._conn.execute(f"SELECT COUNT(*) FROM {table} WHERE session_id=?", (sid,)).fetchone()[0]
        assert n == 0, table
    with pytest.raises(StoreError, match=f"session {sid}: not found"):
        store.load(sid)
    store.delete(sid_ext)
    assert external.exists()  # never delete a file the store does not own


@pytest.mark.parametrize("name", ["../../etc/evil.mp4", "/tmp/abs.mp4", "..\\..\\win.MP4", "a/b/c.webm"])
def test_upload_names_never_become_paths(store: SessionStore, name: str) -> None:
    p = store.save_upload(name, b"fake video bytes")
    assert p.parent == store.videos_dir and len(p.stem) == 32
    assert p.read_bytes() == b"fake video bytes"


def test_upload_rejects_bad_type_size_and_empty(store: SessionStore) -> None:
    with pytest.raises(StoreError, match=r"file type '.exe' is not accepted"):
        store.save_upload("x.exe", b"MZ")
    with pytest.raises(StoreError, match="larger than the limit"):
        store.save_upload("big.mp4", iter([b"x" * 600, b"x" * 600]), max_bytes=1000)
    with pytest.raises(StoreError, match="empty"):
        store.save_upload("e.mp4", b"")
    assert list(store.videos_dir.iterdir()) == []  # no partial files left


def test_corrections_validate_and_round_trip(store: SessionStore) -> None:
    sid = synthetic_session(store, n=10)
    c = store.add_correction(sid, "arms", 1000, 1600, wrong_label="crossed_chest", note="hands on lap")
    assert c.correct_label is None and c.end_ms == 1600
    with pytest.raises(StoreError, match="wrong_label: got 'crossed' for arms; expected one of"):
        store.add_correction(sid, "arms", 0, wrong_label="crossed")
    with pytest.raises(StoreError, match="behaviour: got 'legs'"):
        store.add_correction(sid, "legs", 0, wrong_label="x")
    with pytest.raises(StoreError, match="neither"):
        store.add_correction(sid, "arms", 0)
    assert [x.id for x in store.load(sid).corrections] == [c.id]
    store.delete_correction(c.id)
    assert store.corrections(sid) == []


def test_bad_trainee_and_closed_writer(store: SessionStore) -> None:
    with pytest.raises(StoreError, match="trainee: is empty"):
        store.create_session(trainee="  ")
    w = store.create_session(trainee="Kari")
    info = w.close()
    assert info.status == "complete" and info.frame_count == 0 and info.duration_s == 0.0
    assert w.close().id == info.id  # idempotent


def test_events_added_at_the_end_are_saved(store: SessionStore) -> None:
    w = store.create_session(trainee="Kari")
    for i in range(5):
        w.add_frame(make_result(i * 200, label_schedule(i, 5), landmarks=False))
    w.add_events([FeedbackEvent(Behaviour.ARMS, "crossed_chest", 0, 800, 0.9),
                  FeedbackEvent(Behaviour.SMILE, "warm", 200, None, 0.4)])
    w.close(duration_s=1.0)
    evs = store.load(w.session_id).events
    assert [(str(e.behaviour), e.label, e.end_ms) for e in evs] == [("arms", "crossed_chest", 800),
                                                                     ("smile", "warm", None)]
    assert store.landmarks_at(w.session_id, 0) is None  # none kept for empty landmarks


def test_corrections_as_labelled_landmarks(store: SessionStore) -> None:
    sid = synthetic_session(store, n=30, step_ms=200)
    span = store.add_correction(sid, "arms", 1000, 1800, wrong_label="crossed_chest", correct_label="extended")
    moment = store.add_correction(sid, "smile", 2110, wrong_label="warm")
    samples = list(store.corrected_samples(sid))
    assert [(c.id, lm.timestamp_ms) for c, lm in samples] == [
        (span.id, 1000), (span.id, 1200), (span.id, 1400), (span.id, 1600), (span.id, 1800), (moment.id, 2200)]
    assert all(lm.has_face and lm.has_pose for _, lm in samples)


def test_mirrored_landmarks_round_trip(store: SessionStore) -> None:
    from dataclasses import replace

    w = store.create_session(trainee="Selfie")
    res = make_result(0, label_schedule(0, 1))
    w.add_frame(replace(res, landmarks=replace(res.landmarks, mirrored=True)))
    w.close()
    lm = store.landmarks_at(w.session_id, 0)
    assert lm is not None and lm.mirrored is True


def test_locked_database_gives_clear_message_postgresql(tmp_path: Path, pg_url: str) -> None:
    import psycopg

    store = SessionStore(tmp_path / "h", timeout_s=0.2, store=pg_url)
    other = psycopg.connect(pg_url)
    other.execute("LOCK TABLE sessions IN ACCESS EXCLUSIVE MODE")
    t0 = time.monotonic()
    with pytest.raises(StoreError, match=r"locked by another program \(waited 0.2 s\).*retry"):
        store.create_session(trainee="Kari")
    assert time.monotonic() - t0 < 5
    other.rollback()
    other.close()
    w = store.create_session(trainee="Kari")
    w.close()
    assert store.get(w.session_id).status == "complete"
    assert "postgresql://" in store.location
    store.close()


def test_two_programs_upgrading_at_once_upgrade_once_postgresql(tmp_path: Path, pg_url: str) -> None:
    import threading

    errors: list[BaseException] = []
    barrier = threading.Barrier(4)

    def open_store() -> None:
        try:
            barrier.wait()
            SessionStore(tmp_path / "h", store=pg_url).close()
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=open_store) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with SessionStore(tmp_path / "h", store=pg_url) as store:
        assert store.schema_version == SCHEMA_VERSION
        assert store._conn.execute("SELECT COUNT(*) FROM bodycoach_schema").fetchone()[0] == 1


def test_unreachable_postgresql_is_one_clear_line(tmp_path: Path) -> None:
    pytest.importorskip("psycopg")
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(StoreError, match=r"postgresql://kari:\*\*\*@127.0.0.1:\d+/x: cannot reach") as err:
        SessionStore(tmp_path / "h", store=f"postgresql://kari:secret@127.0.0.1:{port}/x", timeout_s=2)
    assert "secret" not in str(err.value) and "\n" not in str(err.value)


def test_two_programs_upgrading_at_once_upgrade_once(tmp_path: Path) -> None:
    import threading

    home = tmp_path / "race"
    home.mkdir()
    conn = sqlite3.connect(home / "sessions.db", isolation_level=None)
    migrate(conn, 1)
    conn.close()
    errors: list[BaseException] = []
    barrier = threading.Barrier(4)

    def open_store() -> None:
        try:
            barrier.wait()
            SessionStore(home).close()
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=open_store) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with SessionStore(home) as store:
        assert store.schema_version == SCHEMA_VERSION


def test_interrupted_migration_leaves_the_old_version(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from bodycoach.store import schema, sessions

    home = tmp_path / "broken"
    home.mkdir()
    conn = sqlite3.connect(home / "sessions.db", isolation_level=None)
    migrate(conn, 2)
    conn.close()
    broken = (*schema.MIGRATIONS[:2], "ALTER TABLE landmarks ADD COLUMN x INTEGER;\nSELECT * FROM no_such_table;")
    monkeypatch.setattr(sessions, "MIGRATIONS", broken)
    with pytest.raises(StoreError, match="no such table"):
        SessionStore(home)
    conn = sqlite3.connect(home / "sessions.db")
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 2
    cols = [r[1] for r in conn.execute("PRAGMA table_info(landmarks)")]
    assert "x" not in cols  # the half-done step was rolled back
    conn.close()


def test_voice_is_kept_with_the_session_and_deleted_with_it(tmp_path: Path, backend: str | None) -> None:
    store = SessionStore(tmp_path, store=backend)
    w = store.create_session(trainee="Kari")
    w.close(duration_s=2.0)
    sid = w.session_id
    assert store.voice(sid) is None
    track = {"t_ms": np.arange(0, 2000, 100), "level_db": np.linspace(-10, 0, 20).astype(np.float16)}
    store.save_voice(sid, {"speech_share": 0.5, "pauses": []}, [{"label": "long_silence", "start_ms": 0}], track)
    v = store.voice(sid)
    assert v is not None and v["summary"]["speech_share"] == 0.5 and v["events"][0]["label"] == "long_silence"
    assert np.array_equal(v["track"]["t_ms"], track["t_ms"])
    store.delete(sid)
    with store._sql("check") as c:
        assert c.execute("SELECT count(*) FROM voice").fetchone()[0] == 0
