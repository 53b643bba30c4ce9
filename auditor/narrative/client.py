"""The model behind an OpenAI-compatible endpoint, asked for pydantic answers.

openai's own HTTP retries are off; this module backs off on 429, 5xx, timeouts and lost
connections itself (bounded, exponential with jitter, honouring Retry-After), counts
every request and its tokens per document, answers repeated requests from the cache and
stops a document's calls once its token budget is spent. Every failure leaves as
``LLMError`` with a Chinese reason.

An endpoint that cannot answer at all (connection refused, unknown host, TLS failure,
HTTP 401/403/404) is not retried: after ``Breaker.threshold`` such failures in a row
every further request fails at once with ``EndpointDown``, so a dead endpoint costs a
few requests, not one per form and retry.
"""

from __future__ import annotations

import json
import random
import ssl
import threading
import time
from dataclasses import dataclass
from typing import Any, TypeVar

import instructor
import openai
from instructor.core.exceptions import (
    IncompleteOutputException,
    InstructorError,
    InstructorRetryException,
)
from instructor.core.hooks import Hooks
from pydantic import BaseModel, ValidationError

from auditor.errors import LLMError
from auditor.narrative.cache import AnswerCache, cache_key
from auditor.narrative.prompts import Message
from auditor.narrative.usage import Ledger
from auditor.settings import Settings

M = TypeVar("M", bound=BaseModel)

MODES: dict[str, instructor.Mode] = {
    "tools": instructor.Mode.TOOLS,
    "json": instructor.Mode.JSON,
    "json_schema": instructor.Mode.JSON_SCHEMA,
    "md_json": instructor.Mode.MD_JSON,
}
_RETRY_STATUS = {408, 409, 429}
_FATAL_STATUS = {
    401: "接口拒绝了密钥（HTTP 401），请检查 AUDITOR_LLM_API_KEY",
    403: "接口拒绝访问（HTTP 403），请检查密钥的权限",
    404: "接口地址或模型不存在（HTTP 404），请检查 AUDITOR_LLM_BASE_URL 和 AUDITOR_LLM_MODEL",
}


class EndpointDown(LLMError):
    """The endpoint cannot answer any request; the reason says what to check."""


class Breaker:
    """Counts fatal failures in a row; once ``threshold`` is reached no request is sent."""

    def __init__(self, threshold: int = 3) -> None:
        self.threshold = threshold
        self.reason: str | None = None  # set once open
        self.last: str | None = None  # the latest fatal failure, open or not
        self._in_a_row = 0
        self._lock = threading.Lock()

    def check(self) -> None:
        if self.reason is not None:
            raise EndpointDown(self.reason)

    def failed(self, reason: str) -> None:
        with self._lock:
            self.last = reason
            self._in_a_row += 1
            if self._in_a_row >= self.threshold and self.reason is None:
                self.reason = reason

    def succeeded(self) -> None:
        with self._lock:
            self._in_a_row = 0


