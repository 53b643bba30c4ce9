"""A spreadsheet cell's value as Excel DISPLAYS it, from the value and its number format.

A workbook stores 0.8619 and the format ``0.00%``; the auditor must read "86.19%", as a
person sees it. Covered: General, fixed decimals (``0.00``), thousands separators
(``#,##0.00``), percentages, scientific (``0.00E+00``), sections for negatives and zero
(``#,##0.00;[Red]-#,##0.00;"-"``), literal text (``0.00"万元"``, ``\\¥``), locale and colour
codes (``[$-804]``, ``[Red]``) and dates and times (``yyyy"年"m"月"d"日"``, ``yyyy-mm-dd``,
``h:mm``). Fractions are shown as General.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal

_TOKEN = re.compile(
    r'"[^"]*"|\\.|\[[^\]]*\]|_.|\*.|AM/PM|A/P|yyyy|yy|e|mmmmm|mmmm|mmm|mm|m|dddd|ddd|dd|d|hh|h|ss|s|.',
    re.IGNORECASE | re.DOTALL,
)
_DATE_CODE = re.compile(r"[ymdhs]", re.IGNORECASE)
_DIGITS = set("0#?")
_WEEKDAYS_CN = "一二三四五六日"


def display(value: object, fmt: str | None) -> str:
    """The text Excel shows for a cell holding ``value`` with number format ``fmt``."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, str):
        return value.replace("\r\n", "\n").replace("\r", "\n")
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return format_date(value, fmt or "")
    if isinstance(value, int | float | Decimal):
        return format_number(value, fmt or "General")
    return str(value)


def sections(fmt: str) -> list[str]:
    """The ;-separated sections of a format, quotes and escapes respected."""
    out, current = [], ""
    for token in _TOKEN.findall(fmt):
        if token == ";":
            out.append(current)
            current = ""
        else:
            current += token
    out.append(current)
    return out


def is_date_format(fmt: str) -> bool:
    """Whether a format shows dates or times (y, m, d, h, s outside quotes and brackets)."""
    for token in _TOKEN.findall(sections(fmt)[0]):
        if token[0] in '"\\[_*':
            continue
        if _DATE_CODE.match(token):
            return True
    return False


def format_number(value: int | float | Decimal, fmt: str) -> str:
    parts = sections(fmt)
    number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    section, sign = parts[0], "-" if number < 0 else ""
    if number < 0 and len(parts) > 1 and parts[1]:
        section, sign = parts[1], ""  # the negative section writes its own sign, or none
        number = -number
    elif number == 0 and len(parts) > 2:
        section = parts[2]
    if number < 0:
        number = -number
    if _is_general(section):
        return sign + general(number)
    if is_date_format(section):
        return format_date(_excel_date(float(number)), section)
    return sign + _apply(number, section)


_FRACTION = re.compile(r"[0#?]\s*/\s*[0-9#?]")


def _is_general(section: str) -> bool:
    """General, text (@), or a fraction format, which is shown as General here."""
    body = re.sub(r"\[[^\]]*\]", "", section).strip()
    if body == "" or body.lower() == "general":
        return True
    unquoted = re.sub(r'"[^"]*"', "", body)
    return "@" in unquoted or _FRACTION.search(unquoted) is not None


def general(number: Decimal) -> str:
    """Excel's General: up to 11 characters, here: up to 10 significant digits."""
    if number == number.to_integral_value() and abs(number) < Decimal("1e11"):
        return str(int(number))
    text = f"{float(number):.10g}"
    if "e" in text and Decimal("1e-9") < abs(number) < Decimal("1e11"):
        text = format(Decimal(text).normalize(), "f")
    return text


def _apply(number: Decimal, section: str) -> str:
    """Literals around one numeric pattern; % scales by 100, a trailing comma by 1/1000."""
    tokens = _TOKEN.findall(section)
    first = next((i for i, t in enumerate(tokens) if t in _DIGITS), None)
    if first is None:
        return "".join(_literal(t) for t in tokens)
    stop = next((i for i, t in enumerate(tokens) if t.lower() == "e" and i > first), len(tokens))
    last = max(i for i, t in enumerate(tokens[:stop]) if t in _DIGITS)
    while last + 1 < len(tokens) and tokens[last + 1] in (",", "."):
        last += 1
    pattern = "".join(tokens[first : last + 1])
    before = "".join(_literal(t) for t in tokens[:first])
    after_tokens = tokens[last + 1 :]
    exponent = next((i for i, t in enumerate(after_tokens) if t.lower() == "e"), None)
    scale = sum(t == "%" for t in tokens)
    number *= Decimal(100) ** scale
    if exponent is not None:
        digits = sum(t == "0" for t in after_tokens[exponent + 2 :])
        body = _scientific(number, pattern, max(1, digits))
        after_tokens = after_tokens[exponent + 2 + digits :]
    else:
        body = _fixed(number, pattern)
    return before + body + "".join(_literal(t) for t in after_tokens)


