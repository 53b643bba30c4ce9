"""narrative.contradiction: one request per form; every quote of an answer is verified
against the text sent before the contradiction becomes a finding."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, Field

from auditor.errors import LLMError
from auditor.findings import Finding, LLMStatus, ReviewResult
from auditor.forms import Form
from auditor.narrative.client import Backoff, EndpointDown, StructuredLLM
from auditor.narrative.guard import Segment, locate, quote_holds, rejection
from auditor.narrative.prompts import Message, Prompt, as_data, load_prompt
from auditor.narrative.sources import form_segments, has_narrative, render
from auditor.narrative.usage import Ledger
from auditor.records import Location
from auditor.settings import Settings

log = logging.getLogger(__name__)
RULE = "narrative.contradiction"


class Contradiction(BaseModel):
    kind: str = Field("", description="目标与结果 / 偏差说明与得分 / 报告与表格 / 表内不一致")
    quotes: list[str] = Field(min_length=1, description="从 <document> 中逐字复制的原文片段")
    explanation: str = Field(min_length=1, description="用简体中文说明矛盾所在")


class Contradictions(BaseModel):
    contradictions: list[Contradiction] = Field(default_factory=list)


@dataclass(frozen=True)
class FormCheck:
    """One form's request: the segments it was built from and the exact text sent."""

    file: str
    form: Form
    segments: list[Segment]
    sent: str
    messages: list[Message]

    @property
    def name(self) -> str:
        return f"{Path(self.file).name}：{self.form.title or self.form.kind}"


@dataclass
class Outcome:
    findings: list[Finding]
    dropped: int = 0
    checked: bool = True  # False: the request failed and the form was not checked


def review_narrative(
    result: ReviewResult, settings: Settings, backoff: Backoff | None = None
) -> None:
    """Add narrative.contradiction findings to ``result``; rule findings stay as they are.
    A check that could not complete says so in ``result.llm`` (``failed``, ``failure``)."""
    if result.llm.failed:  # the fallback extraction already found the endpoint dead
        result.llm.note = f"叙述矛盾检查（{RULE}）未执行：{result.llm.failure}；其余规则均已执行"
        return
    try:
        prompt = load_prompt("contradiction")
        llm = StructuredLLM(settings, Ledger(settings.llm_token_budget), backoff)
    except LLMError as exc:
        fail(result.llm, str(exc), f"叙述矛盾检查（{RULE}）未执行")
        return
    checks = [
        _form_check(doc.file, form, prompt)
        for doc in result.documents
        for form in doc.forms
        if has_narrative(form)
    ]
    with ThreadPoolExecutor(max_workers=max(1, settings.llm_max_concurrency)) as pool:
        outcomes = list(pool.map(lambda check: _run(check, llm, prompt.version), checks))
    found = [f for outcome in outcomes for f in outcome.findings]
    result.findings.extend(found)
    _write_status(result.llm, llm, prompt.version, len(found), sum(o.dropped for o in outcomes))
    checked = sum(o.checked for o in outcomes)
    if llm.breaker.reason is not None:
        fail(result.llm, llm.breaker.reason, f"叙述矛盾检查（{RULE}）未完成（{checked}/{len(checks)} 张表已检查）")
    elif checks and not checked:
        reason = llm.breaker.last or f"全部 {len(checks)} 张表的请求均失败"
        fail(result.llm, reason, f"叙述矛盾检查（{RULE}）未完成", llm.ledger.problems())


def fail(status: LLMStatus, reason: str, what: str, details: list[str] | None = None) -> None:
    """Mark the LLM check as not completed: one sentence says what failed and what to check."""
    status.failed = True
    status.failure = reason
    status.note = "。".join([f"{what}：{reason}", *(details or [])]) + "；其余规则均已执行"


def _form_check(file: str, form: Form, prompt: Prompt) -> FormCheck:
    segments = form_segments(form)
    document = render(segments)
    messages = prompt.messages(title=form.title, document=document)
    return FormCheck(
        file=file, form=form, segments=segments, sent=as_data(document), messages=messages
    )


def _run(check: FormCheck, llm: StructuredLLM, version: str) -> Outcome:
    """The form's verified findings; a failed request skips the form, noted in the ledger."""
    try:
        answer = llm.ask(check.file, version, check.messages, Contradictions)
    except EndpointDown as exc:  # once the breaker is open: said once for the run, not per form
        if llm.breaker.reason is None:
            llm.ledger.skip(check.name, str(exc))
        return Outcome([], checked=False)
    except LLMError as exc:
        llm.ledger.skip(check.name, str(exc))
        return Outcome([], checked=False)
    except Exception as exc:  # a defect of ours must not sink the review; logged in full
        log.exception("narrative check failed for %s", check.name)
        llm.ledger.skip(check.name, f"内部错误 {type(exc).__name__}")
        return Outcome([], checked=False)
    return verified(check, answer)


def verified(check: FormCheck, answer: Contradictions) -> Outcome:
    """Findings for the contradictions that pass the quote guard (guard.rejection)."""
    outcome = Outcome([])
    for item in answer.contradictions:
        why = rejection(item.quotes, item.explanation, check.segments)
        if why is None and all(quote_holds(q, check.sent) for q in item.quotes):
            outcome.findings.append(_finding(check, item))
        else:
            log.info("dropped a contradiction of %s: %s", check.name, why or "引文不在原文中")
            outcome.dropped += 1
    return outcome


def _finding(check: FormCheck, item: Contradiction) -> Finding:
    places = [locate(q, check.segments) for q in item.quotes]
    return Finding(
        rule=RULE,
        severity="warning",
        source="llm",
        file=check.file,
        form=check.form.title,
        form_kind=check.form.kind,
        message=item.explanation.strip(),
        evidence=[q.strip() for q in item.quotes],
        location=places[0] or Location(),
        locations=[p for p in places[1:] if p is not None],
    )


def _write_status(
    status: LLMStatus, llm: StructuredLLM, version: str, found: int, dropped: int
) -> None:
    ledger = llm.ledger
    earlier = status.note if status.enabled else ""  # the fallback extraction's note
    ledger.write(status)
    total = ledger.totals()
    status.enabled = True
    status.model = llm.model
    status.prompt_version = ", ".join(v for v in (status.prompt_version, version) if v)
    status.dropped_unverified += dropped
    summary = (
        f"已使用大模型 {llm.model} 检查叙述矛盾：{total.requests} 次请求（缓存 {total.cached} 次），"
        f"输入 {total.prompt_tokens} 个、输出 {total.completion_tokens} 个令牌；"
        f"发现 {found} 处矛盾，另有 {dropped} 处因引文无法在原文中逐字核实而舍弃"
    )
    sentences = [summary, *ledger.problems()]
    status.note = "。".join(s for s in (earlier.rstrip("。"), *sentences) if s) + "。"
