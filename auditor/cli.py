"""Command line: argument parsing and exit codes only; the work is in pipeline.

Exit status: 0 — done (documents that could not be read are reported in the output);
1 — with --strict, a document could not be read (review: or an error-severity finding
was raised); 2 — the command line itself was wrong, or the output could not be written.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, TextIO

from auditor.cli_zh import (
    ChineseParser,
    choice_list,
    decimal_value,
    memory_size,
    positive_float,
    positive_int,
    version_text,
)
from auditor.logsetup import configure_logging

if TYPE_CHECKING:  # imported where used, so that `auditor --help` starts fast
    from auditor.findings import ReviewResult
    from auditor.parallel import Limits
    from auditor.pipeline import DocumentReview
    from auditor.render.stream import GroupWriter, ReportWriter
    from auditor.settings import Settings

SEVERITIES = {"error": "错误", "warning": "警告", "info": "提示"}  # = findings.SEVERITY_ZH
WORKSPACE_COMMANDS = {
    "batches": "列出工作库中的审核批次",
    "decide": "对问题作出决定（确认 / 驳回 / 待核实），或从填好的汇总表导入决定",
    "compare": "复核：更正后的表与上一版本、与上年同一项目的对比",
    "opinion": "生成某单位的审核意见书（.docx）",
    "summary": "生成批次汇总表（.xlsx），含问题编号和决定列",
}  # = auditor.workspace.cli's help texts


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    command = next((a for a in argv if not a.startswith("-")), None)
    if command == "review":
        argv = join_format_words(argv)
    parser = _parser(command)
    args = parser.parse_args(argv)
    configure_logging(getattr(args, "verbose", False))
    if not hasattr(args, "run"):
        parser.print_help()
        return 2
    try:
        return int(args.run(args))
    except KeyboardInterrupt:
        print("已中断", file=sys.stderr)
        return 130


def _parser(command: str | None = None) -> argparse.ArgumentParser:
    """The command line; the parsers of commands other than ``command`` are built without
    their heavy imports (settings, evaluation, the workspace), so that ``auditor --help``
    starts fast."""
    from auditor.webapp.launch import add_page_parser

    parser = ChineseParser(prog="auditor", description="绩效自评表审核：读取表格、核对数字与逻辑")
    parser.add_argument("--version", action="version", version=version_text(), help="显示版本号并退出")
    parser.add_argument("-v", "--verbose", action="store_true", help="显示详细日志（含大模型接口库的日志）")
    sub = parser.add_subparsers(title="子命令", metavar="{extract,review,eval,page,batches,decide,compare,opinion,summary}")
    p = sub.add_parser("extract", help="读取文件中的表格，输出结构化记录（JSON）")
    p.add_argument("paths", nargs="+", metavar="路径", help="PDF、Word(.docx/.doc/.wps)、Excel(.xlsx/.xls)、文本导出文件或ZIP压缩包，或包含它们的文件夹")
    p.add_argument("--format", choices=["json"], default="json")
    p.add_argument("-o", "--output", metavar="文件", help="写入文件而不是标准输出")
    p.add_argument("--strict", action="store_true", help="有文件无法读取时以状态码1退出")
    _add_pool_options(p)
    p.set_defaults(run=_extract)
    if command == "review":
        _add_review_parser(sub)
    else:
        sub.add_parser("review", help=REVIEW_HELP)
    if command == "eval":
        from auditor.evaluation import add_eval_parser

        add_eval_parser(sub)
    else:
        sub.add_parser("eval", help=EVAL_HELP)
    add_page_parser(sub)
    if command in WORKSPACE_COMMANDS:
        from auditor.workspace.cli import add_workspace_parsers

        add_workspace_parsers(sub)
    else:
        for name, text in WORKSPACE_COMMANDS.items():
            sub.add_parser(name, help=text)
    return parser


REVIEW_HELP = "审核：读取表格并按规则核对数字与逻辑，输出问题清单"
EVAL_HELP = "评估：按标注集计算查准率、查全率、F1"  # = evaluation.add_eval_parser's


def _add_pool_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--jobs", "-j", type=positive_int, default=None, help="同时处理的进程数（默认：全部CPU核数；1 表示在本进程内依次处理，不设时限与内存上限）")
    p.add_argument("--timeout", type=positive_float, default=120.0, help="每个文件的处理时限（秒，默认120）")
    p.add_argument("--memory-limit", type=memory_size, default=2 * 1024**3, help="每个处理进程的内存上限（如 2G、512M；0 表示不限；默认 2G）")
    p.add_argument("--records", choices=["compact", "full"], default=None, help="表格记录的详细程度：compact 只含文字与读数（review默认），full 含每个值的解析细节与位置（extract默认）")


def pool_options(args: argparse.Namespace) -> tuple[int, Limits | None]:
    """(jobs, limits); limits None means in this process (only with an explicit --jobs 1:
    by default even a one-core machine reads each file in a worker, under the limits)."""
    from auditor.parallel import Limits, default_jobs

    if args.jobs == 1:
        return 1, None
    jobs = args.jobs if args.jobs is not None else default_jobs()
    return jobs, Limits(timeout=args.timeout, memory=args.memory_limit)


def _add_review_parser(sub: Any) -> None:
    from auditor.settings import PROFILES

    p = sub.add_parser("review", help=REVIEW_HELP)
    p.add_argument("paths", nargs="+", metavar="路径", help="PDF、Word(.docx/.doc/.wps)、Excel(.xlsx/.xls)、文本导出文件或ZIP压缩包，或包含它们的文件夹")
    p.add_argument(
        "--format",
        type=choice_list(REPORT_FORMATS),
        metavar="格式",
        help="报告格式：json、jsonl（每行一个文件及其问题）、md、html、xlsx，可用逗号或空格列出多种（如 html,xlsx,json,md，此时 -o 为文件夹）；"
        "默认：在终端上显示摘要，输出被重定向时为json",
    )
    p.add_argument(
        "-o", "--output", metavar="文件或文件夹", help="写入文件（xlsx必须指定）；以 / 结尾或已存在的文件夹：写入其中的 review.<格式>"
    )
    p.add_argument("--profile", choices=sorted(PROFILES), default=None, help="评分方案（默认 mof：财政部）")
    p.add_argument(
        "--strict", action="store_true", help="有文件无法读取、有“错误”级问题或大模型检查未完成时以状态码1退出"
    )
    p.add_argument("--no-llm", action="store_true", help="即使配置了大模型也不调用（只运行确定性规则）")
    p.add_argument("--money-tol", type=decimal_value, metavar="万元", help="金额容差（万元，默认0.01）")
    p.add_argument("--rate-tol", type=decimal_value, metavar="百分点", help="执行率容差（百分点，默认0.5）")
    p.add_argument("--score-tol", type=decimal_value, metavar="分", help="得分容差（默认0.01）")
    p.add_argument("-v", "--verbose", action="store_true", default=argparse.SUPPRESS, help="显示详细日志")
    _add_pool_options(p)
    from auditor.workspace.cli import add_review_options

    add_review_options(p)
    p.set_defaults(run=_review)


def review_settings(args: argparse.Namespace) -> Settings:
    from auditor.settings import Settings

    settings = Settings()
    if args.profile:
        settings.profile = args.profile
    if args.no_llm:
        settings.llm_enabled = False
    tol = settings.tolerances
    for name, field in (("money_tol", "money_abs"), ("rate_tol", "rate_pp"), ("score_tol", "score")):
        if getattr(args, name) is not None:
            setattr(tol, field, getattr(args, name))
    return settings


def _review(args: argparse.Namespace) -> int:
    from auditor.ingest import walk

    targets = report_targets(args.format, args.output)
    if isinstance(targets, str):
        print(targets, file=sys.stderr)
        return 2
    settings = review_settings(args)
    jobs, limits = pool_options(args)
    records = args.records or "compact"
    tally = _Tally()
    paths = walk(args.paths)
    llm_failed = False
    note: str | None = None
    bar = progress_printer(len(paths))
    try:
        with contextlib.ExitStack() as stack:
            outs = [_open_output(stack, fmt, output) for fmt, output in targets]
            if args.batch:
                from auditor.render.stream import feed
                from auditor.workspace.cli import run_review_into_batch

                def report(reviews: Iterable[DocumentReview], profile: str) -> None:
                    writers = [_stream_writer(fmt, out, profile, records) for (fmt, _), out in zip(targets, outs)]
                    feed(tally.count(reviews, show_errors=False), writers)

                status = run_review_into_batch(args, paths, settings, bar, jobs, limits, report)
                if status:
                    return status
            elif not settings.llm_configured:
                # One pass over the files, each document fanned out to every report as it
                # comes from the pool; nothing holds the batch. JSON alone is rendered by
                # the workers (``render``); the other reports need the forms back.
                from auditor.pipeline import review_stream
                from auditor.render.stream import feed

                formats = {fmt for fmt, _ in targets}
                render = records if formats <= {"json", "jsonl"} else None
                writers = [_stream_writer(fmt, out, settings.profile, records) for (fmt, _), out in zip(targets, outs)]
                reviews = review_stream(paths, settings, bar, jobs, limits, render, bar.pages if bar else None)
                feed(tally.count(reviews), writers)
            else:
                # With an LLM the narrative checks (and the fallback reading of tables the
                # parser missed) need the whole batch: the reports are written from it.
                from auditor.pipeline import review

                result = review(paths, settings, bar, jobs, limits, bar.pages if bar else None)
                tally.add_result(result)
                _write_result(result, targets, outs, records)
                note, llm_failed = result.llm.note, result.llm.failed
    except OSError as exc:
        print(f"无法写入输出文件：{exc.strerror or exc}", file=sys.stderr)
        return 2
    if len(targets) > 1:
        print("报告：" + "、".join(str(o) for _, o in targets), file=sys.stderr)
    if targets[0][0] != "text":  # the text summary ends with the same counts
        print(tally.summary(note), file=sys.stderr)
    return 1 if args.strict and (tally.failed or llm_failed) else 0


REPORT_FORMATS = ["json", "jsonl", "md", "html", "xlsx"]


def join_format_words(argv: list[str]) -> list[str]:
    """``--format html xlsx json md`` read as ``--format html,xlsx,json,md``: the words after
    ``--format`` that are format names (and no file of that name) join its list."""
    out: list[str] = []
    i = 0
    while i < len(argv):
        out.append(argv[i])
        if argv[i] == "--format" and i + 1 < len(argv):
            words = [argv[i + 1]]
            i += 2
            while i < len(argv) and argv[i].lower() in REPORT_FORMATS and not Path(argv[i]).exists():
                words.append(argv[i])
                i += 1
            out.append(",".join(words))
            continue
        i += 1
    return out
SUFFIXES = {"json": ".json", "jsonl": ".jsonl", "md": ".md", "html": ".html", "xlsx": ".xlsx"}
def report_targets(formats: list[str] | None, output: str | None) -> list[tuple[str, str | None]] | str:
    """(format, file or None for stdout) for each report asked for, or a Chinese error.
    Without ``--format``: a readable summary on a terminal, JSON into a pipe or a file."""
    if not formats:
        formats = ["text"] if output is None and sys.stdout.isatty() else ["json"]
    folder = output is not None and (output.endswith(("/", os.sep)) or Path(output).is_dir())
    if len(formats) > 1:
        if output is None:
            return "同时输出多种格式时，请用 -o 指定一个文件夹，例如 -o out/"
        if Path(output).exists() and not Path(output).is_dir():
            return f"{output} 已存在且不是文件夹；同时输出多种格式时 -o 须为文件夹"
        folder = True
    if formats == ["xlsx"] and output is None:
        return "xlsx报告是二进制文件，请用 -o 指定输出文件"
    if folder:
        assert output is not None
        return [(f, str(Path(output) / f"review{SUFFIXES[f]}")) for f in formats]
    return [(formats[0], output)]


class _Tally:
    """What the terminal summary says, counted as the documents pass (nothing kept);
    a document's error is printed on stderr as it comes."""

    def __init__(self) -> None:
        self.documents = self.unread = self.forms = 0
        self.severities = dict.fromkeys(SEVERITIES, 0)

    def count(self, reviews: Iterable[DocumentReview], show_errors: bool = True) -> Iterator[DocumentReview]:
        for item in reviews:
            self._document(item.document.file, item.document.error if show_errors else None, item.form_count)
            for f in item.findings:
                self.severities[f.severity] += 1
            yield item

    def add_result(self, result: ReviewResult, show_errors: bool = True) -> None:
        for d in result.documents:
            self._document(d.file, d.error if show_errors else None, len(d.forms))
        for f in result.findings:
            self.severities[f.severity] += 1

    def _document(self, file: str, error: str | None, forms: int) -> None:
        self.documents += 1
        self.forms += forms
        if error:
            self.unread += 1
            print(f"{file}: {error}", file=sys.stderr)

    @property
    def failed(self) -> bool:
        return self.unread > 0 or self.severities["error"] > 0

    def summary(self, note: str | None) -> str:
        if note is None:
            from auditor.findings import LLMStatus

            note = LLMStatus().note
        parts = "，".join(f"{SEVERITIES[s]} {n}" for s, n in self.severities.items())
        return f"已审核 {self.documents} 个文件（{self.unread} 个无法读取），{self.forms} 张表：{parts}。{note}"


