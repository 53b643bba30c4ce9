"""Writing to the workspace: batches, reviewed documents with their forms and findings,
and decisions. Every document is stored in one transaction as soon as it is reviewed, so
an interrupted batch keeps what it finished; decisions are only ever appended."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Engine, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from auditor.findings import DocumentResult, Finding
from auditor.forms import Form
from auditor.settings import Settings
from auditor.workspace.db import WorkspaceError, open_engine, session_factory
from auditor.workspace.identity import anchors, finding_identity, form_key, unit_of
from auditor.workspace.models import Batch, DecisionRow, Document, FindingRow, FormRow, StoredFile

CONFIRMED, DISMISSED, TO_VERIFY = "确认", "驳回", "待核实"
DECISIONS = (CONFIRMED, DISMISSED, TO_VERIFY)
SYSTEM_REVIEWER = "系统"
LLM_PREMARK = "大模型发现的问题，需人工核实后再定"
CARRIED = "沿用上一版本的决定"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass
class Workspace:
    """The workspace database: open it once, then use it from one thread or process."""

    engine: Engine
    sessions: sessionmaker[Session]

    @classmethod
    def open(cls, db: str | None = None) -> Workspace:
        engine = open_engine(db)
        return cls(engine, session_factory(engine))

    def close(self) -> None:
        self.engine.dispose()

    # batches -------------------------------------------------------------------------

    def ensure_batch(self, name: str, settings: Settings) -> Batch:
        """The batch of this name, created with the run's profile and tolerances if new."""
        name = name.strip()
        if not name:
            raise WorkspaceError("批次名称不能为空，请用 --batch 指定一个名称")
        try:
            return self._ensure_batch(name, settings)
        except IntegrityError:  # another process created it at the same moment
            return self._ensure_batch(name, settings)

    def _ensure_batch(self, name: str, settings: Settings) -> Batch:
        with self.sessions.begin() as session:
            batch = session.scalar(select(Batch).where(Batch.name == name))
            if batch is None:
                batch = Batch(
                    name=name,
                    profile=settings.profile,
                    tolerances=settings.tolerances.model_dump(mode="json"),
                )
                session.add(batch)
                session.flush()
            return batch

    def batch(self, name: str) -> Batch:
        with self.sessions() as session:
            batch = session.scalar(select(Batch).where(Batch.name == name))
            if batch is None:
                names = session.scalars(select(Batch.name).order_by(Batch.id)).all()
                known = "、".join(names) if names else "（还没有批次）"
                raise WorkspaceError(f"工作库中没有名为“{name}”的批次。现有批次：{known}")
            return batch

    def batch_names(self) -> list[str]:
        with self.sessions() as session:
            return list(session.scalars(select(Batch.name).order_by(Batch.id)))

    # documents -----------------------------------------------------------------------

    def stored_hashes(self, batch_id: int) -> set[str]:
        """Content hashes of the files already reviewed into the batch (for resuming)."""
        with self.sessions() as session:
            rows = session.scalars(
                select(StoredFile.sha256).join(Document, Document.file_id == StoredFile.id).where(Document.batch_id == batch_id)
            )
            return set(rows)

    def store_document(self, batch_id: int, data: bytes, result: DocumentResult, findings: list[Finding]) -> int:
        """Store one reviewed file with its forms and findings in one transaction. A form
        already in the batch from another file (same kind, unit, title) becomes the
        previous version; its findings' decisions carry over to the ones still there."""
        try:
            return self._store_document(batch_id, data, result, findings)
        except IntegrityError:  # the same bytes stored by another process at the same moment
            return self._store_document(batch_id, data, result, findings)

    def _store_document(self, batch_id: int, data: bytes, result: DocumentResult, findings: list[Finding]) -> int:
        digest = sha256(data)
        with self.sessions.begin() as session:
            stored = session.scalar(select(StoredFile).where(StoredFile.sha256 == digest))
            if stored is None:
                stored = StoredFile(sha256=digest, size=len(data), content=data)
                session.add(stored)
                session.flush()
            existing = session.scalar(
                select(Document).where(Document.batch_id == batch_id, Document.file_id == stored.id)
            )
            if existing is not None:
                return existing.id
            document = Document(
                batch_id=batch_id,
                file_id=stored.id,
                name=result.file,
                format=result.format,
                pages=result.pages,
                error=result.error,
            )
            session.add(document)
            session.flush()
            for position, form in enumerate(result.forms):
                row = _add_form(session, document, position, form, result.forms)
                _add_findings(session, row, form, [f for f in findings if _belongs(f, form)])
            return document.id

    # decisions -----------------------------------------------------------------------

    def decide(
        self,
        batch_id: int,
        finding_id: int,
        decision: str,
        reviewer: str,
        reason: str | None = None,
        comment: str | None = None,
    ) -> int:
        """Append a decision on a finding of the batch; returns the decision's id."""
        check_decision(decision, reviewer, reason)
        with self.sessions.begin() as session:
            finding = session.get(FindingRow, finding_id)
            if finding is None or finding.batch_id != batch_id:
                raise WorkspaceError(f"本批次中没有编号为 {finding_id} 的问题，请核对问题编号（见汇总表或 auditor decide --list）")
            row = DecisionRow(
                finding_id=finding_id,
                decision=decision,
                reason=(reason or "").strip() or None,
                comment=(comment or "").strip() or None,
                reviewer=reviewer.strip(),
            )
            session.add(row)
            session.flush()
            return row.id

    def history(self, finding_id: int) -> list[DecisionRow]:
        with self.sessions() as session:
            return list(session.scalars(select(DecisionRow).where(DecisionRow.finding_id == finding_id).order_by(DecisionRow.id)))

    def decision_count(self, batch_id: int) -> int:
        with self.sessions() as session:
            return int(
                session.scalar(
                    select(func.count(DecisionRow.id)).join(FindingRow).where(FindingRow.batch_id == batch_id)
                )
                or 0
            )


