"""What a review finds: findings with their numbers and places, and the result of a run."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from auditor.records import Form, Location

Severity = Literal["error", "warning", "info"]
SEVERITY_ORDER: dict[str, int] = {"error": 0, "warning": 1, "info": 2}
SEVERITY_ZH: dict[str, str] = {"error": "错误", "warning": "警告", "info": "提示"}


class DocumentResult(BaseModel):
    """One file: its forms, or an error in plain Chinese (never both empty silently)."""

    file: str
    forms: list[Form] = Field(default_factory=list)
    error: str | None = None
    format: str | None = None
    pages: int | None = None
    notes: list[str] = Field(default_factory=list)  # about the file: parts left out (hidden sheets …), a restricted PDF …

    def contract(self, records: str = "full") -> dict[str, Any]:
        """The document entry of the output contract: file, forms, error. ``records``
        "compact" gives each value as its text and reading (number, unit, operator …)
        without the parser's internals and the place of every single cell."""
        forms = [f.model_dump(mode="json", exclude_none=True) for f in self.forms]
        if records == "compact":
            forms = [compact_records(f) for f in forms]
        entry: dict[str, Any] = {"file": self.file, "forms": forms, "error": self.error}
        if self.notes:
            entry["notes"] = self.notes
        return entry


_QUANTITY_KEPT = ("kind", "op", "number", "unit", "date", "end", "label", "direction", "malformed")


def _compact_location(location: dict[str, Any]) -> dict[str, Any]:
    """A row's place without its box (the findings keep theirs)."""
    return {k: v for k, v in location.items() if k != "bbox"}


def compact_records(data: Any) -> Any:
    """A dumped form with every value reduced to what a reader of the report uses."""
    if isinstance(data, dict):
        if "quantity" in data and "text" in data:
            q = data["quantity"]
            value = {"text": data["text"]}
            value.update((k, q[k]) for k in _QUANTITY_KEPT if q.get(k))
            if value["kind"] == "number":  # implied by "number"
                del value["kind"]
            if data.get("source", "table") != "table":
                value["source"] = data["source"]
            return value
        if data.get("sections") and "text" in data:  # a report: its text is its sections'
            data = {k: v for k, v in data.items() if k != "text"}
        return {
            k: _compact_location(v) if k == "location" else compact_records(v)
            for k, v in data.items()
            if v != {} and v != []
        }
    if isinstance(data, list):
        return [compact_records(v) for v in data]
    return data


class Finding(BaseModel):
    rule: str  # stable code, e.g. funds.executed_exceeds_budget
    severity: Severity
    file: str
    form: str  # the form's own title
    message: str  # Simplified Chinese, states the numbers
    expected: str | None = None
    actual: str | None = None
    location: Location = Field(default_factory=Location)
    locations: list[Location] = Field(default_factory=list)  # further places (several rows)
    evidence: list[str] = Field(default_factory=list)  # verbatim strings from the document
    source: Literal["rule", "llm"] = "rule"
    form_kind: str | None = None

    def contract(self) -> dict[str, Any]:
        """The finding as the output contract prints it."""
        data = self.model_dump(mode="json", exclude_none=True)
        data["location"] = self.location.model_dump(mode="json", exclude_none=True)
        data["locations"] = [loc.model_dump(mode="json", exclude_none=True) for loc in self.locations]
        if not data["locations"]:
            del data["locations"]
        return data


class LLMStatus(BaseModel):
    enabled: bool = False
    failed: bool = False  # configured, but the check did not complete: see ``failure``
    failure: str | None = None  # what failed and what to check, in Chinese
    note: str = "未配置大模型接口（AUDITOR_LLM_BASE_URL / AUDITOR_LLM_MODEL），叙述矛盾检查（narrative.contradiction）已跳过；其余规则均已执行"
    model: str | None = None
    prompt_version: str | None = None
    requests: int = 0
    cached: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    dropped_unverified: int = 0  # contradictions dropped by the quote guard
    fallback_forms: list[str] = Field(default_factory=list)  # forms read by the LLM fallback
    per_document: dict[str, dict[str, int]] = Field(default_factory=dict)


class ReviewResult(BaseModel):
    documents: list[DocumentResult]
    findings: list[Finding]
    profile: str = "mof"
    llm: LLMStatus = Field(default_factory=LLMStatus)

    def contract(self, records: str = "full") -> dict[str, Any]:
        """The JSON object of the output contract (docs/rules.md)."""
        return {
            "documents": [d.contract(records) for d in self.documents],
            "findings": [f.contract() for f in self.findings],
            "profile": self.profile,
            "llm": self.llm.model_dump(mode="json"),
        }
