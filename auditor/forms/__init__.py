"""Find the forms in a Document and read each into its typed record.

A form starts at a row that names what it is about (项目名称 / 项目支出名称 / 支出方向 for a
project, 单位名称 / 预算部门名称 / 部门名称 for a department), together with the title lines
just above it (附件3-1, …项目支出绩效自评表, （2022年度）). Its kind follows from what its
rows hold: actual values make it a self-evaluation, targets alone a target table.
"""

from __future__ import annotations

import re

from auditor.document import Document, clean_text
from auditor.errors import UnknownFormError
from auditor.forms import blocks
from auditor.forms.body import Draft, read_body
from auditor.forms.report import attachment_of, is_report_title, read_report, report_subject
from auditor.forms.stream import Item, Para, Row, item_text, items_of, key_of
from auditor.headings import ANY_BRACKETED, CN_BRACKETED, CN_COMMA, CN_ORDINAL
from auditor.records import (
    DeptSelfEval,
    DeptTargets,
    FormBase,
    Location,
    ProjectSelfEval,
    ProjectTargets,
    Report,
    SelfEvalBase,
    SelfEvalReport,
    Value,
)

PROJECT_KEYS = ("项目名称", "项目支出名称", "支出方向子项", "支出方向", "专项名称")
# key_of drops brackets: 支出方向（子项） is 支出方向子项
DEPT_KEYS = ("单位名称", "预算部门名称", "部门名称", "预算单位名称", "部门单位名称")
_FILL_LINE = re.compile(r"^[（(]?\s*(填报单位|填报日期|单位名称[:：]|项目主管部门|主管部门[:：]|金额单位|单位[:：]|\(盖章\)|（盖章）)")
_YEAR_LINE = re.compile(r"^[（(]?\s*(\d{4})\s*年度?\s*[）)]?$")
_YEAR = re.compile(r"(20\d{2})\s*年")
_ATTACHMENT_LINE = re.compile(r"^附件\s*[\d一二三四五六七八九十]+(\s*[-－—]\s*\d+)?\s*[:：]?$")
_SPENDING_WORDS = ("支出", "拨款", "预算", "资金", "收入")

Form = ProjectSelfEval | DeptSelfEval | DeptTargets | ProjectTargets | SelfEvalReport


def parse_forms(document: Document) -> list[Form]:
    items = items_of(document)
    keys = _key_rows(items)
    starts = [_heading_start(items, k, keys[n - 1] + 1 if n else 0) for n, k in enumerate(keys)]
    forms: list[Form] = []
    for n, k in enumerate(keys):
        end = starts[n + 1] if n + 1 < len(keys) else len(items)
        above = items[max(keys[n - 1] + 1 if n else 0, starts[n] - 15) : starts[n]]
        body = _body_start(items, starts[n], k)
        forms.append(_build(items[starts[n] : body], items[body:end], above))
    forms += _attach_reports(items, starts, forms)
    if not forms and (untitled := _untitled_report(items)) is not None:
        forms.append(untitled)
    if not forms:
        raise UnknownFormError(
            "未识别到绩效表格：文件中既没有“项目名称”“单位名称”等表头，也没有资金执行表或绩效指标表，"
            "可能不是绩效自评表或绩效目标表；请确认上传的文件，或配置大模型后使用辅助识别"
        )
    return forms


_UNIT_ALONE = {"部门", "单位", "预算单位", "预算部门", "部门单位", "单位部门", "主管部门单位", "部门名称单位名称"}
_TITLE_HEADING = re.compile(r"(绩效|自评|评价|目标).{0,12}(表|报告)")


def title_kind(key: str) -> str | None:
    """Whether a label names the project ("project") or the unit ("dept"): the usual
    labels, and other …名称 labels (预算项目名称, 专项资金名称, 单位（部门）名称 …)."""
    if key in PROJECT_KEYS:
        return "project"
    if key in DEPT_KEYS or key in _UNIT_ALONE:
        return "dept"
    if len(key) <= 10 and key.endswith("名称"):
        if any(w in key for w in ("项目", "专项", "资金", "政策", "支出")):
            return "project"
        if any(w in key for w in ("单位", "部门", "机构")):
            return "dept"
    return None


