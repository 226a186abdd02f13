"""The feedback layer's ``Report`` (scorecard, time shares) rebuilt from a stored session.

The stored per-frame stable states and phases are replayed through
``bodycoach.feedback.report.SessionRecorder``, so the review page, the HTML report and the live summary
share one definition of the scorecard (thresholds in ``calibration/feedback.toml``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from bodycoach.feedback.report import Report, SessionRecorder, recording_end_ms
from bodycoach.feedback.scenarios import get_phase
from bodycoach.store.sessions import SessionData, SessionInfo
from bodycoach.types import UNKNOWN, Behaviour, Features, FrameResult, Landmarks


def session_report(data: SessionData, *, mode: str = "face_to_face", lang: str = "no") -> Report:
    """Replay ``data`` through a ``SessionRecorder`` and return its report (events from the store).

    Only the frames the recorder needs are replayed: a frame whose stable states and phase equal the
    previous frame's is skipped, unless skipping it would leave more than ``max_frame_gap_ms`` between
    two replayed frames (the recorder's time model counts longer gaps as ``unknown``) or a real gap of
    the recording starts or ends there. The report is therefore identical to replaying every frame
    (``tests/test_review.py`` checks it), at a fraction of the cost for long, steady sessions.
    """
    from dataclasses import replace

    rec = SessionRecorder(lang, mode=mode, scenario=data.info.scenario)
    n = len(data)
    if n:
        for i in _frames_to_replay(data, mode, rec.config.max_frame_gap_ms):
            rec.add(_states_result(data, i), _phase(data, i, mode))
        rec.finish(recording_end_ms(data.timestamps_ms.tolist()))
    report = rec.report()
    return replace(report, events=tuple(data.events))


_PHASE_CACHE: dict[tuple[str, str], str | None] = {}


def _phase(data: SessionData, i: int, mode: str) -> str | None:
    raw = data.phase_at(int(data.timestamps_ms[i]))
    if raw is None:
        return None
    key = (raw, mode)
    if key not in _PHASE_CACHE:
        try:
            _PHASE_CACHE[key] = get_phase(raw, mode).key
        except ValueError:
            _PHASE_CACHE[key] = None  # a phase name this version does not know: counted as "no phase"
    return _PHASE_CACHE[key]


def _states_result(data: SessionData, i: int) -> FrameResult:
    """A ``FrameResult`` carrying only what the recorder reads: time and stable states."""
    ts = int(data.timestamps_ms[i])
    states = {}
    for name in data.behaviours:
        lab = data.states[name][i]
        if lab != UNKNOWN and name in Behaviour._value2member_map_:
            states[Behaviour(name)] = str(lab)
    return FrameResult(landmarks=Landmarks.empty(ts), features=Features.empty(ts), classifications={},
                       states=states)


def _frames_to_replay(data: SessionData, mode: str, max_gap_ms: int) -> list[int]:
    n = len(data)
    ts = data.timestamps_ms
    if n <= 2:
        return list(range(n))
    stacked = np.stack([data.states[b] for b in data.behaviours], axis=1) if data.behaviours else \
        np.zeros((n, 0), dtype=object)
    changed = np.ones(n, dtype=bool)
    changed[1:] = (stacked[1:] != stacked[:-1]).any(axis=1)
    phases = [_phase(data, i, mode) for i in range(n)]
    gaps = np.diff(ts)
    out: list[int] = []
    last = -1
    for i in range(n):
        keep = (
            i == 0 or i == n - 1 or bool(changed[i]) or phases[i] != phases[i - 1]
            or gaps[i - 1] > max_gap_ms  # the frame after a real gap
            or gaps[i] > max_gap_ms  # the frame before a real gap
            or ts[i + 1] - ts[last] > max_gap_ms  # the next frame would be too far from the last replayed
        )
        if keep:
            out.append(i)
            last = i
    return out


def progress_rows(store: Any, trainee: str, lang: str = "no", limit: int = 50) -> list[dict[str, Any]]:
    """Scorecard shares of each of ``trainee``'s sessions (oldest first), for the progress chart."""
    infos: list[SessionInfo] = list(reversed(store.list_sessions(trainee=trainee)))[-limit:]
    rows: list[dict[str, Any]] = []
    for info in infos:
        rep = session_report(store.load(info.id), lang=lang)
        for item in rep.scorecard:
            if item.share is None:
                continue
            rows.append({"session": f"{info.id} · {info.started_at[:10]}", "session_id": info.id,
                         "started_at": info.started_at, "check": item.title(lang), "key": item.key,
                         "share": round(float(item.share), 4), "status": item.status})
    return rows
