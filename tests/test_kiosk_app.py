"""The kiosk shell: full cycles, camera loss, frozen sources, coach crashes, resize, privacy, CLI, deploy.

Fast tests use ``HeadlessDisplay`` and the synthetic face extractor. ``test_xvfb_full_cycle_with_screenshots``
runs the real HighGUI window under Xvfb in a subprocess (Qt binds to one display per process) with a
recorded clip as the camera, and saves screenshots to ``$BODYCOACH_KIOSK_SHOTS`` (default: a temp dir).
One slow test runs the real MediaPipe extractor.
"""

from __future__ import annotations

import configparser
import dataclasses
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

REPO = Path(__file__).resolve().parent.parent
CLIP = REPO / "sample_videos" / "liveportrait_d12.mp4"
SUPERVISOR = REPO / "deploy" / "kiosk-supervisor.sh"
UNIT = REPO / "deploy" / "bodycoach-kiosk.service"


def kiosk_config(**session: Any) -> Any:
    from bodycoach.kiosk.config import PhaseConfig, load_kiosk_config

    cfg = load_kiosk_config()
    s = dict(phases=(PhaseConfig("reception", 4.0), PhaseConfig("problem_solving", 6.0)), max_s=30.0,
             summary_s=3.0)
    s.update(session)
    return dataclasses.replace(cfg, session=dataclasses.replace(cfg.session, **s))


def frames(n: int = 50, wh: tuple[int, int] = (320, 240)) -> list[np.ndarray]:
    """Distinct, bright frames (never identical, never black)."""
    out = []
    for i in range(n):
        f = np.full((wh[1], wh[0], 3), 120, np.uint8)
        f[i % wh[1], :, :] = 250
        f[:, i % wh[0], 1] = 10
        out.append(f)
    return out


def make_app(cfg: Any, script: Any = None, extractor: Any = None, wh: tuple[int, int] = (640, 360)) -> Any:
    from bodycoach.apps.kiosk_app import HeadlessDisplay, KioskApp
    from bodycoach.kiosk.testing import ArraySource, ScriptedOpener, SyntheticFaceExtractor

    pool = frames()

    def inner() -> ArraySource:
        return ArraySource(pool, every_ms=40)

    opener: Any = ScriptedOpener(inner, script) if script is not None else inner
    app = KioskApp(cfg, open_source=opener, extractor=extractor or SyntheticFaceExtractor(),
                   display=HeadlessDisplay(wh), accelerated=True, drop_old=False)
    app.opener = opener
    return app


def run_until(app: Any, pred: Any, max_ticks: int = 3000, max_s: float = 60.0) -> list[Any]:
    """Tick until ``pred(app)``; returns the per-tick trace (screen, status, stall)."""
    trace: list[Any] = []
    t0 = time.monotonic()
    app.start()
    while True:
        app.tick()
        trace.append((app.view.screen, app.grabber.status, app._stall, app.clock.now_ms))
        if pred(app):
            return trace
        assert len(trace) < max_ticks and time.monotonic() - t0 < max_s, (
            f"condition not reached after {len(trace)} ticks; last {trace[-1]}")


def screens(trace: list[Any]) -> list[str]:
    out: list[str] = []
    for s, *_ in trace:
        if not out or out[-1] != s:
            out.append(str(s))
    return out


# --- full cycle, headless ------------------------------------------------------------------------

def test_full_cycle_then_reset_and_nothing_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from bodycoach.kiosk.machine import EndReason, SessionEnded
    from bodycoach.kiosk.testing import Script

    monkeypatch.setenv("BODYCOACH_HOME", str(tmp_path / "home"))
    # frames 120..260 black: the person leaves (5.6 s > leave_after_ms = 4 s)
    app = make_app(kiosk_config(), Script(black=[(120, 260)]))
    try:
        trace = run_until(app, lambda a: a.sessions_completed >= 1 and a.view.screen == "attract")
    finally:
        app.close()
    assert screens(trace)[:4] == ["attract", "session", "summary", "attract"]
    ends = [e for e in app.events_log if isinstance(e, SessionEnded)]
    assert ends[0].reason is EndReason.LEFT
    # started after ~2 s of facing (50 frames at 40 ms), not before
    first_session = next(i for i, t in enumerate(trace) if t[0] == "session")
    assert 1900 <= trace[first_session][3] <= 2600
    # nothing kept: no store opened, nothing written under the data folder, session state dropped
    assert app.store is None and app.saved_sessions == []
    assert not (tmp_path / "home").exists()
    assert app._session is None and app._report is None and app._card is None