def _title_key(row: Row) -> str | None:
    """The label of a row that names the form's subject: the first filled cell, or a
    project label later in the same row (单位名称 | X | 项目名称 | Y names a project)."""
    first = row.first_filled()
    if first is None or len(row.filled) < 2 or title_kind(row.keys[first]) is None:
        return None
    labels = row.filled[::2]
    project = next((row.keys[i] for i in labels if title_kind(row.keys[i]) == "project"), None)
    return project or row.keys[first]


_INLINE_TITLE = re.compile(
    r"^\s*(项目名称|项目支出名称|专项名称|支出方向\s*[（(]子项[）)]|单位名称|预算部门名称|部门名称|预算单位名称)"
    r"\s*[:：]\s*(\S.*?)(?:\s{2,}.*)?$"
)


def inline_title(item: Item) -> tuple[str, Value] | None:
    """(key, value) of a title written in one piece, "项目名称：X", in a paragraph above
    the table or in a cell of its own."""
    if isinstance(item, Para):
        raw, location = item.raw, item.location
    else:
        first = item.first_filled()
        if first is None or len(item.filled) != 1:
            return None
        raw, location = item.cells[first].text, Location.of(item.cells[first].prov)
    m = _INLINE_TITLE.match(raw)
    if m is None:
        return None
    return key_of(m.group(1)), Value.read(clean_text(m.group(2)), location)


def is_title_line(text: str) -> bool:
    """A heading that names a form: "XX局2023年度部门整体支出绩效自评表"."""
    return len(text) <= 80 and _TITLE_HEADING.search(text) is not None and not _FILL_LINE.match(text)


def _key_rows(items: list[Item]) -> list[int]:
    """Where forms start: rows naming the project or unit; a title written inline
    ("项目名称：X") starts a form only when its table has no such row. A form with no
    such label at all is recognised by what it holds: its first funds block or indicator
    table starts it, when no form is open or a title line came since the last block."""
    keys: list[int] = []
    has_body, inline, titled = True, None, True
    for i, item in enumerate(items):
        is_header = isinstance(item, Row) and (blocks.is_indicator_header(item) or blocks.is_funds_header(item))
        if isinstance(item, Row) and _title_key(item):
            if has_body:
                keys.append(i)
                has_body = False
            inline, titled = None, False
        elif has_body and inline_title(item):
            inline = i
        elif is_header:
            if has_body and inline is not None:
                keys.append(inline)
            elif has_body and titled:
                keys.append(i)
            has_body, inline, titled = True, None, False
        elif is_title_line(item_text(item)):
            titled = True
    return keys


def _body_start(items: list[Item], start: int, key: int) -> int:
    """Label rows between the title lines and a block header that starts a form (no
    项目名称 row) belong to the form's body."""
    body = key
    if not isinstance(items[key], Row) or _title_key(items[key]) is not None:  # type: ignore[arg-type]
        return key
    for i in range(key - 1, start - 1, -1):
        item = items[i]
        if isinstance(item, Row) and len(item.filled) >= 2 and "表" not in item_text(item):
            body = i
        elif item_text(item):
            break
    return body


def _heading_start(items: list[Item], key: int, floor: int) -> int:
    """Where the form's title lines start above its key row. A form recognised by a block
    header (no 项目名称 row) may have label rows (主管部门 | X) between title and header."""
    start = key
    by_content = isinstance(items[key], Row) and _title_key(items[key]) is None  # type: ignore[arg-type]
    for i in range(key - 1, max(floor, key - 7) - 1, -1):
        text = item_text(items[i])
        if not text or _FILL_LINE.match(text) or _YEAR_LINE.match(text):
            continue
        if by_content and isinstance(items[i], Row) and len(items[i].filled) >= 2 and "表" not in text:  # type: ignore[union-attr]
            continue
        if _ATTACHMENT_LINE.match(text):
            return i
        if "表" in text and len(text) <= 60:
            start = i
            if i - 1 >= floor and _ATTACHMENT_LINE.match(item_text(items[i - 1])):
                start = i - 1
        break
    return start


