"""dept — 部门整体: totals of the split, sub-item sums, and the same item in two tables."""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal

from auditor.checks import Context, Hit, rule
from auditor.checks.measure import NUMBER_START, fmt, money, total_row
from auditor.forms import Form
from auditor.forms.stream import key_of
from auditor.records import (
    DeptSelfEval,
    DeptTargets,
    Indicator,
    ProjectSelfEval,
    ProjectTargets,
    SelfEvalBase,
    Value,
)

_ZERO = Decimal(0)


def _spending(form: Form, word: str) -> Value | None:
    spending = getattr(form, "spending", {})
    return next((v for k, v in spending.items() if word in k), None)


def _stated_totals(form: Form) -> list[Value]:
    if isinstance(form, DeptTargets):
        return [v for v in (form.total_amount,) if v is not None]
    if isinstance(form, DeptSelfEval) and (row := form.funds_row("total")):
        return [v for v in (row.budget, row.executed) if v is not None]
    return []


@rule("dept.total_mismatch", "error", "基本支出与项目支出之和不等于总额")
def total_mismatch(form: Form, ctx: Context) -> Iterator[Hit]:
    basic, project = _spending(form, "基本支出"), _spending(form, "项目支出")
    totals = [(v, m) for v in _stated_totals(form) if (m := money(v)) is not None]
    b, p = money(basic), money(project)
    if b is None or p is None or not totals or basic is None or project is None:
        return
    if not any(ctx.tol.money_equal(b + p, m) for _, m in totals):
        shown = " / ".join(f"{fmt(m)}" for _, m in totals)
        yield Hit(
            f"基本支出 {fmt(b)} + 项目支出 {fmt(p)} = {fmt(b + p)} 万元，与总额 {shown} 万元均不符",
            shown, fmt(b + p), basic.location, (basic.text, project.text, *(v.text for v, _ in totals)),
        )


@rule("dept.item_sum_mismatch", "error", "分项金额之和与合计不符")
def item_sum_mismatch(form: Form, ctx: Context) -> Iterator[Hit]:
    if isinstance(form, DeptTargets) and form.sub_items:
        yield from _sub_items_sum(form, ctx)
    report = form.report
    if report is not None:
        yield from _report_sums(report.text, ctx, report.location)


def _sub_items_sum(form: DeptTargets, ctx: Context) -> Iterator[Hit]:
    amounts = [m for s in form.sub_items if (m := money(s.amount)) is not None]
    # The items add up to the summary's 合计; else to the department's whole budget when
    # its basic spending is one of them, else to its project spending.
    whole = any("基本支出" in s.name for s in form.sub_items)
    total = money(form.sub_items_total) or (
        money(form.total_amount) if whole else money(_spending(form, "项目支出"))
    )
    named = "合计" if money(form.sub_items_total) is not None else ("资金总额" if whole else "项目支出")
    if not amounts or total is None:
        return
    summed = sum(amounts, _ZERO)
    if not ctx.tol.money_equal(summed, total):
        where = (form.sub_items_total or form.sub_items[0].amount)
        assert where is not None
        yield Hit(
            f"各子项金额 {' + '.join(fmt(a) for a in amounts)} = {fmt(summed)} 万元，与{named} {fmt(total)} 万元不符",
            fmt(total), fmt(summed), where.location, tuple(s.amount.text for s in form.sub_items if s.amount),
        )


# A list of the parts of an amount: "X万元，其中…", "X万元。具体是：…", "包括…".
_INTRODUCER = r"(?:其中|主要包括|具体包括|具体是|具体为|分别为|分别是|包括|含)"
_TOTAL_THEN_LIST = re.compile(
    NUMBER_START + r"(\d[\d,]*(?:\.\d+)?)\s*(万元|元)[，,。；;：:]?\s*(?:[^。；;，,\d]{0,8}[，,：:]?)?\s*" + _INTRODUCER + r"\s*[：:]?"
)
_AMOUNT_ANY = re.compile(NUMBER_START + r"(\d[\d,]*(?:\.\d+)?)\s*(万元|元)")
_BRACKETED = re.compile(r"[（(][^（()）]*[）)]")
# A clause about another measure ends a list of parts.
_OTHER_MEASURE = re.compile(r"执行率|完成率|结余|节约|剩余|差额|同比|增长|下降|增加|减少|占比|比例|%")
_CLAUSE = re.compile(r"[^，,；;、]+")


def _wan(number: str, unit: str) -> Decimal:
    n = Decimal(number.replace(",", ""))
    return n / 10000 if unit == "元" else n


