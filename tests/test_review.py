"""Review helpers: timeline segments, scorecard from the store, HTML report (size, offline), exports."""

from __future__ import annotations

import csv
import io
import json
import re
import time
from pathlib import Path

import numpy as np
import pytest

from bodycoach.analysis import Analyzer
from bodycoach.landmarks.recording import load_landmarks
from bodycoach.review.export import export_session, frames_csv, session_dict
from bodycoach.review.report_html import build_report_html
from bodycoach.review.scorecard import progress_rows, session_report
from bodycoach.review.synthetic import label_schedule, synthetic_session
from bodycoach.review.timeline import TIMELINE_AREAS, run_lengths, segments
from bodycoach.store import SessionStore
from bodycoach.types import Behaviour

TEST_DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="module")
def ten_minutes(tmp_path_factory: pytest.TempPathFactory) -> tuple[SessionStore, int]:
    """A synthetic 10-minute session: 3000 frames at 5 fps, with phases, events and landmarks."""
    store = SessionStore(tmp_path_factory.mktemp("home"))
    sid = synthetic_session(store, n=3000, step_ms=200)
    synthetic_session(store, n=300, started_at="2020-01-01T10:00:00+00:00")  # an older session of Kari
    return store, sid


def test_run_lengths() -> None:
    assert run_lengths(np.array(["a", "a", "b", "a"], dtype=object)) == [(0, 2), (2, 3), (3, 4)]
    assert run_lengths(np.array([], dtype=object)) == []


def test_segments_tile_the_session_with_phase_verdicts(ten_minutes: tuple[SessionStore, int]) -> None:
    store, sid = ten_minutes
    data = store.load(sid)
    segs = segments(data)
    for b in TIMELINE_AREAS:
        mine = [s for s in segs if s.behaviour == str(b)]
        assert mine[0].start_ms == 0 and mine[-1].end_ms == 600_000
        assert all(a.end_ms == c.start_ms for a, c in zip(mine, mine[1:], strict=False))
        assert all(a.label != c.label for a, c in zip(mine, mine[1:], strict=False))
        assert sum(s.duration_ms for s in mine) == 600_000
    # no smile is neutral in general but a fault during the reception (the guide's welcome)
    none_smiles = [s for s in segs if s.behaviour == "smile" and s.label == "none"]
    assert {s.verdict for s in none_smiles if s.phase == "reception"} == {"bad"}
    assert {s.verdict for s in none_smiles if s.phase == "problem_solving"} == {"neutral"}


def test_scorecard_shares_match_the_stored_states(ten_minutes: tuple[SessionStore, int]) -> None:
    store, sid = ten_minutes
    data = store.load(sid)
    report = session_report(data)
    keys = [i.key for i in report.scorecard]
    assert keys[:7] == ["smile", "eye_contact", "welcome", "close", "arms", "hands", "head"]
    # eye contact: share of lens among lens+away frames (screen is accepted and left out)
    labels = [label_schedule(i, 3000)[Behaviour.EYE_CONTACT] for i in range(3000)]
    lens, away = labels.count("lens"), labels.count("away")
    item = report.item("eye_contact")
    assert item is not None and item.share == pytest.approx(lens / (lens + away), abs=0.01)
    arms = report.item("arms")
    assert arms is not None and arms.status == "needs_work" and arms.moments
    assert all(m.behaviour == Behaviour.ARMS for m in arms.moments)
    assert [p.phase for p in report.phases] == ["reception", "problem_solving", "confirmation", "farewell"]


def test_sparse_replay_equals_full_replay(tmp_path: Path) -> None:
    """session_report skips unchanged frames; the report must equal a replay of every frame."""
    from bodycoach.feedback.report import SessionRecorder
    from bodycoach.review.synthetic import make_result

    store = SessionStore(tmp_path / "home")
    w = store.create_session(trainee="Gap", scenario="shy")
    n = 400
    for i in range(n):
        if 150 <= i < 170:  # a 4 s hole in the recording (camera lost)
            continue
        ts = i * 200 + (7 if i % 3 == 0 else 0)  # slightly uneven frame times
        phase = "reception" if i < 120 else ("problem_solving" if i < 300 else "farewell")
        w.add_frame(make_result(ts, label_schedule(i, n), landmarks=False), phase=phase)
    info = w.close()
    data = store.load(info.id)
    fast = session_report(data)
    rec = SessionRecorder("no", scenario="shy")
    for i in range(len(data)):
        rec.add(data.frame_result(i), data.phase_at(int(data.timestamps_ms[i])))
    rec.finish(int(data.timestamps_ms[-1]) + 200)
    full = rec.report()
    a, b = fast.to_dict(), full.to_dict()
    a.pop("events"), b.pop("events")
    assert a == b


