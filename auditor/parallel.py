"""Read and check documents in a pool of worker processes, each under a time and a memory limit.

Every document is a task: a path or (for the page) the bytes of an upload. A worker reads
it, parses its forms and (unless the LLM must see the forms first) runs every rule on it,
and sends back a :class:`Outcome`. Outcomes come out in input order. A worker that runs
past the time limit is killed and replaced, and its file gets a "处理超时" error; a worker
that runs out of memory (its address space is capped with ``RLIMIT_AS``) answers with, or
dies of, "内存超限"; in both cases the batch goes on.

``jobs=1`` runs in this process (no limits besides the guards every document has) and
gives the same outcomes as any number of workers: the work per document is the same
function, :func:`process`.

Not ``ProcessPoolExecutor``: a worker killed there breaks the whole pool.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import multiprocessing as mp
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any

from auditor.document import Document
from auditor.findings import DocumentResult, Finding
from auditor.ingest.pages import PageProgress
from auditor.settings import Settings

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 120.0  # seconds per document; a normal form takes well under one
DEFAULT_MEMORY = 2 * 1024**3  # bytes of address space per worker; a normal form needs < 200 MB
PRELOAD = ["auditor.parallel", "auditor.pipeline", "auditor.ingest.pdf", "auditor.ingest.docx", "auditor.checks"]
TASKS_PER_WORKER = 250  # then the worker is replaced, so that no cache or leak grows with the batch


@dataclass(frozen=True)
class Limits:
    timeout: float = DEFAULT_TIMEOUT
    memory: int = DEFAULT_MEMORY  # 0: no limit


@dataclass(frozen=True)
class Task:
    """One document to read: a path, or the bytes of an upload with its name."""

    name: str
    path: str | None = None
    data: bytes | None = None

    @classmethod
    def of_path(cls, path: Path | str) -> Task:
        return cls(name=str(path), path=str(path))


@dataclass
class Outcome:
    document: DocumentResult
    findings: list[Finding] = field(default_factory=list)
    raw: Document | None = None  # kept for the LLM fallback when asked
    # With ``render``: the document's JSON line and its findings' lines, made where the
    # document was read (in parallel), and the forms dropped from ``document`` (not sent).
    lines: tuple[str, list[str]] | None = None
    forms: int | None = None  # how many forms the document had, when they were dropped


def process(
    task: Task,
    settings: Settings,
    rules: bool = True,
    keep_raw: bool = False,
    render: str | None = None,
    pages: PageProgress | None = None,
) -> Outcome:
    """Read one document, and check it unless ``rules`` is false; with ``render`` (the
    records mode), also write its JSON lines; ``pages`` is told each scanned page
    recognised (pages done, pages to do). Never raises for a document's sake (a
    MemoryError becomes the memory-limit error)."""
    from auditor.ingest.pages import pages_to

    with pages_to(pages):
        outcome = _process(task, settings, rules, keep_raw)
    if render is not None:
        from auditor.render.json import render_lines

        outcome.lines = render_lines(outcome.document, outcome.findings, render)
        outcome.forms = len(outcome.document.forms)
        outcome.document = outcome.document.model_copy(update={"forms": []})
    return outcome


def _process(task: Task, settings: Settings, rules: bool, keep_raw: bool) -> Outcome:
    from auditor.pipeline import check_document, extract_bytes, extract_path

    raw: dict[str, Document] | None = {} if keep_raw else None
    try:
        if task.data is not None:
            document = extract_bytes(task.data, task.name, raw)
        else:
            document = extract_path(Path(task.path or task.name), raw)
        findings = check_document(document, settings) if rules else []
    except MemoryError:
        raw = None
        return Outcome(DocumentResult(file=display_name(task.name), error=memory_message(None)))
    return Outcome(document, findings, next(iter(raw.values()), None) if raw else None)


def display_name(name: str) -> str:
    """A file name any writer can encode: bytes that are not UTF-8 (a GBK name from a
    Windows ZIP, kept by Python as surrogates) are shown as \\xNN escapes."""
    try:
        name.encode("utf-8")
        return name
    except UnicodeEncodeError:
        pass
    try:
        return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:  # a lone surrogate that is no escaped byte
        return name.encode("utf-8", "backslashreplace").decode("utf-8")


def timeout_message(seconds: float) -> str:
    return (
        f"处理超时（超过{seconds:g}秒），已停止处理此文件：文件可能过大或结构异常，"
        "请拆分文件或检查后重试（可用 --timeout 调整时限）"
    )


def memory_message(limit: int | None) -> str:
    shown = f"（超过{_size(limit)}）" if limit else ""
    return (
        f"内存超限{shown}，已停止处理此文件：文件内容过大或结构异常，"
        "请拆分文件或检查后重试（可用 --memory-limit 调整上限）"
    )


def died_message(limit: int) -> str:
    # Out of address space, a worker may die in native code rather than raise.
    cause = f"可能是内存超限（上限{_size(limit)}）或文件结构异常" if limit else "可能是文件结构异常"
    return f"处理此文件时工作进程意外退出（{cause}），已跳过此文件：请检查文件或拆分后重试"


def _size(n: int) -> str:
    if n >= 1024**3 and n % 1024**3 == 0:
        return f"{n // 1024**3} GiB"
    return f"{n / 1024**2:.0f} MiB"


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def run(
    tasks: Iterable[Task],
    settings: Settings,
    jobs: int = 1,
    limits: Limits | None = None,
    rules: bool = True,
    keep_raw: bool = False,
    method: str | None = None,
    isolate: bool = False,
    render: str | None = None,
    pages: PagesFn | None = None,
) -> Iterator[Outcome]:
    """Outcomes of the tasks, in input order, from ``jobs`` workers (1: in this process).
    ``method`` is the multiprocessing start method (default: fork when this process has
    no other threads, else a fork server). ``isolate`` runs even one job in a worker
    process, under the limits. ``pages`` is told (file, pages done, pages to do) as the
    OCR of a scanned document goes; from a worker the note comes through its pipe."""
    if jobs <= 1 and not isolate:
        for task in tasks:
            note = None if pages is None else functools.partial(pages, display_name(task.name))
            yield process(task, settings, rules, keep_raw, render, note)
        return
    pool = _Pool(max(jobs, 1), settings, limits or Limits(), rules, keep_raw, method, render, pages)
    try:
        yield from pool.map(tasks)
    finally:
        pool.close()


# --- the pool -------------------------------------------------------------------------


def _address_space() -> int:
    """This process's virtual memory size in bytes (0 where /proc is not there)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


