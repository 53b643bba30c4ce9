"""score — 分值与得分."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from auditor.checks import Context, Hit, rule
from auditor.checks.funds import budget_weight
from auditor.checks.measure import (
    comparable_numbers,
    direction,
    evidence,
    fmt,
    full,
    goal_blocks,
    lines,
    misses_date,
    misses_target,
    number,
)
from auditor.checks.text import is_substantive
from auditor.forms import Form
from auditor.forms.stream import key_of
from auditor.records import DeptSelfEval, FormBase, Indicator, SelfEvalBase, Value

_ZERO = Decimal(0)



def _budget_score(form: SelfEvalBase) -> Decimal | None:
    row = form.funds_row("total")
    return number(row.score) if row else None


def _scored_parts(form: SelfEvalBase) -> list[Decimal] | None:
    """What the total adds: goal blocks' stated scores, else the indicator lines' scores;
    None when a weighted part has a blank score (unknown, not zero: score.missing says so)."""
    parts: list[tuple[Value | None, Value | None]] = (
        [(b.weight, b.score) for b in goal_blocks(form)] if goal_blocks(form) else [(i.weight, i.score) for i in form.indicators]
    )
    if any(number(w) is not None and number(s) is None for w, s in parts):
        return None
    return [n for _, s in parts if (n := number(s)) is not None]


def recomputed_total(form: FormBase) -> Decimal | None:
    """Budget score + the parts' scores, as the total should state; None when unknown."""
    parts = _scored_parts(form) if isinstance(form, SelfEvalBase) else None
    if not parts:
        return None
    assert isinstance(form, SelfEvalBase)
    return (_budget_score(form) or _ZERO) + sum(parts, _ZERO)


@rule("score.total_mismatch", "error", "总分与各项得分之和不符")
def total_mismatch(form: Form, ctx: Context) -> Iterator[Hit]:
    if not isinstance(form, SelfEvalBase) or form.total_score is None:
        return
    stated, computed = number(form.total_score), recomputed_total(form)
    if stated is None or computed is None:
        return
    budget = _budget_score(form) or _ZERO
    if abs(computed - stated) > ctx.tol.score:
        what = "各目标得分" if goal_blocks(form) else "各指标得分"
        yield Hit(
            f"总分填报 {form.total_score.text}，按预算执行得分 {fmt(budget)} + {what}合计 {fmt(computed - budget)} 计算应为 {fmt(computed)}",
            fmt(computed), fmt(stated), form.total_score.location, evidence(form.total_score),
        )


def _line_weights(form: FormBase) -> list[Decimal]:
    if goal_blocks(form):
        return [w for b in goal_blocks(form) if (w := number(b.weight)) is not None]
    return [w for i in form.indicators if (w := number(i.weight)) is not None]


@rule("score.weight_sum_mismatch", "error", "分值合计不等于总分值")
def weight_sum_mismatch(form: Form, ctx: Context) -> Iterator[Hit]:
    if not isinstance(form, SelfEvalBase):
        return
    weights = _line_weights(form)
    if not weights:
        return
    stated = number(form.total_weight) or ctx.profile.total_weight
    budget = budget_weight(form) or _ZERO
    computed = budget + sum(weights, _ZERO)
    if abs(computed - stated) > ctx.tol.score:
        where = form.total_weight.location if form.total_weight else form.location
        yield Hit(
            f"分值合计为 {fmt(budget)}（预算执行）+ {fmt(sum(weights, _ZERO))}（指标）= {fmt(computed)}，与总分值 {fmt(stated)} 不符",
            fmt(stated), fmt(computed), where, evidence(form.total_weight),
        )


