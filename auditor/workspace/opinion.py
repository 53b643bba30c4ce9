"""The written opinion (审核意见书) for one agency, as a Word document (python-docx).

Heading, the forms reviewed, every confirmed finding (需要整改的问题) and every 待核实
finding (需要核实说明的事项) with its numbers, place and what to correct, a deadline line
and a blank for the signature. Dismissed findings are left out; undecided ones only when
asked for, and then as 待核实.
"""

from __future__ import annotations

import io
from collections import Counter
from dataclasses import dataclass
from pathlib import PurePath

from docx import Document as new_word_document
from docx.document import Document as WordDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt
from docx.text.paragraph import Paragraph
from sqlalchemy import select

from auditor.render.view import FORM_KIND_ZH, location_text, rule_titles
from auditor.workspace.db import WorkspaceError
from auditor.workspace.models import Document, FormRow
from auditor.workspace.queries import FindingView, finding_views, units
from auditor.workspace.store import CONFIRMED, TO_VERIFY, Workspace

BODY_FONT, TITLE_FONT = "仿宋", "黑体"
CORRECTION_BY_FAMILY = {
    "funds": "请按会计账簿核对预算数、执行数和执行率，更正表中数字；预算调整或执行偏低的，在偏差原因栏说明原因",
    "score": "请按评分规则重新计算分值和得分，使各项得分之和与总分一致",
    "indicator": "请补齐或更正指标的目标值、实际完成值和计量单位，使指标可以衡量",
    "narrative": "请如实填写完成情况和偏差原因，使文字与表中数字一致",
    "dept": "请核对同一事项在不同表中的数字，统一口径后更正",
    "batch": "请核对部门整体表与各项目表的对应数字和文字，按实际情况分别填写",
}


@dataclass(frozen=True)
class ReviewedForm:
    title: str
    kind: str
    file: str
    year: str | None


def correction(rule: str) -> str:
    return CORRECTION_BY_FAMILY.get(rule.split(".", 1)[0], "请核实后更正")


def opinion_items(views: list[FindingView], include_undecided: bool) -> tuple[list[FindingView], list[FindingView]]:
    """(confirmed, to verify): dismissed left out; undecided only when asked, as 待核实."""
    confirmed = [v for v in views if v.decision == CONFIRMED]
    verify = [v for v in views if v.decision == TO_VERIFY or (include_undecided and v.decision is None)]
    return confirmed, verify


def reviewed_forms(workspace: Workspace, batch_id: int, unit: str) -> list[ReviewedForm]:
    with workspace.sessions() as session:
        rows = session.execute(
            select(FormRow, Document.name).join(Document, FormRow.document_id == Document.id).where(
                FormRow.batch_id == batch_id, FormRow.current.is_(True), FormRow.unit == unit
            ).order_by(FormRow.document_id, FormRow.position)
        ).all()
        return [ReviewedForm(f.title, FORM_KIND_ZH.get(f.kind, f.kind), name, f.year) for f, name in rows]


def build_opinion(
    workspace: Workspace, batch_id: int, unit: str, include_undecided: bool = False, deadline: str | None = None
) -> bytes:
    """The opinion for one agency of a batch, as .docx bytes."""
    if unit not in units(workspace, batch_id):
        known = "、".join(units(workspace, batch_id)) or "（本批次没有可识别单位的表格）"
        raise WorkspaceError(f"本批次中没有单位“{unit}”的表格。可选单位：{known}")
    forms = reviewed_forms(workspace, batch_id, unit)
    confirmed, verify = opinion_items(finding_views(workspace, batch_id, unit=unit), include_undecided)
    years = Counter(f.year for f in forms if f.year)
    year = years.most_common(1)[0][0] if years else ""
    doc = new_word_document()
    _styles(doc)
    _centered(doc, f"关于{unit}{year}年度绩效自评的审核意见", TITLE_FONT, 18, bold=True)
    doc.add_paragraph(f"{unit}：")
    _body(doc, f"根据预算绩效管理的有关规定，我们对你单位报送的{year}年度绩效自评材料进行了审核，现将审核意见反馈如下。")
    _heading(doc, "一、审核范围")
    for n, form in enumerate(forms, 1):
        _body(doc, f"{n}．《{form.title}》{form.kind}（文件：{PurePath(form.file).name}）")
    titles = rule_titles()
    from auditor.checks.batch import BATCH_RULES

    titles.update({code: r.title for code, r in BATCH_RULES.items()})
    _heading(doc, "二、需要整改的问题")
    _items(doc, confirmed, titles, "经审核，未发现需要整改的问题。")
    _heading(doc, "三、需要核实说明的事项")
    _items(doc, verify, titles, "无。")
    _heading(doc, "四、整改要求")
    when = deadline or "____年__月__日"
    _body(doc, f"请你单位对上述问题逐项整改，对需要核实的事项作出书面说明，于{when}前将整改后的自评表及说明材料报送我单位。")
    doc.add_paragraph()
    for line in ("审核单位（盖章）：________________", "审核人（签字）：________________", "日期：____年__月__日"):
        p = doc.add_paragraph(line)
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _items(doc: WordDocument, views: list[FindingView], titles: dict[str, str], empty: str) -> None:
    if not views:
        _body(doc, empty)
        return
    by_form: dict[str, list[FindingView]] = {}
    for v in views:
        by_form.setdefault(v.finding.form, []).append(v)
    numerals = "一二三四五六七八九十"
    for k, (form, items) in enumerate(by_form.items()):
        label = numerals[k] if k < len(numerals) else str(k + 1)
        _body(doc, f"（{label}）《{form}》", bold=True)
        for n, v in enumerate(items, 1):
            f = v.finding
            places = "；".join(t for t in (location_text(loc) for loc in (f.location, *f.locations)) if t)
            text = f"{n}．{titles.get(f.rule, f.rule)}：{f.message}。"
            if f.expected or f.actual:
                text += f"应为 {f.expected or '—'}，表中为 {f.actual or '—'}。"
            if places:
                text += f"位置：{PurePath(f.file).name} {places}。"
            if v.comment and v.decision is not None:
                text += f"审核说明：{v.comment}。"
            text += f"整改要求：{correction(f.rule)}。"
            _body(doc, text.replace("。。", "。"))


def _styles(doc: WordDocument) -> None:
    style = doc.styles["Normal"]
    style.font.name = BODY_FONT
    style.font.size = Pt(14)
    style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)
    style.paragraph_format.line_spacing = Pt(28)


def _run_font(p: Paragraph, font: str, size: int, bold: bool) -> None:
    for run in p.runs:
        run.font.name = font
        run.font.size = Pt(size)
        run.font.bold = bold
        run.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), font)


def _centered(doc: WordDocument, text: str, font: str, size: int, bold: bool = False) -> None:
    p = doc.add_paragraph(text)
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run_font(p, font, size, bold)


def _heading(doc: WordDocument, text: str) -> None:
    p = doc.add_paragraph(text)
    _run_font(p, TITLE_FONT, 14, False)


def _body(doc: WordDocument, text: str, bold: bool = False) -> None:
    p = doc.add_paragraph(text)
    p.paragraph_format.first_line_indent = Pt(28)
    if bold:
        _run_font(p, BODY_FONT, 14, True)
