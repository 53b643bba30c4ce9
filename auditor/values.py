"""Typed, exact parsing of the value cells of performance forms.

Every target, actual value, score, weight or amount cell is a short string such as
``≥95%``, ``588.50万元以内``, ``2021.1.1-2021.12.31``, ``显著提高`` or ``——``.
``parse_value`` turns one into a frozen :class:`Quantity`; numbers are ``Decimal``
built from the written digits (``"95.00"`` stays ``Decimal("95.00")``), never floats.

Choices the form parsers should know about:

* ``number`` is the value *as written*: ``90%`` → 90 with unit ``%``; ``523.12万`` →
  523.12 with unit ``万``; no scaling to 元 or to a fraction ever happens here.
* A bare ``2020年`` or ``2021`` is a ``number`` (unit ``年`` / ``None``), not a date: a
  year alone is as often a count ("3年") as a period. A year becomes a date only with
  底/末/前/内 (``2021年底前`` → 2021-12-31, op ``<=``) or inside a range
  (``2021-2022年``). ``2021年12月`` (and ``2021-12``, ``2021/12``) is a date on the last
  day of the month (targets name deadlines); ``2021年12月初`` is the first day.
  ``2021.12`` alone is the decimal number 2021.12 (dots are ambiguous).
* A range of two numbers (``90%-95%``, ``1-3个``) is ``compound`` with the shared unit;
  ``numbers()`` gives ``[low, high]``. ``97×2`` is a product: ``number`` 194,
  ``numbers()`` ``[97, 2]``. ``numbers()`` of a date gives its written components.
* ``direction`` is filled for qualitative values only.
* ``malformed`` reasons: ``doubled_symbol`` (``90%%``, ``>>=5``, ``≥=95%``),
  ``garbled`` (conflicting or stray comparison signs, a cell of signs only such as
  ``≥≥`` or ``～``),
  ``invalid_date`` (looks like a date but is not a calendar day), ``trailing_text``
  (one number with free text after its unit, e.g. ``100%完成``; the number is kept).
"""

from __future__ import annotations

import calendar
import datetime
import re
from decimal import Decimal
from functools import lru_cache
from typing import Literal

from pydantic import BaseModel, ConfigDict

from auditor.document import clean_text

Op = Literal[">=", ">", "<=", "<", "=", "~"]
Kind = Literal["blank", "na", "number", "date", "date_range", "qualitative", "compound"]
Direction = Literal["increase", "decrease", "cap", "keep"]


class Quantity(BaseModel):
    """One parsed value cell. ``raw`` is exactly the input, ``text`` its clean_text."""

    model_config = ConfigDict(frozen=True)

    raw: str
    text: str
    kind: Kind
    op: Op | None = None
    number: Decimal | None = None
    unit: str | None = None
    date: datetime.date | None = None
    end: datetime.date | None = None
    label: str | None = None
    malformed: tuple[str, ...] = ()
    direction: Direction | None = None
    all_numbers: tuple[Decimal, ...] = ()

    @property
    def is_quantitative(self) -> bool:
        return self.kind in ("number", "date", "date_range", "compound")

    def numbers(self) -> list[Decimal]:
        """Every number written in the text, in order (factors of a product, both ends
        of a range, the components of a date)."""
        return list(self.all_numbers)


# --- vocabulary ---------------------------------------------------------------------

_UNITS = sorted(
    ["%", "‰", "万元", "亿元", "千元", "元", "万人次", "人次", "万人", "人", "万次", "次", "万户", "户", "个百分点", "百分点", "个工作日", "工作日", "个月", "个", "套", "份", "万份", "家", "辆", "项", "天", "日", "小时", "分钟", "秒", "周", "月", "年", "季度", "场", "场次", "类", "组", "分", "平方米", "万平方米", "平米", "㎡", "m²", "立方米", "m³", "公里", "千米", "米", "km", "亩", "万亩", "公顷", "吨", "万吨", "公斤", "千克", "kg", "台", "所", "名", "篇", "期", "批", "件", "本", "册", "万册", "张", "条", "处", "座", "栋", "间", "床", "课时", "学时", "节", "门", "部", "块", "棵", "株", "只", "头", "盏", "把", "点", "岁", "倍", "回", "万", "亿"],
    key=len,
    reverse=True,
)
_KNOWN_UNIT = "|".join(re.escape(u) for u in _UNITS)