def _open_output(stack: contextlib.ExitStack, fmt: str, output: str | None) -> IO[Any]:
    """The file a report goes to (its folder made), or stdout; opened before any file is
    read, so that an unwritable output stops the run at once."""
    binary = fmt == "xlsx"
    if output is None:
        return sys.stdout.buffer if binary else sys.stdout
    Path(output).parent.mkdir(parents=True, exist_ok=True)
    if binary:
        return stack.enter_context(open(output, "wb"))
    return stack.enter_context(open(output, "w", encoding="utf-8"))


def _stream_writer(fmt: str, out: IO[Any], profile: str, records: str) -> ReportWriter:
    from auditor.render.json import JsonlWriter, JsonWriter

    if fmt == "json":
        return JsonWriter(out, profile, records)
    if fmt == "jsonl":
        return JsonlWriter(out, records)
    return _group_writer(fmt, out, profile)


def _group_writer(fmt: str, out: IO[Any], profile: str) -> GroupWriter:
    if fmt == "md":
        from auditor.render.markdown import MarkdownWriter

        return MarkdownWriter(out, profile)
    if fmt == "html":
        from auditor.render.html import HtmlWriter

        return HtmlWriter(out, profile)
    if fmt == "xlsx":
        from auditor.render.xlsx import XlsxWriter

        return XlsxWriter(out)
    from auditor.render.text import TextWriter

    return TextWriter(out, profile)


