"""The review as one self-contained HTML page that an auditor opens offline and prints.

No external resources and no JavaScript: the severity filter is CSS (``:has``). Every
string from a document or a finding is escaped.
"""

from __future__ import annotations

import html
import io
from datetime import datetime
from typing import IO

from auditor.findings import Finding, LLMStatus, ReviewResult
from auditor.render.stream import GroupWriter, copy, spool
from auditor.render.view import (
    REPORT_TITLE,
    SEVERITIES,
    SOURCE_ZH,
    DocumentGroup,
    FormSummary,
    Totals,
    by_severity,
    format_zh,
    generated_text,
    llm_text,
    locations_text,
    profile_text,
    rule_titles,
    severity_counts,
    severity_zh,
    value_text,
)

_CSS = """
:root { --error: #b71c1c; --error-bg: #fdecea; --warning: #b45309; --warning-bg: #fff4e0;
  --info: #1d4ed8; --info-bg: #e8f0fe; --line: #d9dde3; --muted: #5f6b7a; }
* { box-sizing: border-box; }
body { margin: 0; padding: 24px 32px 48px; color: #1f2933; background: #f4f6f8; line-height: 1.6;
  font: 14px/1.6 "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC",
  "WenQuanYi Micro Hei", sans-serif; }
h1 { font-size: 24px; margin: 0 0 8px; }
h2 { font-size: 18px; margin: 0 0 4px; word-break: break-all; }
h3 { font-size: 15px; margin: 18px 0 8px; padding-left: 8px; border-left: 4px solid; }
.card { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 18px 22px;
  margin-bottom: 18px; box-shadow: 0 1px 3px rgba(0, 0, 0, .06); }
.meta { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; margin: 0 0 14px; }
.meta dt { color: var(--muted); } .meta dd { margin: 0; }
.stats { display: flex; flex-wrap: wrap; gap: 10px; }
.stat { min-width: 92px; padding: 6px 14px; border-radius: 6px; background: #f0f2f5; }
.stat b { display: block; font-size: 22px; line-height: 1.3; }
.stat.error { background: var(--error-bg); color: var(--error); }
.stat.warning { background: var(--warning-bg); color: var(--warning); }
.stat.info { background: var(--info-bg); color: var(--info); }
.stat.failed { background: var(--error-bg); color: var(--error); }
.filter { margin-top: 14px; color: var(--muted); }
.filter label { margin-right: 14px; cursor: pointer; }
body:has(#show-error:not(:checked)) .sev-error,
body:has(#show-warning:not(:checked)) .sev-warning,
body:has(#show-info:not(:checked)) .sev-info { display: none; }
table { width: 100%; border-collapse: collapse; margin: 10px 0 4px; font-size: 13px; }
th, td { border: 1px solid var(--line); padding: 5px 8px; text-align: left; vertical-align: top; }
th { background: #eef1f5; font-weight: 600; white-space: nowrap; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.zero { color: #a0a8b3; }
td.n-error { color: var(--error); font-weight: 700; }
td.n-warning { color: var(--warning); font-weight: 700; }
td.n-info { color: var(--info); font-weight: 700; }
td.failed { color: var(--error); font-weight: 600; }
a { color: inherit; }
.doc-meta, .muted { color: var(--muted); margin: 0; }
.doc-error { margin: 12px 0; padding: 12px 16px; border: 2px solid var(--error); border-radius: 6px;
  background: var(--error-bg); color: var(--error); }
.clean { margin: 12px 0 0; color: #2e7d32; }
h3.sev-error { border-color: var(--error); color: var(--error); }
h3.sev-warning { border-color: var(--warning); color: var(--warning); }
h3.sev-info { border-color: var(--info); color: var(--info); }
.finding { border: 1px solid var(--line); border-left: 5px solid; border-radius: 6px;
  padding: 10px 14px; margin: 0 0 10px; background: #fff; break-inside: avoid; }
.finding.sev-error { border-left-color: var(--error); }
.finding.sev-warning { border-left-color: var(--warning); }
.finding.sev-info { border-left-color: var(--info); }
.finding header { display: flex; flex-wrap: wrap; align-items: baseline; gap: 8px; }
.badge { padding: 0 8px; border-radius: 10px; font-size: 12px; color: #fff; font-weight: 600; }
.sev-error .badge { background: var(--error); }
.sev-warning .badge { background: var(--warning); }
.sev-info .badge { background: var(--info); }
.rule-title { font-weight: 700; }
code { font: 12px/1.4 "DejaVu Sans Mono", Consolas, monospace; color: var(--muted); }
.src { font-size: 12px; border: 1px solid var(--muted); border-radius: 4px; padding: 0 4px; }
.msg { margin: 6px 0; font-size: 15px; }
.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; margin: 0; }
.facts dt { color: var(--muted); } .facts dd { margin: 0; word-break: break-all; }
.facts .actual { font-weight: 700; }
mark { background: #fff59d; padding: 0 3px; border-radius: 3px; margin-right: 4px;
  box-decoration-break: clone; -webkit-box-decoration-break: clone; }
footer { color: var(--muted); font-size: 12px; margin-top: 24px; }
@page { size: A4; margin: 14mm 12mm; }
@media print {
  body { background: #fff; padding: 0 1.5mm; font-size: 10.5pt;
    -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  .card { box-shadow: none; border: none; padding: 0; margin: 0 0 12px; }
  .filter { display: none; }
  section.doc { break-before: page; }
  table { font-size: 9pt; }
  th, td { padding: 3px 5px; }
  thead { display: table-header-group; }
  tr, .finding, .doc-error { break-inside: avoid; }
  h3 { break-after: avoid; }
}
"""