# Chinese comparison words, longest first within each group so the alternation is greedy.
_PRE_WORDS: dict[str, Op] = {
    "大于等于": ">=", "大于或等于": ">=", "不低于": ">=", "不少于": ">=", "不小于": ">=",
    "不得低于": ">=", "不得少于": ">=", "至少": ">=", "达到": ">=", "达": ">=",
    "大于": ">", "超过": ">", "高于": ">", "多于": ">",
    "小于等于": "<=", "小于或等于": "<=", "不超过": "<=", "不高于": "<=", "不多于": "<=",
    "不大于": "<=", "不得超过": "<=", "未超过": "<=", "不超": "<=", "控制在": "<=",
    "最多": "<=", "至多": "<=",
    "小于": "<", "低于": "<", "少于": "<", "不足": "<", "不到": "<",
    "等于": "=", "大约": "~", "约为": "~", "约": "~", "近": "~",
}
_POST_WORDS: dict[str, Op] = {
    "及以上": ">=", "以上": ">=", "及以下": "<=", "以下": "<=", "以内": "<=",
    "之内": "<=", "内": "<=", "以前": "<=", "之前": "<=", "前": "<=", "左右": "~",
    "上下": "~",
}
_SYM_CANON: dict[str, Op] = {
    ">=": ">=", "=>": ">=", ">": ">", "<=": "<=", "=<": "<=", "<": "<", "=": "=", "~": "~",
}


