"""Re-review: what changed between two versions of a form, and how this year's form
compares with the same project's form of an earlier year.

For a corrected form (a new version in the same batch) every finding is 已整改 (on the
previous version, gone now), 仍存在 (still there, its decision carried over) or 新出现;
and the cells whose text changed are listed by their names, not their row numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from auditor.checks.measure import direction, number
from auditor.checks.narrative import content_chars
from auditor.records import Indicator
from auditor.workspace.models import Document, FindingRow, FormRow
from auditor.workspace.queries import NEW, PERSISTING, FindingView, finding_views, latest_decisions
from auditor.workspace.review import FORM_ADAPTER
from auditor.workspace.store import Workspace

FUNDS_COLUMNS = {"initial_budget": "年初预算数", "budget": "全年预算数", "executed": "全年执行数",
                 "weight": "分值", "rate": "执行率", "score": "得分"}
LINE_COLUMNS = {"target": "年度指标值", "actual": "实际完成值", "weight": "分值", "score": "得分", "deviation": "偏差原因分析"}
FORM_VALUES = {"goal": "预期目标", "result": "实际完成情况", "total_score": "总分", "grade": "评价等级",
               "total_amount": "资金总额", "amount": "项目金额"}


@dataclass
class Fixed:
    """A finding of the previous version that the new version no longer raises."""

    id: int
    rule: str
    message: str
    decision: str | None


@dataclass
class VersionComparison:
    form_id: int
    title: str
    unit: str | None
    version: int
    previous_file: str
    file: str
    fixed: list[Fixed] = field(default_factory=list)
    persisting: list[FindingView] = field(default_factory=list)
    new: list[FindingView] = field(default_factory=list)
    changed_cells: list[tuple[str, str, str]] = field(default_factory=list)  # (where, before, after)


def _text(value: Any) -> str:
    return str(value.get("text", "")) if isinstance(value, dict) else ""


def flatten(data: dict[str, Any]) -> dict[str, str]:
    """A form's cells by name: 表头·项目名称, 资金·年度资金总额·全年执行数, 指标·数量指标·植树·实际完成值 …"""
    cells: dict[str, str] = {}
    for label, value in (data.get("fields") or {}).items():
        cells[f"表头·{label}"] = _text(value)
    for row in data.get("funds") or []:
        for key, name in FUNDS_COLUMNS.items():
            if row.get(key) is not None:
                cells[f"资金·{row['label']}·{name}"] = _text(row[key])
    for label, value in (data.get("spending") or {}).items():
        cells[f"支出·{label}"] = _text(value)
    blocks = [("", data.get("indicators") or [])]
    blocks += [(f"{b.get('label', '')}·", b.get("indicators") or []) for b in data.get("goal_blocks") or []]
    for prefix, indicators in blocks:
        for line in indicators:
            for key, name in LINE_COLUMNS.items():
                if line.get(key) is not None:
                    cells[f"指标·{prefix}{line.get('level2', '')}·{line['name']}·{name}"] = _text(line[key])
    for key, name in FORM_VALUES.items():
        if data.get(key) is not None:
            cells[name] = _text(data[key])
    return cells


def changed_cells(before: dict[str, Any], after: dict[str, Any]) -> list[tuple[str, str, str]]:
    old, new = flatten(before), flatten(after)
    return [(name, old.get(name, ""), new.get(name, "")) for name in dict.fromkeys([*old, *new])
            if old.get(name, "") != new.get(name, "")]


