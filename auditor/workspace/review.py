"""Reviewing files into a batch, one document at a time, each stored as it completes.

A file whose bytes are already in the batch is skipped, so running the same command again
after an interruption resumes where it stopped. A changed file for a form already in the
batch is a new version of that form. After the files, the batch.* rules run over every
current form of the batch.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import TypeAdapter
from sqlalchemy import delete, select, text
from sqlalchemy.orm import Session

from auditor.checks.batch import BATCH_RULES, BatchForm, run_batch_rules
from auditor.findings import DocumentResult, ReviewResult
from auditor.forms import Form
from auditor.pipeline import Progress, review_documents
from auditor.settings import Settings, Tolerances
from auditor.workspace.identity import finding_identity
from auditor.workspace.models import Batch, DecisionRow, Document, FindingRow, FormRow
from auditor.workspace.store import Workspace, add_finding, sha256

if TYPE_CHECKING:
    from auditor.parallel import Limits, PagesFn
    from auditor.pipeline import DocumentReview

FORM_ADAPTER: TypeAdapter[Form] = TypeAdapter(Form)
BATCH_LOCK = 734_200_000  # + the batch id: pg_advisory_xact_lock while refreshing batch.* findings


@dataclass
class BatchRun:
    """What one ``review --db`` run did."""

    batch: str
    stored: list[DocumentResult] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # already in the batch (same content)
    unreadable: list[Path] = field(default_factory=list)  # could not even be opened
    findings: int = 0


def review_into_batch(
    workspace: Workspace,
    batch_name: str,
    paths: Iterable[Path],
    settings: Settings,
    progress: Progress | None = None,
    on_stored: Callable[[DocumentResult], None] | None = None,
    jobs: int = 1,
    limits: Limits | None = None,
    pages: PagesFn | None = None,
) -> BatchRun:
    """Read, review and store each file in turn; then refresh the batch.* findings."""
    return review_items_into_batch(
        workspace, batch_name, [(str(p), p.read_bytes) for p in paths], settings, progress, on_stored, jobs, limits, pages
    )


def review_items_into_batch(
    workspace: Workspace,
    batch_name: str,
    items: list[tuple[str, Callable[[], bytes]]],
    settings: Settings,
    progress: Progress | None = None,
    on_stored: Callable[[DocumentResult], None] | None = None,
    jobs: int = 1,
    limits: Limits | None = None,
    pages: PagesFn | None = None,
) -> BatchRun:
    """The same for (name, read the bytes) pairs: files on disk or uploads in memory.

    The files are read and checked by the worker pool (``jobs``, ``limits``: as
    ``auditor.parallel.run``), in input order, and each is stored as its outcome arrives;
    only the files on their way through the pool are held (their bytes are stored with
    the document); ``pages`` is told the OCR's page progress. ``run.stored`` keeps each stored document without its forms."""
    from auditor.parallel import Task, run

    batch = workspace.ensure_batch(batch_name, settings)
    done = workspace.stored_hashes(batch.id)
    result = BatchRun(batch=batch.name)
    # In input order: (name, bytes) of a file sent to the pool, or (name, None, error or
    # None for a file already in the batch) of one that is not; the pool reads ahead.
    queue: deque[tuple[str, bytes | None, str | None]] = deque()
    llm = settings.llm_configured
    count = 0

    def tasks() -> Iterator[Task]:
        for name, load in items:
            try:
                data = load()
            except OSError as exc:
                queue.append((name, None, f"无法打开文件：{exc.strerror or exc}，请检查路径和权限"))
                continue
            digest = sha256(data)
            if digest in done:
                queue.append((name, None, None))
                continue
            done.add(digest)  # the same bytes twice in one run: stored once
            queue.append((name, data, None))
            yield Task(name=name, data=data)

    def settle(upto_task: bool) -> tuple[str, bytes] | None:
        """Report the files before the next one sent to the pool; that one is returned."""
        nonlocal count
        while queue:
            name, data, error = queue.popleft()
            if data is not None:
                if upto_task:
                    return name, data
                raise AssertionError("an outcome is missing")
            count += 1
            if error is not None:
                result.unreadable.append(Path(name))
                result.stored.append(DocumentResult(file=name, error=error))
            else:
                result.skipped.append(name)
            if progress:
                progress(count, len(items), name)
        return None

    outcomes = run(tasks(), settings, jobs, limits, rules=not llm, keep_raw=llm, isolate=limits is not None, pages=pages)
    for outcome in outcomes:
        sent = settle(upto_task=True)
        assert sent is not None
        name, data = sent
        doc, findings = outcome.document, outcome.findings
        if llm:  # the LLM checks (and fallback reading) of this one document, here
            reviewed = review_documents([doc], settings, {doc.file: outcome.raw} if outcome.raw is not None else None)
            doc, findings = reviewed.documents[0], reviewed.findings
        workspace.store_document(batch.id, data, doc, findings)
        light = doc.model_copy(update={"forms": []})
        result.stored.append(light)
        result.findings += len(findings)
        if on_stored:
            on_stored(light)
        count += 1
        if progress:
            progress(count, len(items), name)
    settle(upto_task=False)
    refresh_batch_findings(workspace, batch.id, Tolerances.model_validate(batch.tolerances))
    return result


