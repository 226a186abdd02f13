"""The voice in review: scorecard lines in the guide's words, pace per phase, the HTML report's section."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bodycoach.io.audio import load_audio
from bodycoach.review import voice as rv
from bodycoach.review.report_html import build_report_html
from bodycoach.review.scorecard import session_report
from bodycoach.review.synthetic import synthetic_session
from bodycoach.store import SessionStore
from bodycoach.voice import analyze_samples
from tests.conftest import TEST_DATA


@pytest.fixture(scope="module")
def voiced() -> dict:
    x = load_audio(TEST_DATA / "voice" / "arctic_a0007.wav").samples
    rng = np.random.default_rng(0)
    y = np.concatenate([x, np.zeros(56000, np.float32), x, x * np.float32(10 ** (-14 / 20)),
                        x * np.float32(10 ** (-14 / 20))])
    a = analyze_samples((y + rng.normal(0, 1e-3, y.size)).astype(np.float32), lang="en")
    return {"summary": a.summary, "events": [e.to_dict() for e in a.events], "track": a.track()}


def test_scorecard_lines_in_the_guides_words(voiced: dict) -> None:
    lines = rv.scorecard(voiced, "no")
    checks = [li.check for li in lines]
    assert checks[0].startswith("Riktig tone") and "middels tone" in checks[0]
    assert checks[1].startswith("Unngå monotoni")
    assert checks[2].startswith("Tempo") and checks[3].startswith("Stillhet")
    by = {li.check.split(" ")[0]: li for li in lines}
    # the 3.5 s inserted silence plus ARCTIC's own ~0.9 s of lead-in and tail around it
    assert by["Stillhet"].verdict == "bad"
    assert 4.0 < float(by["Stillhet"].detail.rsplit(" ", 2)[-2]) < 4.8
    assert by["Riktig"].verdict == "bad" and "lavere" in by["Riktig"].detail  # the -14 dB ending
    en = rv.scorecard(voiced, "en")
    assert en[0].check.startswith("Right tone") and en[1].check.startswith("Avoid monotony")
    assert rv.scorecard(None) == []
    none = rv.scorecard({"summary": {"speech_s": 0, "reason": "x.mp4: the recording has no audio track"},
                         "events": []}, "no")
    assert none[0].verdict == "unknown" and "no audio track" in none[0].detail


def test_pace_per_phase(voiced: dict) -> None:
    whole = rv.pace_per_phase(voiced, [], "en")
    assert len(whole) == 1 and whole[0]["phase"] == "Whole session"
    assert whole[0]["rate_syl_s"] == pytest.approx(voiced["summary"]["articulation_rate_syl_s"], rel=0.35)

    class P:
        def __init__(self, phase: str, a: int, b: int | None) -> None:
            self.phase, self.start_ms, self.end_ms = phase, a, b

    rows = rv.pace_per_phase(voiced, [P("reception", 0, 4000), P("action", 4000, 7500), P("closing", 7500, None)])
    assert [r["phase"] for r in rows] == ["reception", "action", "closing"]
    assert rows[1]["speech_s"] < 0.5 and rows[1]["rate_syl_s"] is None  # the silence
    assert rows[0]["rate_syl_s"] and rows[2]["rate_syl_s"]


def test_report_html_has_the_voice_section(tmp_path: Path, voiced: dict) -> None:
    store = SessionStore(tmp_path)
    sid = synthetic_session(store, n=100, trainee="Kari")
    store.save_voice(sid, voiced["summary"], voiced["events"], voiced["track"])
    data = store.load(sid)
    html = build_report_html(data, session_report(data, lang="no"), lang="no", voice=store.voice(sid))
    for text in ("<h2>Stemme</h2>", "Riktig tone", "Unngå monotoni", "Lang stillhet", "For lavt", "<svg"):
        assert text in html, text
    plain = build_report_html(data, session_report(data, lang="no"), lang="no")
    assert "<h2>Stemme</h2>" not in plain
    (tmp_path / "report.html").write_text(html)