@dataclass(frozen=True)
class _Pages:
    """A worker's page note: the document of task ``index`` has ``done`` of ``total`` pages."""

    index: int
    done: int
    total: int


def _worker(
    conn: Connection,
    settings: Settings,
    rules: bool,
    keep_raw: bool,
    memory: int,
    render: str | None,
    pages: bool = False,
) -> None:
    """Serve tasks until told to stop (None) or the parent goes away."""
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    if memory:
        import resource

        # the cap is what the worker may add to the address space it starts with (a worker
        # forked from a large process, such as a test run, inherits that process's mappings)
        cap = memory + _address_space()
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        index, task = message

        def note(done: int, total: int, index: int = index) -> None:
            with contextlib.suppress(BrokenPipeError, OSError):
                conn.send(_Pages(index, done, total))

        try:
            outcome = process(task, settings, rules, keep_raw, render, note if pages else None)
        except MemoryError:
            outcome = Outcome(DocumentResult(file=display_name(task.name), error=memory_message(memory)))
        if outcome.document.error == memory_message(None):
            outcome.document.error = memory_message(memory)
        try:
            conn.send((index, outcome))
        except MemoryError:
            conn.send((index, Outcome(DocumentResult(file=display_name(task.name), error=memory_message(memory)))))
        except (BrokenPipeError, EOFError, OSError):
            return


@dataclass
class _Slot:
    process: Any  # multiprocessing.Process of the chosen context
    conn: Connection
    index: int = -1  # task being worked on, -1 when idle
    task: Task | None = None
    deadline: float = 0.0
    served: int = 0  # tasks this worker has done


