"""Renderers: they present a ``ReviewResult`` (or mark a PDF) and never compute audit logic."""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from auditor.findings import ReviewResult
from auditor.render.annotate import annotate_pdf, render_page_png
from auditor.render.html import render_html
from auditor.render.json import render_json, write_json
from auditor.render.markdown import render_markdown
from auditor.render.xlsx import render_xlsx


class Format(NamedTuple):
    render: Callable[[ReviewResult], str | bytes]
    suffix: str
    binary: bool


FORMATS: dict[str, Format] = {
    "json": Format(render_json, ".json", False),
    "md": Format(render_markdown, ".md", False),
    "html": Format(render_html, ".html", False),
    "xlsx": Format(render_xlsx, ".xlsx", True),
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
