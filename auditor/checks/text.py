"""The narrative texts of a form, and what a short answer such as "无偏差" claims."""

from __future__ import annotations

import re

from auditor.forms import Form
from auditor.forms.stream import key_of
from auditor.records import DeptSelfEval, DeptTargets, ProjectTargets, SelfEvalBase, Value

# A bare dash or slash (or 无此项) fills a cell without saying anything: read like a blank,
# it is no claim and no reason (spec, "A deviation cell's claim").
PLACEHOLDER = {"", "/", "／", "\\", "—", "——", "-", "--", "－", "无此项", "不适用"}
# Cells that claim nothing deviated ("no deviation / nothing to add").
NO_DEVIATION = {
    "无", "暂无", "没有", "无偏差", "没有偏差", "未发生偏差", "无差异", "无问题", "无异常", "不存在偏差",
    "无明显偏差", "偏差无", "已完成", "已达标", "全部完成", "已全部完成", "完成", "达标", "无偏差原因",
}
_TRAILING = re.compile(r"[。.；;，,、\s]+$")


def _key(text: str) -> str:
    return key_of(_TRAILING.sub("", text))


def is_placeholder(text: str | None) -> bool:
    """Blank, or a bare "/", "—", "-", "无此项": no claim and no reason."""
    return text is None or _key(text) in PLACEHOLDER


def says_no_deviation(text: str) -> bool:
    """The cell claims nothing deviated (无偏差, 无, 已完成 …); a placeholder claims nothing."""
    return _key(text) in NO_DEVIATION


def is_substantive(text: str | None) -> bool:
    """The text gives a reason (not blank, a placeholder, "无", "无偏差" …)."""
    return not is_placeholder(text) and not says_no_deviation(text or "")


# A printed instruction of the template: a sentence or numbered item telling the filler
# what to write ("应单独说明理由", "（100字以内）", "结合自评情况…填写").
INSTRUCTION = re.compile(
    r"(?:请|应|需|须)(?:单独|简要|如实|据实|详细|逐项)?(?:说明|填写|注明|列明|列示|分析|阐述|描述|提出)"
    r"|[（(]\s*(?:限\s*)?\d+\s*字(?:以[内下])?\s*[）)]|结合[^。；;]{0,20}(?:填写|说明|分析|情况)"
)
_PIECE = re.compile(r"[^。；;！!？?\n]+[。；;！!？?\n]?")


def strip_instructions(text: str) -> str:
    """The text without the template's printed instructions (each sentence or numbered
    item that tells the filler what to write is left out)."""
    return "".join(piece for piece in _PIECE.findall(text) if not INSTRUCTION.search(piece))


def text_values(form: Form) -> list[tuple[str, Value]]:
    """(role, value) of every free-text cell of the form, in reading order."""
    out: list[tuple[str, Value]] = []
    if isinstance(form, SelfEvalBase):
        out += [(role, v) for role, v in (("预期目标", form.goal), ("实际完成情况", form.result)) if v is not None]
    out += [(f"偏差原因（{i.name}）", i.deviation) for i in form.indicators if i.deviation is not None]
    if isinstance(form, DeptSelfEval):
        for block in form.goal_blocks:
            out += [(f"偏差原因（{i.name}）", i.deviation) for i in block.indicators if i.deviation is not None]
        out += [(role, v) for role, v in (("偏差原因分析", form.deviation_text), ("改进措施", form.improvement_text)) if v]
    return out


def form_texts(form: Form) -> list[str]:
    """Every narrative text of the form: cells, goals, and its report."""
    texts = [v.text for _, v in text_values(form)]
    if form.report is not None:
        texts.append(form.report.text)
    if isinstance(form, ProjectTargets):
        texts += [t for t in (form.long_term_goal, form.annual_goal) if t]
    if isinstance(form, DeptTargets):
        texts += [s.annual_goal for s in form.sub_items] + [p.goal for p in form.plans]
    return texts
