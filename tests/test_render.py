"""Renderers: what an auditor sees in each report format and on the annotated PDF.

The review result is built from the real 003 sample (its forms and their places) plus
hand-made findings, so these tests do not depend on which rules exist yet.
"""

from __future__ import annotations

import json
import os
import zipfile
from collections.abc import Callable
from io import BytesIO
from pathlib import Path

os.environ.setdefault("PYMUPDF_SUGGEST_LAYOUT_ANALYZER", "0")

import pymupdf
import pytest
from openpyxl import load_workbook

from auditor.checks import REGISTRY, Rule
from auditor.findings import Finding, ReviewResult
from auditor.pipeline import extract, extract_bytes
from auditor.records import Location
from auditor.render import (
    FORMATS,
    annotate_pdf,
    render_html,
    render_json,
    render_markdown,
    render_page_png,
)
from auditor.render.view import rule_titles
from auditor.render.xlsx import render_xlsx

SAMPLE = Path(__file__).parent.parent / "samples" / "003_6b24eafbc02acca8.pdf"
GREENING = "区委区政府大院及武装部营院绿化费"
SCRIPT = "<script>alert(1)</script>"
TITLED_RULE = "test.titled_rule"


@pytest.fixture(scope="module")
def result() -> ReviewResult:
    return sample_review()


def sample_review() -> ReviewResult:
    """The 003 sample's forms, an unreadable file, and one finding of each severity."""
    (doc,) = extract([SAMPLE])
    broken = extract_bytes(b"not a pdf at all", "broken.pdf")
    greening = next(f for f in doc.forms if f.title == GREENING)
    executed = greening.funds_row("total").executed  # type: ignore[union-attr]
    findings = [
        Finding(
            rule="funds.executed_exceeds_budget",
            severity="error",
            file=doc.file,
            form=GREENING,
            message="全年执行数 523.12 万元超过全年预算数 31.6 万元",
            expected="≤ 31.6",
            actual="523.12",
            location=executed.location,
            evidence=["523.12"],
        ),
        Finding(
            rule="narrative.contradiction",
            severity="warning",
            file=doc.file,
            form="水电维修费",
            message=f"报告称存在预算与决算差异 {SCRIPT}",
            location=Location(page=4, table=3, row=9),
            evidence=["预算和决算的差异"],
            source="llm",
        ),
        Finding(
            rule=TITLED_RULE,
            severity="info",
            file=doc.file,
            form="水电维修费",
            message="定性指标“显著提高”填报了数值 100%",
            expected="定性描述",
            actual="100%",
        ),
    ]
    return ReviewResult(documents=[doc, broken], findings=findings)


@pytest.fixture(autouse=True)
def titled_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    """A registered rule with a Chinese title (loaded rules first, so none registers twice)."""
    rule_titles()
    monkeypatch.setitem(
        REGISTRY, TITLED_RULE, Rule(TITLED_RULE, "info", "指标类型不符", lambda form, ctx: [])
    )


def test_json_is_the_output_contract(result: ReviewResult) -> None:
    data = json.loads(render_json(result))
    assert {"documents", "findings"} <= data.keys()
    assert [d["file"] for d in data["documents"]] == [str(SAMPLE), "broken.pdf"]
    assert data["documents"][1]["error"].startswith("未识别到绩效表格")
    first = data["findings"][0]
    assert {
        "rule",
        "severity",
        "file",
        "form",
        "message",
        "evidence",
        "source",
        "location",
    } <= first.keys()
    assert first["location"]["column"] == "全年执行数" and "523.12" in render_json(result)


@pytest.mark.parametrize("render", [render_markdown, render_html], ids=["markdown", "html"])
def test_text_reports_show_every_finding_in_full(
    render: Callable[[ReviewResult], str], result: ReviewResult
) -> None:
    text = render(result)
    place = result.findings[0].location
    assert f"第{place.page}页 表{place.table} 第{place.row}行 全年执行数" in text
    for f in result.findings:
        assert f.rule in text
        assert f.message.split(" ")[0] in text
    for shown in ["31.6", "523.12", "第4页 表3 第9行", "定性描述", "100%"]:
        assert shown in text
    assert "未识别到绩效表格" in text and "broken.pdf" in text
    assert "指标类型不符" in text  # the registry's Chinese title
    assert "大模型" in text and "未配置大模型接口" in text


@pytest.mark.parametrize("render", [render_markdown, render_html], ids=["markdown", "html"])
def test_document_strings_cannot_inject_markup(
    render: Callable[[ReviewResult], str], result: ReviewResult
) -> None:
    text = render(result)
    assert "<script>" not in text and "</script>" not in text
    assert (
        "&lt;script&gt;alert(1)&lt;/script&gt;"
        if render is render_html
        else r"\<script\>alert(1)\</script\>"
    ) in text


def test_html_is_self_contained_and_print_ready(result: ReviewResult) -> None:
    page = render_html(result)
    assert page.startswith("<!DOCTYPE html>") and '<meta charset="utf-8">' in page
    for external in ("<link", "src=", "@import", "http://", "https://", "url("):
        assert external not in page
    assert "@media print" in page and "size: A4" in page and "break-before: page" in page
    assert "Noto Sans CJK SC" in page
    assert '<div class="doc-error"><strong>读取失败：</strong>未识别到绩效表格' in page
    assert f"<td>{GREENING}</td>" in page and "项目支出绩效自评表" in page
    assert "<mark>523.12</mark>" in page


