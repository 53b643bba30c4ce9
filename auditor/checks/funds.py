"""funds — 资金与预算执行."""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal

from auditor.checks import Context, Hit, rule
from auditor.checks.measure import (
    amount_text,
    evidence,
    execution_rate,
    fmt,
    is_cost,
    is_money,
    money,
    number,
    pct,
    rate,
    total_row,
)
from auditor.checks.text import form_texts, is_substantive, strip_instructions
from auditor.forms.stream import key_of
from auditor.forms import Form
from auditor.records import DeptSelfEval, FormBase, FundsRow, SelfEvalBase, Value

_COLUMNS = {"initial_budget": "年初预算数", "budget": "全年预算数", "executed": "全年执行数"}
_ADJUSTMENT_WORDS = re.compile(
    r"调整|追加|调增|调减|追减|调剂|变更|补充预算|增加预算|预算增加|减少预算|预算减少|结转|调入|调出|压减|收回|核减|核增|统筹|盘活|"
    r"年中(?:增加|减少|新增)"
)
_AMOUNT = re.compile(r"\d[\d,]*(?:\.\d+)?")



def _rows(form: Form) -> list[FundsRow]:
    return form.funds if isinstance(form, SelfEvalBase) else []


@rule("funds.executed_exceeds_budget", "error", "执行数超过预算数")
def executed_exceeds_budget(form: Form, ctx: Context) -> Iterator[Hit]:
    for row in _rows(form):
        budget, executed = money(row.budget), money(row.executed)
        if budget is not None and executed is not None and ctx.tol.money_greater(executed, budget):
            assert row.executed is not None
            yield Hit(
                f"{row.label}：全年执行数 {amount_text(row.executed)}超过全年预算数 {amount_text(row.budget)}",
                f"≤ {fmt(budget)}", fmt(executed), row.executed.location, evidence(row.executed, row.budget),
            )


@rule("funds.rate_mismatch", "error", "执行率与执行数/预算数不符")
def rate_mismatch(form: Form, ctx: Context) -> Iterator[Hit]:
    for row in _rows(form):
        stated, budget, executed = rate(row.rate), money(row.budget), money(row.executed)
        if stated is None or budget is None or executed is None:
            continue
        computed = execution_rate(executed, budget)
        if computed is not None and abs(computed - stated) > ctx.tol.rate_pp:
            assert row.rate is not None
            yield Hit(
                f"{row.label}：填报执行率 {row.rate.text}，按全年执行数 {amount_text(row.executed)} ÷ 全年预算数 {amount_text(row.budget)} 计算应为 {pct(computed)}",
                pct(computed), row.rate.text, row.rate.location, evidence(row.rate, row.executed, row.budget),
            )


def budget_weight(form: FormBase) -> Decimal | None:
    total = total_row(form)
    weight = number(total.weight) if total else None
    if weight is None and isinstance(form, DeptSelfEval):
        weight = number(form.budget_weight)
    return weight


def budget_rate(row: FundsRow) -> Decimal | None:
    """Execution rate of a funds row: computed from the amounts, else as stated."""
    budget, executed = money(row.budget), money(row.executed)
    if budget is not None and executed is not None:
        return execution_rate(executed, budget)
    return rate(row.rate)


@rule("funds.score_mismatch", "error", "预算执行得分与分值×执行率不符")
def score_mismatch(form: Form, ctx: Context) -> Iterator[Hit]:
    row = total_row(form)
    if row is None:
        return
    weight, score, r = budget_weight(form), number(row.score), budget_rate(row)
    if weight is None or score is None or r is None:
        return
    expected = weight * min(r, Decimal(100)) / Decimal(100)
    if abs(expected - score) > ctx.tol.score:
        assert row.score is not None
        yield Hit(
            f"预算执行得分填报 {fmt(score)}，按分值 {fmt(weight)} × 执行率 {pct(min(r, Decimal(100)))} 应为 {fmt(expected.quantize(Decimal('0.01')))}",
            fmt(expected.quantize(Decimal("0.01"))), fmt(score), row.score.location, evidence(row.score, row.rate),
        )


@rule("funds.breakdown_mismatch", "warning", "资金来源明细与年度资金总额不符")
def breakdown_mismatch(form: Form, ctx: Context) -> Iterator[Hit]:
    total = total_row(form)
    parts = [r for r in _rows(form) if r.key != "total"]
    if total is None or not parts:
        return
    for field, column in _COLUMNS.items():
        cell: Value | None = getattr(total, field)
        stated = money(cell)
        if cell is None or stated is None:
            continue
        cells: list[Value | None] = [getattr(r, field) for r in parts]
        summed = sum((money(c) or Decimal(0) for c in cells), Decimal(0))
        if not ctx.tol.money_equal(summed, stated):
            listed = " + ".join(
                f"{r.label.removeprefix('其中：')} {c.text if c is not None and c.text else '空白(0)'}"
                for r, c in zip(parts, cells)
            )
            yield Hit(
                f"{column}：{listed} = {fmt(summed)} 万元，与年度资金总额 {fmt(stated)} 万元不符",
                fmt(stated), fmt(summed), cell.location, evidence(cell, *cells),
            )


