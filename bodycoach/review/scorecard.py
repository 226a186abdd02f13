"""The feedback layer's ``Report`` (scorecard, time shares) rebuilt from a stored session.

The stored per-frame stable states and phases are replayed through
``bodycoach.feedback.report.SessionRecorder``, so the review page, the HTML report and the live summary
share one definition of the scorecard (thresholds in ``calibration/feedback.toml``).
"""

from __future__ import annotations

from typing import Any

from bodycoach.feedback.report import Report, SessionRecorder
from bodycoach.feedback.scenarios import get_phase
from bodycoach.review.timeline import frame_step_ms
from bodycoach.store.sessions import SessionData, SessionInfo

STATUS_VERDICT = {"good": "good", "needs_work": "bad", "no_data": "unknown"}


def _valid_phase(phase: str | None, mode: str, cache: dict[str, str | None]) -> str | None:
    if phase is None:
        return None
    if phase not in cache:
        try:
            cache[phase] = get_phase(phase, mode).key
        except ValueError:
            cache[phase] = None  # a phase name this version does not know: counted as "no phase"
    return cache[phase]


def session_report(data: SessionData, *, mode: str = "face_to_face", lang: str = "no") -> Report:
    """Replay ``data`` through a ``SessionRecorder`` and return its report (events from the store)."""
    from dataclasses import replace

    rec = SessionRecorder(lang, mode=mode, scenario=data.info.scenario)
    cache: dict[str, str | None] = {}
    for i in range(len(data)):
        phase = _valid_phase(data.phase_at(int(data.timestamps_ms[i])), mode, cache)
        rec.add(data.frame_result(i), phase)
    if len(data):
        rec.finish(int(data.timestamps_ms[-1]) + frame_step_ms(data.timestamps_ms))
    report = rec.report()
    return replace(report, events=tuple(data.events))


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
