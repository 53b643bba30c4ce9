"""The review as an Excel workbook: 问题清单, 表单汇总 and 读取失败, each filterable."""

from __future__ import annotations

from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from auditor.findings import Finding, ReviewResult
from auditor.records import Value
from auditor.render.view import SOURCE_ZH, FormSummary, form_summaries, rule_titles, severity_zh

_SEVERITY_STYLE: dict[str, tuple[str, str]] = {  # fill, font colour
    "error": ("FFC7CE", "9C0006"),
    "warning": ("FFEB9C", "9C5700"),
    "info": ("DDEBF7", "1F4E78"),
}
_CLEAN_UNITS = {None, "万元", "万", "分", "%"}
_PERCENT_FORMAT = 'General"%"'

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
    return out.getvalue()


def _findings_sheet(ws: Worksheet, findings: list[Finding], titles: dict[str, str]) -> None:
    ws.title = "问题清单"
    _header(ws, [(h, w) for h, w, _ in _FINDING_COLUMNS])
    wrap_columns = [i for i, (_, _, wrap) in enumerate(_FINDING_COLUMNS, 1) if wrap]
    for r, f in enumerate(findings, 2):
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
        for c, (value, number) in enumerate(zip(figures, numbers), 5):
            if isinstance(number, float) and value is not None and value.quantity.unit == "%":
                ws.cell(r, c).number_format = _PERCENT_FORMAT
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
