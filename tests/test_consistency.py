"""One recording, one story: every surface and every re-encoding of a clip gives the same state shares.

Test A runs one real clip (the demo clip, cut to 5 s) through ``analyze`` (summary.json), the review
page's data (the stored session's report), the HTML report, the kiosk (headless, the clip as its camera)
and the live worker (fed every frame of the clip).
Test B re-encodes the whole demo clip (webm, mjpeg, grayscale, 2x upscale) and asserts every share
within 5 points.

Not yet true, so not asserted: the same shares at 5 fps (analyze, review, report) and at every frame
(live, kiosk). On this clip eye contact and smile still differ by up to 7 points and the gaze style by
23 (its "shifts per second" counts changes of the per-frame eye-contact label, which flickers more often
the more frames are looked at). Asserted: the surfaces that see the same frames agree within 2 points
(analyze = review page = HTML report; live = kiosk), with the same verdicts, and every surface judges
the same areas. Root causes fixed so far (perception clock, ms-based debouncer, kiosk frame times):
/work/notes/consistency.md and the commit messages.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import Any

import pytest

from tests.videos import ffmpeg

pytestmark = pytest.mark.slow
pytest.importorskip("mediapipe")

REPO = Path(__file__).resolve().parent.parent
DEMO = REPO / "sample_videos" / "liveportrait_d12.mp4"
CLIP_S = 5.0
CROSS_TOL = 0.02  # issue 10: "the same state shares within 2 points"
ENCODE_TOL = 0.05  # "every share within 5 points of the original"
VERDICT_KEYS = ("smile", "eye_contact", "arms", "hands", "head", "posture")  # graded without phases


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("clip") / "demo5s.mp4"
    if not ffmpeg("-i", str(DEMO), "-t", f"{CLIP_S:g}", "-c:v", "libx264", "-crf", "12", "-pix_fmt", "yuv420p",
                  "-an", str(out)):
        pytest.skip("ffmpeg is not installed")
    return out


@pytest.fixture(scope="module")
def demo_states() -> dict[str, dict[str, float]]:
    """analyze's shares of the whole demo clip (7.3 s: the gaze style needs a 3 s window, so a 5 s cut
    leaves only ~2.6 s of it, where one 200 ms frame is 8 points)."""
    return dict(_analyze(DEMO).summary()["states"])


def _flat(shares: dict[str, dict[str, float]]) -> dict[tuple[str, str], float]:
    return {(b, lab): float(v) for b, labs in shares.items() for lab, v in labs.items()}


def _diffs(a: dict[str, dict[str, float]], b: dict[str, dict[str, float]]) -> dict[tuple[str, str], float]:
    fa, fb = _flat(a), _flat(b)
    return {k: abs(fa.get(k, 0.0) - fb.get(k, 0.0)) for k in sorted(set(fa) | set(fb))}


def _verdicts(report: Any) -> dict[str, str]:
    return {i.key: i.status for i in report.scorecard if i.key in VERDICT_KEYS}


def _analyze(video: Path, sink: Any = None) -> Any:
    from bodycoach.offline import analyze_video

    return analyze_video(video, None, every_ms=200, sink=sink)


def _live(video: Path) -> Any:
    """The live worker fed every frame of the clip, its clock following the clip's times."""
    from bodycoach.apps.live_worker import LiveWorker, make_live_coach
    from bodycoach.io.video import open_source

    now = [0.0]
    worker = LiveWorker(make_live_coach(mirrored=False), clock=lambda: now[0], render=lambda f, r, **kw: f)
    try:
        with open_source(video) as src:
            for frame, ts in src:
                now[0] = ts / 1000.0
                worker.process(frame)
        worker.finish()
        return worker.recorder.report()  # type: ignore[attr-defined]
    finally:
        worker.close()


