"""Fallback extraction: the model maps the rows of a table the parser could not read to
the record fields; the records are built here, and every number in them is checked
against the table (a value whose numbers are not in the table is dropped and noted)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from auditor.document import Document, Table
from auditor.errors import LLMError
from auditor.findings import DocumentResult, LLMStatus
from auditor.forms import Form
from auditor.forms.blocks import FUNDS_LABELS, category_of
from auditor.narrative.client import Backoff, EndpointDown, StructuredLLM
from auditor.narrative.guard import quote_holds
from auditor.narrative.prompts import load_prompt
from auditor.narrative.tablesource import TableSource, looks_like_form
from auditor.narrative.usage import Ledger
from auditor.records import (
    DeptSelfEval,
    DeptTargets,
    FundsRow,
    Indicator,
    Location,
    ProjectSelfEval,
    ProjectTargets,
    SelfEvalBase,
    Value,
)
from auditor.settings import Settings


class FundsLine(BaseModel):
    row: int | None = Field(None, description="行号 R")
    label: str = Field(description="行名，如 年度资金总额、当年财政拨款")
    initial_budget: str = ""
    budget: str = ""
    executed: str = ""
    weight: str = ""
    rate: str = ""
    score: str = ""


class IndicatorLine(BaseModel):
    row: int | None = Field(None, description="行号 R")
    level1: str = ""
    level2: str = ""
    name: str = Field(description="三级指标名称")
    target: str = ""
    actual: str = ""
    weight: str = ""
    score: str = ""
    deviation: str = ""


class ExtractedForm(BaseModel):
    title: str = ""
    kind: Literal["project", "department"] = "project"
    funds: list[FundsLine] = Field(default_factory=list)
    indicators: list[IndicatorLine] = Field(default_factory=list)
    total_score: str = ""


class ExtractedForms(BaseModel):
    forms: list[ExtractedForm] = Field(default_factory=list)


_FUNDS_FIELDS = {
    "initial_budget": "年初预算数",
    "budget": "全年预算数",
    "executed": "全年执行数",
    "weight": "分值",
    "rate": "执行率",
    "score": "得分",
}
_INDICATOR_FIELDS = {
    "target": "年度指标值",
    "actual": "实际完成值",
    "weight": "分值",
    "score": "得分",
    "deviation": "偏差原因分析及改进措施",
}
DROPPED = "大模型读出的{field}“{text}”含有原表中没有的数字，已舍弃"
READ_BY_LLM = "此表未能按格式自动识别，由大模型辅助读取（{version}），其中的数字均已与原表逐一核对"


class FormBuilder:
    """Builds one record from the model's reading, keeping only values the table holds."""

    def __init__(self, source: TableSource, version: str) -> None:
        self.source = source
        self.notes = [READ_BY_LLM.format(version=version)]

    def form(self, answer: ExtractedForm) -> Form:
        indicators = [i for line in answer.indicators if (i := self.indicator(line))]
        funds = [r for line in answer.funds if (r := self.funds_row(line))]
        first = self.source.tables[0]
        common = {
            "title": self.title(answer.title),
            "indicators": indicators,
            "notes": self.notes,
            "source": "llm",
            "location": Location(page=first.page, table=first.index),
        }
        dept = answer.kind == "department"
        if not (any(i.actual for i in indicators) or any(r.executed for r in funds)):
            return DeptTargets(**common) if dept else ProjectTargets(**common)  # type: ignore[arg-type]
        parts = {"funds": funds, "total_score": self.value(answer.total_score, None, "总分")}
        return DeptSelfEval(**common, **parts) if dept else ProjectSelfEval(**common, **parts)  # type: ignore[arg-type]

    def title(self, text: str) -> str:
        text = text.strip()
        if text and not quote_holds(text, "".join(self.source.texts())):
            self.notes.append(f"大模型给出的名称“{text}”不在原文中，已舍弃")
            return ""
        return text

    def indicator(self, line: IndicatorLine) -> Indicator | None:
        name = self.text(line.name, "三级指标")
        if not name:
            return None
        level1, level2 = self.text(line.level1, "一级指标"), self.text(line.level2, "二级指标")
        values = {
            key: self.value(getattr(line, key), line.row, column)
            for key, column in _INDICATOR_FIELDS.items()
        }
        return Indicator(
            level1=level1,
            level2=level2,
            name=name,
            category=category_of(level1, level2),
            location=self.source.location_of(line.name, line.row, "三级指标"),
            **values,  # type: ignore[arg-type]
        )

    def funds_row(self, line: FundsLine) -> FundsRow | None:
        label = self.text(line.label, "资金行")
        key = next((k for k, words in FUNDS_LABELS if any(w in label for w in words)), None)
        if key is None:
            return None
        values = {
            key: self.value(getattr(line, key), line.row, column)
            for key, column in _FUNDS_FIELDS.items()
        }
        location = self.source.location_of(line.label, line.row, "资金行")
        return FundsRow(key=key, label=label, location=location, **values)  # type: ignore[arg-type]

    def text(self, text: str, column: str) -> str:
        text = text.strip()
        if self.source.holds_numbers_of(text):
            return text
        self.notes.append(DROPPED.format(field=column, text=text))
        return ""

    def value(self, text: str, row: int | None, column: str) -> Value | None:
        text = self.text(text, column)
        return (
            Value.read(text, self.source.location_of(text, row, column), source="llm")
            if text
            else None
        )


