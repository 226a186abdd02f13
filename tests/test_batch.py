"""``bodycoach batch``: real clips through real worker processes (and a local Ray cluster) into the store.

Kept lean for 2 cores: 5-second dev clips analysed every 500 ms (about 10 frames each).
"""

from __future__ import annotations

import json
import multiprocessing as mp
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from bodycoach import batch
from bodycoach.apps.cli import main
from bodycoach.errors import BodycoachError
from bodycoach.feedback.report import state_shares
from bodycoach.review.scorecard import session_report
from bodycoach.store import SessionRecord, SessionStore

from .test_store import backend  # noqa: F401  (fixture: each store back-end)


EVERY_MS = 500.0
# Short dev clips whose licences allow copying (we only read them in place; see ../shared/data/README.md).
CLIPS = ("retalking_2.mp4", "retalking_3.mp4", "liveportrait_d0.mp4")


@pytest.fixture(scope="module")
def clips(dev_data: Path) -> list[Path]:
    found = [dev_data / "videos" / c for c in CLIPS]
    missing = [p for p in found if not p.exists()]
    if missing:
        pytest.skip(f"dev clips not found: {missing[0]}")
    return found


def make_batch_folder(root: Path, clips: list[Path], bad: bool = True) -> Path:
    """trainee folders with real clips, plus a zero-byte file, a truncated clip and a text file named .mp4."""
    (root / "Kari").mkdir(parents=True)
    (root / "Ola").mkdir()
    shutil.copy(clips[0], root / "Kari" / clips[0].name)
    shutil.copy(clips[1], root / "Kari" / clips[1].name)
    shutil.copy(clips[2], root / "Ola" / clips[2].name)
    if bad:
        (root / "Ola" / "empty.mp4").write_bytes(b"")
        data = clips[2].read_bytes()
        (root / "Ola" / "truncated.mp4").write_bytes(data[: len(data) // 3])
        (root / "Ola" / "notes.mp4").write_text("not a video, just text\n", encoding="utf-8")
    return root


def session_fingerprint(store: SessionStore) -> dict[str, tuple]:
    """content hash -> (trainee, frames, states per behaviour, events): what a trainer would see."""
    out = {}
    rows = store._conn.execute("SELECT id, content_hash FROM sessions").fetchall()
    for sid, digest in rows:
        d = store.load(sid)
        states = tuple((b, tuple(d.states[b].tolist())) for b in d.info.behaviours)
        events = tuple((str(e.behaviour), e.label, e.start_ms, e.end_ms) for e in d.events)
        assert digest not in out, "a recording stored twice"
        out[digest] = (d.info.trainee, d.info.status, len(d), states, events)
    return out


# -- planning (pure) --------------------------------------------------------------------------------
def test_discover_folders_globs_and_typos(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "x.mp4").write_bytes(b"1")
    (tmp_path / "a" / "notes.txt").write_text("skip me")
    (tmp_path / "a" / ".hidden").mkdir()
    (tmp_path / "a" / ".hidden" / "y.mp4").write_bytes(b"2")
    (tmp_path / "b.webm").write_bytes(b"3")
    found = batch.discover([tmp_path / "a", str(tmp_path / "*.webm"), tmp_path / "a" / "x.mp4"])
    assert found == [(tmp_path / "a" / "x.mp4").resolve(), (tmp_path / "b.webm").resolve()]
    with pytest.raises(BodycoachError, match="no such file"):
        batch.discover([tmp_path / "nope"])


def test_trainee_from_folder_filename_and_csv(tmp_path: Path) -> None:
    p = tmp_path / "Kari" / "Ola_2026-03-02_take1.mp4"
    p.parent.mkdir()
    p.write_bytes(b"video")
    assert batch.trainee_from_name(p, "folder") == "Kari"
    assert batch.trainee_from_name(p, "filename") == "Ola"
    table = tmp_path / "trainees.csv"
    table.write_text("file,trainee,scenario\nKari/Ola_2026-03-02_take1.mp4,Eva,sjenert\n", encoding="utf-8")
    errors: list[tuple[Path, str]] = []
    other = tmp_path / "other.mp4"
    other.write_bytes(b"x")
    items = batch.plan_items([p, other], trainee_from=f"csv:{table}", scenario="uhoflig",
                             on_error=lambda f, r: errors.append((f, r)))
    assert [(i.trainee, i.scenario) for i in items] == [("Eva", "sjenert")]
    assert errors == [(other, "not in the trainee list")]
    with pytest.raises(BodycoachError, match="expected folder, filename or csv"):
        batch.plan_items([p], trainee_from="room")


def test_analysis_version_follows_the_options() -> None:
    a = batch.analysis_version(500, False)
    assert a == batch.analysis_version(500.0, False)
    assert a != batch.analysis_version(200, False) != batch.analysis_version(500, True)


# -- one machine: worker processes -------------------------------------------------------------------
@pytest.mark.slow
def test_batch_equals_analyze_save(tmp_path: Path, clips: list[Path]) -> None:
    """Same states, labels, scores, events and shares as ``analyze --save`` (two files through one worker,
    so the second one runs on restarted models)."""
    home_a, home_b = tmp_path / "analyze", tmp_path / "batch"
    for clip in clips[:2]:
        assert main(["analyze", str(clip), "--save", "--trainee", "Kari", "--home", str(home_a),
                     "--every-ms", str(EVERY_MS), "--out", str(tmp_path / "out" / clip.stem),
                     "--no-progress", "--json"]) == 0
    items = batch.plan_items(clips[:2], trainee_from="filename")
    with SessionStore(home_b) as store:
        report = batch.run_batch(items, store, batch.LocalRunner(1), every_ms=EVERY_MS)
    assert report.count("saved") == 2
    with SessionStore(home_a) as a, SessionStore(home_b) as b:
        by_source = {s.source: s for s in a.list_sessions()}
        for rep, clip in zip(report.items, clips[:2], strict=True):
            da = a.load(by_source[str(clip)].id)
            db = b.load(rep.session_id)
            assert len(da) == len(db) > 5
            np.testing.assert_array_equal(da.timestamps_ms, db.timestamps_ms)
            for beh in da.info.behaviours:
                assert da.states[beh].tolist() == db.states[beh].tolist(), beh
                assert da.labels[beh].tolist() == db.labels[beh].tolist(), beh
                np.testing.assert_array_equal(da.scores[beh], db.scores[beh])
            assert [e.to_dict() for e in da.events] == [e.to_dict() for e in db.events]
            assert da.info.duration_s == pytest.approx(db.info.duration_s)
            assert da.info.frame_count == db.info.frame_count
            # the shares the review page shows for the batch session = analyze's summary.json
            summary = json.loads((tmp_path / "out" / clip.stem / "summary.json").read_text())
            shares = state_shares(session_report(db).time_ms)
            assert {b: {k: round(v, 4) for k, v in sh.items()} for b, sh in shares.items()} == summary["states"]


@pytest.mark.slow
def test_workers_bad_files_rerun_and_json(tmp_path: Path, clips: list[Path],
                                          capsys: pytest.CaptureFixture[str]) -> None:
    folder = make_batch_folder(tmp_path / "in", clips)
    home = tmp_path / "home"
    argv = ["batch", str(folder), "--home", str(home), "--workers", "2", "--every-ms", str(EVERY_MS),
            "--json", "--no-progress"]
    assert main(argv) == 2  # some recordings failed
    out = capsys.readouterr()
    rep = json.loads(out.out)
    assert rep["saved"] == 3 and rep["failed"] == 3
    failed = {Path(i["file"]).name: i["reason"] for i in rep["items"] if i["status"] == "failed"}
    assert set(failed) == {"empty.mp4", "truncated.mp4", "notes.mp4"}
    assert "empty" in failed["empty.mp4"]
    for name in failed:  # one line per failure, naming the file
        assert sum(name in line for line in out.err.splitlines()) == 1
    with SessionStore(home) as store:
        first = session_fingerprint(store)
        assert sorted(t for t, *_ in first.values()) == ["Kari", "Kari", "Ola"]
        assert all(status == "complete" for _, status, *_ in first.values())
    # second run: nothing new, the bad files reported again
    assert main(argv) == 2
    rep2 = json.loads(capsys.readouterr().out)
    assert rep2["saved"] == 0 and rep2["skipped"] == 3 and rep2["failed"] == 3
    with SessionStore(home) as store:
        assert session_fingerprint(store) == first


@pytest.mark.slow
def test_crashed_worker_is_retried_once(tmp_path: Path, clips: list[Path]) -> None:
    """The worker process is killed (SIGKILL) in the middle of a file: a new one analyses it again."""
    longer = clips[0].parent / "liveportrait_d9.mp4"  # ~20 s: still being analysed when the kill comes
    if not longer.exists():
        pytest.skip(f"dev clip not found: {longer}")
    items = batch.plan_items([longer], trainee_from="folder")
    killed: list[int] = []

    def killer() -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not killed:
            for child in mp.active_children():
                if child.name == "bodycoach-batch-worker" and child.pid:
                    time.sleep(2.0)  # let it load the models and start the file
                    os.kill(child.pid, signal.SIGKILL)
                    killed.append(child.pid)
                    return
            time.sleep(0.05)

    t = threading.Thread(target=killer, daemon=True)
    t.start()
    with SessionStore(tmp_path / "home") as store:
        report = batch.run_batch(items, store, batch.LocalRunner(1), every_ms=100)
    t.join(5)
    assert killed
    assert report.count("saved") == 1 and report.items[0].attempts == 2


_KILLED_BATCH = """
import sys
from bodycoach.apps.cli import main
sys.exit(main(sys.argv[1:]))
"""


def run_and_kill_after_first_save(argv: list[str], home: Path, timeout_s: float = 240) -> int:
    """Start ``bodycoach batch`` and SIGKILL it as soon as the first session is in the store."""
    proc = subprocess.Popen([sys.executable, "-c", _KILLED_BATCH, *argv], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    db = home / "sessions.db"
    deadline = time.monotonic() + timeout_s
    saved = 0
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            if db.exists():
                try:
                    with sqlite3.connect(db, timeout=1) as c:
                        saved = c.execute("SELECT COUNT(*) FROM sessions").fetchone()[0]
                except sqlite3.Error:
                    saved = 0
                if saved:
                    break
            time.sleep(0.05)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)  # driver and workers at once: a power cut of the batch
        proc.wait()
    return saved


@pytest.mark.slow
def test_killed_batch_resumes_to_the_same_sessions(tmp_path: Path, clips: list[Path]) -> None:
    folder = make_batch_folder(tmp_path / "in", clips, bad=False)
    home_full, home_killed = tmp_path / "full", tmp_path / "killed"
    base = ["batch", str(folder), "--workers", "1", "--every-ms", str(EVERY_MS), "--no-progress", "--json"]
    assert main([*base, "--home", str(home_full)]) == 0
    saved = run_and_kill_after_first_save([*base, "--home", str(home_killed)], home_killed)
    assert 1 <= saved < 3, "the batch was not stopped mid-way"
    assert main([*base, "--home", str(home_killed)]) == 0
    with SessionStore(home_full) as a, SessionStore(home_killed) as b:
        assert session_fingerprint(a) == session_fingerprint(b)
        assert len(b.list_sessions()) == 3


# -- the store side of a batch (synthetic rows, no models) -------------------------------------------
def test_save_record_is_one_transaction_and_idempotent(tmp_path: Path, backend: str | None) -> None:
    from bodycoach.review.synthetic import label_schedule
    from bodycoach.review.synthetic import make_result as synth

    rec = SessionRecord()
    for i in range(50):
        rec.add_frame(synth(i * 200, label_schedule(i, 50)))
    with SessionStore(tmp_path / "h", store=backend) as store:
        sid, created = store.save_record(rec, trainee="Kari", source="x.mp4", duration_s=10.0,
                                         content_hash="abc", analysis_version="v1")
        assert created
        again, created2 = store.save_record(rec, trainee="Kari", content_hash="abc", analysis_version="v1")
        assert (again, created2) == (sid, False)
        other, created3 = store.save_record(rec, trainee="Kari", content_hash="abc", analysis_version="v2")
        assert created3 and other != sid
        d = store.load(sid)
        assert len(d) == 50 and d.info.status == "complete" and d.info.duration_s == 10.0
        assert store.find_recording("abc", "v1") == sid and store.find_recording("zzz", "v1") is None