def _kiosk(video: Path) -> Any:
    """The kiosk with the clip as its camera (headless, media time): one session over the whole clip."""
    from bodycoach.apps.kiosk_app import HeadlessDisplay, KioskApp
    from bodycoach.io.video import open_source
    from bodycoach.kiosk.config import PhaseConfig, load_kiosk_config
    from bodycoach.landmarks.mediapipe import MediapipeExtractor

    cfg = load_kiosk_config()
    # The session starts at the first face (no 2 s hold) and lasts as long as the clip, so it covers the
    # same frames as the other surfaces.
    cfg = dataclasses.replace(
        cfg,
        presence=dataclasses.replace(cfg.presence, start_after_ms=0),
        session=dataclasses.replace(cfg.session, phases=(PhaseConfig("reception", CLIP_S),), max_s=CLIP_S),
    )
    app = KioskApp(cfg, open_source=lambda: open_source(video, loop=True), extractor=MediapipeExtractor(),
                   display=HeadlessDisplay((640, 360)), accelerated=True, drop_old=False)
    # Kiosk time follows the clip only (accelerated mode takes max(real, media): on a slow machine the
    # session would end before the clip does).
    app.clock.advance = lambda real_dt_ms, media_dt_ms=0.0: _media_clock(app.clock, media_dt_ms)  # type: ignore[method-assign]
    try:
        app.start()
        for _ in range(2000):
            app.tick(timeout_s=2.0)
            if app.sessions_completed:
                break
        assert app.sessions_completed == 1, "the kiosk session did not end"
        assert app._report is not None
        return app._report
    finally:
        app.close()


def _media_clock(clock: Any, media_dt_ms: float) -> int:
    clock.now_ms += int(round(max(0.0, media_dt_ms)))
    return int(clock.now_ms)


def test_every_surface_gives_the_same_shares(clip: Path, tmp_path: Path) -> None:
    from bodycoach.feedback.messages import label_text
    from bodycoach.review.report_html import build_report_html
    from bodycoach.review.scorecard import session_report
    from bodycoach.store import SessionStore
    from bodycoach.types import Behaviour

    store = SessionStore(tmp_path / "home")
    writer = store.create_session(trainee="Kari", source=str(clip))
    run = _analyze(clip, sink=writer)
    writer.add_events(run.events)
    writer.close(duration_s=run.summary()["duration_s"])
    analyze = run.summary()["states"]

    data = store.load(int(writer.id))
    review = session_report(data)
    html = build_report_html(data, review, lang="no")
    live = _live(clip)
    kiosk = _kiosk(clip)
    store.close()

    assert analyze, "analyze judged nothing"
    live_shares, kiosk_shares = live.shares(), kiosk.shares()
    # The same 5 fps frames: analyze's summary.json, the review page's report and the HTML report.
    bad = {k: round(d, 3) for k, d in _diffs(analyze, review.shares()).items() if d > CROSS_TOL}
    assert not bad, f"the review page differs from analyze by more than 2 points: {bad}"
    for b, labs in review.shares().items():
        for lab, v in labs.items():
            if v >= 0.005:
                text = re.escape(label_text(Behaviour(b), lab, "no")) + r"</span> " + f"{round(100 * v)} %"
                assert re.search(text, html), (b, lab, v)
    # Every frame of the clip: the live worker and the kiosk.
    bad = {k: round(d, 3) for k, d in _diffs(live_shares, kiosk_shares).items() if d > CROSS_TOL}
    assert not bad, f"the kiosk differs from the live page by more than 2 points: {bad}"
    assert _verdicts(kiosk) == _verdicts(live)
    # 5 fps against every frame: the areas judged are the same. (The shares themselves still differ by
    # up to 7 points on eye contact and smile and 23 on the gaze style on this clip: see the module doc.)
    assert set(analyze) == set(live_shares) == set(kiosk_shares)


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("webm", ["-c:v", "libvpx-vp9", "-b:v", "1M", "-deadline", "realtime", "-cpu-used", "8"]),
        ("mkv", ["-c:v", "mjpeg", "-q:v", "3"]),
        ("gray.mp4", ["-vf", "format=gray", "-c:v", "libx264", "-pix_fmt", "yuv420p"]),
        ("2x.mp4", ["-vf", "scale=iw*2:ih*2", "-c:v", "libx264", "-preset", "ultrafast", "-crf", "18"]),
    ],
    ids=["webm", "mjpeg", "grayscale", "upscale2x"],
)
def test_reencoding_keeps_every_share(demo_states: dict[str, dict[str, float]], tmp_path: Path, name: str,
                                     args: list[str]) -> None:
    out = tmp_path / f"clip.{name}"
    if not ffmpeg("-i", str(DEMO), *args, "-an", str(out)):
        pytest.skip("ffmpeg is not installed")
    original = demo_states
    again = _analyze(out).summary()["states"]
    assert original
    bad = {k: round(d, 3) for k, d in _diffs(original, again).items() if d > ENCODE_TOL}
    assert not bad, f"{name}: shares moved by more than 5 points: {bad}"
