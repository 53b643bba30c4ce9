"""The review as an Excel workbook: 问题清单, 表单汇总 and 读取失败, each filterable.

Findings are sorted by severity, then file and form; money has the format #,##0.00 and
rates are stored as fractions shown as 0.00%. The same review gives the same bytes: the
workbook's own timestamps and those of its zip entries are fixed. The workbook is written
in openpyxl's write-only mode, document by document (``XlsxWriter``), so that a batch of
any size is never held.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import tempfile
import zipfile
from io import BytesIO
from typing import IO

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.worksheet import Worksheet

from auditor.findings import SEVERITY_ORDER, Finding, LLMStatus, ReviewResult
from auditor.records import Value
from auditor.render.stream import GroupWriter
from auditor.render.view import SOURCE_ZH, DocumentGroup, FormSummary, rule_titles, severity_zh

_SEVERITY_STYLE: dict[str, tuple[str, str]] = {  # fill, font colour
    "error": ("FFC7CE", "9C0006"),
    "warning": ("FFEB9C", "9C5700"),
    "info": ("DDEBF7", "1F4E78"),
}
_CLEAN_UNITS = {None, "万元", "万", "分", "%"}
_PERCENT_FORMAT = "0.00%"
_MONEY_FORMAT = "#,##0.00"
_SCORE_FORMAT = "0.00"
_MONEY_UNITS = {None, "万元", "万"}
_FIXED_TIME = b"2000-01-01T00:00:00Z"  # the workbook's created/modified
_ZIP_TIME = (2000, 1, 1, 0, 0, 0)
_CORE_TIMES = re.compile(rb"(<dcterms:(created|modified)\b[^>]*>)[^<]*(</dcterms:\2>)")

# (header, width, wrap)
_FINDING_COLUMNS = [
    ("严重程度", 9, False),
    ("规则代码", 30, False),
    ("规则名称", 34, False),
    ("文件", 28, False),
    ("表单", 26, False),
    ("说明", 60, True),
    ("期望值", 14, False),
    ("实际值", 14, False),
    ("页码", 6, False),
    ("表", 5, False),
    ("行", 5, False),
    ("列", 12, False),
    ("证据", 30, True),
    ("来源", 7, False),
]
_FORM_COLUMNS = [
    ("文件", 28),
    ("表单类型", 22),
    ("表单名称", 30),
    ("年度", 7),
    ("年初预算数", 12),
    ("全年预算数", 12),
    ("全年执行数", 12),
    ("执行率", 9),
    ("预算执行得分", 12),
    ("指标数", 8),
    ("自评总分(表内)", 14),
    ("问题数", 8),
]


def render_xlsx(result: ReviewResult) -> bytes:
    out = BytesIO()
    XlsxWriter(out).write_result(result)
    return out.getvalue()


class XlsxWriter(GroupWriter):
    """The workbook, written document by document in openpyxl's write-only mode: the forms
    and the unreadable files are rows appended as they come; the findings, which the first
    sheet lists sorted across the batch, wait in a temporary SQLite file that sorts them
    at the end. ``out`` is a binary file (seekable)."""

    def __init__(self, out: IO[bytes]) -> None:
        self.out = out
        self.titles = rule_titles()
        self.book = Workbook(write_only=True)
        self.findings = _sheet(self.book, "问题清单", [(h, w) for h, w, _ in _FINDING_COLUMNS])
        self.forms = _sheet(self.book, "表单汇总", _FORM_COLUMNS)
        self.errors = _sheet(self.book, "读取失败", [("文件", 40), ("原因", 80)])
        self.form_rows = self.error_rows = 0
        self.folder = tempfile.TemporaryDirectory(prefix="auditor-xlsx-")
        self.db = sqlite3.connect(os.path.join(self.folder.name, "findings.db"))
        self.db.execute("CREATE TABLE f (severity INTEGER, file BLOB, form BLOB, seq INTEGER, row TEXT)")
        self.seq = 0

    def add_group(self, group: DocumentGroup) -> None:
        for f in group.findings:
            self.seq += 1
            self.db.execute(
                "INSERT INTO f VALUES (?, ?, ?, ?, ?)",
                (SEVERITY_ORDER.get(f.severity, 9), _key(f.file), _key(f.form), self.seq, json.dumps(_finding_row(f, self.titles))),
            )
        for form in group.forms:
            self.forms.append(_form_row(self.forms, form))
            self.form_rows += 1
        if group.document is not None and group.document.error:
            self.errors.append([group.document.file, group.document.error])
            self.error_rows += 1

    def close(self, llm: LLMStatus | None = None) -> None:
        self.db.commit()
        wrap = {i for i, (_, _, w) in enumerate(_FINDING_COLUMNS, 1) if w}
        rows = self.db.execute("SELECT row FROM f ORDER BY severity, file, form, seq")
        for (row,) in rows:
            self.findings.append(_finding_cells(self.findings, json.loads(row), wrap))
        self.db.close()
        _finish(self.findings, len(_FINDING_COLUMNS), self.seq)
        _finish(self.forms, len(_FORM_COLUMNS), self.form_rows)
        _finish(self.errors, 2, self.error_rows)
        with tempfile.TemporaryFile(dir=self.folder.name) as saved:
            self.book.save(saved)
            saved.seek(0)
            _fixed_times(saved, self.out)
        self.folder.cleanup()


def _key(text: str) -> bytes:
    """A sort key that orders as Python orders strings (UTF-8 keeps code-point order)."""
    return text.encode("utf-8", "surrogatepass")


def _fixed_times(source: IO[bytes], out: IO[bytes]) -> None:
    """The workbook with fixed timestamps, so that the same review gives the same bytes."""
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=_ZIP_TIME)
            entry.external_attr = info.external_attr
            entry.compress_type = zipfile.ZIP_DEFLATED
            if info.filename == "docProps/core.xml":
                body = _CORE_TIMES.sub(rb"\g<1>" + _FIXED_TIME + rb"\g<3>", src.read(info.filename))
                dst.writestr(entry, body)
                continue
            with src.open(info) as part, dst.open(entry, "w", force_zip64=True) as copy:
                shutil.copyfileobj(part, copy, 1 << 20)


def sorted_findings(findings: list[Finding]) -> list[Finding]:
    """By severity (errors first), then file and form; the rules' order within."""
    return sorted(findings, key=lambda f: (SEVERITY_ORDER.get(f.severity, 9), f.file, f.form))


