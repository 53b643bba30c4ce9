"""What every report shows, in the words a reader sees: form summaries, places, rule titles.

Renderers only present a ``ReviewResult``: the figures here are the ones the forms state
(their text as written); nothing is recomputed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime

from auditor.checks.measure import lines, total_row
from auditor.findings import (
    SEVERITY_ORDER,
    SEVERITY_ZH,
    DocumentResult,
    Finding,
    LLMStatus,
    ReviewResult,
)
from auditor.forms import Form
from auditor.records import Location, Value
from auditor.settings import PROFILES

SEVERITIES: tuple[str, ...] = tuple(sorted(SEVERITY_ORDER, key=SEVERITY_ORDER.__getitem__))

FORM_KIND_ZH: dict[str, str] = {
    "project_self_eval": "项目支出绩效自评表",
    "dept_self_eval": "部门整体支出绩效自评表",
    "dept_targets": "部门整体支出绩效目标表",
    "self_eval_report": "绩效自评报告（无表格）",
    "project_targets": "项目支出绩效目标表",
}

SOURCE_ZH: dict[str, str] = {"rule": "规则", "llm": "大模型"}
FORMAT_ZH: dict[str, str] = {"pdf": "PDF", "docx": "Word", "text": "文本"}

REPORT_TITLE = "绩效自评表审核报告"


@dataclass(frozen=True)
class FormSummary:
    """One form's stated figures and how many findings it drew, by severity."""

    file: str
    kind: str  # Chinese name of the form type
    title: str
    year: str
    initial_budget: Value | None
    budget: Value | None
    executed: Value | None
    rate: Value | None
    budget_score: Value | None
    indicators: int
    total_score: Value | None
    counts: dict[str, int]

    @property
    def findings(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class DocumentGroup:
    """A file with its forms and findings; ``document`` is None for findings of an unlisted file."""

    file: str
    document: DocumentResult | None
    forms: list[FormSummary]
    findings: list[Finding]


def severity_counts(findings: list[Finding]) -> dict[str, int]:
    counted: Counter[str] = Counter(f.severity for f in findings)
    return {s: counted.get(s, 0) for s in SEVERITIES}


def by_severity(findings: list[Finding]) -> list[tuple[str, list[Finding]]]:
    """Findings grouped 错误 → 警告 → 提示, empty groups left out, order kept inside a group."""
    groups = [(s, [f for f in findings if f.severity == s]) for s in SEVERITIES]
    return [(s, fs) for s, fs in groups if fs]


def summarize_form(file: str, form: Form, findings: list[Finding]) -> FormSummary:
    funds = total_row(form)
    budget = (
        funds.budget
        if funds
        else getattr(form, "total_amount", None) or getattr(form, "amount", None)
    )
    return FormSummary(
        file=file,
        kind=FORM_KIND_ZH.get(form.kind, form.kind),
        title=form.title,
        year=form.year or "",
        initial_budget=funds.initial_budget if funds else None,
        budget=budget,
        executed=funds.executed if funds else None,
        rate=funds.rate if funds else None,
        budget_score=funds.score if funds else None,
        indicators=len(lines(form)),
        total_score=getattr(form, "total_score", None),
        counts=severity_counts([f for f in findings if f.form == form.title]),
    )


def document_group(document: DocumentResult | None, findings: list[Finding], file: str | None = None) -> DocumentGroup:
    """One document (None: findings of a file not among the documents) with its findings:
    what the streaming report writers take, one at a time."""
    name = document.file if document is not None else file or (findings[0].file if findings else "")
    forms = [summarize_form(name, form, findings) for form in document.forms] if document is not None else []
    return DocumentGroup(name, document, forms, findings)


def iter_groups(result: ReviewResult) -> Iterator[DocumentGroup]:
    """Each document in run order with its findings; findings naming another file come last."""
    by_file: dict[str, list[Finding]] = {}
    for f in result.findings:
        by_file.setdefault(f.file, []).append(f)
    listed = set()
    for doc in result.documents:
        listed.add(doc.file)
        yield document_group(doc, by_file.get(doc.file, []))
    for file, found in by_file.items():
        if file not in listed:
            yield document_group(None, found, file)


def group_by_document(result: ReviewResult) -> list[DocumentGroup]:
    """Each document in run order with its findings; findings naming another file come last."""
    return list(iter_groups(result))


@dataclass
class Totals:
    """The summary numbers of a report, counted as the documents pass (nothing kept)."""

    documents: int = 0
    failed: int = 0
    forms: int = 0
    severities: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SEVERITIES, 0))

    def add(self, group: DocumentGroup) -> None:
        if group.document is not None:
            self.documents += 1
            self.failed += 1 if group.document.error else 0
            self.forms += len(group.document.forms)
        for f in group.findings:
            self.severities[f.severity] = self.severities.get(f.severity, 0) + 1

    @property
    def findings(self) -> int:
        return sum(self.severities.values())


