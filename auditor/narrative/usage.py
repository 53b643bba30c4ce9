"""What a run of LLM calls cost and what it skipped: counted per document, thread-safe,
and written into ``LLMStatus`` at the end."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from auditor.findings import LLMStatus


@dataclass
class DocumentUsage:
    requests: int = 0
    cached: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0

    @property
    def tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    def as_dict(self) -> dict[str, int]:
        return {
            "requests": self.requests,
            "cached": self.cached,
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
        }


@dataclass
class Ledger:
    """Requests, cache hits and tokens per document, plus the checks that were skipped."""

    token_budget: int
    documents: dict[str, DocumentUsage] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)  # "表名（原因）", Chinese
    over_budget: set[str] = field(default_factory=set)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(
        self, file: str, requests: int = 0, cached: int = 0, prompt: int = 0, completion: int = 0
    ) -> None:
        with self._lock:
            usage = self.documents.setdefault(file, DocumentUsage())
            usage.requests += requests
            usage.cached += cached
            usage.prompt_tokens += prompt
            usage.completion_tokens += completion

    def within_budget(self, file: str) -> bool:
        """False once the document has used its token budget; remembered for the note."""
        with self._lock:
            used = self.documents.get(file, DocumentUsage()).tokens
            if used < self.token_budget:
                return True
            self.over_budget.add(file)
            return False

    def skip(self, form: str, reason: str) -> None:
        with self._lock:
            self.skipped.append(f"{form}（{reason}）")

    def write(self, status: LLMStatus) -> None:
        """Add this ledger's counts to ``status`` (which may already hold earlier counts)."""
        for file, usage in self.documents.items():
            status.requests += usage.requests
            status.cached += usage.cached
            status.prompt_tokens += usage.prompt_tokens
            status.completion_tokens += usage.completion_tokens
            before = status.per_document.get(file, {})
            status.per_document[file] = {
                k: before.get(k, 0) + v for k, v in usage.as_dict().items()
            }

    def problems(self) -> list[str]:
        """Chinese sentences on what was not done, for the status note."""
        out = []
        if self.over_budget:
            files = "、".join(sorted(self.over_budget))
            out.append(
                f"以下文件超出每份文件 {self.token_budget} 个令牌的预算，其余表格的大模型检查已停止：{files}"
            )
        if self.skipped:
            out.append("未经大模型检查的表格：" + "；".join(self.skipped))
        return out

    def totals(self) -> DocumentUsage:
        total = DocumentUsage()
        for usage in self.documents.values():
            total.requests += usage.requests
            total.cached += usage.cached
            total.prompt_tokens += usage.prompt_tokens
            total.completion_tokens += usage.completion_tokens
        return total
