"""The quote guard: a quote counts only if it stands verbatim in the text sent.

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
