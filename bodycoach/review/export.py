"""CSV and JSON exports of a stored session, and of trainer corrections as labelled data.

Files are written atomically (a temporary file renamed into place), so a failed export never leaves a
half-written file where a good one was. Every text cell goes through ``safetext.csv_cell``: a note
``=HYPERLINK(...)`` is written as ``'=HYPERLINK(...)`` so a spreadsheet shows it instead of running it
(OWASP, "CSV Injection").
"""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from bodycoach.errors import StoreError
from bodycoach.safetext import csv_cell
from bodycoach.store.sessions import Correction, SessionData


def write_atomic(path: Path, text: str | bytes) -> Path:
    """Write ``text`` to ``path`` via a temporary file in the same folder.

    Raises:
        StoreError: the folder is not writable or the disk is full (``path`` is left as it was).
    """
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
        try:
            os.fchmod(fd, 0o644)  # mkstemp makes 0600; an export is an ordinary user file
            with os.fdopen(fd, "wb") as fh:
                fh.write(text.encode("utf-8") if isinstance(text, str) else text)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise StoreError(f"{path}: cannot write ({exc.strerror or exc}); expected a writable location") from exc
    return path


def _csv(rows: Iterable[Iterable[Any]], header: list[str]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow([csv_cell(h) for h in header])
    w.writerows([csv_cell(v) for v in row] for row in rows)
    return buf.getvalue()


def frames_csv(data: SessionData) -> str:
    """One row per frame: ``t_ms``, ``phase``, then per behaviour ``<b>_label``, ``<b>_state``, ``<b>_score``."""
    header = ["t_ms", "phase"]
    for b in data.behaviours:
        header += [f"{b}_label", f"{b}_state", f"{b}_score"]
    phase_idx = _phase_per_frame(data)
    rows = []
    for i in range(len(data)):
        row: list[Any] = [int(data.timestamps_ms[i]), phase_idx[i] or ""]
        for b in data.behaviours:
            row += [data.labels[b][i], data.states[b][i], f"{float(data.scores[b][i]):.3f}"]
        rows.append(row)
    return _csv(rows, header)


def _phase_per_frame(data: SessionData) -> list[str | None]:
    return [data.phase_at(int(t)) for t in data.timestamps_ms]


def events_csv(data: SessionData) -> str:
    """One row per event: behaviour, label, start_ms, end_ms, duration_ms, peak_score."""
    rows = [
        [str(e.behaviour), e.label, e.start_ms, "" if e.end_ms is None else e.end_ms,
         "" if e.duration_ms is None else e.duration_ms, f"{e.peak_score:.3f}"]
        for e in data.events
    ]
    return _csv(rows, ["behaviour", "label", "start_ms", "end_ms", "duration_ms", "peak_score"])


def corrections_csv(corrections: Iterable[Correction]) -> str:
    """Trainer corrections as labelled data (one row per corrected span)."""
    rows = [[c.session_id, c.behaviour, c.start_ms, c.end_ms, c.wrong_label or "", c.correct_label or "",
             c.note or "", c.created_at] for c in corrections]
    return _csv(rows, ["session_id", "behaviour", "start_ms", "end_ms", "wrong_label", "correct_label", "note",
                       "created_at"])


def session_dict(data: SessionData) -> dict[str, Any]:
    """The whole session as one JSON-ready dict (frames as parallel arrays, compact)."""
    return {
        "format": "bodycoach-session",
        "version": 1,
        "session": data.info.to_dict(),
        "phases": [p.to_dict() for p in data.phases],
        "events": [e.to_dict() for e in data.events],
        "corrections": [c.to_dict() for c in data.corrections],
        "frames": {
            "t_ms": data.timestamps_ms.tolist(),
            "labels": {b: data.labels[b].tolist() for b in data.behaviours},
            "states": {b: data.states[b].tolist() for b in data.behaviours},
            "scores": {b: [round(float(x), 3) for x in data.scores[b]] for b in data.behaviours},
        },
    }


def export_session(data: SessionData, out_dir: Path, formats: Iterable[str] = ("csv", "json")) -> list[Path]:
    """Write ``session-<id>-frames.csv``, ``-events.csv``, ``-corrections.csv`` and/or ``session-<id>.json``."""
    out_dir = Path(out_dir)
    sid = data.info.id
    written = []
    fmts = set(formats)
    unknown = fmts - {"csv", "json"}
    if unknown:
        raise StoreError(f"--format: got {sorted(unknown)}; expected csv and/or json")
    if "csv" in fmts:
        written.append(write_atomic(out_dir / f"session-{sid}-frames.csv", frames_csv(data)))
        written.append(write_atomic(out_dir / f"session-{sid}-events.csv", events_csv(data)))
        written.append(write_atomic(out_dir / f"session-{sid}-corrections.csv", corrections_csv(data.corrections)))
    if "json" in fmts:
        text = json.dumps(session_dict(data), ensure_ascii=False, separators=(",", ":"))
        written.append(write_atomic(out_dir / f"session-{sid}.json", text))
    return written