def _alt(words: dict[str, Op]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


_PRE = rf"[<>=~]+|{_alt(_PRE_WORDS)}"
_POST = _alt(_POST_WORDS)
_NUM = r"\d+(?:,\d{3})*(?:\.\d+)?"
_CJK = r"[\u4e00-\u9fff]"
_UNIT = (
    rf"(?:{_KNOWN_UNIT}|(?!(?:{_POST})$){_CJK}{{1,3}}?)"
    rf"(?:/(?:{_KNOWN_UNIT}|{_CJK}{{1,2}}))?"
)
_LABEL = r"(?P<label>[^\d<>=~%+\-]*?)"
_RANGE_SEP = r"(?:-|—+|~|至|到)"
_PRODUCT_SIGN = r"[×xX*✕✖]"

_NUM_RE = re.compile(_NUM)
# A cell with a longer run of digits, or longer text, is not a figure anyone wrote: it is
# read as text (malformed) instead of being parsed, so that no giant Decimal and no long
# regex scan reaches the rules.
MAX_DIGITS = 30
MAX_PARSED_CHARS = 2000
_LONG_DIGITS_RE = re.compile(rf"\d{{{MAX_DIGITS + 1}}}")
_DIGITS_RE = re.compile(r"\d+")
_HAS_DIGIT = re.compile(r"\d")
_PCT_RUN = re.compile(r"%{2,}")
# A lone 一 in a value cell is a dash typed with the wrong key (or read so by OCR), not "one".
_NA_RE = re.compile(r"^(?:[-—─_/\\／]+|一|无|暂无|不适用|#?N/?A)$", re.IGNORECASE)
_WORDY = re.compile(r"[\u4e00-\u9fffA-Za-z]")
_SYMBOLS = str.maketrans({
    "≥": ">=", "≧": ">=", "⩾": ">=", "≤": "<=", "≦": "<=", "⩽": "<=", "～": "~", "〜": "~",
    "≈": "~", "－": "-", "–": "-", "−": "-", "﹪": "%", "═": "=", "﹦": "=", "⩵": "=",
})

_SINGLE_RE = re.compile(
    rf"^{_LABEL}(?P<pre>{_PRE})?(?P<sign>[-+])?(?P<num>{_NUM})(?P<more>余|多)?"
    rf"\s?(?P<unit>{_UNIT})?(?P<post>{_POST})?$"
)
_PRODUCT_RE = re.compile(
    rf"^{_LABEL}(?P<pre>{_PRE})?(?P<nums>{_NUM}(?:\s?{_PRODUCT_SIGN}\s?{_NUM})+)"
    rf"\s?(?P<unit>{_UNIT})?$"
)
_NUM_RANGE_RE = re.compile(
    rf"^{_LABEL}(?P<a>{_NUM})(?P<ua>{_UNIT})?{_RANGE_SEP}(?P<b>{_NUM})(?P<ub>{_UNIT})?$"
)

# --- dates --------------------------------------------------------------------------

_Y = r"(?:19|20)\d{2}"


def _date_part(p: str, *, bare_year: bool) -> str:
    """A date written as Y.M.D, Y年M月D日, Y年M月, Y-M or Y年 (plus 底/末/初)."""
    ymd = rf"(?P<{p}y>{_Y})[.\-/年](?P<{p}m>\d{{1,2}})[.\-/月](?P<{p}d>\d{{1,2}})日?"
    ym = rf"(?P<{p}y2>{_Y})(?:年(?P<{p}m2>\d{{1,2}})月份?|[\-/](?P<{p}m3>\d{{1,2}}))"
    y = rf"(?P<{p}y3>{_Y})年" + ("?" if bare_year else "")
    return rf"(?:{ymd}|{ym}|(?P<{p}ymdot>{_Y})\.(?P<{p}m4>\d{{1,2}})|{y})(?P<{p}edge>底|末|初)?"


_MD_END = r"(?P<em>\d{1,2})[.\-/月](?P<ed>\d{1,2})日?|(?P<em2>\d{1,2})月(?P<eedge>底|末)?"
_DATE_RANGE_RE = re.compile(
    rf"^{_LABEL}{_date_part('a', bare_year=True)}{_RANGE_SEP}"
    rf"(?:{_date_part('b', bare_year=True)}|{_MD_END})$"
)
_DATE_RE = re.compile(
    rf"^{_LABEL}(?P<pre>{_PRE})?{_date_part('a', bare_year=False)}"
    rf"(?P<post>前|之前|以前|内|以内|之内)?$"
)
_YEAR_HINT = re.compile(_Y)

# --- Chinese numerals and per-period frequencies ------------------------------------

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
              "六": 6, "七": 7, "八": 8, "九": 9}
_CN_MULT = {"十": 10, "百": 100, "千": 1000}
_CN_NUM = r"[零〇一二两三四五六七八九十百千]+"
_PERIODS = {"月": "月", "月度": "月", "季度": "季度", "季": "季度", "年": "年", "年度": "年",
            "半年": "半年", "周": "周", "星期": "周", "天": "天", "日": "天", "学期": "学期"}
_PER_RE = re.compile(
    rf"^{_LABEL}每(?P<per>{'|'.join(sorted(_PERIODS, key=len, reverse=True))})"
    rf"(?P<pre>{_PRE})?(?P<num>{_NUM}|{_CN_NUM})(?P<unit>{_KNOWN_UNIT})(?P<post>{_POST})?$"
)
_CN_PLAIN_RE = re.compile(
    rf"^(?P<pre>{_PRE})?(?P<num>{_CN_NUM})(?P<unit>{_KNOWN_UNIT})(?P<post>{_POST})?$"
)

# Direction keywords, checked in this order (the first group that matches wins).
_DIRECTIONS: tuple[tuple[Direction, tuple[str, ...]], ...] = (
    ("keep", ("不降低", "不减少", "不下降")),
    ("cap", ("不超支", "不超标", "不超过", "不高于", "控制在", "控制")),
    ("increase", ("提高", "提升", "促进", "增强", "增加", "增长", "改善", "加强", "扩大",
                  "上升", "优化", "加快")),
    ("decrease", ("降低", "减少", "下降", "压缩", "缩短", "减轻", "缩减")),
    ("keep", ("保持", "持续", "长期", "稳定", "维持", "不变")),
)


