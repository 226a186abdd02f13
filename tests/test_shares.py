"""One definition of the state shares: ``analyze``'s summary.json equals the stored session's report.

``bodycoach.feedback.report.state_shares`` is the only share computation; ``summary.json`` (via
``AnalysisRun``), the HTML report, the review page and the summary cards (via ``Report.shares``) all use it.
Before, ``analyze`` divided frame counts by all frames (the first, ``unknown`` frames included): 97 % where
the report said 100 %.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bodycoach.feedback.report import SessionRecorder, recording_end_ms, state_shares
from bodycoach.io.video import VideoInfo
from bodycoach.landmarks.recording import load_landmarks
from bodycoach.offline import AnalysisRun
from bodycoach.pipeline import analyse_landmarks
from bodycoach.review.scorecard import session_report
from bodycoach.store import SessionStore
from bodycoach.types import OUT_OF_VIEW, UNKNOWN
from tests.conftest import TEST_DATA


def test_state_shares_leave_out_unknown_and_out_of_view() -> None:
    table = {"arms": {"unknown": 400, "out_of_view": 3000, "hidden": 600, "extended": 1800},
             "hands": {"out_of_view": 5000}, "smile": {"none": 1000, "warm": 3000}}
    sh = state_shares(table)
    assert sh["arms"] == {"hidden": 0.25, "extended": 0.75}
    assert "hands" not in sh  # nothing judged: no share at all, not 0 %
    assert sh["smile"] == {"none": 0.25, "warm": 0.75}


def test_recording_end_is_last_frame_plus_median_step() -> None:
    assert recording_end_ms([0, 200, 400, 1000]) == 1200
    assert recording_end_ms([5]) == 205 and recording_end_ms([]) == 0


@pytest.mark.parametrize("name", ["view_liveportrait_d12.npz", "golden_pexels.npz"])
def test_analyze_summary_equals_stored_report(tmp_path: Path, name: str) -> None:
    results = list(analyse_landmarks(load_landmarks(TEST_DATA / name)))
    info = VideoInfo(source=name, width=640, height=480, fps=25.0, frame_count=len(results), duration_s=0.0,
                     is_camera=False)
    run = AnalysisRun(info=info, every_ms=200, mirrored=False)
    store = SessionStore(tmp_path)
    w = store.create_session(trainee="t", scenario=None, source=name, calibration=None, video_path=None)
    for r in results:
        run.add(r)
        w.add_frame(r)
    w.close(duration_s=results[-1].timestamp_ms / 1000)
    summary = run.summary()
    report = session_report(store.load(store.list_sessions()[0].id))
    want = {b: {k: round(v, 4) for k, v in sh.items()} for b, sh in report.shares().items()}
    assert summary["states"] == want
    for sh in summary["states"].values():
        assert UNKNOWN not in sh and OUT_OF_VIEW not in sh
        assert sum(sh.values()) == pytest.approx(1.0, abs=1e-3)
    # The live recorder fed the same frames (no store in between) gives the same shares.
    rec = SessionRecorder()
    for r in results:
        rec.add(r)
    rec.finish(recording_end_ms([r.timestamp_ms for r in results]))
    assert {b: {k: round(v, 4) for k, v in sh.items()} for b, sh in rec.report().shares().items()} == want
