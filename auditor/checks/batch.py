"""Rules across the forms of a batch (codes ``batch.*``): a department's overall form
against its project forms, the same indicator stated differently in two documents, and
the same result text copied across projects.

Unlike the per-form rules these see every current form of a batch at once, so they run
when a batch is stored (``auditor.workspace``), not in a single-file review. Each is a
pure function of the forms; one finding per (form, rule).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from auditor.checks.measure import fmt, lines, money, total_row
from auditor.checks.narrative import content_chars
from auditor.findings import Finding, Severity
from auditor.forms import Form
from auditor.records import DeptSelfEval, Location, Value
from auditor.settings import Tolerances

MIN_COPIED_CHARS = 15  # shorter result texts ("已完成") are too common to mean copying


@dataclass(frozen=True)
class BatchForm:
    """A current form of the batch, with the file it came from and the agency it belongs to."""

    ref: int  # the caller's handle for the form (the workspace's form id)
    file: str
    unit: str | None
    form: Form


@dataclass(frozen=True)
class BatchRule:
    code: str
    severity: Severity
    title: str


BATCH_RULES: dict[str, BatchRule] = {
    r.code: r
    for r in (
        BatchRule("batch.project_sum_exceeds_dept", "warning", "项目表合计超过部门整体表的项目支出"),
        BatchRule("batch.project_sum_short_of_dept", "info", "项目表合计少于部门整体表的项目支出"),
        BatchRule("batch.indicator_inconsistent", "warning", "同一指标在不同表中目标值不一致"),
        BatchRule("batch.result_text_copied", "warning", "不同项目的完成情况文字雷同"),
    )
}


def run_batch_rules(forms: list[BatchForm], tol: Tolerances) -> list[tuple[int, Finding]]:
    """Every batch finding, each with the ``ref`` of the form it is filed under."""
    found = [*dept_vs_projects(forms, tol), *indicators_across_documents(forms), *copied_results(forms)]
    return found


def _finding(code: str, bf: BatchForm, message: str, expected: str | None, actual: str | None,
             location: Location, evidence: list[str]) -> tuple[int, Finding]:
    r = BATCH_RULES[code]
    return bf.ref, Finding(
        rule=code,
        severity=r.severity,
        file=bf.file,
        form=bf.form.title,
        form_kind=bf.form.kind,
        message=message,
        expected=expected,
        actual=actual,
        location=location,
        evidence=[e for e in evidence if e],
    )


def _sum(values: list[Decimal | None]) -> Decimal | None:
    known = [v for v in values if v is not None]
    return None if not values or len(known) < len(values) else sum(known, Decimal(0))


def dept_vs_projects(forms: list[BatchForm], tol: Tolerances) -> Iterator[tuple[int, Finding]]:
    """The department form's 项目支出 against the sum of its unit's project forms (the form
    does not say whether it is the budget or the executed amount: either may match)."""
    for bf in forms:
        dept = bf.form
        if not isinstance(dept, DeptSelfEval) or "项目支出" not in dept.spending:
            continue
        stated_value = dept.spending["项目支出"]
        stated = money(stated_value)
        projects = [p for p in forms if p.form.kind == "project_self_eval" and p.unit == bf.unit and bf.unit]
        if stated is None or not projects:
            continue
        rows = [total_row(p.form) for p in projects]
        budgets = _sum([money(r.budget) if r else None for r in rows])
        executed = _sum([money(r.executed) if r else None for r in rows])
        names = "、".join(p.form.title for p in projects)
        where = f"本批次中该单位的 {len(projects)} 张项目支出绩效自评表（{names}）"
        over = [(label, s) for label, s in (("全年预算数", budgets), ("全年执行数", executed))
                if s is not None and tol.money_greater(s, stated)]
        if over:
            label, s = over[0]
            yield _finding(
                "batch.project_sum_exceeds_dept", bf,
                f"部门整体支出绩效自评表的项目支出为 {stated_value.text} 万元，而{where}的{label}合计 {fmt(s)} 万元，超出 {fmt(s - stated)} 万元",
                f"≤ {fmt(stated)}", fmt(s), stated_value.location, [stated_value.text],
            )
            continue
        sums = [s for s in (budgets, executed) if s is not None]
        if sums and all(tol.money_greater(stated, s) for s in sums):
            yield _finding(
                "batch.project_sum_short_of_dept", bf,
                f"部门整体支出绩效自评表的项目支出为 {stated_value.text} 万元，{where}的全年预算数合计 {fmt(budgets)} 万元、全年执行数合计 {fmt(executed)} 万元，"
                "均少于该数；如有项目表未报送，请补齐后复核",
                fmt(stated), fmt(max(sums)), stated_value.location, [stated_value.text],
            )


def _target_key(value: Value | None) -> str | None:
    if value is None or value.is_blank:
        return None
    return content_chars(value.text) or None


def indicators_across_documents(forms: list[BatchForm]) -> Iterator[tuple[int, Finding]]:
    """An indicator of the same name in forms of the same unit from two different files,
    with different targets; filed under the later form. (Inside one file this is
    ``dept.cross_table_mismatch``.)"""
    seen: dict[tuple[str, str], tuple[BatchForm, Value]] = {}
    for bf in forms:
        if not bf.unit:
            continue
        hits: list[tuple[str, BatchForm, Value, Value]] = []
        for line in lines(bf.form):
            key = _target_key(line.target)
            if key is None or line.target is None:
                continue
            name = content_chars(line.name)
            first = seen.get((bf.unit, name))
            if first is None:
                seen[(bf.unit, name)] = (bf, line.target)
            elif first[0].file != bf.file and _target_key(first[1]) != key:
                hits.append((line.name, first[0], first[1], line.target))
        if hits:
            name, other, was, now = hits[0]
            more = f"；另有{len(hits) - 1}项指标不一致" if len(hits) > 1 else ""
            yield _finding(
                "batch.indicator_inconsistent", bf,
                f"指标“{name}”在本表的年度指标值为“{now.text}”，在《{other.form.title}》（{other.file}）中为“{was.text}”{more}",
                was.text, now.text, now.location, [now.text, was.text],
            )


def copied_results(forms: list[BatchForm]) -> Iterator[tuple[int, Finding]]:
    """The same 实际完成情况 text (punctuation and spaces aside) in forms of different
    projects; filed under every form after the first that has it."""
    first_by_text: dict[str, BatchForm] = {}
    for bf in forms:
        result = getattr(bf.form, "result", None)
        if result is None:
            continue
        chars = content_chars(result.text)
        if len(chars) < MIN_COPIED_CHARS:
            continue
        first = first_by_text.setdefault(chars, bf)
        if first is not bf and first.form.title != bf.form.title:
            yield _finding(
                "batch.result_text_copied", bf,
                f"本表“实际完成情况”的文字与《{first.form.title}》（{first.file}）完全相同（{len(chars)}字），未写出本项目自己的完成情况",
                "本项目自己的完成情况", result.text[:60], result.location, [result.text],
            )
