"""Renderers: they present a ``ReviewResult`` (or mark a PDF) and never compute audit logic.

The renderers are imported when first used, so that importing one of them (a worker
writing JSON lines) does not load openpyxl, numpy and the HTML templates."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NamedTuple

from auditor.findings import ReviewResult

if TYPE_CHECKING:
    from auditor.render.annotate import annotate_pdf, render_page_png
    from auditor.render.html import render_html
    from auditor.render.json import render_json, write_json
    from auditor.render.markdown import render_markdown
    from auditor.render.xlsx import render_xlsx

_WHERE = {
    "annotate_pdf": "annotate",
    "render_page_png": "annotate",
    "render_html": "html",
    "render_json": "json",
    "write_json": "json",
    "render_markdown": "markdown",
    "render_xlsx": "xlsx",
}


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(importlib.import_module(f"auditor.render.{_WHERE[name]}"), name)
    raise AttributeError(f"module 'auditor.render' has no attribute {name!r}")


def _lazy(name: str) -> Callable[[ReviewResult], str | bytes]:
    def render(result: ReviewResult) -> str | bytes:
        return __getattr__(name)(result)  # type: ignore[no-any-return]

    render.__name__ = name
    return render


class Format(NamedTuple):
    render: Callable[[ReviewResult], str | bytes]
    suffix: str
    binary: bool


FORMATS: dict[str, Format] = {
    "json": Format(_lazy("render_json"), ".json", False),
    "md": Format(_lazy("render_markdown"), ".md", False),
    "html": Format(_lazy("render_html"), ".html", False),
    "xlsx": Format(_lazy("render_xlsx"), ".xlsx", True),
}

__all__ = [
    "FORMATS",
    "Format",
    "annotate_pdf",
    "render_html",
    "render_json",
    "render_markdown",
    "render_page_png",
    "render_xlsx",
    "write_json",
]