def current_forms(workspace: Workspace, batch_id: int) -> list[BatchForm]:
    with workspace.sessions() as session:
        rows = session.execute(
            select(FormRow, Document.name)
            .join(Document, FormRow.document_id == Document.id)
            .where(FormRow.batch_id == batch_id, FormRow.current.is_(True))
            .order_by(FormRow.document_id, FormRow.position)
        ).all()
        return [BatchForm(row.id, name, row.unit, FORM_ADAPTER.validate_python(row.data)) for row, name in rows]


def refresh_batch_findings(workspace: Workspace, batch_id: int, tol: Tolerances) -> None:
    """Run the batch.* rules on the current forms and bring their stored findings in line:
    new ones added (a decision on the previous version's one carried over), ones that no
    longer fire removed, or set inactive when someone has decided on them."""
    forms = current_forms(workspace, batch_id)
    fresh = {(ref, finding_identity(f)): f for ref, f in run_batch_rules(forms, tol)}
    with workspace.sessions.begin() as session:
        if session.get_bind().dialect.name == "postgresql":  # one refresher per batch at a time
            session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": BATCH_LOCK + batch_id})
        stored = session.scalars(
            select(FindingRow).join(FormRow, FindingRow.form_id == FormRow.id).where(
                FindingRow.batch_id == batch_id,
                FindingRow.rule.in_(list(BATCH_RULES)),
                FormRow.current.is_(True),
            )
        ).all()
        have = {(row.form_id, row.identity): row for row in stored}
        for (ref, identity), finding in fresh.items():
            row = have.get((ref, identity))
            if row is not None:
                row.active = True
                row.data = finding.contract()
                continue
            form_row = session.get(FormRow, ref)
            assert form_row is not None
            previous = _previous_batch_finding(session, form_row, identity)
            add_finding(session, form_row, finding, [], previous)
        for key, row in have.items():
            if key in fresh:
                continue
            decided = session.scalar(select(DecisionRow.id).where(DecisionRow.finding_id == row.id).limit(1))
            if decided is None:
                session.execute(delete(FindingRow).where(FindingRow.id == row.id))
            else:
                row.active = False


def _previous_batch_finding(session: Session, form_row: FormRow, identity: str) -> FindingRow | None:
    if form_row.previous_id is None:
        return None
    return session.scalar(
        select(FindingRow).where(FindingRow.form_id == form_row.previous_id, FindingRow.identity == identity)
    )


def batch_reviews(workspace: Workspace, batch_id: int) -> Iterator[DocumentReview]:
    """The batch as it stands, one document at a time, in the shape the report writers
    take: the current version of each document's forms and their active findings
    (batch.* included). Documents whose forms all have a newer version elsewhere are left
    out. Nothing but the documents' ids is held."""
    from auditor.pipeline import DocumentReview
    from auditor.workspace.queries import finding_views

    with workspace.sessions() as session:
        ids = session.scalars(select(Document.id).where(Document.batch_id == batch_id).order_by(Document.id)).all()
    for document_id in ids:
        with workspace.sessions() as session:
            doc = session.get(Document, document_id)
            assert doc is not None
            forms = [FORM_ADAPTER.validate_python(f.data) for f in doc.forms if f.current]
            if not (doc.error or forms):
                continue
            result = DocumentResult(file=doc.name, forms=forms, error=doc.error, format=doc.format, pages=doc.pages)
        findings = [v.finding for v in finding_views(workspace, batch_id, document_id=document_id)]
        yield DocumentReview(result, findings)


def batch_profile(workspace: Workspace, batch_id: int) -> str:
    with workspace.sessions() as session:
        batch = session.get(Batch, batch_id)
        assert batch is not None
        return batch.profile


def batch_result(workspace: Workspace, batch_id: int) -> ReviewResult:
    """The whole batch at once (``batch_reviews`` gathered): for callers that need it all."""
    documents, findings = [], []
    for item in batch_reviews(workspace, batch_id):
        documents.append(item.document)
        findings.extend(item.findings)
    return ReviewResult(documents=documents, findings=findings, profile=batch_profile(workspace, batch_id))
