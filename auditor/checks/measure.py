"""Reading numbers off records the way the rules need them: money in 万元, rates in
percent, the direction of a target (floor or cap) and whether an actual meets it."""

from __future__ import annotations

import re
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from typing import Literal

from auditor.records import (
    DeptSelfEval,
    FormBase,
    FundsRow,
    GoalBlock,
    Indicator,
    Location,
    SelfEvalBase,
    Value,
)
from auditor.settings import Tolerances

Direction = Literal["floor", "cap"]
_WAN = Decimal(10000)
_HUNDRED = Decimal(100)
_SAME_UNIT = {"万": "万元", "元/年": "元", "人次": "人次"}
_COMPATIBLE = [{"个月", "月"}, {"日", "天"}]
_PER_YEAR = {"月": 12, "季度": 4, "季": 4, "半年": 2, "年": 1, "周": 52}
# An amount in 万元 written in text. It starts where a number starts (not after a digit,
# nor after "digit,"), so that a long run of digits and commas is scanned once, not once
# per position (which was quadratic).
NUMBER_START = r"(?<!\d)(?<!\d,)"
AMOUNT_WAN = re.compile(NUMBER_START + r"(\d[\d,]*(?:\.\d+)?)万元")


class Evidence(tuple[str, ...]):
    """A finding's evidence texts, remembering where the OCR'd ones of low confidence are."""

    uncertain: tuple[Location, ...] = ()


def evidence(*values: Value | None) -> Evidence:
    """The cells' own texts, for a finding's evidence (blank and missing cells left out)."""
    out = Evidence(v.text for v in values if v is not None and v.text)
    out.uncertain = tuple(v.location for v in values if v is not None and v.text and v.location.uncertain)
    return out


def total_row(form: FormBase) -> FundsRow | None:
    """The 年度资金总额 line of a self-evaluation form."""
    return form.funds_row("total") if isinstance(form, SelfEvalBase) else None


def goal_blocks(form: FormBase) -> list[GoalBlock]:
    return form.goal_blocks if isinstance(form, DeptSelfEval) else []


def lines(form: FormBase) -> list[Indicator]:
    """Every indicator line, goal blocks included."""
    return [*form.indicators, *(i for block in goal_blocks(form) for i in block.indicators)]


