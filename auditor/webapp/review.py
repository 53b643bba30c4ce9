"""A review of one batch of uploads, with what the page derives from it built once and kept."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from auditor.document import Document
from auditor.errors import AuditorError
from auditor.findings import DocumentResult, ReviewResult
from auditor.ingest import read_bytes
from auditor.pipeline import Progress, review_outcomes
from auditor.render import annotate_pdf, render_html, render_json, render_xlsx
from auditor.settings import Settings
from auditor.webapp.uploads import Batch, Upload

if TYPE_CHECKING:
    from auditor.parallel import PagesFn

REPORT_STEM = "绩效自评表审核报告"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Download:
    label: str
    data: bytes
    file_name: str
    mime: str


@dataclass
class Review:
    batch: Batch
    result: ReviewResult
    _documents: dict[str, Document | None] = field(default_factory=dict)
    _downloads: dict[str, Download] = field(default_factory=dict)

    def upload(self, name: str) -> Upload | None:
        return next((u for u in self.batch.uploads if u.name == name), None)

    def document(self, name: str) -> Document | None:
        """The file read again as tables (for excerpts); None if it cannot be read."""
        if name not in self._documents:
            upload = self.upload(name)
            self._documents[name] = _read(upload) if upload else None
        return self._documents[name]

    def reports(self) -> list[Download]:
        """The HTML, XLSX and JSON reports of the whole review."""
        return [
            self._cached(
                "html",
                lambda: Download(
                    "下载 HTML 报告",
                    render_html(self.result).encode(),
                    f"{REPORT_STEM}.html",
                    "text/html",
                ),
            ),
            self._cached(
                "xlsx",
                lambda: Download(
                    "下载 Excel 报告", render_xlsx(self.result), f"{REPORT_STEM}.xlsx", XLSX_MIME
                ),
            ),
            self._cached(
                "json",
                lambda: Download(
                    "下载 JSON 结果",
                    render_json(self.result).encode(),
                    f"{REPORT_STEM}.json",
                    "application/json",
                ),
            ),
        ]

    def annotated_pdfs(self) -> list[Download]:
        """An annotated copy of every PDF that was read."""
        return [
            self._cached(f"pdf:{doc.file}", partial(self._annotated, doc))
            for doc in self._read_pdfs()
        ]

    def _read_pdfs(self) -> list[DocumentResult]:
        return [doc for doc in self.result.documents if doc.format == "pdf" and doc.error is None]

    def _annotated(self, doc: DocumentResult) -> Download:
        upload = self.upload(doc.file)
        assert upload is not None  # every document of a review came from an upload
        findings = [f for f in self.result.findings if f.file == doc.file]
        stem = PurePosixPath(doc.file).stem
        return Download(
            f"下载批注版 PDF：{PurePosixPath(doc.file).name}",
            annotate_pdf(upload.data, findings),
            f"{stem}_审核批注.pdf",
            "application/pdf",
        )

    def _cached(self, key: str, build: Callable[[], Download]) -> Download:
        if key not in self._downloads:
            self._downloads[key] = build()
        return self._downloads[key]


def _read(upload: Upload) -> Document | None:
    try:
        return read_bytes(upload.data, upload.name)
    except AuditorError:
        return None


def run_review(
    batch: Batch,
    settings: Settings,
    progress: Progress | None = None,
    jobs: int | None = None,
    pages: PagesFn | None = None,
) -> Review:
    """Read and check every upload through the same pool as the command line (each file
    under its time and memory limits; one bad file never stops the rest); with an LLM
    configured, tables the parser could not read go to the fallback, then the LLM checks.
    ``pages`` is told (file, pages done, pages) while a scanned PDF is recognised."""
    from auditor.parallel import Limits, Task, default_jobs, run

    uploads = batch.uploads
    jobs = min(jobs or default_jobs(), max(len(uploads), 1))
    tasks = (Task(name=u.name, data=u.data) for u in uploads)
    if settings.llm_configured:
        outcomes = run(tasks, settings, jobs, Limits(), rules=False, keep_raw=True, isolate=True, pages=pages)
        return Review(batch, review_outcomes(outcomes, len(uploads), settings, progress))
    documents, findings = [], []
    for n, outcome in enumerate(run(tasks, settings, jobs, Limits(), isolate=True, pages=pages), 1):
        documents.append(outcome.document)
        findings.extend(outcome.findings)
        if progress:
            progress(n, len(uploads), outcome.document.file)
    return Review(batch, ReviewResult(documents=documents, findings=findings, profile=settings.profile))
