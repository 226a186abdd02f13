"""Pure kiosk logic: config validation, presence over time, the state machine, watchdogs, layout."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from bodycoach.errors import ConfigError
from bodycoach.kiosk.config import (
    KioskConfig,
    PhaseConfig,
    PresenceConfig,
    SessionConfig,
    WatchdogConfig,
    load_kiosk_config,
)
from bodycoach.kiosk.layout import fit_rect, layout_for
from bodycoach.kiosk.machine import (
    EndReason,
    KioskMachine,
    PhaseChanged,
    Reset,
    Screen,
    SessionEnded,
    SessionStarted,
)
from bodycoach.kiosk.presence import (
    PresenceObservation,
    PresenceState,
    PresenceTracker,
    estimate_yaw_deg,
    observe,
)
from bodycoach.kiosk.texts import phase_prompt, phase_title, scenario_name, text
from bodycoach.kiosk.watchdog import Backoff, ErrorBudget, FrameWatch, KioskClock, StallReason, frame_digest
from bodycoach.types import Landmarks

REPO = Path(__file__).resolve().parent.parent


# --- config --------------------------------------------------------------------------------------

def write(tmp_path: Path, body: str) -> Path:
    p = tmp_path / "kiosk.toml"
    p.write_text(body, encoding="utf-8")
    return p


def test_defaults_and_shipped_files_load() -> None:
    cfg = load_kiosk_config()
    assert cfg.display.lang == "no"
    assert cfg.privacy.keep_summaries is False  # nothing is kept by default
    assert cfg.presence.start_after_ms == 2000
    ex = load_kiosk_config(REPO / "kiosk.example.toml")
    assert [p.name for p in ex.session.phases] == ["reception", "problem_solving", "confirmation", "farewell"]
    assert ex.session.scenario == "friendly"


def test_room_file_overrides_values_and_thresholds(tmp_path: Path) -> None:
    p = write(tmp_path, """
