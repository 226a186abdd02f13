"""The review commands: sessions, report, export, correct, corrections, delete, annotate."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from bodycoach.apps.cli import main
from bodycoach.review.synthetic import synthetic_session
from bodycoach.store import SessionStore

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture()
def home(tmp_path: Path) -> Path:
    h = tmp_path / "home"
    with SessionStore(h) as store:
        synthetic_session(store, n=150, trainee="Kari", started_at="2026-01-01T09:00:00+00:00")
        synthetic_session(store, n=100, trainee="Ola", scenario="shy", started_at="2026-01-02T09:00:00+00:00")
    return h


def test_sessions_json(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sessions", "--json", "--home", str(home)]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["trainee"] for r in rows] == ["Ola", "Kari"]
    assert all({"id", "trainee", "started_at", "duration_s"} <= r.keys() for r in rows)
    assert rows[1]["duration_s"] == pytest.approx(30.0)
    assert main(["sessions", "--home", str(home), "--trainee", "Kari"]) == 0
    out = capsys.readouterr().out
    assert "Kari" in out and "Ola" not in out


def test_sessions_env_home(home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("BODYCOACH_HOME", str(home))
    assert main(["sessions", "--json"]) == 0
    assert len(json.loads(capsys.readouterr().out)) == 2


def test_report_export_correct_delete(home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    h = ["--home", str(home)]
    out = tmp_path / "r.html"
    assert main(["report", "1", "-o", str(out), *h]) == 0
    html = out.read_text(encoding="utf-8")
    assert "Øktrapport: Kari" in html and "<svg" in html
    assert main(["export", "1", "--out", str(tmp_path / "exp"), "--format", "csv", *h]) == 0
    assert (tmp_path / "exp" / "session-1-frames.csv").read_text().count("\n") == 151
    assert main(["correct", "1", "--area", "arms", "--at", "0:12", "--to", "14.5", "--not", "crossed_chest",
                 "--is", "extended", "--note", "hands on the counter", *h]) == 0
    capsys.readouterr()
    assert main(["corrections", "-o", str(tmp_path / "c.json"), *h]) == 0
    corr = json.loads((tmp_path / "c.json").read_text())
    assert corr[0]["start_ms"] == 12000 and corr[0]["end_ms"] == 14500 and corr[0]["correct_label"] == "extended"
    assert main(["corrections", *h]) == 0
    assert "1,arms,12000,14500,crossed_chest,extended" in capsys.readouterr().out
    assert main(["delete", "1", "--yes", *h]) == 0
    assert main(["report", "1", "-o", str(out), *h]) == 2
    assert "session 1: not found" in capsys.readouterr().err


def test_bad_input_exit_2(home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    h = ["--home", str(home)]
    assert main(["correct", "2", "--area", "arms", "--at", "3", "--not", "crossed", *h]) == 2
    assert "wrong_label: got 'crossed'" in capsys.readouterr().err
    assert main(["annotate", "2", "-o", str(tmp_path / "x.mp4"), *h]) == 2
    assert "no video was kept" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["report", "abc", "-o", "x.html", *h])
    # delete without --yes and without a terminal refuses
    assert main(["delete", "2", *h]) == 2
    conn = sqlite3.connect(home / "sessions.db")
    conn.execute("PRAGMA user_version=9")
    conn.commit()
    conn.close()
    assert main(["sessions", *h]) == 2
    assert "schema version 9 is newer" in capsys.readouterr().err


@pytest.mark.slow
def test_analyze_save_report_and_annotated_mp4(tmp_path: Path) -> None:
    """Real pipeline: a sample clip through MediaPipe into the store, then the report and the MP4."""
    import cv2

    video = ROOT / "sample_videos" / "liveportrait_s20.mp4"
    home = tmp_path / "home"
    cmd = [sys.executable, "-m", "bodycoach", "analyze", str(video), "--out", str(tmp_path / "out"),
           "--save", "--trainee", "Åse Ærlig", "--scenario", "rude", "--home", str(home), "--no-progress",
           "--every-ms", "200", "--json"]
    run = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    summary = json.loads(run.stdout)
    sid = summary["session_id"]
    store = SessionStore(home)
    data = store.load(sid)
    assert data.info.trainee == "Åse Ærlig" and len(data) > 20
    assert store.landmarks_at(sid, 1000) is not None
    assert main(["report", str(sid), "-o", str(tmp_path / "r.html"), "--home", str(home)]) == 0
    out = tmp_path / "annotated.mp4"
    assert main(["annotate", str(sid), "-o", str(out), "--video", str(video), "--home", str(home),
                 "--no-progress"]) == 0
    cap = cv2.VideoCapture(str(out))
    src = cv2.VideoCapture(str(video))
    n_out, n_src = int(cap.get(cv2.CAP_PROP_FRAME_COUNT)), int(src.get(cv2.CAP_PROP_FRAME_COUNT))
    ok, frame = cap.read()
    cap.release()
    src.release()
    assert ok and frame.shape[0] > 0
    assert abs(n_out - n_src) <= 2
    assert not list(tmp_path.glob(".*.part.mp4"))


def test_attach_copies_and_annotate_uses_it(home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    clip = ROOT / "sample_videos" / "liveportrait_s20.mp4"
    h = ["--home", str(home)]
    with SessionStore(home) as store:  # session 1 is the recording of the clip: its length and frame size
        store._conn.execute("DELETE FROM sessions WHERE id=1")
        synthetic_session(store, n=50, trainee="Kari", image_wh=(480, 908))
        sid = store.list_sessions(trainee="Kari")[0].id
    h = ["--home", str(home)]
    assert main(["attach", str(sid), str(clip), *h]) == 0
    kept = Path(capsys.readouterr().out.strip())
    assert kept.parent == home / "videos" and kept.exists()
    with SessionStore(home) as store:
        assert store.get(sid).video_path == kept and store.get(sid).video_owned
    out = tmp_path / "a.mp4"
    assert main(["annotate", str(sid), "-o", str(out), "--no-progress", *h]) == 0
    assert out.stat().st_size > 10_000
    assert main(["attach", str(sid), str(clip), "--link", *h]) == 0  # replaces the copy with a link
    assert not kept.exists() and clip.exists()
    assert main(["attach", str(sid), str(tmp_path / "missing.mp4"), *h]) == 2
    assert main(["delete", str(sid), "--yes", *h]) == 0
    assert clip.exists()  # a linked video is never deleted
