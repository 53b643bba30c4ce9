"""Command line: argument parsing and exit codes only; the work is in pipeline.

Exit status: 0 — done (documents that could not be read are reported in the output);
1 — with --strict, a document could not be read (review: or an error-severity finding
was raised); 2 — the command line itself was wrong, or the output could not be written.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from auditor.cli_zh import ChineseParser, choice_list, decimal_value, version_text
from auditor.evaluation import add_eval_parser
from auditor.findings import SEVERITY_ZH, ReviewResult
from auditor.ingest import walk
from auditor.logsetup import configure_logging
from auditor.pipeline import Progress, extract, review
from auditor.render.json import write_documents_json
from auditor.settings import Settings
from auditor.webapp.launch import add_page_parser
from auditor.workspace.cli import add_review_options, add_workspace_parsers, run_review_into_batch


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
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


def _parser() -> argparse.ArgumentParser:
    parser = ChineseParser(prog="auditor", description="绩效自评表审核：读取表格、核对数字与逻辑")
    parser.add_argument("--version", action="version", version=version_text(), help="显示版本号并退出")
    parser.add_argument("-v", "--verbose", action="store_true", help="显示详细日志（含大模型接口库的日志）")
    sub = parser.add_subparsers(title="子命令", metavar="{extract,review,eval,page}")
    p = sub.add_parser("extract", help="读取文件中的表格，输出结构化记录（JSON）")
    p.add_argument("paths", nargs="+", metavar="路径", help="PDF、Word(.docx/.doc/.wps)、Excel(.xlsx/.xls)、文本导出文件或ZIP压缩包，或包含它们的文件夹")
    p.add_argument("--format", choices=["json"], default="json")
    p.add_argument("-o", "--output", metavar="文件", help="写入文件而不是标准输出")
    p.add_argument("--strict", action="store_true", help="有文件无法读取时以状态码1退出")
    p.set_defaults(run=_extract)
    _add_review_parser(sub)
    add_eval_parser(sub)
    add_page_parser(sub)
    add_workspace_parsers(sub)
    return parser


def _add_review_parser(sub: Any) -> None:
    from auditor.settings import PROFILES

    p = sub.add_parser("review", help="审核：读取表格并按规则核对数字与逻辑，输出问题清单")
    p.add_argument("paths", nargs="+", metavar="路径", help="PDF、Word(.docx/.doc/.wps)、Excel(.xlsx/.xls)、文本导出文件或ZIP压缩包，或包含它们的文件夹")
    p.add_argument(
        "--format",
        type=choice_list(REPORT_FORMATS),
        metavar="格式",
        help="报告格式：json、md、html、xlsx，可用逗号列出多种（如 html,xlsx,json,md，此时 -o 为文件夹）；"
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
    targets = report_targets(args.format, args.output)
    if isinstance(targets, str):
        print(targets, file=sys.stderr)
        return 2
    if args.batch:
        stored, status = run_review_into_batch(args, walk(args.paths), review_settings(args), progress_printer())
        if stored is None:
            return status
        result = stored
    else:
        result = review(walk(args.paths), review_settings(args), progress_printer())
    try:
        for fmt, output in targets:
            if output is not None:
                Path(output).parent.mkdir(parents=True, exist_ok=True)
            write_output(_report_writer(result, fmt), output)
    except OSError as exc:
        print(f"无法写入输出文件：{exc}", file=sys.stderr)
        return 2
    if len(targets) > 1:
        print("报告：" + "、".join(str(o) for _, o in targets), file=sys.stderr)
    for d in result.documents:
        if d.error:
            print(f"{d.file}: {d.error}", file=sys.stderr)
    if targets[0][0] != "text":  # the text summary ends with the same counts
        print(_summary(result), file=sys.stderr)
    failed = (
        any(d.error for d in result.documents)
        or any(f.severity == "error" for f in result.findings)
        or result.llm.failed
    )
    return 1 if args.strict and failed else 0


REPORT_FORMATS = ["json", "md", "html", "xlsx"]
SUFFIXES = {"json": ".json", "md": ".md", "html": ".html", "xlsx": ".xlsx"}


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


def _report_writer(result: ReviewResult, fmt: str) -> Callable[[TextIO], None] | bytes:
    from auditor.render import FORMATS, write_json

    if fmt == "json":
        return lambda out: write_json(result, out)
    if fmt == "text":
        from auditor.render.text import render_text

        text = render_text(result)

        def write_text(out: TextIO) -> None:
            out.write(text)

        return write_text
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
    """A progress bar on stderr when it is a terminal (rich: file name, count, time left;
    it measures CJK names by their display width, so the line never wraps)."""
    if not sys.stderr.isatty():
        return None
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeRemainingColumn
    from rich.progress import Progress as Bar

    bar = Bar(
        TextColumn("读取"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        TextColumn("{task.description}"),
        console=Console(stderr=True),
        transient=True,
    )
    task: list[Any] = []

    def show(done: int, total: int, name: str) -> None:
        if not task:
            bar.start()
            task.append(bar.add_task("", total=total))
        bar.update(task[0], completed=done, description=Path(name).name)
        if done >= total:
            bar.stop()

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
