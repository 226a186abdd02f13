"""The audio track of a recording as 16 kHz mono float samples (PyAV). Nothing else.

``load_audio(path)`` never raises for the content of a file: a recording without an audio track, an
undecodable or silent track gives an ``AudioTrack`` with ``samples`` None (or all quiet) and a one-line
``reason``; clipping, telephone-band (8 kHz) audio and a dead stereo channel are handled and noted in
``notes``. The voice layer (``bodycoach.voice``) takes ``samples`` as they are.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

#: A channel this many dB quieter than the loudest one is "dead" and left out of the mono mix (a headset
#: on one side, a broken cable): averaging it in would only halve the level.
DEAD_CHANNEL_BELOW_DB = 30.0
#: A track whose loudest 10 ms block is under this level (dBFS) is silent (digital silence, dither).
SILENT_BELOW_DBFS = -70.0


@dataclass
class AudioTrack:
    """Decoded audio.

    Attributes:
        source: The file.
        samples: Mono float32 samples at ``sample_rate`` (full scale 1.0), None when there is no usable audio.
        sample_rate: Rate of ``samples`` (Hz).
        source_rate: Rate in the file (Hz, 0 when unknown).
        channels: Channels in the file.
        reason: Why there is no usable audio (one line), else None.
        notes: One-line remarks (dead channel, telephone band, clipping, decode errors).
    """

    source: str
    samples: NDArray[np.float32] | None
    sample_rate: int
    source_rate: int = 0
    channels: int = 0
    reason: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def duration_s(self) -> float:
        return 0.0 if self.samples is None else len(self.samples) / self.sample_rate

    @property
    def ok(self) -> bool:
        return self.samples is not None and self.reason is None


def _mixdown(ch: NDArray[np.float32], notes: list[str]) -> NDArray[np.float32]:
    if ch.shape[0] == 1:
        return ch[0]
    rms = np.sqrt(np.mean(ch.astype(np.float64) ** 2, axis=1)) + 1e-12
    db = 20.0 * np.log10(rms)
    live = db >= db.max() - DEAD_CHANNEL_BELOW_DB
    if not live.all():
        dead = [str(i + 1) for i in np.flatnonzero(~live)]
        notes.append(f"channel {', '.join(dead)} of {ch.shape[0]} is silent: using the other channel only")
    return ch[live].mean(axis=0).astype(np.float32)


def load_audio(path: str | Path, sample_rate: int = 16000, max_s: float | None = None) -> AudioTrack:
    """Decode the first audio stream of ``path`` to mono float32 at ``sample_rate``.

    Args:
        path: A recording (mp4, webm, mkv, wav, ...).
        sample_rate: Output rate (Hz).
        max_s: Stop after this many seconds (None: all).
    """
    import av  # PyAV, installed with aiortc; the only importer of av for audio

    src = str(path)
    p = Path(path)
    if not p.exists():
        return AudioTrack(src, None, sample_rate, reason=f"{p}: no such file")
    try:
        container = av.open(src)
    except Exception as exc:  # noqa: BLE001 - PyAV raises many types; the reason is reported, not raised
        return AudioTrack(src, None, sample_rate, reason=f"{p.name}: cannot open the audio ({exc.__class__.__name__})")
    notes: list[str] = []
    try:
        streams = [s for s in container.streams if s.type == "audio"]
        if not streams:
            return AudioTrack(src, None, sample_rate, reason=f"{p.name}: the recording has no audio track")
        stream = streams[0]
        rate = int(stream.rate or stream.codec_context.sample_rate or 0)
        channels = int(stream.codec_context.channels or 0)
        resampler = None
        chunks: list[NDArray[np.float32]] = []
        got = 0
        limit = None if max_s is None else int(max_s * sample_rate)
        try:
            for packet in container.demux(stream):
                for frame in packet.decode():
                    if resampler is None:
                        channels = len(frame.layout.channels)
                        resampler = av.AudioResampler(format="fltp", layout=frame.layout.name, rate=sample_rate)
                    for out in resampler.resample(frame):
                        a = out.to_ndarray().astype(np.float32, copy=False)
                        chunks.append(a.reshape(channels, -1) if a.ndim == 2 else a.reshape(1, -1))
                        got += chunks[-1].shape[1]
                if limit is not None and got >= limit:
                    break
            if resampler is not None:
                for out in resampler.resample(None):
                    a = out.to_ndarray().astype(np.float32, copy=False)
                    chunks.append(a.reshape(channels, -1))
        except (av.error.FFmpegError, ValueError) as exc:
            if not chunks:
                return AudioTrack(src, None, sample_rate, rate, channels,
                                  reason=f"{p.name}: the audio track cannot be decoded ({exc.__class__.__name__})")
            notes.append(f"the audio track is damaged after {got / sample_rate:.1f} s: analysed up to there")
    finally:
        container.close()
    if not chunks:
        return AudioTrack(src, None, sample_rate, rate, channels, reason=f"{p.name}: the audio track is empty")
    ch = np.concatenate(chunks, axis=1)
    if limit is not None:
        ch = ch[:, :limit]
    ch = np.nan_to_num(ch)
    mono = _mixdown(ch, notes)
    if rate and rate <= 8000:
        notes.append(f"telephone-band audio ({rate} Hz): pitch and syllables are measured, level is relative")
    peak = float(np.abs(mono).max()) if mono.size else 0.0
    if mono.size and np.mean(np.abs(mono) >= 0.99 * max(peak, 1e-9)) > 0.001 and peak > 0.9:
        notes.append("the recording is clipped (too loud at the microphone): loud parts read lower than they were")
    track = AudioTrack(src, np.ascontiguousarray(mono, dtype=np.float32), sample_rate, rate, channels, None, notes)
    hop = sample_rate // 100
    n = len(mono) // hop
    if n == 0:
        track.reason = f"{p.name}: the audio track is shorter than 10 ms"
        return track
    blocks = mono[: n * hop].reshape(n, hop).astype(np.float64)
    loudest = 10.0 * np.log10(max(float((blocks**2).mean(axis=1).max()), 1e-12))
    if loudest < SILENT_BELOW_DBFS:
        track.reason = f"{p.name}: the audio track is silent (loudest {loudest:.0f} dBFS)"
    return track
