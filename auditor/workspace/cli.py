"""The workspace's commands: ``review --db --batch`` (via ``run_review_into_batch``),
``batches``, ``decide``, ``compare``, ``opinion`` and ``summary``. Argument parsing and
messages only; the work is in the other modules of this package."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the database layer is imported when a command runs, not when parsing
    from auditor.findings import DocumentResult
    from auditor.pipeline import DocumentReview
    from auditor.workspace.store import Workspace


def add_db_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--db", help="审核工作库：SQLite 文件路径或数据库 URL（默认读取 AUDITOR_DATABASE_URL，否则用户数据目录下的 workspace.db）")


def add_review_options(p: argparse.ArgumentParser) -> None:
    """``review`` stores its results in the workspace when given ``--batch``."""
    add_db_option(p)
    p.add_argument("--batch", help="把审核结果保存到工作库的这个批次（已保存的文件跳过，中断后可重新运行继续）")


def add_workspace_parsers(sub: Any) -> None:
    p = sub.add_parser("batches", help="列出工作库中的审核批次")
    add_db_option(p)
    p.set_defaults(run=_guard(_batches))

    p = sub.add_parser("decide", help="对问题作出决定（确认 / 驳回 / 待核实），或从填好的汇总表导入决定")
    add_db_option(p)
    p.add_argument("--batch", required=True, help="批次名称")
    p.add_argument("--finding", type=int, help="问题编号（见 --list 或汇总表的“问题编号”列）")
    p.add_argument("--decision", choices=["确认", "驳回", "待核实"], help="决定")
    p.add_argument("--reason", help="驳回理由（驳回时必填）")
    p.add_argument("--comment", help="备注")
    p.add_argument("--reviewer", help="审核人姓名")
    p.add_argument("--from", dest="from_file", help="从汇总表（.xlsx）或同样列名的 .csv 导入决定")
    p.add_argument("--list", action="store_true", help="列出本批次的问题及其当前决定")
    p.set_defaults(run=_guard(_decide))

    p = sub.add_parser("compare", help="复核：更正后的表与上一版本、与上年同一项目的对比")
    add_db_option(p)
    p.add_argument("--batch", required=True, help="批次名称")
    p.set_defaults(run=_guard(_compare))

    p = sub.add_parser("opinion", help="生成某单位的审核意见书（.docx）")
    add_db_option(p)
    p.add_argument("--batch", required=True, help="批次名称")
    p.add_argument("--unit", required=True, help="单位名称（实施单位或部门名称）")
    p.add_argument("--include-undecided", action="store_true", help="未作决定的问题也列入（作为待核实事项）")
    p.add_argument("--deadline", help="整改期限，如 2024年6月30日（默认留空待填）")
    p.add_argument("-o", "--output", required=True, help="输出的 .docx 文件")
    p.set_defaults(run=_guard(_opinion))

    p = sub.add_parser("summary", help="生成批次汇总表（.xlsx），含问题编号和决定列")
    add_db_option(p)
    p.add_argument("--batch", required=True, help="批次名称")
    p.add_argument("-o", "--output", required=True, help="输出的 .xlsx 文件")
    p.set_defaults(run=_guard(_summary))


def _guard(command: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """Workspace errors become a Chinese message and exit status 2."""

    def run(args: argparse.Namespace) -> int:
        from auditor.workspace.db import WorkspaceError

        try:
            return command(args)
        except WorkspaceError as exc:
            print(str(exc), file=sys.stderr)
            return 2

    return run


def _open(args: argparse.Namespace) -> Workspace:
    from auditor.workspace.store import Workspace

    return Workspace.open(args.db)


def run_review_into_batch(
    args: argparse.Namespace,
    paths: list[Path],
    settings: Any,
    progress: Any,
    jobs: int = 1,
    limits: Any = None,
    report: Callable[[Iterable[DocumentReview], str], None] | None = None,
) -> int:
    """``review --batch``: read the files through the worker pool (``jobs``, ``limits``)
    and store each document as it is reviewed; then ``report`` is given the batch as it
    now stands (current versions, batch.* findings included), one document at a time,
    and the batch's profile. Returns the exit status (0, or 2 / 130 with a message)."""
    from auditor.workspace.db import WorkspaceError
    from auditor.workspace.review import batch_profile, batch_reviews, review_into_batch

    try:
        workspace = _open(args)
        stored = 0

        def count(_: DocumentResult) -> None:
            nonlocal stored
            stored += 1

        try:
            pages = getattr(progress, "pages", None)  # the terminal's bar shows the OCR's pages
            run = review_into_batch(workspace, args.batch, paths, settings, progress, count, jobs, limits, pages)
        except KeyboardInterrupt:
            print(f"已中断：已完成的 {stored} 个文件已保存到批次“{args.batch}”，再次运行同一命令即可继续", file=sys.stderr)
            return 130
        if run.skipped:
            print(f"{len(run.skipped)} 个文件已在批次“{args.batch}”中（内容相同），未重复审核", file=sys.stderr)
        for doc in run.stored:
            if doc.error:
                print(f"{doc.file}: {doc.error}", file=sys.stderr)
        if report is not None:
            batch_id = workspace.batch(args.batch).id
            report(batch_reviews(workspace, batch_id), batch_profile(workspace, batch_id))
        workspace.close()
        return 0
    except WorkspaceError as exc:
        print(str(exc), file=sys.stderr)
        return 2


