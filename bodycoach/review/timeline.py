"""Timeline data of a stored session: run-length segments of the stable states per area (pure numpy).

A segment runs from the time of its first frame to the time of the first frame with another label (the
last segment ends one frame step after the last frame), so segments tile the session without gaps.
Verdicts and display names come from ``bodycoach.feedback.messages`` (the guide's words).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from bodycoach.feedback.messages import behaviour_text, label_text
from bodycoach.feedback.scenarios import phase_verdict
from bodycoach.store.sessions import SessionData
from bodycoach.types import Behaviour

#: Areas shown on the review timeline, top to bottom (the issue's five areas).
TIMELINE_AREAS: tuple[Behaviour, ...] = (
    Behaviour.EYE_CONTACT, Behaviour.SMILE, Behaviour.ARMS, Behaviour.HANDS, Behaviour.HEAD,
)
#: Areas shown in addition when a session has any evidence for them.
OPTIONAL_AREAS: tuple[Behaviour, ...] = (Behaviour.GAZE_STYLE, Behaviour.PALM, Behaviour.POSTURE)

VERDICT_COLOURS: dict[str, str] = {
    "good": "#2e7d32",
    "bad": "#c62828",
    "neutral": "#78909c",
    "unknown": "#e0e0e0",
}


@dataclass(frozen=True)
class Segment:
    """One stretch of a stable label.

    Attributes:
        behaviour: Area.
        label: Stable label (``unknown`` = no evidence).
        start_ms: Start, ms from the session start.
        end_ms: End (exclusive), ms.
        verdict: ``good``/``bad``/``neutral``/``unknown`` for the phase it starts in.
        phase: Phase at the start, or None.
    """

    behaviour: str
    label: str
    start_ms: int
    end_ms: int
    verdict: str
    phase: str | None

    @property
    def duration_ms(self) -> int:
        """Length in ms."""
        return self.end_ms - self.start_ms


def frame_step_ms(ts: npt.NDArray[np.int64]) -> int:
    """Median time between analysed frames (200 when unknown)."""
    if ts.shape[0] < 2:
        return 200
    return max(1, int(np.median(np.diff(ts))))


def run_lengths(values: npt.NDArray[Any]) -> list[tuple[int, int]]:
    """Index ranges ``[start, stop)`` of equal consecutive values."""
    n = values.shape[0]
    if n == 0:
        return []
    change = np.flatnonzero(values[1:] != values[:-1]) + 1
    starts = np.concatenate(([0], change))
    stops = np.concatenate((change, [n]))
    return list(zip(starts.tolist(), stops.tolist(), strict=True))


def areas_for(data: SessionData) -> list[Behaviour]:
    """The timeline areas of ``data``: the five core areas plus optional ones that have evidence."""
    out = [b for b in TIMELINE_AREAS if str(b) in data.behaviours]
    for b in OPTIONAL_AREAS:
        st = data.states.get(str(b))
        if st is not None and st.shape[0] and bool(np.any(st != "unknown")):
            out.append(b)
    return out


def segments(data: SessionData, areas: list[Behaviour] | None = None, *, use_states: bool = True,
             mode: str = "face_to_face") -> list[Segment]:
    """Run-length segments of each area's stable states (or per-frame labels with ``use_states=False``)."""
    ts = data.timestamps_ms
    if ts.shape[0] == 0:
        return []
    step = frame_step_ms(ts)
    ends = np.concatenate((ts[1:], [ts[-1] + step]))
    out: list[Segment] = []
    for b in areas if areas is not None else areas_for(data):
        source = data.states if use_states else data.labels
        vals = source.get(str(b))
        if vals is None:
            continue
        for i, j in run_lengths(vals):
            label = str(vals[i])
            start = int(ts[i])
            phase = data.phase_at(start)
            try:
                v = phase_verdict(b, label, phase, mode)
            except ValueError:  # a phase name from another mode or an older version
                v = phase_verdict(b, label, None, mode)
            out.append(Segment(str(b), label, start, int(ends[j - 1]), v, phase))
    return out


def segment_rows(segs: list[Segment], lang: str = "no") -> list[dict[str, Any]]:
    """Chart/table rows (seconds, display names) for ``segs``."""
    from bodycoach.feedback.messages import verdict_text

    return [
        {
            "area": behaviour_text(s.behaviour, lang),
            "behaviour": s.behaviour,
            "label": s.label,
            "label_text": label_text(s.behaviour, s.label, lang),
            "verdict": s.verdict,
            "verdict_text": verdict_text(s.verdict, lang),
            "start_s": round(s.start_ms / 1000.0, 2),
            "end_s": round(s.end_ms / 1000.0, 2),
            "duration_s": round(s.duration_ms / 1000.0, 1),
            "time": fmt_time(s.start_ms),
        }
        for s in segs
    ]


def phase_rows(data: SessionData, lang: str = "no", mode: str = "face_to_face") -> list[dict[str, Any]]:
    """Phase bands (seconds, display names) for the chart."""
    from bodycoach.feedback.scenarios import get_phase

    if len(data) == 0:
        return []
    end_default = int(data.timestamps_ms[-1]) + frame_step_ms(data.timestamps_ms)
    rows = []
    for k, p in enumerate(data.phases):
        try:
            name = get_phase(p.phase, mode).name.get(lang)
        except ValueError:
            name = p.phase
        rows.append({
            "phase": name,
            "start_s": p.start_ms / 1000.0,
            "end_s": (p.end_ms if p.end_ms is not None else end_default) / 1000.0,
            "band": k % 2,
        })
    return rows


def fmt_time(ms: float) -> str:
    """``m:ss`` of a time in ms."""
    s = int(round(ms / 1000.0))
    return f"{s // 60}:{s % 60:02d}"
