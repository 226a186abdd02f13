"""Review page helpers without a Streamlit runtime, and the annotated-MP4 export (progress, cancel)."""

from __future__ import annotations

import threading
from datetime import date
from pathlib import Path

import cv2
import numpy as np
import pytest

from bodycoach.apps.annotate_video import Cancelled, annotate_session_video
from bodycoach.apps.ui.review import accept_upload, filter_infos, moment_image, session_rows
from bodycoach.errors import StoreError, VideoReadError
from bodycoach.review.synthetic import synthetic_session
from bodycoach.store import SessionStore

CLIP = Path(__file__).resolve().parents[1] / "sample_videos" / "liveportrait_s20.mp4"


@pytest.fixture()
def store(tmp_path: Path) -> SessionStore:
    s = SessionStore(tmp_path / "home")
    yield s
    s.close()


def test_moment_without_video_draws_landmarks_on_blank_canvas(store: SessionStore) -> None:
    sid = synthetic_session(store, n=50)
    data = store.load(sid)
    img, kind = moment_image(store, data, 2000.0)
    assert kind == "blank" and img is not None and img.shape == (405, 720, 3)
    # something was drawn on the flat grey canvas: landmark lines and the state badges
    assert (np.abs(img.astype(int) - 40).sum(axis=2) > 60).mean() > 0.01


def test_moment_with_nothing_kept(store: SessionStore) -> None:
    sid = synthetic_session(store, n=20, landmarks=False)
    img, kind = moment_image(store, store.load(sid), 1000.0)
    assert img is None and kind == "none"


def test_moment_from_kept_video(store: SessionStore) -> None:
    if not CLIP.exists():
        pytest.skip(f"{CLIP} not found")
    sid = synthetic_session(store, n=40, video_path=CLIP)
    img, kind = moment_image(store, store.load(sid), 3000.0)
    assert kind == "video" and img is not None
    assert img.shape[0] <= 540 and img.shape[1] <= 720
    cap = cv2.VideoCapture(str(CLIP))
    cap.set(cv2.CAP_PROP_POS_MSEC, 3000.0)
    ok, raw = cap.read()
    cap.release()
    assert ok
    raw = cv2.resize(cv2.cvtColor(raw, cv2.COLOR_BGR2RGB), (img.shape[1], img.shape[0]))
    # mostly the video frame (the overlay covers only a part)
    assert np.median(np.abs(img.astype(int) - raw.astype(int))) < 12


def test_filters_and_rows(store: SessionStore) -> None:
    synthetic_session(store, n=10, trainee="Kari", started_at="2026-01-01T09:00:00+00:00")
    synthetic_session(store, n=10, trainee="Ola", scenario="shy", started_at="2026-02-01T09:00:00+00:00")
    infos = store.list_sessions()
    assert [i.trainee for i in filter_infos(infos, "Kari", None, None, None)] == ["Kari"]
    assert [i.trainee for i in filter_infos(infos, None, "shy", None, None)] == ["Ola"]
    assert [i.trainee for i in filter_infos(infos, None, None, date(2026, 1, 15), None)] == ["Ola"]
    assert [i.trainee for i in filter_infos(infos, None, None, None, date(2026, 1, 1))] == ["Kari"]
    rows = session_rows(infos)
    assert rows[0]["duration"] == "0:02" and rows[0]["started"] == "2026-02-01 09:00"


def test_annotated_mp4_progress_and_cancel(store: SessionStore, tmp_path: Path) -> None:
    if not CLIP.exists():
        pytest.skip(f"{CLIP} not found")
    sid = synthetic_session(store, n=50, video_path=CLIP, image_wh=(480, 908))  # the clip's shape and length
    cancel = threading.Event()
    seen: list[tuple[int, int]] = []

    def progress(done: int, total: int) -> None:
        seen.append((done, total))
        if done == 15:
            cancel.set()

    out = tmp_path / "out.mp4"
    with pytest.raises(Cancelled):
        annotate_session_video(store, sid, out, progress=progress, cancel=cancel)
    assert not out.exists() and not list(tmp_path.glob(".*part*"))
    assert seen[-1][0] == 15 and seen[-1][1] > 15

    seen.clear()
    annotate_session_video(store, sid, out, progress=lambda d, t: seen.append((d, t)), use_ffmpeg=False)
    cap = cv2.VideoCapture(str(out))
    n = int(cap.get(cv2.CAP_PROP_FRAME_COUNT))
    ok, first = cap.read()
    cap.release()
    assert ok and n == seen[-1][0] > 100


