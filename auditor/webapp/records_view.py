"""The extracted record of a form as plain tables, so the auditor sees what was read."""

from __future__ import annotations

from auditor.forms import Form
from auditor.records import Indicator, SelfEvalBase, Value
from auditor.render.view import value_text
from auditor.webapp.summary import RECOMPUTED, decimal_text, recomputed_total

Rows = list[dict[str, str]]


def funds_rows(form: Form) -> Rows:
    if not isinstance(form, SelfEvalBase):
        return []
    return [
        {
            "资金": row.label,
            "年初预算数": value_text(row.initial_budget),
            "全年预算数": value_text(row.budget),
            "全年执行数": value_text(row.executed),
            "分值": value_text(row.weight),
            "执行率": value_text(row.rate),
            "得分": value_text(row.score),
        }
        for row in form.funds
    ]


def indicator_rows(form: Form) -> Rows:
    """Every indicator line; on department forms with goal blocks, the block is named first."""
    rows = [_indicator_row(line) for line in form.indicators]
    for block in getattr(form, "goal_blocks", []):
        rows.extend(
            {"目标": f"{block.label} {block.name}", **_indicator_row(line)}
            for line in block.indicators
        )
    return rows


def _indicator_row(line: Indicator) -> dict[str, str]:
    return {
        "一级指标": line.level1,
        "二级指标": line.level2,
        "三级指标": line.name,
        "年度指标值": value_text(line.target),
        "实际完成值": value_text(line.actual),
        "分值": value_text(line.weight),
        "得分": value_text(line.score),
        "偏差原因分析及改进措施": value_text(line.deviation),
    }


def goal_block_rows(form: Form) -> Rows:
    return [
        {
            "目标": block.label,
            "名称": block.name,
            "分值": value_text(block.weight),
            "得分": value_text(block.score),
        }
        for block in getattr(form, "goal_blocks", [])
    ]


def totals_rows(form: Form) -> Rows:
    """Stated total weight, total score and grade, next to the recomputed total."""
    if not isinstance(form, SelfEvalBase):
        return []
    stated: dict[str, Value | None] = {
        "总分值": form.total_weight,
        "总分（表内）": form.total_score,
        "等级": form.grade,
    }
    rows = [{"项目": label, "数值": value_text(value)} for label, value in stated.items()]
    rows.insert(
        2,
        {
            "项目": f"总分（{RECOMPUTED}：预算执行得分＋各指标得分）",
            "数值": decimal_text(recomputed_total(form)),
        },
    )
    return rows


def header_rows(form: Form) -> Rows:
    """The header's label → value pairs as the form prints them (项目名称, 主管部门 …)."""
    return [{"栏目": label, "内容": value.text} for label, value in form.fields.items()]