def compare_versions(workspace: Workspace, batch_id: int) -> list[VersionComparison]:
    """Every current form of the batch that replaced an earlier version, compared with it."""
    views = finding_views(workspace, batch_id)
    comparisons = []
    with workspace.sessions() as session:
        forms = session.execute(
            select(FormRow, Document.name).join(Document, FormRow.document_id == Document.id).where(
                FormRow.batch_id == batch_id, FormRow.current.is_(True), FormRow.previous_id.is_not(None)
            ).order_by(FormRow.document_id, FormRow.position)
        ).all()
        for form, file in forms:
            previous = session.get(FormRow, form.previous_id)
            assert previous is not None
            mine = [v for v in views if v.form_id == form.id]
            carried = set(session.scalars(select(FindingRow.previous_id).where(FindingRow.form_id == form.id)))
            old = session.scalars(
                select(FindingRow).where(FindingRow.form_id == previous.id, FindingRow.active.is_(True)).order_by(FindingRow.id)
            ).all()
            last = latest_decisions(session, [f.id for f in old])
            comparisons.append(
                VersionComparison(
                    form.id, form.title, form.unit, form.version, previous.document.name, file,
                    fixed=[Fixed(f.id, f.rule, f.data.get("message", ""), last[f.id].decision if f.id in last else None)
                           for f in old if f.id not in carried],
                    persisting=[v for v in mine if v.status == PERSISTING],
                    new=[v for v in mine if v.status == NEW],
                    changed_cells=changed_cells(previous.data, form.data),
                )
            )
    return comparisons


@dataclass
class YearLine:
    indicator: str
    earlier: str
    now: str
    notes: list[str]


@dataclass
class YearComparison:
    """This year's form beside the same project's form of an earlier year."""

    title: str
    unit: str | None
    year: str
    earlier_year: str
    earlier_batch: str
    lines: list[YearLine] = field(default_factory=list)


def _lowered(before: Indicator, after: Indicator) -> bool:
    a, b = number(before.target), number(after.target)
    if a is None or b is None or a == b:
        return False
    way = direction(after) or "floor"
    return b < a if way == "floor" else b > a


def _year_lines(before: Any, after: Any) -> list[YearLine]:
    earlier = {content_chars(i.name): i for i in before.indicators}
    found = []
    for line in after.indicators:
        old = earlier.get(content_chars(line.name))
        if old is None:
            continue
        notes = []
        if _lowered(old, line):
            notes.append("目标值降低")
        w0, w1 = number(old.weight), number(line.weight)
        if w0 is not None and w1 is not None and w0 != w1:
            notes.append(f"分值由{w0:f}改为{w1:f}".replace(".00", ""))
        if old.actual and line.actual and len(content_chars(line.actual.text)) >= 4 and content_chars(old.actual.text) == content_chars(line.actual.text):
            notes.append("完成值文字与上年相同")
        if notes:
            found.append(YearLine(line.name, _cell(old), _cell(line), notes))
    was, now = getattr(before, "result", None), getattr(after, "result", None)
    if was and now and len(content_chars(now.text)) >= 15 and content_chars(was.text) == content_chars(now.text):
        found.append(YearLine("实际完成情况", before.result.text, after.result.text, ["完成情况文字照抄上年"]))
    return found


def _cell(line: Indicator) -> str:
    parts = [f"目标 {line.target.text}" if line.target else "", f"完成 {line.actual.text}" if line.actual else "",
             f"分值 {line.weight.text}" if line.weight else ""]
    return "；".join(p for p in parts if p)


def _year(value: str | None) -> Decimal | None:
    digits = "".join(ch for ch in (value or "") if ch.isdigit())[:4]
    return Decimal(digits) if len(digits) == 4 else None


def compare_years(workspace: Workspace, batch_id: int) -> list[YearComparison]:
    """For each current form of the batch, the newest form of the same kind, unit and title
    from an earlier year (in any batch), with the lines where targets were lowered, weights
    changed, or results copied."""
    from auditor.workspace.models import Batch

    found = []
    with workspace.sessions() as session:
        mine = session.scalars(select(FormRow).where(FormRow.batch_id == batch_id, FormRow.current.is_(True))).all()
        for form in mine:
            year = _year(form.year)
            if year is None:
                continue
            candidates = session.execute(
                select(FormRow, Batch.name).join(Batch, FormRow.batch_id == Batch.id).where(
                    FormRow.key == form.key, FormRow.current.is_(True), FormRow.id != form.id
                )
            ).all()
            earlier = [(f, b) for f, b in candidates if (_year(f.year) or year) < year]
            if not earlier:
                continue
            old, batch_name = max(earlier, key=lambda pair: (_year(pair[0].year), pair[0].id))
            before, after = FORM_ADAPTER.validate_python(old.data), FORM_ADAPTER.validate_python(form.data)
            found.append(YearComparison(form.title, form.unit, form.year or "", old.year or "", batch_name,
                                        _year_lines(before, after)))
    return found
