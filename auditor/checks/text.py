"""The narrative texts of a form, and what a short answer such as "无偏差" claims."""

from __future__ import annotations

import re

from auditor.forms import Form
from auditor.forms.stream import key_of
from auditor.records import DeptSelfEval, DeptTargets, ProjectTargets, SelfEvalBase, Value

# Cells that say nothing beyond "no deviation / nothing to add".
NO_DEVIATION = {"", "/", "／", "—", "——", "-", "无", "暂无", "无偏差", "没有偏差", "未发生偏差", "无差异", "无问题", "无异常", "不存在偏差"}
_TRAILING = re.compile(r"[。.；;，,、\s]+$")


def says_no_deviation(text: str) -> bool:
    return key_of(_TRAILING.sub("", text)) in NO_DEVIATION


def is_substantive(text: str | None) -> bool:
    """The text says something (not blank, "/", "无", "无偏差" …)."""
    return text is not None and not says_no_deviation(text)


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
    if isinstance(form, SelfEvalBase) and form.report is not None:
        texts.append(form.report.text)
    if isinstance(form, ProjectTargets):
        texts += [t for t in (form.long_term_goal, form.annual_goal) if t]
    if isinstance(form, DeptTargets):
        texts += [s.annual_goal for s in form.sub_items] + [p.goal for p in form.plans]
    return texts
