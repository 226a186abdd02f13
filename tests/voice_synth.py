"""Speech with known properties for the voice tests and benchmark (espeak-ng; skipped when missing).

Sentences of known syllable count are synthesised one by one, trimmed to their sound, and joined with
silences of known length and gains of known dB, so the truth (syllables, speaking time, pause edges, level
steps) is known by construction.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import wave
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from scipy.signal import resample_poly

SR = 16000

#: English sentences with their syllable counts (each word counted by hand; no ambiguous words).
SENTENCES: tuple[tuple[str, int], ...] = (
    ("Good morning and welcome to the front desk.", 10),          # good mor-ning and wel-come to the front desk
    ("My name is Anna and I will help you today.", 12),           # my name is an-na and i will help you to-day
    ("Please take a seat while I check your booking.", 10),       # please take a seat while i check your boo-king
    ("The room is ready on the second floor.", 10),               # the room is rea-dy on the se-cond floor
    ("Breakfast is served from seven until ten.", 10),            # break-fast is served from se-ven un-til ten
    ("You can find the lift just behind you.", 9),                # you can find the lift just be-hind you
)


def have_espeak() -> bool:
    """espeak-ng is installed (scripts/setup installs it)."""
    return shutil.which("espeak-ng") is not None


def _read_wav(path: Path) -> tuple[np.ndarray, int]:
    with wave.open(str(path), "rb") as w:
        sr = w.getframerate()
        x = np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16).astype(np.float32) / 32768.0
        if w.getnchannels() > 1:
            x = x.reshape(-1, w.getnchannels()).mean(axis=1)
    return x, sr


def write_wav(path: Path, x: np.ndarray, sr: int = SR, channels: int = 1) -> Path:
    """Write float samples ((n,) or (n, channels)) as 16-bit PCM."""
    pcm = np.clip(np.round(np.asarray(x) * 32767), -32768, 32767).astype(np.int16)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(2)
        w.setframerate(sr)
        w.writeframes(pcm.tobytes())
    return path


def speak(text: str, wpm: int = 160, ssml: bool = False, voice: str = "en-us") -> np.ndarray:
    """espeak-ng's rendering of ``text`` at 16 kHz, trimmed to its sound (-50 dB of its peak)."""
    with tempfile.TemporaryDirectory() as d:
        out = Path(d) / "s.wav"
        cmd = ["espeak-ng", "-v", voice, "-s", str(wpm), "-w", str(out)]
        if ssml:
            cmd.append("-m")
        subprocess.run([*cmd, text], check=True, capture_output=True)
        x, sr = _read_wav(out)
    x = resample_poly(x, SR, sr).astype(np.float32) if sr != SR else x
    env = np.sqrt(np.convolve(x.astype(np.float64) ** 2, np.ones(160) / 160, mode="same"))
    on = np.flatnonzero(env > env.max() * 10 ** (-50 / 20))
    return x[on[0] : on[-1] + 1] * 0.5 if on.size else x  # -6 dBFS peak-ish: room for +dB segments


def sound_time_s(x: np.ndarray, min_pause_s: float = 0.25) -> float:
    """Time with sound in a clean synthetic utterance, pauses over ``min_pause_s`` left out (the truth)."""
    hop = SR // 100
    n = len(x) // hop
    e = 10 * np.log10(np.mean(x[: n * hop].reshape(n, hop).astype(np.float64) ** 2, axis=1) + 1e-12)
    on = e > e.max() - 45
    # close gaps shorter than min_pause_s
    idx = np.flatnonzero(on)
    if idx.size == 0:
        return 0.0
    gaps = np.diff(idx) - 1
    t = idx.size + int(gaps[gaps * hop / SR < min_pause_s].sum())
    return t * hop / SR


@dataclass
class Composed:
    """A composed recording and its truth."""

    samples: np.ndarray
    syllables: int
    speaking_s: float
    silences: list[tuple[float, float]] = field(default_factory=list)   # (start_s, end_s) inserted
    segments: list[tuple[float, float, float]] = field(default_factory=list)  # (start_s, end_s, gain_db)


def compose(parts: list[tuple[int, float, float]], wpm: int = 160) -> Composed:
    """Join sentences: ``parts`` = (sentence index, gain dB, silence after in s)."""
    out: list[np.ndarray] = [np.zeros(int(0.3 * SR), np.float32)]
    t = 0.3
    syl = 0
    speak_s = 0.0
    sil: list[tuple[float, float]] = []
    seg: list[tuple[float, float, float]] = []
    cache: dict[int, np.ndarray] = {}
    for idx, gain_db, after in parts:
        text, n = SENTENCES[idx]
        if idx not in cache:
            cache[idx] = speak(text, wpm)
        x = cache[idx] * np.float32(10 ** (gain_db / 20))
        seg.append((t, t + len(x) / SR, gain_db))
        out.append(x)
        t += len(x) / SR
        syl += n
        speak_s += sound_time_s(cache[idx])
        if after > 0:
            sil.append((t, t + after))
            out.append(np.zeros(int(round(after * SR)), np.float32))
            t += int(round(after * SR)) / SR
    out.append(np.zeros(int(0.3 * SR), np.float32))
    return Composed(np.concatenate(out), syl, speak_s, sil, seg)


def add_noise(x: np.ndarray, snr_db: float = 40.0, seed: int = 0) -> np.ndarray:
    """Add white room noise ``snr_db`` under the speech peak level (a real microphone is never silent)."""
    rng = np.random.default_rng(seed)
    peak = float(np.sqrt(np.mean(x[np.abs(x) > 0.01] ** 2))) if np.any(np.abs(x) > 0.01) else 0.1
    return (x + rng.normal(0, peak * 10 ** (-snr_db / 20), x.shape)).astype(np.float32)


def mux(video: Path, x: np.ndarray, out: Path, sr: int = SR, channels: int = 1, codec: str = "aac") -> Path:
    """Replace the audio of ``video`` with ``x`` (ffmpeg; the video stream is copied, cut to the audio)."""
    with tempfile.TemporaryDirectory() as d:
        wav = write_wav(Path(d) / "a.wav", x, sr, channels)
        subprocess.run(["ffmpeg", "-v", "error", "-y", "-stream_loop", "-1", "-i", str(video), "-i", str(wav),
                        "-map", "0:v:0", "-map", "1:a:0", "-c:v", "copy", "-c:a", codec, "-shortest", str(out)],
                       check=True, capture_output=True)
    return out
