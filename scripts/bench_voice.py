#!/usr/bin/env python
"""Measure the voice layer's accuracy and speed (prints figures; not a test).

    OMP_NUM_THREADS=1 nice -n 5 .venv/bin/python scripts/bench_voice.py

Truth: CMU ARCTIC a0007 (13 syllables; speaking time from the clean studio file, pauses over 250 ms left
out) and espeak-ng sentences of counted syllables joined with silences of known length and -12 dB
segments (tests/voice_synth.py), muxed into a real clip (AAC) and decoded back like any recording.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from bodycoach.io.audio import load_audio  # noqa: E402
from bodycoach.voice import analyze_samples  # noqa: E402
from tests.voice_synth import SENTENCES, add_noise, compose, mux, sound_time_s, speak  # noqa: E402

CLIP = ROOT / "sample_videos" / "liveportrait_d12.mp4"
# Read by hand from the file's 20 ms energy envelope: "He" rises out of the room-noise floor (-35 dB under
# the peak) at 0.42 s, "table" falls back into it at 3.44 s; no pause of 250 ms or more in between (the
# comma after "sharply" is a ~140 ms dip). The studio noise floor is too high for sound_time_s().
ARCTIC_SPEAKING_S = 3.44 - 0.42


def main() -> int:
    print(f"load average: {open('/proc/loadavg').read().strip()}  OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS')}")
    tmp = Path(tempfile.mkdtemp(prefix="bench-voice-"))
    # ARCTIC
    arctic = load_audio(ROOT / "tests" / "data" / "voice" / "arctic_a0007.wav").samples
    a = analyze_samples(arctic, lang="en").summary
    truth = 13 / ARCTIC_SPEAKING_S
    print(f"ARCTIC a0007: syllables {a['syllables']} (truth 13), articulation rate {a['articulation_rate_syl_s']:.2f} "
          f"vs {truth:.2f} syl/s ({a['articulation_rate_syl_s'] / truth - 1:+.1%})")
    parts = [(0, 0, 0.4), (1, 0, 1.5), (2, 0, 0.6), (3, 0, 3.5), (4, 0, 0.3), (5, 0, 1.2), (2, -12, 1.1), (3, -12, 0.0)]
    for wpm in (120, 160, 220):
        c = compose(parts, wpm)
        path = mux(CLIP, add_noise(c.samples), tmp / f"espeak_{wpm}.mp4")
        t = load_audio(path)
        an = analyze_samples(t.samples, lang="en")
        s = an.summary
        truth = c.syllables / c.speaking_s
        found = [(p["start_ms"] / 1000, p["end_ms"] / 1000) for p in s["pauses"]]
        want = [w for w in c.silences if w[1] - w[0] > 1.0]
        errs = [max(abs(f[0] - w[0]), abs(f[1] - w[1])) * 1000 for f, w in zip(found, want, strict=False)]
        lv = []
        for k in (2, 6, 3, 7):
            t0, t1, _ = c.segments[k]
            sl = slice(int(t0 * 100), int(t1 * 100))
            m = an.speech[sl]
            lv.append(10 * np.log10(np.mean(10 ** (an.level_dbfs[sl][m] / 10))))
        print(f"espeak {wpm} wpm (muxed, AAC): syllables {s['syllables']} (truth {c.syllables}), articulation rate "
              f"{s['articulation_rate_syl_s']:.2f} vs {truth:.2f} ({s['articulation_rate_syl_s'] / truth - 1:+.1%}); "
              f"pauses > 1 s found {len(found)}/{len(want)}, worst edge error {max(errs, default=float('nan')):.0f} ms; "
              f"-12 dB steps measured {lv[0] - lv[1]:.2f} and {lv[2] - lv[3]:.2f} dB; "
              f"events {sorted({e.kind for e in an.events})}")
    text = " ".join(t for t, _ in SENTENCES)
    flat = analyze_samples(add_noise(speak(f'<speak><prosody range="x-low">{text}</prosody></speak>', ssml=True)))
    norm = analyze_samples(add_noise(speak(f"<speak>{text}</speak>", ssml=True)))
    print(f"monotone: pitch spread x-low {flat.summary['pitch_sd_st']:.2f} st (monotone events "
          f"{flat.summary['events']['monotone']}), default {norm.summary['pitch_sd_st']:.2f} st (monotone events "
          f"{norm.summary['events']['monotone']})")
    # Speed: a 60 s recording, decode + analysis, CPU time of this process.
    c = compose([(i % 6, 0, 0.5 + (i % 3) * 0.5) for i in range(24)], 160)
    x = np.tile(add_noise(c.samples), int(np.ceil(60 * 16000 / c.samples.size)))[: 60 * 16000]
    path = mux(CLIP, x, tmp / "sixty.mp4")
    analyze_samples(x[:16000])  # warm-up (imports)
    best_dec = best_an = 1e9
    for _ in range(3):
        t0 = time.process_time()
        tr = load_audio(path)
        t1 = time.process_time()
        analyze_samples(tr.samples)
        t2 = time.process_time()
        best_dec, best_an = min(best_dec, t1 - t0), min(best_an, t2 - t1)
    dur = tr.duration_s
    print(f"speed, {dur:.0f} s recording (best of 3, CPU s): decode {best_dec:.3f} s, analysis {best_an:.3f} s -> "
          f"{dur / (best_dec + best_an):.0f}x real time on one core (analysis alone {dur / best_an:.0f}x)")
    try:
        from bodycoach.voice.live import LiveVoice

        lv_ = LiveVoice(lang="en")
        frames = x.reshape(-1, 480)  # 10 ms at 48 kHz would be 480; here 30 ms at 16 kHz
        t0 = time.process_time()
        for i, fr in enumerate(frames):
            lv_.push((fr * 32767).astype(np.int16), 16000, ts_ms=i * 30)
            lv_.poll()
        cpu = time.process_time() - t0
        print(f"live voice path: {cpu:.3f} CPU s for {dur:.0f} s of microphone audio -> {100 * cpu / dur:.2f} % of one core")
    except ImportError:
        print("live voice path: not built")
    print(f"load average: {open('/proc/loadavg').read().strip()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