def _build(heading: list[Item], body: list[Item], above: list[Item] = ()) -> Form:  # type: ignore[assignment]
    draft = read_body(body, [item_text(i) for i in heading])
    draft.grade = find_grade(draft, body)
    first = body[0]
    title_key = _title_key(first) if isinstance(first, Row) else None
    if title_key is None:
        title_key, title = inline_title(first) or ("", None)
        if title is not None:
            draft.fields.setdefault(title_key, title)
    common = _common(heading, draft, title_key, first)
    kind = (title_kind(title_key) if title_key else None) or _kind_from_heading(common["heading"], draft)  # type: ignore[arg-type]
    if not common["title"]:
        # a line above: a paragraph, or a one-cell row (a title line inside an Excel sheet)
        lines = [item_text(i) for i in above if isinstance(i, Para) or len(i.filled) == 1]
        _title_from_heading(common, kind, lines)
    actuals = draft.has_actual_column or any(r.executed for r in draft.funds) or any(
        i.score is not None and not i.score.is_blank for i in draft.indicators)
    if kind == "project":
        return _project_self_eval(draft, common) if actuals else _project_targets(draft, common)
    return _dept_self_eval(draft, common) if actuals else _dept_targets(draft, common)


def _kind_from_heading(heading: str | None, draft: Draft) -> str:
    """A form named only by its heading: 部门/单位整体 → department, 项目 → project; with no
    heading, a funds block split into 基本支出/项目支出 is a department's."""
    text = heading or ""
    if re.search(r"整体|部门(?:预算)?绩效|单位(?:预算)?绩效", text):
        return "dept"
    if "项目" in text or "专项" in text or "资金" in text:
        return "project"
    labels = " ".join(r.label for r in draft.funds) + " ".join(draft.fields)
    categories = "".join(i.level1 for i in draft.indicators)
    whole_unit = "投入" in categories and "过程" in categories and "项目" not in categories  # 部门整体 scoring
    return "dept" if "基本支出" in labels or whole_unit else "project"


_HEADING_KIND = re.compile(
    r"[（(]?\s*(?:20\d{2}|\d{4})\s*年度?\s*[）)]?|(?:部门|单位)?整体支出绩效.*$|(?:支出)?绩效.*$|"
    r"(?:部门|单位)(?:预算)?绩效.*$"
)


_GENERIC_TITLE = re.compile(r"^(?:项目|部门|单位|专项|具体|绩效|目标|指标|一览|情况|明细|汇总|年度|表)*$")
_GOAL_CAPTION = re.compile(r"(?:项目)?(?:绩效)?目标(?:表|情况)?$")
_SECTION_LINE = re.compile(rf"^(?:{CN_COMMA}|{ANY_BRACKETED}|\d+[、.])")


def _title_from_heading(common: dict[str, object], kind: str, above: list[str]) -> None:
    """The subject named in the heading line (XX局2023年度部门整体支出绩效自评表 → XX局),
    with a note that the title was taken from the heading. A generic caption (项目具体目标表)
    names nothing: then the nearest short line above that names a subject is used."""
    heading = common.get("heading")
    notes = common["notes"]
    assert isinstance(notes, list)
    title, source = "", heading
    if isinstance(heading, str) and heading:
        title = _HEADING_KIND.sub("", clean_text(heading)).strip("：:，, ")
    if _GENERIC_TITLE.match(title):
        title, source = "", None
        for line in reversed(above):
            if len(line) > 60 or _SECTION_LINE.match(line) or re.search(r"[。；;，,]", line):
                continue
            title = _HEADING_KIND.sub("", _GOAL_CAPTION.sub("", clean_text(line))).strip("：:，, ")
            if not _GENERIC_TITLE.match(title):
                source = line
                break
            title = ""
    if title and not _GENERIC_TITLE.match(title):
        common["title"] = title
        notes[:] = [n for n in notes if n != "未找到项目或单位名称"]
        common["title_note"] = f"表中没有{'项目' if kind == 'project' else '单位'}名称栏，名称取自标题“{source}”"


def _common(heading: list[Item], draft: Draft, title_key: str, key_item: Item) -> dict[str, object]:
    texts = [item_text(i) for i in heading if item_text(i)]
    title_line = next((t for t in texts if "表" in t and not _FILL_LINE.match(t)), None)
    attachment = next((a for t in texts if (a := attachment_of(t))), None)
    year = next((m.group(1) for t in texts if (m := _YEAR_LINE.match(t))), None)
    if year is None and title_line and (m := _YEAR.search(title_line)):
        year = m.group(1)
    if title_line and attachment:
        title_line = re.sub(r"^附件\s*[\d一二三四五六七八九十]+(\s*[-－—]\s*\d+)?\s*[:：]?", "", title_line) or None
    title = draft.fields.get(title_key)
    notes = [] if title and title.text else ["未找到项目或单位名称"]
    if not draft.indicators and not draft.goal_blocks:
        notes.append("未找到绩效指标表")
    return {
        "title": title.text if title else "",
        "heading": title_line,
        "attachment": attachment,
        "year": year,
        "fields": draft.fields,
        "indicators": draft.indicators,
        "category_weights": draft.category_weights,
        "notes": notes,
        "location": key_item.location if isinstance(key_item, Para) else key_item.location(),
    }


