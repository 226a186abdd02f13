"""``bodycoach live``: arguments and the streamlit command line (the server itself runs in tests/e2e)."""

from __future__ import annotations

import argparse

import pytest

from bodycoach.apps import cmd_live
from bodycoach.apps.cli import build_parser, main


def parse(*argv: str) -> argparse.Namespace:
    return build_parser().parse_args(["live", *argv])


def test_defaults_and_command_line() -> None:
    args = parse()
    assert (args.port, args.lang, args.address) == (8501, "no", "localhost")
    cmd = cmd_live.build_command(parse("--port", "8600", "--lang", "en"))
    assert cmd[1:4] == ["-m", "streamlit", "run"] and cmd[4].endswith("app.py")
    joined = " ".join(cmd)
    assert "--server.port 8600" in joined and "--browser.gatherUsageStats false" in joined
    assert "--server.headless true" in joined and "--server.address localhost" in joined
    assert "--runner.postScriptGC false" in joined  # a full GC after each panel rerun stalls the video
    assert cmd_live.APP.exists()


def test_project_streamlit_config_keeps_everything_local_and_skips_the_post_run_gc() -> None:
    import tomllib

    cfg = tomllib.loads((cmd_live.APP.parent / ".streamlit" / "config.toml").read_text())
    assert cfg["browser"]["gatherUsageStats"] is False
    assert cfg["runner"]["postScriptGC"] is False


def test_bad_language_is_an_argument_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        parse("--lang", "de")
    assert exc.value.code == 2
    assert "invalid choice: 'de'" in capsys.readouterr().err


def test_bad_port_is_a_one_line_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["live", "--port", "70000"]) == 2
    err = capsys.readouterr().err.strip()
    assert err == "bodycoach: error: --port: 70000 is not a port; expected 1..65535"


def test_run_passes_language_and_home(monkeypatch: pytest.MonkeyPatch, tmp_path: object) -> None:
    seen: dict[str, object] = {}

    def fake_call(cmd: list[str], env: dict[str, str], cwd: str) -> int:
        seen.update(cmd=cmd, env=env, cwd=cwd)
        return 0

    monkeypatch.setattr(cmd_live.subprocess, "call", fake_call)
    assert main(["live", "--lang", "en", "--home", str(tmp_path)]) == 0
    env = seen["env"]
    assert isinstance(env, dict) and env["BODYCOACH_LANG"] == "en" and env["BODYCOACH_HOME"] == str(tmp_path)
