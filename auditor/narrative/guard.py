"""The quote guard: a quote counts only if it stands verbatim in the text sent.

A contradiction is kept only when (``rejection`` says why not):
- every quote is substantive: at least ``MIN_QUOTE_CHARS`` letters, CJK characters or
  digits, ``MIN_QUOTE_WORDS`` of them not digits (not punctuation, not a lone number);
- every quote stands verbatim inside one segment of the text sent;
- there are at least two quotes, from two different segments (goal and result, table and
  report …): a contradiction is between two places;
- every number of the explanation appears in the quotes (the model may not bring in a
  number the document does not say).

Quotes and source are compared after ``clean_text`` (whitespace only, the way every
reader of this project normalises text) and nothing else. A match must not cut a number
in two ("执行率为9" inside "执行率为95%"): the numbers of the quote must be exactly the
numbers of the matched place, widened to whole numbers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from auditor.document import clean_text
from auditor.records import Location

NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
MIN_QUOTE_CHARS = 4
MIN_QUOTE_WORDS = 3
_NUMBER_CHARS = re.compile(r"[\d.,]")


@dataclass(frozen=True)
class Segment:
    """One piece of document text as it was sent: its label, text and place."""

    label: str  # our own words, never a digit in them
    text: str
    location: Location | None = None

    def render(self) -> str:
        return f"【{self.label}】{self.text}"


def numbers(text: str) -> list[str]:
    return NUMBER.findall(text)


def quote_holds(quote: str, source: str) -> bool:
    """``quote`` occurs verbatim in ``source`` at a place whose numbers are the quote's."""
    q, s = clean_text(quote), clean_text(source)
    if not q:
        return False
    start = s.find(q)
    while start >= 0:
        if numbers(_widened(s, start, start + len(q))) == numbers(q):
            return True
        start = s.find(q, start + 1)
    return False


def _widened(text: str, start: int, end: int) -> str:
    """The span grown to whole numbers where it starts or ends inside one."""
    if text[start].isdigit():
        while (
            start > 0 and _NUMBER_CHARS.match(text[start - 1]) and _touches_digit(text, start - 1)
        ):
            start -= 1
    if text[end - 1].isdigit():
        while end < len(text) and _NUMBER_CHARS.match(text[end]) and _touches_digit(text, end):
            end += 1
    return text[start:end]


def _touches_digit(text: str, i: int) -> bool:
    """A digit, or a separator between digits (not a sentence's full stop)."""
    if text[i].isdigit():
        return True
    return 0 < i < len(text) - 1 and text[i - 1].isdigit() and text[i + 1].isdigit()


def locate(quote: str, segments: list[Segment]) -> Location | None:
    """Where the quote came from: the first segment holding it, when it lies in one."""
    return next((seg.location for seg in segments if quote_holds(quote, seg.text)), None)


def substantive(quote: str) -> bool:
    """Enough real characters to mean something: not punctuation, not a lone number."""
    real = [c for c in quote if c.isalnum()]
    words = [c for c in real if not c.isdigit()]
    return len(real) >= MIN_QUOTE_CHARS and len(words) >= MIN_QUOTE_WORDS


def segments_of(quote: str, segments: list[Segment]) -> set[int]:
    """The indices of the segments the quote stands in, verbatim."""
    return {i for i, seg in enumerate(segments) if quote_holds(quote, seg.text)}


def _two_places(places: list[set[int]]) -> bool:
    """Two of the quotes can be read from two different segments."""
    return any(
        a != b for i, first in enumerate(places) for second in places[i + 1 :] for a in first for b in second
    )


def rejection(quotes: list[str], explanation: str, segments: list[Segment]) -> str | None:
    """Why a contradiction with these quotes and this explanation cannot be trusted, or
    None when it passes the guard."""
    if any(not substantive(q) for q in quotes):
        return "引文过短或只有标点、数字"
    places = [segments_of(q, segments) for q in quotes]
    if any(not p for p in places):
        return "引文不在原文中"
    if len({clean_text(q) for q in quotes}) < 2 or not _two_places(places):
        return "矛盾须引用原文中两处不同的位置"
    quoted = {n for q in quotes for n in numbers(clean_text(q))}
    if any(n not in quoted for n in numbers(explanation)):
        return "说明中的数字不在引文中"
    return None
