"""The one entry point the CLI, the page and the evaluation share.

Every file becomes a ``DocumentResult``: its forms, or an error in plain Chinese. One
bad file never stops a batch.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from auditor.document import Document
from auditor.errors import AuditorError, UnknownFormError
from auditor.findings import DocumentResult, Finding, LLMStatus, ReviewResult
from auditor.forms import parse_forms
from auditor.ingest import read_bytes, read_path
from auditor.settings import Settings

if TYPE_CHECKING:
    from auditor.parallel import Limits, Outcome, PagesFn

log = logging.getLogger(__name__)


def extract_bytes(data: bytes, name: str, raw: dict[str, Document] | None = None) -> DocumentResult:
    """Read one file's bytes into its forms; errors become the result's ``error``.
    With ``raw``, a document the parser could not fully read is kept there by name
    (for the LLM fallback extraction)."""
    return _guarded(name, lambda: read_bytes(data, name), raw)


def extract_path(path: Path, raw: dict[str, Document] | None = None) -> DocumentResult:
    from auditor.parallel import display_name

    return _guarded(display_name(str(path)), lambda: read_path(path), raw)


def _guarded(name: str, load: Callable[[], Document], raw: dict[str, Document] | None = None) -> DocumentResult:
    try:
        document = load()
        try:
            forms = parse_forms(document)
        except UnknownFormError:
            if raw is not None:
                raw[name] = document
            raise
        if raw is not None and any(f.notes for f in forms):
            raw[name] = document
        return DocumentResult(
            file=name, forms=forms, format=document.format, pages=document.pages, notes=document.notes
        )
    except AuditorError as exc:
        return DocumentResult(file=name, error=str(exc))
    except MemoryError:  # the worker's memory limit: reported as such by auditor.parallel
        raise
    except RecursionError:
        log.warning("nesting too deep in %s", name)
        return DocumentResult(file=name, error="文件内部结构嵌套过深，无法读取：请用原软件重新保存或导出PDF后重试")
    except Exception:  # a defect of ours must not sink the batch; it is logged in full
        log.exception("unexpected failure reading %s", name)
        return DocumentResult(file=name, error="读取时发生内部错误（已记录日志），此文件未能审核：请将此文件反馈给开发人员")


Progress = Callable[[int, int, str], None]  # (done, total, file name)


def extract(
    paths: Iterable[Path],
    progress: Progress | None = None,
    raw: dict[str, Document] | None = None,
) -> list[DocumentResult]:
    files = list(paths)
    results = []
    for n, path in enumerate(files, 1):
        results.append(extract_path(path, raw))
        if progress:
            progress(n, len(files), str(path))
    return results


def check_document(doc: DocumentResult, settings: Settings) -> list[Finding]:
    """Every deterministic rule on one document's forms (each rule guarded per form)."""
    from auditor.checks import Context, load_rules, run_rules

    load_rules()
    ctx = Context(file=doc.file, forms=doc.forms, profile=settings.scoring_profile(), tol=settings.tolerances)
    return run_rules(doc.forms, ctx)


@dataclass
class DocumentReview:
    """One document with its rule findings: what flows from the pool to the writers."""

    document: DocumentResult
    findings: list[Finding]
    forms: int | None = None  # the document's forms when they were dropped after rendering
    lines: tuple[str, list[str]] | None = None  # its JSON lines, rendered in the worker

    @property
    def form_count(self) -> int:
        return len(self.document.forms) if self.forms is None else self.forms


def review_stream(
    paths: Iterable[Path],
    settings: Settings | None = None,
    progress: Progress | None = None,
    jobs: int = 1,
    limits: Limits | None = None,
    render: str | None = None,
    pages: PagesFn | None = None,
) -> Iterator[DocumentReview]:
    """Read and check files one by one (``jobs`` workers), in input order, holding none
    of the batch: the deterministic rules only (the LLM checks need the whole batch).
    With ``render`` (a records mode) the JSON of each document is written by its worker
    and its forms are not sent back (``lines`` and ``forms`` instead). ``pages`` is told
    (file, pages done, pages to do) while scanned pages are recognised."""
    from auditor.parallel import Task, run

    settings = settings or Settings()
    files = list(paths)
    tasks = (Task.of_path(p) for p in files)
    outcomes = run(tasks, settings, jobs, limits, isolate=limits is not None, render=render, pages=pages)
    for n, outcome in enumerate(outcomes, 1):
        if progress:
            progress(n, len(files), outcome.document.file)
        yield DocumentReview(outcome.document, outcome.findings, outcome.forms, outcome.lines)


def review_documents(
    documents: list[DocumentResult],
    settings: Settings | None = None,
    raw_documents: dict[str, Document] | None = None,
) -> ReviewResult:
    """Run every rule on documents already read, then the LLM checks if configured.
    With ``raw_documents`` (from ``extract(..., raw=...)``) and an LLM configured, the
    tables the parser could not read are first read by the model."""
    settings = settings or Settings()
    llm = LLMStatus()
    if settings.llm_configured and raw_documents:
        from auditor.narrative import fallback_extract

        fallback_extract(documents, raw_documents, settings, llm)
    findings: list[Finding] = []
    for doc in documents:
        findings.extend(check_document(doc, settings))
    result = ReviewResult(documents=documents, findings=findings, profile=settings.profile, llm=llm)
    if settings.llm_configured:
        from auditor.narrative import review_narrative

        review_narrative(result, settings)
    return result


def review(
    paths: Iterable[Path],
    settings: Settings | None = None,
    progress: Progress | None = None,
    jobs: int = 1,
    limits: Limits | None = None,
    pages: PagesFn | None = None,
) -> ReviewResult:
    """Read and review files: the entry point of the CLI, the page and the evaluation.
    Documents the parser cannot fully read are kept for the LLM only when one is configured."""
    settings = settings or Settings()
    if not settings.llm_configured:
        documents, findings = [], []
        for item in review_stream(paths, settings, progress, jobs, limits, pages=pages):
            documents.append(item.document)
            findings.extend(item.findings)
        return ReviewResult(documents=documents, findings=findings, profile=settings.profile)
    from auditor.parallel import Task, run

    files = list(paths)
    tasks = (Task.of_path(p) for p in files)
    outcomes = run(tasks, settings, jobs, limits, rules=False, keep_raw=True, isolate=limits is not None, pages=pages)
    return review_outcomes(outcomes, len(files), settings, progress)


def review_outcomes(
    outcomes: Iterable[Outcome], total: int, settings: Settings, progress: Progress | None = None
) -> ReviewResult:
    """The review of documents read (not yet checked) by the pool: then the LLM fallback,
    the rules and the LLM checks on the whole batch."""
    documents: list[DocumentResult] = []
    raw: dict[str, Document] = {}
    for n, outcome in enumerate(outcomes, 1):
        documents.append(outcome.document)
        if outcome.raw is not None:
            raw[outcome.document.file] = outcome.raw
        if progress:
            progress(n, total, outcome.document.file)
    return review_documents(documents, settings, raw)
