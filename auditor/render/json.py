"""The review as the JSON object of the output contract (shared/spec/findings.md)."""

from __future__ import annotations

import json

from auditor.findings import ReviewResult


def render_json(result: ReviewResult) -> str:
    return json.dumps(result.contract(), ensure_ascii=False, indent=2)