def _finding_row(f: Finding, titles: dict[str, str]) -> list[object]:
    loc = f.location
    return [
        f.severity,
        f.rule,
        titles.get(f.rule, ""),
        f.file,
        f.form,
        f.message,
        f.expected,
        f.actual,
        loc.page,
        loc.table,
        loc.row,
        loc.column or loc.col,
        "\n".join(f.evidence),
        SOURCE_ZH.get(f.source, f.source),
    ]


def _finding_cells(ws: WriteOnlyWorksheet, row: list[object], wrap: set[int]) -> list[object]:
    severity = str(row[0])
    cells: list[object] = [severity_zh(severity), *row[1:]]
    fill, colour = _SEVERITY_STYLE[severity]
    first = WriteOnlyCell(ws, cells[0])
    first.fill = PatternFill("solid", fgColor=fill)
    first.font = Font(color=colour, bold=True)
    cells[0] = first
    for c in wrap:
        cell = WriteOnlyCell(ws, cells[c - 1])
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        cells[c - 1] = cell
    return cells


def _form_row(ws: WriteOnlyWorksheet, f: FormSummary) -> list[object]:
    figures = [f.initial_budget, f.budget, f.executed, f.rate, f.budget_score]
    numbers = [_number(v) for v in figures]
    numbers[3] = _rate(f.rate, numbers[3])
    formats = [_MONEY_FORMAT, _MONEY_FORMAT, _MONEY_FORMAT, _PERCENT_FORMAT, _SCORE_FORMAT]
    cells: list[object] = []
    for value, number, fmt in zip(figures, numbers, formats):
        if isinstance(number, float) and value is not None and (fmt != _MONEY_FORMAT or value.quantity.unit in _MONEY_UNITS):
            cell = WriteOnlyCell(ws, number)
            cell.number_format = fmt
            cells.append(cell)
        else:
            cells.append(number)
    total: object = _number(f.total_score)
    if isinstance(total, float):
        score = WriteOnlyCell(ws, total)
        score.number_format = _SCORE_FORMAT
        total = score
    return [f.file, f.kind, f.title, f.year, *cells, f.indicators, total, f.findings]


def _number(value: Value | None) -> float | str | None:
    """A clean stated number as a number (percent kept as written: 95% → 95); other text as is."""
    if value is None or value.is_blank:
        return None
    q = value.quantity
    if (
        q.kind == "number"
        and q.number is not None
        and q.op is None
        and not q.malformed
        and q.unit in _CLEAN_UNITS
    ):
        return float(q.number)
    return value.text


def _rate(value: Value | None, number: float | str | None) -> float | str | None:
    """A rate as a fraction for the 0.00% format: 95% → 0.95; a bare 0.95 stays, a bare 95
    is read as percent (as funds.rate_mismatch reads it)."""
    if not isinstance(number, float) or value is None:
        return number
    if value.quantity.unit == "%" or number > 1.5:
        return number / 100
    return number


def _sheet(book: Workbook, title: str, columns: list[tuple[str, int]]) -> WriteOnlyWorksheet:
    """A write-only sheet with its header row; what its XML states before the rows (column
    widths, frozen header, fit to the page width) is set before the first row."""
    ws = book.create_sheet(title)
    for i, (_, width) in enumerate(columns, 1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A2"
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    header = []
    for h, _ in columns:
        cell = WriteOnlyCell(ws, h)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="E7EBF0")
        header.append(cell)
    ws.append(header)
    return ws


def _finish(ws: WriteOnlyWorksheet, columns: int, rows: int) -> None:
    ws.auto_filter.ref = f"A1:{get_column_letter(columns)}{rows + 1}"
    # Printed: landscape, every column on one page width, the header row on every page.
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.print_title_rows = "1:1"
