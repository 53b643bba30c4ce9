"""The one entry point the CLI, the page and the evaluation share.

Every file becomes a ``DocumentResult``: its forms, or an error in plain Chinese. One
bad file never stops a batch.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from pathlib import Path

from pydantic import BaseModel, Field

from auditor.errors import AuditorError
from auditor.forms import parse_forms
from auditor.document import Document
from auditor.ingest import read_bytes, read_path
from auditor.records import Form

log = logging.getLogger(__name__)


class DocumentResult(BaseModel):
    file: str
    forms: list[Form] = Field(default_factory=list)
    error: str | None = None
    format: str | None = None
    pages: int | None = None


def extract_bytes(data: bytes, name: str) -> DocumentResult:
    """Read one file's bytes into its forms; errors become the result's ``error``."""
    return _guarded(name, lambda: read_bytes(data, name))


def extract_path(path: Path) -> DocumentResult:
    return _guarded(str(path), lambda: read_path(path))


def _guarded(name: str, load: Callable[[], Document]) -> DocumentResult:
    try:
        document = load()
        return DocumentResult(file=name, forms=parse_forms(document), format=document.format, pages=document.pages)
    except AuditorError as exc:
        return DocumentResult(file=name, error=str(exc))
    except Exception as exc:  # a defect of ours must not sink the batch; it is logged in full
        log.exception("unexpected failure reading %s", name)
        return DocumentResult(file=name, error=f"读取时发生内部错误（{type(exc).__name__}），请将此文件反馈给开发人员")


def extract(paths: Iterable[Path], progress: Callable[[int, int, str], None] | None = None) -> list[DocumentResult]:
    files = list(paths)
    results = []
    for n, path in enumerate(files, 1):
        results.append(extract_path(path))
        if progress:
            progress(n, len(files), str(path))
    return results
