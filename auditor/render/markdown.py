"""The review as a Markdown report: summary, each document's forms, findings by severity."""

from __future__ import annotations

import io
import re
from datetime import datetime
from typing import IO

from auditor.findings import Finding, LLMStatus, ReviewResult
from auditor.render.stream import GroupWriter, RightStripped, spool
from auditor.render.view import (
    REPORT_TITLE,
    SEVERITIES,
    SOURCE_ZH,
    DocumentGroup,
    Totals,
    by_severity,
    generated_text,
    llm_text,
    locations_text,
    profile_text,
    rule_titles,
    severity_zh,
    value_text,
)

_SPECIAL = re.compile(r"([\\`*\[\]<>|])")
_FORM_COLUMNS = ["表单类型", "表单名称", "年度", "全年预算数", "全年执行数", "执行率", "自评总分"]


def md(text: str) -> str:
    """Document text made literal: Markdown and HTML signs escaped, line breaks kept in cells."""
    return _SPECIAL.sub(r"\\\1", text).replace("\r", "").replace("\n", "<br>")


def render_markdown(result: ReviewResult, generated: datetime | None = None) -> str:
    out = io.StringIO()
    MarkdownWriter(out, result.profile, generated).write_result(result)
    return out.getvalue()


class MarkdownWriter(GroupWriter):
    """The Markdown report, written document by document: the documents go to a temporary
    file, and after the last one the summary is written, then the documents."""

    def __init__(self, out: IO[str], profile: str = "mof", generated: datetime | None = None) -> None:
        self.out, self.profile, self.generated = out, profile, generated
        self.titles = rule_titles()
        self.totals = Totals()
        self.body = spool()
        self.count = 0

    def add_group(self, group: DocumentGroup) -> None:
        self.totals.add(group)
        self.count += 1
        self.body.write("\n" + "\n".join(_document(self.count, group, self.titles)))

    def close(self, llm: LLMStatus | None = None) -> None:
        out = RightStripped(self.out)
        out.write("\n".join([f"# {REPORT_TITLE}", "", *_summary(self.totals, self.profile, llm or LLMStatus(), self.generated), ""]))
        out.copy(self.body)
        self.out.write("\n")


def _summary(totals: Totals, profile: str, llm: LLMStatus, generated: datetime | None) -> list[str]:
    found = "，".join(f"{severity_zh(s)} {totals.severities[s]}" for s in SEVERITIES)
    return [
        f"- 生成时间：{generated_text(generated)}",
        f"- 文件：{totals.documents} 个（读取失败 {totals.failed} 个）；表单：{totals.forms} 张",
        f"- 问题：{totals.findings} 条（{found}）",
        f"- 评分口径：{md(profile_text(profile))}",
        f"- 大模型：{md(llm_text(llm))}",
    ]


def _document(n: int, group: DocumentGroup, titles: dict[str, str]) -> list[str]:
    doc = group.document
    lines = [f"## {n}. {md(group.file)}", ""]
    if doc is not None and doc.error:
        lines += [f"> **读取失败：** {md(doc.error)}", ""]
    if doc is not None and doc.notes:
        lines += [f"> **读取说明：** {md('；'.join(doc.notes))}", ""]
    if group.forms:
        lines += [_row(_FORM_COLUMNS + ["问题数"]), _row(["---"] * (len(_FORM_COLUMNS) + 1))]
        for f in group.forms:
            cells = [
                f.kind,
                f.title,
                f.year,
                value_text(f.budget),
                value_text(f.executed),
                value_text(f.rate),
            ]
            lines.append(
                _row([md(c) for c in cells] + [md(value_text(f.total_score)), str(f.findings)])
            )
        lines.append("")
    elif doc is not None and not doc.error:
        lines += ["未识别到表单。", ""]
    for severity, findings in by_severity(group.findings):
        lines += [f"### {severity_zh(severity)}（{len(findings)}）", ""]
        for i, finding in enumerate(findings, 1):
            lines += _finding(i, finding, titles)
    return lines


def _finding(i: int, f: Finding, titles: dict[str, str]) -> list[str]:
    title = titles.get(f.rule)
    head = f"{i}. `{f.rule}`" + (f" {md(title)}" if title else "") + f" — {md(f.form)}"
    lines = [head, f"   - 说明：{md(f.message)}"]
    if f.expected is not None or f.actual is not None:
        lines.append(f"   - 期望：{md(f.expected or '—')}；实际：{md(f.actual or '—')}")
    places = locations_text(f)
    if places:
        lines.append(f"   - 位置：{md('；'.join(places))}")
    if f.evidence:
        lines.append("   - 证据：" + "、".join(f"「{md(e)}」" for e in f.evidence))
    if f.source != "rule":
        lines.append(f"   - 来源：{SOURCE_ZH.get(f.source, f.source)}")
    return lines + [""]


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"