class _Pool:
    def __init__(
        self,
        jobs: int,
        settings: Settings,
        limits: Limits,
        rules: bool,
        keep_raw: bool,
        method: str | None,
        render: str | None = None,
        pages: PagesFn | None = None,
    ) -> None:
        # fork is fastest and shares the loaded code; a process with threads (the page's
        # server) must not fork, so it asks a fork server (started once, with the readers
        # loaded) for its workers instead.
        methods = mp.get_all_start_methods()
        if method is None:
            method = "fork" if threading.active_count() == 1 and "fork" in methods else (
                "forkserver" if "forkserver" in methods else "spawn"
            )
        self.ctx = mp.get_context(method)
        if method == "forkserver":
            self.ctx.set_forkserver_preload(PRELOAD)
        self.args = (settings, rules, keep_raw, limits.memory, render, pages is not None)
        self.pages = pages
        self.limits = limits
        self.slots = [self._start() for _ in range(jobs)]

    def _start(self) -> _Slot:
        parent, child = self.ctx.Pipe()
        proc = self.ctx.Process(target=_worker, args=(child, *self.args), daemon=True)  # type: ignore[attr-defined]
        proc.start()
        child.close()
        return _Slot(proc, parent)

    def _replace(self, slot: _Slot) -> None:
        slot.conn.close()
        if slot.process.is_alive():
            slot.process.kill()
        slot.process.join(5)
        fresh = self._start()
        slot.process, slot.conn, slot.index, slot.task, slot.served = fresh.process, fresh.conn, -1, None, 0

    def _retire(self, slot: _Slot) -> None:
        """Let an idle worker that has served its share exit, and start a fresh one."""
        with contextlib.suppress(BrokenPipeError, OSError):
            slot.conn.send(None)
        slot.process.join(5)
        self._replace(slot)

    def map(self, tasks: Iterable[Task]) -> Iterator[Outcome]:
        pending = enumerate(tasks)
        exhausted = False
        done: dict[int, Outcome] = {}
        next_out = 0
        window = 4 * len(self.slots)  # outcomes held waiting for a slow earlier one
        while True:
            for slot in self.slots:
                if slot.index >= 0 or exhausted:
                    continue
                if done and max(done) - next_out >= window:
                    break
                item = next(pending, None)
                if item is None:
                    exhausted = True
                    break
                if slot.served >= TASKS_PER_WORKER:
                    self._retire(slot)
                self._send(slot, *item)
            busy = [s for s in self.slots if s.index >= 0]
            if not busy:
                break
            now = time.monotonic()
            wait_for = max(0.0, min(s.deadline for s in busy) - now)
            ready = set(wait([s.conn for s in busy] + [s.process.sentinel for s in busy], timeout=wait_for))
            for slot in busy:
                outcome = None
                if slot.conn in ready or slot.process.sentinel in ready:
                    outcome = self._receive(slot)
                elif time.monotonic() >= slot.deadline:
                    outcome = self._failed(slot, timeout_message(self.limits.timeout), "timed out")
                if outcome is not None:
                    done[outcome[0]] = outcome[1]
            while next_out in done:
                yield done.pop(next_out)
                next_out += 1

    def _send(self, slot: _Slot, index: int, task: Task) -> None:
        slot.index, slot.task = index, task
        slot.served += 1
        slot.deadline = time.monotonic() + self.limits.timeout
        try:
            slot.conn.send((index, task))
        except (BrokenPipeError, OSError):  # the worker died while idle: a new one takes it
            self._replace(slot)
            slot.index, slot.task = index, task
            slot.conn.send((index, task))

    def _receive(self, slot: _Slot) -> tuple[int, Outcome] | None:
        try:
            while slot.conn.poll():
                message = slot.conn.recv()
                if isinstance(message, _Pages):  # a page note of the document in work
                    if self.pages is not None and slot.task is not None and message.index == slot.index:
                        self.pages(display_name(slot.task.name), message.done, message.total)
                    continue
                index, outcome = message
                slot.index, slot.task = -1, None
                return index, outcome
        except (EOFError, OSError):
            pass
        if slot.process.is_alive():
            return None
        slot.process.join()
        code = slot.process.exitcode
        return self._failed(slot, died_message(self.limits.memory), f"died ({code})")

    def _failed(self, slot: _Slot, error: str, why: str) -> tuple[int, Outcome]:
        index, task = slot.index, slot.task
        assert task is not None
        log.warning("worker %s on %s; replaced", why, display_name(task.name))
        self._replace(slot)
        return index, Outcome(DocumentResult(file=display_name(task.name), error=error))

    def close(self) -> None:
        for slot in self.slots:
            try:
                if slot.index < 0:
                    slot.conn.send(None)
            except (BrokenPipeError, OSError):
                pass
        for slot in self.slots:
            slot.process.join(2)
            if slot.process.is_alive():
                slot.process.kill()
                slot.process.join()
            slot.conn.close()


ProgressFn = Callable[[int, int, str], None]
PagesFn = Callable[[str, int, int], None]  # (file, pages done, pages to do)
