"""Live voice path (bodycoach/voice/live.py): bounded queue, meter, cues under the body cues' rules."""

from __future__ import annotations

import numpy as np
import pytest

from bodycoach.voice.live import CUE_TEXT, LiveVoice
from tests.voice_synth import SR, add_noise, compose, have_espeak

needs_espeak = pytest.mark.skipif(not have_espeak(), reason="espeak-ng is not installed (scripts/setup)")


def _feed(lv: LiveVoice, x: np.ndarray, sr: int = SR, frame_ms: int = 20, t0: int = 0) -> list:
    n = sr * frame_ms // 1000
    cues = []
    for i in range(x.size // n):
        lv.push((x[i * n : (i + 1) * n] * 32767).astype(np.int16), sr, t0 + (i + 1) * frame_ms)
        if i % 5 == 4:
            c = lv.poll()
            if c is not None:
                cues.append(c)
    return cues


def test_queue_is_bounded_and_drops_the_oldest() -> None:
    lv = LiveVoice()
    cap = lv.s.live.queue_frames
    for i in range(cap + 50):
        lv.push(np.zeros(320, np.int16), 16000, i * 20)
    assert len(lv._q) == cap and lv._q[0][2] == 50 * 20  # the oldest 50 went
    assert lv.dropped == 50
    lv.poll()
    assert len(lv._q) == 0


def test_silence_is_no_cue_and_48k_stereo_is_taken() -> None:
    lv = LiveVoice()
    st = np.zeros((2, 960), np.int16)
    for i in range(300):
        lv.push(st, 48000, i * 20)
        lv.poll()
    assert lv.meter is not None and lv.meter.speaking is False and lv.meter.rate_syl_s is None


@needs_espeak
def test_normal_speech_then_a_long_silence() -> None:
    c = compose([(i % 6, 0, 0.3) for i in range(10)], 160)
    x = add_noise(np.concatenate([c.samples, np.zeros(SR * 5, np.float32)]))
    lv = LiveVoice(lang="en")
    cues = _feed(lv, x)
    kinds = [q.kind for q in cues]
    assert "too_fast" not in kinds and "too_slow" not in kinds and "too_loud" not in kinds
    assert kinds.count("long_silence") == 1
    assert cues[-1].text == CUE_TEXT["en"]["long_silence"]
    assert lv.meter is not None and lv.meter.baseline_ready


@needs_espeak
def test_fast_speech_gets_one_kind_cue_not_repeated_within_20_s() -> None:
    c = compose([(i % 6, 0, 0.2) for i in range(14)], 280)
    lv = LiveVoice(lang="no", phone=True)
    cues = _feed(lv, add_noise(c.samples))
    fast = [q for q in cues if q.kind == "too_fast"]
    assert fast and fast[0].text == CUE_TEXT["no"]["too_fast"]
    for a, b in zip(cues, cues[1:], strict=False):
        assert b.ts_ms - a.ts_ms >= lv.show_ms  # one at a time
    for a, b in zip(fast, fast[1:], strict=False):
        assert b.ts_ms - a.ts_ms >= 20000