def test_session_ends_after_max_time_and_phases_advance() -> None:
    from bodycoach.kiosk.machine import EndReason, PhaseChanged, SessionEnded

    app = make_app(kiosk_config(max_s=8.0))
    try:
        run_until(app, lambda a: a.sessions_completed >= 1)
    finally:
        app.close()
    phases = [e.phase.name for e in app.events_log if isinstance(e, PhaseChanged)]
    assert phases == ["reception", "problem_solving"]
    assert [e.reason for e in app.events_log if isinstance(e, SessionEnded)] == [EndReason.MAX_TIME]


# --- unattended robustness -----------------------------------------------------------------------

def test_camera_unplugged_and_replugged_shows_calm_message_and_recovers() -> None:
    from bodycoach.apps.kiosk_app import SourceStatus
    from bodycoach.kiosk.testing import Script

    app = make_app(kiosk_config(), Script(vanish_at=80, refuse_opens=2))
    seen_missing: list[np.ndarray] = []

    def pred(a: Any) -> bool:
        if not a.camera_ok and a.grabber.status == SourceStatus.MISSING and not seen_missing:
            seen_missing.append(a.last_canvas.copy())
        return bool(seen_missing) and a.grabber.status == SourceStatus.OK and a.opener.delivered > 120

    try:
        trace = run_until(app, pred)
    finally:
        app.close()
    assert app.opener.vanished == 1 and app.opener.refused == 2
    assert app.grabber.opens >= 2 and app.grabber.failures == 3  # read error + two refused opens
    statuses = [t[1] for t in trace]
    assert "missing" in statuses and statuses[-1] == "ok"
    # the message panel (warning stripe colour) was drawn while the camera was missing
    from bodycoach.apps.kiosk_app import WARN

    assert (seen_missing[0] == np.array(WARN, np.uint8)).all(axis=2).sum() > 100


def test_camera_missing_for_long_ends_session_with_camera_reason() -> None:
    from bodycoach.kiosk.config import WatchdogConfig
    from bodycoach.kiosk.machine import EndReason, SessionEnded
    from bodycoach.kiosk.testing import Script

    cfg = kiosk_config(max_s=60.0)
    cfg = dataclasses.replace(cfg, watchdog=WatchdogConfig(retry_initial_ms=2500, retry_max_ms=5000),
                              presence=dataclasses.replace(cfg.presence, leave_after_ms=1000))
    app = make_app(cfg, Script(vanish_at=100, refuse_opens=1))
    try:
        run_until(app, lambda a: a.sessions_completed >= 1, max_s=30)
    finally:
        app.close()
    assert [e.reason for e in app.events_log if isinstance(e, SessionEnded)] == [EndReason.CAMERA]


def test_hung_source_is_abandoned_and_reopened() -> None:
    from bodycoach.kiosk.config import WatchdogConfig
    from bodycoach.kiosk.testing import Script
    from bodycoach.kiosk.watchdog import StallReason

    cfg = dataclasses.replace(kiosk_config(), watchdog=WatchdogConfig(frozen_after_ms=500))
    app = make_app(cfg, Script(hang_at=60))
    try:
        trace = run_until(app, lambda a: a.opener.hung == 1 and a.opener.delivered > 100)
    finally:
        app.opener.release_hang()
        app.close()
    assert StallReason.NO_FRAMES in [t[2] for t in trace]
    assert app.opener.opens >= 2


def test_identical_frames_count_as_frozen_and_reopen() -> None:
    from bodycoach.kiosk.config import WatchdogConfig
    from bodycoach.kiosk.testing import Script
    from bodycoach.kiosk.watchdog import StallReason

    cfg = dataclasses.replace(kiosk_config(), watchdog=WatchdogConfig(identical_for_ms=1000))
    app = make_app(cfg, Script(repeat_from=30, repeat_frames=10**6))
    frozen_canvas: list[np.ndarray] = []

    def pred(a: Any) -> bool:
        if a._stall is StallReason.IDENTICAL and not frozen_canvas:
            frozen_canvas.append(a.last_canvas)
        return a.grabber.opens >= 2 and a.frames > 80

    try:
        trace = run_until(app, pred)
    finally:
        app.close()
    assert StallReason.IDENTICAL in [t[2] for t in trace]
    assert frozen_canvas


