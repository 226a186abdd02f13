"""Live voice: microphone frames → level/pace meter and voice cues. Pure (no Streamlit, no WebRTC).

The WebRTC audio thread only calls :meth:`LiveVoice.push` (a bounded deque: when full, the oldest frame
is dropped, so the voice path can never hold back the video). A worker calls :meth:`LiveVoice.poll`,
which analyses each new ``live.block_s`` of audio with the same code as the review
(``bodycoach.voice.analyze_samples``) over the last few seconds, and keeps the trainee's own baseline (the
first ``baseline.speech_s`` of speech). Cues follow the body cues' rules: one at a time, kind, in the
guide's words, the same cue not again within the cooldown.
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass
from math import gcd

import numpy as np
from numpy.typing import NDArray

from bodycoach.voice.analysis import analyze_samples
from bodycoach.voice.pitch import spread_st
from bodycoach.voice.settings import VoiceSettings

#: Cue texts in the guide's words (short and kind; observable behaviour only).
CUE_TEXT = {
    "no": {
        "too_fast": "Senk tempoet litt – rolig tale gir trygghet",
        "too_slow": "Litt raskere tempo holder kunden med",
        "too_loud": "Litt lavere – en middels tone er nok",
        "too_quiet": "Litt høyere – la kunden høre deg godt",
        "monotone": "Varier tonen – det holder på oppmerksomheten",
        "long_silence": "Si gjerne hva du gjør mens det er stille",
    },
    "en": {
        "too_fast": "Slow down a little – calm speech reassures",
        "too_slow": "A little quicker keeps the customer with you",
        "too_loud": "A little softer – a medium tone is enough",
        "too_quiet": "A little louder – let the customer hear you well",
        "monotone": "Vary your tone – it holds attention",
        "long_silence": "Say what you are doing while it is quiet",
    },
}

#: How long the analysis window reaches back at each block (seconds): enough for a few syllables and a
#: pitch spread, short enough to cost ~1-2 % of a core.
WINDOW_S = 6.0


@dataclass(frozen=True)
class VoiceMeter:
    """What the page shows: speaking now, level vs the baseline (dB), pace (syl/s), pitch spread (st)."""

    ts_ms: int
    speaking: bool
    level_db: float | None
    rate_syl_s: float | None
    pitch_sd_st: float | None
    baseline_ready: bool
    dropped_frames: int


@dataclass(frozen=True)
class VoiceCue:
    """A voice cue: kind (an event kind of bodycoach.voice) and its text."""

    kind: str
    text: str
    ts_ms: int


def _to_mono_float(samples: NDArray[np.generic], channels: int = 1) -> NDArray[np.float32]:
    x = np.asarray(samples)
    if x.dtype.kind in "iu":
        x = x.astype(np.float32) / float(np.iinfo(x.dtype).max)
    x = x.astype(np.float32, copy=False)
    if x.ndim == 2:
        x = x.mean(axis=0) if x.shape[0] <= 8 and x.shape[0] < x.shape[1] else x.mean(axis=1)
    elif channels > 1:
        x = x[: x.size // channels * channels].reshape(-1, channels).mean(axis=1)
    return np.ascontiguousarray(x, dtype=np.float32)


class LiveVoice:
    """The live voice path.

    Args:
        settings: Voice thresholds (default ``calibration/voice.toml``).
        lang: "no"/"en": pace band and cue texts.
        phone: Telephone rehearsal: the lower fast limit (the voice weighs first there).
        cooldown_ms: The same cue is not shown again within this time (the body cues' value).
        show_ms: A cue stays this long; no other voice cue meanwhile (one at a time).
    """

    def __init__(self, settings: VoiceSettings | None = None, *, lang: str = "no", phone: bool = False,
                 cooldown_ms: int = 20000, show_ms: int = 3000) -> None:
        self.s = settings or VoiceSettings.load()
        self.lang = lang if lang in CUE_TEXT else "en"
        self.phone = phone
        self.cooldown_ms = cooldown_ms
        self.show_ms = show_ms
        self.sr = self.s.analysis.sample_rate_hz
        self._q: deque[tuple[NDArray[np.float32], int, int]] = deque(maxlen=self.s.live.queue_frames)
        self._pushed = 0
        self._lock = threading.Lock()
        self._buf = np.zeros(0, np.float32)
        self._new = 0
        self._t_ms = 0
        self._speech_frames = 0
        self._base_pw: list[float] = []
        self._base_level: float | None = None
        self._recent: deque[tuple[int, int, float]] = deque()  # (speech frames, syllables, level power)
        self._pitch: deque[NDArray[np.float32]] = deque()
        self._silence_ms = 0
        self._spoke = False
        self._last_cue: dict[str, int] = {}
        self._showing_until = -1
        self.meter: VoiceMeter | None = None

    # -- WebRTC thread --------------------------------------------------------------------------------
    def push(self, samples: NDArray[np.generic], sample_rate: int, ts_ms: int, channels: int = 1) -> None:
        """Queue one microphone frame (never blocks; the oldest frame goes when the queue is full)."""
        self._q.append((_to_mono_float(samples, channels), int(sample_rate), int(ts_ms)))
        self._pushed += 1

    @property
    def dropped(self) -> int:
        """Frames dropped because the queue was full."""
        return max(0, self._pushed - len(self._q) - self._taken)

    _taken = 0

    # -- worker -----------------------------------------------------------------------------------------
    def poll(self) -> VoiceCue | None:
        """Take the queued audio; analyse each complete block; return a new cue or None."""
        with self._lock:
            chunks = []
            while self._q:
                x, sr, ts = self._q.popleft()
                self._taken += 1
                if sr != self.sr and x.size:
                    from scipy.signal import resample_poly

                    g = gcd(self.sr, sr)
                    x = resample_poly(x, self.sr // g, sr // g).astype(np.float32)
                chunks.append(x)
                self._t_ms = ts
            if not chunks:
                return None
            add = np.concatenate(chunks)
            keep = int(WINDOW_S * self.sr)
            self._buf = np.concatenate([self._buf, add])[-keep:]
            self._new += add.size
            block = int(self.s.live.block_s * self.sr)
            cue = None
            while self._new >= block:
                self._new -= block
                cue = self._analyse_block(block) or cue
            return cue

    def _analyse_block(self, block: int) -> VoiceCue | None:
        s = self.s
        a = analyze_samples(self._buf, s, lang=self.lang, phone=self.phone)
        hop = s.analysis.hop_ms
        fps = 1000 // hop
        nb = min(a.n, block * fps // self.sr)
        sp = a.speech[-nb:] if nb else a.speech[:0]
        lvl = a.level_dbfs[-nb:]
        first = a.n - nb
        syl = int((a.nuclei >= first).sum())
        power = float(np.sum(10.0 ** (lvl[sp].astype(np.float64) / 10.0))) if sp.any() else 0.0
        n_sp = int(sp.sum())
        self._speech_frames += n_sp
        if n_sp and self._base_level is None:
            self._base_pw.extend((10.0 ** (lvl[sp].astype(np.float64) / 10.0)).tolist())
            if len(self._base_pw) >= s.baseline.speech_s * fps:
                self._base_level = float(10 * np.log10(np.mean(self._base_pw)))
        self._recent.append((n_sp, syl, power))
        while sum(r[0] for r in self._recent) - self._recent[0][0] >= s.pace.meter_speech_s * fps:
            self._recent.popleft()
        # pitch in absolute semitones (re 100 Hz) for the spread over the last monotony window
        pitch = a.pitch_hz[-nb:]
        self._pitch.append((12 * np.log2(pitch[np.isfinite(pitch)] / 100.0)).astype(np.float32))
        while len(self._pitch) > s.monotony.window_s / s.live.block_s:
            self._pitch.popleft()
        # silence after speech
        if n_sp:
            self._spoke = True
            tail = sp[::-1]
            self._silence_ms = int(np.argmax(tail)) * hop if tail.any() else 0
        else:
            self._silence_ms += nb * hop
        sp_total = sum(r[0] for r in self._recent)
        rate = fps * sum(r[1] for r in self._recent) / sp_total if sp_total >= fps else None
        pw = sum(r[2] for r in self._recent)
        level = None
        if self._base_level is not None and sp_total:
            level = 10 * np.log10(pw / sp_total) - self._base_level
        st = np.concatenate(list(self._pitch)) if self._pitch else np.zeros(0, np.float32)
        sd = spread_st(st, s.monotony.outlier_st) if st.size >= s.monotony.min_voiced_s * fps else None
        sd = None if sd is None or sd != sd else float(sd)
        self.meter = VoiceMeter(self._t_ms, bool(n_sp), None if level is None else round(float(level), 1),
                                None if rate is None else round(float(rate), 2), sd, self._base_level is not None,
                                self.dropped)
        kinds = []
        if self._spoke and self._silence_ms >= s.silence.long_s * 1000:
            kinds.append("long_silence")
        if self._speech_frames >= s.baseline.min_speech_s * fps:
            slow, fast = s.pace.band(self.lang, self.phone)
            if rate is not None and sp_total >= 0.8 * s.pace.meter_speech_s * fps:
                if rate > fast:
                    kinds.append("too_fast")
                elif rate < slow:
                    kinds.append("too_slow")
            if level is not None and n_sp:
                if level > s.level.loud_above_baseline_db:
                    kinds.append("too_loud")
                elif level < -s.level.quiet_below_baseline_db:
                    kinds.append("too_quiet")
            if sd is not None and sd < s.monotony.monotone_below_st:
                kinds.append("monotone")
        return self._cue(kinds)

    def _cue(self, kinds: list[str]) -> VoiceCue | None:
        now = self._t_ms
        if now < self._showing_until:
            return None  # one at a time
        for k in kinds:
            last = self._last_cue.get(k)
            if last is not None and now - last < self.cooldown_ms:
                continue
            self._last_cue[k] = now
            self._showing_until = now + self.show_ms
            if k == "long_silence":
                self._silence_ms = 0
            return VoiceCue(k, CUE_TEXT[self.lang][k], now)
        return None
