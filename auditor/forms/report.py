"""绩效自评报告: narrative text between forms, read into sections, the problems and
improvements it states, and every amount it names.

The text is compared across formats after clean_text, where a PDF's line breaks vanish;
so sections and amounts are found in the joined text, and each offset maps back to the
paragraph (and page) it came from.
"""

from __future__ import annotations

import re

from auditor.forms.stream import Para
from auditor.records import Report, ReportSection, StatedAmount, Value

REPORT_TITLE = re.compile(r"(?:绩效)?自评报告$|绩效评价报告$")
_ATTACHMENT = re.compile(r"附件\s*([\d一二三四五六七八九十]+(?:\s*[-－—]\s*\d+)?)")
_SECTION = re.compile(r"^(?:[一二三四五六七八九十]+、|\d+、|（[一二三四五六七八九十]+）|\([一二三四五六七八九十]+\))")
_AMOUNT = re.compile(r"(?<!\d)(?<!\d,)(\d[\d,]*(?:\.\d+)?)\s*(万元|亿元|元)")  # starts where a number starts
_SENTENCE_END = "。；;！？\n"
_PROBLEMS = re.compile(r"存在的?问题")
_NUMBERING = r"(?:[（(][一二三四五六七八九十\d]+[）)]|[一二三四五六七八九十]+、)?"
_IMPROVE = re.compile(_NUMBERING + r"(?:下一步)?(?:的)?(?:改进|整改)措施")
_AFTER_IMPROVE = re.compile(r"[一二三四五六七八九十]+、|绩效自评结果|结果应用")


def is_report_title(para: Para) -> bool:
    return len(para.text) <= 40 and bool(REPORT_TITLE.search(para.text))


def attachment_of(text: str) -> str | None:
    m = _ATTACHMENT.search(text)
    return "附件" + re.sub(r"\s+", "", m.group(1)) if m else None


def read_report(title: Para, paras: list[Para], attachment: str | None) -> Report:
    text, starts = _join(paras)
    return Report(
        title=title.text,
        attachment=attachment,
        sections=_sections(paras),
        problems=_between(text, _PROBLEMS, _IMPROVE),
        improvements=_between(text, _IMPROVE, _AFTER_IMPROVE, after=_PROBLEMS),
        amounts=_amounts(text, starts, paras),
        text=text,
        location=title.location,
    )


def _join(paras: list[Para]) -> tuple[str, list[int]]:
    parts: list[str] = []
    starts: list[int] = []
    length = 0
    for p in paras:
        sep = " " if parts and parts[-1][-1:].isascii() and parts[-1][-1:].isalnum() and p.text[:1].isascii() and p.text[:1].isalnum() else ""
        starts.append(length + len(sep))
        parts.append(sep + p.text)
        length += len(sep) + len(p.text)
    return "".join(parts), starts


def _sections(paras: list[Para]) -> list[ReportSection]:
    sections: list[ReportSection] = []
    body: list[str] = []
    for p in paras:
        if len(p.text) <= 30 and _SECTION.match(p.text):
            if sections:
                sections[-1].text = "".join(body)
            sections.append(ReportSection(heading=p.text, text="", location=p.location))
            body = []
        else:
            body.append(p.text)
    if sections:
        sections[-1].text = "".join(body)
    return sections


def _between(
    text: str, start: re.Pattern[str], end: re.Pattern[str], after: re.Pattern[str] | None = None
) -> str | None:
    """The text from ``start`` to the next ``end``; with ``after``, the search for
    ``start`` begins where ``after`` first matches (improvements follow the problems)."""
    first = after.search(text) if after else None
    m = start.search(text, first.end() if first else 0)
    if not m:
        return None
    rest = text[m.end() :]
    stop = end.search(rest)
    found = rest[: stop.start()] if stop else rest
    return found.strip("及原因分析。：:，, ") or None


def _amounts(text: str, starts: list[int], paras: list[Para]) -> list[StatedAmount]:
    out = []
    for m in _AMOUNT.finditer(text):
        para = paras[max(i for i, s in enumerate(starts) if s <= m.start())]
        s = max(text.rfind(ch, 0, m.start()) for ch in _SENTENCE_END) + 1
        ends = [i for i in (text.find(ch, m.end()) for ch in _SENTENCE_END) if i >= 0]
        context = text[s : min(ends) + 1 if ends else len(text)]
        value = Value.read(m.group(0), para.location, "text")
        out.append(StatedAmount(value=value, context=context))
    return out