def _cn_int(s: str) -> int | None:
    """Value of a Chinese numeral up to 9999 ('一' 1, '十二' 12, '两百' 200)."""
    total, digit = 0, None
    for ch in s:
        if ch in _CN_DIGITS:
            if digit is not None:
                return None
            digit = _CN_DIGITS[ch]
        else:
            total += (1 if digit is None else digit) * _CN_MULT[ch]
            digit = None
    return total + (digit or 0)


def _dec(s: str) -> Decimal:
    return Decimal(s.replace(",", ""))


def _sym_op(run: str) -> tuple[Op | None, tuple[str, ...]]:
    """Canonical operator of a run of <>=~ signs; doubled or conflicting runs flagged."""
    if run in _SYM_CANON:
        return _SYM_CANON[run], ()
    gt, lt = ">" in run, "<" in run
    if (gt and lt) or ("~" in run and run.strip("~")):
        return None, ("garbled",)
    if gt or lt:
        base = ">" if gt else "<"
        return (base + "=" if "=" in run else base), ("doubled_symbol",)  # type: ignore[return-value]
    return ("=" if "=" in run else "~"), ("doubled_symbol",)


def _pre_op(word: str | None) -> tuple[Op | None, tuple[str, ...]]:
    if not word:
        return None, ()
    if word in _PRE_WORDS:
        return _PRE_WORDS[word], ()
    return _sym_op(word)


def _merge_ops(pre: Op | None, post: Op | None) -> tuple[Op | None, tuple[str, ...]]:
    """Combine an operator before the number with one after it (超过50次以上, 约50次左右)."""
    if pre is None or post is None or pre == post:
        return pre or post, ()
    if "~" in (pre, post):
        return (post if pre == "~" else pre), ()
    if pre[0] == post[0]:  # '>' with '>=', '<' with '<=': the prefix is the stricter word
        return pre, ()
    return None, ("garbled",)


def _ops(m: re.Match[str]) -> tuple[Op | None, tuple[str, ...]]:
    g = m.groupdict()
    pre, r1 = _pre_op(g.get("pre"))
    post = _POST_WORDS.get(g.get("post") or "")
    op, r2 = _merge_ops(pre, post)
    return op, r1 + r2


def _label(m: re.Match[str]) -> str | None:
    label = (m.group("label") or "").rstrip(":：,，、")
    return label or None


def _direction(text: str) -> Direction | None:
    for direction, words in _DIRECTIONS:
        if any(w in text for w in words):
            return direction
    return None


# --- the parser ---------------------------------------------------------------------


def canonical_signs(text: str) -> str:
    """Comparison signs in ASCII: ≥ ≧ ⩾ → >=, ≤ ≦ → <=, ＝ ﹦ ═ → = (full-width signs fold too)."""
    return clean_text(text).translate(_SYMBOLS)


def _normalise(text: str) -> tuple[str, tuple[str, ...]]:
    """Map comparison signs to ASCII and collapse doubled percent signs."""
    s = text.translate(_SYMBOLS)
    reasons: tuple[str, ...] = ()
    if _PCT_RUN.search(s):
        s = _PCT_RUN.sub("%", s)
        reasons = ("doubled_symbol",)
    return s, reasons