def form_summaries(result: ReviewResult) -> list[FormSummary]:
    return [form for group in group_by_document(result) for form in group.forms]


def value_text(value: Value | None) -> str:
    return value.text if value is not None else ""


def location_text(loc: Location) -> str:
    """第7页 表5 第6行 全年执行数 — whatever of the place is known, as a person counts."""
    parts = []
    if loc.sheet and loc.cell:
        parts.append(f"{loc.sheet}!{loc.cell}")
    if loc.page is not None:
        parts.append(f"第{loc.page}页")
    if loc.table is not None:
        parts.append(f"表{loc.table}")
    if loc.row is not None:
        parts.append(f"第{loc.row}行")
    if loc.column:
        parts.append(loc.column)
    elif loc.col is not None:
        parts.append(f"第{loc.col}列")
    if loc.paragraph is not None:
        parts.append(f"第{loc.paragraph}段")
    return " ".join(parts)


def locations_text(finding: Finding) -> list[str]:
    """The finding's first place, then its further places; unknown places left out."""
    texts = [location_text(loc) for loc in (finding.location, *finding.locations)]
    return list(dict.fromkeys(t for t in texts if t))


def rule_titles() -> dict[str, str]:
    """Chinese rule titles from the registry, keyed by code (LLM-only codes added)."""
    from auditor.checks import load_rules

    titles = {code: rule.title for code, rule in load_rules().items()}
    titles.setdefault("narrative.contradiction", "叙述与表格相互矛盾（大模型）")
    return titles


def profile_text(profile: str) -> str:
    known = PROFILES.get(profile)
    return f"{profile}（{known.title}）" if known else profile


def llm_text(llm: LLMStatus) -> str:
    """One sentence on the language model: skipped (and why), failed (and what to check),
    or what it did. Never a key."""
    if llm.failed:
        return llm.note
    if not llm.enabled:
        return llm.note
    parts = [
        f"已启用（模型 {llm.model or '未知'}"
        + (f"，提示词版本 {llm.prompt_version}）" if llm.prompt_version else "）")
    ]
    parts.append(
        f"请求 {llm.requests} 次（其中缓存 {llm.cached} 次），令牌 {llm.prompt_tokens + llm.completion_tokens} 个"
    )
    if llm.dropped_unverified:
        parts.append(f"{llm.dropped_unverified} 条引文未在原文中核实，已舍弃")
    if llm.fallback_forms:
        parts.append("由大模型辅助读取的表单：" + "、".join(llm.fallback_forms))
    if llm.note != LLMStatus.model_fields["note"].default:
        parts.append(llm.note)
    return "；".join(parts)


def generated_text(when: datetime | None) -> str:
    return (when or datetime.now()).strftime("%Y-%m-%d %H:%M")


def format_zh(fmt: str | None) -> str:
    """A document's format as a user reads it (文本, not TEXT)."""
    return FORMAT_ZH.get(fmt or "", (fmt or "").upper())


def severity_zh(severity: str) -> str:
    return SEVERITY_ZH.get(severity, severity)
