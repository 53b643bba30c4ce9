"""Prompt templates, versioned files in the package (``auditor/prompts/``), read with
``importlib.resources`` so an installed wheel carries them.

A template file is named ``<name>.v<N>.md``; its version is the file name without the
suffix (``contradiction.v1``). It holds a ``## system`` and a ``## user`` section; the
user section's ``{{placeholders}}`` are filled with document text, which is wrapped in
``<document>`` tags and treated by the prompt as data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable

from auditor.errors import LLMError

PROMPTS_DIR: Traversable = resources.files("auditor") / "prompts"
_SECTION = re.compile(r"^## (system|user)\s*$", re.MULTILINE)
_PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")
_TAG = re.compile(r"<(/?)document>", re.IGNORECASE)

Message = dict[str, str]


@dataclass(frozen=True)
class Prompt:
    version: str  # e.g. contradiction.v1
    system: str
    user: str

    def messages(self, **values: str) -> list[Message]:
        """The chat messages, with every placeholder of the user section filled."""
        missing = set(_PLACEHOLDER.findall(self.user)) - values.keys()
        if missing:
            raise LLMError(f"提示词 {self.version} 缺少参数：{', '.join(sorted(missing))}")
        user = _PLACEHOLDER.sub(lambda m: as_data(values[m.group(1)]), self.user)
        return [{"role": "system", "content": self.system}, {"role": "user", "content": user}]


def as_data(text: str) -> str:
    """Document text made safe to put between the prompt's ``<document>`` tags."""
    return _TAG.sub(lambda m: f"＜{m.group(1)}document＞", text)


@cache
def load_prompt(name: str) -> Prompt:
    """The newest version of the prompt ``name`` (``contradiction`` → contradiction.vN.md)."""
    pattern = re.compile(rf"{re.escape(name)}\.v\d+\.md")
    try:
        found = [f for f in PROMPTS_DIR.iterdir() if pattern.fullmatch(f.name)]
    except OSError:  # the folder is missing: a broken install
        found = []
    files = sorted(found, key=_version_number)
    if not files:
        raise LLMError(f"找不到提示词模板 {name}.v*.md（应位于 {PROMPTS_DIR}）")
    path = files[-1]
    parts = _SECTION.split(path.read_text(encoding="utf-8"))
    sections = dict(zip(parts[1::2], (p.strip() for p in parts[2::2])))
    if set(sections) != {"system", "user"}:
        raise LLMError(f"提示词模板 {path.name} 须包含“## system”和“## user”两节")
    return Prompt(
        version=path.name.removesuffix(".md"), system=sections["system"], user=sections["user"]
    )


def _version_number(path: Traversable) -> int:
    m = re.search(r"\.v(\d+)\.md$", path.name)
    return int(m.group(1)) if m else 0
