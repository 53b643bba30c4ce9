"""The review as the JSON object of the output contract (docs/rules.md).

``write_json`` streams it one document and one finding at a time, so a batch of
thousands of forms never holds its whole JSON text in memory."""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Sequence
from typing import Any, TextIO

from auditor.findings import DocumentResult, ReviewResult


def _dump(obj: Any, out: TextIO, indent: str) -> None:
    """``obj`` as json.dumps(indent=2) would print it nested at ``indent``."""
    out.write(json.dumps(obj, ensure_ascii=False, indent=2).replace("\n", "\n" + indent))


def _write_list(items: Sequence[Any], convert: Callable[[Any], Any], out: TextIO) -> None:
    if not items:
        out.write("[]")
        return
    for n, item in enumerate(items):
        out.write(",\n    " if n else "[\n    ")
        _dump(convert(item), out, "    ")
    out.write("\n  ]")


def write_json(result: ReviewResult, out: TextIO) -> None:
    """Write exactly ``json.dumps(result.contract(), indent=2)``, piece by piece."""
    out.write('{\n  "documents": ')
    _write_list(result.documents, DocumentResult.contract, out)
    out.write(',\n  "findings": ')
    _write_list(result.findings, lambda f: f.contract(), out)
    out.write(',\n  "profile": ')
    _dump(result.profile, out, "  ")
    out.write(',\n  "llm": ')
    _dump(result.llm.model_dump(mode="json"), out, "  ")
    out.write("\n}")


def write_documents_json(documents: Sequence[DocumentResult], out: TextIO) -> None:
    """The ``auditor extract`` object: {"documents": [...]}, streamed."""
    out.write('{\n  "documents": ')
    _write_list(documents, DocumentResult.contract, out)
    out.write("\n}\n")


def render_json(result: ReviewResult) -> str:
    buffer = io.StringIO()
    write_json(result, buffer)
    return buffer.getvalue()