@rule("funds.subrow_scored", "warning", "资金明细行单独计分")
def subrow_scored(form: Form, ctx: Context) -> Iterator[Hit]:
    for row in _rows(form):
        if row.key == "total":
            continue
        scored = [v for v in (row.weight, row.score) if v is not None and number(v) is not None]
        if scored:
            yield Hit(
                f"“{row.label}”为年度资金总额的其中项，却填有分值/得分 {'/'.join(v.text for v in scored)}，预算执行重复计分",
                "— （其中项不计分）", "/".join(v.text for v in scored), scored[0].location, evidence(*scored),
            )


def adjustment_texts(form: SelfEvalBase, ctx: Context) -> list[str]:
    """Where a reason for a budget adjustment may stand: the form's own texts and funds
    notes, and the text of a report in the document that names the form; the template's
    printed instructions left out."""
    texts = form_texts(form) + [r.note.text for r in form.funds if r.note is not None]
    title = key_of(form.title)
    for other in ctx.forms:
        if other is not form and other.report is not None and len(title) >= 4 and title in key_of(other.report.text):
            texts.append(other.report.text)
    return [strip_instructions(t) for t in texts]


def _explains(texts: list[str], difference: Decimal, ctx: Context) -> bool:
    """A text names the adjustment (调整, 追加, 结转 …) or states its amount."""
    if any(_ADJUSTMENT_WORDS.search(t) for t in texts):
        return True
    stated = {Decimal(m.group().replace(",", "")) for t in texts for m in _AMOUNT.finditer(t)}
    return any(ctx.tol.money_equal(n, abs(difference)) or ctx.tol.money_equal(n / 10000, abs(difference)) for n in stated)


@rule("funds.adjustment_unexplained", "warning", "预算调整未说明原因")
def adjustment_unexplained(form: Form, ctx: Context) -> Iterator[Hit]:
    row = total_row(form)
    if row is None or not isinstance(form, SelfEvalBase):
        return
    initial, budget = money(row.initial_budget), money(row.budget)
    if initial is None or budget is None or ctx.tol.money_equal(initial, budget):
        return
    difference = budget - initial
    carried = money(c.budget) if (c := form.funds_row("carryover")) is not None else None
    if carried is not None and carried != 0 and ctx.tol.money_equal(carried, difference):
        return  # 全年预算 = 年初预算 + 上年结转
    if _explains(adjustment_texts(form, ctx), difference, ctx):
        return
    assert row.budget is not None
    yield Hit(
        f"年初预算数 {amount_text(row.initial_budget)}调整为全年预算数 {amount_text(row.budget)}（差额 {fmt(difference)} 万元），文中未说明调整原因",
        f"{fmt(initial)}（或说明调整原因）", fmt(budget), row.budget.location, evidence(row.initial_budget, row.budget),
    )


@rule("funds.low_execution_unexplained", "warning", "执行率偏低未说明原因")
def low_execution_unexplained(form: Form, ctx: Context) -> Iterator[Hit]:
    if not isinstance(form, SelfEvalBase):
        return
    row = form.funds_row("total")
    r = budget_rate(row) if row else None
    if row is None or r is None or r >= Decimal(90):
        return
    if any(is_substantive(t) for t in _explanations(form)):
        return
    yield Hit(
        f"预算执行率 {pct(r)} 低于90%，偏差原因栏和文字说明均未解释",
        "≥ 90% 或说明原因", pct(r), (row.rate or row.executed or row.budget).location,  # type: ignore[union-attr]
        evidence(row.rate, row.executed, row.budget),
    )


_SPENDING_REASON = re.compile(r"结余|节约|未支付|未使用|未执行|未拨付|未到位|取消|减少|延期|推迟|暂缓|疫情|尚未|拟于|剩余|低于预算")


def _explanations(form: SelfEvalBase) -> list[str]:
    """Texts that may explain low execution: deviation cells and analyses as they are,
    and the results or report when they give a reason for unspent money."""
    texts = [i.deviation.text for i in form.indicators if i.deviation]
    value = getattr(form, "deviation_text", None)
    if value is not None:
        texts.append(value.text)
    if form.report and form.report.problems:
        texts.append(form.report.problems)
    for text in (form.result.text if form.result else "", form.report.text if form.report else ""):
        if _SPENDING_REASON.search(text):
            texts.append(text)
    return texts


@rule("funds.cost_sum_mismatch", "warning", "成本指标合计超过预算/执行数")
def cost_sum_mismatch(form: Form, ctx: Context) -> Iterator[Hit]:
    row = total_row(form)
    costs = [i for i in form.indicators if is_cost(i)]
    if row is None or not costs:
        return
    for field, against, column in (("actual", row.executed, "全年执行数"), ("target", row.budget, "全年预算数")):
        cells: list[Value] = [getattr(i, field) for i in costs if is_money(getattr(i, field), i.name)]
        amounts = [a for i in costs if (a := money(getattr(i, field), i.name)) is not None]
        limit = money(against)
        if limit is None or not cells or len(amounts) != len(cells):
            continue
        summed = sum(amounts, Decimal(0))
        if ctx.tol.money_greater(summed, limit):
            label = "实际完成值" if field == "actual" else "年度指标值"
            yield Hit(
                f"成本指标{label}合计 {' + '.join(fmt(a) for a in amounts)} = {fmt(summed)} 万元，超过{column} {fmt(limit)} 万元",
                f"≤ {fmt(limit)}", fmt(summed), cells[0].location, evidence(*cells, against),
            )
