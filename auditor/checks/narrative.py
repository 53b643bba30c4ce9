"""narrative — 叙述与表格: deterministic checks of the goal/result/deviation/report text
against each other and against the table's numbers. (narrative.contradiction, which needs
a language model, lives in auditor.narrative.)"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from decimal import Decimal

from auditor.checks import Context, Hit, rule
from auditor.checks.binding import bind_numbers
from auditor.checks.funds import budget_weight
from auditor.checks.measure import (
    AMOUNT_WAN,
    fmt,
    full,
    goal_blocks,
    lines,
    money,
    number,
    total_row,
)
from auditor.checks.text import says_no_deviation, text_values
from auditor.forms import Form
from auditor.headings import ANY_BRACKETED, CN_COMMA
from auditor.records import Indicator, Location, SelfEvalBase, Value
from auditor.values import MAX_DIGITS

_NOT_CONTENT = re.compile(r"[\s\W_]+", re.UNICODE)
_NUMBER_AFTER = re.compile(r"[^\d。；;，,]{0,6}?(\d[\d,]*(?:\.\d+)?)\s*(万元|万|元|%|人次|人|次|份|个|家|辆|套|项|户|场|天|小时)?")
_EXECUTED_WORDS = ("执行", "实际支出", "使用资金", "实际使用", "支付")
_BUDGET_WORDS = ("拨款指标", "预算安排", "计划使用资金", "到位", "全年预算", "预算数", "年初预算", "预算资金")
# Between the keyword and the amount, these words mean the amount is some other item's
# ("年初预算含东边立体车库使用费800万元").
_OTHER_ITEM = re.compile(r"费|含|其中|包括|用于|结余|剩余|节约|差额|\d")
_NAME_TAIL = re.compile(r"[（(][^）)]*[）)]?$")
TEMPLATE_TEXT = re.compile(
    r"[（(]\s*(?:限\s*)?\d+\s*字(?:以[内下])?\s*[）)]|[（(【]\s*请[^）)】]{1,40}[）)】]|请填写|请在此|此处填写|填写说明|"
    r"请(?:简要|简述|如实|据实|详细|逐项|认真)?(?:说明|填写|描述|列明|阐述|概述)|结合自评情况|结合[^。；;]{0,20}(?:填写|说明|分析)|"
    r"主要反映[^。]{0,40}(?:情况|原因)[^。]{0,12}[。]?|简要(?:说明|描述)[^。]{0,20}(?:情况|原因)|"
    r"对照年度目标[，,]?\s*说明"
)
# Header fields whose value is free text the filler writes (职责概述, 评价结论, 存在问题 …).
_FREE_TEXT_FIELD = re.compile(r"职责|概述|结论|问题|措施|建议|内容|情况|说明|目标|成效|原因")
_UNFINISHED = re.compile(
    r"(?<!不存在)(?<!没有)(?<!无)(?<!未出现)(?:未完成|尚未|暂未|未能|延期|推迟|拟于[^。，；]{0,12}(?:开展|实施|完成|支付|进行))"
)


BIND_MAX_LINES = 300  # numbers are bound to lines (checks/binding.py) in forms and texts up to this size
BIND_MAX_CHARS = 20000
COPY_CAP = 4000  # characters of a result compared with its goal
COPY_RATIO = Decimal("0.9")


def content_chars(text: str) -> str:
    return _NOT_CONTENT.sub("", text)


def lcs_length(a: str, b: str) -> int:
    """Length of the longest common subsequence (bit-parallel, Hyyrö 2004)."""
    if not a or not b:
        return 0
    masks: dict[str, int] = {}
    for i, ch in enumerate(a):
        masks[ch] = masks.get(ch, 0) | (1 << i)
    all_ones = (1 << len(a)) - 1
    v = all_ones
    for ch in b:
        u = v & masks.get(ch, 0)
        v = ((v + u) | (v - u)) & all_ones
    return len(a) - v.bit_count()


@rule("narrative.result_copies_goal", "warning", "实际完成情况照抄预期目标")
def result_copies_goal(form: Form, ctx: Context) -> Iterator[Hit]:
    if not isinstance(form, SelfEvalBase) or form.goal is None or form.result is None:
        return
    goal, result = content_chars(form.goal.text), content_chars(form.result.text)
    if len(result) < 4:
        return
    # Bounded work on long texts: a result that copies its goal copies its beginning too,
    # so only the first COPY_CAP characters are compared (against twice that of the goal).
    result, goal = result[:COPY_CAP], goal[: 2 * COPY_CAP]
    # Linear-time upper bound first: the LCS is at most the characters the two share.
    shared = Counter(result) & Counter(goal)
    if Decimal(sum(shared.values())) / Decimal(len(result)) < COPY_RATIO:
        return
    ratio = Decimal(lcs_length(result, goal)) / Decimal(len(result))
    if ratio >= COPY_RATIO:
        pct = fmt((ratio * 100).quantize(Decimal("0.1")))
        yield Hit(
            f"实际完成情况的文字有 {pct}% 按原顺序照搬自预期目标，未写出实际完成了什么",
            "< 90%", f"{pct}%", form.result.location, (form.result.text,),
        )


def _measure_name(name: str) -> str:
    return content_chars(_NAME_TAIL.sub("", name))


_KEY_PREFIX = 4  # every measure key is at least this long; keys are indexed by it


class _MeasureIndex:
    """Where the measure names of a table's lines occur in a text, in one pass over the
    text (indexed by each name's first characters), not one scan per line."""

    def __init__(self, indicators: list[Indicator]) -> None:
        self.keys: dict[str, list[int]] = {}  # key → indices of its lines
        self.by_prefix: dict[str, list[str]] = {}
        for n, i in enumerate(indicators):
            key = _measure_name(i.name)
            if len(key) < _KEY_PREFIX:
                continue
            if key not in self.keys:
                self.keys[key] = []
                self.by_prefix.setdefault(key[:_KEY_PREFIX], []).append(key)
            self.keys[key].append(n)

    def stated(self, text: str) -> list[tuple[int, Decimal, str]]:
        """(line index, number, quote) for every line's name followed by a number, in
        the order of the lines, then of the places in the text."""
        found: list[tuple[int, int, Decimal, str]] = []
        if not self.keys:
            return []
        for start in range(len(text) - _KEY_PREFIX + 1):
            for key in self.by_prefix.get(text[start : start + _KEY_PREFIX], ()):
                if not text.startswith(key, start):
                    continue
                m = _NUMBER_AFTER.match(text, start + len(key))
                if m and len(m.group(1)) <= MAX_DIGITS:
                    number = Decimal(m.group(1).replace(",", ""))
                    quote = text[start : m.end()]
                    found.extend((n, start, number, quote) for n in self.keys[key])
        found.sort(key=lambda f: (f[0], f[1]))
        return [(n, number, quote) for n, _, number, quote in found]


def _indicator_numbers(i: Indicator, role: str) -> set[Decimal] | None:
    """The table's numbers a text about this measure may state: the target for the goal
    text, target or actual elsewhere; None when the actual is blank (unknown)."""
    if role == "预期目标":
        return {n for n in (i.target.quantity.numbers() if i.target else [])}
    if i.actual is None or i.actual.is_blank:
        return None
    return {n for v in (i.target, i.actual) if v is not None for n in v.quantity.numbers()}


@rule("narrative.number_mismatch", "warning", "文字所述数字与表内不符")
def number_mismatch(form: Form, ctx: Context) -> Iterator[Hit]:
    texts = text_values(form)
    if form.report is not None:
        texts.append(("自评报告", Value.read(form.report.text, form.report.location, "text")))
    indicators = lines(form)
    index = _MeasureIndex(indicators)
    for role, value in texts:
        stated = index.stated(value.text)
        if len(indicators) <= BIND_MAX_LINES and len(value.text) <= BIND_MAX_CHARS:  # bounded work
            named = {(k, n) for k, n, _ in stated}
            stated += [(b.line, b.number, b.quote) for b in bind_numbers(value.text, indicators)
                       if (b.line, b.number) not in named]
        for k, n, quote in stated:
            i = indicators[k]
            table = _indicator_numbers(i, role)
            if table and n not in table:
                shown = i.actual.text if i.actual else (i.target.text if i.target else "")
                yield Hit(
                    f"{role}写“{quote}”，表中“{i.name}”为 {shown}",
                    shown, fmt(n), value.location, (quote, shown),
                )
    if isinstance(form, SelfEvalBase):
        yield from _money_statements(form, texts, ctx)


def _money_statements(form: SelfEvalBase, texts: list[tuple[str, Value]], ctx: Context) -> Iterator[Hit]:
    row = total_row(form)
    if row is None:
        return
    measures = {
        "执行": (money(row.executed), row.executed, "全年执行数"),
        "预算": (money(row.budget), row.budget, "全年预算数"),
    }
    also_budget = money(row.initial_budget)
    for role, value in texts:
        for m in AMOUNT_WAN.finditer(value.text):
            window = max(0, m.start() - 40)
            found = _amount_kind(value.text[window : m.start()])
            if found is None:
                continue
            kind, offset = found
            if len(m.group(1)) > MAX_DIGITS:
                continue
            expected, cell, column = measures[kind]
            stated = Decimal(m.group(1).replace(",", ""))
            if expected is None or cell is None or ctx.tol.money_equal(stated, expected):
                continue
            if kind == "预算" and also_budget is not None and ctx.tol.money_equal(stated, also_budget):
                continue
            quote = value.text[window + offset : m.end()]
            yield Hit(
                f"{role}写“{quote}”，表中{column}为 {cell.text} 万元",
                cell.text, m.group(0), value.location, (quote, cell.text),
            )


_SENTENCE_ENDS = "。；;！？\n"
_HEADING = re.compile(rf"(?:\d+\s*[.、．](?!\d)|{ANY_BRACKETED}|{CN_COMMA})")


def _sentence_start(before: str) -> int:
    """Where the sentence that ends ``before`` starts; a numbered heading just before it
    ("2. 项目资金执行情况分析。") belongs to it (its words name what the amount is)."""
    end = max(before.rfind(ch) for ch in _SENTENCE_ENDS)
    if end < 0:
        return 0
    previous = max(before.rfind(ch, 0, end) for ch in _SENTENCE_ENDS) + 1
    marks = [m.start() for m in _HEADING.finditer(before, previous, end)]
    # joined paragraphs run on without a stop: the heading starts at its number
    return marks[-1] if marks and end - marks[-1] <= 24 else end + 1


def _amount_kind(before: str) -> tuple[str, int] | None:
    """Which table amount a stated sum refers to, from the nearest keyword before it
    (a longer keyword wins where two overlap: 计划使用资金 over 使用资金)."""
    cut = _sentence_start(before)  # a money word binds within its sentence
    before = before[cut:]
    best, where, length = None, -1, 0
    for kind, words in (("执行", _EXECUTED_WORDS), ("预算", _BUDGET_WORDS)):
        for w in words:
            i = before.rfind(w)
            if i >= 0 and (i + len(w) > where + length or (i + len(w) == where + length and len(w) > length)):
                best, where, length = kind, i, len(w)
    if best is None or _OTHER_ITEM.search(before[where + length :]):
        return None  # another item's name, a remainder (结余 …) or another number stands between
    return best, where + cut


def _all_texts(form: Form) -> list[tuple[str, str, Location]]:
    out = [(role, v.text, v.location) for role, v in text_values(form)]
    if form.report is not None:
        out.append(("自评报告", form.report.text, form.report.location))
    return out


def _free_text_fields(form: Form) -> list[tuple[str, str, Location]]:
    """Header fields holding free text (评价结论, 存在问题, 改进措施, 职责概述 …), those not
    already among the form's narrative texts."""
    seen = {id(v) for _, v in text_values(form)}
    return [
        (key, v.text, v.location) for key, v in form.fields.items()
        if id(v) not in seen and v.quantity.kind == "qualitative" and _FREE_TEXT_FIELD.search(key)
    ]


@rule("narrative.template_text_left", "warning", "残留填表说明文字")
def template_text_left(form: Form, ctx: Context) -> Iterator[Hit]:
    for role, text, location in _all_texts(form) + _free_text_fields(form):
        m = TEMPLATE_TEXT.search(text)
        if m:
            yield Hit(f"{role}中残留填表说明“{m.group(0)}”", "填写实际内容", m.group(0), location, (m.group(0),))


def lost_points(form: SelfEvalBase, ctx: Context) -> list[str]:
    """Where the form's own scores fall short of their weights."""
    lost = [f"“{i.name}”{i.score.text}/{i.weight.text}" for i in lines(form)
            if i.score and i.weight and (s := number(i.score)) is not None and (w := number(i.weight)) is not None
            and s < w - ctx.tol.score]
    lost += [f"“{b.label}”{b.score.text}/{b.weight.text}" for b in goal_blocks(form)
             if b.score and b.weight and not full(number(b.score), number(b.weight), ctx.tol)]
    row = total_row(form)
    w, s = budget_weight(form), number(row.score) if row else None
    if w is not None and s is not None and s < w - ctx.tol.score:
        lost.append(f"预算执行 {fmt(s)}/{fmt(w)}")
    total = number(form.total_score)
    if total is not None and total < ctx.profile.total_weight - ctx.tol.score and not lost:
        lost.append(f"总分 {fmt(total)}")
    return lost


@rule("narrative.problems_denied", "warning", "有扣分却称无问题")
def problems_denied(form: Form, ctx: Context) -> Iterator[Hit]:
    if not isinstance(form, SelfEvalBase):
        return
    lost = lost_points(form, ctx)
    if not lost:
        return
    for role, value, location in _denials(form):
        yield Hit(
            f"{role}填“{value}”，但表中有扣分：{'、'.join(lost[:4])}",
            "说明存在的问题及改进措施", value, location, (value,),
        )


def _denials(form: SelfEvalBase) -> Iterator[tuple[str, str, Location]]:
    report = form.report
    if report is not None:
        for role, text in (("存在的问题", report.problems), ("改进措施", report.improvements)):
            if text is not None and says_no_deviation(TEMPLATE_TEXT.sub("", text)):
                yield role, text, report.location
    for role, value in (("偏差原因分析", getattr(form, "deviation_text", None)), ("改进措施", getattr(form, "improvement_text", None))):
        if value is not None and value.text and says_no_deviation(value.text):
            yield role, value.text, value.location


# Lines that measure completion or timing are related to any unfinished work (spec).
_TIMING_WORDS = ("完成", "完工", "按期", "及时", "进度", "验收")
# Words too common to tie a line to the unfinished work's subject.
_GENERIC = {"项目", "工作", "完成", "情况", "资金", "指标", "年度", "实施", "管理", "服务", "数量", "质量",
            "时效", "成本", "效益", "部分", "全部", "相关", "开展", "按期", "及时", "进度", "计划", "任务"}
_CLAUSE_END = "。；;，,！!？?\n"


def _bigrams(text: str) -> set[str]:
    chars = content_chars(_NAME_TAIL.sub("", text))
    return {chars[k : k + 2] for k in range(len(chars) - 1)} - _GENERIC


def related_lines(form: SelfEvalBase, clause: str) -> list[Indicator]:
    """The indicator lines the unfinished work bears on: completion or timing lines, and
    lines whose name shares the clause's subject; never budget execution or satisfaction."""
    subject = _bigrams(clause)
    out = []
    for i in lines(form):
        if i.category == "满意度指标" or "满意" in i.name or "预算执行" in i.name:
            continue
        timing = "时效" in i.level2 or any(w in i.name for w in _TIMING_WORDS)
        if timing or (subject & _bigrams(i.name)):
            out.append(i)
    return out


def _line_full(i: Indicator, ctx: Context) -> bool:
    return full(number(i.score), number(i.weight), ctx.tol)


def _block_of(form: SelfEvalBase, line: Indicator) -> object | None:
    return next((b for b in goal_blocks(form) if any(x is line for x in b.indicators)), None)


def related_full(form: SelfEvalBase, clause: str, ctx: Context) -> bool:
    """The scores related to the unfinished work are full. Lines with their own weight and
    score answer for themselves; a goal block answers for its lines; where no line can be
    related (or none is scored), every indicator score of the form must be full."""
    scored = [i for i in lines(form) if number(i.weight) is not None and number(i.score) is not None]
    related = related_lines(form, clause)
    if scored:
        ids = {id(i) for i in scored}
        mine = [i for i in related if id(i) in ids] or scored
        return all(_line_full(i, ctx) for i in mine)
    blocks = goal_blocks(form)
    if blocks:
        mine_blocks = [b for b in blocks if any(_block_of(form, i) is b for i in related)] or blocks
        return all(full(number(b.score), number(b.weight), ctx.tol) for b in mine_blocks)
    total = number(form.total_score)
    return total is not None and total >= ctx.profile.total_weight - ctx.tol.score


@rule("narrative.unfinished_but_full_score", "warning", "称未完成却得满分")
def unfinished_but_full_score(form: Form, ctx: Context) -> Iterator[Hit]:
    if not isinstance(form, SelfEvalBase):
        return
    for role, text, location in _all_texts(form):
        for m in _UNFINISHED.finditer(text):
            s = max(text.rfind(ch, 0, m.start()) for ch in _CLAUSE_END) + 1
            e = min([i for i in (text.find(ch, m.end()) for ch in "。；;\n") if i >= 0] or [len(text)])
            quote = text[s : e + 1].strip()
            if not related_full(form, quote, ctx):
                continue
            yield Hit(f"{role}称“{quote}”，但相关指标均为满分", "相应扣分", "满分", location, (quote,))
            break
