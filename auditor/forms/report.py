"""绩效自评报告: narrative text between forms, read into sections, the problems and
improvements it states, and every amount it names.

The text is compared across formats after clean_text, where a PDF's line breaks vanish;
so sections and amounts are found in the joined text, and each offset maps back to the
paragraph (and page) it came from.
"""

from __future__ import annotations

import re

from auditor.forms.stream import Para
from auditor.headings import CN_BRACKETED, CN_COMMA
from auditor.records import Report, ReportSection, StatedAmount, Value

REPORT_TITLE = re.compile(
    r"(?:自评|评价|绩效)报告(?:[（(][^）)]*[）)])?\d*$|绩效评价结果的?说明$|(?:自评|评价)报告(?:和|及|与)[^。，,]{0,20}表$"
)
# What a report's heading says besides its subject: the kind of report, the kind of
# spending, the year (stripped from the end in that order).
_KIND_TAIL = re.compile(r"(?:区域)?(?:绩效)?\s*(?:单位|部门)?\s*(?:自评|评价)*\s*(?:结果的?说明|报告(?:[（(][^）)]*[）)])?\d*|报告(?:和|及|与)[^。，,]{0,20}表)$")
_SPENDING_TAIL = re.compile(r"(?:(?:部门|单位|机关)(?:整体)?(?:支出)?|整体支出|项目资金|项目支出|(?<=年度)项目|(?<=年)项目|支出)$")
_YEAR_HEAD = re.compile(r"^[（(]?\s*(?:20\d{2}|20xx|20XX)\s*年度?\s*[）)]?")
_YEAR_TAIL = re.compile(r"[（(]?\s*(?:20\d{2}|20xx|20XX)\s*年度?\s*[）)]?$")
_BRACKETED = re.compile(r"报告[（(]([^）)]{4,})[）)]$")
# "<unit><a kind of funds>": the subject is the unit (西藏自治区文物局中央转移支付).
_UNIT_AND_FUNDS = re.compile(
    r"^(.{2,30}?(?:局|厅|委员会|委|办公室|办|院|中心|站|所|政府|室|处|馆|队|会|部))"
    r"(?:中央)?(?:财政)?(?:转移支付|专项资金|项目资金|部门预算项目|预算项目)$"
)
_COVER_FIELD = re.compile(
    r"^(?P<key>项目名称|(?:预算)?(?:部门|单位)[（(]?(?:单位|部门)?[）)]?(?:名称|全称))\s*[:：]\s*(?P<value>\S.*?)"
    r"\s*(?:[（(]\s*(?:公章|盖章)\s*[）)])?$"
)
_SECTION_HEADING = re.compile(rf"^(?:{CN_COMMA}|{CN_BRACKETED})")
_ATTACHMENT = re.compile(r"附件\s*([\d一二三四五六七八九十]+(?:\s*[-－—]\s*\d+)?)")
_SECTION = re.compile(rf"^(?:{CN_COMMA}|\d+、|{CN_BRACKETED})")
_AMOUNT = re.compile(r"(?<!\d)(?<!\d,)(\d[\d,]*(?:\.\d+)?)\s*(万元|亿元|元)")  # starts where a number starts
_SENTENCE_END = "。；;！？\n"
_PROBLEMS = re.compile(r"存在的?问题")
_NUMBERING = r"(?:[（(][一二三四五六七八九十\d]+[）)]|[一二三四五六七八九十]+、)?"
_IMPROVE = re.compile(_NUMBERING + r"(?:下一步)?(?:的)?(?:改进|整改)措施")
_AFTER_IMPROVE = re.compile(r"[一二三四五六七八九十]+、|绩效自评结果|结果应用")


def is_report_title(para: Para) -> bool:
    return len(para.text) <= 60 and bool(REPORT_TITLE.search(para.text))


def report_subject(title: str, before: str | None, paras: list[Para]) -> tuple[str, str | None]:
    """The project or unit a report is about, and how it was found: a cover field
    (项目名称：X, 部门（单位）名称：X), a name in brackets after 报告, or its heading with the
    year and the kind of report taken off (a heading broken over two lines is joined)."""
    fields = {m.group("key"): m.group("value") for p in paras[:12] if (m := _COVER_FIELD.match(p.text))}
    if fields:
        key = "项目名称" if "项目名称" in fields and "项目" in title else next(iter(fields))
        return fields[key], None
    m = _BRACKETED.search(title)
    if m:
        return m.group(1), None
    heading = title
    if before and len(before) <= 40 and not re.search(r"[。，,；;：:]", before) and not _SECTION_HEADING.match(before) \
            and not before.startswith("附件"):
        heading = before + title
    subject = _YEAR_TAIL.sub("", _SPENDING_TAIL.sub("", _KIND_TAIL.sub("", heading).strip()).strip()).strip()
    subject = _YEAR_HEAD.sub("", subject.removesuffix("关于")).strip(" ：:，,")
    unit = _UNIT_AND_FUNDS.match(subject)
    subject = unit.group(1) if unit else subject
    if subject in ("", "项目", "部门", "单位") or len(subject) < 3:
        return "", "报告中未写明项目或单位名称"
    return subject, f"名称取自报告标题“{heading}”"


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
