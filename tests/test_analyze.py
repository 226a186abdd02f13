"""``bodycoach analyze``: outputs, atomicity and bad input, with recorded landmarks instead of the models."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest

from bodycoach.apps.cli import main
from bodycoach.landmarks.recording import ReplayExtractor, load_landmarks
from bodycoach.offline import OUTPUT_FILES, analyze_video, timeline_header

ROOT = Path(__file__).resolve().parents[1]
CLIP = ROOT / "sample_videos" / "pyfeat_WolfgangLanger_Pexels.mp4"
GOLDEN = ROOT / "tests" / "data" / "golden_pexels.npz"


@pytest.fixture
def replay(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the CLI use recorded landmarks instead of running MediaPipe."""
    import bodycoach.landmarks.mediapipe as mp_adapter

    seq = load_landmarks(GOLDEN)
    monkeypatch.setattr(mp_adapter, "MediapipeExtractor", lambda **kw: ReplayExtractor(seq))


def test_analyze_writes_the_four_files(tmp_path: Path, replay: None, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    assert main(["analyze", str(CLIP), "--out", str(out), "--every-ms", "250", "--json", "--no-progress"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert sorted(p.name for p in out.iterdir()) == sorted(OUTPUT_FILES)
    assert summary["width"] == 640 and summary["height"] == 360
    assert summary["fps"] == pytest.approx(23.98, abs=0.01)
    assert summary["duration_s"] == pytest.approx(19.69, abs=0.05)
    n = summary["frames_analysed"]
    assert n == pytest.approx(19690 / 250, abs=2)
    assert 0.9 <= summary["share_face"] <= 1.0
    assert 0.0 <= summary["share_left_hand"] <= 1.0
    with np.load(out / "landmarks.npz") as z:
        assert z["t_ms"].shape == (n,) and z["pose"].shape == (n, 33, 4)
        assert z["face"].shape == (n, 478, 4) and z["left_hand"].shape == (n, 21, 4)
        assert z["right_hand"].shape == (n, 21, 4)
    rows = list(csv.reader((out / "timeline.csv").open()))
    assert rows[0] == timeline_header() and len(rows) == n + 1
    assert json.loads((out / "events.json").read_text()) == summary_events(out)


def summary_events(out: Path) -> list[dict[str, object]]:
    return json.loads((out / "events.json").read_text())


@pytest.mark.parametrize(
    ("make", "needle"),
    [
        (lambda d: d / "missing.mp4", "no such file"),
        (lambda d: _write(d / "zero.mp4", b""), "empty (0 bytes)"),
        (lambda d: _write(d / "notes.mp4", b"meeting notes\n" * 10), "not a readable video"),
        (lambda d: _write(d / "cut.mp4", CLIP.read_bytes()[:5000]), "cut.mp4"),
    ],
    ids=["missing", "zero-byte", "text-as-mp4", "truncated"],
)
def test_bad_input_exit_2_one_line_and_nothing_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], make, needle: str
) -> None:
    video = make(tmp_path)
    out = tmp_path / "out"
    assert main(["analyze", str(video), "--out", str(out), "--no-progress"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("bodycoach: error: ") and needle in err[0]
    assert not out.exists()


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_failure_mid_run_leaves_earlier_results_untouched(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "summary.json").write_text('{"earlier": true}')

    class Boom:
        def __init__(self) -> None:
            self.n = 0

        def extract(self, frame: object, ts: int):  # noqa: ANN201
            self.n += 1
            if self.n > 3:
                raise RuntimeError("model crashed")
            from bodycoach.types import Landmarks

            return Landmarks.empty(ts)

        def close(self) -> None:
            pass

    with pytest.raises(RuntimeError):
        analyze_video(CLIP, out, every_ms=500, extractor=Boom())
    assert [p.name for p in out.iterdir()] == ["summary.json"]
    assert json.loads((out / "summary.json").read_text()) == {"earlier": True}


def test_no_person_clip_gives_a_correct_empty_result(tmp_path: Path) -> None:
    from tests.videos import noise_frames, write_clip

    clip = write_clip(tmp_path / "empty_room.avi", noise_frames(20, 64, 48), fps=10, fourcc="MJPG")

    class Nobody:
        def extract(self, frame: object, ts: int):  # noqa: ANN201
            from bodycoach.types import Landmarks

            return Landmarks.empty(ts, (64, 48))

        def close(self) -> None:
            pass

    run = analyze_video(clip, tmp_path / "o", every_ms=0, extractor=Nobody())
    s = run.summary()
    assert s["frames_analysed"] == 20 and s["share_face"] == 0.0 and s["share_body"] == 0.0
    assert s["labels"]["smile"] == {"unknown": 1.0}


def test_help_reads_like_a_man_page(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as e:
        main(["analyze", "--help"])
    assert e.value.code == 0
    text = capsys.readouterr().out
    for word in ("landmarks.npz", "timeline.csv", "summary.json", "--every-ms", "examples:"):
        assert word in text


def test_analyze_save_imports_the_session(tmp_path: Path, replay: None, capsys: pytest.CaptureFixture[str]) -> None:
    home = tmp_path / "home"
    args = ["analyze", str(CLIP), "--out", str(tmp_path / "o"), "--every-ms", "500", "--no-progress",
            "--save", "--trainee", "Kari", "--scenario", "uhoflig", "--home", str(home), "--json"]
    assert main(args) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["session_id"]
    assert main(["sessions", "--home", str(home), "--json"]) == 0
    sessions = json.loads(capsys.readouterr().out)
    assert len(sessions) == 1
    s = sessions[0]
    assert s["id"] == summary["session_id"] and s["trainee"] == "Kari"
    assert s["duration_s"] == pytest.approx(19.69, abs=0.6)


def test_analyze_save_needs_a_trainee(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["analyze", str(CLIP), "--save", "--home", str(tmp_path)]) == 2
    assert "--trainee" in capsys.readouterr().err
