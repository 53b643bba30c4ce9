"""A review of one batch of uploads, with what the page derives from it built once and kept."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import PurePosixPath

from auditor.document import Document
from auditor.errors import AuditorError
from auditor.findings import DocumentResult, ReviewResult
from auditor.ingest import read_bytes
from auditor.pipeline import Progress, extract_bytes, review_documents
from auditor.render import annotate_pdf, render_html, render_json, render_xlsx
from auditor.settings import Settings
from auditor.webapp.uploads import Batch, Upload

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


def run_review(batch: Batch, settings: Settings, progress: Progress | None = None) -> Review:
    """Read every upload (one bad file never stops the rest), then run the rules on them all;
    with an LLM configured, tables the parser could not read go to the fallback."""
    documents = []
    raw: dict[str, Document] | None = {} if settings.llm_configured else None
    for n, upload in enumerate(batch.uploads, 1):
        documents.append(extract_bytes(upload.data, upload.name, raw))
        if progress:
            progress(n, len(batch.uploads), upload.name)
    return Review(batch, review_documents(documents, settings, raw))
