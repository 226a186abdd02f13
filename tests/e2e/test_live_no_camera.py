"""End to end: with no camera, or a camera the page is blocked from, the live page plays the demo by itself.

The browser never tells the server about camera errors through streamlit-webrtc; the page's camera probe
(``bodycoach/apps/ui/camera_probe``) does. Two browsers against one app: one without any camera device,
one with a camera whose permission is denied for the page (set through the DevTools protocol, as a user's
"Block" would).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import harness as h
import pytest

pytestmark = pytest.mark.slow

CLIP = h.REPO / "sample_videos" / "liveportrait_d12.mp4"


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    missing = h.missing_tools()
    if missing:
        pytest.skip(f"browser test needs {', '.join(missing)}")
    d = Path(os.environ.get("BODYCOACH_E2E_ARTIFACTS", "") or tmp_path_factory.mktemp("e2e-artifacts"))
    d.mkdir(parents=True, exist_ok=True)
    with h.run_app(log_path=d / "app-no-camera.log") as (url, _proc):
        yield url, d


def _demo_plays(page: Any, notice: str, artifacts: Path, name: str) -> None:
    page.get_by_text(notice, exact=False).wait_for(timeout=30_000)
    page.get_by_text("Demo: liveportrait_d12.mp4").wait_for(timeout=30_000)
    sidebar = page.locator('[data-testid="stSidebar"]')
    assert sidebar.get_by_role("radio", name="Demo (eksempelvideo)").is_checked()
    h.click_start(page)
    stats = h.wait_processed(page, 5, timeout_s=90)
    assert stats["errors"] == 0, stats
    page.screenshot(path=str(artifacts / name), full_page=True)
    print(f"screenshot: {artifacts / name}")


def test_no_camera_switches_to_the_demo(app: tuple[str, Path]) -> None:
    from playwright.sync_api import sync_playwright

    url, artifacts = app
    with sync_playwright() as pw, h.chromium(pw, None, camera=False) as page:
        page.goto(url)
        _demo_plays(page, "Fant ikke noe kamera, så demoen spilles i stedet", artifacts, "live_no_camera.png")
        # The trainee can still pick the camera: the page says why it will not work, and does not overrule.
        page.locator('[data-testid="stSidebar"]').get_by_text("Kamera", exact=True).click()
        page.get_by_text("Fant ikke noe kamera. Koble til et kamera", exact=False).wait_for(timeout=30_000)
        page.wait_for_timeout(4000)  # two probe rounds
        assert page.locator('[data-testid="stSidebar"]').get_by_role("radio", name="Kamera").is_checked()


def test_blocked_camera_switches_to_the_demo(app: tuple[str, Path]) -> None:
    from playwright.sync_api import sync_playwright

    url, artifacts = app
    clip = artifacts / "no-camera-clip.y4m"
    if not clip.exists():
        h.make_y4m(CLIP, clip, width=640, height=480, fps=30)
    with sync_playwright() as pw, h.chromium(pw, clip) as page:
        page.context.clear_permissions()
        cdp = page.context.new_cdp_session(page)
        cdp.send("Browser.setPermission", {"permission": {"name": "camera"}, "setting": "denied",
                                           "origin": url})
        page.goto(url)
        _demo_plays(page, "Nettleseren har blokkert kameraet for denne siden, så demoen spilles",
                    artifacts, "live_camera_blocked.png")
