"""Page progress of the slow readers (OCR of scanned pages): whoever reads a document
says where its page notes go (``pages_to``); the OCR loop reports each page it finishes
(``report_pages``). A context variable, so that nothing else has to pass it down."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

PageProgress = Callable[[int, int], None]  # (pages done, pages to recognise)

_current: ContextVar[PageProgress | None] = ContextVar("auditor_page_progress", default=None)


@contextmanager
def pages_to(callback: PageProgress | None) -> Iterator[None]:
    token = _current.set(callback)
    try:
        yield
    finally:
        _current.reset(token)


def report_pages(done: int, total: int) -> None:
    callback = _current.get()
    if callback is not None:
        callback(done, total)


def page_text(done: int, total: int) -> str:
    """The note a user sees: the page being recognised, then that all were."""
    return f"第{done + 1}/{total}页" if done < total else f"已识别{total}页"
