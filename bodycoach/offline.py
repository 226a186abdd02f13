"""Analyse a recorded session: video → landmarks.npz, timeline.csv, events.json, summary.json.

Outputs are written into a hidden temporary folder inside ``out_dir`` and moved into place only when the
whole video has been analysed, so a failure never leaves half-written files behind (and never clobbers the
results of an earlier run).
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from bodycoach.analysis import Analyzer
from bodycoach.feedback.report import SessionRecorder, out_of_view_share, recording_end_ms, state_shares
from bodycoach.io.video import VideoInfo, open_source
from bodycoach.landmarks.recording import LandmarkBuffer, save_landmarks
from bodycoach.pipeline import Extractor
from bodycoach.types import Behaviour, FeedbackEvent, FrameResult

OUTPUT_FILES = ("landmarks.npz", "timeline.csv", "events.json", "summary.json")
BEHAVIOURS = tuple(Behaviour)


class ResultSink(Protocol):
    """Receives every frame result (e.g. the session store's writer)."""

    def add_frame(self, result: FrameResult, phase: str | None = None) -> None:
        """Take one frame."""
        ...


@dataclass
class AnalysisRun:
    """What one analysis produced (the content of ``summary.json`` plus the events)."""

    info: VideoInfo
    every_ms: float
    mirrored: bool
    frames: int = 0
    face: int = 0
    body: int = 0
    left_hand: int = 0
    right_hand: int = 0
    last_ms: int = 0
    ended_early: bool = False
    events: list[FeedbackEvent] = field(default_factory=list)
    label_counts: dict[str, Counter[str]] = field(default_factory=dict)
    state_counts: dict[str, Counter[str]] = field(default_factory=dict)
    recorder: SessionRecorder = field(default_factory=SessionRecorder)
    timestamps: list[int] = field(default_factory=list)
    #: The voice of the recording (None: not analysed, see ``voice_summary``).
    voice: Any = None
    #: The ``voice`` object of summary.json (also when there is no voice: ``available`` false, ``reason``).
    voice_summary: dict[str, Any] = field(default_factory=lambda: {"available": False, "reason": "not analysed"})

    def add(self, r: FrameResult) -> None:
        """Count one frame."""
        self.recorder.add(r)
        self.timestamps.append(r.timestamp_ms)
        lm = r.landmarks
        self.frames += 1
        self.face += lm.face is not None
        self.body += lm.pose is not None
        self.left_hand += lm.left_hand is not None
        self.right_hand += lm.right_hand is not None
        self.last_ms = lm.timestamp_ms
        for b in BEHAVIOURS:
            self.label_counts.setdefault(b.value, Counter())[r.label(b)] += 1
            self.state_counts.setdefault(b.value, Counter())[r.state(b)] += 1

    def summary(self) -> dict[str, Any]:
        """Return the JSON-ready summary."""
        n = max(self.frames, 1)

        def share(k: int) -> float:
            return round(k / n, 4) if self.frames else 0.0

        def shares(c: Counter[str]) -> dict[str, float]:
            return {k: round(v / n, 4) for k, v in sorted(c.items())}

        # States: the one share definition of every surface (bodycoach.feedback.report.state_shares), over
        # the recorder's time model, ended as a stored session's report ends it: identical numbers.
        rec = self.recorder
        if self.frames:
            rec.finish(recording_end_ms(self.timestamps))
        rep = rec.report()
        states = {b: {k: round(v, 4) for k, v in sorted(sh.items())} for b, sh in state_shares(rep.time_ms).items()}
        oov = {b: round(x, 4) for b in rep.time_ms if (x := out_of_view_share(rep.time_ms[b])) is not None and x > 0}

        duration = self.info.duration_s or (self.last_ms / 1000.0 if self.frames else 0.0)
        return {
            "video": {**self.info.to_dict(), "duration_s": round(duration, 3)},
            "duration_s": round(duration, 3),
            "fps": round(self.info.fps, 3),
            "width": self.info.width,
            "height": self.info.height,
            "every_ms": self.every_ms,
            "mirrored": self.mirrored,
            "frames_analysed": self.frames,
            "ended_early": self.ended_early,
            "share_face": share(self.face),
            "share_body": share(self.body),
            "share_left_hand": share(self.left_hand),
            "share_right_hand": share(self.right_hand),
            "labels": {b: shares(c) for b, c in self.label_counts.items()},
            "states": states,
            "out_of_view": oov,
            "view": {k: round(v, 4) for k, v in sorted(rep.view_shares().items())},
            "events": len(self.events),
            "voice": self.voice_summary,
        }

    @property
    def voice_events(self) -> list[dict[str, Any]]:
        """The voice events as events.json rows (behaviour "voice")."""
        return [] if self.voice is None else [e.to_dict() for e in self.voice.events]


def analyze_video(
    video: str | Path,
    out_dir: str | Path | None,
    *,
    every_ms: float | None = None,
    mirrored: bool = False,
    extractor: Extractor | None = None,
    analyzer: Analyzer | None = None,
    sink: ResultSink | None = None,
    progress: Callable[[int, int], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    voice: bool = True,
    lang: str = "no",
) -> AnalysisRun:
    """Analyse ``video`` and (when ``out_dir`` is given) write the four output files there.

    Args:
        video: Path of a recorded session (mp4/h264, webm, y4m, mjpeg...).
        out_dir: Folder for ``landmarks.npz``, ``timeline.csv``, ``events.json``, ``summary.json``; None
            writes nothing (the caller only wants the run, e.g. to store it).
        every_ms: Milliseconds of video between analysed frames (default ``calibration/perception.toml``).
        mirrored: The recording is a mirrored (selfie) view.
        extractor: Landmark extractor (default: MediaPipe, created and closed here).
        analyzer: Analysis state (default: a fresh ``Analyzer``).
        sink: Also receives every frame result (e.g. a session-store writer).
        progress: Called with (frames done, frames expected) after each analysed frame.
        should_stop: Polled after each frame; True cancels (raises ``KeyboardInterrupt``).
        voice: Also analyse the audio track (``bodycoach.voice``); a recording without usable audio gets
            a ``voice`` summary with ``available`` false and a one-line ``reason``.
        lang: Language of the speech ("no"/"en"): the pace band.

    Raises:
        VideoReadError: the video is missing, empty or unreadable (before anything is written).
    """
    from bodycoach.landmarks.settings import PerceptionSettings

    settings = PerceptionSettings.load()
    step_ms = settings.every_ms if every_ms is None else float(every_ms)
    src = open_source(video, every_ms=step_ms or None, prefetch=4)
    own_extractor = extractor is None
    tmp: Path | None = None
    partial_lock: int | None = None
    try:
        if extractor is None:
            from bodycoach.landmarks.mediapipe import MediapipeExtractor

            extractor = MediapipeExtractor(mirrored=mirrored, settings=settings)
        analyzer = analyzer or Analyzer()
        run = AnalysisRun(info=src.info, every_ms=step_ms, mirrored=mirrored)
        if voice:
            _analyze_voice(run, video, lang)
        else:
            run.voice_summary = {"available": False, "reason": "skipped (--no-voice)"}
        expected = _expected_frames(src.info, step_ms)
        buf = LandmarkBuffer()
        rows: list[list[str]] | None = None
        if out_dir is not None:
            out = Path(out_dir)
            out.mkdir(parents=True, exist_ok=True)
            clean_stale_partials(out)
            tmp = Path(tempfile.mkdtemp(prefix=PARTIAL_PREFIX, dir=out))
            partial_lock = _lock_partial(tmp)
            rows = []
        for frame, ts in src:
            lm = extractor.extract(frame, ts)
            result = analyzer.step(lm)
            run.add(result)
            run.events.extend(result.ended)
            if out_dir is not None:
                buf.append(lm)
                assert rows is not None
                rows.append(_timeline_row(result) + _voice_cells(run.voice, ts, step_ms))
            if sink is not None:
                sink.add_frame(result)
            if progress is not None:
                progress(run.frames, max(expected, run.frames))
            if should_stop is not None and should_stop():
                raise KeyboardInterrupt("analysis cancelled")
        run.ended_early = src.ended_early
        run.events.extend(analyzer.finish(run.last_ms))
        run.events.sort(key=lambda e: (e.start_ms, e.behaviour.value))
        if out_dir is not None and tmp is not None and rows is not None:
            _write_outputs(tmp, buf, rows, run)
            for name in OUTPUT_FILES:
                (tmp / name).replace(Path(out_dir) / name)
        return run
    finally:
        src.close()
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
        if partial_lock is not None:
            os.close(partial_lock)
        if own_extractor and extractor is not None:
            extractor.close()


PARTIAL_PREFIX = ".bodycoach-partial-"
#: A partial folder without a lock file (an older bodycoach) older than this is left over (seconds).
_STALE_UNLOCKED_S = 600.0


def _lock_partial(tmp: Path) -> int | None:
    """Hold an advisory lock on ``tmp/.lock`` while this run writes there (dropped by the kernel if killed)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        return None
    fd = os.open(tmp / ".lock", os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX)
    return fd


def clean_stale_partials(out: Path) -> list[Path]:
    """Remove ``.bodycoach-partial-*`` folders in ``out`` left by a run that was killed (kill -9, power cut).

    A running analysis holds the lock of its partial folder, so a concurrent run into the same ``--out``
    keeps its own. Returns the folders removed.
    """
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        return []
    removed = []
    for d in out.glob(PARTIAL_PREFIX + "*"):
        if not d.is_dir() or d.is_symlink():
            continue
        lock = d / ".lock"
        try:
            fd = os.open(lock, os.O_RDWR)
        except FileNotFoundError:
            try:
                if time.time() - d.stat().st_mtime > _STALE_UNLOCKED_S:
                    shutil.rmtree(d, ignore_errors=True)
                    removed.append(d)
            except OSError:
                pass
            continue
        except OSError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            continue  # another analysis is writing there right now
        try:
            shutil.rmtree(d, ignore_errors=True)
            removed.append(d)
        finally:
            os.close(fd)
    return removed


def timeline_header() -> list[str]:
    """Columns of ``timeline.csv``: time, what was found, then per behaviour the frame label and state."""
    cols = ["t_ms", "face", "body", "left_hand", "right_hand"]
    for b in BEHAVIOURS:
        cols += [b.value, f"{b.value}_state"]
    cols += ["view", "view_state"]
    cols += ["head_yaw_deg", "head_pitch_deg", "head_roll_deg"]
    cols += list(VOICE_COLUMNS)
    return cols


#: Voice columns of timeline.csv (empty cells when there is no voice or no value).
VOICE_COLUMNS = ("voice_active", "voice_level_db", "voice_pitch_st", "voice_rate_syl_s")


def _analyze_voice(run: AnalysisRun, video: str | Path, lang: str) -> None:
    from bodycoach.io.audio import load_audio
    from bodycoach.voice import VoiceSettings, analyze_samples
    from bodycoach.voice.analysis import empty_summary

    settings = VoiceSettings.load()
    track = load_audio(video, settings.analysis.sample_rate_hz)
    if track.samples is None:
        run.voice_summary = empty_summary(run.info.duration_s, track.reason)
        run.voice_summary["notes"] = track.notes
        return
    run.voice = analyze_samples(track.samples, settings, lang=lang, notes=track.notes)
    run.voice_summary = run.voice.summary
    if track.reason:  # a silent track: the analysis holds (no speech) and says why
        run.voice_summary["reason"] = track.reason


def _voice_cells(voice: Any, ts_ms: int, span_ms: float) -> list[str]:
    if voice is None:
        return [""] * len(VOICE_COLUMNS)
    v = voice.columns_at(ts_ms, span_ms or 40.0)
    out = []
    for name in VOICE_COLUMNS:
        x = v[name]
        out.append("" if x != x else (str(int(x)) if name == "voice_active" else f"{x:.1f}" if name != "voice_rate_syl_s" else f"{x:.2f}"))
    return out


def _timeline_row(r: FrameResult) -> list[str]:
    lm = r.landmarks
    row = [str(lm.timestamp_ms), str(int(lm.face is not None)), str(int(lm.pose is not None)),
           str(int(lm.left_hand is not None)), str(int(lm.right_hand is not None))]
    for b in BEHAVIOURS:
        row += [r.label(b), r.state(b)]
    row += [r.frame_view, r.view]
    for name in ("head_yaw_deg", "head_pitch_deg", "head_roll_deg"):
        v = r.features.get(name)
        row.append("" if v != v else f"{v:.1f}")  # NaN → empty cell
    return row


def _write_outputs(tmp: Path, buf: LandmarkBuffer, rows: list[list[str]], run: AnalysisRun) -> None:
    save_landmarks(tmp / "landmarks.npz", buf)
    # The same permissions as the other outputs (save_landmarks writes through a 0600 temporary file).
    probe = tmp / ".mode"
    probe.touch()
    os.chmod(tmp / "landmarks.npz", probe.stat().st_mode & 0o777)
    probe.unlink()
    with (tmp / "timeline.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(timeline_header())
        w.writerows(rows)
    rows_ev = [e.to_dict() for e in run.events] + run.voice_events
    rows_ev.sort(key=lambda e: (e["start_ms"], e["behaviour"]))
    (tmp / "events.json").write_text(json.dumps(rows_ev, indent=1, ensure_ascii=False), encoding="utf-8")
    (tmp / "summary.json").write_text(json.dumps(run.summary(), indent=2, ensure_ascii=False), encoding="utf-8")


def _expected_frames(info: VideoInfo, every_ms: float) -> int:
    if not info.duration_s:
        return info.frame_count
    if not every_ms:
        return info.frame_count
    return max(1, int(info.duration_s * 1000.0 / every_ms))