@lru_cache(maxsize=65536)
def parse_value(raw: str) -> Quantity:
    """Parse one value cell. Never raises on any string input."""
    text = clean_text(raw)
    if not text:
        return Quantity(raw=raw, text=text, kind="blank")
    s, reasons = _normalise(text)
    if _NA_RE.match(s):
        return Quantity(raw=raw, text=text, kind="na")
    if len(s) > MAX_PARSED_CHARS or _LONG_DIGITS_RE.search(s.replace(",", "")):
        malformed: tuple[str, ...] = ("garbled",) if _LONG_DIGITS_RE.search(s.replace(",", "")) else ()
        return Quantity(raw=raw, text=text, kind="qualitative", direction=_direction(s[:MAX_PARSED_CHARS]), malformed=_uniq(reasons + malformed))
    fields: dict
    try:
        fields = _dispatch(s)
    except (ValueError, ArithmeticError, LookupError):  # a grammar gap must not crash a run
        fields = {"kind": "qualitative", "malformed": ("garbled",)}
    malformed = _uniq(reasons + fields.pop("malformed", ()))
    return Quantity(raw=raw, text=text, malformed=malformed, **fields)


def _uniq(reasons: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(reasons))


def _dispatch(s: str) -> dict:
    if not _HAS_DIGIT.search(s):
        return _no_digits(s)
    reasons: tuple[str, ...] = ()
    if _YEAR_HINT.search(s):
        found = _date_range(s) or _date(s)
        if found is not None and "invalid_date" not in found.get("malformed", ()):
            return found
        reasons = found["malformed"] if found else ()
    for parser in (_per_period, _product, _single, _num_range):
        found = parser(s)
        if found is not None:
            found["malformed"] = reasons + found.get("malformed", ())
            return found
    return _compound_or_fallback(s, reasons)


def _no_digits(s: str) -> dict:
    m = _PER_RE.match(s) or _CN_PLAIN_RE.match(s)
    if m is not None:
        n = _cn_int(m.group("num"))
        if n is not None:
            return _number_fields(m, Decimal(n), (Decimal(n),))
    reasons = () if _WORDY.search(s) else ("garbled",)  # only signs, e.g. "≥≥" or "～"
    return {"kind": "qualitative", "direction": _direction(s), "malformed": reasons}


def _number_fields(m: re.Match[str], number: Decimal, nums: tuple[Decimal, ...]) -> dict:
    op, reasons = _ops(m)
    groups = m.groupdict()
    unit = groups.get("unit")
    if groups.get("per"):
        unit = f"{unit}/{_PERIODS[groups['per']]}"
    if groups.get("more") and op is None:
        op = ">"
    return {"kind": "number", "op": op, "number": number, "unit": unit,
            "label": _label(m) if "label" in groups else None,
            "all_numbers": nums, "malformed": reasons}


def _per_period(s: str) -> dict | None:
    m = _PER_RE.match(s)
    if m is None or not _HAS_DIGIT.match(m.group("num")):
        return None
    n = _dec(m.group("num"))
    return _number_fields(m, n, (n,))


def _single(s: str) -> dict | None:
    m = _SINGLE_RE.match(s)
    if m is None:
        return None
    n = _dec(m.group("num"))
    if m.group("sign") == "-":
        n = -n
    return _number_fields(m, n, (n,))


def _product(s: str) -> dict | None:
    m = _PRODUCT_RE.match(s)
    if m is None:
        return None
    factors = tuple(_dec(x) for x in _NUM_RE.findall(m.group("nums")))
    product = Decimal(1)
    for f in factors:
        product *= f
    return _number_fields(m, product, factors)


def _num_range(s: str) -> dict | None:
    m = _NUM_RANGE_RE.match(s)
    if m is None:
        return None
    ua, ub = m.group("ua"), m.group("ub")
    if ua and ub and ua != ub:
        return None
    nums = (_dec(m.group("a")), _dec(m.group("b")))
    return {"kind": "compound", "unit": ua or ub, "label": _label(m), "all_numbers": nums}


def _compound_or_fallback(s: str, reasons: tuple[str, ...]) -> dict:
    found = list(_NUM_RE.finditer(s))
    if len(found) >= 2:
        return {"kind": "compound", "all_numbers": tuple(_dec(x.group()) for x in found),
                "malformed": reasons}
    return _fallback(s, found[0], reasons)


_LEAD_UNIT_RE = re.compile(rf"(?:{_KNOWN_UNIT})(?:/(?:{_KNOWN_UNIT}))?")
_PRE_TAIL_RE = re.compile(rf"(?:{_PRE})$")
_POST_HEAD_RE = re.compile(_POST)
_STRAY_RE = re.compile(r"[<>=~%+\-]")


