"""The HTML report of a 10-minute session in headless Chromium: opens with no network, prints to A4."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

CHROMIUM = os.environ.get("BODYCOACH_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def test_report_opens_offline_and_prints(tmp_path: Path) -> None:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} not found")
    from playwright.sync_api import sync_playwright

    from bodycoach.review.report_html import build_report_html
    from bodycoach.review.scorecard import session_report
    from bodycoach.review.synthetic import synthetic_session
    from bodycoach.store import SessionStore

    with SessionStore(tmp_path / "home") as store:
        sid = synthetic_session(store, n=3000, trainee="Kari")
        data = store.load(sid)
        html = build_report_html(data, session_report(data))
    report = tmp_path / "report.html"
    report.write_text(html, encoding="utf-8")
    artifacts = Path(os.environ.get("BODYCOACH_E2E_ARTIFACTS", "") or tmp_path)
    artifacts.mkdir(parents=True, exist_ok=True)

    requests: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        ctx = browser.new_context(offline=True, viewport={"width": 1000, "height": 1400})
        page = ctx.new_page()
        page.on("request", lambda r: requests.append(r.url))
        page.goto(report.as_uri())
        page.wait_for_load_state("load")
        assert page.locator("svg").count() >= 1
        svg_box = page.locator("svg").first.bounding_box()
        assert svg_box is not None and svg_box["width"] > 500 and svg_box["height"] > 100
        assert "Se kunden i øynene" in page.locator("body").inner_text()
        page.emulate_media(media="print")
        page.screenshot(path=str(artifacts / "report_print.png"), full_page=False)
        pdf = page.pdf(format="A4", print_background=True)
        browser.close()
    assert requests == [report.as_uri()]  # nothing but the file itself
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    (artifacts / "report.pdf").write_bytes(pdf)
    print(f"report {len(html.encode()) / 1e6:.2f} MB, PDF {len(pdf) / 1e6:.2f} MB, {pages} A4 pages")
    assert 1 <= pages <= 12
