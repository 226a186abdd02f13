"""camera_problem: the camera probe's report → why the camera cannot be used (pure, no browser)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bodycoach.apps.ui.camera_probe import DENIED, NO_API, NO_CAMERA, camera_problem


@pytest.mark.parametrize(("status", "expected"), [
    (None, None),  # the browser has not answered yet
    ({"api": True, "cameras": 1, "permission": "granted"}, None),
    ({"api": True, "cameras": 2, "permission": "prompt"}, None),
    ({"api": True, "cameras": None, "permission": None}, None),  # nothing known: do not guess
    ({"api": True, "cameras": 0, "permission": "prompt"}, NO_CAMERA),
    ({"api": True, "cameras": 0, "permission": "granted"}, NO_CAMERA),  # unplugged after being allowed
    ({"api": True, "cameras": 1, "permission": "denied"}, DENIED),
    ({"api": True, "cameras": 0, "permission": "denied"}, DENIED),  # blocked: the camera list is not to be trusted
    ({"api": False, "cameras": None, "permission": None}, NO_API),  # plain http on a LAN address
    ({"api": True, "cameras": False, "permission": "prompt"}, None),  # a bool is not a count
    ({"cameras": "0"}, None),
    ("garbage", None),
    ([], None),
])
def test_camera_problem_table(status: Any, expected: str | None) -> None:
    assert camera_problem(status) == expected


def test_probe_page_is_packaged_and_speaks_streamlits_protocol() -> None:
    import bodycoach.apps.ui.camera_probe as cp

    html = (Path(cp.__file__).with_name("camera_probe") / "index.html").read_text()
    for needle in ("streamlit:componentReady", "streamlit:setComponentValue", "enumerateDevices",
                   'query({ name: "camera" })', "devicechange"):
        assert needle in html
    assert "getUserMedia(" not in html  # probing must never open the camera (no permission prompt)
    import tomllib

    pyproject = tomllib.loads((Path(cp.__file__).parents[3] / "pyproject.toml").read_text())
    data = pyproject["tool"]["setuptools"]["package-data"]
    assert "*.html" in data["bodycoach.apps.ui.camera_probe"]  # the page ships in the wheel
