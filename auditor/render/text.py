"""The review as plain text for a terminal: one line per file, then its findings by
severity, then a summary. What ``auditor review`` prints when stdout is a terminal and
no ``--format`` was asked for."""

from __future__ import annotations

from pathlib import Path

from auditor.findings import Finding, ReviewResult
from auditor.render.view import (
    SEVERITIES,
    by_severity,
    group_by_document,
    llm_text,
    locations_text,
    profile_text,
    rule_titles,
    severity_counts,
    severity_zh,
)


def render_text(result: ReviewResult) -> str:
    titles = rule_titles()
    lines: list[str] = []
    for group in group_by_document(result):
        doc = group.document
        name = Path(group.file).name
        if doc is not None and doc.error:
            lines.append(f"✗ {name}：无法读取：{doc.error}")
            continue
        counts = severity_counts(group.findings)
        found = "，".join(f"{severity_zh(s)} {counts[s]}" for s in SEVERITIES if counts[s])
        lines.append(f"■ {name}：{len(group.forms)} 张表，" + (f"问题 {found}" if found else "未发现问题"))
        for severity, findings in by_severity(group.findings):
            for f in findings:
                lines += _finding(severity, f, titles)
        lines.append("")
    counts = severity_counts(result.findings)
    unread = sum(1 for d in result.documents if d.error)
    lines += [
        f"共 {len(result.documents)} 个文件（{unread} 个无法读取），问题 {len(result.findings)} 条："
        + "，".join(f"{severity_zh(s)} {counts[s]}" for s in SEVERITIES),
        f"评分口径：{profile_text(result.profile)}",
        f"大模型：{llm_text(result.llm)}",
        "完整报告：auditor review 路径 --format html,xlsx -o 文件夹/",
    ]
    return "\n".join(lines) + "\n"


def _finding(severity: str, f: Finding, titles: dict[str, str]) -> list[str]:
    title = titles.get(f.rule, f.rule)
    out = [f"  [{severity_zh(severity)}] {f.form}｜{title}：{f.message}"]
    if f.expected is not None or f.actual is not None:
        out.append(f"      期望 {f.expected or '—'}，实际 {f.actual or '—'}")
    places = locations_text(f)
    if places:
        out.append(f"      位置：{'；'.join(places)}")
    return out