def _batches(args: argparse.Namespace) -> int:
    from auditor.workspace.queries import batch_infos

    workspace = _open(args)
    infos = batch_infos(workspace)
    if not infos:
        print("工作库中还没有批次：用 auditor review 文件… --batch 名称 建立")
    for b in infos:
        decided = "，".join(f"{k} {v}" for k, v in sorted(b.decisions.items()))
        print(f"{b.name}\t{b.created_at:%Y-%m-%d %H:%M}\t{b.profile}\t文件 {b.documents}\t表格 {b.forms}\t问题 {b.findings}\t{decided}")
    return 0


def _decide(args: argparse.Namespace) -> int:
    from auditor.workspace.decisions_file import apply_file
    from auditor.workspace.queries import finding_views

    workspace = _open(args)
    batch = workspace.batch(args.batch)
    if args.list:
        for v in finding_views(workspace, batch.id):
            print(f"{v.id}\t{v.decision or '未决定'}\t{v.status}\t{v.finding.form}\t{v.finding.rule}\t{v.finding.message}")
        return 0
    if args.from_file:
        outcome = apply_file(workspace, batch.id, Path(args.from_file), args.reviewer)
        for error in outcome.errors or []:
            print(error, file=sys.stderr)
        print(f"已记录 {outcome.recorded} 个决定，{outcome.unchanged} 个与当前决定相同未重复记录", file=sys.stderr)
        return 1 if outcome.errors else 0
    if args.finding is None or args.decision is None:
        print("请用 --finding 编号 --decision 决定 --reviewer 姓名 记录一个决定，或用 --from 文件 导入", file=sys.stderr)
        return 2
    workspace.decide(batch.id, args.finding, args.decision, args.reviewer or "", args.reason, args.comment)
    print(f"已记录：问题 {args.finding} {args.decision}", file=sys.stderr)
    return 0


def _compare(args: argparse.Namespace) -> int:
    from auditor.workspace.rereview import compare_versions, compare_years

    workspace = _open(args)
    batch = workspace.batch(args.batch)
    versions, years = compare_versions(workspace, batch.id), compare_years(workspace, batch.id)
    if not versions and not years:
        print("本批次没有更正后的新版本，也没有可对比的上年同一项目")
    for c in versions:
        if not (c.fixed or c.persisting or c.new or c.changed_cells):
            continue  # the same form again, unchanged and clean
        print(f"《{c.title}》第{c.version}版（{c.file}，上一版 {c.previous_file}）：已整改 {len(c.fixed)}，仍存在 {len(c.persisting)}，新出现 {len(c.new)}")
        for f in c.fixed:
            print(f"  已整改\t{f.rule}\t{f.message}")
        for v in c.persisting:
            print(f"  仍存在\t{v.finding.rule}\t{v.decision or '未决定'}\t{v.finding.message}")
        for v in c.new:
            print(f"  新出现\t{v.finding.rule}\t{v.finding.message}")
        for where, before, after in c.changed_cells:
            print(f"  改动\t{where}\t{before or '（空）'} → {after or '（空）'}")
    for y in years:
        print(f"《{y.title}》{y.year}年 对比 {y.earlier_year}年（批次 {y.earlier_batch}）")
        for line in y.lines:
            print(f"  {line.indicator}\t{line.earlier}\t→\t{line.now}\t{'、'.join(line.notes)}")
    return 0


def _write(path: str, data: bytes) -> int:
    try:
        Path(path).write_bytes(data)
    except OSError as exc:
        print(f"无法写入输出文件：{exc}", file=sys.stderr)
        return 2
    return 0


def _opinion(args: argparse.Namespace) -> int:
    from auditor.workspace.opinion import build_opinion

    workspace = _open(args)
    batch = workspace.batch(args.batch)
    return _write(args.output, build_opinion(workspace, batch.id, args.unit, args.include_undecided, args.deadline))


def _summary(args: argparse.Namespace) -> int:
    from auditor.workspace.summary import render_summary

    workspace = _open(args)
    batch = workspace.batch(args.batch)
    return _write(args.output, render_summary(workspace, batch.id))