def test_accept_upload_keeps_good_videos_and_drops_corrupt_ones(store: SessionStore) -> None:
    if not CLIP.exists():
        pytest.skip(f"{CLIP} not found")
    with open(CLIP, "rb") as fh:
        good = accept_upload(store, "../../rehearsal.MP4", fh, CLIP.stat().st_size)
    assert good.parent == store.videos_dir and good.suffix == ".mp4"
    assert good.stat().st_size == CLIP.stat().st_size
    with pytest.raises(VideoReadError):
        accept_upload(store, "broken.mp4", b"\x00\x00\x00\x18ftypmp42" + b"garbage" * 1000)
    with pytest.raises(StoreError, match="larger than the limit"):
        accept_upload(store, "big.mp4", b"x", size=3 * 1024**3)
    assert list(store.videos_dir.iterdir()) == [good]  # nothing of the bad uploads is left


# -- the page itself, run by Streamlit's AppTest (no browser) -------------------------------------------
_SCRIPT = "from bodycoach.apps.ui.review import render_review_page\nrender_review_page()\n"


def _run_page(home: Path, monkeypatch: pytest.MonkeyPatch):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("BODYCOACH_HOME", str(home))
    at = AppTest.from_string(_SCRIPT, default_timeout=60)
    at.run()
    return at


def test_page_with_no_sessions(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = _run_page(tmp_path / "empty", monkeypatch)
    assert not at.exception
    assert any("Ingen lagrede økter" in i.value for i in at.info)


def test_page_with_an_empty_and_a_full_session(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "home"
    with SessionStore(home) as s:
        synthetic_session(s, n=200, trainee="Kari", started_at="2026-01-01T09:00:00+00:00")
        w = s.create_session(trainee="Tom", started_at="2026-01-02T09:00:00+00:00")  # no frames at all
        w.close()
    at = _run_page(home, monkeypatch)  # newest first: the empty session opens
    assert not at.exception, at.exception
    assert any("Tom" in h.value for h in at.subheader)
    at.session_state["bc_rv_sid"] = 1
    at.run()
    assert not at.exception, at.exception
    assert any("Kari" in h.value for h in at.subheader)
    texts = " ".join(m.value for m in at.markdown)
    assert "Tidslinje" in texts and "Sjekkliste" in texts
    # "go to moment" (below the slider) moves the slider on the next run
    goto = next(sb for sb in at.selectbox if sb.key == "bc_rv_goto_1")
    goto.select(len(goto.options) - 2).run()  # the last moment (options: None, 0..n-1; moments in time order)
    assert not at.exception, at.exception
    slider = next(sl for sl in at.slider if sl.key == "bc_rv_t_1")
    assert slider.value > 0
    assert any(m.value.startswith("**Tilstand ved") and "0:00.0" not in m.value for m in at.markdown)


def test_page_refuses_a_newer_database_with_a_message(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import sqlite3

    home = tmp_path / "newer"
    SessionStore(home).close()
    conn = sqlite3.connect(home / "sessions.db")
    conn.execute("PRAGMA user_version=99")
    conn.commit()
    conn.close()
    at = _run_page(home, monkeypatch)
    assert not at.exception
    assert any("newer than this bodycoach supports" in e.value for e in at.error)


def test_page_deletes_a_session_with_its_video(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if not CLIP.exists():
        pytest.skip(f"{CLIP} not found")
    home = tmp_path / "home"
    with SessionStore(home) as s:
        kept = s.import_video(CLIP)
        sid = synthetic_session(s, n=30, video_path=kept)
    at = _run_page(home, monkeypatch)
    assert not at.exception, at.exception
    delete = next(b for b in at.button if b.key == f"bc_rv_del_{sid}")
    assert delete.disabled  # needs the confirmation tick first
    next(c for c in at.checkbox if c.key == f"bc_rv_delsure_{sid}").check().run()
    next(b for b in at.button if b.key == f"bc_rv_del_{sid}").click().run()
    assert not at.exception, at.exception
    with SessionStore(home) as s:
        assert s.list_sessions() == []
    assert not kept.exists()


def test_page_in_english(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from streamlit.testing.v1 import AppTest

    home = tmp_path / "home"
    with SessionStore(home) as s:
        synthetic_session(s, n=100)
    monkeypatch.setenv("BODYCOACH_HOME", str(home))
    at = AppTest.from_string(_SCRIPT, default_timeout=60)
    at.session_state["bc_lang"] = "en"
    at.run()
    assert not at.exception, at.exception
    texts = " ".join(m.value for m in at.markdown)
    assert "Timeline" in texts and "Checklist" in texts and "Tidslinje" not in texts
    assert any(m.value.startswith("**State at") and "Reception" in m.value for m in at.markdown)
