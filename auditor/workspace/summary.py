"""The batch summary workbook: one row per form (stated against recomputed rate, total and
grade; findings by severity and by decision), the findings list with their ids and a
decision column to fill in (read back by ``auditor decide --from``), and one sheet per
rule family."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from io import BytesIO
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy import select

from auditor.checks.batch import BATCH_RULES
from auditor.checks.score import recomputed_total
from auditor.findings import SEVERITY_ZH
from auditor.render.view import (
    FORM_KIND_ZH,
    locations_text,
    rule_titles,
    summarize_form,
    value_text,
)
from auditor.settings import PROFILES
from auditor.webapp.summary import decimal_text, recomputed_rate
from auditor.workspace.models import Batch, Document, FormRow
from auditor.workspace.queries import UNDECIDED, FindingView, finding_views
from auditor.workspace.review import FORM_ADAPTER
from auditor.workspace.store import DECISIONS, Workspace

FINDINGS_SHEET = "问题清单"
ID, DECISION, REASON, COMMENT, REVIEWER = "问题编号", "决定", "驳回理由", "备注", "审核人"
FINDING_COLUMNS: list[tuple[str, int]] = [
    (ID, 9), ("单位", 24), ("文件", 26), ("表格", 26), ("规则代码", 30), ("规则名称", 28), ("严重程度", 9),
    ("说明", 60), ("期望值", 14), ("实际值", 14), ("位置", 22), ("复核状态", 10),
    (DECISION, 9), (REASON, 24), (COMMENT, 24), (REVIEWER, 10),
]
FAMILY_ZH = {"funds": "资金", "score": "得分", "indicator": "指标", "narrative": "叙述", "dept": "部门表", "batch": "跨表"}
HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")


def grade_of(total: Decimal | None, profile: str) -> str:
    if total is None:
        return ""
    return next((g for g, low in PROFILES[profile].grade_bands if total >= low), "")


def form_rows(workspace: Workspace, batch_id: int, views: list[FindingView]) -> list[dict[str, Any]]:
    rows = []
    with workspace.sessions() as session:
        batch = session.get(Batch, batch_id)
        assert batch is not None
        forms = session.execute(
            select(FormRow, Document.name).join(Document, FormRow.document_id == Document.id).where(
                FormRow.batch_id == batch_id, FormRow.current.is_(True)
            ).order_by(FormRow.document_id, FormRow.position)
        ).all()
    for row, file in forms:
        form = FORM_ADAPTER.validate_python(row.data)
        mine = [v for v in views if v.form_id == row.id]
        stated = summarize_form(file, form, [])
        rate, total = recomputed_rate(form), recomputed_total(form)
        grade = getattr(form, "grade", None)
        severities: Counter[str] = Counter(v.finding.severity for v in mine)
        decisions = Counter(v.decision or UNDECIDED for v in mine)
        rows.append({
            "文件": file, "单位": row.unit or "", "表格": row.title, "类型": FORM_KIND_ZH.get(row.kind, row.kind),
            "版本": row.version, "全年预算数": value_text(stated.budget), "全年执行数": value_text(stated.executed),
            "执行率(填报)": value_text(stated.rate), "执行率(重算)": f"{decimal_text(rate)}%" if rate is not None else "",
            "总分(填报)": value_text(stated.total_score), "总分(重算)": decimal_text(total),
            "等级(填报)": value_text(grade), "等级(重算)": grade_of(total, batch.profile),
            **{SEVERITY_ZH[s]: severities.get(s, 0) for s in SEVERITY_ZH},
            **{d: decisions.get(d, 0) for d in (*DECISIONS, UNDECIDED)},
        })
    return rows


def finding_row(v: FindingView, titles: dict[str, str]) -> list[Any]:
    f = v.finding
    return [v.id, v.unit or "", f.file, f.form, f.rule, titles.get(f.rule, f.rule), SEVERITY_ZH[f.severity],
            f.message, f.expected or "", f.actual or "", "；".join(locations_text(f)), v.status,
            v.decision or "", v.reason or "", v.comment or "", v.reviewer or ""]


def render_summary(workspace: Workspace, batch_id: int) -> bytes:
    views = finding_views(workspace, batch_id)
    titles = rule_titles()
    titles.update({code: r.title for code, r in BATCH_RULES.items()})
    book = Workbook()
    forms = form_rows(workspace, batch_id, views)
    sheet = book.active
    sheet.title = "表格汇总"
    header = list(forms[0]) if forms else ["文件", "表格"]
    _table(sheet, [(h, 14) for h in header], [list(r.values()) for r in forms])
    rows = [finding_row(v, titles) for v in views]
    _findings(book.create_sheet(FINDINGS_SHEET), rows)
    for family, name in FAMILY_ZH.items():
        mine = [r for r, v in zip(rows, views) if v.finding.rule.startswith(f"{family}.")]
        if mine:
            _findings(book.create_sheet(f"{name}（{family}）"), mine)
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def _findings(sheet: Worksheet, rows: list[list[Any]]) -> None:
    _table(sheet, FINDING_COLUMNS, rows)
    column = get_column_letter([h for h, _ in FINDING_COLUMNS].index(DECISION) + 1)
    choice = DataValidation(type="list", formula1=f'"{",".join(DECISIONS)}"', allow_blank=True)
    choice.error = f"请从下拉列表中选择：{'、'.join(DECISIONS)}"
    sheet.add_data_validation(choice)
    if rows:
        choice.add(f"{column}2:{column}{len(rows) + 1}")


def _table(sheet: Worksheet, columns: list[tuple[str, int]], rows: list[list[Any]]) -> None:
    sheet.append([h for h, _ in columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
    for row in rows:
        sheet.append(row)
    for i, (_, width) in enumerate(columns, 1):
        sheet.column_dimensions[get_column_letter(i)].width = width
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"
    if rows:
        sheet.auto_filter.ref = sheet.dimensions
