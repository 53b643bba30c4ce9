"""Readers for the blocks that make up every form: header label/value pairs, the funds
block, the goal/result pair, indicator tables, totals, plans and sub-item summaries.

Columns are found from header words (年初预算数, 三级指标, 实际完成值 …), never from fixed
positions, so a template with other or extra columns (指标性质, 度量单位) still reads.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from auditor.forms.stream import Row, key_of
from auditor.records import (
    Category,
    CategoryWeight,
    FundsKey,
    FundsRow,
    Indicator,
    Location,
    PlanItem,
    SubItem,
    Value,
)

# Header words → field. Checked in order; the first keyword contained in a header wins
# ("=年度" must be the whole header: a two-row header splits 年度 | 指标值).
INDICATOR_COLUMNS: list[tuple[str, tuple[str, ...]]] = [
    ("level1", ("一级指标",)),
    ("level2", ("二级指标",)),
    ("name", ("三级指标", "指标名称")),
    ("deviation", ("偏差", "原因分析")),
    ("weight", ("分值", "权重")),
    ("score", ("得分",)),
    ("target", ("指标值", "目标值", "年度目标", "预期值", "=年度")),
    ("actual", ("完成值", "完成情况", "实际完成", "实际值", "=实际")),
    ("note", ("备注",)),
]
FUNDS_COLUMNS: list[tuple[str, tuple[str, ...]]] = [
    ("initial_budget", ("年初预算",)),
    ("score", ("得分",)),
    ("rate", ("执行率",)),
    ("budget", ("全年预算", "预算数", "调整后预算")),
    ("executed", ("全年执行", "执行数", "实际支出")),
    ("weight", ("分值", "权重")),
]
SUMMARY_COLUMNS: list[tuple[str, tuple[str, ...]]] = [
    ("seq", ("序号",)),
    ("name", ("支出方向", "项目名称", "子项")),
    ("amount", ("金额",)),
    ("long_term_goal", ("实施期",)),
    ("annual_goal", ("年度",)),
]
PLAN_COLUMNS: list[tuple[str, tuple[str, ...]]] = [
    ("item", ("事项",)),
    ("owner", ("责任",)),
    ("goal", ("工作目标", "目标")),
]
FUNDS_LABELS: list[tuple[FundsKey, tuple[str, ...]]] = [
    ("current", ("当年财政拨款", "财政拨款")),
    ("carryover", ("上年结转", "结转资金")),
    ("other", ("其他资金",)),
    ("total", ("资金总额", "支出总额", "合计", "总额")),
    # other templates' sources of funds (其中：中央补助资金 / 省级资金 / 单位自筹 …)
    ("part", ("资金", "拨款", "补助", "自筹", "收入")),
]
TOTAL_LABELS = {"总分", "合计得分", "总得分", "自评总分", "综合得分", "自评得分"}
HEADER_FRAGMENTS = {"指标值", "完成值", "目标值", "值", "完成", "预算数", "执行数"}

_WEIGHT_IN_LABEL = re.compile(r"[（(]\s*(\d+(?:\.\d+)?)\s*分[^）)]*[）)]")
_GOAL_BLOCK = re.compile(r"^年度(?:绩效)?目标\s*(\d+)\s*[:：]?")
_INLINE_PAIR = re.compile(r"^(?:其中[:：]?)?\s*(\D{2,24}?)[:：]\s*(\d[\d,]*(?:\.\d+)?(?:万元|元)?)?$")


@dataclass
class ColumnMap:
    """Which field each grid column holds, from a header row."""

    spans: list[tuple[int, int, str, str]] = field(default_factory=list)  # start, end, field, header

    def field_at(self, col: int) -> tuple[str, str] | None:
        for start, end, name, header in self.spans:
            if start <= col < end:
                return name, header
        return None

    def has(self, name: str) -> bool:
        return any(s[2] == name for s in self.spans)

    def fields_of(self, row: Row) -> dict[str, tuple[int, str]]:
        """field → (cell index in row, header words) for the cells of a data row."""
        out: dict[str, tuple[int, str]] = {}
        for i, cell in enumerate(row.cells):
            hit = self.field_at(cell.col)
            if hit and hit[0] not in out:
                out[hit[0]] = (i, hit[1])
        return out

    def extend(self, row: Row) -> None:
        """Add a second header row's words (年度 + 指标值) to the columns they sit under."""
        for i, cell in enumerate(row.cells):
            if not row.texts[i]:
                continue
            for k, (start, end, name, header) in enumerate(self.spans):
                if start <= cell.col < end:
                    self.spans[k] = (start, end, name, header + row.texts[i])


def _matches(word: str, key: str) -> bool:
    return key == word[1:] if word.startswith("=") else word in key


