"""Form recognition and records: golden JSON per seed, and the same records from the
.txt, .docx and .pdf renditions of every seed (provenance aside).

Regenerate the golden files only on purpose: AUDITOR_REGEN_GOLDEN=1 pytest tests/test_forms.py
(then review the diff by hand against the seed text)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from auditor.pipeline import extract_path
from tests.conftest import SAMPLES, SEEDS

GOLDEN = Path(__file__).parent / "golden"
FORM_COUNTS = {"000": 8, "001": 1, "002": 6, "003": 6, "004": 4}


_QUANTITY_KEYS = ("kind", "op", "number", "unit", "date", "end", "label", "malformed", "direction")


def without_locations(data: Any) -> Any:
    """Records without provenance, each Value shortened to its text and parsed parts."""
    if isinstance(data, dict):
        if "quantity" in data and "text" in data:
            q = data["quantity"]
            short = {k: q[k] for k in _QUANTITY_KEYS if q.get(k) not in (None, [], ())}
            return {"text": data["text"], **short, "source": data.get("source")}
        return {k: without_locations(v) for k, v in data.items() if k != "location"}
    if isinstance(data, list):
        return [without_locations(v) for v in data]
    return data


def records(path: Path) -> list[dict[str, Any]]:
    result = extract_path(path)
    assert result.error is None, result.error
    return without_locations([f.model_dump(mode="json") for f in result.forms])


@pytest.mark.parametrize("seed", SEEDS)
def test_golden_records(seed: str) -> None:
    got = records(SAMPLES / f"{seed}.txt")
    golden = GOLDEN / f"{seed}.json"
    if os.environ.get("AUDITOR_REGEN_GOLDEN") == "1":
        golden.write_text(json.dumps(got, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    assert got == json.loads(golden.read_text(encoding="utf-8"))


@pytest.mark.parametrize("suffix", [".docx", ".pdf"])
@pytest.mark.parametrize("seed", SEEDS)
def test_every_rendition_gives_the_same_records(seed: str, suffix: str) -> None:
    assert records(SAMPLES / f"{seed}{suffix}") == records(SAMPLES / f"{seed}.txt")


def test_form_counts_and_kinds() -> None:
    counts = {s[:3]: len(extract_path(SAMPLES / f"{s}.txt").forms) for s in SEEDS}
    assert counts == FORM_COUNTS
    kinds = [f.kind for s in SEEDS for f in extract_path(SAMPLES / f"{s}.txt").forms]
    assert kinds.count("project_self_eval") == 8 + 6 + 5
    assert kinds.count("dept_self_eval") == 2
    assert kinds.count("dept_targets") == 1
    assert kinds.count("project_targets") == 3


@pytest.mark.parametrize(
    ("label", "weight"),
    [("产出指标(50分)", "50"), ("产出指标（40-60分）", None), ("总分（100分）", "100"), ("效益指标（30分） ", "30")],
)
def test_stated_weight_in_a_label(label: str, weight: str | None) -> None:
    """A weight printed in a label binds; a range (40-60分) is no stated weight."""
    from decimal import Decimal

    from auditor.forms.blocks import stated_weight

    assert stated_weight(label) == (Decimal(weight) if weight else None)