def fmt(d: Decimal | None) -> str:
    """A number as a person writes it: no exponent, no trailing zeros."""
    if d is None:
        return "—"
    text = format(d, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


def amount_text(value: Value | None) -> str:
    """An amount cell as the form writes it, with its unit: "31.6 万元", "1,080,000.00 元"."""
    if value is None or not value.text:
        return "空白"
    unit = value.quantity.unit
    if value.text.endswith(("元", "万")):
        return value.text
    return f"{value.text} {unit or '万元'}"


def pct(d: Decimal | None) -> str:
    return "—" if d is None else f"{fmt(d.quantize(Decimal('0.01'), ROUND_HALF_UP))}%"


def number(value: Value | None) -> Decimal | None:
    """The number of a single-number cell ("10分", "523.12万", "=5套"), else None."""
    if value is None or value.quantity.kind != "number":
        return None
    return value.quantity.number


def money(value: Value | None, name: str = "") -> Decimal | None:
    """An amount in 万元: a bare number (the block is in 万元), 万/万元, or 元 (÷10000)."""
    n = number(value)
    if n is None or value is None:
        return None
    unit = value.quantity.unit or ("元" if name.endswith(("（元）", "(元)")) else None)
    if unit == "元":
        return n / _WAN
    if unit in (None, "万", "万元"):
        return n
    return None


def is_money(value: Value | None, name: str = "") -> bool:
    """The cell states an amount of money (unit 万元/万/元, or 万元 named in the indicator)."""
    if number(value) is None or value is None:
        return False
    unit = value.quantity.unit
    return unit in ("万", "万元", "元", "亿元") or (unit is None and ("万元" in name or "（元）" in name))


def rate(value: Value | None) -> Decimal | None:
    """A rate in percent: "78.43%" → 78.43; a bare fraction ≤ 1.5 ("0.95") → 95."""
    n = number(value)
    if n is None or value is None:
        return None
    if value.quantity.unit == "%":
        return n
    if value.quantity.unit is None and n <= Decimal("1.5"):
        return n * _HUNDRED
    return None


def execution_rate(executed: Decimal, budget: Decimal) -> Decimal | None:
    return None if budget == 0 else executed / budget * _HUNDRED


def is_cost(indicator: Indicator) -> bool:
    return "成本" in indicator.level2 or indicator.category == "成本指标" or "成本" in indicator.level1


def direction(indicator: Indicator) -> Direction | None:
    """≥ > are floors, ≤ < caps; "=" and a bare number are floors, except for 成本指标."""
    target = indicator.target
    if target is None or not target.quantity.is_quantitative:
        return None
    op = target.quantity.op
    if op in (">=", ">"):
        return "floor"
    if op in ("<=", "<"):
        return "cap"
    return "cap" if is_cost(indicator) else "floor"


def unit_family(unit: str | None) -> str | None:
    return _SAME_UNIT.get(unit, unit) if unit else None


def per_year(unit: str | None) -> tuple[str | None, int]:
    """A frequency unit and how many of its periods make a year: 次/季度 → (次, 4)."""
    if unit and "/" in unit:
        base, period = unit.split("/", 1)
        if period in _PER_YEAR:
            return base, _PER_YEAR[period]
    return unit, 1


def units_compatible(a: str | None, b: str | None) -> bool:
    ua, ub = unit_family(per_year(a)[0]), unit_family(per_year(b)[0])
    if ua is None or ub is None or ua == ub:
        return True
    return any({ua, ub} <= pair for pair in _COMPATIBLE)


def comparable_numbers(indicator: Indicator) -> tuple[Decimal, Decimal] | None:
    """(target, actual) as numbers on one scale, when both are single numbers in
    compatible units (每月一次 against 12次 compares 12 with 12)."""
    t, a = indicator.target, indicator.actual
    tn, an = number(t), number(a)
    if tn is None or an is None or t is None or a is None:
        return None
    tu, au = t.quantity.unit, a.quantity.unit
    if not units_compatible(tu, au):
        return None
    (_, t_periods), (_, a_periods) = per_year(tu), per_year(au)
    tn, an = tn * t_periods, an * a_periods  # 每季度1次 against 3次: 4 a year against 3
    if tu == "万元" and au == "元":
        an /= _WAN
    return tn, an


def misses_date(indicator: Indicator) -> bool:
    """A date target (a deadline: 2021年12月前, 2020.12.10, or a period's end) missed by a
    later actual date."""
    t, a = indicator.target, indicator.actual
    if t is None or a is None:
        return False
    deadline = t.quantity.end or t.quantity.date
    done = a.quantity.end or a.quantity.date
    return deadline is not None and done is not None and done > deadline


def misses_target(indicator: Indicator, tol: Tolerances) -> bool:
    """The actual is on the wrong side of a quantitative target (beyond tolerance)."""
    if misses_date(indicator):
        return True
    d = direction(indicator)
    pair = comparable_numbers(indicator)
    if d is None or pair is None:
        return False
    target, actual = pair
    slack = max(tol.score, abs(target) * tol.money_rel)
    return actual < target - slack if d == "floor" else actual > target + slack


def full(score: Decimal | None, weight: Decimal | None, tol: Tolerances) -> bool:
    return score is not None and weight is not None and abs(score - weight) <= tol.score


def two_decimals(d: Decimal) -> tuple[Decimal, Decimal]:
    """The value rounded and truncated to 2 decimals (both are accepted)."""
    q = Decimal("0.01")
    return d.quantize(q, ROUND_HALF_UP), d.quantize(q, ROUND_DOWN)
