"""indicator — 指标设置与填报."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from auditor.checks import Context, Hit, rule
from auditor.checks.measure import (
    comparable_numbers,
    direction,
    evidence,
    fmt,
    is_cost,
    lines,
    misses_target,
    number,
    units_compatible,
)
from auditor.checks.text import is_substantive, says_no_deviation
from auditor.forms import Form
from auditor.records import Indicator, SelfEvalBase, Value
from auditor.values import parse_value

_HUNDRED = Decimal(100)



@rule("indicator.cost_direction", "warning", "成本指标目标值方向错误")
def cost_direction(form: Form, ctx: Context) -> Iterator[Hit]:
    for i in lines(form):
        if is_cost(i) and i.target is not None and i.target.quantity.op in (">=", ">"):
            yield Hit(
                f"成本指标“{i.name}”目标值 {i.target.text} 为下限（≥），成本指标应设上限（≤）",
                "≤ 上限", i.target.text, i.target.location, evidence(i.target),
            )


@rule("indicator.unit_mismatch", "warning", "目标值与实际值单位不一致")
def unit_mismatch(form: Form, ctx: Context) -> Iterator[Hit]:
    for i in lines(form):
        t, a = i.target, i.actual
        if t is None or a is None or number(t) is None or number(a) is None:
            continue
        tu, au = t.quantity.unit, a.quantity.unit
        if tu and au and not units_compatible(tu, au):
            yield Hit(
                f"“{i.name}”目标值 {t.text} 的单位“{tu}”与实际完成值 {a.text} 的单位“{au}”不一致，无法比较",
                tu, au, a.location, evidence(t, a),
            )


def _malformed_reasons(i: Indicator) -> Iterator[tuple[str, Value]]:
    for label, v in (("年度指标值", i.target), ("实际完成值", i.actual)):
        if v is None:
            continue
        if set(v.quantity.malformed) & {"doubled_symbol", "garbled"}:
            yield f"“{i.name}”{label}“{v.text}”符号重复或错乱", v
        elif "率" in i.name and v.quantity.unit == "%" and (n := number(v)) is not None and n > _HUNDRED:
            yield f"“{i.name}”为比率，{label} {v.text} 超过100%", v
    name = parse_value(i.name)
    if i.name and name.kind == "number" and not name.malformed and name.label is None:
        where = i.target.location if i.target else i.location
        yield f"三级指标名称栏填的是数值“{i.name}”，而不是指标名称", Value.read(i.name, where)


@rule("indicator.malformed_value", "warning", "指标值格式错误")
def malformed_value(form: Form, ctx: Context) -> Iterator[Hit]:
    for i in lines(form):
        for message, value in _malformed_reasons(i):
            yield Hit(message, "规范的数值或名称", value.text, value.location, (value.text,))


@rule("indicator.type_mismatch", "info", "定性目标与定量实际（或相反）")
def type_mismatch(form: Form, ctx: Context) -> Iterator[Hit]:
    for i in lines(form):
        t, a = i.target, i.actual
        if t is None or a is None or t.is_blank or a.is_blank:
            continue
        tq, aq = t.quantity.is_quantitative, a.quantity.is_quantitative
        if tq != aq:
            kinds = ("定量", "定性") if tq else ("定性", "定量")
            yield Hit(
                f"“{i.name}”目标值“{t.text}”为{kinds[0]}，实际完成值“{a.text}”为{kinds[1]}，口径不一致",
                f"{kinds[0]}值", a.text, a.location, evidence(t, a),
            )


@rule("indicator.missing_actual", "warning", "缺少实际完成值")
def missing_actual(form: Form, ctx: Context) -> Iterator[Hit]:
    if not isinstance(form, SelfEvalBase):
        return
    for i in lines(form):
        if i.target is not None and not i.target.is_blank and i.actual is not None and i.actual.is_blank:
            yield Hit(f"“{i.name}”有目标值 {i.target.text}，但未填实际完成值", "实际完成值", "空白", i.actual.location, evidence(i.target))


@rule("indicator.missing_target", "warning", "缺少目标值")
def missing_target(form: Form, ctx: Context) -> Iterator[Hit]:
    for i in lines(form):
        if is_substantive(i.name) and i.target is not None and i.target.is_blank:
            yield Hit(f"指标“{i.name}”未设置目标值（指标值为空）", "目标值", i.target.text or "空白", i.target.location, (i.name,))


@rule("indicator.deviation_claim_contradicts", "warning", "偏差说明与实际不符")
def deviation_claim_contradicts(form: Form, ctx: Context) -> Iterator[Hit]:
    for i in lines(form):
        d = i.deviation
        if d is not None and d.text and says_no_deviation(d.text) and misses_target(i, ctx.tol):
            assert i.target is not None and i.actual is not None
            yield Hit(
                f"“{i.name}”偏差栏填“{d.text}”，但实际完成值 {i.actual.text} 未达到目标值 {i.target.text}",
                "说明偏差原因", d.text, d.location, evidence(i.target, i.actual, d),
            )


@rule("indicator.overachieved_unexplained", "info", "大幅超额完成未说明")
def overachieved_unexplained(form: Form, ctx: Context) -> Iterator[Hit]:
    threshold = ctx.profile.overachieve_threshold
    for i in lines(form):
        pair = comparable_numbers(i)
        if pair is None or direction(i) != "floor" or pair[0] <= 0:
            continue
        target, actual = pair
        ratio = actual / target * _HUNDRED
        if ratio >= threshold and not (i.deviation and is_substantive(i.deviation.text)):
            assert i.actual is not None and i.target is not None
            yield Hit(
                f"“{i.name}”实际完成值 {i.actual.text} 为目标值 {i.target.text} 的 {fmt(ratio.quantize(Decimal('0.1')))}%，超过 {fmt(threshold)}% 未说明原因（目标是否偏低）",
                f"< {fmt(threshold)}% 或说明原因", f"{fmt(ratio.quantize(Decimal('0.1')))}%", i.actual.location, evidence(i.target, i.actual),
            )
