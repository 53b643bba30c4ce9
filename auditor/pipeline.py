"""The one entry point the CLI, the page and the evaluation share.

Every file becomes a ``DocumentResult``: its forms, or an error in plain Chinese. One
bad file never stops a batch.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from pathlib import Path

from auditor.document import Document
from auditor.errors import AuditorError, UnknownFormError
from auditor.findings import DocumentResult, Finding, LLMStatus, ReviewResult
from auditor.forms import parse_forms
from auditor.ingest import read_bytes, read_path
from auditor.settings import Settings

log = logging.getLogger(__name__)


def extract_bytes(data: bytes, name: str, raw: dict[str, Document] | None = None) -> DocumentResult:
    """Read one file's bytes into its forms; errors become the result's ``error``.
    With ``raw``, a document the parser could not fully read is kept there by name
    (for the LLM fallback extraction)."""
    return _guarded(name, lambda: read_bytes(data, name), raw)


def extract_path(path: Path, raw: dict[str, Document] | None = None) -> DocumentResult:
    return _guarded(str(path), lambda: read_path(path), raw)


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
    except Exception as exc:  # a defect of ours must not sink the batch; it is logged in full
        log.exception("unexpected failure reading %s", name)
        return DocumentResult(file=name, error=f"读取时发生内部错误（{type(exc).__name__}），请将此文件反馈给开发人员")


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


def review_documents(
    documents: list[DocumentResult],
    settings: Settings | None = None,
    raw_documents: dict[str, Document] | None = None,
) -> ReviewResult:
    """Run every rule on documents already read, then the LLM checks if configured.
    With ``raw_documents`` (from ``extract(..., raw=...)``) and an LLM configured, the
    tables the parser could not read are first read by the model."""
    from auditor.checks import Context, load_rules, run_rules

    settings = settings or Settings()
    llm = LLMStatus()
    if settings.llm_configured and raw_documents:
        from auditor.narrative import fallback_extract

        fallback_extract(documents, raw_documents, settings, llm)
    load_rules()
    findings: list[Finding] = []
    for doc in documents:
        ctx = Context(file=doc.file, forms=doc.forms, profile=settings.scoring_profile(), tol=settings.tolerances)
        findings.extend(run_rules(doc.forms, ctx))
    result = ReviewResult(documents=documents, findings=findings, profile=settings.profile, llm=llm)
    if settings.llm_configured:
        from auditor.narrative import review_narrative

        review_narrative(result, settings)
    return result


def review(paths: Iterable[Path], settings: Settings | None = None, progress: Progress | None = None) -> ReviewResult:
    """Read and review files: the entry point of the CLI, the page and the evaluation.
    Documents the parser cannot fully read are kept for the LLM only when one is configured."""
    settings = settings or Settings()
    raw: dict[str, Document] | None = {} if settings.llm_configured else None
    return review_documents(extract(paths, progress, raw), settings, raw)