def _write_result(result: ReviewResult, targets: list[tuple[str, str | None]], outs: list[IO[Any]], records: str) -> None:
    """Every report of a whole result (the LLM path, a workspace batch)."""
    from auditor.render.json import write_json, write_jsonl

    for (fmt, _), out in zip(targets, outs):
        if fmt == "json":
            write_json(result, out, records)
        elif fmt == "jsonl":
            from auditor.pipeline import DocumentReview

            by_file: dict[str, list[Any]] = {}
            for f in result.findings:
                by_file.setdefault(f.file, []).append(f)
            write_jsonl((DocumentReview(d, by_file.get(d.file, [])) for d in result.documents), out, records)
        else:
            _group_writer(fmt, out, result.profile).write_result(result)


def write_output(write: Callable[[TextIO], None] | bytes, output: str | None) -> None:
    """Write a report to a file or stdout: bytes as they are, text streamed by ``write``."""
    if isinstance(write, bytes):
        if output is None:
            sys.stdout.buffer.write(write)
        else:
            Path(output).write_bytes(write)
        return
    if output is None:
        write(sys.stdout)
        return
    with open(output, "w", encoding="utf-8") as out:
        write(out)


def progress_printer(files: int | None = None) -> ProgressBar | None:
    """A progress bar on stderr when it is a terminal (rich: file name, count, time left;
    it measures CJK names by their display width, so the line never wraps); while a
    scanned PDF is recognised, its page count too."""
    if not sys.stderr.isatty():
        return None
    return ProgressBar(files)