def report_list(text: str, start: int) -> list[tuple[Decimal, str]]:
    """The amounts listed from ``start`` to the sentence end, clause by clause; a clause
    without an amount after the first item, or about another measure, ends the list.
    Amounts in brackets (a part's own parts) are left out."""
    end = text.find("。", start)
    body = _BRACKETED.sub("", text[start : end if end >= 0 else len(text)])
    body = re.split(r"[）)]", body, maxsplit=1)[0]  # a list opened inside brackets ends with them
    items: list[tuple[Decimal, str]] = []
    for clause in _CLAUSE.findall(body):
        amounts = _AMOUNT_ANY.findall(clause)
        if _OTHER_MEASURE.search(clause) or (items and not amounts):
            break
        items += [(_wan(n, u), f"{n}{u}") for n, u in amounts[:1]]
    return items


def _report_sums(text: str, ctx: Context, location: object) -> Iterator[Hit]:
    """"X万元，其中A万元，…B万元。" or "X万元。具体是：A万元；B万元。": the listed parts
    against the total before them (two parts at least)."""
    for m in _TOTAL_THEN_LIST.finditer(text):
        items = report_list(text, m.end())
        total = _wan(m.group(1), m.group(2))
        summed = sum((n for n, _ in items), _ZERO)
        if len(items) >= 2 and not ctx.tol.money_equal(summed, total):
            stated = f"{m.group(1)}{m.group(2)}"
            yield Hit(
                f"报告中“{stated}”所列分项 {' + '.join(fmt(n) for n, _ in items)} = {fmt(summed)} 万元，与总额 {fmt(total)} 万元不符",
                fmt(total), fmt(summed), location, (m.group(0), *(t for _, t in items)),  # type: ignore[arg-type]
            )


def _own_amounts(form: Form) -> set[Decimal]:
    """Every amount the form states for itself: a budget line scaled to the form's own
    money (总费用控制 80万元以内 in an 80万元 table) is not a cross-table conflict."""
    values: list[Value | None] = []
    if isinstance(form, ProjectTargets):
        values = [form.amount]
    elif isinstance(form, DeptTargets):
        values = [form.total_amount, form.sub_items_total, *form.spending.values()]
    elif isinstance(form, SelfEvalBase) and (row := form.funds_row("total")):
        values = [row.budget, row.executed, *getattr(form, "spending", {}).values()]
    return {m for v in values if (m := money(v)) is not None}


def _comparable(a: Indicator, fa: Form, b: Indicator, fb: Form) -> bool:
    """Two targets that state one measure: both quantitative, and not each table's own budget."""
    assert a.target is not None and b.target is not None
    if not (a.target.quantity.is_quantitative and b.target.quantity.is_quantitative):
        return False
    ma, mb = money(a.target, a.name), money(b.target, b.name)
    return not (ma is not None and mb is not None and ma in _own_amounts(fa) and mb in _own_amounts(fb))


def _budget(form: Form) -> Decimal | None:
    row = total_row(form)
    return money(row.budget) if row else None


@rule("dept.cross_table_mismatch", "warning", "同一事项在不同表中数值不一致")
def cross_table_mismatch(form: Form, ctx: Context) -> Iterator[Hit]:
    if not isinstance(form, (ProjectTargets, ProjectSelfEval)):
        return
    for parent in ctx.forms:
        if isinstance(parent, (DeptTargets, DeptSelfEval)):
            yield from _same_indicators(form, parent)
            yield from _same_amounts(form, parent, ctx)


def _same_indicators(form: Form, parent: Form) -> Iterator[Hit]:
    theirs = {key_of(i.name): i for i in parent.indicators if i.name and i.target and not i.target.is_blank}
    for mine in form.indicators:
        other = theirs.get(key_of(mine.name))
        if other is None or mine.target is None or mine.target.is_blank:
            continue
        assert other.target is not None
        if key_of(mine.target.text) != key_of(other.target.text) and _comparable(mine, form, other, parent):
            yield Hit(
                f"“{mine.name}”在本表目标值为 {mine.target.text}，在“{parent.heading or parent.title}”中为 {other.target.text}",
                other.target.text, mine.target.text, mine.target.location, (mine.target.text, other.target.text),
            )


def _same_amounts(form: Form, parent: Form, ctx: Context) -> Iterator[Hit]:
    if not isinstance(parent, DeptTargets):
        return
    own = next(iter(_own_amounts(form)), None) if isinstance(form, ProjectTargets) else _budget(form)
    title = key_of(form.title)
    for item in parent.sub_items:
        name = key_of(item.name)
        stated = money(item.amount)
        if own is None or stated is None or not name or not (name in title or title in name):
            continue
        if not ctx.tol.money_equal(own, stated):
            assert item.amount is not None
            yield Hit(
                f"“{form.title}”本表金额 {fmt(own)} 万元，汇总表中“{item.name}”为 {fmt(stated)} 万元",
                fmt(stated), fmt(own), item.amount.location, (item.amount.text,),
            )
