"""The workspace part of the page, driven by AppTest (no browser): batch list, decisions
edited in the findings table and saved, re-review comparison and the downloads."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from auditor.settings import Settings
from auditor.webapp.decisions_view import DECISION, REASON, changed_decisions, decision_table
from auditor.workspace.queries import finding_views
from auditor.workspace.review import review_into_batch
from auditor.workspace.store import Workspace

ROOT = Path(__file__).resolve().parents[1]
S000 = ROOT / "samples" / "000_0dd5636ac07a2a52.txt"


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    path = str(tmp_path / "ws.db")
    ws = Workspace.open(path)
    review_into_batch(ws, "2020年度", [S000], Settings())
    ws.close()
    monkeypatch.setenv("AUDITOR_DATABASE_URL", path)
    return path


def test_changed_decisions_are_the_edited_rows(db: str) -> None:
    ws = Workspace.open(db)
    views = finding_views(ws, ws.batch("2020年度").id)
    before = decision_table(views)
    after = before.copy()
    after.loc[0, DECISION] = "确认"
    after.loc[1, DECISION] = "驳回"
    after.loc[1, REASON] = "口径不同"
    after.loc[2, REASON] = "只填理由不算决定"
    edits = changed_decisions(before, after)
    assert [(e.finding_id, e.decision, e.reason) for e in edits] == [
        (views[0].id, "确认", None),
        (views[1].id, "驳回", "口径不同"),
    ]
    assert changed_decisions(before, before.copy()) == []
    assert isinstance(before, pd.DataFrame) and list(before.columns)[1:4] == ["决定", "驳回理由", "备注"]


def _page() -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    at.sidebar.radio(key="mode").set_value("审核工作库").run()
    return at


def test_page_lists_batches_findings_comparison_and_downloads(db: str, tmp_path: Path) -> None:
    """(Editing the grid and saving is driven in a real browser: tests/test_browser_workspace.py.)"""
    ws = Workspace.open(db)
    batch = ws.batch("2020年度")
    first = finding_views(ws, batch.id)[0]
    ws.decide(batch.id, first.id, "确认", "张三", comment="已核实")
    corrected = tmp_path / "000_corrected.txt"
    corrected.write_text(S000.read_text(encoding="utf-8").replace("\t80\n\t83\n", "\t80\n\t63\n"), encoding="utf-8")
    review_into_batch(ws, "2020年度", [corrected], Settings())
    at = _page()
    assert not at.exception
    assert at.selectbox(key="batch_choice").value == "2020年度"
    shown = len(finding_views(ws, batch.id))
    assert f"问题与决定（共 {shown} 条）" in [s.value for s in at.subheader]
    assert "复核对比" in [s.value for s in at.subheader]
    labels = [e.label for e in at.expander]
    assert "《机关餐厅运行经费》第2版：已整改 3，仍存在 0，新出现 0" in labels
    assert "《交流干部餐厅及物业运行经费》第2版：已整改 0，仍存在 3，新出现 0" in labels
    numbers = next(v for v in finding_views(ws, batch.id) if v.finding.rule == "narrative.number_mismatch")
    at.selectbox(key="ws_evidence").set_value(numbers.id).run()
    assert not at.exception
    assert any("保障全年用餐人数" in h.proto.body for h in at.get("html"))  # the stored file's table, cell marked
    downloads = [b.proto.label for b in at.get("download_button")]
    assert "下载批次汇总表（Excel）" in downloads
    assert "下载《昌吉州机关后勤服务中心》审核意见书（Word）" in downloads
