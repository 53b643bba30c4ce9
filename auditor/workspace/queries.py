"""Reading the workspace: batches with their counts, and findings with their current
decision and their re-review status, as plain rows for the CLI, the page and the reports."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from auditor.findings import Finding
from auditor.workspace.models import Batch, DecisionRow, Document, FindingRow, FormRow, StoredFile
from auditor.workspace.store import Workspace

FIRST, PERSISTING, NEW, FIXED = "首次审核", "仍存在", "新出现", "已整改"
UNDECIDED = "未决定"


@dataclass
class FindingView:
    """A stored finding as a reviewer sees it: the contract's finding plus its id, the form's
    unit and version, its re-review status and the current decision."""

    id: int
    finding: Finding
    form_id: int
    unit: str | None
    version: int
    status: str  # 首次审核 / 仍存在 / 新出现
    anchors: list[str]
    decision: str | None = None
    reason: str | None = None
    comment: str | None = None
    reviewer: str | None = None
    decided_at: datetime | None = None
    carried: bool = False


@dataclass
class BatchInfo:
    name: str
    created_at: datetime
    profile: str
    documents: int
    forms: int
    findings: int
    decisions: dict[str, int] = field(default_factory=dict)  # by current decision, 未决定 included


def latest_decisions(session: Any, finding_ids: list[int]) -> dict[int, DecisionRow]:
    if not finding_ids:
        return {}
    newest = (
        select(func.max(DecisionRow.id)).where(DecisionRow.finding_id.in_(finding_ids)).group_by(DecisionRow.finding_id)
    )
    rows = session.scalars(select(DecisionRow).where(DecisionRow.id.in_(newest)))
    return {row.finding_id: row for row in rows}


def finding_views(
    workspace: Workspace, batch_id: int, unit: str | None = None, current: bool = True, document_id: int | None = None
) -> list[FindingView]:
    """Active findings of the batch's current forms (``current=False``: every version),
    in document and form order; with ``document_id``, of that stored document only."""
    with workspace.sessions() as session:
        query = (
            select(FindingRow, FormRow.unit, FormRow.version)  # not the form's records: they are large
            .join(FormRow, FindingRow.form_id == FormRow.id)
            .where(FindingRow.batch_id == batch_id, FindingRow.active.is_(True))
            .order_by(FormRow.document_id, FormRow.position, FindingRow.id)
        )
        if current:
            query = query.where(FormRow.current.is_(True))
        if unit is not None:
            query = query.where(FormRow.unit == unit)
        if document_id is not None:
            query = query.where(FormRow.document_id == document_id)
        rows = session.execute(query).all()
        decisions = latest_decisions(session, [f.id for f, _, _ in rows])
    views = []
    for row, unit, version in rows:
        status = FIRST if version == 1 else (PERSISTING if row.previous_id else NEW)
        view = FindingView(row.id, Finding.model_validate(row.data), row.form_id, unit, version, status, row.anchors)
        last = decisions.get(row.id)
        if last is not None:
            view.decision, view.reason, view.comment = last.decision, last.reason, last.comment
            view.reviewer, view.decided_at, view.carried = last.reviewer, last.decided_at, last.carried_from is not None
        views.append(view)
    return views


def batch_infos(workspace: Workspace) -> list[BatchInfo]:
    infos = []
    with workspace.sessions() as session:
        batches = session.scalars(select(Batch).order_by(Batch.id)).all()
        for batch in batches:
            documents = session.scalar(select(func.count(Document.id)).where(Document.batch_id == batch.id)) or 0
            forms = session.scalar(
                select(func.count(FormRow.id)).where(FormRow.batch_id == batch.id, FormRow.current.is_(True))
            ) or 0
            infos.append(BatchInfo(batch.name, batch.created_at, batch.profile, documents, forms, 0))
    for info, batch in zip(infos, batches):
        views = finding_views(workspace, batch.id)
        info.findings = len(views)
        counted = Counter(v.decision or UNDECIDED for v in views)
        info.decisions = dict(counted)
    return infos


def units(workspace: Workspace, batch_id: int) -> list[str]:
    with workspace.sessions() as session:
        rows = session.scalars(
            select(FormRow.unit).where(FormRow.batch_id == batch_id, FormRow.current.is_(True), FormRow.unit.is_not(None)).distinct()
        )
        return sorted(u for u in rows if u)


def stored_file(workspace: Workspace, finding_id: int) -> tuple[str, bytes] | None:
    """The name and bytes of the file a finding was raised on (kept for its evidence)."""
    with workspace.sessions() as session:
        row = session.execute(
            select(Document.name, StoredFile.content)
            .join(FormRow, FormRow.document_id == Document.id)
            .join(FindingRow, FindingRow.form_id == FormRow.id)
            .join(StoredFile, StoredFile.id == Document.file_id)
            .where(FindingRow.id == finding_id)
        ).first()
        return (row[0], row[1]) if row else None