def _fixed(number: Decimal, pattern: str) -> str:
    while pattern.endswith(","):
        number /= 1000
        pattern = pattern[:-1]
    integer, _, fraction = pattern.partition(".")
    places = sum(ch in _DIGITS for ch in fraction)
    required = sum(ch == "0" for ch in fraction)
    rounded = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    whole, _, frac = f"{rounded:f}".partition(".")
    frac = frac.rstrip("0").ljust(required, "0") if places else ""
    min_int = sum(ch == "0" for ch in integer)
    whole = "" if whole == "0" and min_int == 0 else whole.rjust(min_int, "0")
    if "," in integer and whole:
        whole = f"{int(whole):,}"
    return whole + ("." + frac if frac or (places == 0 and "." in pattern) else "")


def _scientific(number: Decimal, pattern: str, exp_digits: int) -> str:
    places = sum(ch in _DIGITS for ch in pattern.partition(".")[2])
    mantissa, _, exp = f"{float(number):.{places}E}".partition("E")
    sign = "-" if int(exp) < 0 else "+"
    return f"{mantissa}E{sign}{abs(int(exp)):0{exp_digits}d}"


def _literal(token: str) -> str:
    if token.startswith('"'):
        return token[1:-1]
    if token.startswith("\\"):
        return token[1:]
    if token.startswith("["):
        inner = token[1:-1]
        return inner[1:].split("-")[0] if inner.startswith("$") else ""  # [$¥-804] → ¥
    if token.startswith("_"):
        return " "
    if token.startswith("*"):
        return ""
    return token


def _excel_date(serial: float) -> dt.datetime:
    return dt.datetime(1899, 12, 30) + dt.timedelta(days=serial)


def format_date(value: dt.datetime | dt.date | dt.time, fmt: str) -> str:
    """A date or time in a format such as ``yyyy"年"m"月"d"日"`` or ``yyyy-mm-dd h:mm``."""
    if isinstance(value, dt.time):
        value = dt.datetime.combine(dt.date(1899, 12, 31), value)
    elif not isinstance(value, dt.datetime):
        value = dt.datetime.combine(value, dt.time())
    section = sections(fmt)[0]
    if _is_general(section) or not is_date_format(section):
        section = "yyyy-mm-dd" if value.time() == dt.time() else "yyyy-mm-dd hh:mm:ss"
    tokens = _TOKEN.findall(section)
    twelve = any(t.upper() in ("AM/PM", "A/P") for t in tokens)
    out = []
    for i, token in enumerate(tokens):
        low = token.lower()
        if low.startswith("m") and low.strip("m") == "" and _is_minute(tokens, i):
            out.append(f"{value.minute:02d}" if len(low) == 2 else str(value.minute))
        else:
            out.append(_date_part(value, token, twelve))
    return "".join(out)


def _is_minute(tokens: list[str], i: int) -> bool:
    """m means minutes right after an hour code or right before a seconds code."""
    codes = [(j, t.lower()) for j, t in enumerate(tokens) if _DATE_CODE.match(t)]
    position = next(k for k, (j, _) in enumerate(codes) if j == i)
    before = codes[position - 1][1] if position > 0 else ""
    after = codes[position + 1][1] if position + 1 < len(codes) else ""
    return before.startswith("h") or after.startswith("s")


def _date_part(value: dt.datetime, token: str, twelve: bool) -> str:
    low = token.lower()
    hour = value.hour % 12 or 12 if twelve else value.hour
    parts = {
        "yyyy": f"{value.year:04d}",
        "yy": f"{value.year % 100:02d}",
        "m": str(value.month),
        "mm": f"{value.month:02d}",
        "mmm": value.strftime("%b"),
        "mmmm": value.strftime("%B"),
        "mmmmm": value.strftime("%b")[0],
        "d": str(value.day),
        "dd": f"{value.day:02d}",
        "ddd": "周" + _WEEKDAYS_CN[value.weekday()],
        "dddd": "星期" + _WEEKDAYS_CN[value.weekday()],
        "h": str(hour),
        "hh": f"{hour:02d}",
        "s": str(value.second),
        "ss": f"{value.second:02d}",
    }
    if low in parts:
        return parts[low]
    if low == "am/pm":
        return "上午" if value.hour < 12 else "下午"
    if low == "a/p":
        return "A" if value.hour < 12 else "P"
    return _literal(token)