@rule("score.category_weight_mismatch", "error", "一级指标标注分值与所含指标分值之和不符")
def category_weight_mismatch(form: Form, ctx: Context) -> Iterator[Hit]:
    for cw in form.category_weights:
        members = [i for i in form.indicators if i.level1 == cw.text]
        weights = [w for i in members if (w := number(i.weight)) is not None]
        if not weights:
            continue
        summed = sum(weights, _ZERO)
        if abs(summed - cw.weight) > ctx.tol.score:
            yield Hit(
                f"“{cw.text}”标注 {fmt(cw.weight)} 分，其下 {len(weights)} 项指标分值合计 {' + '.join(fmt(w) for w in weights)} = {fmt(summed)}",
                fmt(cw.weight), fmt(summed), cw.location, (cw.text,),
            )


@rule("score.exceeds_weight", "error", "得分超过分值")
def exceeds_weight(form: Form, ctx: Context) -> Iterator[Hit]:
    items: list[tuple[str, Value | None, Value | None]] = [(i.name, i.weight, i.score) for i in lines(form)]
    items += [(b.label, b.weight, b.score) for b in goal_blocks(form)]
    if isinstance(form, SelfEvalBase) and (row := form.funds_row("total")):
        items.append(("预算执行率", row.weight, row.score))
    for name, weight, score in items:
        w, s = number(weight), number(score)
        if w is not None and s is not None and s > w + ctx.tol.score:
            assert score is not None
            yield Hit(f"“{name}”得分 {fmt(s)} 超过其分值 {fmt(w)}", f"≤ {fmt(w)}", fmt(s), score.location, evidence(score, weight))


@rule("score.goal_subtotal_mismatch", "error", "目标得分与其指标得分之和不符")
def goal_subtotal_mismatch(form: Form, ctx: Context) -> Iterator[Hit]:
    for block in goal_blocks(form):
        stated = number(block.score)
        scores = [s for i in block.indicators if (s := number(i.score)) is not None]
        if stated is None or not scores:
            continue
        summed = sum(scores, _ZERO)
        if abs(summed - stated) > ctx.tol.score:
            assert block.score is not None
            yield Hit(
                f"“{block.label}”（{block.name}）得分填报 {fmt(stated)}，其指标得分合计 {' + '.join(fmt(s) for s in scores)} = {fmt(summed)}",
                fmt(summed), fmt(stated), block.score.location, evidence(block.score),
            )


def _missed_hit(i: Indicator, tail: str) -> Hit:
    assert i.actual is not None and i.target is not None
    side = "不低于" if direction(i) == "floor" else "不高于"
    return Hit(
        f"“{i.name}”目标值 {i.target.text}（应{side}目标），实际完成值 {i.actual.text} 未达到，{tail}",
        f"{side} {i.target.text}", i.actual.text, i.actual.location, evidence(i.target, i.actual, i.score),
    )


@rule("score.full_despite_missed_target", "warning", "未达目标仍得满分")
def full_despite_missed_target(form: Form, ctx: Context) -> Iterator[Hit]:
    for i in form.indicators if not goal_blocks(form) else []:
        if misses_target(i, ctx.tol) and full(number(i.score), number(i.weight), ctx.tol):
            yield _missed_hit(i, f"却得满分 {i.score.text if i.score else ''}")
    for block in goal_blocks(form):
        if not full(number(block.score), number(block.weight), ctx.tol):
            continue
        for i in block.indicators:
            if misses_target(i, ctx.tol):
                yield _missed_hit(i, f"所在“{block.label}”却得满分 {block.score.text if block.score else ''}")


@rule("score.deducted_without_reason", "warning", "扣分未说明原因")
def deducted_without_reason(form: Form, ctx: Context) -> Iterator[Hit]:
    for i in form.indicators:
        w, s = number(i.weight), number(i.score)
        if w is None or s is None or s >= w - ctx.tol.score or i.deviation is None:
            continue
        if not is_substantive(i.deviation.text):
            assert i.score is not None
            yield Hit(
                f"“{i.name}”得分 {fmt(s)} 低于分值 {fmt(w)}，偏差原因栏为“{i.deviation.text or '空白'}”，未说明扣分原因",
                "说明扣分原因", i.deviation.text or "空白", i.deviation.location, evidence(i.score, i.deviation),
            )
    if isinstance(form, DeptSelfEval):
        yield from _blocks_without_reason(form, ctx)