def column_map(row: Row, vocabulary: list[tuple[str, tuple[str, ...]]], extra: bool = False) -> ColumnMap:
    """Columns named by a header row. With ``extra``, unknown headers right of the first
    known one (指标性质, 度量单位 …) are kept as ``extra:<header>``."""
    spans: list[tuple[int, int, str, str]] = []
    seen: set[str] = set()
    for i, cell in enumerate(row.cells):
        key = row.keys[i]
        if not key:
            continue
        name = next((f for f, words in vocabulary if f not in seen and any(_matches(w, key) for w in words)), None)
        if name is None and extra and spans:
            name = "extra:" + key
        if name is None:
            continue
        seen.add(name)
        spans.append((cell.col, cell.col + cell.colspan, name, row.texts[i]))
    return ColumnMap(spans)


def _has_words(row: Row, *groups: tuple[str, ...]) -> bool:
    keys = row.all_keys  # one scan of the joined keys, not one per cell (NUL is in no word)
    return all(any(w in keys for w in words) for words in groups)


def is_indicator_header(row: Row) -> bool:
    return _has_words(row, ("一级指标", "二级指标"), ("三级指标", "指标名称", "指标值", "目标值"))


def is_funds_header(row: Row) -> bool:
    return _has_words(row, ("预算数", "预算"), ("执行数", "全年执行"))


def is_goal_header(row: Row) -> bool:
    return _has_words(row, ("预期目标",), ("实际完成",))


def is_plan_header(row: Row) -> bool:
    return _has_words(row, ("事项",), ("工作目标", "责任"))


def is_summary_header(row: Row) -> bool:
    return _has_words(row, ("序号",), ("金额",), ("支出方向", "项目名称", "子项"))


def is_header_fragment(row: Row) -> bool:
    return bool(row.filled) and all(row.keys[i] in HEADER_FRAGMENTS for i in row.filled)


def is_total_row(row: Row) -> bool:
    first = row.first_filled()
    return first is not None and row.keys[first] in TOTAL_LABELS


def goal_block_label(row: Row) -> str | None:
    first = row.first_filled()
    if first is None or not _GOAL_BLOCK.match(row.texts[first]):
        return None
    return row.texts[first]


def stated_weight(text: str) -> Decimal | None:
    """The weight a label states in brackets: 产出指标(50分) → 50."""
    m = _WEIGHT_IN_LABEL.search(text)
    return Decimal(m.group(1)) if m else None


def label_pairs(row: Row) -> list[tuple[str, Value]]:
    """A header row's label → value pairs: "项目名称 | X", "主管部门 | X | 实施单位 | Y",
    and cells that hold both ("其中：基本支出：1372.76")."""
    idx = [i for i, c in enumerate(row.cells) if not c.continuation]
    while idx and not row.texts[idx[0]]:
        idx.pop(0)
    inline = [(i, m) for i in idx if (m := _INLINE_PAIR.match(row.texts[i]))]
    if inline:
        return [(key_of(m.group(1)), _inline_value(row, i, m.group(2) or "")) for i, m in inline]
    pairs = []
    for a, b in zip(idx[::2], idx[1::2]):
        if row.texts[a] and not _is_number(row.texts[a]):
            pairs.append((_label_key(row.texts[a]), row.value(b, row.texts[a])))
    return pairs


def _inline_value(row: Row, i: int, text: str) -> Value:
    return Value.read(text, Location.of(row.cells[i].prov, row.texts[i].split("：")[0]))


def _label_key(text: str) -> str:
    key = key_of(text)
    return key[2:] if key.startswith("其中") and len(key) > 3 else key


def _is_number(text: str) -> bool:
    return bool(re.fullmatch(r"[\d.,%]+", text))


def read_funds_row(row: Row, cmap: ColumnMap) -> FundsRow | None:
    """A funds line, found by its label in any column the header leaves unnamed (the
    block's own label, e.g. （万元） carried over a page break, may sit beside it)."""
    for i in row.filled:
        if cmap.field_at(row.cells[i].col) is not None:
            continue
        key = next((k for k, words in FUNDS_LABELS if any(w in row.keys[i] for w in words)), None)
        if key is None:
            continue
        values = {name: row.value(j, header) for name, (j, header) in cmap.fields_of(row).items()}
        if key == "part" and not any(_plain_amount(values.get(f)) for f in ("initial_budget", "budget", "executed")):
            return None  # a label that only mentions funds (按收入性质分): not a line of amounts
        return FundsRow(key=key, label=row.texts[i], location=row.location(), **values)
    return None


def _plain_amount(value: Value | None) -> bool:
    q = value.quantity if value is not None else None
    return q is not None and q.kind == "number" and q.label is None and q.unit in (None, "万元", "万", "元")


def category_of(level1: str, level2: str) -> Category:
    k1, k2 = key_of(level1), key_of(level2)
    for words, cat in (("效益", "效益指标"), ("满意", "满意度指标")):
        if words in k2:
            return cat  # type: ignore[return-value]
    for words, cat in (
        ("产出", "产出指标"), ("效益", "效益指标"), ("满意", "满意度指标"), ("成本", "成本指标"),
        ("决策", "决策"), ("过程", "过程"), ("管理", "管理"), ("投入", "投入"),
    ):
        if words in k1:
            return cat  # type: ignore[return-value]
    if any(w in k2 for w in ("数量", "质量", "时效", "成本")):
        return "产出指标"
    return "其他"


