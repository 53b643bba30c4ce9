"""Read the rows of one form into a draft: a small state machine over the row stream.

Each header row (funds, goal/result, indicators, plan, summary) switches the reader into
that block; a row the current block cannot read ends it and is read as label/value
pairs of the form's header.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from auditor.forms import blocks
from auditor.forms.stream import Item, Para, Row
from auditor.records import (
    CategoryWeight,
    FundsRow,
    GoalBlock,
    Indicator,
    PlanItem,
    SubItem,
    Value,
)


@dataclass
class Draft:
    fields: dict[str, Value] = field(default_factory=dict)
    funds: list[FundsRow] = field(default_factory=list)
    budget_weight: Value | None = None
    goal: Value | None = None
    result: Value | None = None
    indicators: list[Indicator] = field(default_factory=list)
    goal_blocks: list[GoalBlock] = field(default_factory=list)
    category_weights: list[CategoryWeight] = field(default_factory=list)
    total_weight: Value | None = None
    total_score: Value | None = None
    plans: list[PlanItem] = field(default_factory=list)
    sub_items: list[SubItem] = field(default_factory=list)
    sub_items_total: Value | None = None
    has_actual_column: bool = False


@dataclass
class _State:
    block: str | None = None  # "funds" | "goal" | "indicators" | "plan" | "summary"
    money_unit: str | None = None  # "元" when the form says its amounts are in 元
    cmap: blocks.ColumnMap | None = None
    indicator_cmap: blocks.ColumnMap | None = None
    last_indicator: Indicator | None = None
    just_opened: bool = False
    header_row: Row | None = None  # the indicator header just read (its second row may follow)


_YUAN_NOTE = re.compile(r"单位\s*[:：]\s*元|[（(]\s*(?:单位\s*[:：])?\s*元\s*[）)]")


def money_unit(texts: list[str]) -> str | None:
    """"元" when a note or header says the amounts are in 元 (单位：元, 项目资金（元）)."""
    return "元" if any(_YUAN_NOTE.search(t) for t in texts) else None


def read_body(items: list[Item], heading_texts: list[str] | None = None) -> Draft:
    draft, state = Draft(), _State(money_unit=money_unit(heading_texts or []))
    for item in items:
        if isinstance(item, Para) and money_unit([item.text]):
            state.money_unit = "元"
        if isinstance(item, Row) and not item.is_empty:
            _read_row(item, draft, state)
    return draft


def _read_row(row: Row, draft: Draft, state: _State) -> None:
    if _open_block(row, draft, state):
        return
    was_opened, state.just_opened = state.just_opened, False
    if was_opened and state.block == "indicators" and blocks.is_header_fragment(row):
        assert state.cmap is not None
        state.cmap.extend(row)
        return
    if state.block and _read_in_block(row, draft, state):
        return
    state.block = None
    if blocks.is_total_row(row):
        draft.total_weight, draft.total_score = blocks.read_totals(row, state.indicator_cmap)
        return
    label = blocks.goal_block_label(row)
    if label is not None:
        _open_goal_block(row, label, draft)
        return
    for key, value in blocks.label_pairs(row):
        draft.fields.setdefault(key, value)


def _open_block(row: Row, draft: Draft, state: _State) -> bool:
    second_row = state.just_opened and state.block == "indicators" and state.header_row is not None
    if second_row and (blocks.is_indicator_header(row) or blocks.is_sub_header(row)):
        assert state.header_row is not None
        row = blocks.two_row_header(state.header_row, row)
        state.header_row = None
        state.cmap = state.indicator_cmap = blocks.column_map(row, blocks.INDICATOR_COLUMNS, extra=True)
        draft.has_actual_column = draft.has_actual_column or state.cmap.has("actual")
        state.just_opened = True
        return True
    if blocks.is_indicator_header(row):
        state.header_row = row
        cmap = blocks.column_map(row, blocks.INDICATOR_COLUMNS, extra=True)
        state.block, state.cmap, state.indicator_cmap, state.last_indicator = "indicators", cmap, cmap, None
        draft.has_actual_column = draft.has_actual_column or cmap.has("actual")
        if draft.goal_blocks and not draft.goal_blocks[-1].name:
            draft.goal_blocks[-1].name = _block_name(row)
    elif blocks.is_funds_header(row):
        state.block, state.cmap = "funds", blocks.column_map(row, blocks.FUNDS_COLUMNS)
        if money_unit(row.texts):
            state.money_unit = "元"
        weight = blocks.stated_weight(row.texts[row.first_filled() or 0])
        if weight is not None:
            draft.budget_weight = Value.read(f"{weight}", row.location())
    elif blocks.is_goal_header(row):
        state.block, state.cmap = "goal", blocks.goal_columns(row)
    elif blocks.is_summary_header(row):
        state.block, state.cmap = "summary", blocks.column_map(row, blocks.SUMMARY_COLUMNS)
    elif blocks.is_plan_header(row):
        state.block, state.cmap = "plan", blocks.column_map(row, blocks.PLAN_COLUMNS)
    else:
        return False
    state.just_opened = True
    return True


def _read_in_block(row: Row, draft: Draft, state: _State) -> bool:
    cmap = state.cmap
    assert cmap is not None
    if state.block == "funds":
        funds_row = blocks.read_funds_row(row, cmap)
        if funds_row is not None:
            if state.money_unit:
                blocks.in_unit(funds_row, state.money_unit)
            draft.funds.append(funds_row)
        return funds_row is not None
    if state.block == "goal":
        cols = cmap.fields_of(row)
        draft.goal = row.value(*cols["goal"]) if "goal" in cols else None
        draft.result = row.value(*cols["result"]) if "result" in cols else None
        state.block = None
        return True
    if state.block == "indicators":
        return _read_indicator_row(row, draft, state)
    if state.block == "summary":
        return _read_summary_row(row, draft, cmap)
    if state.block == "plan" and _starts_with_label(row):
        return False
    plan = blocks.read_plan(row, cmap)
    if plan is not None:
        draft.plans.append(plan)
    return plan is not None


def _read_indicator_row(row: Row, draft: Draft, state: _State) -> bool:
    if blocks.is_total_row(row) or blocks.goal_block_label(row) is not None:
        return False
    assert state.cmap is not None
    if _starts_with_label(row) and len(row.filled) <= 2 and not _category_only(row, state.cmap):
        return False
    indicator = blocks.read_indicator(row, state.cmap, state.last_indicator)
    if blocks.is_placeholder(indicator):
        state.last_indicator = indicator  # its merged level cells still run on
        return True
    if state.last_indicator is None or indicator.level1 != state.last_indicator.level1:
        weight = blocks.category_weight(indicator)
        if weight is not None:
            draft.category_weights.append(weight)
    state.last_indicator = indicator
    target = draft.goal_blocks[-1].indicators if draft.goal_blocks else draft.indicators
    target.append(indicator)
    return True


def _read_summary_row(row: Row, draft: Draft, cmap: blocks.ColumnMap) -> bool:
    item = blocks.read_sub_item(row, cmap)
    if item is None:
        return False
    if item.name.replace(" ", "") in ("合计", "总计"):
        draft.sub_items_total = item.amount
    else:
        draft.sub_items.append(item)
    return True


def _category_only(row: Row, cmap: blocks.ColumnMap) -> bool:
    """An empty placeholder line inside the indicator table (效益指标 | 经济效益指标 and no
    values): its cells sit in the category columns and name categories."""
    for i in row.filled:
        hit = cmap.field_at(row.cells[i].col)
        if hit is None or hit[0] not in ("level1", "level2") or not blocks.is_category_text(row.texts[i]):
            return False
    return True


def _starts_with_label(row: Row) -> bool:
    """A row whose first grid column holds text: a new section of the form."""
    return bool(row.cells) and row.cells[0].col == 0 and bool(row.texts[0])


def _open_goal_block(row: Row, label: str, draft: Draft) -> None:
    weight = blocks.stated_weight(label)
    scores = [row.value(i) for i in row.filled[1:]]
    draft.goal_blocks.append(
        GoalBlock(
            label=label,
            name="",
            weight=Value.read(f"{weight}", row.location()) if weight is not None else None,
            score=scores[0] if scores else None,
            location=row.location(),
        )
    )


def _block_name(row: Row) -> str:
    first = row.first_filled()
    if first is None or "一级指标" in row.keys[first]:
        return ""
    name = row.texts[first]
    for suffix in ("年度绩效指标", "绩效指标", "年度"):
        name = name.removesuffix(suffix)
    return name