[display]
lang = "en"
[camera]
source = 1
[session]
max_s = 30
scenario = "uhøflig"
[[session.phases]]
name = "farvel"
seconds = 5
prompt_no = "Si hei"
[presence]
start_after_ms = 1500
""")
    cfg = load_kiosk_config(p)
    assert cfg.display.lang == "en"
    assert cfg.camera.source == "1"
    assert cfg.session.max_s == 30.0
    assert cfg.session.phases == (PhaseConfig("farewell", 5.0, prompt_no="Si hei"),)
    assert cfg.session.scenario == "rude"
    assert cfg.presence.start_after_ms == 1500
    assert cfg.presence.leave_after_ms == 4000  # untouched threshold kept


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        ("[display]\nlanguage = 'no'\n", "unknown key display.language"),
        ("[screen]\nlang = 'no'\n", "unknown section [screen]"),
        ("[display]\nlang = 'de'\n", "display.lang = 'de': expected one of no, en"),
        ("[display]\nfullscreen = 'yes'\n", "display.fullscreen = 'yes': expected true or false"),
        ("[session]\nmax_s = -3\n", "session.max_s = -3: expected seconds in 5..3600"),
        ("[session]\nscenario = 'grumpy'\n", "session.scenario = 'grumpy'"),
        ("[session]\nphases = []\n", "session.phases"),
        ("[[session.phases]]\nname = 'a'\n", "session.phases[0].seconds is missing"),
        ("[[session.phases]]\nname = 'a'\nseconds = 3\n", "session.phases[0].name = 'a': expected one of"),
        ("[[session.phases]]\nname = 'mottak'\nseconds = 0\n", "session.phases[0].seconds = 0"),
        ("[[session.phases]]\nname = 'a'\nseconds = 3\nfoo = 1\n", "unknown key session.phases[0].foo"),
        ("[[session.phases]]\nname='mottak'\nseconds=3\n[[session.phases]]\nname='reception'\nseconds=3\n",
         "appears twice"),
        ("[presence]\nstart_after_ms = 1.5\n", "presence.start_after_ms = 1.5: expected milliseconds"),
        ("[presence]\nmax_yaw_deg = true\n", "presence.max_yaw_deg = True"),
        ("[watchdog]\nretry_initial_ms = 9000\n", "watchdog.retry_max_ms = 8000: expected >="),
        ("[privacy]\nkeep_summaries = 1\n", "privacy.keep_summaries = 1"),
        ("display = 3\n", "display = 3: expected a [display] table"),
        ("[display\n", "not valid TOML"),
    ],
)
def test_bad_config_is_one_line_naming_the_key(tmp_path: Path, body: str, needle: str) -> None:
    p = write(tmp_path, body)
    with pytest.raises(ConfigError) as ei:
        load_kiosk_config(p)
    msg = str(ei.value)
    assert needle in msg
    assert "\n" not in msg
    assert str(p) in msg


def test_missing_config_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such config file"):
        load_kiosk_config(tmp_path / "nope.toml")


def test_every_shipped_threshold_is_documented() -> None:
    body = (REPO / "calibration" / "kiosk.toml").read_text(encoding="utf-8")
    for cls, section in ((PresenceConfig, "presence"), (WatchdogConfig, "watchdog")):
        for name in cls.__dataclass_fields__:
            assert f"\n{name} = " in body, f"{section}.{name} missing from calibration/kiosk.toml"
            # the line above each value is a comment (the reason)
            before = body.split(f"\n{name} = ")[0].rstrip().splitlines()[-1]
            assert before.startswith("#"), name


# --- presence ------------------------------------------------------------------------------------

def face_landmarks(ts: int, yaw_deg: float = 0.0, width: float = 0.3, cx: float = 0.5) -> Landmarks:
    face = np.full((478, 4), 0.5, dtype=np.float32)
    face[:, 3] = 1.0
    face[234, 0] = cx - width / 2
    face[454, 0] = cx + width / 2
    face[1, 0] = cx + math.sin(math.radians(yaw_deg)) * width / 2
    return Landmarks(timestamp_ms=ts, image_wh=(640, 480), face=face, num_faces=1)


@pytest.mark.parametrize("yaw", [-60.0, -20.0, 0.0, 10.0, 45.0])
def test_yaw_estimate_recovers_synthetic_yaw(yaw: float) -> None:
    assert estimate_yaw_deg(face_landmarks(0, yaw).face) == pytest.approx(yaw, abs=0.01)


def test_observe() -> None:
    cfg = PresenceConfig()
    assert observe(Landmarks.empty(0), cfg) == PresenceObservation.nobody()
    o = observe(face_landmarks(0, 5.0), cfg)
    assert o.face and o.facing
    turned = observe(face_landmarks(0, 40.0), cfg)
    assert turned.face and not turned.facing
    far = observe(face_landmarks(0, 0.0, width=0.03), cfg)
    assert not far.face and not far.facing
    # the analysis's own yaw feature wins over the rough estimate
    assert not observe(face_landmarks(0, 0.0), cfg, {"head_yaw_deg": 50.0}).facing
    assert observe(face_landmarks(0, 0.0), cfg, {"head_yaw_deg": float("nan")}).facing


FACING = PresenceObservation(face=True, facing=True, yaw_deg=0.0, face_width_norm=0.3)
TURNED = PresenceObservation(face=True, facing=False, yaw_deg=50.0, face_width_norm=0.3)
NOBODY = PresenceObservation.nobody()


def run_presence(cfg: PresenceConfig, obs_at: list[tuple[int, PresenceObservation]]) -> list[PresenceState]:
    t = PresenceTracker(cfg)
    return [t.update(ts, o) for ts, o in obs_at]


def test_engaged_after_start_after_ms_of_facing() -> None:
    cfg = PresenceConfig(start_after_ms=2000, dropout_grace_ms=400)
    states = run_presence(cfg, [(ts, FACING) for ts in range(0, 2100, 100)])
    engaged = [s.engaged for s in states]
    assert engaged.index(True) == 20  # at 2000 ms, not before
    assert states[10].progress == pytest.approx(0.5)


def test_short_dropout_forgiven_long_dropout_restarts() -> None:
    cfg = PresenceConfig(start_after_ms=2000, dropout_grace_ms=400)
    seq = [(ts, FACING) for ts in range(0, 1000, 100)]
    seq += [(1000, NOBODY), (1100, NOBODY), (1200, NOBODY)]  # 300 ms gap after 900: forgiven
    seq += [(ts, FACING) for ts in range(1300, 2100, 100)]
    assert run_presence(cfg, seq)[-1].engaged
    seq2 = [(ts, FACING) for ts in range(0, 1000, 100)]
    seq2 += [(ts, TURNED) for ts in range(1000, 1600, 100)]  # 600 ms turned away: restart
    seq2 += [(ts, FACING) for ts in range(1600, 2600, 100)]
    s = run_presence(cfg, seq2)
    assert not s[-1].engaged
    assert s[-1].facing_ms == 900


def test_gone_after_leave_after_ms() -> None:
    cfg = PresenceConfig(leave_after_ms=4000)
    t = PresenceTracker(cfg)
    assert t.update(0, NOBODY).gone  # nobody seen yet counts as gone
    assert not t.update(100, TURNED).gone  # a face, even turned away, is present
    assert not t.update(4000, NOBODY).gone
    assert t.update(4100, NOBODY).gone
    with pytest.raises(ValueError, match="must not decrease"):
        t.update(50, NOBODY)


# --- state machine -------------------------------------------------------------------------------

def pstate(engaged: bool = False, gone: bool = False, progress: float = 0.0) -> PresenceState:
    return PresenceState(engaged=engaged, gone=gone, facing_ms=0, progress=progress, absent_ms=0)


SESSION = SessionConfig(
    phases=(PhaseConfig("reception", 10), PhaseConfig("problem_solving", 20)), max_s=60, summary_s=5
)


def test_full_cycle_attract_session_summary_reset() -> None:
    m = KioskMachine(SESSION)
    ev, view = m.update(0, pstate(progress=0.4))
    assert ev == [] and view.screen is Screen.ATTRACT and view.start_progress == 0.4
    ev, view = m.update(1000, pstate(engaged=True))
    assert ev == [SessionStarted(1000), PhaseChanged(1000, 0, SESSION.phases[0])]
    assert view.screen is Screen.SESSION and view.phase_remaining_ms == 10000
    ev, view = m.update(11000, pstate(engaged=True))
    assert ev == [PhaseChanged(11000, 1, SESSION.phases[1])]
    assert view.session_remaining_ms == 20000
    ev, view = m.update(31000, pstate())
    assert ev == [SessionEnded(31000, EndReason.COMPLETED, 30000)]
    assert view.screen is Screen.SUMMARY and view.end_reason is EndReason.COMPLETED
    ev, view = m.update(35999, pstate(engaged=True))
    assert ev == [] and view.summary_remaining_ms == 1
    ev, view = m.update(36000, pstate(engaged=True))
    assert ev == [Reset(36000)] and view.screen is Screen.ATTRACT
    ev, _ = m.update(36100, pstate(engaged=True))  # still there: a new session may start
    assert isinstance(ev[0], SessionStarted) and m.sessions_started == 2


@pytest.mark.parametrize(
    ("at", "presence", "camera_ok", "reason"),
    [
        (5000, pstate(gone=True), True, EndReason.LEFT),
        (5000, pstate(gone=True), False, EndReason.CAMERA),
    ],
)
def test_session_ends_when_they_leave(at: int, presence: PresenceState, camera_ok: bool,
                                      reason: EndReason) -> None:
    m = KioskMachine(SESSION)
    m.update(0, pstate(engaged=True))
    ev, view = m.update(at, presence, camera_ok=camera_ok)
    assert ev == [SessionEnded(at, reason, at)]


def test_session_ends_at_max_time() -> None:
    m = KioskMachine(SessionConfig(phases=(PhaseConfig("a", 100),), max_s=30, summary_s=5))
    m.update(0, pstate(engaged=True))
    assert m.update(29999, pstate())[0] == []
    ev, view = m.update(30000, pstate())
    assert ev == [SessionEnded(30000, EndReason.MAX_TIME, 30000)]


def test_machine_rejects_time_going_back() -> None:
    m = KioskMachine(SESSION)
    m.update(100, pstate())
    with pytest.raises(ValueError, match="must not decrease"):
        m.update(50, pstate())


# --- watchdog ------------------------------------------------------------------------------------

def test_backoff_sequence_and_reset() -> None:
    b = Backoff.from_config(WatchdogConfig())
    assert [b.next_delay_ms() for _ in range(6)] == [500, 1000, 2000, 4000, 8000, 8000]
    b.reset()
    assert b.next_delay_ms() == 500
    with pytest.raises(ValueError):
        Backoff(0, 10, 2.0)


def test_frame_watch_no_frames_and_identical() -> None:
    w = FrameWatch(WatchdogConfig(frozen_after_ms=3000, identical_for_ms=5000))
    w.reset(0)
    a = frame_digest(np.zeros((48, 64, 3), np.uint8))
    b = frame_digest(np.ones((48, 64, 3), np.uint8))
    assert a != b
    for ts in range(0, 4000, 40):
        w.frame(ts, a if (ts // 40) % 2 else b)
    assert w.check(4000) is None
    assert w.check(3960 + 3000) is StallReason.NO_FRAMES
    w.reset(10000)
    for ts in range(10000, 15100, 40):
        w.frame(ts, a)
    assert w.check(15040) is StallReason.IDENTICAL


def test_error_budget_window() -> None:
    e = ErrorBudget(3, 1000)
    assert not e.add(0) and not e.add(500)
    assert not e.add(1200)  # 0 fell out of the window
    assert e.add(1400)
    assert len(e) == 3


def test_clock_accelerated_uses_media_time() -> None:
    c = KioskClock(accelerated=True)
    assert c.advance(2.0, 40.0) == 40
    assert c.advance(100.0, 40.0) == 140  # slower than real time: real time wins
    r = KioskClock()
    assert r.advance(2.0, 40.0) == 2


# --- layout and texts ----------------------------------------------------------------------------

@pytest.mark.parametrize("wh", [(1920, 1080), (1280, 720), (800, 480), (3840, 2160), (10, 10), (1080, 1920)])
def test_layout_fills_window(wh: tuple[int, int]) -> None:
    lay = layout_for(wh)
    assert lay.width >= min(wh[0], 320) and lay.height >= min(wh[1], 240)
    bx, by, bw, bh = lay.video
    assert by >= lay.banner[3] and by + bh <= lay.footer[1]
    assert lay.title_px > lay.body_px > 0


def test_fit_rect_keeps_aspect() -> None:
    x, y, w, h = fit_rect((640, 480), (0, 100, 1280, 600))
    assert (w, h) == (800, 600) and x == 240 and y == 100


def test_texts_norwegian_default_and_english() -> None:
    assert "Kameraet er ikke tilgjengelig" in text("camera_missing")
    assert text("camera_missing", "en").startswith("The camera")
    p = PhaseConfig("reception", 5)
    assert phase_title(p) == "Mottak" and "øynene" in phase_prompt(p)
    assert phase_title(p, "en") == "Reception"
    assert phase_prompt(PhaseConfig("farewell", 5, prompt_en="Hi"), "en") == "Hi"
    assert scenario_name("rude") == "Uhøflig"


def test_phase_and_scenario_ids_match_feedback_scenarios() -> None:
    scenarios = pytest.importorskip("bodycoach.feedback.scenarios")
    from bodycoach.kiosk.config import PHASE_ALIASES, PHASES, SCENARIO_ALIASES, SCENARIOS

    assert set(PHASES) == {p.key for p in scenarios.phases("face_to_face")}
    for alias, key in PHASE_ALIASES.items():
        if alias not in ("losning", "løsning"):  # kiosk-only spellings
            assert scenarios.get_phase(alias).key == key
    assert set(SCENARIOS) == {c.key for c in scenarios.CUSTOMER_TYPES}
    for alias, key in SCENARIO_ALIASES.items():
        if "ø" in alias or alias in ("objektiv", "vennlig", "sjenert", "ubesluttsom"):
            assert scenarios.get_customer_type(alias).key == key


def test_kiosk_logic_imports_no_cv2() -> None:
    import subprocess
    import sys

    code = ("import sys, bodycoach.kiosk, bodycoach.kiosk.layout, bodycoach.kiosk.texts, "
            "bodycoach.kiosk.watchdog; "
            "bad = [m for m in ('cv2', 'mediapipe', 'streamlit') if m in sys.modules]; "
            "print(bad); sys.exit(1 if bad else 0)")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


def test_default_config_object_matches_shipped_thresholds() -> None:
    assert load_kiosk_config().presence == PresenceConfig()
    assert load_kiosk_config().watchdog == WatchdogConfig()
    assert KioskConfig().session.phases
