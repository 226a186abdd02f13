"""Issue 12: hostile strings and broken files get a clear answer (one line, exit 2, nothing lost).

Each test reproduces one finding of the probe; the item number of the issue is in the test's name.
"""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from pathlib import Path

import pytest

from bodycoach.apps.cli import main
from bodycoach.errors import StoreError
from bodycoach.review.synthetic import synthetic_session
from bodycoach.safetext import check_free_text, csv_cell, markdown_escape, terminal_safe
from bodycoach.store import SessionStore

BEACON = "![x](http://host/beacon.png)"
HOSTILE = [
    BEACON,
    "[click](http://host/)",
    ":red[alarm] :material/warning: :smile:",
    "<img src=http://host/x.png>",
    "www.host.example/beacon.png",
    "# Heading\n![y](http://host/y.png)",
    "$x^2$ **bold** `code` ~~strike~~",
    "| a | b |\n|---|---|\n| ![z](http://h/z.png) | 1 |",
]


def _raw_session(home: Path, trainee: str, scenario: str | None = None, note: str | None = None) -> int:
    """A session (and a correction) holding ``trainee``/``note`` as an older bodycoach could have stored them.

    Written with SQL because today's store refuses such text (item 4); old databases still hold it.
    """
    with SessionStore(home) as s:
        sid = synthetic_session(s, n=30, trainee="placeholder")
        s.add_correction(sid, "arms", 1000, 2000, wrong_label="crossed_chest", note="placeholder")
    con = sqlite3.connect(home / "sessions.db")
    con.execute("UPDATE sessions SET trainee=?, scenario=? WHERE id=?", (trainee, scenario, sid))
    if note is not None:
        con.execute("UPDATE corrections SET note=? WHERE session_id=?", (note, sid))
    con.commit()
    con.close()
    return sid


# -- 1. Markdown injection on the review page ----------------------------------------------------------
@pytest.mark.parametrize("text", HOSTILE)
def test_item01_markdown_escape_renders_literally(text: str) -> None:
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark").enable(["table", "strikethrough"])
    html = md.render(markdown_escape(text))
    assert "host" not in text or "host" in html  # shown, as text
    assert "<img" not in html and "<a " not in html and "<h1" not in html and "<table" not in html
    assert "<strong" not in html and "<code" not in html and "<s>" not in html and "<del" not in html


def _markdown_sources(at) -> list[str]:
    """Every string of the page that Streamlit renders as Markdown (what the browser would parse)."""
    out = []
    for kind in ("markdown", "subheader", "header", "title", "caption", "error", "info", "success", "warning"):
        for el in getattr(at, kind):
            if kind == "markdown" and getattr(el.proto, "allow_html", False):
                continue  # the page's own marker span, no user text in it
            out.append(el.value)
    for m in at.metric:  # label and value are both Markdown in Streamlit 1.60
        out += [m.label, str(m.value)]
    return out


