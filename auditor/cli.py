"""Command line: argument parsing and exit codes only; the work is in pipeline.

Exit status: 0 — done (documents that could not be read are reported in the output);
1 — with --strict, a document could not be read (review: or an error-severity finding);
2 — the command line itself was wrong, or the output could not be written.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from auditor.ingest import walk
from auditor.findings import DocumentResult
from auditor.pipeline import extract


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
    return parser


def documents_json(results: list[DocumentResult]) -> list[dict[str, Any]]:
    return [
        {
            "file": r.file,
            "forms": [f.model_dump(mode="json") for f in r.forms],
            "error": r.error,
        }
        for r in results
    ]


def write_output(text: str | bytes, output: str | None) -> None:
    if output is None:
        if isinstance(text, bytes):
            sys.stdout.buffer.write(text)
        else:
            sys.stdout.write(text)
        return
    Path(output).write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))


def progress_printer(enabled: bool):  # type: ignore[no-untyped-def]
    """A one-line progress bar on stderr when it is a terminal."""
    if not enabled or not sys.stderr.isatty():
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
    results = extract(walk(args.paths), progress_printer(True))
    text = json.dumps({"documents": documents_json(results)}, ensure_ascii=False, indent=2)
    try:
        write_output(text + "\n", args.output)
    except OSError as exc:
        print(f"无法写入输出文件：{exc}", file=sys.stderr)
        return 2
    for r in results:
        if r.error:
            print(f"{r.file}: {r.error}", file=sys.stderr)
    return 1 if args.strict and any(r.error for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
