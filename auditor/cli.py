"""Command line: argument parsing and exit codes only; the work is in pipeline.

Exit status: 0 — done (documents that could not be read are reported in the output);
1 — with --strict, a document could not be read (review: or an error-severity finding
was raised); 2 — the command line itself was wrong, or the output could not be written.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any, TextIO

from auditor.evaluation import add_eval_parser
from auditor.findings import SEVERITY_ZH, ReviewResult
from auditor.ingest import walk
from auditor.pipeline import Progress, extract, review
from auditor.render.json import write_documents_json
from auditor.settings import Settings
from auditor.workspace.cli import add_review_options, add_workspace_parsers, run_review_into_batch


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "run"):
        parser.print_help()
        return 2
    try:
        return int(args.run(args))
    except KeyboardInterrupt:
        print("已中断", file=sys.stderr)
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="auditor", description="绩效自评表审核：读取表格、核对数字与逻辑")
    sub = parser.add_subparsers(title="commands")
    p = sub.add_parser("extract", help="读取文件中的表格，输出结构化记录（JSON）")
    p.add_argument("paths", nargs="+", help="PDF、Word(.docx)或文本导出文件，或包含它们的文件夹")
    p.add_argument("--format", choices=["json"], default="json")
    p.add_argument("-o", "--output", help="写入文件而不是标准输出")
    p.add_argument("--strict", action="store_true", help="有文件无法读取时以状态码1退出")
    p.set_defaults(run=_extract)
    _add_review_parser(sub)
    add_eval_parser(sub)
    add_workspace_parsers(sub)
    return parser


def _add_review_parser(sub: Any) -> None:
    from auditor.settings import PROFILES

    p = sub.add_parser("review", help="审核：读取表格并按规则核对数字与逻辑，输出问题清单")
    p.add_argument("paths", nargs="+", help="PDF、Word(.docx)或文本导出文件，或包含它们的文件夹")
    p.add_argument("--format", choices=["json", "md", "html", "xlsx"], default="json", help="报告格式（默认json）")
    p.add_argument("-o", "--output", help="写入文件而不是标准输出（xlsx必须指定）")
    p.add_argument("--profile", choices=sorted(PROFILES), default=None, help="评分方案（默认 mof：财政部）")
    p.add_argument("--strict", action="store_true", help="有文件无法读取或有“错误”级问题时以状态码1退出")
    p.add_argument("--no-llm", action="store_true", help="即使配置了大模型也不调用（只运行确定性规则）")
    p.add_argument("--money-tol", type=Decimal, help="金额容差（万元，默认0.01）")
    p.add_argument("--rate-tol", type=Decimal, help="执行率容差（百分点，默认0.5）")
    p.add_argument("--score-tol", type=Decimal, help="得分容差（默认0.01）")
    add_review_options(p)
    p.set_defaults(run=_review)


def review_settings(args: argparse.Namespace) -> Settings:
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
    if args.format == "xlsx" and args.output is None:
        print("xlsx报告是二进制文件，请用 -o 指定输出文件", file=sys.stderr)
        return 2
    if args.batch:
        stored, status = run_review_into_batch(args, walk(args.paths), review_settings(args), progress_printer())
        if stored is None:
            return status
        result = stored
    else:
        result = review(walk(args.paths), review_settings(args), progress_printer())
    try:
        write_output(_report_writer(result, args.format), args.output)
    except OSError as exc:
        print(f"无法写入输出文件：{exc}", file=sys.stderr)
        return 2
    for d in result.documents:
        if d.error:
            print(f"{d.file}: {d.error}", file=sys.stderr)
    print(_summary(result), file=sys.stderr)
    failed = any(d.error for d in result.documents) or any(f.severity == "error" for f in result.findings)
    return 1 if args.strict and failed else 0


def _report_writer(result: ReviewResult, fmt: str) -> Callable[[TextIO], None] | bytes:
    from auditor.render import FORMATS, write_json

    if fmt == "json":
        return lambda out: write_json(result, out)
    render = FORMATS[fmt].render
    report = render(result)
    if isinstance(report, bytes):
        return report

    def write(out: TextIO) -> None:
        out.write(report)

    return write


def _summary(result: ReviewResult) -> str:
    counts = {s: sum(1 for f in result.findings if f.severity == s) for s in SEVERITY_ZH}
    forms = sum(len(d.forms) for d in result.documents)
    unread = sum(1 for d in result.documents if d.error)
    parts = "，".join(f"{SEVERITY_ZH[s]} {n}" for s, n in counts.items())
    return f"已审核 {len(result.documents)} 个文件（{unread} 个无法读取），{forms} 张表：{parts}。{result.llm.note}"


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
    results = extract(walk(args.paths), progress_printer())
    try:
        write_output(lambda out: write_documents_json(results, out), args.output)
    except OSError as exc:
        print(f"无法写入输出文件：{exc}", file=sys.stderr)
        return 2
    for r in results:
        if r.error:
            print(f"{r.file}: {r.error}", file=sys.stderr)
    return 1 if args.strict and any(r.error for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
