"""The review as the JSON object of the output contract (docs/rules.md).

The writers stream: documents are written as they come (one per line, compact), the
findings are kept in a temporary file until the documents are done, so that a batch of
100,000 forms never holds its JSON text, nor its records, in memory. ``write_jsonl``
writes one document with its findings per line, for pipelines.

``records="compact"`` (the review's default) gives each value as its text and reading;
``"full"`` keeps every value's parse and place (``auditor extract``, ``--records full``).
"""

from __future__ import annotations

import io
import json
import shutil
from collections.abc import Callable, Iterable
from typing import IO, TYPE_CHECKING, Any

from auditor.findings import DocumentResult, Finding, LLMStatus, ReviewResult
from auditor.render.stream import spool

if TYPE_CHECKING:
    from auditor.pipeline import DocumentReview

Records = str  # "compact" | "full"


def _line(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def render_lines(document: DocumentResult, findings: list[Finding], records: Records) -> tuple[str, list[str]]:
    """A document's JSON line and its findings' lines (made where the document was read)."""
    return _line(document.contract(records)), [_line(f.contract()) for f in findings]


def _lines(item: DocumentReview, records: Records) -> tuple[str, list[str]]:
    return item.lines if item.lines is not None else render_lines(item.document, item.findings, records)


def _write_list(items: Iterable[Any], convert: Callable[[Any], Any], out: IO[str]) -> None:
    first = True
    for item in items:
        out.write("\n" if first else ",\n")
        out.write(_line(convert(item)))
        first = False
    out.write("]" if first else "\n]")


class JsonWriter:
    """The contract's object from documents as they are reviewed: the documents are written
    as they come, their findings wait in a temporary file until the documents are done."""

    def __init__(self, out: IO[str], profile: str, records: Records = "compact") -> None:
        self.out, self.profile, self.records = out, profile, records
        self.spool = spool()
        self.documents = self.findings = 0
        out.write('{"documents":[')

    def add(self, item: DocumentReview) -> None:
        document, findings = _lines(item, self.records)
        self.out.write(",\n" if self.documents else "\n")
        self.out.write(document)
        self.documents += 1
        for f in findings:
            self.spool.write(",\n" if self.findings else "\n")
            self.spool.write(f)
            self.findings += 1

    def close(self, llm: LLMStatus | None = None) -> None:
        out = self.out
        out.write("\n]" if self.documents else "]")
        out.write(',\n"findings":[')
        self.spool.seek(0)
        shutil.copyfileobj(self.spool, out)
        self.spool.close()
        out.write("\n]" if self.findings else "]")
        status = llm or LLMStatus()
        out.write(f',\n"profile":{_line(self.profile)},\n"llm":{_line(status.model_dump(mode="json"))}}}\n')


class JsonlWriter:
    """One line per document: its contract entry with its findings."""

    def __init__(self, out: IO[str], records: Records = "compact") -> None:
        self.out, self.records = out, records

    def add(self, item: DocumentReview) -> None:
        document, findings = _lines(item, self.records)
        self.out.write(document[:-1] + ',"findings":[' + ",".join(findings) + "]}\n")  # the entry plus its findings

    def close(self, llm: LLMStatus | None = None) -> None:
        pass


def write_json_stream(
    reviews: Iterable[DocumentReview],
    out: IO[str],
    profile: str,
    llm: Callable[[], LLMStatus] = LLMStatus,
    records: Records = "compact",
) -> None:
    """The contract's object from documents as they are reviewed; ``llm`` gives the LLM
    status once they all are."""
    writer = JsonWriter(out, profile, records)
    for item in reviews:
        writer.add(item)
    writer.close(llm())


def write_jsonl(reviews: Iterable[DocumentReview], out: IO[str], records: Records = "compact") -> None:
    """One line per document: its contract entry with its findings."""
    writer = JsonlWriter(out, records)
    for item in reviews:
        writer.add(item)


def write_json(result: ReviewResult, out: IO[str], records: Records = "compact") -> None:
    """A whole ``ReviewResult`` (the page, the LLM path) in the same shape."""
    out.write('{"documents":[')
    _write_list(result.documents, lambda d: d.contract(records), out)
    out.write(',\n"findings":[')
    _write_list(result.findings, Finding.contract, out)
    out.write(f',\n"profile":{_line(result.profile)},\n"llm":{_line(result.llm.model_dump(mode="json"))}}}\n')


def write_documents_json(documents: Iterable[DocumentResult], out: IO[str], records: Records = "full") -> None:
    """The ``auditor extract`` object: {"documents": [...]}, streamed."""
    out.write('{"documents":[')
    _write_list(documents, lambda d: d.contract(records), out)
    out.write("}\n")


def render_json(result: ReviewResult, records: Records = "compact") -> str:
    buffer = io.StringIO()
    write_json(result, buffer, records)
    return buffer.getvalue()
