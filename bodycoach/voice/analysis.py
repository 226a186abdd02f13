"""Whole-recording voice analysis: activity, level, pitch, syllable nuclei, pace, pauses and events.

Pure code over a numpy array of 16 kHz mono samples (``bodycoach.io.audio`` decodes and resamples). The
trainee is judged against their own voice: level relative to their median speech level, and the events
against a baseline from the first ``baseline.speech_s`` seconds of speech.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from bodycoach.voice.pitch import semitones, spread_st, voiced_track, yin
from bodycoach.voice.settings import VoiceSettings
from bodycoach.voice.signal import FloatArray, intensity_db, level_db, runs
from bodycoach.voice.syllables import nuclei
from bodycoach.voice.vad import speech_mask

#: Event kinds, in the guide's terms.
EVENT_KINDS = ("too_fast", "too_slow", "monotone", "too_loud", "too_quiet", "long_silence")

#: Relative levels are floored here (silence is "very quiet", not -120 dB).
REL_FLOOR_DB = -60.0


@dataclass(frozen=True)
class VoiceEvent:
    """One voice event (``kind`` in EVENT_KINDS) with its span and the measured value."""

    kind: str
    start_ms: int
    end_ms: int
    value: float = float("nan")

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready, in the shape of the body's events (behaviour "voice", label = kind)."""
        return {"behaviour": "voice", "label": self.kind, "start_ms": int(self.start_ms),
                "end_ms": int(self.end_ms), "peak_score": 1.0,
                "value": None if self.value != self.value else round(float(self.value), 2)}