_FOOTER = "<footer>本报告由 auditor 自动生成。表中数字均为表单原文所填，未经改算；核对时请以原件为准。</footer>"


def render_html(result: ReviewResult, generated: datetime | None = None) -> str:
    out = io.StringIO()
    HtmlWriter(out, result.profile, generated).write_result(result)
    return out.getvalue()


class HtmlWriter(GroupWriter):
    """The HTML page, written document by document: the overview rows and the documents'
    sections go to temporary files; after the last document the header with the summary
    numbers is written, then the overview, then the sections."""

    def __init__(self, out: IO[str], profile: str = "mof", generated: datetime | None = None) -> None:
        self.out, self.profile, self.generated = out, profile, generated
        self.titles = rule_titles()
        self.totals = Totals()
        self.rows, self.sections = spool(), spool()
        self.count = 0

    def add_group(self, group: DocumentGroup) -> None:
        self.totals.add(group)
        self.count += 1
        self.rows.write(_overview_row(self.count, group))
        self.sections.write("\n" + _document(self.count, group, self.titles))

    def close(self, llm: LLMStatus | None = None) -> None:
        out = self.out
        out.write(
            '<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{REPORT_TITLE}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
        )
        out.write(_header(self.totals, self.profile, llm or LLMStatus(), self.generated) + "\n")
        out.write(f'<section class="card"><h2>文件一览</h2><table><thead><tr>{_OVERVIEW_HEAD}</tr></thead><tbody>')
        copy(self.rows, out)
        out.write("</tbody></table></section>")
        copy(self.sections, out)
        out.write("\n" + _FOOTER + "\n</body>\n</html>\n")


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _header(totals: Totals, profile: str, llm: LLMStatus, generated: datetime | None) -> str:
    counts = totals.severities
    stats = [_stat("", "文件", totals.documents), _stat("", "表单", totals.forms)]
    if totals.failed:
        stats.append(_stat("failed", "读取失败", totals.failed))
    stats += [_stat(s, severity_zh(s), counts[s]) for s in SEVERITIES]
    toggles = "".join(
        f'<label><input type="checkbox" id="show-{s}" checked> {severity_zh(s)}</label>'
        for s in SEVERITIES
    )
    return (
        f'<header class="card"><h1>{REPORT_TITLE}</h1><dl class="meta">'
        f"<dt>生成时间</dt><dd>{_e(generated_text(generated))}</dd>"
        f"<dt>评分口径</dt><dd>{_e(profile_text(profile))}</dd>"
        f"<dt>大模型</dt><dd>{_e(llm_text(llm))}</dd></dl>"
        f'<div class="stats">{"".join(stats)}</div>'
        f'<div class="filter">显示问题：{toggles}</div></header>'
    )


def _stat(css: str, label: str, number: int) -> str:
    return f'<div class="stat {css}"><b>{number}</b>{label}</div>'


def _count_cells(counts: dict[str, int]) -> str:
    return "".join(
        f'<td class="num {"n-" + s if counts[s] else "zero"}">{counts[s]}</td>' for s in SEVERITIES
    )