def _blocks_without_reason(form: DeptSelfEval, ctx: Context) -> Iterator[Hit]:
    reason = form.deviation_text.text if form.deviation_text else ""
    for block in form.goal_blocks:
        w, s = number(block.weight), number(block.score)
        if w is None or s is None or s >= w - ctx.tol.score:
            continue
        if not is_substantive(reason) or (block.name and key_of(block.name) not in key_of(reason)):
            assert block.score is not None
            yield Hit(
                f"“{block.label}”（{block.name}）得分 {fmt(s)} 低于分值 {fmt(w)}，偏差原因分析中未说明该目标扣分原因",
                "说明扣分原因", "未说明", block.score.location, evidence(block.score),
            )


def _dated(i: Indicator) -> bool:
    t, a = i.target, i.actual
    return t is not None and a is not None and (t.quantity.date or t.quantity.end) is not None \
        and (a.quantity.date or a.quantity.end) is not None


def expected_scores(i: Indicator, ctx: Context) -> list[Decimal] | None:
    """Every score the profile accepts for a quantitative line, or None if not scorable."""
    w, pair, d = number(i.weight), comparable_numbers(i), direction(i)
    if w is not None and pair is None and _dated(i):
        return None if misses_date(i) else [w]  # a deadline met scores full; missed: no formula
    if w is None or pair is None or d is None:
        return None
    target, actual = pair
    if d == "floor":
        return None if target <= 0 else [w * min(actual / target, Decimal(1))]
    if actual <= 0 or actual <= target:
        return [w]
    options = [w * target / actual]
    if ctx.profile.negative_alternative and target > 0:
        options.append(w * max(Decimal(1) - (actual - target) / target, _ZERO))
    return options


@rule("score.formula_mismatch", "warning", "定量指标得分与计分公式不符")
def formula_mismatch(form: Form, ctx: Context) -> Iterator[Hit]:
    for i in form.indicators:
        s, options = number(i.score), expected_scores(i, ctx)
        if s is None or not options or any(abs(s - e) <= ctx.tol.formula for e in options):
            continue
        assert i.score is not None and i.target is not None and i.actual is not None
        shown = " 或 ".join(fmt(e.quantize(Decimal("0.01"))) for e in options)
        kind = "正向" if direction(i) == "floor" else "反向"
        yield Hit(
            f"“{i.name}”目标 {i.target.text}、实际 {i.actual.text}，按{kind}指标公式应得 {shown} 分（分值 {i.weight.text if i.weight else ''}），填报 {i.score.text}",
            shown, i.score.text, i.score.location, evidence(i.target, i.actual, i.score),
        )


@rule("score.missing", "warning", "得分缺失")
def missing(form: Form, ctx: Context) -> Iterator[Hit]:
    if not isinstance(form, SelfEvalBase):
        return
    for i in lines(form):
        if number(i.weight) is not None and (i.score is None or i.score.is_blank):
            assert i.weight is not None
            yield Hit(f"“{i.name}”有分值 {i.weight.text} 但未填得分", "得分", "空白", (i.score or i.weight).location, evidence(i.weight))
    if form.total_score is None or form.total_score.is_blank:
        yield Hit("表中未填写总分（自评得分合计）", "总分", "空白", form.location, ())


@rule("score.grade_mismatch", "info", "评价等级与得分不符")
def grade_mismatch(form: Form, ctx: Context) -> Iterator[Hit]:
    if not isinstance(form, SelfEvalBase) or form.grade is None:
        return
    total = number(form.total_score)
    stated = next((g for g, _ in ctx.profile.grade_bands if g in form.grade.text), None)
    if total is None or stated is None:
        return
    expected = next(g for g, low in ctx.profile.grade_bands if total >= low)
    if expected != stated:
        yield Hit(f"总分 {fmt(total)} 对应等级“{expected}”，表中填报“{stated}”", expected, stated, form.grade.location, evidence(form.grade))
