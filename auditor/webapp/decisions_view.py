"""The workspace page's tables, without Streamlit: the findings of a batch with their
decision columns for the editor, what a reviewer changed in it, and the re-review and
earlier-year comparisons as rows."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from auditor.findings import SEVERITY_ZH
from auditor.render.view import locations_text
from auditor.workspace.queries import BatchInfo, FindingView
from auditor.workspace.rereview import VersionComparison, YearComparison

ID, DECISION, REASON, COMMENT = "编号", "决定", "驳回理由", "备注"
EDITABLE = (DECISION, REASON, COMMENT)


@dataclass(frozen=True)
class DecisionEdit:
    finding_id: int
    decision: str
    reason: str | None
    comment: str | None


def batch_rows(infos: list[BatchInfo]) -> list[dict[str, str | int]]:
    return [
        {
            "批次": b.name,
            "建立时间": f"{b.created_at:%Y-%m-%d %H:%M}",
            "评分方案": b.profile,
            "文件": b.documents,
            "表格": b.forms,
            "问题": b.findings,
            "决定情况": "，".join(f"{k} {v}" for k, v in sorted(b.decisions.items())),
        }
        for b in infos
    ]


def decision_table(views: list[FindingView]) -> pd.DataFrame:
    """One row per finding; the three columns after the id are the ones a reviewer edits
    (first, so that the keyboard reaches them at once)."""
    rows = [
        {
            ID: v.id,
            "单位": v.unit or "",
            "表格": v.finding.form,
            "严重程度": SEVERITY_ZH[v.finding.severity],
            "说明": v.finding.message,
            "期望": v.finding.expected or "",
            "实际": v.finding.actual or "",
            "位置": "；".join(locations_text(v.finding)),
            "复核状态": v.status,
            "审核人": v.reviewer or "",
            DECISION: v.decision,
            REASON: v.reason or "",
            COMMENT: v.comment or "",
        }
        for v in views
    ]
    columns = [ID, *EDITABLE, "表格", "严重程度", "说明", "期望", "实际", "位置", "复核状态", "审核人", "单位"]
    return pd.DataFrame(rows, columns=columns)


def _clean(value: object) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    return str(value).strip()


def changed_decisions(before: pd.DataFrame, after: pd.DataFrame) -> list[DecisionEdit]:
    """Rows whose decision, reason or comment the reviewer changed (a decision is needed)."""
    old = {int(r[ID]): tuple(_clean(r[c]) for c in EDITABLE) for _, r in before.iterrows()}
    edits = []
    for _, row in after.iterrows():
        now = tuple(_clean(row[c]) for c in EDITABLE)
        finding = int(row[ID])
        if now != old.get(finding) and now[0]:
            edits.append(DecisionEdit(finding, now[0], now[1] or None, now[2] or None))
    return edits


def comparison_rows(c: VersionComparison) -> list[dict[str, str]]:
    rows = [{"复核结果": "已整改", "规则": f.rule, "说明": f.message, "原决定": f.decision or ""} for f in c.fixed]
    rows += [{"复核结果": "仍存在", "规则": v.finding.rule, "说明": v.finding.message, "原决定": v.decision or ""}
             for v in c.persisting]
    rows += [{"复核结果": "新出现", "规则": v.finding.rule, "说明": v.finding.message, "原决定": ""} for v in c.new]
    return rows


def changed_cell_rows(c: VersionComparison) -> list[dict[str, str]]:
    return [{"单元格": where, "上一版": before or "（空）", "本版": after or "（空）"} for where, before, after in c.changed_cells]


def year_rows(y: YearComparison) -> list[dict[str, str]]:
    return [{"指标": line.indicator, f"{y.earlier_year}年": line.earlier, f"{y.year}年": line.now,
             "变化": "、".join(line.notes)} for line in y.lines]