@dataclass
class VoiceAnalysis:
    """Per-frame voice tracks (one frame per ``hop_ms``) plus the summary and the events."""

    hop_ms: int
    speech: NDArray[np.bool_]
    level_dbfs: FloatArray
    level_rel_db: FloatArray
    pitch_hz: FloatArray
    pitch_st: FloatArray
    rate_syl_s: FloatArray
    nuclei: NDArray[np.intp]
    summary: dict[str, Any]
    events: list[VoiceEvent] = field(default_factory=list)

    @property
    def n(self) -> int:
        return int(self.speech.size)

    @property
    def t_ms(self) -> NDArray[np.int64]:
        return (np.arange(self.n, dtype=np.int64) * self.hop_ms + self.hop_ms // 2).astype(np.int64)

    def track(self, step_ms: int = 100) -> dict[str, NDArray[Any]]:
        """The tracks every ``step_ms`` (for storage and plots): t_ms, active, level_db, pitch_st, rate_syl_s."""
        k = max(1, step_ms // self.hop_ms)
        m = self.n // k
        if m == 0:
            z = np.zeros(0, np.float16)
            return {"t_ms": np.zeros(0, np.int32), "active": np.zeros(0, np.uint8), "level_db": z,
                    "pitch_st": z, "rate_syl_s": z}
        sp = self.speech[: m * k].reshape(m, k)
        ref = self.summary.get("median_level_dbfs")
        pw = np.mean(10.0 ** (self.level_dbfs[: m * k].astype(np.float64).reshape(m, k) / 10.0), axis=1)
        level = (np.maximum(10.0 * np.log10(np.maximum(pw, 1e-30)) - ref, REL_FLOOR_DB) if ref is not None
                 else np.full(m, np.nan))
        st = self.pitch_st[: m * k].reshape(m, k)
        with np.errstate(all="ignore"):
            import warnings

            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                pitch = np.nanmedian(st, axis=1)
        return {
            "t_ms": (np.arange(m) * k * self.hop_ms + k * self.hop_ms // 2).astype(np.int32),
            "active": (sp.mean(axis=1) >= 0.5).astype(np.uint8),
            "level_db": level.astype(np.float16),
            "pitch_st": pitch.astype(np.float16),
            "rate_syl_s": self.rate_syl_s[k // 2 : m * k : k][:m].astype(np.float16),
        }

    def columns_at(self, t_ms: float, span_ms: float) -> dict[str, float]:
        """Timeline values for an analysed frame at ``t_ms`` covering ``span_ms`` (centred).

        voice_active: 1 if at least half the span is speech; voice_level_db: power mean of the span
        relative to the median speech level; voice_pitch_st: median voiced pitch (NaN if none);
        voice_rate_syl_s: syllables per second over the last 5 s of speech at ``t_ms``.
        """
        nan = float("nan")
        if self.n == 0:
            return {"voice_active": nan, "voice_level_db": nan, "voice_pitch_st": nan, "voice_rate_syl_s": nan}
        half = max(span_ms, self.hop_ms) / 2.0
        i0 = int(np.clip(np.floor((t_ms - half) / self.hop_ms), 0, self.n - 1))
        i1 = int(np.clip(np.ceil((t_ms + half) / self.hop_ms), i0 + 1, self.n))
        if t_ms - half > self.n * self.hop_ms:
            return {"voice_active": nan, "voice_level_db": nan, "voice_pitch_st": nan, "voice_rate_syl_s": nan}
        sp = self.speech[i0:i1]
        ref = self.summary.get("median_level_dbfs")
        lvl = self.level_dbfs[i0:i1].astype(np.float64)
        power = float(np.mean(10.0 ** (lvl / 10.0)))
        level = nan if ref is None else max(REL_FLOOR_DB, 10.0 * np.log10(max(power, 1e-30)) - ref)
        st = self.pitch_st[i0:i1]
        st = st[np.isfinite(st)]
        ic = int(np.clip(t_ms // self.hop_ms, 0, self.n - 1))
        return {
            "voice_active": float(sp.mean() >= 0.5),
            "voice_level_db": level,
            "voice_pitch_st": float(np.median(st)) if st.size else nan,
            "voice_rate_syl_s": float(self.rate_syl_s[ic]),
        }


def _rate_over_speech(speech: NDArray[np.bool_], nuc: NDArray[np.intp], window_frames: int,
                      min_frames: int, fps: int) -> FloatArray:
    """Syllables per second of speech over the last ``window_frames`` speech frames, at every frame."""
    n = speech.size
    s_cum = np.cumsum(speech)  # speech frames up to and including i
    counts = np.zeros(n, dtype=np.int64)
    if nuc.size:
        np.add.at(counts, nuc, 1)
    n_cum = np.cumsum(counts)
    # frame index where the speech count was s_cum - window (first frame reaching that count)
    target = s_cum - window_frames
    start = np.searchsorted(s_cum, np.maximum(target, 0), side="right")
    start = np.where(target > 0, start, 0)
    syl = n_cum - np.where(start > 0, n_cum[np.maximum(start - 1, 0)], 0)
    sp = s_cum - np.where(start > 0, s_cum[np.maximum(start - 1, 0)], 0)
    return np.where(sp >= min_frames, fps * syl / np.maximum(sp, 1), np.nan).astype(np.float32)


def _spans(mask: NDArray[np.bool_], hop_ms: int, min_frames: int) -> list[tuple[int, int]]:
    return [(s * hop_ms, e * hop_ms) for s, e in runs(mask) if e - s >= min_frames]


def empty_summary(duration_s: float, reason: str | None = None) -> dict[str, Any]:
    """Summary of a recording without any speech (or without audio, with ``reason``)."""
    return {
        "available": reason is None, "reason": reason, "duration_s": round(duration_s, 3),
        "speech_s": 0.0, "speech_share": 0.0, "syllables": 0,
        "articulation_rate_syl_s": None, "speech_rate_syl_s": None if reason else 0.0,
        "pitch_sd_st": None, "median_pitch_hz": None, "level_sd_db": None, "median_level_dbfs": None,
        "longest_silence_s": None if reason else round(duration_s, 3), "pauses": [], "baseline": None,
        "events": {k: 0 for k in EVENT_KINDS},
    }


def analyze_samples(
    x: FloatArray,
    settings: VoiceSettings | None = None,
    *,
    lang: str = "no",
    phone: bool = False,
    notes: list[str] | None = None,
) -> VoiceAnalysis:
    """Analyse 16 kHz (``settings.analysis.sample_rate_hz``) mono float samples.

    Args:
        x: Samples, full scale 1.0.
        settings: Thresholds (default ``calibration/voice.toml``).
        lang: "no" or "en" (pace band).
        phone: Telephone rehearsal: the lower fast-pace limit.
        notes: One-line remarks about the input (e.g. from the decoder) copied into the summary.
    """
    s = settings or VoiceSettings.load()
    sr = s.analysis.sample_rate_hz
    hop_ms = s.analysis.hop_ms
    hop = sr * hop_ms // 1000
    x = np.ascontiguousarray(np.nan_to_num(np.asarray(x, dtype=np.float32)))
    duration_s = len(x) / sr
    lvl = level_db(x, hop, 3 * hop)
    n = lvl.size
    speech = speech_mask(x, lvl, s) if n else np.zeros(0, dtype=bool)
    empty = np.full(n, np.nan, dtype=np.float32)
    if not speech.any():
        summ = empty_summary(duration_s)
        summ["notes"] = list(notes or [])
        return VoiceAnalysis(hop_ms, speech, lvl, np.full(n, REL_FLOOR_DB, np.float32), empty, empty.copy(),
                             empty.copy(), np.zeros(0, np.intp), summ)

    f0, ap = yin(x, sr, hop, s.pitch.fmin_hz, s.pitch.fmax_hz, s.pitch.yin_threshold, n=n)
    pitch = voiced_track(f0, ap, speech, s.pitch.voiced_max_aperiodicity, s.pitch.median_frames)
    voiced = np.isfinite(pitch)
    inten = intensity_db(_vowel_band(x, sr, (s.syllables.band_low_hz, s.syllables.band_high_hz)), hop, sr * s.syllables.intensity_window_ms // 1000)
    nuc = nuclei(inten, voiced, speech, min_dip_db=s.syllables.min_dip_db,
                 silence_below_max_db=s.syllables.silence_below_max_db,
                 min_gap_frames=max(1, s.syllables.min_gap_ms // hop_ms))

    fps = 1000 // hop_ms
    med_level = float(10.0 * np.log10(np.median(10.0 ** (lvl[speech].astype(np.float64) / 10.0))))
    rel = np.maximum(lvl - med_level, REL_FLOOR_DB).astype(np.float32)
    med_f0 = float(np.exp2(np.median(np.log2(pitch[voiced])))) if voiced.any() else float("nan")
    st = semitones(pitch, med_f0) if voiced.any() else empty.copy()
    meter = _rate_over_speech(speech, nuc, int(s.pace.meter_speech_s * fps), fps, fps)

    speech_frames = int(speech.sum())
    speech_s = speech_frames * hop_ms / 1000.0
    # silences between the first and the last speech
    first, last = int(np.argmax(speech)), int(n - np.argmax(speech[::-1]))
    inner = ~speech
    inner[:first] = False
    inner[last:] = False
    sil = [(a, b) for a, b in runs(inner)]
    pauses = [{"start_ms": a * hop_ms, "end_ms": b * hop_ms} for a, b in sil if (b - a) * hop_ms >= s.silence.pause_s * 1000]
    longest = max([(b - a) * hop_ms / 1000.0 for a, b in sil], default=0.0)

    # Level spread: the power mean of speech in each second with >= 0.3 s of speech.
    blocks = []
    for b0 in range(0, n, fps):
        m = speech[b0 : b0 + fps]
        if m.sum() >= 0.3 * fps:
            blocks.append(10.0 * np.log10(np.mean(10.0 ** (lvl[b0 : b0 + fps][m].astype(np.float64) / 10.0))))

    # Baseline: the first baseline.speech_s seconds of speech.
    base_end = int(np.searchsorted(np.cumsum(speech), int(s.baseline.speech_s * fps)))
    base_mask = speech.copy()
    base_mask[base_end + 1 :] = False
    base_level = float(10.0 * np.log10(np.mean(10.0 ** (lvl[base_mask].astype(np.float64) / 10.0))))
    base_rate = float(np.isin(nuc, np.flatnonzero(base_mask)).sum() / max(base_mask.sum() / fps, 1e-9))

    events = _events(s, lang, phone, speech, lvl, base_level, st, nuc, sil, speech_s)
    clipped = float(np.mean(np.abs(x) >= 0.999)) if x.size else 0.0
    summary: dict[str, Any] = {
        "available": True, "reason": None, "duration_s": round(duration_s, 3),
        "speech_s": round(speech_s, 3),
        "speech_share": round(speech_s / duration_s, 4) if duration_s else 0.0,
        "syllables": int(nuc.size),
        "articulation_rate_syl_s": round(nuc.size / speech_s, 3) if speech_s else None,
        "speech_rate_syl_s": round(nuc.size / duration_s, 3) if duration_s else None,
        "pitch_sd_st": _r(spread_st(st, s.monotony.outlier_st), 3),
        "median_pitch_hz": _r(med_f0, 1),
        "level_sd_db": _r(float(np.std(blocks)) if len(blocks) >= 2 else float("nan"), 2),
        "median_level_dbfs": round(med_level, 2),
        "longest_silence_s": round(longest, 3),
        "pauses": pauses,
        "baseline": {"speech_s": round(base_mask.sum() / fps, 2), "level_dbfs": round(base_level, 2),
                     "articulation_rate_syl_s": round(base_rate, 3)},
        "clipped_share": round(clipped, 5),
        "events": {k: sum(e.kind == k for e in events) for k in EVENT_KINDS},
        "notes": list(notes or []),
    }
    if clipped > 0.001:
        summary["notes"].append(f"{clipped:.1%} of the samples are clipped: levels are underestimated")
    return VoiceAnalysis(hop_ms, speech, lvl, rel, pitch, st, meter, nuc, summary, events)


def _vowel_band(x: FloatArray, sr: int, band: tuple[float, float]) -> FloatArray:
    """Band-pass to the first two formants' range: vowels keep their energy, nasals and fricatives lose it."""
    if band[0] <= 0:
        return x
    from scipy.signal import butter, sosfiltfilt

    sos = butter(2, [band[0], min(band[1], sr / 2 * 0.95)], btype="band", fs=sr, output="sos")
    return sosfiltfilt(sos, x).astype(np.float32)


def _r(v: float, nd: int) -> float | None:
    return None if v != v else round(float(v), nd)


def _events(
    s: VoiceSettings, lang: str, phone: bool, speech: NDArray[np.bool_], lvl: FloatArray, base_level: float,
    st: FloatArray, nuc: NDArray[np.intp], sil: list[tuple[int, int]], speech_s: float,
) -> list[VoiceEvent]:
    hop_ms = s.analysis.hop_ms
    fps = 1000 // hop_ms
    n = speech.size
    out: list[VoiceEvent] = []
    for a, b in sil:
        if (b - a) * hop_ms >= s.silence.long_s * 1000:
            out.append(VoiceEvent("long_silence", a * hop_ms, b * hop_ms, (b - a) * hop_ms / 1000.0))
    if speech_s >= s.baseline.min_speech_s:
        # Pace over the last window_speech_s of speech, held through short pauses.
        rate = _rate_over_speech(speech, nuc, int(s.pace.window_speech_s * fps),
                                 int(min(s.pace.window_speech_s, speech_s) * fps * 0.5), fps)
        rate = _hold(rate, speech, int(s.silence.long_s * fps))
        slow, fast = s.pace.band(lang, phone)
        min_f = int(s.pace.min_event_s * fps)
        for kind, mask in (("too_fast", rate > fast), ("too_slow", rate < slow)):
            for a, b in runs(mask):
                if b - a >= min_f:
                    out.append(VoiceEvent(kind, a * hop_ms, b * hop_ms, float(np.nanmedian(rate[a:b]))))
        # Level: power mean of the speech in the last smooth_s, against the baseline.
        w = max(1, int(s.level.smooth_s * fps))
        pw = np.where(speech, 10.0 ** (lvl.astype(np.float64) / 10.0), 0.0)
        cp = np.concatenate([[0.0], np.cumsum(pw)])
        cs = np.concatenate([[0], np.cumsum(speech)])
        i = np.arange(n)
        lo = np.maximum(i - w // 2, 0)
        hi = np.minimum(i + w // 2 + 1, n)
        cnt = cs[hi] - cs[lo]
        with np.errstate(divide="ignore", invalid="ignore"):
            sm = np.where(cnt >= w // 4, 10.0 * np.log10((cp[hi] - cp[lo]) / np.maximum(cnt, 1)), np.nan)
        sm = _hold(sm.astype(np.float32), speech, int(s.silence.long_s * fps))
        d = sm - base_level
        min_f = int(s.level.min_event_s * fps)
        for kind, mask in (("too_loud", d > s.level.loud_above_baseline_db),
                           ("too_quiet", d < -s.level.quiet_below_baseline_db)):
            for a, b in runs(mask):
                if b - a >= min_f:
                    out.append(VoiceEvent(kind, a * hop_ms, b * hop_ms, float(np.nanmedian(d[a:b]))))
    # Monotony: pitch spread per window_s of session time (half-overlapping windows), merged.
    win = int(s.monotony.window_s * fps)
    flat: list[tuple[int, int, float]] = []
    for w0 in range(0, max(n - win, 0) + 1, max(1, win // 2)):
        seg = st[w0 : w0 + win]
        if np.isfinite(seg).sum() < s.monotony.min_voiced_s * fps:
            continue
        sd = spread_st(seg, s.monotony.outlier_st)
        if sd == sd and sd < s.monotony.monotone_below_st:
            flat.append((w0, min(w0 + win, n), sd))
    for a, b, sd in flat:
        if out and out[-1].kind == "monotone" and a * hop_ms <= out[-1].end_ms:
            prev = out.pop()
            out.append(VoiceEvent("monotone", prev.start_ms, b * hop_ms, min(prev.value, sd)))
        else:
            out.append(VoiceEvent("monotone", a * hop_ms, b * hop_ms, sd))
    out.sort(key=lambda e: (e.start_ms, e.kind))
    return out


def _hold(v: FloatArray, speech: NDArray[np.bool_], max_gap: int) -> FloatArray:
    """Carry the last speech value through pauses up to ``max_gap`` frames; NaN elsewhere."""
    idx = np.where(speech & np.isfinite(v), np.arange(v.size), -1)
    idx = np.maximum.accumulate(idx) if v.size else idx
    ok = (idx >= 0) & (np.arange(v.size) - idx <= max_gap)
    return np.where(ok, v[np.maximum(idx, 0)], np.nan).astype(np.float32)
