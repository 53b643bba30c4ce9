"""Build the small PDF fixtures of tests/test_ingest_pdf.py.

Run from the repository root: ``python tests/data/pdf/make_fixtures.py``. Tables are made
with python-docx (merges through ``cell.merge``) and converted with LibreOffice, like the
real forms; the bad inputs (empty, truncated, encrypted, image-only) are made with pymupdf.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import docx
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

os.environ.setdefault("PYMUPDF_SUGGEST_LAYOUT_ANALYZER", "0")
import pymupdf

HERE = Path(__file__).resolve().parent
FONT = "Noto Sans CJK SC"

LONG_TEXT = "本项目用于保障机关办公大楼日常运行维护，包括水电、保洁、安保及设备维修等各项支出。"


def _new_document() -> DocxDocument:
    document = docx.Document()
    style = document.styles["Normal"]
    style.font.name = FONT
    style.font.size = Pt(10.5)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), FONT)
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.left_margin = section.right_margin = Cm(2)
    return document


def _fill(table: docx.table.Table, rows: list[list[str]]) -> None:
    for r, texts in enumerate(rows):
        for c, text in enumerate(texts):
            if text:
                table.cell(r, c).text = text


def _set_widths(table: docx.table.Table, widths: list[Cm]) -> None:
    table.autofit = False
    for column, width in zip(table.columns, widths):
        column.width = width
    for row in table.rows:
        for cell, width in zip(row.cells, widths):
            cell.width = width


def build_merged(out: Path) -> None:
    """A 6-column form with horizontal and vertical merges, a wrapped cell, numbers."""
    document = _new_document()
    document.add_paragraph("2023年度项目支出绩效自评表")
    table = document.add_table(rows=6, cols=6)
    table.style = "Table Grid"
    _fill(
        table,
        [
            ["项目名称", "办公楼运行维护", "", "", "主管部门", "区机关事务服务中心"],
            ["项目资金（万元）", "", "年初预算数", "全年预算数", "全年执行数", "执行率"],
            ["", "年度资金总额", "15.829527", "120.5", "118.3", "98.17%"],
            ["", "其中：财政拨款", "100", "100", "99", "99%"],
            ["年度目标", LONG_TEXT, "", "", "", ""],
            [
                "绩效指标",
                "数量指标",
                "设备台数",
                "≥120台",
                "125台",
                "Very Good Job Well Done Indeed",
            ],
        ],
    )
    table.cell(0, 1).merge(table.cell(0, 3))
    table.cell(1, 0).merge(table.cell(3, 0))
    table.cell(1, 0).text = "项目资金（万元）"
    table.cell(4, 1).merge(table.cell(4, 5))
    table.cell(4, 1).text = LONG_TEXT
    _set_widths(table, [Cm(2.2), Cm(2.6), Cm(1.3), Cm(2.6), Cm(3.0), Cm(3.4)])
    document.add_paragraph("填报人：张三")
    document.save(str(out))


def build_split(out: Path) -> None:
    """A 4-column table of 60 rows that runs onto a second page; its first column is
    merged over rows 31–45, across the page break."""
    document = _new_document()
    document.add_paragraph("绩效指标明细表")
    table = document.add_table(rows=61, cols=4)
    table.style = "Table Grid"
    rows = [["序号", "指标名称", "目标值", "完成值"]]
    rows += [[str(i), f"指标{i}", f"≥{i}%", f"{i + 0.5}%"] for i in range(1, 61)]
    _fill(table, rows)
    table.cell(31, 0).merge(table.cell(45, 0))
    table.cell(31, 0).text = "效益指标"
    document.add_paragraph("表尾说明")
    document.save(str(out))


def convert(docx_path: Path, out_dir: Path) -> Path:
    with tempfile.TemporaryDirectory(prefix="lo_prof_") as profile:
        subprocess.run(
            [
                "soffice",
                "--headless",
                f"-env:UserInstallation=file://{profile}",
                "--convert-to",
                "pdf",
                "--outdir",
                str(out_dir),
                str(docx_path),
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
    return out_dir / (docx_path.stem + ".pdf")


def build_bad_inputs(merged_pdf: Path) -> None:
    (HERE / "empty.pdf").write_bytes(b"")
    data = merged_pdf.read_bytes()
    (HERE / "truncated.pdf").write_bytes(data[: len(data) // 3])
    with pymupdf.open(merged_pdf) as doc:
        doc.save(
            str(HERE / "encrypted.pdf"),
            encryption=pymupdf.PDF_ENCRYPT_AES_256,  # type: ignore[attr-defined]
            owner_pw="owner-secret",
            user_pw="user-secret",
        )
        pix = doc[0].get_pixmap(dpi=40, alpha=False)
    scanned = pymupdf.open()
    for _ in range(2):
        page = scanned.new_page(width=595, height=842)
        page.insert_image(page.rect, pixmap=pix)
    scanned.save(str(HERE / "image_only.pdf"), deflate=True)


def main() -> None:
    with tempfile.TemporaryDirectory() as work:
        tmp = Path(work)
        for name, build in (("merged", build_merged), ("split", build_split)):
            build(tmp / f"{name}.docx")
            shutil.copy(convert(tmp / f"{name}.docx", tmp), HERE / f"{name}.pdf")
    build_bad_inputs(HERE / "merged.pdf")


if __name__ == "__main__":
    main()
