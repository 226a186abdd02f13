"""Audio adapter (bodycoach/io/audio.py): awkward recordings give a result or a one-line reason."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from bodycoach.io.audio import load_audio
from bodycoach.voice import analyze_samples
from tests.conftest import SAMPLES, TEST_DATA
from tests.voice_synth import SR, mux, write_wav

ARCTIC = TEST_DATA / "voice" / "arctic_a0007.wav"
CLIP = SAMPLES / "liveportrait_d12.mp4"

needs_ffmpeg = pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="ffmpeg is not installed")


@pytest.fixture(scope="module")
def speech() -> np.ndarray:
    t = load_audio(ARCTIC)
    assert t.samples is not None
    return t.samples


def _one_line(reason: str | None) -> None:
    assert reason and "\n" not in reason and len(reason) < 200


@needs_ffmpeg
def test_no_audio_track(tmp_path: Path) -> None:
    out = tmp_path / "silent_video.mp4"
    subprocess.run(["ffmpeg", "-v", "error", "-i", str(CLIP), "-an", "-c:v", "copy", str(out)], check=True)
    t = load_audio(out)
    assert t.samples is None and not t.ok
    _one_line(t.reason)
    assert "no audio track" in t.reason


def test_missing_and_garbage_files(tmp_path: Path) -> None:
    t = load_audio(tmp_path / "nope.mp4")
    _one_line(t.reason)
    bad = tmp_path / "bad.mp4"
    bad.write_bytes(b"\x00garbage" * 100)
    t = load_audio(bad)
    assert t.samples is None
    _one_line(t.reason)


@needs_ffmpeg
def test_silent_track_is_a_reason_not_speech(tmp_path: Path) -> None:
    out = mux(CLIP, np.zeros(SR * 3, np.float32), tmp_path / "zeros.mp4")
    t = load_audio(out)
    _one_line(t.reason)
    assert "silent" in t.reason
    assert t.samples is not None
    a = analyze_samples(t.samples)
    assert a.summary["speech_share"] == 0.0


@needs_ffmpeg
def test_muxed_into_a_real_clip_decodes_like_the_wav(tmp_path: Path, speech: np.ndarray) -> None:
    out = mux(CLIP, speech, tmp_path / "arctic.mp4")
    t = load_audio(out)
    assert t.ok and t.samples is not None
    assert abs(t.duration_s - 4.0) < 0.1
    ref = analyze_samples(speech).summary
    got = analyze_samples(t.samples).summary
    assert abs(got["syllables"] - ref["syllables"]) <= 1
    assert got["median_pitch_hz"] == pytest.approx(ref["median_pitch_hz"], rel=0.03)


def test_telephone_8k_is_upsampled(tmp_path: Path, speech: np.ndarray) -> None:
    from scipy.signal import resample_poly

    narrow = resample_poly(speech, 1, 2).astype(np.float32)
    t = load_audio(write_wav(tmp_path / "phone.wav", narrow, 8000))
    assert t.ok and t.source_rate == 8000 and t.sample_rate == 16000
    assert any("telephone" in n for n in t.notes)
    s = analyze_samples(t.samples).summary
    assert 10 <= s["syllables"] <= 16 and 80 < s["median_pitch_hz"] < 180


def test_stereo_with_one_dead_channel(tmp_path: Path, speech: np.ndarray) -> None:
    st = np.stack([np.zeros_like(speech), speech], axis=1)
    t = load_audio(write_wav(tmp_path / "dead_left.wav", st, SR, channels=2))
    assert t.ok and t.channels == 2
    assert any("channel 1 of 2 is silent" in n for n in t.notes)
    assert t.samples is not None
    # the live channel is used at its own level (not halved by the dead one)
    assert np.sqrt(np.mean(t.samples**2)) == pytest.approx(np.sqrt(np.mean(speech**2)), rel=0.05)


def test_clipped_recording_is_noted_and_analysed(tmp_path: Path, speech: np.ndarray) -> None:
    hot = np.clip(speech * 20.0, -1.0, 1.0)
    t = load_audio(write_wav(tmp_path / "hot.wav", hot))
    assert t.ok and any("clipped" in n for n in t.notes)
    s = analyze_samples(t.samples, notes=t.notes).summary
    assert s["clipped_share"] > 0.001
    assert 9 <= s["syllables"] <= 17