@dataclass(frozen=True)
class Backoff:
    """How often and how long to wait before sending a failed request again."""

    attempts: int = 4  # requests in all, the first included
    base: float = 0.5  # seconds before the first retry
    cap: float = 8.0  # longest wait, Retry-After included

    def delay(self, retry: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return min(self.cap, max(retry_after, 0.0))
        return min(self.cap, self.base * 2**retry) * random.uniform(0.5, 1.0)


def make_client(settings: Settings) -> instructor.Instructor:
    """An instructor client over ``openai.OpenAI`` for the configured endpoint."""
    mode = MODES.get(settings.llm_mode)
    if mode is None:
        raise LLMError(f"不支持的大模型调用方式 {settings.llm_mode!r}，可选：{'、'.join(MODES)}")
    key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else "none"
    client = openai.OpenAI(
        base_url=settings.llm_base_url, api_key=key, timeout=settings.llm_timeout, max_retries=0
    )
    return instructor.from_openai(client, mode=mode)


class StructuredLLM:
    """Asks the model for an answer of a pydantic type: cached, retried, counted."""

    def __init__(
        self,
        settings: Settings,
        ledger: Ledger,
        backoff: Backoff | None = None,
        breaker: Breaker | None = None,
    ) -> None:
        self.client = make_client(settings)
        self.base_url = settings.llm_base_url or ""
        self.breaker = breaker or Breaker()
        self.model = settings.llm_model or ""
        self.mode = settings.llm_mode
        self.timeout = settings.llm_timeout
        self.max_retries = settings.llm_max_retries
        self.cache = AnswerCache(settings.cache_dir)
        self.ledger = ledger
        self.backoff = backoff or Backoff(
            settings.llm_backoff_attempts, settings.llm_backoff_base, settings.llm_backoff_cap
        )
        self._pending: dict[str, threading.Lock] = {}
        self._pending_guard = threading.Lock()

    def ask(
        self, file: str, prompt_version: str, messages: list[Message], response_model: type[M]
    ) -> M:
        """The model's answer to ``messages``, counted against the document ``file``."""
        key = cache_key(self.model, prompt_version, self.mode, messages)
        with self._one_at_a_time(key):  # the same request in two threads is sent once
            stored = self._from_cache(key, response_model)
            if stored is not None:
                self.ledger.add(file, cached=1)
                return stored
            if not self.ledger.within_budget(file):
                raise LLMError("本文件的令牌预算已用完")
            self.breaker.check()
            answer = self._with_backoff(file, messages, response_model)
            self.breaker.succeeded()
            self.cache.put(key, answer.model_dump_json())
            return answer

    def _one_at_a_time(self, key: str) -> threading.Lock:
        with self._pending_guard:
            return self._pending.setdefault(key, threading.Lock())

    def _from_cache(self, key: str, response_model: type[M]) -> M | None:
        text = self.cache.get(key)
        if text is None:
            return None
        try:
            return response_model.model_validate_json(text)
        except ValidationError:
            return None  # an entry of an older answer shape: ask again

    def _with_backoff(self, file: str, messages: list[Message], response_model: type[M]) -> M:
        for retry in range(self.backoff.attempts):
            try:
                return self._once(file, messages, response_model)
            except (openai.OpenAIError, InstructorError) as exc:
                cause = api_error(exc)
                fatal = self.fatal(cause)
                if fatal is not None:
                    self.breaker.failed(fatal)
                    raise EndpointDown(fatal) from exc
                if cause is None or not is_transient(cause) or retry + 1 == self.backoff.attempts:
                    raise LLMError(self.describe(exc, retry + 1)) from exc
                time.sleep(self.backoff.delay(retry, retry_after(cause)))
        raise LLMError("未发送请求")  # only when Backoff.attempts < 1

    def _once(self, file: str, messages: list[Message], response_model: type[M]) -> M:
        hooks = Hooks()
        hooks.on("completion:kwargs", lambda *_, **__: self.ledger.add(file, requests=1))
        hooks.on("completion:response", lambda response: self._count_tokens(file, response))
        return self.client.chat.completions.create(
            model=self.model,
            messages=messages,  # type: ignore[arg-type]
            response_model=response_model,
            max_retries=self.max_retries,
            hooks=hooks,
            temperature=0,
        )

    def _count_tokens(self, file: str, response: Any) -> None:
        usage = getattr(response, "usage", None)
        prompt = getattr(usage, "prompt_tokens", 0) or 0
        completion = getattr(usage, "completion_tokens", 0) or 0
        self.ledger.add(file, prompt=int(prompt), completion=int(completion))

    def fatal(self, cause: openai.APIError | None) -> str | None:
        """What to check, when ``cause`` means the endpoint cannot answer any request."""
        if isinstance(cause, openai.APIStatusError):
            return _FATAL_STATUS.get(cause.status_code)
        if isinstance(cause, openai.APIConnectionError) and not isinstance(
            cause, openai.APITimeoutError
        ):
            why = connect_failure(cause)
            if why is not None:
                return (
                    f"无法连接大模型接口 {self.base_url}（{why}），"
                    "请检查 AUDITOR_LLM_BASE_URL 是否正确、服务是否已启动、网络是否可达"
                )
        return None

    def describe(self, exc: Exception, attempts: int) -> str:
        """Why the request failed, in Chinese."""
        cause = api_error(exc)
        tries = f"（共尝试 {attempts} 次）" if attempts > 1 else ""
        if isinstance(cause, openai.APITimeoutError):
            return f"大模型接口在 {self.timeout:g} 秒内未响应{tries}"
        if isinstance(cause, openai.APIConnectionError):
            return f"无法连接大模型接口{tries}"
        if isinstance(cause, openai.APIStatusError):
            return f"大模型接口返回 HTTP {cause.status_code}{tries}"
        if isinstance(exc, IncompleteOutputException):
            return "大模型的回答因长度限制被截断"
        if isinstance(exc, InstructorRetryException) and isinstance(
            exc.__cause__, (ValidationError, json.JSONDecodeError)
        ):
            return f"大模型的回答经 {exc.n_attempts} 次尝试仍不是符合格式的 JSON"
        return f"大模型调用失败：{type(exc).__name__}"


def api_error(exc: BaseException) -> openai.APIError | None:
    """The HTTP-level error behind ``exc`` (instructor wraps it in InstructorRetryException)."""
    for candidate in (exc, exc.__cause__):
        if isinstance(candidate, openai.APIError):
            return candidate
    return None


def connect_failure(error: BaseException) -> str | None:
    """Why no connection could be made (refused, unknown host, TLS), or None when the
    connection was made and then lost (that is worth a retry)."""
    chain: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and current not in chain:
        chain.append(current)
        current = current.__cause__ or current.__context__
    if any(isinstance(e, ssl.SSLError) for e in chain):
        return "TLS 握手失败"
    if not any(type(e).__name__ == "ConnectError" for e in chain):
        return None
    text = " ".join(str(e) for e in chain).lower()
    if "refused" in text:
        return "连接被拒绝"
    if "name or service not known" in text or "nodename" in text or "name resolution" in text:
        return "找不到该主机名"
    if "ssl" in text or "certificate" in text:
        return "TLS 握手失败"
    return "连接失败"


def is_transient(error: openai.APIError) -> bool:
    if isinstance(error, openai.APIConnectionError):  # timeouts included
        return True
    return isinstance(error, openai.APIStatusError) and (
        error.status_code in _RETRY_STATUS or error.status_code >= 500
    )


def retry_after(error: openai.APIError) -> float | None:
    """Seconds the server asked us to wait (Retry-After / retry-after-ms), if it said."""
    if not isinstance(error, openai.APIStatusError):
        return None
    headers = error.response.headers
    for name, scale in (("retry-after-ms", 0.001), ("retry-after", 1.0)):
        try:
            return float(headers[name]) * scale
        except (KeyError, ValueError):
            continue
    return None