def _fallback(s: str, m: re.Match[str], reasons: tuple[str, ...]) -> dict:
    """One number the strict grammar did not accept: keep it, say what was left over."""
    label, after = s[: m.start()], s[m.end():]
    pm = _PRE_TAIL_RE.search(label)
    pre, r1 = _pre_op(pm.group() if pm else None)
    if pm:
        label = label[: pm.start()]
    um = _LEAD_UNIT_RE.match(after)
    unit = um.group() if um else None
    after = after[um.end():] if um else after
    qm = _POST_HEAD_RE.match(after)
    op, r2 = _merge_ops(pre, _POST_WORDS[qm.group()] if qm else None)
    after = after[qm.end():] if qm else after
    bad = "garbled" if _STRAY_RE.search(label + after) else "trailing_text"
    n = _dec(m.group())
    return {"kind": "number", "op": op, "number": n, "unit": unit,
            "label": label.rstrip(":：,，、") or None, "all_numbers": (n,),
            "malformed": reasons + r1 + r2 + (bad,)}


def _date_of(m: re.Match[str], p: str, *, end: bool, year: int | None = None) -> datetime.date:
    """The calendar day a matched date part names (first or last day when partial)."""
    g = m.groupdict()
    y = int(g.get(f"{p}y") or g.get(f"{p}y2") or g.get(f"{p}ymdot") or g.get(f"{p}y3")
            or year or 0)
    month = g.get(f"{p}m") or g.get(f"{p}m2") or g.get(f"{p}m3") or g.get(f"{p}m4")
    day = g.get(f"{p}d")
    edge = g.get(f"{p}edge")
    if edge in ("底", "末"):
        end = True
    elif edge == "初":
        end = False
    mo = int(month) if month else (12 if end else 1)
    if day:
        return datetime.date(y, mo, int(day))
    return _month_end(y, mo) if end else datetime.date(y, mo, 1)


def _month_end(year: int, month: int) -> datetime.date:
    if not 1 <= month <= 12:
        raise ValueError("month out of range")
    return datetime.date(year, month, calendar.monthrange(year, month)[1])


def _date_numbers(text: str) -> tuple[Decimal, ...]:
    return tuple(Decimal(d) for d in _DIGITS_RE.findall(text))


def _date_range(s: str) -> dict | None:
    m = _DATE_RANGE_RE.match(s)
    if m is None:
        return None
    g = m.groupdict()
    if g["ay3"] and (g["em"] or g["em2"] or "年" not in s):
        return None  # "2000-3000" is a range of numbers; "2020-12-10" is one date
    try:
        start = _date_of(m, "a", end=False)
        if g["em"] is not None:
            stop = datetime.date(start.year, int(g["em"]), int(g["ed"]))
        elif g["em2"] is not None:
            stop = _month_end(start.year, int(g["em2"]))
        else:
            stop = _date_of(m, "b", end=True)
    except ValueError:
        return {"malformed": ("invalid_date",)}
    return {"kind": "date_range", "date": start, "end": stop, "label": _label(m),
            "all_numbers": _date_numbers(s[m.end("label"):])}


def _date(s: str) -> dict | None:
    m = _DATE_RE.match(s)
    if m is None:
        return None
    g = m.groupdict()
    if g["ay3"] and not (g["aedge"] or g["post"]):
        return None  # a bare "2020年" is a number with unit 年
    if g["aymdot"] and not (g["aedge"] or g["post"]):
        return None  # a bare "2021.12" is a decimal number
    op, reasons = _ops(m)
    try:
        day = _date_of(m, "a", end=True)
    except ValueError:
        return {"malformed": ("invalid_date",)}
    return {"kind": "date", "op": op, "date": day, "label": _label(m), "malformed": reasons,
            "all_numbers": _date_numbers(s[m.end("label"):])}

