"""``bodycoach analyze`` with the voice: timeline columns, summary ``voice``, voice events, store, --no-voice."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest

from bodycoach.apps.cli import main
from bodycoach.landmarks.recording import ReplayExtractor, load_landmarks
from bodycoach.offline import VOICE_COLUMNS
from tests.voice_synth import add_noise, compose, have_espeak, mux

ROOT = Path(__file__).resolve().parents[1]
CLIP = ROOT / "sample_videos" / "pyfeat_WolfgangLanger_Pexels.mp4"  # its audio track is digital silence
GOLDEN = ROOT / "tests" / "data" / "golden_pexels.npz"

pytestmark = pytest.mark.skipif(not have_espeak(), reason="espeak-ng is not installed (scripts/setup)")


@pytest.fixture
def replay(monkeypatch: pytest.MonkeyPatch) -> None:
    import bodycoach.landmarks.mediapipe as mp_adapter

    seq = load_landmarks(GOLDEN)
    monkeypatch.setattr(mp_adapter, "MediapipeExtractor", lambda **kw: ReplayExtractor(seq, loop=True))


@pytest.fixture(scope="module")
def spoken(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    c = compose([(0, 0, 0.5), (1, 0, 1.6), (2, 0, 3.4), (3, 0, 0.4), (4, 0, 0.0)], 160)
    path = mux(CLIP, add_noise(c.samples), tmp_path_factory.mktemp("v") / "spoken.mp4")
    return path, c


def _rows(out: Path) -> list[dict[str, str]]:
    with (out / "timeline.csv").open() as fh:
        return list(csv.DictReader(fh))


def test_analyze_adds_the_voice(tmp_path: Path, replay: None, spoken, capsys) -> None:
    path, c = spoken
    out = tmp_path / "out"
    home = tmp_path / "home"
    assert main(["analyze", str(path), "--out", str(out), "--every-ms", "250", "--json", "--no-progress",
                 "--lang", "en", "--save", "--trainee", "Kari", "--home", str(home)]) == 0
    summary = json.loads(capsys.readouterr().out)
    v = summary["voice"]
    for key in ("speech_share", "articulation_rate_syl_s", "speech_rate_syl_s", "pitch_sd_st", "level_sd_db",
                "longest_silence_s", "pauses"):
        assert key in v, key
    assert v["available"] is True
    assert v["articulation_rate_syl_s"] == pytest.approx(c.syllables / c.speaking_s, rel=0.15)
    assert [(p["start_ms"] / 1000, p["end_ms"] / 1000) for p in v["pauses"]] == [
        pytest.approx(s, abs=0.15) for s in c.silences if s[1] - s[0] > 1]
    assert v["longest_silence_s"] == pytest.approx(3.4, abs=0.15)
    rows = _rows(out)
    assert all(col in rows[0] for col in VOICE_COLUMNS)
    sil_a, sil_b = c.silences[2]
    t = np.array([int(r["t_ms"]) for r in rows])
    active = np.array([r["voice_active"] for r in rows])
    inside = (t > sil_a * 1000 + 300) & (t < sil_b * 1000 - 300)
    assert inside.sum() >= 8 and set(active[inside]) == {"0"}
    s0, s1, _ = c.segments[1]
    speaking = (t > s0 * 1000 + 300) & (t < s1 * 1000 - 300)
    assert (active[speaking] == "1").mean() > 0.9
    pitch = [r["voice_pitch_st"] for r in rows if r["voice_active"] == "1"]
    assert sum(p != "" for p in pitch) > 0.5 * len(pitch)
    events = json.loads((out / "events.json").read_text())
    voice_ev = [e for e in events if e["behaviour"] == "voice"]
    assert [e["label"] for e in voice_ev].count("long_silence") == 1
    assert events == sorted(events, key=lambda e: (e["start_ms"], e["behaviour"]))
    # stored with the session
    from bodycoach.store import SessionStore

    store = SessionStore(home)
    stored = store.voice(summary["session_id"])
    assert stored is not None and stored["summary"]["pauses"] == v["pauses"]
    assert stored["track"]["t_ms"].size == pytest.approx(c.samples.size / 1600, abs=2)


def test_no_voice_and_silent_track(tmp_path: Path, replay: None, spoken, capsys) -> None:
    path, _ = spoken
    assert main(["analyze", str(path), "--out", str(tmp_path / "a"), "--every-ms", "500", "--json",
                 "--no-progress", "--no-voice"]) == 0
    v = json.loads(capsys.readouterr().out)["voice"]
    assert v["available"] is False and "no-voice" in v["reason"]
    rows = _rows(tmp_path / "a")
    assert all(r[c] == "" for r in rows for c in VOICE_COLUMNS)
    # the sample clip's own audio is digital silence: a result with a one-line reason
    assert main(["analyze", str(CLIP), "--out", str(tmp_path / "b"), "--every-ms", "1000", "--no-progress"]) == 0
    printed = capsys.readouterr().out
    assert "voice" in printed and "silent" in printed
    s = json.loads((tmp_path / "b" / "summary.json").read_text())["voice"]
    assert s["speech_share"] == 0.0 and "silent" in s["reason"]
