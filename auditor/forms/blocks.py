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
from auditor.values import parse_value
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
    ("deviation", ("偏差", "原因分析", "未完成原因", "原因说明", "扣分原因")),
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
    ("budget", ("全年预算", "调整后预算", "调整预算", "预算数")),
    ("executed", ("全年执行", "执行数", "实际支出", "支出数", "决算数")),
    ("weight", ("分值", "权重")),
    ("note", ("原因", "说明")),
]
SUMMARY_COLUMNS: list[tuple[str, tuple[str, ...]]] = [
    ("seq", ("序号",)),
    ("name", ("支出方向", "项目名称", "子项", "支出项目")),
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
TOTAL_LABELS = {
    "总分", "合计得分", "总得分", "自评总分", "综合得分", "自评得分", "合计", "总计", "得分合计", "分值合计",
    "自评得分合计", "总分值", "评价总分", "绩效评价总分", "自评总得分", "综合评分", "评分合计",
}
HEADER_FRAGMENTS = {"指标值", "完成值", "目标值", "值", "完成", "预算数", "执行数"}

_WEIGHT_IN_LABEL = re.compile(r"[（(]\s*(\d+(?:\.\d+)?)\s*分[^）)]*[）)]")
_GOAL_BLOCK = re.compile(r"^年度(?:绩效)?目标\s*(\d+)\s*[:：]?")
_INLINE_PAIR = re.compile(r"^(?:其中[:：]?)?\s*(\D{2,24}?)[:：]\s*(\d[\d,]*(?:\.\d+)?(?:万元|元)?)?$")


@dataclass
class ColumnMap:
    """Which field each grid column holds, from a header row."""

    spans: list[tuple[int, int, str, str]] = field(default_factory=list)  # start, end, field, header
    width: int = 0  # grid columns of the header row

    def field_at(self, col: int) -> tuple[str, str] | None:
        for start, end, name, header in self.spans:
            if start <= col < end:
                return name, header
        return None

    def has(self, name: str) -> bool:
        return any(s[2] == name for s in self.spans)

    def fields_of(self, row: Row, shift: int = 0) -> dict[str, tuple[int, str]]:
        """field → (cell index in row, header words) for the cells of a data row (with
        ``shift``, the row's cells sit that many columns further right)."""
        out: dict[str, tuple[int, str]] = {}
        for i, cell in enumerate(row.cells):
            hit = self.field_at(cell.col + shift)
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
    """Columns named by a header row. Each field takes the cell its most specific word
    names (a field's words are listed most specific first: 调整后预算 before 预算数, so a
    group label 年度预算数（万元） does not take the budget column); a cell serves one field.
    With ``extra``, unknown headers right of the first known one (指标性质, 度量单位 …) are
    kept as ``extra:<header>``."""
    claimed: dict[int, str] = {}
    for name, words in vocabulary:
        for word in words:
            hit = next((i for i, k in enumerate(row.keys) if k and i not in claimed and _matches(word, k)), None)
            if hit is not None:
                claimed[hit] = name
                break
    first_known = min(claimed, default=len(row.cells))
    spans: list[tuple[int, int, str, str]] = []
    for i, cell in enumerate(row.cells):
        name = claimed.get(i)
        if name is None and extra and i > first_known and row.keys[i]:
            name = "extra:" + row.keys[i]
        if name is not None:
            spans.append((cell.col, cell.col + cell.colspan, name, row.texts[i]))
    width = max((c.col + c.colspan for c in row.cells), default=0)
    return ColumnMap(spans, width)


# A header cell is short; a longer cell holding header words is a printed note (a 原因
# cell quoting the filling instructions), not a header.
HEADER_CELL_MAX = 20


def _header_keys(row: Row) -> list[str]:
    return [k for k in row.keys if k and len(k) <= HEADER_CELL_MAX]


def _has_words(row: Row, *groups: tuple[str, ...]) -> bool:
    keys = _header_keys(row)
    return all(any(any(w in k for w in words) for k in keys) for words in groups)


def _count_groups(row: Row, *groups: tuple[str, ...]) -> int:
    keys = _header_keys(row)
    return sum(any(any(w in k for w in words) for k in keys) for words in groups)


_VALUE_HEADERS = (
    ("指标值", "目标值", "年度目标", "预期值", "计划值"),
    ("完成值", "实际值", "实际完成", "完成情况"),
    ("分值", "权重"),
    ("得分",),
)


def is_indicator_header(row: Row) -> bool:
    """一级指标/二级指标 with 三级指标 or a value column; or, in templates without levels,
    an indicator-name column with at least two of target, actual, weight and score."""
    if _has_words(row, ("一级指标", "二级指标"), ("三级指标", "指标名称", "指标值", "目标值")):
        return True
    return _has_words(row, ("三级指标", "指标名称", "指标内容", "绩效指标")) and _count_groups(row, *_VALUE_HEADERS) >= 2


def is_funds_header(row: Row) -> bool:
    return _has_words(row, ("预算数", "预算"), ("执行数", "全年执行", "实际支出", "支出数", "决算数"))


def is_goal_header(row: Row) -> bool:
    """A goal beside its completion: 预期目标 | 实际完成情况, 年度目标 | 完成情况 …"""
    keys = _header_keys(row)
    goal = any("预期目标" in k or (k.endswith("目标") and "指标" not in k) for k in keys)
    done = any(("实际完成" in k or "完成情况" in k or k.endswith("完成值")) and "指标" not in k for k in keys)
    return goal and done


def goal_columns(row: Row) -> ColumnMap:
    """The goal and completion columns of a goal header: 预期目标 | 实际完成情况 as in the
    standard form, else any …目标 | …完成情况 pair (the block's own label, 年度总体目标, in
    the first column, is left out when two other columns name the pair)."""
    cmap = column_map(row, [("goal", ("预期目标",)), ("result", ("实际完成",))])
    if cmap.has("goal") and cmap.has("result"):
        return cmap
    filled = [i for i in row.filled if len(row.keys[i]) <= HEADER_CELL_MAX]
    generic = [("goal", ("目标",)), ("result", ("实际完成", "完成情况", "完成值"))]
    if len(filled) >= 3:
        sub = Row(cells=[row.cells[i] for i in filled[1:]], texts=[row.texts[i] for i in filled[1:]],
                  keys=[row.keys[i] for i in filled[1:]])
        cmap = column_map(sub, generic)
        if cmap.has("goal") and cmap.has("result"):
            return cmap
    return column_map(row, generic)


def is_plan_header(row: Row) -> bool:
    return _has_words(row, ("事项",), ("工作目标", "责任"))


def is_summary_header(row: Row) -> bool:
    """A list of sub-items with amounts: 序号 | 支出方向 | 金额 …, or 部门职能 | 年度目标任务 |
    支出项目名称 | 预算金额 (a department's 年度履职目标)."""
    return _has_words(row, ("金额",), ("支出方向", "项目名称", "子项", "支出项目"))


def is_header_fragment(row: Row) -> bool:
    return bool(row.filled) and all(row.keys[i] in HEADER_FRAGMENTS for i in row.filled)


# The sub-columns a two-row header splits 年度指标值 into (指标性质 | 指标值 | 度量单位).
SUB_HEADER_WORDS = ("性质", "单位", "指标值", "目标值", "标准值", "完成值", "实际值", "分值", "得分", "方向", "类型")


def is_sub_header(row: Row) -> bool:
    """A header's second row: short header words only, such as 指标性质 | 指标值 | 度量单位."""
    keys = [row.keys[i] for i in row.filled]
    return bool(keys) and len(keys) >= 2 and all(len(k) <= 8 and any(w in k for w in SUB_HEADER_WORDS) for k in keys)


def two_row_header(upper: Row, lower: Row) -> Row:
    """One header from a header written over two rows: the lower row's own words, and the
    upper row's words for the columns whose header spans both rows (left blank in the
    lower row: 一级指标 … on the left, 实际完成值 | 分值 | 得分 | 偏差 on the right)."""
    if [c.col for c in upper.cells] == [c.col for c in lower.cells]:  # one grid: words stack (年度 + 指标值)
        texts = [u + w if w and u != w else (u or w) for u, w in zip(upper.texts, lower.texts)]
        return Row(cells=lower.cells, texts=texts, keys=[key_of(t) for t in texts])
    texts = list(lower.texts)
    filled = lower.filled
    lead = filled[0] if filled else len(texts)
    trail = len(texts) - 1 - filled[-1] if filled else 0
    up = [upper.texts[i] for i in upper.filled]
    for k in range(min(lead, len(up))):
        texts[k] = up[k]
    for k in range(1, min(trail, len(up)) + 1):
        texts[-k] = up[-k]
    return Row(cells=lower.cells, texts=texts, keys=[key_of(t) for t in texts])


def total_label_key(text: str) -> str:
    """A total's label without the weight it states: 总分（100分） → 总分."""
    return key_of(_WEIGHT_IN_LABEL.sub("", text))


def is_total_row(row: Row) -> bool:
    """总分 / 合计 / 综合得分 … (总分（100分） too), followed by at least one number."""
    first = row.first_filled()
    if first is None or total_label_key(row.texts[first]) not in TOTAL_LABELS:
        return False
    return any(_is_number(row.texts[i].rstrip("分")) for i in row.filled[1:])


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
    if len(idx) >= 3 and len(idx) % 2 and _is_number(row.texts[idx[-1]]) and not _is_number(row.texts[idx[1]]):
        idx = idx[1:]  # "年度预算安排 | 资金总额 | 171.41": a block label before the pair
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


def in_unit(row: FundsRow, unit: str) -> None:
    """Amounts written without a unit in a block that states its unit (单位：元) mean that
    unit; the cell's own text is kept for the evidence."""
    for name in ("initial_budget", "budget", "executed"):
        value: Value | None = getattr(row, name)
        if value is not None and value.quantity.kind == "number" and value.quantity.unit is None:
            setattr(row, name, Value.read(value.text, value.location, value.source, value.text + unit))


def _plain_amount(value: Value | None) -> bool:
    q = value.quantity if value is not None else None
    return q is not None and q.kind == "number" and q.label is None and q.unit in (None, "万元", "万", "元")


_CATEGORY_TEXT = re.compile(r"(?:指标|目标)(?:[（(][^）)]*[）)])?$")


def is_category_text(text: str) -> bool:
    """A first- or second-level category (产出指标, 经济效益指标, 数量目标（10分）)."""
    return len(key_of(text)) <= 16 and _CATEGORY_TEXT.search(text.strip()) is not None


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


def short_row_shift(row: Row, cmap: ColumnMap) -> int:
    """How far a row with fewer cells than its header (and no span information, as in a
    text export) sits to the right: 0, or aligned with the header's last column when the
    left alignment would put a value where the indicator's name belongs (the merged
    category cells on the left were left out)."""
    end = row.cells[-1].col + row.cells[-1].colspan if row.cells else 0
    if end >= cmap.width or any(c.colspan != 1 for c in row.cells):
        return 0
    shift = cmap.width - end

    def name_is_value(s: int) -> bool:
        hit = cmap.fields_of(row, s).get("name")
        return hit is not None and parse_value(row.texts[hit[0]]).kind == "number"

    return shift if name_is_value(0) and not name_is_value(shift) else 0


def read_indicator(row: Row, cmap: ColumnMap, previous: Indicator | None) -> Indicator:
    cols = cmap.fields_of(row, short_row_shift(row, cmap))

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


# Template text left in the name column: 指标1, 指标2：, 指标N, ……, （自定义）.
_TEMPLATE_NAME = re.compile(r"^(?:指标[\dA-Za-z一二三四五六七八九十]*|…+|\.{3,}|[(（]?自定义[)）]?|其他指标|XX|xx)$")


def _is_blank_text(text: str) -> bool:
    key = key_of(text)
    return key in ("", "/", "／", "—", "——", "-", "无") or _TEMPLATE_NAME.match(key) is not None


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
    stated = stated_weight(row.texts[label])
    in_label = Value.read(f"{stated}", Location.of(row.cells[label].prov)) if stated is not None else None
    if cmap is not None and cmap.has("weight") and len(after) >= 2:
        cols = cmap.fields_of(row)
        if "weight" in cols and "score" in cols:  # the cells under 分值 and 得分 (a 合计 row may skip columns)
            return row.value(*cols["weight"]), row.value(*cols["score"])
        return row.value(after[0]), row.value(after[1])
    numbers = [row.value(i) for i in after if row.value(i).quantity.number is not None]
    return in_label, (numbers[0] if numbers else None)


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