class ProgressBar:
    """Called with (files done, files, name) as each file is done, and ``pages`` with
    (file, pages done, pages) as the OCR of a scanned one goes (``page_note``)."""

    def __init__(self, files: int | None = None) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeRemainingColumn
        from rich.progress import Progress as Bar

        self.bar = Bar(
            TextColumn("读取"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            TextColumn("{task.description}"),
            console=Console(stderr=True),
            transient=True,
        )
        self.task: Any = None
        self.files = files
        self.stopped = False

    def _start(self, total: int | None) -> None:
        if self.task is None:
            self.bar.start()
            self.task = self.bar.add_task("", total=total)

    def __call__(self, done: int, total: int, name: str) -> None:
        self._start(total)
        self.bar.update(self.task, total=total, completed=done, description=Path(name).name)
        if done >= total and not self.stopped:
            self.bar.stop()
            self.stopped = True

    def pages(self, name: str, done: int, total: int) -> None:
        if self.stopped:
            return
        self._start(self.files)
        self.bar.update(self.task, description=page_note(name, done, total))


def page_note(name: str, done: int, total: int) -> str:
    """What the progress shows while a scanned file is recognised: "a.pdf · 识别第3/12页"."""
    from auditor.ingest.pages import page_text

    return f"{Path(name).name} · {'识别' if done < total else ''}{page_text(done, total)}"


def _extract(args: argparse.Namespace) -> int:
    from auditor.ingest import walk
    from auditor.parallel import Task, run
    from auditor.render.json import write_documents_json
    from auditor.settings import Settings

    jobs, limits = pool_options(args)
    paths = walk(args.paths)
    failed = False
    progress = progress_printer()

    def documents() -> Iterator[Any]:
        nonlocal failed
        outcomes = run((Task.of_path(p) for p in paths), Settings(), jobs, limits, rules=False, isolate=limits is not None)
        for n, outcome in enumerate(outcomes, 1):
            d = outcome.document
            if progress:
                progress(n, len(paths), d.file)
            if d.error:
                failed = True
                print(f"{d.file}: {d.error}", file=sys.stderr)
            yield d

    try:
        write_output(lambda out: write_documents_json(documents(), out, args.records or "full"), args.output)
    except OSError as exc:
        print(f"无法写入输出文件：{exc.strerror or exc}", file=sys.stderr)
        return 2
    return 1 if args.strict and failed else 0


if __name__ == "__main__":
    sys.exit(main())