def test_html_report_of_ten_minutes_is_small_offline_and_complete(ten_minutes: tuple[SessionStore, int],
                                                                   tmp_path: Path) -> None:
    store, sid = ten_minutes
    data = store.load(sid)
    t0 = time.perf_counter()
    html = build_report_html(data, session_report(data), progress=progress_rows(store, "Kari"))
    elapsed = time.perf_counter() - t0
    size = len(html.encode("utf-8"))
    assert size < 5_000_000, size
    assert "<script" not in html.lower()
    # nothing is fetched: no src= attributes, and the only URLs are SVG/XLink namespace names
    assert not re.search(r"\bsrc\s*=", html)
    urls = set(re.findall(r"https?://[^\s\"'<>)]+", html))
    assert urls <= {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}, urls
    for text in ("Se kunden i øynene", "Gi en flott mottakelse", "Få til en god avslutt", "Armene",
                 "Hodestøttet", "Tidslinje", "Utvikling over økter", "@media print"):
        assert text in html, text
    assert html.count("<svg") == 2  # timeline + progress
    print(f"report: {size / 1e6:.2f} MB in {elapsed:.2f} s")


def test_report_in_english_has_no_norwegian_titles(ten_minutes: tuple[SessionStore, int]) -> None:
    store, sid = ten_minutes
    data = store.load(sid)
    html = build_report_html(data, session_report(data, lang="en"), lang="en")
    assert "Look the customer in the eyes" in html and "Se kunden i øynene" not in html
    assert "<svg" in html


def test_exports_round_trip(ten_minutes: tuple[SessionStore, int], tmp_path: Path) -> None:
    store, sid = ten_minutes
    data = store.load(sid)
    rows = list(csv.DictReader(io.StringIO(frames_csv(data))))
    assert len(rows) == 3000
    assert rows[37]["arms_state"] == label_schedule(37, 3000)[Behaviour.ARMS]
    assert rows[0]["phase"] == "reception" and rows[-1]["phase"] == "farewell"
    paths = export_session(data, tmp_path, ["csv", "json"])
    assert {p.name for p in paths} == {f"session-{sid}-frames.csv", f"session-{sid}-events.csv",
                                       f"session-{sid}-corrections.csv", f"session-{sid}.json"}
    doc = json.loads((tmp_path / f"session-{sid}.json").read_text(encoding="utf-8"))
    assert doc["session"]["id"] == sid and len(doc["frames"]["t_ms"]) == 3000
    assert doc == json.loads(json.dumps(session_dict(data)))
    events = list(csv.DictReader((tmp_path / f"session-{sid}-events.csv").open(encoding="utf-8")))
    assert len(events) == len(data.events) > 0


def test_report_from_a_real_clip(tmp_path: Path) -> None:
    """Golden landmarks of the Pexels sample clip → analysis → store → report."""
    golden = TEST_DATA / "golden_pexels.npz"
    if not golden.exists():
        pytest.skip(f"{golden} not found (regenerate with pytest --regen-golden tests/test_perception.py)")
    seq = load_landmarks(golden)
    store = SessionStore(tmp_path / "home")
    analyzer = Analyzer()
    writer = store.create_session(trainee="Pexels", scenario="friendly",
                                  source="sample_videos/pyfeat_WolfgangLanger_Pexels.mp4")
    n_phase = len(seq) // 2
    for i, lm in enumerate(seq):
        writer.add_frame(analyzer.step(lm), phase="reception" if i < n_phase else "farewell")
    writer.add_events(analyzer.finish(seq[-1].timestamp_ms))
    info = writer.close(duration_s=seq[-1].timestamp_ms / 1000)
    assert info.frame_count == len(seq) and info.status == "complete"
    data = store.load(info.id)
    assert data.timestamps_ms.tolist() == [lm.timestamp_ms for lm in seq]
    lm = store.landmarks_at(info.id, seq[10].timestamp_ms)
    assert lm is not None and lm.has_face == seq[10].has_face
    report = session_report(data)
    html = build_report_html(data, report)
    (tmp_path / "report.html").write_text(html, encoding="utf-8")
    assert "Pexels" in html and "<svg" in html and "Sjekkliste" in html
    assert len(report.scorecard) >= 7
    assert len(html.encode()) < 5_000_000


def test_report_of_an_unfinished_session(tmp_path: Path) -> None:
    """A session whose program died (never closed, last phase open) still gives a report."""
    from bodycoach.review.synthetic import make_result

    store = SessionStore(tmp_path / "home")
    w = store.create_session(trainee="Crash")
    for i in range(60):
        w.add_frame(make_result(i * 200, label_schedule(i, 60), landmarks=False), phase="reception")
    w.flush()  # as if the process were killed here: no close()
    data = store.load(w.session_id)
    assert data.info.status == "recording" and data.phases[-1].end_ms is None
    report = session_report(data)
    html = build_report_html(data, report)
    assert "recording" in html and "<svg" in html
    assert report.phases[0].phase == "reception"