def test_coach_crash_recovered_in_process_then_budget_exits() -> None:
    from bodycoach.apps.kiosk_app import CoachCrash
    from bodycoach.kiosk.testing import SyntheticFaceExtractor

    ext = SyntheticFaceExtractor(fail_at={70})  # during the session (it starts at ~call 51)
    app = make_app(kiosk_config(max_s=6.0), extractor=ext)
    try:
        run_until(app, lambda a: a.sessions_completed >= 1)
    finally:
        app.close()
    assert app._coach_error_until > 0 and len(app.errors) == 1

    ext2 = SyntheticFaceExtractor(fail_at=set(range(10, 40)))
    app2 = make_app(kiosk_config(), extractor=ext2)
    try:
        with pytest.raises(CoachCrash, match="failed 5 times"):
            run_until(app2, lambda a: False, max_ticks=500)
    finally:
        app2.close()


def test_restart_note_after_a_supervisor_restart(monkeypatch: pytest.MonkeyPatch) -> None:
    from bodycoach.apps.kiosk_app import RESTART_NOTE_MS, WARN

    def stripe(canvas: np.ndarray) -> int:
        return int((canvas == np.array(WARN, np.uint8)).all(axis=2).sum())

    app = make_app(kiosk_config())
    try:
        app.tick()
        assert stripe(app.last_canvas) == 0  # a first start: no note
    finally:
        app.close()
    monkeypatch.setenv("BODYCOACH_KIOSK_RESTARTS", "2")
    app = make_app(kiosk_config())
    try:
        app.tick()
        assert stripe(app.last_canvas) > 100
        run_until(app, lambda a: a.clock.now_ms > RESTART_NOTE_MS + 100 and a.camera_ok)
        assert stripe(app.last_canvas) == 0  # gone after a few seconds
    finally:
        app.close()


def test_resolution_change_relays_out_every_frame() -> None:
    app = make_app(kiosk_config())
    try:
        app.start()
        app.tick()
        assert app.last_canvas.shape == (360, 640, 3)
        app.display.wh = (1920, 1080)
        app.tick()
        assert app.last_canvas.shape == (1080, 1920, 3)
        app.display.wh = (800, 1280)  # portrait screen
        app.tick()
        assert app.last_canvas.shape == (1280, 800, 3)
    finally:
        app.close()


def test_opt_in_keeps_anonymous_summary_in_store(tmp_path: Path) -> None:
    store_mod = pytest.importorskip("bodycoach.store")

    cfg = kiosk_config(max_s=6.0)
    cfg = dataclasses.replace(cfg, privacy=dataclasses.replace(cfg.privacy, keep_summaries=True,
                                                               store_home=str(tmp_path / "store")))
    app = make_app(cfg)
    try:
        run_until(app, lambda a: a.sessions_completed >= 1)
    finally:
        app.close()
    assert len(app.saved_sessions) == 1
    store = store_mod.SessionStore(tmp_path / "store")
    infos = store.list_sessions()
    assert len(infos) == 1
    info = infos[0]
    assert info.trainee == "kiosk (anonym)" and info.status == "complete"
    assert info.video_path is None and info.frame_count > 50
    data = store.load(info.id)
    assert getattr(data, "landmarks", None) in (None, [], ()) or len(data.landmarks) == 0


def test_models_see_the_camera_image_and_the_person_sees_a_mirror() -> None:
    from bodycoach.apps.kiosk_app import mirror_landmarks
    from bodycoach.kiosk.testing import SyntheticFaceExtractor, synthetic_face

    seen: list[np.ndarray] = []

    class Spy(SyntheticFaceExtractor):
        def extract(self, frame_bgr: np.ndarray, timestamp_ms: int) -> Any:
            seen.append(frame_bgr)
            return super().extract(frame_bgr, timestamp_ms)

    app = make_app(kiosk_config(), extractor=Spy())
    try:
        run_until(app, lambda a: len(seen) >= 3)
        assert np.array_equal(app._frame, seen[-1][:, ::-1])  # displayed = mirror of analysed
    finally:
        app.close()
    lm = synthetic_face(0, (640, 480), yaw_deg=20.0)
    m = mirror_landmarks(lm)
    assert np.allclose(m.face[:, 0], 1.0 - lm.face[:, 0]) and np.allclose(m.face[:, 1], lm.face[:, 1])


