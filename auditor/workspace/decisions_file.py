"""Decisions from a spreadsheet: the 问题清单 sheet of the summary workbook (or a CSV with
the same headers) as a reviewer filled it in. Only rows whose decision, reason or comment
differ from the finding's current decision are recorded; a bad row is reported by its
line number and the others are still recorded."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl import load_workbook

from auditor.workspace.db import WorkspaceError
from auditor.workspace.queries import finding_views
from auditor.workspace.store import Workspace
from auditor.workspace.summary import COMMENT, DECISION, FINDINGS_SHEET, ID, REASON, REVIEWER


@dataclass
class FileDecisions:
    recorded: int = 0
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)


def read_rows(path: Path) -> list[dict[str, str]]:
    """The rows of the file as {header: text}; CSV (UTF-8, with or without BOM) or XLSX."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise WorkspaceError(f"无法打开决定文件 {path}：{exc.strerror or exc}") from exc
    if data.startswith(b"PK"):
        try:
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as exc:
            raise WorkspaceError(f"{path} 不是有效的 Excel 文件（{exc.__class__.__name__}），请用汇总表另存为 .xlsx 或 .csv") from exc
        sheet = book[FINDINGS_SHEET] if FINDINGS_SHEET in book.sheetnames else book.worksheets[0]
        values = [["" if c is None else str(c).strip() for c in row] for row in sheet.iter_rows(values_only=True)]
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = data.decode("gb18030", errors="replace")
        values = [[c.strip() for c in row] for row in csv.reader(io.StringIO(text))]
    if not values or ID not in values[0] or DECISION not in values[0]:
        raise WorkspaceError(f"{path} 缺少“{ID}”和“{DECISION}”两列：请使用 auditor summary 生成的汇总表（{FINDINGS_SHEET}）填写决定")
    header = values[0]
    return [dict(zip(header, row)) for row in values[1:]]


def apply_file(workspace: Workspace, batch_id: int, path: Path, reviewer: str | None) -> FileDecisions:
    current = {v.id: v for v in finding_views(workspace, batch_id)}
    outcome = FileDecisions()
    for line, row in enumerate(read_rows(path), 2):
        decision = row.get(DECISION, "")
        if not decision:
            continue
        raw_id = row.get(ID, "")
        try:
            finding_id = int(float(raw_id))
        except ValueError:
            outcome.errors.append(f"第{line}行：问题编号“{raw_id}”不是数字")
            continue
        reason, comment = row.get(REASON) or None, row.get(COMMENT) or None
        view = current.get(finding_id)
        if view is not None and (view.decision, view.reason, view.comment) == (decision, reason, comment):
            outcome.unchanged += 1
            continue
        who = row.get(REVIEWER) or reviewer or ""
        try:
            workspace.decide(batch_id, finding_id, decision, who, reason, comment)
        except WorkspaceError as exc:
            outcome.errors.append(f"第{line}行：{exc}")
            continue
        outcome.recorded += 1
    return outcome
