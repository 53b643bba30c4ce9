"""What of a form the model reads: its narrative text and a compact rendering of its table,
as labelled segments that keep the place each piece came from."""

from __future__ import annotations

from auditor.forms import Form
from auditor.narrative.guard import Segment
from auditor.records import (
    DeptSelfEval,
    DeptTargets,
    FundsRow,
    Indicator,
    Location,
    ProjectTargets,
    Report,
    SelfEvalBase,
    Value,
)

_FUNDS_COLUMNS = (
    ("initial_budget", "年初预算数"),
    ("budget", "全年预算数"),
    ("executed", "全年执行数"),
    ("weight", "分值"),
    ("rate", "执行率"),
    ("score", "得分"),
)
_INDICATOR_COLUMNS = (
    ("target", "指标值"),
    ("actual", "实际完成值"),
    ("weight", "分值"),
    ("score", "得分"),
    ("deviation", "偏差原因分析及改进措施"),
)


def render(segments: list[Segment]) -> str:
    return "\n".join(seg.render() for seg in segments)


def has_narrative(form: Form) -> bool:
    """Whether the form holds free text a contradiction could be found in."""
    if any(seg.label in _NARRATIVE_LABELS for seg in form_segments(form)):
        return True
    return any(
        ind.deviation is not None and not ind.deviation.is_blank for ind in _indicators(form)
    )


_NARRATIVE_LABELS = {
    "预期目标",
    "实际完成情况",
    "偏差原因",
    "改进措施",
    "自评报告",
    "存在的问题",
    "实施期目标",
    "年度目标",
    "工作目标",
}


def form_segments(form: Form) -> list[Segment]:
    out: list[Segment] = []
    if isinstance(form, SelfEvalBase):
        out += _texts(("预期目标", form.goal), ("实际完成情况", form.result))
        out += [seg for row in form.funds if (seg := _funds_segment(row))]
    if isinstance(form, DeptSelfEval):
        out += [_cells("支出", [(k, v) for k, v in form.spending.items()], form.location)]
        out += _texts(("偏差原因", form.deviation_text), ("改进措施", form.improvement_text))
    if isinstance(form, ProjectTargets):
        out += _plain(
            ("实施期目标", form.long_term_goal, form.location),
            ("年度目标", form.annual_goal, form.location),
        )
    if isinstance(form, DeptTargets):
        out += _plain(*(("工作目标", f"{p.item}：{p.goal}", p.location) for p in form.plans))
        out += _plain(
            *(("年度目标", f"{s.name}：{s.annual_goal}", s.location) for s in form.sub_items)
        )
    out += _indicator_segments(form)
    if isinstance(form, SelfEvalBase):
        out += _totals(form)
        out += _report_segments(form.report)
    return [seg for seg in out if seg.text]


def _texts(*pairs: tuple[str, Value | None]) -> list[Segment]:
    return [Segment(label, v.text, v.location) for label, v in pairs if v is not None and v.text]


def _plain(*triples: tuple[str, str | None, Location]) -> list[Segment]:
    return [
        Segment(label, text, loc)
        for label, text, loc in triples
        if text and not text.endswith("：")
    ]


def _cells(label: str, cells: list[tuple[str, Value | None]], location: Location) -> Segment:
    text = "；".join(f"{name} {v.text}" for name, v in cells if v is not None and v.text)
    return Segment(label, text, location)


def _funds_segment(row: FundsRow) -> Segment | None:
    cells = [(name, getattr(row, key)) for key, name in _FUNDS_COLUMNS]
    seg = _cells(f"资金·{row.label}", cells, row.location)
    return seg if seg.text else None


def _indicators(form: Form) -> list[Indicator]:
    blocks = form.goal_blocks if isinstance(form, DeptSelfEval) else []
    return form.indicators + [ind for block in blocks for ind in block.indicators]


def _indicator_segments(form: Form) -> list[Segment]:
    out = [_indicator_segment(ind) for ind in form.indicators]
    if isinstance(form, DeptSelfEval):
        for block in form.goal_blocks:
            cells = [("分值", block.weight), ("得分", block.score)]
            out.append(_cells(f"目标·{block.label}{block.name}", cells, block.location))
            out += [_indicator_segment(ind) for ind in block.indicators]
    return out


def _indicator_segment(ind: Indicator) -> Segment:
    path = "/".join(p for p in (ind.level1, ind.level2, ind.name) if p)
    cells = [(name, getattr(ind, key)) for key, name in _INDICATOR_COLUMNS]
    return _cells(f"指标·{path}", cells, ind.location)


def _totals(form: SelfEvalBase) -> list[Segment]:
    seg = _cells(
        "总分",
        [("分值", form.total_weight), ("得分", form.total_score), ("等级", form.grade)],
        form.location,
    )
    return [seg]


def _report_segments(report: Report | None) -> list[Segment]:
    if report is None:
        return []
    out = [Segment("自评报告", report.text, report.location)]
    for label, text in (("存在的问题", report.problems), ("改进措施", report.improvements)):
        if text and text not in report.text:
            out.append(Segment(label, text, report.location))
    return out
