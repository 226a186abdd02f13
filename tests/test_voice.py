"""Voice layer (bodycoach/voice) on real speech (CMU ARCTIC a0007) and espeak-ng speech of known truth."""

from __future__ import annotations

import numpy as np
import pytest

from bodycoach.errors import ConfigError
from bodycoach.io.audio import load_audio
from bodycoach.voice import EVENT_KINDS, VoiceSettings, analyze_samples
from bodycoach.voice.pitch import yin
from tests.conftest import TEST_DATA
from tests.voice_synth import SENTENCES, SR, add_noise, compose, have_espeak, speak

ARCTIC = TEST_DATA / "voice" / "arctic_a0007.wav"
ARCTIC_SYLLABLES = 13  # "He turned sharply, and faced Gregson across the table."
# Speaking time read by hand from the envelope (scripts/bench_voice.py says how): 0.42-3.44 s, no pause.
ARCTIC_SPEAKING_S = 3.44 - 0.42

needs_espeak = pytest.mark.skipif(not have_espeak(), reason="espeak-ng is not installed (scripts/setup)")


@pytest.fixture(scope="module")
def arctic() -> np.ndarray:
    t = load_audio(ARCTIC)
    assert t.ok and t.source_rate == 16000 and abs(t.duration_s - 4.0) < 0.05
    assert t.samples is not None
    return t.samples


def test_arctic_syllables_pitch_and_activity(arctic: np.ndarray) -> None:
    a = analyze_samples(arctic, lang="en")
    s = a.summary
    assert abs(s["syllables"] - ARCTIC_SYLLABLES) <= 2  # +-15 %
    assert s["articulation_rate_syl_s"] == pytest.approx(ARCTIC_SYLLABLES / ARCTIC_SPEAKING_S, rel=0.15)
    assert 2.5 < s["speech_s"] < 3.8  # the 4 s file has silence at both ends
    assert s["pauses"] == []
    assert 80 < s["median_pitch_hz"] < 180  # an adult male voice
    assert 1.0 < s["pitch_sd_st"] < 6.0
    assert set(s["events"]) == set(EVENT_KINDS)
    # the per-frame tracks line up with the time axis
    assert a.speech.size == a.level_dbfs.size == a.pitch_st.size == a.rate_syl_s.size == 400
    assert not np.isfinite(a.pitch_st[~a.speech]).any()


def test_yin_pure_tone_and_silence() -> None:
    t = np.arange(SR) / SR
    for f in (90.0, 150.0, 220.0, 350.0):
        x = (0.3 * np.sin(2 * np.pi * f * t)).astype(np.float32)
        f0, ap = yin(x, SR, 160)
        mid = f0[10:-10]
        assert np.nanmedian(np.abs(12 * np.log2(mid / f))) < 0.1  # within 0.1 semitone
        assert np.median(ap[10:-10]) < 0.05
    f0, _ = yin(np.zeros(SR, np.float32), SR, 160)
    assert np.isnan(f0).all()


@pytest.mark.parametrize("x", [np.zeros(0, np.float32), np.zeros(SR * 3, np.float32),
                               np.full(100, np.nan, np.float32), np.zeros(50, np.float32)])
def test_empty_silent_and_nan_input_is_a_result(x: np.ndarray) -> None:
    a = analyze_samples(x)
    assert a.summary["speech_share"] == 0.0 and a.summary["syllables"] == 0 and a.events == []
    assert np.isnan(a.columns_at(100, 200)["voice_pitch_st"])


def test_noise_is_not_speech() -> None:
    rng = np.random.default_rng(1)
    a = analyze_samples((0.01 * rng.normal(size=SR * 5)).astype(np.float32))
    assert a.summary["speech_share"] < 0.1


