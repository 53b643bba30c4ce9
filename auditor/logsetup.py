"""Logging for the command line: quiet unless ``-v``.

Without ``-v`` the HTTP and LLM libraries (openai, httpx, instructor) say nothing — the
review reports what failed in one Chinese line of its own — and our own warnings are one
line each, without a traceback. With ``-v`` everything is shown, tracebacks included.
"""

from __future__ import annotations

import logging
import os
import sys

LIBRARIES = ("openai", "httpx", "httpx2", "httpcore", "instructor", "urllib3")


class _OneLine(logging.Formatter):
    """A record's message alone: a user sees no traceback."""

    def format(self, record: logging.LogRecord) -> str:
        return f"{record.levelname.lower()}: {record.getMessage()}"


def configure_logging(verbose: bool = False) -> None:
    handler = logging.StreamHandler(sys.stderr)
    if verbose:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    else:
        handler.setFormatter(_OneLine())
    handler.set_name("auditor-cli")
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == "auditor-cli"]:
        root.removeHandler(old)  # main() called again in the same process
    root.addHandler(handler)
    root.setLevel(logging.INFO if verbose else logging.WARNING)
    for name in LIBRARIES:
        logging.getLogger(name).setLevel(logging.NOTSET if verbose else logging.CRITICAL + 1)
    path = os.environ.get("AUDITOR_LOG")  # everything, tracebacks too, for a bug report
    if path and not any(h.get_name() == "auditor-log" for h in root.handlers):
        try:
            full = logging.FileHandler(path, encoding="utf-8")
        except OSError as exc:
            print(f"无法写入日志文件 {path}：{exc.strerror}", file=sys.stderr)
        else:
            full.set_name("auditor-log")
            full.setFormatter(logging.Formatter("%(asctime)s %(process)d %(levelname)s %(name)s: %(message)s"))
            root.addHandler(full)
