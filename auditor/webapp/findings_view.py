"""The findings table: rows for display, filters, and labels for picking one finding."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
from pandas.io.formats.style import Styler

from auditor.findings import SEVERITY_ORDER, SEVERITY_ZH, Finding
from auditor.render.view import location_text

SEVERITY_BACKGROUND: dict[str, str] = {"错误": "#fde0e0", "警告": "#fff1dd", "提示": "#e3f0fb"}
FAMILY_ZH: dict[str, str] = {
    "funds": "资金与预算执行",
    "score": "分值与得分",
    "indicator": "指标设置与填报",
    "dept": "部门整体",
    "narrative": "叙述与表格",
}


def rule_family(code: str) -> str:
    """funds.executed_exceeds_budget → funds"""
    return code.split(".", 1)[0]


def family_label(family: str) -> str:
    return f"{FAMILY_ZH[family]}（{family}）" if family in FAMILY_ZH else family


@dataclass(frozen=True)
class FindingFilter:
    """Empty selections mean 'all'; ``text`` searches message, evidence and expected/actual."""

    severities: tuple[str, ...] = ()
    families: tuple[str, ...] = ()
    files: tuple[str, ...] = ()
    forms: tuple[str, ...] = ()
    text: str = ""

    def keeps(self, finding: Finding) -> bool:
        return (
            _allowed(finding.severity, self.severities)
            and _allowed(rule_family(finding.rule), self.families)
            and _allowed(finding.file, self.files)
            and _allowed(finding.form, self.forms)
            and _matches(finding, self.text)
        )


def _allowed(value: str, chosen: tuple[str, ...]) -> bool:
    return not chosen or value in chosen


def _matches(finding: Finding, text: str) -> bool:
    needle = text.strip().lower()
    if not needle:
        return True
    haystack = [
        finding.message,
        finding.rule,
        finding.expected or "",
        finding.actual or "",
        *finding.evidence,
    ]
    return any(needle in part.lower() for part in haystack)


def ordered(findings: list[Finding]) -> list[int]:
    """Indices of the findings, errors first, otherwise in the order the rules found them."""
    return sorted(range(len(findings)), key=lambda i: SEVERITY_ORDER.get(findings[i].severity, 9))


def filter_findings(findings: list[Finding], chosen: FindingFilter) -> list[int]:
    """Indices (into ``findings``) of the findings the filter keeps, errors first."""
    return [i for i in ordered(findings) if chosen.keeps(findings[i])]


def severity_css(text: str) -> str:
    """The 严重程度 cell's colour, so the eye finds errors in a long table."""
    colour = SEVERITY_BACKGROUND.get(text)
    return f"background-color: {colour}" if colour else ""


FINDING_HEADERS = ("严重程度", "表格", "说明", "期望", "实际", "位置", "规则", "文件")


def finding_row(finding: Finding) -> dict[str, str]:
    values = (
        SEVERITY_ZH.get(finding.severity, finding.severity),
        finding.form,
        finding.message,
        finding.expected or "",
        finding.actual or "",
        location_text(finding.location),
        finding.rule,
        finding.file,
    )
    return dict(zip(FINDING_HEADERS, values))


def findings_table(findings: list[Finding], indices: list[int]) -> Styler:
    """The findings at ``indices`` as a table, the 严重程度 cells coloured."""
    frame = pd.DataFrame([finding_row(findings[i]) for i in indices], columns=list(FINDING_HEADERS))
    return frame.style.map(severity_css, subset=["严重程度"])


def finding_label(finding: Finding) -> str:
    """One line for a picker: 【错误】表格 · 说明"""
    message = finding.message if len(finding.message) <= 60 else finding.message[:59] + "…"
    return f"【{SEVERITY_ZH.get(finding.severity, finding.severity)}】{finding.form} · {message}"


@dataclass(frozen=True)
class FilterChoices:
    """What the filter widgets offer, from the findings at hand."""

    severities: list[str] = field(default_factory=list)
    families: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    forms: list[str] = field(default_factory=list)


def filter_choices(findings: list[Finding]) -> FilterChoices:
    return FilterChoices(
        severities=[s for s in SEVERITY_ORDER if any(f.severity == s for f in findings)],
        families=list(dict.fromkeys(rule_family(f.rule) for f in findings)),
        files=list(dict.fromkeys(f.file for f in findings)),
        forms=list(dict.fromkeys(f.form for f in findings)),
    )
