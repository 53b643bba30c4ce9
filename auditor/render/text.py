"""The review as plain text for a terminal: one line per file, then its findings by
severity, then a summary. What ``auditor review`` prints when stdout is a terminal and
no ``--format`` was asked for."""

from __future__ import annotations

import io
from pathlib import Path
from typing import IO

from auditor.findings import Finding, LLMStatus, ReviewResult
from auditor.render.stream import GroupWriter, copy, spool
from auditor.render.view import (
    SEVERITIES,
    DocumentGroup,
    Totals,
    by_severity,
    llm_text,
    locations_text,
    profile_text,
    rule_titles,
    severity_counts,
    severity_zh,
)


def render_text(result: ReviewResult) -> str:
    out = io.StringIO()
    TextWriter(out).write_result(result)
    return out.getvalue()


class TextWriter(GroupWriter):
    """The terminal summary, document by document; written out when the batch is done
    (so that the lines do not cross the progress bar)."""

    def __init__(self, out: IO[str], profile: str = "mof") -> None:
        self.out, self.profile = out, profile
        self.titles = rule_titles()
        self.totals = Totals()
        self.body = spool()

    def add_group(self, group: DocumentGroup) -> None:
        self.totals.add(group)
        doc = group.document
        name = Path(group.file).name
        if doc is not None and doc.error:
            self.body.write(f"✗ {name}：无法读取：{doc.error}\n")
            return
        counts = severity_counts(group.findings)
        found = "，".join(f"{severity_zh(s)} {counts[s]}" for s in SEVERITIES if counts[s])
        lines = [f"■ {name}：{len(group.forms)} 张表，" + (f"问题 {found}" if found else "未发现问题")]
        for severity, findings in by_severity(group.findings):
            for f in findings:
                lines += _finding(severity, f, self.titles)
        lines.append("")
        self.body.write("\n".join(lines) + "\n")

    def close(self, llm: LLMStatus | None = None) -> None:
        copy(self.body, self.out)
        totals = self.totals
        lines = [
            f"共 {totals.documents} 个文件（{totals.failed} 个无法读取），问题 {totals.findings} 条："
            + "，".join(f"{severity_zh(s)} {totals.severities[s]}" for s in SEVERITIES),
            f"评分口径：{profile_text(self.profile)}",
            f"大模型：{llm_text(llm or LLMStatus())}",
            "完整报告：auditor review 路径 --format html,xlsx -o 文件夹/",
        ]
        self.out.write("\n".join(lines) + "\n")


def _finding(severity: str, f: Finding, titles: dict[str, str]) -> list[str]:
    title = titles.get(f.rule, f.rule)
    out = [f"  [{severity_zh(severity)}] {f.form}｜{title}：{f.message}"]
    if f.expected is not None or f.actual is not None:
        out.append(f"      期望 {f.expected or '—'}，实际 {f.actual or '—'}")
    places = locations_text(f)
    if places:
        out.append(f"      位置：{'；'.join(places)}")
    return out
