"""``bodycoach store migrate`` SQLite -> PostgreSQL (a real server started by the tests), and every
``bodycoach`` store command reading the PostgreSQL store."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from bodycoach.apps.cli import main
from bodycoach.review.synthetic import synthetic_session
from bodycoach.store import SessionStore
from bodycoach.store.transfer import counts, digest
from bodycoach.store.transfer import _fetch as fetch


def _fill(store: SessionStore) -> list[int]:
    a = synthetic_session(store, n=40, trainee="Kari", started_at="2026-01-01T10:00:00+00:00")
    b = synthetic_session(store, n=25, trainee="Ola", scenario="shy", started_at="2026-01-02T10:00:00+00:00")
    w = store.create_session(trainee="Eva", started_at="2026-01-03T10:00:00+00:00")
    for r in list(store.load(b).frame_results())[:10]:
        w.add_frame(r)
    w.abort("camera lost")
    c = w.session_id
    store.add_correction(a, "arms", 200, 600, wrong_label="crossed_chest", correct_label="extended", note="ok")
    store.save_voice(b, {"pace": 1.0}, [{"kind": "pause", "start_ms": 100}],
                     {"t_ms": np.arange(0, 1000, 100), "level_db": np.zeros(10, dtype=np.float16)})
    return [a, b, c]


def test_migrate_sqlite_to_postgresql_checked_and_idempotent(tmp_path: Path, pg_url: str,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    home = tmp_path / "room1"
    with SessionStore(home) as src:
        _fill(src)
    with SessionStore(home) as src:  # as migrate will see it (a session left recording is marked on opening)
        want = {digest(fetch(src, s.id)) for s in src.list_sessions()}
        src_counts = counts(src)
    # the target already holds another room's session: ids differ, nothing is overwritten
    with SessionStore(tmp_path / "pg", store=pg_url) as dst:
        other = synthetic_session(dst, n=5, trainee="Room2")
        other_digest = digest(fetch(dst, other))
    argv = ["store", "migrate", "--from", f"sqlite:{home}", "--to", pg_url, "--home", str(tmp_path / "pg"), "--json"]
    assert main(argv) == 0
    rep = json.loads(capsys.readouterr().out)
    assert rep["copied"] == 3 and rep["already"] == 0 and rep["mismatched"] == []
    assert rep["source_counts"] == src_counts
    for table, n in src_counts.items():
        assert rep["target_counts"][table] >= n
    assert rep["target_counts"]["sessions"] == 4
    with SessionStore(tmp_path / "pg", store=pg_url) as dst:
        got = {digest(fetch(dst, s.id)) for s in dst.list_sessions()}
        assert got == want | {other_digest}
        kari = [s for s in dst.list_sessions() if s.trainee == "Kari"][0]
        assert dst.corrections(kari.id)[0].note == "ok"
        ola = [s for s in dst.list_sessions() if s.trainee == "Ola"][0]
        assert dst.voice(ola.id)["summary"] == {"pace": 1.0}
        assert len({s.status for s in dst.list_sessions()}) == 2  # the unfinished one kept its status
    # again: nothing copied twice
    assert main(argv) == 0
    rep2 = json.loads(capsys.readouterr().out)
    assert rep2["copied"] == 0 and rep2["already"] == 3 and rep2["target_counts"] == rep["target_counts"]


def test_sessions_cli_reads_the_postgresql_store(tmp_path: Path, pg_url: str, monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    with SessionStore(tmp_path / "h", store=pg_url) as s:
        sid = synthetic_session(s, n=20, trainee="Kari")
    assert main(["sessions", "--store", pg_url, "--home", str(tmp_path / "h"), "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [x["id"] for x in (listed if isinstance(listed, list) else listed["sessions"])] == [sid]
    monkeypatch.setenv("BODYCOACH_STORE", pg_url)  # what live, kiosk and review pick up
    with SessionStore(tmp_path / "other") as s:
        assert s.backend == "postgresql" and [x.id for x in s.list_sessions()] == [sid]


def test_bad_store_urls_are_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["store", "migrate", "--from", "mysql://x", "--to", "sqlite:/tmp/x"]) == 2
    assert "expected sqlite:PATH or postgresql://" in capsys.readouterr().err
    assert main(["sessions", "--store", "redis://x", "--home", str(tmp_path)]) == 2
    assert "expected postgresql://" in capsys.readouterr().err


def test_a_recording_on_another_pc_is_not_marked_interrupted(tmp_path: Path, pg_url: str) -> None:
    """Two PCs (two data folders) share the PostgreSQL store: PC B starting leaves PC A's live session be."""
    pc_a = SessionStore(tmp_path / "pc_a", store=pg_url)
    w = pc_a.create_session(trainee="Kari", source="camera:0")
    with SessionStore(tmp_path / "pc_b", store=pg_url) as pc_b:
        assert pc_b.recover_interrupted() == []
        assert pc_b.get(w.session_id).status == "recording"
    w.close(duration_s=1.0)
    assert pc_a.get(w.session_id).status == "complete"
    w2 = pc_a.create_session(trainee="Ola")
    pc_a._conn.close()  # PC A's program dies: the server drops its lock
    with SessionStore(tmp_path / "pc_b", store=pg_url) as pc_b:
        assert pc_b.get(w2.session_id).status == "interrupted"
