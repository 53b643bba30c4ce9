"""End to end in headless Chromium: upload seed 003's PDF, find the 523.12-over-31.6 finding,
open its evidence, and keep a screenshot of the page in docs/screenshot.png."""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from pageserver import serving
from playwright.sync_api import Page, expect

from auditor.webapp.launch import streamlit_command

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
SAMPLE = ROOT / "samples" / "003_6b24eafbc02acca8.pdf"
SCREENSHOT = ROOT / "docs" / "screenshot.png"
ROW_HEIGHT = 35  # px, a Streamlit dataframe row (and its header)
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def wait_idle(page: Page) -> None:
    """Until the script has run to its end: the last section is drawn and nothing is running."""
    expect(page.get_by_role("heading", name="读取到的表格内容")).to_be_visible(timeout=30_000)
    expect(page.get_by_test_id("stStatusWidgetRunningIcon")).to_have_count(0, timeout=30_000)


@pytest.fixture
def server_url(tmp_path: Path) -> Iterator[str]:
    env = {**os.environ, "HOME": str(tmp_path)}
    for name in ("AUDITOR_LLM_BASE_URL", "AUDITOR_LLM_MODEL", "AUDITOR_LLM_API_KEY"):
        env.pop(name, None)
    # what `auditor page` runs: the installed page, localhost
    with serving(streamlit_command, tmp_path, env) as url:
        yield url


@pytest.mark.skipif(
    not CHROMIUM.exists(), reason="Debian chromium is not installed at /usr/bin/chromium"
)
def test_auditor_reviews_a_pdf_and_sees_the_evidence(server_url: str) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 2400})
            page.goto(server_url)
            expect(page.get_by_role("heading", name="绩效自评表审核")).to_be_visible(timeout=20_000)
            expect(page.get_by_text("Deploy", exact=True)).to_have_count(0)  # viewer toolbar

            page.locator('input[type="file"]').set_input_files(SAMPLE)
            expect(page.get_by_role("heading", name="审核概要")).to_be_visible(timeout=30_000)
            expect(page.get_by_role("button", name="下载 HTML 报告")).to_be_visible(timeout=30_000)
            expect(page.get_by_text("发现（共")).to_be_visible()
            wait_idle(page)

            picker = page.locator('[data-testid="stSelectbox"]').filter(has_text="查看证据")
            picker.click()
            page.keyboard.type("全年执行数 523.12 万元超过")  # the picker filters as one types
            option = page.get_by_role("option").first
            expect(option).to_contain_text("区委区政府大院及武装部营院绿化费")
            expect(option).to_contain_text("超过全年预算数 31.6 万元")
            page.keyboard.press("Enter")

            expect(page.get_by_role("heading", name="证据：错误")).to_be_visible(timeout=20_000)
            message = page.locator("strong").filter(
                has_text="全年执行数 523.12 万元超过全年预算数 31.6 万元"
            )
            expect(message).to_be_visible()
            expect(
                page.locator("code").filter(has_text="funds.executed_exceeds_budget")
            ).to_be_visible()
            images = page.locator('[data-testid="stImage"] img')
            expect(images.first).to_be_visible(timeout=20_000)
            page.wait_for_function(
                "() => [...document.querySelectorAll('[data-testid=\"stImage\"] img')]"
                ".every(img => img.complete && img.naturalWidth > 0)"
            )
            images.first.scroll_into_view_if_needed()
            time.sleep(0.5)  # let the layout settle before the picture
            SCREENSHOT.parent.mkdir(exist_ok=True)
            page.screenshot(path=str(SCREENSHOT))

            # The table's own row selection opens evidence too: pick the second 523.12 finding.
            page.get_by_placeholder("例如 523.12").fill("523.12")
            page.keyboard.press("Enter")
            wait_idle(page)
            shown = page.get_by_text(re.compile(r"显示 \d+ / \d+ 条"))
            expect(shown).not_to_contain_text(re.compile(r"显示 (\d+) / \1 条"), timeout=10_000)
            grid = (
                page.locator('[data-testid="stDataFrame"]').nth(1).bounding_box()
            )  # summary, findings
            assert grid is not None
            page.mouse.click(grid["x"] + 18, grid["y"] + ROW_HEIGHT * 2 + ROW_HEIGHT / 2)
            heading = page.get_by_role("heading", name="证据：")
            expect(heading).not_to_contain_text("执行数超过预算数", timeout=15_000)
        finally:
            browser.close()
