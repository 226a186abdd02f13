"""Voice activity: webrtcvad per 10 ms frame, gated by level and closed over short gaps."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from bodycoach.voice.settings import VoiceSettings
from bodycoach.voice.signal import FloatArray, runs


def webrtc_speech(x: FloatArray, sr: int, hop: int, aggressiveness: int) -> NDArray[np.bool_]:
    """webrtcvad's raw decision per ``hop``-sample frame (the last partial frame is zero-padded)."""
    import webrtcvad  # MIT; prebuilt wheel (webrtcvad-wheels)

    vad = webrtcvad.Vad(aggressiveness)
    n = int(np.ceil(len(x) / hop)) if len(x) else 0
    pcm = np.zeros(n * hop, dtype=np.int16)
    pcm[: len(x)] = np.clip(np.round(x * 32767.0), -32768, 32767).astype(np.int16)
    raw = pcm.tobytes()
    nb = hop * 2
    is_speech = vad.is_speech
    return np.fromiter((is_speech(raw[i * nb : (i + 1) * nb], sr) for i in range(n)), dtype=bool, count=n)


def clean_mask(mask: NDArray[np.bool_], min_gap: int, min_run: int) -> NDArray[np.bool_]:
    """Close gaps shorter than ``min_gap`` frames, then drop runs shorter than ``min_run`` frames."""
    out = mask.copy()
    r = runs(out)
    for (_, e0), (s1, _) in zip(r, r[1:], strict=False):
        if s1 - e0 < min_gap:
            out[e0:s1] = True
    for s, e in runs(out):
        if e - s < min_run:
            out[s:e] = False
    return out


def speech_mask(x: FloatArray, level: FloatArray, settings: VoiceSettings) -> NDArray[np.bool_]:
    """Speech per analysis frame: webrtcvad, within ``floor_below_loud_db`` of loud speech, cleaned."""
    sr = settings.analysis.sample_rate_hz
    hop = sr * settings.analysis.hop_ms // 1000
    raw = webrtc_speech(x, sr, hop, settings.vad.aggressiveness)
    raw &= level > -90.0  # digital silence / dither is never speech
    if raw.any():
        loud = float(np.percentile(level[raw], 95))
        raw &= level > loud - settings.vad.floor_below_loud_db
    ms = settings.analysis.hop_ms
    return clean_mask(raw, max(1, settings.vad.min_pause_ms // ms), max(1, settings.vad.min_speech_ms // ms))