_OVERVIEW_HEAD = (
    "".join(f"<th>{h}</th>" for h in ["文件", "格式", "页数", "表单数"])
    + "".join(f"<th>{severity_zh(s)}</th>" for s in SEVERITIES)
    + "<th>状态</th>"
)


def _overview_row(n: int, g: DocumentGroup) -> str:
    doc = g.document
    status = '<td class="failed">读取失败</td>' if doc and doc.error else "<td>已读取</td>"
    fmt = format_zh(doc.format) if doc else ""
    pages = doc.pages if doc and doc.pages is not None else ""
    return (
        f'<tr><td><a href="#doc-{n}">{_e(g.file)}</a></td><td>{_e(fmt)}</td><td class="num">{pages}</td>'
        f'<td class="num">{len(g.forms)}</td>{_count_cells(severity_counts(g.findings))}{status}</tr>'
    )


def _document(n: int, group: DocumentGroup, titles: dict[str, str]) -> str:
    doc = group.document
    parts = [f'<section class="card doc" id="doc-{n}"><h2>{n}. {_e(group.file)}</h2>']
    if doc is None:
        parts.append('<p class="doc-meta">（此文件不在本次读取的文件之列，仅有问题记录）</p>')
    else:
        forms = "" if doc.error else f"{len(doc.forms)} 张表单"
        meta = [format_zh(doc.format), f"{doc.pages} 页" if doc.pages else "", forms]
        parts.append(f'<p class="doc-meta">{_e(" · ".join(m for m in meta if m))}</p>')
    if doc is not None and doc.error:
        parts.append(f'<div class="doc-error"><strong>读取失败：</strong>{_e(doc.error)}</div>')
    if doc is not None and doc.notes:
        parts.append(f'<p class="doc-meta"><strong>读取说明：</strong>{_e("；".join(doc.notes))}</p>')
    if group.forms:
        parts.append(_forms_table(group.forms))
    if not group.findings and doc is not None and not doc.error:
        parts.append('<p class="clean">未发现问题。</p>')
    for severity, findings in by_severity(group.findings):
        parts.append(f'<h3 class="sev-{severity}">{severity_zh(severity)}（{len(findings)}）</h3>')
        parts += [_finding(f, titles) for f in findings]
    return "".join(parts) + "</section>"


def _forms_table(forms: list[FormSummary]) -> str:
    head = "".join(
        f"<th>{h}</th>"
        for h in ["表单类型", "表单名称", "年度", "全年预算数", "全年执行数", "执行率", "自评总分"]
    )
    head += "".join(f"<th>{severity_zh(s)}</th>" for s in SEVERITIES)
    rows = []
    for f in forms:
        figures = [f.budget, f.executed, f.rate, f.total_score]
        rows.append(
            f"<tr><td>{_e(f.kind)}</td><td>{_e(f.title)}</td><td>{_e(f.year)}</td>"
            + "".join(f'<td class="num">{_e(value_text(v))}</td>' for v in figures)
            + _count_cells(f.counts)
            + "</tr>"
        )
    return (
        f'<table class="forms"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'
    )


def _finding(f: Finding, titles: dict[str, str]) -> str:
    title = titles.get(f.rule, f.rule)
    code = f" <code>{_e(f.rule)}</code>" if title != f.rule else ""
    source = (
        f'<span class="src">{_e(SOURCE_ZH.get(f.source, f.source))}</span>'
        if f.source != "rule"
        else ""
    )
    facts = [("表单", _e(f.form)), ("文件", _e(f.file))]
    if f.expected is not None:
        facts.append(("期望", _e(f.expected)))
    if f.actual is not None:
        facts.append(("实际", f'<span class="actual">{_e(f.actual)}</span>'))
    places = locations_text(f)
    if places:
        facts.append(("位置", "；".join(_e(p) for p in places)))
    if f.evidence:
        facts.append(("证据", "".join(f"<mark>{_e(e)}</mark>" for e in f.evidence)))
    rows = "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in facts)
    return (
        f'<article class="finding sev-{_e(f.severity)}"><header><span class="badge">{_e(severity_zh(f.severity))}</span>'
        f'<span class="rule-title">{_e(title)}</span>{code}{source}</header>'
        f'<p class="msg">{_e(f.message)}</p><dl class="facts">{rows}</dl></article>'
    )
