"""Which table line a number written in a text is about (narrative.number_mismatch).

A number binds to a line when it carries the unit the line is measured in and the words
of its own item share a word with the line's name: "培训基层人员3批共320人次" binds 320 to
the line 培训人次 (unit 人次, shared 培训). Items are clauses: a clause ends at a punctuation
mark or a conjunction (及, 和, 与, 以及, 、), so "培训320人次和检查15次" are two items. A count
written before its noun (完成5个村的改造) belongs to that noun. Lists with 分别为/分别是 pair the
names before with the numbers after, in order. A number binds only when one line fits
better than every other (a tie binds nothing): a false mismatch costs the auditor's trust.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from auditor.checks.measure import unit_family
from auditor.records import Indicator

MAX_DIGITS = 30  # a longer run of digits is no count (and is not parsed)

_NUMBER = re.compile(r"(\d[\d,]*(?:\.\d+)?)\s*(人次|万人|人|次|个|家|辆|套|项|户|场|期|批|台|份|件|所|座|处|条|名|篇|本|册|公里|千米|米|平方米|亩|吨|天|小时|课时|学时)")
_ITEM_BREAK = re.compile(r"[。；;，,、！？!?\n]|以及|及|和|与|并")
_RESPECTIVELY = re.compile(r"分别(?:为|是|达到|完成)")
_GENERIC = {
    "项目", "工作", "完成", "情况", "资金", "指标", "年度", "实施", "管理", "服务", "数量", "质量", "时效",
    "成本", "效益", "全年", "累计", "开展", "组织", "共计", "合计", "实际", "计划", "目标", "达到", "保障",
}
_CJK = re.compile(r"[\u4e00-\u9fff]+")
# An item about another measure: a total over years, a change, a comparison.
_OTHER_MEASURE = re.compile(r"累计|历年|近\d+年|同比|较上年|比上年|增长|增加了|减少|下降|提高了|其中|超出|占")


@dataclass(frozen=True)
class Bound:
    line: int  # index of the line in the list given
    number: Decimal
    quote: str


def _words(text: str) -> set[str]:
    """The two-character words of a text (CJK runs), common ones left out."""
    out: set[str] = set()
    for run in _CJK.findall(text):
        out |= {run[k : k + 2] for k in range(len(run) - 1)}
    return out - _GENERIC


def _line_unit(line: Indicator) -> str | None:
    units = {unit_family(v.quantity.unit) for v in (line.target, line.actual) if v is not None and v.quantity.unit}
    return units.pop() if len(units) == 1 else None


# What a name says about the measure rather than the thing measured: 培训人次 → 培训.
_MEASURE_TAIL = re.compile(r"(?:人次|次数|个数|户数|人数|场次|数量|数|量|率|次|面积|长度|里程)$")


def _head(name: str) -> str:
    """The last two characters of the thing a line measures (培训人次 → 培训, 慰问困难群众 → 群众)."""
    runs = _CJK.findall(_MEASURE_TAIL.sub("", re.sub(r"[（(][^）)]*[）)]?$", "", name)))
    return runs[-1][-2:] if runs and len(runs[-1]) >= 2 else ""


def _best(words: set[str], unit: str, lines: list[Indicator], units: list[str | None], noun: str = "") -> int | None:
    """The one line whose unit the number carries and whose name shares the most words with
    its item, the thing it measures (its head) among them — or, for a count written before
    its noun (5个村), that noun; None on a tie."""

    def fits(name: str) -> bool:
        head = _head(name)
        return bool(head) and (head in words or (noun != "" and head[-1] == noun))

    scores = [
        len(words & _words(line.name)) + 1 if units[k] == unit and fits(line.name) else 0
        for k, line in enumerate(lines)
    ]
    best = max(scores, default=0)
    if best == 0 or scores.count(best) > 1:
        return None
    return scores.index(best)


def bind_numbers(text: str, lines: list[Indicator]) -> list[Bound]:
    """The numbers of a text that belong to one line of the table."""
    units = [_line_unit(line) for line in lines]
    if not any(units):
        return []
    out: list[Bound] = []
    for sentence in re.split(r"[。；;！？!?\n]", text):
        m = _RESPECTIVELY.search(sentence)
        if m is not None:
            out += _respectively(sentence, m, lines, units)
            continue
        for item in _ITEM_BREAK.split(sentence):
            out += _item_numbers(item, lines, units)
    return out


def _item_numbers(item: str, lines: list[Indicator], units: list[str | None]) -> list[Bound]:
    if _OTHER_MEASURE.search(item):
        return []
    found = []
    for m in _NUMBER.finditer(item):
        if len(m.group(1)) > MAX_DIGITS:
            continue
        unit = unit_family(m.group(2))
        assert unit is not None
        # the item's words around the number: its noun may stand before it or after it
        after = item[m.end() : m.end() + 8]
        k = _best(_words(item[: m.start()]) | _words(after), unit, lines, units, after[:1])
        if k is not None:
            found.append(Bound(k, Decimal(m.group(1).replace(",", "")), item.strip()))
    return found


def _respectively(sentence: str, m: re.Match[str], lines: list[Indicator], units: list[str | None]) -> list[Bound]:
    """"A、B和C分别为1人、2人、3人": the names before 分别 with the numbers after, in order."""
    names = [n for n in _ITEM_BREAK.split(sentence[: m.start()]) if n.strip()]
    numbers = list(_NUMBER.finditer(sentence[m.end() :]))
    if not names or len(names) != len(numbers):
        return []
    found = []
    for name, number in zip(names, numbers):
        unit = unit_family(number.group(2))
        assert unit is not None
        k = _best(_words(name), unit, lines, units)
        if k is not None and len(number.group(1)) <= MAX_DIGITS:
            quote = sentence[max(sentence.find(name.strip()), 0) : m.end() + number.end()]  # verbatim
            found.append(Bound(k, Decimal(number.group(1).replace(",", "")), quote.strip()))
    return found