def test_settings_reject_unknown_and_bad_values(tmp_path) -> None:
    p = tmp_path / "v.toml"
    p.write_text("[pace]\nfast_en_syl_s = 6.0\nspeed = 3\n")
    with pytest.raises(ConfigError, match="unknown key 'speed'"):
        VoiceSettings.load(p)
    p.write_text("[vad]\naggressiveness = 7\n")
    with pytest.raises(ConfigError, match="aggressiveness"):
        VoiceSettings.load(p)
    p.write_text("[pitch]\nfmin_hz = 300.0\nfmax_hz = 200.0\n")
    with pytest.raises(ConfigError, match="fmax_hz"):
        VoiceSettings.load(p)
    s = VoiceSettings.load()
    assert s.pace.band("en") == (s.pace.slow_en_syl_s, s.pace.fast_en_syl_s)
    assert s.pace.band("no", phone=True)[1] < s.pace.band("no")[1]


@needs_espeak
@pytest.mark.parametrize("wpm", [120, 160, 220])
def test_espeak_rate_pauses_and_level_step(wpm: int) -> None:
    parts = [(0, 0, 0.4), (1, 0, 1.5), (2, 0, 0.6), (3, 0, 3.5), (4, 0, 0.3), (5, 0, 1.2), (2, -12, 0.5)]
    c = compose(parts, wpm)
    a = analyze_samples(add_noise(c.samples), lang="en")
    s = a.summary
    truth = c.syllables / c.speaking_s
    assert s["articulation_rate_syl_s"] == pytest.approx(truth, rel=0.15)
    found = [(p["start_ms"] / 1000, p["end_ms"] / 1000) for p in s["pauses"]]
    want = [(a0, b0) for a0, b0 in c.silences if b0 - a0 > 1.0]
    assert len(found) == len(want)
    for (fa, fb), (wa, wb) in zip(found, want, strict=True):
        assert abs(fa - wa) < 0.15 and abs(fb - wb) < 0.15
    assert s["longest_silence_s"] == pytest.approx(3.5, abs=0.15)
    assert [e.kind for e in a.events].count("long_silence") == 1
    # the same sentence at 0 dB (part 2) and at -12 dB (part 6): the level step
    lv = []
    for k in (2, 6):
        t0, t1, _ = c.segments[k]
        sl = slice(int(t0 * 100), int(t1 * 100))
        m = a.speech[sl]
        lv.append(10 * np.log10(np.mean(10 ** (a.level_dbfs[sl][m] / 10))))
    assert lv[0] - lv[1] == pytest.approx(12.0, abs=1.5)


@needs_espeak
def test_espeak_monotone_is_told_from_default() -> None:
    text = " ".join(t for t, _ in SENTENCES)
    flat = analyze_samples(add_noise(speak(f'<speak><prosody range="x-low">{text}</prosody></speak>', ssml=True)))
    normal = analyze_samples(add_noise(speak(f"<speak>{text}</speak>", ssml=True)))
    assert flat.summary["pitch_sd_st"] < VoiceSettings.load().monotony.monotone_below_st
    assert normal.summary["pitch_sd_st"] > 2 * flat.summary["pitch_sd_st"]
    assert any(e.kind == "monotone" for e in flat.events)
    assert not any(e.kind == "monotone" for e in normal.events)


@needs_espeak
def test_fast_speech_is_too_fast_and_quiet_stretch_too_quiet() -> None:
    fast = compose([(i % 6, 0, 0.3) for i in range(8)], 260)
    a = analyze_samples(add_noise(fast.samples), lang="en")
    assert any(e.kind == "too_fast" for e in a.events)
    normal = compose([(i % 6, 0 if i < 6 else -15, 0.3) for i in range(10)], 160)
    b = analyze_samples(add_noise(normal.samples), lang="en")
    kinds = [e.kind for e in b.events]
    assert "too_fast" not in kinds and "too_slow" not in kinds
    quiet = [e for e in b.events if e.kind == "too_quiet"]
    assert quiet and quiet[0].start_ms / 1000 >= normal.segments[5][1] - 1.5