# --- under Xvfb, real window ---------------------------------------------------------------------

def _start_xvfb(wh: tuple[int, int]) -> tuple[subprocess.Popen[bytes], str]:
    """Start a private Xvfb on a free, high display number (low numbers such as :0 may be in use)."""
    import random

    rng = random.Random(os.getpid() ^ time.time_ns())
    for _ in range(20):
        n = rng.randrange(300, 900)
        if Path(f"/tmp/.X{n}-lock").exists() or Path(f"/tmp/.X11-unix/X{n}").exists():
            continue
        p = subprocess.Popen(["Xvfb", f":{n}", "-screen", "0", f"{wh[0]}x{wh[1]}x24", "-nolisten", "tcp"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(100):  # up to 5 s for the socket to appear
            if p.poll() is not None:
                break
            if Path(f"/tmp/.X11-unix/X{n}").exists():
                return p, f":{n}"
            time.sleep(0.05)
        p.kill()
        p.wait()
    pytest.skip("Xvfb did not start")


def drive(out: Path) -> dict[str, Any]:
    """Run the kiosk in a real HighGUI window on $DISPLAY; save canvases and screen grabs to ``out``."""
    import cv2
    from PIL import Image, ImageGrab

    from bodycoach.apps.kiosk_app import HighGuiDisplay, KioskApp, SourceStatus
    from bodycoach.io.video import open_source
    from bodycoach.kiosk.testing import Script, ScriptedOpener, SyntheticFaceExtractor

    out.mkdir(parents=True, exist_ok=True)
    cfg = kiosk_config()
    cfg = dataclasses.replace(cfg, camera=dataclasses.replace(cfg.camera, source=str(CLIP)))
    # The recorded clip stands in for the camera: the person leaves (black, frames 120-260), then the
    # camera is unplugged at frame 400 and refuses two reopen attempts before it comes back.
    opener = ScriptedOpener(lambda: open_source(CLIP, loop=True), Script(black=[(120, 260)], vanish_at=400,
                                                                         refuse_opens=2))
    display = HighGuiDisplay(windowed=False)
    app = KioskApp(cfg, open_source=opener, extractor=SyntheticFaceExtractor(), display=display,
                   accelerated=True)
    shots: dict[str, Any] = {}
    trace: list[str] = []
    t_start = time.monotonic()

    def shoot(name: str, a: Any) -> None:
        Image.fromarray(a.last_canvas[:, :, ::-1]).save(out / f"kiosk_{name}_canvas.png")
        c = a.last_canvas.astype(np.int16)
        # The X server shows the canvas once Qt has painted it. Re-show the same canvas while polling, as the
        # app does every tick (up to 8 s: an unpainted window is recreated by the display after two checks
        # 2 s apart). The canvas itself is never changed here.
        for attempt in range(160):  # noqa: B007 - reported below
            display.show(a.last_canvas)
            cv2.waitKey(50)
            grab = ImageGrab.grab(xdisplay=os.environ["DISPLAY"])
            g = np.asarray(grab.convert("RGB"))[:, :, ::-1].astype(np.int16)
            diff = float(np.abs(g - c).mean()) if g.shape == c.shape else None
            if diff is not None and diff < 2.0:
                break
        grab.save(out / f"kiosk_{name}_screen.png")
        shots[name] = {"canvas_wh": [c.shape[1], c.shape[0]], "screen_wh": [g.shape[1], g.shape[0]],
                       "mean_abs_diff": diff, "waited_ms": (attempt + 1) * 50,
                       "window_rect": list(cv2.getWindowImageRect(display.title)), "tick": a.ticks,
                       "t": round(time.monotonic() - t_start, 2), "display": os.environ["DISPLAY"]}

    def on_tick(a: Any) -> bool:
        s = str(a.view.screen)
        if not trace or trace[-1] != s:
            trace.append(s)
        if s not in shots and a.ticks > 2 and (s != "session" or a.clock.now_ms > 3000):
            shoot(s, a)
        if not a.camera_ok and a.grabber.status == SourceStatus.MISSING and "camera_missing" not in shots:
            shoot("camera_missing", a)
        return bool(opener.vanished and a.grabber.status == SourceStatus.OK and opener.delivered > 460
                    and a.sessions_completed >= 1)

    try:
        app.run(duration_s=90, on_tick=on_tick)
    finally:
        app.close()
    return {"shots": shots, "screens": trace, "sessions": app.sessions_completed, "opens": app.grabber.opens,
            "failures": app.grabber.failures, "vanished": opener.vanished, "delivered": opener.delivered,
            "status": app.grabber.status, "screen_size": list(display.size()),
            "window_recreations": display.recreations, "window_manager": display.window_manager}


def test_xvfb_full_cycle_with_screenshots(tmp_path: Path) -> None:
    if shutil.which("Xvfb") is None:
        pytest.skip("Xvfb is not installed (apt-get install xvfb)")
    out = Path(os.environ.get("BODYCOACH_KIOSK_SHOTS", tmp_path / "shots"))
    xvfb, disp = _start_xvfb((1280, 720))
    try:
        env = {**os.environ, "DISPLAY": disp, "QT_QPA_PLATFORM": "xcb"}
        r = subprocess.run([sys.executable, __file__, "drive", str(out)], env=env, capture_output=True,
                           text=True, timeout=240, cwd=REPO)
    finally:
        xvfb.terminate()
        xvfb.wait(timeout=10)
    assert r.returncode == 0, r.stderr[-3000:]
    res = json.loads(r.stdout.strip().splitlines()[-1])
    assert res["screens"][:4] == ["attract", "session", "summary", "attract"], res["screens"]
    assert res["sessions"] >= 1 and res["vanished"] == 1 and res["status"] == "ok"
    assert res["failures"] >= 3 and res["opens"] >= 2
    assert res["screen_size"] == [1280, 720]
    for name in ("attract", "session", "summary", "camera_missing"):
        shot = res["shots"][name]
        assert shot["canvas_wh"] == [1280, 720] and shot["screen_wh"] == [1280, 720], (name, shot)
        # the window covers the whole screen and shows exactly the canvas
        assert shot["mean_abs_diff"] is not None and shot["mean_abs_diff"] < 2.0, f"{name}: {shot}"
        assert (out / f"kiosk_{name}_screen.png").stat().st_size > 5000


# --- CLI, config errors, deploy ------------------------------------------------------------------

def test_cli_bad_config_exits_2_with_one_line_naming_the_key(tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    from bodycoach.apps.cli import main

    bad = tmp_path / "kiosk.toml"
    bad.write_text("[session]\nmax_seconds = 30\n", encoding="utf-8")
    assert main(["kiosk", "--config", str(bad)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "unknown key session.max_seconds" in err and str(bad) in err
    bad.write_text("[display]\nlang = 'sv'\n", encoding="utf-8")
    assert main(["kiosk", "--config", str(bad), "--check"]) == 2
    assert "display.lang = 'sv'" in capsys.readouterr().err


def test_cli_check_and_no_display(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    from bodycoach.apps.cli import main

    from tests.videos import noise_frames, write_clip

    monkeypatch.chdir(tmp_path)
    write_clip(tmp_path / "clip.mp4", noise_frames(5, 64, 48))  # --check now opens a file source (issue 12)
    assert main(["kiosk", "--config", str(REPO / "kiosk.example.toml"), "--source", "clip.mp4", "--lang", "en",
                 "--check"]) == 0
    out = capsys.readouterr().out
    assert "source=clip.mp4" in out and "lang=en" in out and "keep_summaries=false" in out
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    assert main(["kiosk"]) == 2
    assert "DISPLAY: not set" in capsys.readouterr().err


def test_cli_runs_the_kiosk_under_xvfb_for_a_few_seconds() -> None:
    if shutil.which("Xvfb") is None:
        pytest.skip("Xvfb is not installed (apt-get install xvfb)")
    xvfb, disp = _start_xvfb((800, 600))
    try:
        env = {**os.environ, "DISPLAY": disp, "QT_QPA_PLATFORM": "xcb"}
        code = ("import sys; from bodycoach.apps import cmd_kiosk; import bodycoach.kiosk.testing as t; "
                "import bodycoach.apps.kiosk_app as k; "
                "orig = k.KioskApp.__init__; "
                "k.KioskApp.__init__ = lambda self, cfg, **kw: "
                "orig(self, cfg, extractor=t.SyntheticFaceExtractor(), **kw); "
                "from bodycoach.apps.cli import main; "
                f"sys.exit(main(['kiosk', '--source', {str(CLIP)!r}, '--duration', '4', '--accelerated']))")
        r = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    finally:
        xvfb.terminate()
        xvfb.wait(timeout=10)
    assert r.returncode == 0, r.stderr[-2000:]


def _supervise(cmd: str, tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    e = {**os.environ, "KIOSK_RESTART_MIN_S": "0", **env}
    return subprocess.run(["bash", str(SUPERVISOR), "--", "bash", "-c", cmd], env=e, capture_output=True,
                          text=True, timeout=60, cwd=tmp_path)


def test_supervisor_restarts_crashes_but_not_config_errors(tmp_path: Path) -> None:
    count = tmp_path / "runs"
    # crashes twice (exit 1, then SIGSEGV), then stops normally
    seen = tmp_path / "restarts_seen"
    cmd = (f"echo $BODYCOACH_KIOSK_RESTARTS >> {seen}; "
           f"n=$(cat {count} 2>/dev/null || echo 0); n=$((n+1)); echo $n > {count}; "
           "[ $n -eq 1 ] && exit 1; [ $n -eq 2 ] && kill -SEGV $$; exit 0")
    r = _supervise(cmd, tmp_path)
    assert r.returncode == 0, r.stderr
    assert count.read_text().strip() == "3"
    assert seen.read_text().split() == ["0", "1", "2"]  # the kiosk learns it was restarted
    assert "restart 1" in r.stderr and "restart 2" in r.stderr and "status 139" in r.stderr
    r2 = _supervise("exit 2", tmp_path)
    assert r2.returncode == 2 and "not restarting" in r2.stderr
    r3 = _supervise("exit 1", tmp_path, KIOSK_MAX_RESTARTS="3")
    assert r3.returncode == 1 and r3.stderr.count("restart ") == 3 and "giving up" in r3.stderr


def test_supervisor_stops_child_on_sigterm(tmp_path: Path) -> None:
    e = {**os.environ, "KIOSK_RESTART_MIN_S": "0"}
    p = subprocess.Popen(["bash", str(SUPERVISOR), "--", "sleep", "30"], env=e, stderr=subprocess.PIPE, text=True)
    time.sleep(0.5)
    p.terminate()
    _, err = p.communicate(timeout=10)
    assert p.returncode == 0 and "stopped" in err


def test_systemd_unit_restarts_on_failure_but_not_on_config_error() -> None:
    cp = configparser.ConfigParser(strict=False, interpolation=None)
    cp.read(UNIT, encoding="utf-8")
    svc = cp["Service"]
    assert "bodycoach kiosk" in svc["ExecStart"]
    assert svc["Restart"] == "on-failure" and svc["RestartPreventExitStatus"] == "2"
    assert cp["Unit"]["StartLimitIntervalSec"] == "0"
    assert cp["Install"]["WantedBy"]


# --- real MediaPipe (slow) -----------------------------------------------------------------------

@pytest.mark.slow
def test_real_extractor_starts_a_session_on_the_recorded_clip() -> None:
    pytest.importorskip("mediapipe")
    from bodycoach.apps.kiosk_app import HeadlessDisplay, KioskApp
    from bodycoach.io.video import open_source
    from bodycoach.landmarks.mediapipe import MediapipeExtractor

    cfg = kiosk_config(max_s=6.0)
    ext = MediapipeExtractor(mirrored=False)  # the kiosk analyses the unmirrored camera image
    app = KioskApp(cfg, open_source=lambda: open_source(CLIP, loop=True), extractor=ext,
                   display=HeadlessDisplay((640, 360)), accelerated=True)
    try:
        trace = run_until(app, lambda a: a.view.screen == "session" and a.clock.now_ms > 3500, max_ticks=400,
                          max_s=120)
    finally:
        app.close()
    first = next(i for i, t in enumerate(trace) if t[0] == "session")
    assert trace[first][3] >= 2000  # the face faced the camera for start_after_ms first


if __name__ == "__main__" and len(sys.argv) == 3 and sys.argv[1] == "drive":
    sys.path.insert(0, str(REPO))
    print(json.dumps(drive(Path(sys.argv[2]))))
