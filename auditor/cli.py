"""Command line: argument parsing and exit codes only; the work is in pipeline.

Exit status: 0 — done (documents that could not be read are reported in the output);
1 — with --strict, a document could not be read (review: or an error-severity finding
was raised); 2 — the command line itself was wrong, or the output could not be written.
"""

from __future__ import annotations

import argparse
import logging
import os
import re
import sys
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:  # imported where used, so that `auditor --help` starts fast
    from auditor.findings import ReviewResult
    from auditor.parallel import Limits
    from auditor.pipeline import DocumentReview, Progress
    from auditor.settings import Settings

SEVERITIES = {"error": "错误", "warning": "警告", "info": "提示"}  # = findings.SEVERITY_ZH


def main(argv: list[str] | None = None) -> int:
    _setup_logging()
    argv = sys.argv[1:] if argv is None else argv
    parser = _parser(next((a for a in argv if not a.startswith("-")), None))
    args = parser.parse_args(argv)
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
    their heavy imports (settings, evaluation), so that ``auditor --help`` starts fast."""
    parser = argparse.ArgumentParser(prog="auditor", description="绩效自评表审核：读取表格、核对数字与逻辑")
    sub = parser.add_subparsers(title="commands")
    p = sub.add_parser("extract", help="读取文件中的表格，输出结构化记录（JSON）")
    p.add_argument("paths", nargs="+", help="PDF、Word(.docx)或文本导出文件，或包含它们的文件夹")
    p.add_argument("--format", choices=["json"], default="json")
    p.add_argument("-o", "--output", help="写入文件而不是标准输出")
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
    return parser


REVIEW_HELP = "审核：读取表格并按规则核对数字与逻辑，输出问题清单"
EVAL_HELP = "评估：按标注集计算查准率、查全率、F1"  # = evaluation.add_eval_parser's


def _add_pool_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--jobs", "-j", type=_positive_int, default=None, help="同时处理的进程数（默认：全部CPU核数；1 表示在本进程内依次处理，不设时限与内存上限）")
    p.add_argument("--timeout", type=_positive_float, default=120.0, help="每个文件的处理时限（秒，默认120）")
    p.add_argument("--memory-limit", type=_memory, default=2 * 1024**3, help="每个处理进程的内存上限（如 2G、512M；0 表示不限；默认 2G）")
    p.add_argument("--records", choices=["compact", "full"], default=None, help="表格记录的详细程度：compact 只含文字与读数（review默认），full 含每个值的解析细节与位置（extract默认）")


def _positive_int(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"应为正整数：{text}") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"应为正整数：{text}")
    return n


def _positive_float(text: str) -> float:
    try:
        n = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"应为正数（秒）：{text}") from None
    if not n > 0 or n == float("inf"):
        raise argparse.ArgumentTypeError(f"应为正数（秒）：{text}")
    return n


def _memory(text: str) -> int:
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?\s*", text, re.IGNORECASE)
    if not m:
        raise argparse.ArgumentTypeError(f"内存上限应写成如 2G、512M 或 0：{text}")
    unit = {"": 1024**2, "k": 1024, "m": 1024**2, "g": 1024**3, "t": 1024**4}[m.group(2).lower()]
    n = int(float(m.group(1)) * unit)
    if 0 < n < 64 * 1024**2:
        raise argparse.ArgumentTypeError(f"内存上限太小（至少 64M）：{text}")
    return n


def pool_options(args: argparse.Namespace) -> tuple[int, Limits | None]:
    """(jobs, limits); limits None means in this process (only with an explicit --jobs 1:
    by default even a one-core machine reads each file in a worker, under the limits)."""
    from auditor.parallel import Limits, default_jobs

    if args.jobs == 1:
        return 1, None
    jobs = args.jobs if args.jobs is not None else default_jobs()
    return jobs, Limits(timeout=args.timeout, memory=args.memory_limit)


class _OneLine(logging.Formatter):
    """Log records on stderr as one line each: the traceback goes to the log file only."""

    def format(self, record: logging.LogRecord) -> str:
        saved = record.exc_info, record.exc_text
        record.exc_info, record.exc_text = None, None
        try:
            return super().format(record)
        finally:
            record.exc_info, record.exc_text = saved


def _setup_logging() -> None:
    """Warnings of the auditor and its libraries on stderr, one line each; with
    AUDITOR_LOG=FILE, everything (tracebacks too) in that file."""
    root = logging.getLogger()
    if any(getattr(h, "_auditor", False) for h in root.handlers):
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setLevel(logging.WARNING)
    handler.setFormatter(_OneLine("auditor: %(message)s"))
    handler._auditor = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    path = os.environ.get("AUDITOR_LOG")
    if path:
        try:
            full = logging.FileHandler(path, encoding="utf-8")
        except OSError as exc:
            print(f"无法写入日志文件 {path}：{exc.strerror}", file=sys.stderr)
        else:
            full.setFormatter(logging.Formatter("%(asctime)s %(process)d %(levelname)s %(name)s: %(message)s"))
            root.addHandler(full)


def _add_review_parser(sub: Any) -> None:
    from auditor.settings import PROFILES

    p = sub.add_parser("review", help=REVIEW_HELP)
    p.add_argument("paths", nargs="+", help="PDF、Word(.docx)或文本导出文件，或包含它们的文件夹")
    p.add_argument("--format", choices=["json", "jsonl", "md", "html", "xlsx"], default="json", help="报告格式（默认json；jsonl 每行一个文件及其问题）")
    p.add_argument("-o", "--output", help="写入文件而不是标准输出（xlsx必须指定）")
    p.add_argument("--profile", choices=sorted(PROFILES), default=None, help="评分方案（默认 mof：财政部）")
    p.add_argument("--strict", action="store_true", help="有文件无法读取或有“错误”级问题时以状态码1退出")
    p.add_argument("--no-llm", action="store_true", help="即使配置了大模型也不调用（只运行确定性规则）")
    p.add_argument("--money-tol", type=Decimal, help="金额容差（万元，默认0.01）")
    p.add_argument("--rate-tol", type=Decimal, help="执行率容差（百分点，默认0.5）")
    p.add_argument("--score-tol", type=Decimal, help="得分容差（默认0.01）")
    _add_pool_options(p)
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

    if args.format == "xlsx" and args.output is None:
        print("xlsx报告是二进制文件，请用 -o 指定输出文件", file=sys.stderr)
        return 2
    settings = review_settings(args)
    jobs, limits = pool_options(args)
    records = args.records or "compact"
    tally = _Tally()
    paths = walk(args.paths)
    if args.format in ("json", "jsonl") and not settings.llm_configured:
        from auditor.pipeline import review_stream
        from auditor.render.json import write_json_stream, write_jsonl

        def write(out: TextIO) -> None:
            reviews = tally.count(review_stream(paths, settings, progress_printer(), jobs, limits, records))
            if args.format == "jsonl":
                write_jsonl(reviews, out, records)
            else:
                write_json_stream(reviews, out, settings.profile, records=records)

        writer: Callable[[TextIO], None] | bytes = write
        note = None
    else:
        from auditor.pipeline import review

        result = review(paths, settings, progress_printer(), jobs, limits)
        tally.add_result(result)
        writer = _report_writer(result, args.format, records)
        note = result.llm.note
    try:
        write_output(writer, args.output)
    except OSError as exc:
        print(f"无法写入输出文件：{exc.strerror or exc}", file=sys.stderr)
        return 2
    print(tally.summary(note), file=sys.stderr)
    return 1 if args.strict and tally.failed else 0


class _Tally:
    """What the terminal summary says, counted as the documents pass (nothing kept);
    a document's error is printed on stderr as it comes."""

    def __init__(self) -> None:
        self.documents = self.unread = self.forms = 0
        self.severities = dict.fromkeys(SEVERITIES, 0)

    def count(self, reviews: Iterable[DocumentReview]) -> Iterator[DocumentReview]:
        for item in reviews:
            self._document(item.document.file, item.document.error, item.form_count)
            for f in item.findings:
                self.severities[f.severity] += 1
            yield item

    def add_result(self, result: ReviewResult) -> None:
        for d in result.documents:
            self._document(d.file, d.error, len(d.forms))
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


def _report_writer(result: ReviewResult, fmt: str, records: str = "compact") -> Callable[[TextIO], None] | bytes:
    from auditor.render import FORMATS, write_json

    if fmt == "json":
        return lambda out: write_json(result, out, records)
    if fmt == "jsonl":
        from auditor.pipeline import DocumentReview
        from auditor.render.json import write_jsonl

        by_file: dict[str, list[Any]] = {}
        for f in result.findings:
            by_file.setdefault(f.file, []).append(f)
        reviews = [DocumentReview(d, by_file.get(d.file, [])) for d in result.documents]
        return lambda out: write_jsonl(reviews, out, records)
    render = FORMATS[fmt].render
    report = render(result)
    if isinstance(report, bytes):
        return report

    def write(out: TextIO) -> None:
        out.write(report)

    return write


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


def progress_printer() -> Progress | None:
    """A one-line progress bar on stderr when it is a terminal."""
    if not sys.stderr.isatty():
        return None

    def show(done: int, total: int, name: str) -> None:
        width = 30
        filled = width * done // max(total, 1)
        sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} {Path(name).name[:40]:<40}")
        if done == total:
            sys.stderr.write("\n")
        sys.stderr.flush()

    return show


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
