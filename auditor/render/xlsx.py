"""The review as an Excel workbook: 问题清单, 表单汇总 and 读取失败, each filterable.

Findings are sorted by severity, then file and form; money has the format #,##0.00 and
rates are stored as fractions shown as 0.00%. The same review gives the same bytes: the
workbook's own timestamps and those of its zip entries are fixed.
"""

from __future__ import annotations

import re
import zipfile
from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from auditor.findings import SEVERITY_ORDER, Finding, ReviewResult
from auditor.records import Value
from auditor.render.view import SOURCE_ZH, FormSummary, form_summaries, rule_titles, severity_zh

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
    book = Workbook()
    _findings_sheet(book.active, result.findings, rule_titles())
    _forms_sheet(book.create_sheet("表单汇总"), form_summaries(result))
    _errors_sheet(
        book.create_sheet("读取失败"), [(d.file, d.error) for d in result.documents if d.error]
    )
    out = BytesIO()
    book.save(out)
    return _fixed_times(out.getvalue())


def _fixed_times(data: bytes) -> bytes:
    """The workbook with fixed timestamps, so that the same review gives the same bytes."""
    out = BytesIO()
    with zipfile.ZipFile(BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = _CORE_TIMES.sub(rb"\g<1>" + _FIXED_TIME + rb"\g<3>", body)
            entry = zipfile.ZipInfo(info.filename, date_time=_ZIP_TIME)
            entry.external_attr = info.external_attr
            dst.writestr(entry, body, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def sorted_findings(findings: list[Finding]) -> list[Finding]:
    """By severity (errors first), then file and form; the rules' order within."""
    return sorted(findings, key=lambda f: (SEVERITY_ORDER.get(f.severity, 9), f.file, f.form))


def _findings_sheet(ws: Worksheet, findings: list[Finding], titles: dict[str, str]) -> None:
    ws.title = "问题清单"
    _header(ws, [(h, w) for h, w, _ in _FINDING_COLUMNS])
    wrap_columns = [i for i, (_, _, wrap) in enumerate(_FINDING_COLUMNS, 1) if wrap]
    for r, f in enumerate(sorted_findings(findings), 2):
        loc = f.location
        ws.append(
            [
                severity_zh(f.severity),
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
        )
        fill, colour = _SEVERITY_STYLE[f.severity]
        ws.cell(r, 1).fill = PatternFill("solid", fgColor=fill)
        ws.cell(r, 1).font = Font(color=colour, bold=True)
        for c in wrap_columns:
            ws.cell(r, c).alignment = Alignment(wrap_text=True, vertical="top")
    _finish(ws, len(_FINDING_COLUMNS), len(findings))


def _forms_sheet(ws: Worksheet, forms: list[FormSummary]) -> None:
    _header(ws, _FORM_COLUMNS)
    for r, f in enumerate(forms, 2):
        figures = [f.initial_budget, f.budget, f.executed, f.rate, f.budget_score]
        numbers = [_number(v) for v in figures]
        numbers[3] = _rate(f.rate, numbers[3])
        ws.append(
            [
                f.file,
                f.kind,
                f.title,
                f.year,
                *numbers,
                f.indicators,
                _number(f.total_score),
                f.findings,
            ]
        )
        formats = [_MONEY_FORMAT, _MONEY_FORMAT, _MONEY_FORMAT, _PERCENT_FORMAT, _SCORE_FORMAT]
        for c, (value, number, fmt) in enumerate(zip(figures, numbers, formats), 5):
            if not isinstance(number, float) or value is None:
                continue
            if fmt != _MONEY_FORMAT or value.quantity.unit in _MONEY_UNITS:
                ws.cell(r, c).number_format = fmt
        if isinstance(ws.cell(r, 11).value, float):
            ws.cell(r, 11).number_format = _SCORE_FORMAT
    _finish(ws, len(_FORM_COLUMNS), len(forms))


def _errors_sheet(ws: Worksheet, errors: list[tuple[str, str | None]]) -> None:
    _header(ws, [("文件", 40), ("原因", 80)])
    for file, error in errors:
        ws.append([file, error])
    _finish(ws, 2, len(errors))


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


def _header(ws: Worksheet, columns: list[tuple[str, int]]) -> None:
    ws.append([h for h, _ in columns])
    for i, (_, width) in enumerate(columns, 1):
        ws.column_dimensions[get_column_letter(i)].width = width
        cell = ws.cell(1, i)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="E7EBF0")


def _finish(ws: Worksheet, columns: int, rows: int) -> None:
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(columns)}{rows + 1}"
    # Printed: landscape, every column on one page width, the header row on every page.
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.print_title_rows = "1:1"