_GRADE_WORD = r"(优秀|良好|优|良|中等|中|差|合格|不合格)"
_GRADE_INLINE = re.compile(r"(?:评价|自评|绩效|综合)?等级\s*[:：为是]\s*" + _GRADE_WORD)
_GRADE_ALONE = re.compile(r"^" + _GRADE_WORD + r"$")


def find_grade(draft: Draft, body: list[Item]) -> Value | None:
    """The grade the form states: a 评价等级 / 自评等级 field, a grade written inline
    (评价等级：优) in a cell or a line, or a grade word alone after the total score."""
    value = next((v for k, v in draft.fields.items() if k.endswith("等级") and v.text), None)
    if value is not None:
        return value
    for item in body:
        if isinstance(item, Para):
            if m := _GRADE_INLINE.search(item.text):
                return Value.read(m.group(1), item.location)
            continue
        for text, cell in zip(item.texts, item.cells):
            if m := _GRADE_INLINE.search(text):
                return Value.read(m.group(1), Location.of(cell.prov))
        if isinstance(item, Row) and blocks.is_total_row(item):
            alone = [i for i in item.filled if _GRADE_ALONE.match(item.texts[i])]
            if alone:
                return item.value(alone[0])
    return None


def _self_eval_parts(draft: Draft) -> dict[str, object]:
    return {
        "funds": draft.funds,
        "goal": draft.goal,
        "result": draft.result,
        "total_weight": draft.total_weight,
        "total_score": draft.total_score,
        "grade": draft.grade,
        "budget_weight": draft.budget_weight,
        "indicators_weight": draft.indicators_weight,
    }


def _project_self_eval(draft: Draft, common: dict[str, object]) -> ProjectSelfEval:
    if not draft.funds:
        common["notes"].append("未找到资金与预算执行表")  # type: ignore[attr-defined]
    department, implementer = _field(draft, "主管部门"), _field(draft, "实施单位")
    return ProjectSelfEval(
        **common,  # type: ignore[arg-type]
        **_self_eval_parts(draft),  # type: ignore[arg-type]
        department=department.text if department else None,
        implementer=implementer.text if implementer else None,
    )


def _dept_self_eval(draft: Draft, common: dict[str, object]) -> DeptSelfEval:
    return DeptSelfEval(
        **common,  # type: ignore[arg-type]
        **_self_eval_parts(draft),  # type: ignore[arg-type]
        spending=_spending(draft),
        goal_blocks=draft.goal_blocks,
        deviation_text=_field_containing(draft, "偏差"),
        improvement_text=_field_containing(draft, "改进措施"),
    )


def _dept_targets(draft: Draft, common: dict[str, object]) -> DeptTargets:
    duties = _field(draft, "部门职责概述", "部门职责", "职责概述")
    return DeptTargets(
        **common,  # type: ignore[arg-type]
        total_amount=_field(draft, "资金总额", "年度预算申请", "合计", "总计"),
        spending=_spending(draft),
        duties=duties.text if duties else None,
        plans=draft.plans,
        sub_items=draft.sub_items,
        sub_items_total=draft.sub_items_total,
    )


def _project_targets(draft: Draft, common: dict[str, object]) -> ProjectTargets:
    def text(*keys: str) -> str | None:
        value = _field(draft, *keys)
        return value.text if value else None

    return ProjectTargets(
        **common,  # type: ignore[arg-type]
        amount=_field(draft, "项目金额", "资金总额", "年度资金总额"),
        special_fund=text("所属专项"),
        period=text("项目实施期", "实施期"),
        long_term_goal=text("实施期绩效目标", "总体目标"),
        annual_goal=text("年度绩效目标", "年度目标"),
    )


def _field(draft: Draft, *keys: str) -> Value | None:
    return next((draft.fields[k] for k in keys if k in draft.fields), None)


