"""The workspace's decision flow in headless Chromium: switch to 审核工作库, give the
reviewer's name, pick 确认 in the findings table's 决定 column with the keyboard, save, and
find the decision in the database and back in the table."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from auditor.settings import Settings
from auditor.workspace.queries import finding_views
from auditor.workspace.review import review_into_batch
from auditor.workspace.store import Workspace, sha256

sys.path.insert(0, str(Path(__file__).parent))
from pageserver import serving
from test_browser import CHROMIUM, CHROMIUM_ARGS, ROOT

pytestmark = pytest.mark.browser
S000 = ROOT / "samples" / "000_0dd5636ac07a2a52.txt"
ROW = 35  # px, a grid row (and its header)
DECISION_COLUMN = 1  # 编号 | 决定 驳回理由 备注 …


@pytest.fixture
def db(tmp_path: Path) -> str:
    path = str(tmp_path / "ws.db")
    ws = Workspace.open(path)
    review_into_batch(ws, "2020年度", [S000], Settings())
    ws.close()
    return path


@pytest.fixture
def server_url(tmp_path: Path, db: str) -> Iterator[str]:
    env = {**os.environ, "HOME": str(tmp_path), "AUDITOR_DATABASE_URL": db}
    for name in ("AUDITOR_LLM_BASE_URL", "AUDITOR_LLM_MODEL", "AUDITOR_LLM_API_KEY"):
        env.pop(name, None)

    def command(port: int) -> list[str]:
        return [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
                "--browser.gatherUsageStats", "false", "--server.port", str(port)]

    with serving(command, ROOT, env) as url:
        yield url


@contextmanager
def workspace_page(url: str) -> Iterator[Page]:
    """Headless Chromium on the page, switched to 审核工作库."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1600, "height": 1800})
            page.goto(url)
            expect(page.get_by_role("heading", name="绩效自评表审核")).to_be_visible(timeout=20_000)
            page.get_by_text("审核工作库", exact=True).first.click()
            yield page
        finally:
            browser.close()


def idle(page: Page) -> None:
    expect(page.get_by_test_id("stStatusWidgetRunningIcon")).to_have_count(0, timeout=30_000)


def choose(page: Page, grid: Locator, row: int, downs: int) -> None:
    """With the keyboard only: into the row's 决定 cell, open its choices, move down, Enter.
    A busy machine can drop the first keys after a redraw: then Escape and try again."""
    choices = page.get_by_text("待核实", exact=True)
    for attempt in range(3):
        idle(page)
        time.sleep(0.5 + attempt)  # the grid redraws after a rerun
        box = grid.bounding_box()
        assert box is not None
        page.mouse.click(box["x"] + 20, box["y"] + ROW * row + ROW / 2)  # the row's 编号
        page.wait_for_timeout(300)
        for _ in range(DECISION_COLUMN):
            page.keyboard.press("ArrowRight")
        page.keyboard.press("Enter")  # open the 决定 cell's choices: (空) 确认 驳回 待核实
        try:
            expect(choices.last).to_be_visible(timeout=5_000)
            break
        except AssertionError:
            page.keyboard.press("Escape")
    else:
        raise AssertionError("the 决定 cell's choices did not open")
    for _ in range(downs):
        page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.wait_for_timeout(500)  # the grid hands the edit to the form


@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed at /usr/bin/chromium")
def test_reviewer_confirms_a_finding_in_the_table(server_url: str, db: str, tmp_path: Path) -> None:
    ws = Workspace.open(db)
    batch = ws.batch("2020年度")
    listed = finding_views(ws, batch.id)  # the page's order (document, form, then rule order)
    with workspace_page(server_url) as page:
        heading = f"问题与决定（共 {len(listed)} 条）"
        expect(page.get_by_role("heading", name=heading)).to_be_visible(timeout=30_000)
        page.get_by_label("审核人").fill("张三")
        page.get_by_label("审核人").press("Enter")
        idle(page)

        grid = page.locator('[data-testid="stDataFrame"]').nth(1)  # batches, then the editor
        choose(page, grid, row=1, downs=1)  # (空) → 确认
        page.screenshot(path=str(tmp_path / "editing.png"))
        page.get_by_role("button", name="保存决定").click()
        expect(page.get_by_text("已保存 1 个决定")).to_be_visible(timeout=30_000)
        idle(page)
        page.screenshot(path=str(tmp_path / "saved.png"))

        # the second row dismissed without a reason: refused, nothing recorded
        choose(page, grid, row=2, downs=2)  # (空) → 确认 → 驳回
        page.get_by_role("button", name="保存决定").click()
        expect(page.get_by_text("驳回必须说明理由")).to_be_visible(timeout=30_000)
    decided = [v for v in finding_views(ws, batch.id) if v.decision]
    assert [(v.decision, v.reviewer) for v in decided] == [("确认", "张三")]
    assert decided[0].id == listed[0].id  # the first row of the table, and only it
    assert ws.decision_count(batch.id) == 1
    ws.close()


@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed at /usr/bin/chromium")
def test_a_workbook_added_on_the_page_is_read_by_the_pool_and_stored(server_url: str, db: str, tmp_path: Path) -> None:
    workbook = next((ROOT / "samples").glob("001_*.xlsx"))
    with workspace_page(server_url) as page:
        page.get_by_text("向批次添加文件（更正后的文件作为新版本）").click()
        page.locator('input[type="file"]').last.set_input_files(str(workbook))
        page.get_by_role("button", name="审核并保存到批次").click()
        expect(page.get_by_text("已保存 1 个文件，0 个已在批次中")).to_be_visible(timeout=60_000)
        page.screenshot(path=str(tmp_path / "added.png"))
    ws = Workspace.open(db)
    stored = ws.stored_hashes(ws.batch("2020年度").id)
    ws.close()
    assert sha256(workbook.read_bytes()) in stored and len(stored) == 2