@pytest.mark.parametrize("text", [BEACON, "[click](http://host/) :red[x]"])
def test_item01_review_page_renders_user_strings_as_plain_text(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                              text: str) -> None:
    from markdown_it import MarkdownIt
    from streamlit.testing.v1 import AppTest

    home = tmp_path / "home"
    _raw_session(home, trainee=text, scenario=text, note=text)
    monkeypatch.setenv("BODYCOACH_HOME", str(home))
    at = AppTest.from_string("from bodycoach.apps.ui.review import render_review_page\nrender_review_page()\n",
                             default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    sources = _markdown_sources(at)
    md = MarkdownIt("commonmark").enable(["table", "strikethrough"])
    shown = [s for s in sources if "host" in s]
    assert len(shown) >= 4  # subheader, scenario metric, progress heading, the correction's note
    for s in shown:
        html = md.render(s)
        assert "<img" not in html and "<a " not in html, s
        assert "host" in html  # shown, as text


# -- 2. CSV formula injection ------------------------------------------------------------------------
FORMULAS = ['=HYPERLINK("http://x","x")', "@SUM(1+1)*cmd|' /C calc'!A0", "+1+1", "-2+3", "\t=1", "\r=1"]


@pytest.mark.parametrize("value", FORMULAS)
def test_item02_csv_cell_neutralises_formulas(value: str) -> None:
    assert csv_cell(value) == "'" + value
    assert csv_cell(-1.5) == -1.5 and csv_cell("Kari") == "Kari" and csv_cell("") == ""


def test_item02_export_and_corrections_neutralise_formula_notes(tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    home = tmp_path / "home"
    with SessionStore(home) as s:
        sid = synthetic_session(s, n=20)
    for i, note in enumerate(FORMULAS[:4]):
        assert main(["correct", str(sid), "--area", "arms", "--at", str(i), "--not", "crossed_chest",
                     f"--note={note}", "--home", str(home)]) == 0
    capsys.readouterr()
    assert main(["export", str(sid), "--out", str(tmp_path / "exp"), "--format", "csv", "--home", str(home)]) == 0
    assert main(["corrections", "-o", str(tmp_path / "c.csv"), "--home", str(home)]) == 0
    capsys.readouterr()
    assert main(["corrections", "--home", str(home)]) == 0
    stdout = capsys.readouterr().out
    for text in ((tmp_path / "exp" / f"session-{sid}-corrections.csv").read_text(encoding="utf-8"),
                 (tmp_path / "c.csv").read_text(encoding="utf-8"), stdout):
        rows = list(csv.DictReader(io.StringIO(text)))
        notes = [r["note"] for r in rows if r["note"]]
        assert notes == ["'" + n for n in FORMULAS[:4]]
        for r in rows:
            assert not any(str(v).startswith(("=", "+", "-", "@", "\t", "\r")) for v in r.values()), r


# -- 3. Terminal control characters ----------------------------------------------------------------------
def test_item03_terminal_safe() -> None:
    assert terminal_safe("Kåre Ødegård") == "Kåre Ødegård"
    assert terminal_safe("a\nb") == "a\\x0ab"
    assert terminal_safe("\x1b[31mred") == "\\x1b[31mred"
    assert terminal_safe("abc\u202edef") == "abc\\u202edef"
    assert "\n" not in terminal_safe("x\r\n\x85y") and "\x85" not in terminal_safe("x\x85")


def test_item03_sessions_table_and_json_escape_control_characters(tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    home = tmp_path / "home"
    _raw_session(home, trainee="Eve\n   99  Fake row\x1b[2J\x1b[31m\u202eevil", scenario="rude\x1b]0;title\x07")
    with SessionStore(home) as s:
        synthetic_session(s, n=10, trainee="Kari")
    assert main(["sessions", "--home", str(home)]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\u202e" not in out and "\x07" not in out
    assert len(out.strip().splitlines()) == 3  # header + two sessions, no fake row
    assert "Eve\\x0a" in out
    assert main(["sessions", "--json", "--home", str(home)]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\u202e" not in out
    rows = json.loads(out)
    assert rows[1]["trainee"].startswith("Eve\n") and "\u202e" in rows[1]["trainee"]  # the data is intact


def test_item03_error_messages_escape_control_characters(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "clip\x1b[31m\nfake.mp4"
    assert main(["analyze", str(bad), "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert "\x1b" not in err and err.count("\n") == 1 and err.startswith("bodycoach: error: ")


# -- 4. Limits on free text -----------------------------------------------------------------------------
@pytest.mark.parametrize(("value", "needle"), [
    ("K" * 101, "limit of 100"),
    ("K" * 10_000, "limit of 100"),
    ("Kari\x00", "control character"),
    ("Kari\nOla", "control character"),
    ("Kari\x1b[31m", "control character"),
    ("abc\u202etxt.exe", "bidirectional override"),
    ("   ", "empty"),
])
def test_item04_trainee_limits(tmp_path: Path, value: str, needle: str) -> None:
    with SessionStore(tmp_path / "home") as s:
        with pytest.raises(StoreError, match=needle) as ei:
            s.create_session(trainee=value)
        assert len(str(ei.value)) < 250 and "\n" not in str(ei.value)
        assert s.list_sessions() == []


def test_item04_trainee_is_normalised() -> None:
    decomposed = "Ka\u030are"  # "Kåre" with a combining ring
    assert check_free_text("trainee", f"  {decomposed} ", 100) == "Kåre"


def test_item04_note_limits_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    home = tmp_path / "home"
    with SessionStore(home) as s:
        sid = synthetic_session(s, n=10)
    base = ["correct", str(sid), "--area", "arms", "--at", "1", "--not", "crossed_chest", "--home", str(home)]
    assert main([*base, "--note", "n" * 2001]) == 2
    err = capsys.readouterr().err
    assert "limit of 2000" in err and len(err) < 300
    assert main([*base, "--note", "line1\nline2"]) == 2
    assert "control character" in capsys.readouterr().err
    assert main([*base, "--note", "n" * 2000]) == 0
    with SessionStore(home) as s:
        assert [len(c.note or "") for c in s.corrections(sid)] == [2000]


# -- 5. Review page access ----------------------------------------------------------------------------
@pytest.mark.parametrize(("address", "loop"), [("localhost", True), ("127.0.0.1", True), ("127.8.0.1", True),
                                               ("::1", True), ("[::1]", True), ("0.0.0.0", False), ("", False),
                                               (None, False), ("192.168.1.20", False), ("::", False),
                                               ("example.org", False)])
def test_item05_loopback(address: str | None, loop: bool) -> None:
    from bodycoach.review.access import is_loopback

    assert is_loopback(address) is loop


def test_item05_live_refuses_lan_address_without_passcode(monkeypatch: pytest.MonkeyPatch,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    import subprocess

    calls: list[list[str]] = []
    monkeypatch.setattr(subprocess, "call", lambda cmd, **kw: calls.append(cmd) or 0)
    monkeypatch.delenv("BODYCOACH_REVIEW_PASSCODE", raising=False)
    assert main(["live", "--address", "0.0.0.0"]) == 2
    err = capsys.readouterr().err
    assert "BODYCOACH_REVIEW_PASSCODE" in err and err.count("\n") == 1 and not calls
    monkeypatch.setenv("BODYCOACH_REVIEW_PASSCODE", "short")
    assert main(["live", "--address", "0.0.0.0"]) == 2 and not calls
    assert "at least 8" in capsys.readouterr().err
    monkeypatch.setenv("BODYCOACH_REVIEW_PASSCODE", "room-42-secret")
    assert main(["live", "--address", "0.0.0.0"]) == 0 and len(calls) == 1
    monkeypatch.delenv("BODYCOACH_REVIEW_PASSCODE")
    assert main(["live"]) == 0 and len(calls) == 2  # localhost: no passcode needed


@pytest.fixture()
def lan_address():
    from streamlit import config

    before = config.get_option("server.address")
    config.set_option("server.address", "0.0.0.0")
    yield
    config.set_option("server.address", before)


def test_item05_review_page_needs_the_passcode_off_loopback(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                            lan_address: None) -> None:
    from streamlit.testing.v1 import AppTest

    home = tmp_path / "home"
    with SessionStore(home) as s:
        synthetic_session(s, n=20, trainee="Kari")
    monkeypatch.setenv("BODYCOACH_HOME", str(home))
    script = "from bodycoach.apps.ui.review import render_review_page\nrender_review_page()\n"
    monkeypatch.delenv("BODYCOACH_REVIEW_PASSCODE", raising=False)
    at = AppTest.from_string(script, default_timeout=60).run()
    assert not at.exception and any("BODYCOACH_REVIEW_PASSCODE" in e.value.replace("\\", "") for e in at.error)
    assert not at.subheader and not at.dataframe and not at.button

    monkeypatch.setenv("BODYCOACH_REVIEW_PASSCODE", "room-42-secret")
    at = AppTest.from_string(script, default_timeout=60).run()
    assert not at.exception and not at.subheader and not at.dataframe
    at.text_input(key="bc_rv_passcode_input").input("wrong-guess").run()
    at.button[0].click().run()
    assert any(e.value in ("Feil passord.", "Wrong passcode.") for e in at.error) and not at.subheader
    at.text_input(key="bc_rv_passcode_input").input("room-42-secret").run()
    at.button[0].click().run()
    assert not at.exception, at.exception
    assert any("Kari" in h.value for h in at.subheader)


def test_item05_kiosk_never_serves_the_review_page() -> None:
    import subprocess
    import sys

    code = ("import sys, bodycoach.apps.cmd_kiosk, bodycoach.apps.kiosk_app\n"
            "bad = [m for m in sys.modules if m.startswith(('streamlit', 'bodycoach.apps.ui'))]\n"
            "assert not bad, bad\n")
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)


# -- 7. A corrupt row in a valid database ----------------------------------------------------------------
def _three_sessions(home: Path) -> list[int]:
    with SessionStore(home) as s:
        return [synthetic_session(s, n=20, trainee=name) for name in ("Kari", "Ola", "Per")]


def _sql(home: Path, stmt: str, *args: object) -> None:
    con = sqlite3.connect(home / "sessions.db")
    con.execute(stmt, args)
    con.commit()
    con.close()


@pytest.mark.parametrize(("damage", "needle"), [
    ("UPDATE frames SET labels=X'0102030405' WHERE session_id=2 AND ts_ms=400", "frame at 400 ms"),
    ("UPDATE frames SET states=X'FFFF' || substr(states, 3) WHERE session_id=2 AND ts_ms=200", "vocabulary code"),
    ("UPDATE frames SET scores=X'00' WHERE session_id=2 AND ts_ms=0", "frame at 0 ms"),
    ("UPDATE sessions SET behaviours='[\"arms\", ' WHERE id=2", "behaviours"),
    ("UPDATE sessions SET calibration='{bad json' WHERE id=2", "calibration"),
])
def test_item07_corrupt_row_names_the_session_and_lists_the_rest(tmp_path: Path, damage: str, needle: str,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    home = tmp_path / "home"
    _three_sessions(home)
    _sql(home, damage)
    assert main(["sessions", "--home", str(home)]) == 0
    captured = capsys.readouterr()
    assert all(name in captured.out for name in ("Kari", "Ola", "Per"))
    if "sessions SET" in damage:  # a damaged session row is named on stderr
        assert captured.err.startswith("bodycoach: warning: session 2:") and needle in captured.err
    assert main(["sessions", "--json", "--home", str(home)]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["trainee"] for r in rows] == ["Per", "Ola", "Kari"]
    if "calibration" in damage:  # metadata only: the frames are intact and still export
        assert main(["export", "2", "--out", str(tmp_path / "exp"), "--home", str(home)]) == 0
        assert needle in rows[1]["problem"]
        return
    assert main(["export", "2", "--out", str(tmp_path / "exp"), "--home", str(home)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("bodycoach: error: session 2") and needle in err and err.count("\n") == 1
    assert main(["export", "1", "--out", str(tmp_path / "exp"), "--home", str(home)]) == 0  # the rest is fine
    if "sessions SET" in damage:
        with SessionStore(home) as s:
            assert s.list_sessions()[1].problem and needle in s.list_sessions()[1].problem


def test_item07_bad_landmark_data(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    home = tmp_path / "home"
    _three_sessions(home)
    _sql(home, "UPDATE landmarks SET data=X'78DA0102' WHERE session_id=2 AND ts_ms=1000")
    with SessionStore(home) as s:
        with pytest.raises(StoreError, match=r"session 2: landmarks at 1000 ms"):
            s.landmarks_at(2, 1000)
        assert s.landmarks_at(2, 2000) is not None and s.landmarks_at(1, 1000) is not None
        with pytest.raises(StoreError, match=r"session 2: landmarks at 1000 ms"):
            list(s.iter_landmarks(2))


# -- 6. Non-UTF-8 arguments -----------------------------------------------------------------------------
def test_item06_latin1_trainee_is_one_line(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    home = tmp_path / "home"
    with SessionStore(home) as s:
        synthetic_session(s, n=5)
    latin1 = "Kåre".encode("latin-1")
    for argv in ([b"sessions", b"--trainee", latin1], [b"sessions", b"--scenario", latin1],
                 [b"correct", b"1", b"--area", b"arms", b"--at", b"1", b"--not", b"crossed_chest", b"--note", latin1]):
        p = subprocess.run([sys.executable.encode(), b"-m", b"bodycoach", *argv, b"--home", os.fsencode(home)],
                           capture_output=True, timeout=120, env={**os.environ, "LC_ALL": "C.UTF-8"})
        err = p.stderr.decode("utf-8", "replace")
        assert p.returncode == 2, err
        assert "not valid UTF-8" in err and "Traceback" not in err and err.count("\n") == 1


# -- 8. --out errors -----------------------------------------------------------------------------------
def test_item08_out_under_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from tests.videos import noise_frames, write_clip

    clip = tmp_path / "clip.mp4"
    write_clip(clip, noise_frames(5, 64, 48))
    blocker = tmp_path / "afile"
    blocker.write_text("x")
    assert main(["analyze", str(clip), "--out", str(blocker / "sub" / "out"), "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert "is a file, not a folder" in err and str(blocker) in err and err.count("\n") == 1
    with SessionStore(tmp_path / "home") as s:
        synthetic_session(s, n=5)
    assert main(["export", "1", "--out", str(blocker / "x"), "--home", str(tmp_path / "home")]) == 2
    assert capsys.readouterr().err.count("\n") == 1


def test_item08_full_disk_while_writing_results(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    import errno

    import bodycoach.offline as offline
    from tests.videos import noise_frames, write_clip

    clip = tmp_path / "clip.mp4"
    write_clip(clip, noise_frames(5, 64, 48))

    def full(*a: object, **k: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(offline, "_write_outputs", full)
    monkeypatch.setattr("bodycoach.landmarks.mediapipe.MediapipeExtractor", _EmptyExtractor)
    out = tmp_path / "out"
    assert main(["analyze", str(clip), "--out", str(out), "--no-progress", "--no-profile"]) == 2
    err = capsys.readouterr().err
    assert "No space left on device" in err and str(out) in err and err.count("\n") == 1
    assert not list(out.glob(".bodycoach-partial-*"))


class _EmptyExtractor:
    """Stands in for MediaPipe: every frame has nobody in it (decoding and storing are what is tested)."""

    def __init__(self, *a: object, **k: object) -> None:
        pass

    def extract(self, frame: object, ts: int):
        from bodycoach.types import Landmarks

        return Landmarks.empty(ts)

    def close(self) -> None:
        pass


# -- 10. Truncated files --------------------------------------------------------------------------------
def test_item10_truncated_file_is_stored_incomplete_with_the_analysed_duration(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from tests.videos import ffmpeg, noise_frames, write_clip

    full = tmp_path / "full.mp4"
    write_clip(full, noise_frames(50, 64, 48), fps=10.0)
    fast = tmp_path / "fast.mp4"
    if not ffmpeg("-y", "-loglevel", "error", "-i", str(full), "-c", "copy", "-movflags", "+faststart", str(fast)):
        pytest.skip("ffmpeg not available")
    cut = tmp_path / "cut.mp4"
    data = fast.read_bytes()
    cut.write_bytes(data[: int(len(data) * 0.3)])  # index intact, most frames gone
    monkeypatch.setattr("bodycoach.landmarks.mediapipe.MediapipeExtractor", _EmptyExtractor)
    home = tmp_path / "home"
    assert main(["analyze", str(cut), "--out", str(tmp_path / "o"), "--no-progress", "--no-profile",
                 "--every-ms", "0", "--save", "--trainee", "Kari", "--home", str(home)]) == 0
    err = capsys.readouterr().err
    assert "saved as incomplete" in err
    with SessionStore(home) as s:
        info = s.list_sessions()[0]
    assert info.status == "incomplete" and "truncated" in (info.status_reason or "")
    assert info.duration_s < 4.0 and info.duration_s == pytest.approx(info.frame_count / 10.0, abs=0.15)


# -- 15. Stale sessions and partial folders after kill -9; the reason after Ctrl-C ------------------------
def test_item15_killed_recording_is_marked_interrupted_on_the_next_start(tmp_path: Path) -> None:
    import subprocess
    import sys

    home = tmp_path / "home"
    code = f"""
import os, signal
from bodycoach.store import SessionStore
from bodycoach.review.synthetic import make_result, label_schedule
s = SessionStore({str(home)!r})
w = s.create_session(trainee="Kari")
for i in range(30):
    w.add_frame(make_result(i * 200, label_schedule(i, 30)))
w.flush()
os.kill(os.getpid(), signal.SIGKILL)
"""
    p = subprocess.run([sys.executable, "-c", code], timeout=120)
    assert p.returncode == -9
    with SessionStore(home) as s:
        live = s.create_session(trainee="Ola")  # recording right now, in this process: not stale
        with SessionStore(home) as other:  # a second program starting meanwhile
            infos = {i.trainee: i for i in other.list_sessions()}
        assert infos["Kari"].status == "interrupted" and infos["Kari"].frame_count == 30
        assert "stopped while recording" in (infos["Kari"].status_reason or "")
        assert infos["Ola"].status == "recording"
        assert len(s.load(infos["Kari"].id)) == 30  # frames kept
        live.close()
    assert not list((home / ".recording").glob("*.lock"))


def test_item15_stale_partial_folders_are_cleaned(tmp_path: Path) -> None:
    import fcntl
    import os
    import time

    from bodycoach.offline import clean_stale_partials

    out = tmp_path / "out"
    out.mkdir()
    dead = out / ".bodycoach-partial-dead"
    dead.mkdir()
    (dead / ".lock").touch()  # its writer was killed: nobody holds the lock
    old = out / ".bodycoach-partial-old"  # an older bodycoach's, long gone
    old.mkdir()
    os.utime(old, (time.time() - 3600, time.time() - 3600))
    busy = out / ".bodycoach-partial-busy"
    busy.mkdir()
    fd = os.open(busy / ".lock", os.O_RDWR | os.O_CREAT)
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        removed = clean_stale_partials(out)
    finally:
        os.close(fd)
    assert sorted(p.name for p in removed) == [dead.name, old.name]
    assert busy.exists() and not dead.exists() and not old.exists()


def test_item15_ctrl_c_records_the_reason(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import bodycoach.offline as offline
    from tests.videos import noise_frames, write_clip

    clip = tmp_path / "clip.mp4"
    write_clip(clip, noise_frames(20, 64, 48))
    monkeypatch.setattr("bodycoach.landmarks.mediapipe.MediapipeExtractor", _EmptyExtractor)
    real = offline.analyze_video

    def interrupted(*a, **k):
        k["should_stop"] = lambda: True
        return real(*a, **k)

    monkeypatch.setattr(offline, "analyze_video", interrupted)
    home = tmp_path / "home"
    assert main(["analyze", str(clip), "--out", str(tmp_path / "o"), "--no-progress", "--no-profile", "--save",
                 "--trainee", "Kari", "--home", str(home)]) == 130
    with SessionStore(home) as s:
        info = s.list_sessions()[0]
    assert info.status == "incomplete" and info.status_reason == "interrupted by the user"
    assert info.frame_count >= 1
    with SessionStore(home) as s:  # the context manager path too
        with pytest.raises(KeyboardInterrupt):
            with s.create_session(trainee="Ola") as w:
                raise KeyboardInterrupt
        assert s.get(w.id).status_reason == "interrupted by the user"


# -- 16. BrokenPipe ----------------------------------------------------------------------------------------
def test_item16_sessions_into_head_has_no_traceback(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    home = tmp_path / "home"
    with SessionStore(home) as s:
        s.create_session(trainee="Kari").close()
    con = sqlite3.connect(home / "sessions.db")
    con.execute("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i < 3000) "
                "INSERT INTO sessions(trainee, started_at, updated_at, behaviours, status) "
                "SELECT 'Kari' || i, '2026-01-01T09:00:00+00:00', '2026-01-01T09:00:00+00:00', '[]', 'complete' "
                "FROM n")
    con.commit()
    con.close()
    cmd = f"{sys.executable} -m bodycoach sessions --home {home} | head -1"
    p = subprocess.run(["bash", "-c", cmd], capture_output=True, text=True, timeout=120, env=dict(os.environ))
    assert p.stdout.count("\n") == 1
    assert "Traceback" not in p.stderr and "BrokenPipe" not in p.stderr, p.stderr


# -- 18/19. Packaging: an installed wheel finds the demo clip; every data folder is declared ------------------
ROOT = Path(__file__).resolve().parents[1]


def test_item19_every_folder_is_declared() -> None:
    import tomllib

    cfg = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    declared = set(cfg["packages"])
    mapped = {v: k for k, v in cfg.get("package-dir", {}).items()}
    missing = []
    for top in ("bodycoach", *mapped):
        for d in [ROOT / top, *(ROOT / top).rglob("*")]:
            if not d.is_dir() or d.name == "__pycache__" or not any(f.is_file() for f in d.iterdir()):
                continue
            rel = d.relative_to(ROOT / top).parts
            name = ".".join((mapped.get(top, top), *rel))
            if name not in declared:
                missing.append(name)
    assert not missing, f"add to [tool.setuptools] packages: {missing}"


@pytest.mark.slow
def test_item18_installed_wheel_runs_bench_and_analyze_on_the_demo_clip(tmp_path: Path) -> None:
    """Build the wheel, install it (not editable) into a fresh venv, run it from outside the checkout.

    The dependencies are not downloaded again: the fresh venv sees this venv's site-packages through a .pth
    file (whose own .pth files, such as the editable install's finder, are not processed), and the wheel is
    installed with --no-deps. What is tested is bodycoach's own packaging.
    """
    import os
    import subprocess
    import sys
    import sysconfig

    dist = tmp_path / "dist"
    b = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(ROOT)],
                       capture_output=True, text=True, timeout=600)
    assert b.returncode == 0, b.stderr[-2000:]
    assert "absent from the" not in b.stdout + b.stderr  # item 19: no setuptools banners
    wheel = next(dist.glob("bodycoach-*.whl"))
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    vpy = venv / "bin" / "python"
    site = subprocess.run([str(vpy), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    Path(site, "zz_deps_from_dev_venv.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    i = subprocess.run([sys.executable, "-m", "pip", "--python", str(vpy), "install", "-q", "--no-deps",
                        "--no-index", str(wheel)], capture_output=True, text=True, timeout=300)
    assert i.returncode == 0, i.stderr[-2000:]
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["BODYCOACH_HOME"] = str(tmp_path / "home")
    run = tmp_path / "elsewhere"
    run.mkdir()
    where = subprocess.run([str(vpy), "-c", "import bodycoach; from bodycoach.resources import sample_video; "
                            "print(bodycoach.__file__); print(sample_video('liveportrait_d12.mp4'))"],
                           capture_output=True, text=True, cwd=run, env=env, timeout=120, check=True)
    pkg, clip = where.stdout.split()
    assert pkg.startswith(site) and clip.startswith(site) and Path(clip).is_file()
    exe = str(venv / "bin" / "bodycoach")
    bench = subprocess.run([exe, "bench", "--frames", "10", "--json"], capture_output=True, text=True, cwd=run,
                           env=env, timeout=600)
    assert bench.returncode == 0, bench.stderr[-2000:]
    json.loads(bench.stdout)
    an = subprocess.run([exe, "analyze", clip, "--out", str(tmp_path / "out"), "--every-ms", "1000",
                         "--no-progress", "--json"], capture_output=True, text=True, cwd=run, env=env, timeout=600)
    assert an.returncode == 0, an.stderr[-2000:]
    assert json.loads(an.stdout)["frames_analysed"] > 0
    assert (tmp_path / "out" / "summary.json").is_file()


@pytest.mark.slow
def test_item19_setup_skips_the_install_when_nothing_changed() -> None:
    import subprocess
    import time

    first = subprocess.run([str(ROOT / "scripts" / "setup")], capture_output=True, text=True, timeout=900)
    assert first.returncode == 0, first.stderr[-2000:]
    assert "absent from the" not in first.stdout + first.stderr
    t0 = time.monotonic()
    again = subprocess.run([str(ROOT / "scripts" / "setup")], capture_output=True, text=True, timeout=900)
    assert again.returncode == 0 and "setup: up to date" in again.stdout, again.stdout + again.stderr
    assert time.monotonic() - t0 < 30  # no pip run


# -- 11. A still image renamed .mp4 -------------------------------------------------------------------
@pytest.mark.parametrize("ext", [".png", ".jpg"])
def test_item11_image_renamed_mp4_is_refused_everywhere(tmp_path: Path, ext: str,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    import cv2
    import numpy as np

    img = tmp_path / f"photo{ext}"
    cv2.imwrite(str(img), np.full((48, 64, 3), 128, np.uint8))
    fake = tmp_path / "photo.mp4"
    fake.write_bytes(img.read_bytes())
    home = tmp_path / "home"
    with SessionStore(home) as s:
        synthetic_session(s, n=5)
    for argv in (["analyze", str(fake), "--out", str(tmp_path / "o"), "--no-progress"],
                 ["attach", "1", str(fake), "--home", str(home)],
                 ["annotate", "1", "-o", str(tmp_path / "a.mp4"), "--video", str(fake), "--home", str(home),
                  "--no-progress"]):
        assert main(argv) == 2, argv
        err = capsys.readouterr().err
        assert "an image, not a video" in err and err.count("\n") == 1, (argv, err)
    from bodycoach.apps.ui.review import accept_upload  # after the CLI: importing Streamlit logs to stderr
    from bodycoach.errors import VideoReadError

    with SessionStore(home) as s:
        with pytest.raises(VideoReadError, match="an image, not a video"):
            accept_upload(s, "holiday.mp4", fake.read_bytes())
        assert not list(s.videos_dir.glob("*"))  # nothing kept
    assert not (tmp_path / "o").exists() and not (tmp_path / "a.mp4").exists()


def test_item17_symlink_loop_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    loop = tmp_path / "loop.mp4"
    loop.symlink_to(loop)
    assert main(["analyze", str(loop), "--no-progress", "--out", str(tmp_path / "o")]) == 2
    assert "symbolic link loop" in capsys.readouterr().err


# -- 13. kiosk --check ----------------------------------------------------------------------------------
@pytest.mark.parametrize(("source", "needle"), [("missing.mp4", "no such file"), ("notes.txt", "not a readable video"),
                                                ("-1", "camera index >= 0"), ("folder", "not a file")])
def test_item13_kiosk_check_refuses_sources_that_can_never_work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                capsys: pytest.CaptureFixture[str],
                                                                source: str, needle: str) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "notes.txt").write_text("not a video\n" * 50)
    (tmp_path / "folder").mkdir()
    monkeypatch.setenv("BODYCOACH_HOME", str(tmp_path / "home"))
    assert main(["kiosk", "--check", "--source", source]) == 2
    err = capsys.readouterr().err
    assert needle in err and "camera.source" in err and err.count("\n") == 1, err


def test_item13_kiosk_check_store_home_file_and_good_sources(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    from tests.videos import noise_frames, write_clip

    monkeypatch.setenv("BODYCOACH_HOME", str(tmp_path / "home"))
    afile = tmp_path / "afile"
    afile.write_text("x")
    cfg = tmp_path / "kiosk.toml"
    cfg.write_text(f'[privacy]\nkeep_summaries = true\nstore_home = "{afile}"\n')
    assert main(["kiosk", "--check", "--config", str(cfg)]) == 2
    assert "privacy.store_home" in capsys.readouterr().err
    clip = tmp_path / "clip.mp4"
    write_clip(clip, noise_frames(5, 64, 48))
    assert main(["kiosk", "--check", "--source", str(clip)]) == 0
    assert main(["kiosk", "--check", "--source", "7"]) == 0  # a camera may come back: only its form is checked


# -- 9. Canonical scenario keys ---------------------------------------------------------------------------
def test_item09_one_key_per_customer_type(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    home = tmp_path / "home"
    with SessionStore(home) as s:
        for spelling in ("objective", "Objektiv", "OBJEKTIV ", "objektiv"):
            s.create_session(trainee="Kari", scenario=spelling).close()
        s.create_session(trainee="Ola", scenario="uhoflig").close()
        with pytest.raises(StoreError, match="not a customer type"):
            s.create_session(trainee="Per", scenario="nonsense")
        assert {i.scenario for i in s.list_sessions()} == {"objective", "rude"}
    _sql(home, "UPDATE sessions SET scenario='objektiv' WHERE id=1")  # what an older bodycoach stored
    with SessionStore(home) as s:
        assert len(s.list_sessions(scenario="Objektiv")) == 4 and len(s.list_sessions(scenario="objective")) == 4
    assert main(["sessions", "--scenario", "nonsense", "--home", str(home)]) == 2
    assert "not a customer type" in capsys.readouterr().err
    assert main(["sessions", "--scenario", "shy", "--home", str(home)]) == 0
    assert "no sessions match --scenario shy" in capsys.readouterr().out
    assert main(["sessions", "--trainee", "Nobody", "--home", str(home)]) == 0
    assert "no sessions match --trainee Nobody" in capsys.readouterr().out


def test_item09_review_page_shows_the_name_from_the_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from streamlit.testing.v1 import AppTest

    home = tmp_path / "home"
    with SessionStore(home) as s:
        synthetic_session(s, n=10, scenario="shy")
    monkeypatch.setenv("BODYCOACH_HOME", str(home))
    at = AppTest.from_string("from bodycoach.apps.ui.review import render_review_page\nrender_review_page()\n",
                             default_timeout=60)
    at.session_state["bc_lang"] = "no"
    at.run()
    assert not at.exception, at.exception
    assert any(m.value == "Sjenert" for m in at.metric)


# -- 14. An upload whose trainee is refused leaves no orphaned video -------------------------------------
@pytest.mark.parametrize(("trainee", "scenario"), [("K" * 101, None), ("Ka\nri", None), ("Kari", "nonsense")])
def test_item14_upload_checks_the_form_before_storing(tmp_path: Path, trainee: str, scenario: str | None) -> None:
    from bodycoach.apps.ui.review import prepare_import
    from tests.videos import noise_frames, write_clip

    clip = tmp_path / "clip.mp4"
    write_clip(clip, noise_frames(5, 64, 48))
    with SessionStore(tmp_path / "home") as s:
        with pytest.raises(StoreError):
            prepare_import(s, "clip.mp4", clip.read_bytes(), clip.stat().st_size, trainee, scenario)
        assert not s.videos_dir.exists() or not list(s.videos_dir.iterdir())
        video, name, key = prepare_import(s, "clip.mp4", clip.read_bytes(), None, " Kari ", "sjenert")
        assert video.is_file() and name == "Kari" and key == "shy"


# -- 12. annotate --video on an unrelated recording -----------------------------------------------------------
def test_item12_annotate_refuses_an_unrelated_video(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from tests.videos import noise_frames, write_clip

    home = tmp_path / "home"
    with SessionStore(home) as s:
        sid = synthetic_session(s, n=150)  # 30 s
        lm = s.landmarks_at(sid, 0)
    w, h = lm.image_wh
    short = tmp_path / "short.mp4"
    write_clip(short, noise_frames(20, w, h), fps=10.0)  # 2 s
    assert main(["annotate", str(sid), "-o", str(tmp_path / "a.mp4"), "--video", str(short), "--home", str(home),
                 "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert "2.0 s long" in err and "30" in err and err.count("\n") == 1
    other = tmp_path / "other.mp4"
    write_clip(other, noise_frames(300, 64, 64), fps=10.0)  # 30 s, but square
    assert main(["annotate", str(sid), "-o", str(tmp_path / "a.mp4"), "--video", str(other), "--home", str(home),
                 "--no-progress"]) == 2
    assert "64x64" in capsys.readouterr().err
    assert not (tmp_path / "a.mp4").exists()


# -- 17. Smaller items -------------------------------------------------------------------------------------
def test_item17_small_upload_limit_is_not_zero_mb(tmp_path: Path) -> None:
    from bodycoach.apps.ui.review import accept_upload

    with SessionStore(tmp_path / "home") as s:
        with pytest.raises(StoreError, match="limit of 500 kB"):
            accept_upload(s, "clip.mp4", b"x" * 600_000, max_bytes=500_000)
        with pytest.raises(StoreError, match="limit of 500 kB"):
            accept_upload(s, "clip.mp4", b"x" * 600_000, size=600_000, max_bytes=500_000)


def test_item17_upload_errors_do_not_show_the_data_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import errno

    from bodycoach.store import paths

    real_open = open

    def full(path, mode="r", *a, **k):
        if "x" in mode:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_open(path, mode, *a, **k)

    with SessionStore(tmp_path / "home") as s:
        monkeypatch.setattr("builtins.open", full)
        with pytest.raises(StoreError) as ei:
            s.save_upload("clip.mp4", b"data")
        monkeypatch.undo()
    assert "disk of the data folder is full" in str(ei.value) and str(tmp_path) not in str(ei.value)
    assert paths.size_text(2 * 1024**3) == "2.1 GB"


@pytest.mark.parametrize("suffix", [".y4m", ".mjpeg"])
def test_item17_attach_accepts_what_analyze_accepts(tmp_path: Path, suffix: str,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    from tests.videos import ffmpeg, noise_frames, write_clip

    src = tmp_path / "clip.mp4"
    write_clip(src, noise_frames(10, 64, 48))
    clip = tmp_path / f"clip{suffix}"
    codec = ["-c:v", "mjpeg", "-f", "mjpeg"] if suffix == ".mjpeg" else ["-pix_fmt", "yuv420p"]
    if not ffmpeg("-y", "-loglevel", "error", "-i", str(src), *codec, str(clip)):
        pytest.skip("ffmpeg not available")
    home = tmp_path / "home"
    with SessionStore(home) as s:
        sid = synthetic_session(s, n=5)
    assert main(["attach", str(sid), str(clip), "--home", str(home)]) == 0, capsys.readouterr().err
    kept = Path(capsys.readouterr().out.strip())
    assert kept.suffix == suffix and kept.is_file()
    assert main(["attach", str(sid), str(tmp_path / "notes.txt"), "--home", str(home)]) == 2
    (tmp_path / "notes.doc").write_bytes(src.read_bytes())
    assert main(["attach", str(sid), str(tmp_path / "notes.doc"), "--home", str(home)]) == 2
    err = capsys.readouterr().err
    assert "upload" not in err.split("error:")[-1]


def test_item17_landmarks_npz_has_the_outputs_mode(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import stat

    from tests.videos import noise_frames, write_clip

    clip = tmp_path / "clip.mp4"
    write_clip(clip, noise_frames(5, 64, 48))
    monkeypatch.setattr("bodycoach.landmarks.mediapipe.MediapipeExtractor", _EmptyExtractor)
    out = tmp_path / "o"
    assert main(["analyze", str(clip), "--out", str(out), "--no-progress", "--no-profile"]) == 0
    modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in out.iterdir()}
    assert modes["landmarks.npz"] == modes["timeline.csv"] == modes["summary.json"], modes
