"""A content-addressed cache of model answers on disk: the same request is never sent twice.

The key is the sha256 of the model, the prompt version, the instructor mode and the exact
request messages; the value is the validated answer as JSON.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from pathlib import Path

from auditor.narrative.prompts import Message

log = logging.getLogger(__name__)


def cache_key(model: str, prompt_version: str, mode: str, messages: list[Message]) -> str:
    payload = json.dumps(
        {"model": model, "prompt": prompt_version, "mode": mode, "messages": messages},
        ensure_ascii=False,
        sort_keys=True,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


class AnswerCache:
    """Answers stored as ``<dir>/<key[:2]>/<key>.json``; writes are atomic."""

    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)

    def _path(self, key: str) -> Path:
        return self.directory / key[:2] / f"{key}.json"

    def get(self, key: str) -> str | None:
        try:
            return self._path(key).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return None

    def put(self, key: str, answer: str) -> None:
        """Store an answer; a cache that cannot be written only costs requests later."""
        path = self._path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                out.write(answer)
            os.replace(tmp, path)
        except OSError as exc:
            log.warning("cannot write the LLM cache at %s: %s", path, exc)
