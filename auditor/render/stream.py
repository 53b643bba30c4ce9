"""Report writers fed one document at a time, so that no report holds the batch.

Every writer has ``add(review)`` (a ``DocumentReview`` from the pool), ``add_group(group)``
(a ``DocumentGroup``, which may be findings of a file not among the documents) and
``close(llm)``. What a report shows before its documents (the summary numbers) is counted
as they pass; the documents' part is written to a temporary file meanwhile and copied
after the summary at the end. The whole-result renderers (``render_html`` …, used by the
page) are these writers fed a ``ReviewResult``'s groups, so there is one code path.

One intended difference: a result groups findings by file name, so a file named twice in
one run shows, from a ``ReviewResult``, every finding of that name under each copy; fed
from the pool, each copy shows its own.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterable
from typing import IO, TYPE_CHECKING, Protocol

from auditor.findings import LLMStatus, ReviewResult

if TYPE_CHECKING:
    from auditor.pipeline import DocumentReview
    from auditor.render.view import DocumentGroup

CHUNK = 1 << 20


class ReportWriter(Protocol):
    def add(self, review: DocumentReview) -> None: ...

    def close(self, llm: LLMStatus | None = None) -> None: ...


class GroupWriter:
    """A writer of a report made of document groups (md, html, xlsx, text)."""

    def add(self, review: DocumentReview) -> None:
        from auditor.render.view import document_group

        self.add_group(document_group(review.document, review.findings))

    def add_group(self, group: DocumentGroup) -> None:
        raise NotImplementedError

    def close(self, llm: LLMStatus | None = None) -> None:
        raise NotImplementedError

    def write_result(self, result: ReviewResult) -> None:
        """A whole result: its groups in run order, then its LLM status."""
        from auditor.render.view import iter_groups

        for group in iter_groups(result):
            self.add_group(group)
        self.close(result.llm)


def spool() -> IO[str]:
    """A temporary text file for the part of a report that comes after its summary."""
    return tempfile.TemporaryFile("w+", encoding="utf-8", prefix="auditor-report-")


def copy(source: IO[str], out: IO[str]) -> None:
    source.seek(0)
    shutil.copyfileobj(source, out, CHUNK)
    source.close()


class RightStripped:
    """Writes text to ``out`` as if the whole of it were ``.rstrip()``-ed at the end:
    trailing whitespace is held back until more text follows."""

    def __init__(self, out: IO[str]) -> None:
        self.out = out
        self.pending = ""

    def write(self, text: str) -> None:
        stripped = text.rstrip()
        if stripped:
            self.out.write(self.pending + stripped)
            self.pending = text[len(stripped) :]
        else:
            self.pending += text

    def copy(self, source: IO[str]) -> None:
        source.seek(0)
        while block := source.read(CHUNK):
            self.write(block)
        source.close()


def feed(reviews: Iterable[DocumentReview], writers: list[ReportWriter], llm: LLMStatus | None = None) -> None:
    """Every document to every writer, then close them."""
    for review in reviews:
        for writer in writers:
            writer.add(review)
    for writer in writers:
        writer.close(llm)