def _field_containing(draft: Draft, word: str) -> Value | None:
    return next((v for k, v in draft.fields.items() if word in k), None)


def _spending(draft: Draft) -> dict[str, Value]:
    out: dict[str, Value] = {}
    for key, value in draft.fields.items():
        if key in DEPT_KEYS or "性质" in key or not any(w in key for w in _SPENDING_WORDS):
            continue
        if value.quantity.kind in ("number", "blank"):
            out[key.removesuffix("总额") if key.endswith("支出总额") else key] = value
    return out


def _attach_reports(items: list[Item], starts: list[int], forms: list[Form]) -> list[Form]:
    """Attach each report to the self-evaluation form it follows; a report that follows
    no form stands as a form of its own (its amounts are checked against each other)."""
    titles = [i for i, it in enumerate(items) if isinstance(it, Para) and is_report_title(it)]
    alone: list[Form] = []
    for n, t in enumerate(titles):
        limit = min([s for s in starts if s > t] + [titles[n + 1] if n + 1 < len(titles) else len(items)])
        owner = max((k for k, s in enumerate(starts) if s <= t), default=None)
        form = forms[owner] if owner is not None else None
        end = limit if form is None else next((i for i in range(t + 1, limit) if isinstance(items[i], Row)), limit)
        if end - 1 > t and _ATTACHMENT_LINE.match(item_text(items[end - 1])):
            end -= 1
        before = item_text(items[t - 1]) if t else ""
        paras = [p for p in items[t + 1 : end] if isinstance(p, Para)]
        title = items[t]
        assert isinstance(title, Para)
        report = read_report(title, paras, attachment_of(before) if _ATTACHMENT_LINE.match(before) else None)
        if form is None:
            alone.append(_standalone(report, before if t and isinstance(items[t - 1], Para) else None, paras))
        elif isinstance(form, SelfEvalBase) and form.report is None:
            form.report = report
    return alone


def _standalone(report: Report, before: str | None, paras: list[Para]) -> SelfEvalReport:
    subject, note = report_subject(report.title, before, paras)
    year = _YEAR.search(report.title)
    return SelfEvalReport(
        title=subject, heading=report.title, title_note=note, attachment=report.attachment,
        year=year.group(1) if year else None, report=report, location=report.location,
        notes=[] if subject else ["未找到项目或单位名称"],
    )


_REPORT_SECTION = re.compile(rf"^(?:{CN_COMMA}|{CN_BRACKETED}|项目{CN_ORDINAL}[:：])")
_REPORT_WORDS = re.compile(r"绩效|预算|资金")
_SELF_EVALUATED = re.compile(r"绩效(?:自评|评价)")
# Where an untitled report names its subject: "…文件要求，X开展了…绩效自评", "X项目为…".
_SUBJECT_IN_TEXT = (
    re.compile(r"(?:要求|精神|部署|安排)[，,]\s*(?P<s>[^，,。《》]{4,30}?)(?:认真|组织|及时)?(?:开展|对)"),
    re.compile(r"^(?P<s>[^，,。《》]{4,40}?项目)(?:为|是|系)"),
)


def _untitled_report(items: list[Item]) -> SelfEvalReport | None:
    """A report whose heading is missing: no table, text about budgets and performance in
    numbered sections (一、 二、 …, 项目一：…) that says it is a performance evaluation.
    Its subject is taken from the text where it names it."""
    paras = [i for i in items if isinstance(i, Para)]
    if any(isinstance(i, Row) for i in items) or len(paras) < 3:
        return None
    sections = sum(1 for p in paras if _REPORT_SECTION.match(p.text))
    text = "".join(p.text for p in paras)
    if sections < 2 or len(_REPORT_WORDS.findall(text)) < 3 or not _SELF_EVALUATED.search(text):
        return None
    title = Para(text="", raw="", location=paras[0].location)
    form = _standalone(read_report(title, paras, None), None, paras)
    for p in paras[:8]:
        m = next((m for pattern in _SUBJECT_IN_TEXT if (m := pattern.search(p.text))), None)
        if m is not None:
            form.title = m.group("s").strip()
            form.title_note = f"报告没有标题，名称取自正文“{p.text[: m.end()]}…”"
            form.notes = []
            break
    return form


__all__ = ["Form", "FormBase", "parse_forms"]