def test_markdown_lists_forms_with_their_stated_figures(result: ReviewResult) -> None:
    text = render_markdown(result)
    assert f"| 项目支出绩效自评表 | {GREENING} | 2022 | 31.6 | 523.12 | 100% | 100 | 1 |" in text
    assert "### 错误（1）" in text and "### 警告（1）" in text and "### 提示（1）" in text


def test_xlsx_sheets_filters_and_numbers(result: ReviewResult) -> None:
    book = load_workbook(BytesIO(render_xlsx(result)))
    assert book.sheetnames == ["问题清单", "表单汇总", "读取失败"]
    issues = book["问题清单"]
    assert issues.auto_filter.ref == f"A1:N{len(result.findings) + 1}"
    assert issues.freeze_panes == "A2"
    assert [c.value for c in issues[2]][:2] == ["错误", "funds.executed_exceeds_budget"]
    assert issues["A2"].fill.fgColor.rgb.endswith("FFC7CE")
    assert (
        issues["L2"].value == "全年执行数"
        and issues["I2"].value == result.findings[0].location.page
    )
    assert issues["C4"].value == "指标类型不符" and issues["N3"].value == "大模型"

    forms = book["表单汇总"]
    header = [c.value for c in forms[1]]
    rows = {r[2]: dict(zip(header, r)) for r in forms.iter_rows(min_row=2, values_only=True)}
    greening = rows[GREENING]
    assert greening["全年预算数"] == 31.6 and greening["全年执行数"] == 523.12
    assert greening["执行率"] == 1 and greening["问题数"] == 1  # 100% as a fraction
    row = next(r for r in forms.iter_rows(min_row=2) if r[2].value == GREENING)
    assert row[5].number_format == "#,##0.00" and row[6].number_format == "#,##0.00"
    assert row[7].number_format == "0.00%"
    assert forms.auto_filter.ref == f"A1:L{len(rows) + 1}"

    failed = [r for r in book["读取失败"].iter_rows(min_row=2, values_only=True)]
    assert failed[0][0] == "broken.pdf" and failed[0][1].startswith("未识别到绩效表格")


def test_xlsx_is_sorted_by_severity_then_file_and_form_and_byte_identical(
    result: ReviewResult,
) -> None:
    shuffled = result.model_copy(update={"findings": list(reversed(result.findings))})
    data = render_xlsx(shuffled)
    issues = load_workbook(BytesIO(data))["问题清单"]
    rows = [(r[0], r[3], r[4]) for r in issues.iter_rows(min_row=2, values_only=True)]
    order = {"错误": 0, "警告": 1, "提示": 2}
    assert rows == sorted(rows, key=lambda r: (order[r[0]], r[1], r[2]))
    assert render_xlsx(shuffled) == data  # the same review, the same bytes
    with zipfile.ZipFile(BytesIO(data)) as book:
        assert {i.date_time for i in book.infolist()} == {(2000, 1, 1, 0, 0, 0)}
        assert b"2000-01-01T00:00:00Z" in book.read("docProps/core.xml")


def test_html_names_formats_in_chinese(result: ReviewResult) -> None:
    page = render_html(result)
    assert "TEXT" not in page and "DOCX" not in page


def test_formats_map_names_to_renderers(result: ReviewResult) -> None:
    for name, fmt in FORMATS.items():
        out = fmt.render(result)
        assert isinstance(out, bytes if fmt.binary else str) and out
        assert fmt.suffix == f".{name}"


def test_annotated_pdf_carries_the_findings(result: ReviewResult) -> None:
    placed, nowhere = result.findings[0], result.findings[2]
    annotated = pymupdf.open(
        stream=annotate_pdf(SAMPLE.read_bytes(), [placed, nowhere]), filetype="pdf"
    )
    page = annotated[7]
    page8 = list(page.annots())
    rect = next(a for a in page8 if a.type[1] == "Square")
    assert (
        rect.info["content"]
        == "[funds.executed_exceeds_budget] 全年执行数 523.12 万元超过全年预算数 31.6 万元（期望：≤ 31.6；实际：523.12）"
    )
    assert rect.info["title"] == "auditor"
    assert rect.rect.contains(pymupdf.Rect(placed.location.bbox))
    assert any(a.type[1] == "Text" and "523.12" in a.info["content"] for a in page8)
    first = annotated[0]
    page1 = [a.info["content"] for a in first.annots()]
    assert any(f"[{TITLED_RULE}]" in c and "期望：定性描述" in c for c in page1)


def test_page_png_shows_the_box_in_its_colour(result: ReviewResult) -> None:
    bbox = result.findings[0].location.bbox
    assert bbox is not None
    png = render_page_png(SAMPLE.read_bytes(), 8, [(bbox, "error")], zoom=1.0)
    assert png.startswith(b"\x89PNG")
    pix = pymupdf.Pixmap(png)
    r, g, b = pix.pixel(round(bbox[0] - 1.5), round((bbox[1] + bbox[3]) / 2))[:3]
    assert r > 150 and g < 100 and b < 100  # the red outline at the box's left edge
    with pytest.raises(ValueError):
        render_page_png(SAMPLE.read_bytes(), 99, [])
