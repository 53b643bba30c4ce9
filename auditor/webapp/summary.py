"""Per-document summary rows: what each form states, and its totals recomputed from its lines."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd

from auditor.checks.funds import budget_rate
from auditor.checks.measure import money, total_row
from auditor.checks.score import recomputed_total
from auditor.findings import SEVERITY_ZH, DocumentResult, Finding
from auditor.forms import Form
from auditor.render.view import FormSummary, severity_counts, summarize_form, value_text

RECOMPUTED = "重新计算"
KIND_SHORT: dict[str, str] = {
    "project_self_eval": "项目自评",
    "dept_self_eval": "部门整体自评",
    "dept_targets": "部门目标",
    "self_eval_report": "自评报告",
    "project_targets": "项目目标",
}


def decimal_text(number: Decimal | None) -> str:
    """95 / 95.5 / 1655.44 — two decimals at most, no trailing zeros; '' when unknown."""
    if number is None:
        return ""
    text = f"{number.quantize(Decimal('0.01')):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def recomputed_rate(form: Form) -> Decimal | None:
    """全年执行数 / 全年预算数 in percent, as the funds rules compute it (never the stated rate)."""
    row = total_row(form)
    if row is None or money(row.budget) is None or money(row.executed) is None:
        return None
    return budget_rate(row)


def form_row(file: str, form: Form, findings: list[Finding]) -> dict[str, str | int]:
    """One line of the summary table; stated figures as written, recomputed ones labelled."""
    stated: FormSummary = summarize_form(file, form, findings)
    rate = recomputed_rate(form)
    row: dict[str, str | int] = {"表格": form.title, "类型": KIND_SHORT.get(form.kind, stated.kind)}
    row.update({SEVERITY_ZH[s]: n for s, n in stated.counts.items()})
    row.update(
        {
            "全年预算数": value_text(stated.budget),
            "全年执行数": value_text(stated.executed),
            "执行率": value_text(stated.rate),
            f"执行率·{RECOMPUTED}": f"{decimal_text(rate)}%" if rate is not None else "",
            "总分": value_text(stated.total_score),
            f"总分·{RECOMPUTED}": decimal_text(recomputed_total(form)),
        }
    )
    return row


def document_rows(document: DocumentResult, findings: list[Finding]) -> list[dict[str, str | int]]:
    mine = [f for f in findings if f.file == document.file]
    return [form_row(document.file, form, mine) for form in document.forms]


def document_table(document: DocumentResult, findings: list[Finding]) -> pd.DataFrame:
    return pd.DataFrame(document_rows(document, findings))


def document_headline(document: DocumentResult, findings: list[Finding]) -> str:
    """共 6 张表；错误 3、警告 5、提示 1"""
    counts = severity_counts([f for f in findings if f.file == document.file])
    found = "、".join(f"{SEVERITY_ZH[s]} {n}" for s, n in counts.items())
    return f"共 {len(document.forms)} 张表；{found}"
