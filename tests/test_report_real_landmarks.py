"""The feedback layer on real recorded landmarks (tests/data/golden_*.npz) through the real Analyzer."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from bodycoach.feedback.cues import CueScheduler
from bodycoach.feedback.report import Report, SessionRecorder
from bodycoach.render.overlay import annotate
from bodycoach.render.summary_card import render_summary_card
from bodycoach.types import Behaviour, FrameResult

DATA = Path(__file__).resolve().parent / "data"
GOLDEN = sorted(DATA.glob("golden_*.npz"))


def _results(path: Path) -> list[FrameResult]:
    from bodycoach.analysis import Analyzer
    from bodycoach.landmarks.recording import load_landmarks

    an = Analyzer()
    return [an.step(lm) for lm in load_landmarks(path)]


@pytest.mark.skipif(not GOLDEN, reason=f"no recorded landmarks in {DATA}")
@pytest.mark.parametrize("path", GOLDEN, ids=lambda p: p.stem)
def test_real_session_through_cues_report_overlay(path: Path) -> None:
    results = _results(path)
    assert results
    phases = ["reception", "problem_solving", "farewell"]
    n = len(results)
    rec = SessionRecorder()
    cues = CueScheduler()
    shown = 0
    for i, r in enumerate(results):
        phase = phases[min(2, 3 * i // n)]
        c = cues.update(r, phase)
        rec.add(r, phase)
        if c is not None and c.since_ms == r.timestamp_ms:
            shown += 1
            assert r.state(c.behaviour) == c.label or any(e.label == c.label for e in r.started)
    end = results[-1].timestamp_ms + 250
    rec.finish(end)
    rep = rec.report()
    assert rep.duration_ms == end - results[0].timestamp_ms

    # Independent sample-and-hold computation of the time per stable label (frames here are < 1 s apart).
    gaps = np.diff([r.timestamp_ms for r in results])
    assert (gaps <= 1000).all()
    for b in Behaviour:
        expected: dict[str, int] = {}
        for r, nxt in zip(results, [*results[1:], None], strict=True):
            dur = (nxt.timestamp_ms if nxt is not None else end) - r.timestamp_ms
            lab = r.state(b)
            expected[lab] = expected.get(lab, 0) + dur
        assert {k: v for k, v in rep.time_ms[str(b)].items() if v} == {k: v for k, v in expected.items() if v}
    known = [b for b in Behaviour if rep.known_ms(b) > 0]
    assert known, "the analyzer settled no state at all on a real clip"
    assert [p.phase for p in rep.phases] == phases
    assert Report.from_dict(json.loads(json.dumps(rep.to_dict()))) == rep
    assert len(rep.summary_lines("no")) >= 8
    assert shown >= 1, "a real clip should produce at least one cue"

    w, h = results[0].landmarks.image_wh
    frame = np.full((h, w, 3), 80, np.uint8)
    img = annotate(frame, results[n // 2], cue=cues.current, phase="farewell")
    assert img.shape == frame.shape and np.count_nonzero(img != 80) > 1000
    card = render_summary_card(rep, lang="en")
    assert card.shape == (720, 1280, 3)