def extract_with_llm(
    document: Document, settings: Settings, backoff: Backoff | None = None
) -> list[Form]:
    """Forms read by the model from the document's tables that look like a form."""
    llm = StructuredLLM(settings, Ledger(settings.llm_token_budget), backoff)
    return _read_tables(llm, document.path, document)


def _read_tables(llm: StructuredLLM, file: str, document: Document) -> list[Form]:
    """Forms from every table that looks like a form; a form without a name is named by its table."""
    tables = [t for t in document.tables if looks_like_form(t)]
    forms = _extract(llm, file, document, tables)
    for form in forms:
        form.title = form.title or f"表格T{tables[0].index}"
    return forms


def _extract(llm: StructuredLLM, file: str, document: Document, tables: list[Table]) -> list[Form]:
    if not tables:
        return []
    prompt = load_prompt("fallback_extract")
    source = TableSource.of(document, tables)
    answer = llm.ask(
        file, prompt.version, prompt.messages(document=source.render()), ExtractedForms
    )
    return [FormBuilder(source, prompt.version).form(f) for f in answer.forms]


def fallback_extract(
    documents: list[DocumentResult],
    raw_documents: dict[str, Document],
    settings: Settings,
    status: LLMStatus,
    backoff: Backoff | None = None,
) -> None:
    """Read with the model what the parser could not: documents whose form was not
    recognised (their ``error`` is replaced by the forms found) and forms with ``notes``
    (their missing title, indicators, funds or total are filled in). ``raw_documents``
    maps ``DocumentResult.file`` to the Document read; others are left alone."""
    try:
        llm = StructuredLLM(settings, Ledger(settings.llm_token_budget), backoff)
        version = load_prompt("fallback_extract").version
    except LLMError as exc:
        status.failed, status.failure = True, str(exc)
        status.note = f"大模型辅助读取未执行：{exc}"
        return
    for doc in documents:
        raw = raw_documents.get(doc.file)
        if raw is None:
            continue
        try:
            if doc.error:
                _read_document(llm, doc, raw)
            else:
                _complete_forms(llm, doc, raw)
        except EndpointDown:
            break
        except LLMError as exc:
            llm.ledger.skip(doc.file, f"辅助读取失败：{exc}")
    _write_status(status, llm, version, documents)
    if llm.breaker.reason is not None:
        status.enabled = True
        status.failed, status.failure = True, llm.breaker.reason
        status.note = f"大模型辅助读取未完成：{llm.breaker.reason}"


def _read_document(llm: StructuredLLM, doc: DocumentResult, raw: Document) -> None:
    forms = _read_tables(llm, doc.file, raw)
    if forms:
        doc.forms, doc.error = forms, None


def _complete_forms(llm: StructuredLLM, doc: DocumentResult, raw: Document) -> None:
    starts = sorted({f.location.table for f in doc.forms if f.location.table is not None})
    for form in doc.forms:
        first = form.location.table
        if not form.notes or first is None:
            continue
        end = next((s for s in starts if s > first), None)
        tables = [t for t in raw.tables if t.index >= first and (end is None or t.index < end)]
        read = _extract(llm, doc.file, raw, tables)
        if read and _fill(form, read[0]):
            form.source = "llm"


def _fill(form: Form, read: Form) -> bool:
    """Copy into ``form`` the parts it lacks and ``read`` has; True if anything was copied."""
    copied: list[str] = []
    if not form.title and read.title:
        form.title = read.title
        copied.append("名称")
    if not form.indicators and read.indicators:
        form.indicators = read.indicators
        copied.append("绩效指标")
    if isinstance(form, SelfEvalBase) and isinstance(read, SelfEvalBase):
        if not form.funds and read.funds:
            form.funds = read.funds
            copied.append("资金执行情况")
        if form.total_score is None and read.total_score is not None:
            form.total_score = read.total_score
            copied.append("总分")
    if copied:
        form.notes += [
            f"{'、'.join(copied)}由大模型辅助读取，其中的数字均已与原表逐一核对",
            *read.notes[1:],
        ]
    return bool(copied)


def _write_status(
    status: LLMStatus, llm: StructuredLLM, version: str, documents: list[DocumentResult]
) -> None:
    read = [f.title for d in documents for f in d.forms if f.source == "llm"]
    llm.ledger.write(status)
    status.fallback_forms += read
    if not (read or llm.ledger.documents or llm.ledger.skipped):
        return
    status.enabled = True
    status.model = llm.model
    status.prompt_version = ", ".join(v for v in (status.prompt_version, version) if v)
    titles = "、".join(read) if read else "无"
    sentences = [
        f"大模型辅助读取了 {len(read)} 张未能自动识别的表格（{titles}），请人工核对",
        *llm.ledger.problems(),
    ]
    status.note = "。".join(sentences) + "。"