def read_indicator(row: Row, cmap: ColumnMap, previous: Indicator | None) -> Indicator:
    cols = cmap.fields_of(row)

    def text(name: str) -> str:
        return row.texts[cols[name][0]] if name in cols else ""

    def value(name: str) -> Value | None:
        return row.value(cols[name][0], cols[name][1]) if name in cols else None

    target, actual = _completed_values(row, cols, value("target"), value("actual"))
    level1 = text("level1") or (previous.level1 if previous else "")
    level2 = text("level2") or (previous.level2 if previous and not text("level1") else "")
    name = text("name")
    extra = {header: row.value(i, header) for f, (i, header) in cols.items() if f.startswith("extra:")}
    return Indicator(
        level1=level1, level2=level2, name=name, category=category_of(level1, level2),
        target=target, actual=actual, weight=value("weight"), score=value("score"),
        deviation=value("deviation"), note=value("note"), extra=extra, location=row.location(),
    )


_NATURE_OPS = {"≥": ">=", ">=": ">=", "＞": ">", ">": ">", "≤": "<=", "<=": "<=", "＜": "<", "<": "<",
               "=": "=", "＝": "=", "正向": ">=", "正向指标": ">=", "反向": "<=", "反向指标": "<="}


def _completed_values(
    row: Row, cols: dict[str, tuple[int, str]], target: Value | None, actual: Value | None
) -> tuple[Value | None, Value | None]:
    """Sichuan-style tables put the operator (指标性质) and the unit (度量单位) in columns of
    their own; the target and actual cells then mean operator + number + unit."""
    op = unit = ""
    for name, (i, _) in cols.items():
        if not name.startswith("extra:"):
            continue
        if "性质" in name:
            op = _NATURE_OPS.get(row.texts[i], "")
        elif "单位" in name:
            unit = row.texts[i]
    if not op and not unit:
        return target, actual
    return _with_parts(target, op, unit), _with_parts(actual, "", unit)


def _with_parts(value: Value | None, op: str, unit: str) -> Value | None:
    if value is None or value.quantity.kind != "number":
        return value
    meaning = (op if value.quantity.op is None else "") + value.text + (unit if value.quantity.unit is None else "")
    return Value.read(value.text, value.location, value.source, meaning)


def is_placeholder(indicator: Indicator) -> bool:
    """A line that only holds "/" or "无" (经济效益指标 | / | / …): no indicator set."""
    values = (indicator.target, indicator.actual, indicator.weight, indicator.score)
    return _is_blank_text(indicator.name) and all(v is None or v.is_blank for v in values)


def _is_blank_text(text: str) -> bool:
    return key_of(text) in ("", "/", "／", "—", "——", "-", "无")


def category_weight(indicator: Indicator) -> CategoryWeight | None:
    weight = stated_weight(indicator.level1)
    if weight is None:
        return None
    name = _WEIGHT_IN_LABEL.sub("", indicator.level1)
    return CategoryWeight(name=name, weight=weight, text=indicator.level1, location=indicator.location)


def read_totals(row: Row, cmap: ColumnMap | None) -> tuple[Value | None, Value | None]:
    """(total weight, total score) from a 总分 row: with a 分值 column the two cells after
    the label are weight and score in that order (a blank one stays blank); without,
    the first number is the score."""
    label = row.first_filled()
    assert label is not None
    after = [i for i in range(label + 1, len(row.cells)) if not row.cells[i].continuation]
    if cmap is not None and cmap.has("weight") and len(after) >= 2:
        return row.value(after[0]), row.value(after[1])
    numbers = [row.value(i) for i in after if row.value(i).quantity.number is not None]
    return None, (numbers[0] if numbers else None)


def read_plan(row: Row, cmap: ColumnMap) -> PlanItem | None:
    cols = cmap.fields_of(row)
    texts = {name: row.texts[i] for name, (i, _) in cols.items()}
    if not texts.get("item"):
        return None
    return PlanItem(item=texts["item"], owner=texts.get("owner", ""), goal=texts.get("goal", ""), location=row.location())


def read_sub_item(row: Row, cmap: ColumnMap) -> SubItem | None:
    cols = cmap.fields_of(row)
    texts = {name: row.texts[i] for name, (i, _) in cols.items()}
    if not texts.get("name"):
        return None
    amount = row.value(*cols["amount"]) if "amount" in cols else None
    return SubItem(
        seq=texts.get("seq", ""), name=texts["name"], amount=amount,
        long_term_goal=texts.get("long_term_goal", ""), annual_goal=texts.get("annual_goal", ""),
        location=row.location(),
    )