def check_decision(decision: str, reviewer: str, reason: str | None) -> None:
    if decision not in DECISIONS:
        raise WorkspaceError(f"决定“{decision}”无效，只能是：{'、'.join(DECISIONS)}")
    if not reviewer or not reviewer.strip():
        raise WorkspaceError("请填写审核人姓名（--reviewer）")
    if decision == DISMISSED and not (reason or "").strip():
        raise WorkspaceError("驳回必须说明理由（--reason），说明为什么这不是问题")


def _belongs(finding: Finding, form: Form) -> bool:
    return finding.form == form.title and finding.form_kind in (None, form.kind)


def _add_form(session: Session, document: Document, position: int, form: Form, document_forms: list[Form]) -> FormRow:
    unit = unit_of(form, document_forms)
    key = form_key(form.kind, unit, form.title)
    previous = session.scalar(
        select(FormRow)
        .where(
            FormRow.batch_id == document.batch_id,
            FormRow.key == key,
            FormRow.current.is_(True),
            FormRow.document_id != document.id,
        )
        .order_by(FormRow.id.desc())
    )
    row = FormRow(
        batch_id=document.batch_id,
        document_id=document.id,
        position=position,
        kind=form.kind,
        title=form.title,
        unit=unit,
        year=form.year,
        key=key,
        version=previous.version + 1 if previous else 1,
        previous_id=previous.id if previous else None,
        current=True,
        data=form.model_dump(mode="json"),
    )
    if previous is not None:
        previous.current = False
    session.add(row)
    session.flush()
    return row


def _add_findings(session: Session, form_row: FormRow, form: Form, findings: Iterable[Finding]) -> None:
    earlier: list[FindingRow] = []
    if form_row.previous_id is not None:
        earlier = list(
            session.scalars(
                select(FindingRow).where(FindingRow.form_id == form_row.previous_id, FindingRow.active.is_(True))
            )
        )
    for finding in findings:
        names = anchors(finding, form)
        add_finding(session, form_row, finding, names, same_finding(earlier, finding_identity(finding), names))


def same_finding(earlier: list[FindingRow], identity: str, names: list[str]) -> FindingRow | None:
    """The previous version's finding this one continues: same form title and rule, and
    about the same rows by name (when both name rows, they must share one)."""
    for old in earlier:
        if old.identity == identity and (not names or not old.anchors or set(names) & set(old.anchors)):
            return old
    return None


def add_finding(
    session: Session, form_row: FormRow, finding: Finding, names: list[str], previous: FindingRow | None
) -> FindingRow:
    """Insert a finding; a finding still there from the previous version takes over its
    last decision, an LLM finding starts as 待核实."""
    row = FindingRow(
        batch_id=form_row.batch_id,
        form_id=form_row.id,
        rule=finding.rule,
        severity=finding.severity,
        source=finding.source,
        identity=finding_identity(finding),
        anchors=names,
        previous_id=previous.id if previous else None,
        active=True,
        data=finding.contract(),
    )
    session.add(row)
    session.flush()
    last = _last_decision(session, previous.id) if previous is not None else None
    if last is not None:
        session.add(
            DecisionRow(
                finding_id=row.id,
                decision=last.decision,
                reason=last.reason,
                comment=_joined(last.comment, CARRIED),
                reviewer=last.reviewer,
                carried_from=last.id,
            )
        )
    elif finding.source == "llm":
        session.add(DecisionRow(finding_id=row.id, decision=TO_VERIFY, comment=LLM_PREMARK, reviewer=SYSTEM_REVIEWER))
    return row


def _last_decision(session: Session, finding_id: int) -> DecisionRow | None:
    return session.scalar(
        select(DecisionRow).where(DecisionRow.finding_id == finding_id).order_by(DecisionRow.id.desc()).limit(1)
    )


def _joined(comment: str | None, note: str) -> str:
    return f"{comment}（{note}）" if comment and note not in comment else (comment or note)
