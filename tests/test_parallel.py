"""The pool: same results with one or several workers, in input order; a document past
its time or memory limit gets its own error and the batch goes on."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

import auditor.pipeline as pipeline
from auditor.cli import main
from auditor.parallel import Limits, Task, display_name, run
from auditor.settings import Settings

SAMPLES = Path(__file__).resolve().parents[1] / "samples"


def _no_llm(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AUDITOR_LLM_BASE_URL", "AUDITOR_LLM_MODEL", "AUDITOR_LLM_API_KEY"):
        monkeypatch.delenv(name, raising=False)


def test_jobs_1_and_jobs_2_give_identical_reports(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _no_llm(monkeypatch)
    files = [str(p) for p in sorted(SAMPLES.glob("00[0-4]_*.*")) if p.suffix in (".pdf", ".docx", ".txt")]
    outputs = {}
    for jobs in (1, 2):
        for fmt in ("json", "jsonl"):
            out = tmp_path / f"j{jobs}.{fmt}"
            assert main(["review", *files, "--jobs", str(jobs), "--format", fmt, "-o", str(out)]) == 0
            outputs[jobs, fmt] = out.read_bytes()
    assert outputs[1, "json"] == outputs[2, "json"]
    assert outputs[1, "jsonl"] == outputs[2, "jsonl"]
    data = json.loads(outputs[1, "json"])
    assert [d["file"] for d in data["documents"]] == files  # input order
    assert sum(len(d["forms"]) for d in data["documents"]) == 75 and len(data["findings"]) > 100
    lines = [json.loads(line) for line in outputs[1, "jsonl"].decode().splitlines()]
    assert [d["file"] for d in lines] == files
    assert sum(len(d["findings"]) for d in lines) == len(data["findings"])


def _slow_or_greedy(real):  # type: ignore[no-untyped-def]
    def extract_path(path: Path, raw=None):  # type: ignore[no-untyped-def]
        if path.name.startswith("slow"):
            time.sleep(30)
        if path.name.startswith("greedy"):
            hog = bytearray(1024**3)  # past the 400 MiB limit of the test
            hog[-1] = 1
        return real(path, raw)

    return extract_path


def test_a_document_past_its_limits_is_reported_and_the_batch_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed = SAMPLES / "003_6b24eafbc02acca8.txt"
    names = ["a.txt", "slow.txt", "b.txt", "greedy.txt", "c.txt"]
    for name in names:
        (tmp_path / name).write_bytes(seed.read_bytes())
    monkeypatch.setattr(pipeline, "extract_path", _slow_or_greedy(pipeline.extract_path))
    start = time.monotonic()
    limits = Limits(timeout=3, memory=400 * 1024**2)
    tasks = [Task.of_path(tmp_path / n) for n in names]
    outcomes = list(run(tasks, Settings(), jobs=2, limits=limits, method="fork"))
    assert time.monotonic() - start < 20
    assert [Path(o.document.file).name for o in outcomes] == names
    errors = {Path(o.document.file).name: o.document.error for o in outcomes}
    assert errors["slow.txt"] is not None and errors["slow.txt"].startswith("处理超时（超过3秒）")
    assert errors["greedy.txt"] is not None and "内存超限（超过400 MiB）" in errors["greedy.txt"]
    for name in ("a.txt", "b.txt", "c.txt"):
        assert errors[name] is None
    good = [o for o in outcomes if o.document.error is None]
    assert all(len(o.document.forms) == len(good[0].document.forms) > 0 for o in good)
    assert all([f.rule for f in o.findings] == [f.rule for f in good[0].findings] for o in good)


def test_file_names_that_are_not_utf8_are_escaped_not_fatal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _no_llm(monkeypatch)
    seed = SAMPLES / "003_6b24eafbc02acca8.txt"
    gbk = "项目自评表".encode("gbk") + b".txt"
    with open(bytes(tmp_path) + b"/" + gbk, "wb") as f:
        f.write(seed.read_bytes())
    out = tmp_path / "out.json"
    assert main(["review", str(tmp_path), "--jobs", "1", "-o", str(out)]) == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    (doc,) = data["documents"]
    assert doc["error"] is None and doc["forms"] and "\\x" in doc["file"]
    assert all(f["file"] == doc["file"] for f in data["findings"])
    assert display_name("正常.txt") == "正常.txt"


def test_findings_come_in_one_order_whatever_order_the_rules_were_imported() -> None:
    # a worker started by a fork server imports the rule modules in its own order; the
    # findings of a document must still come out the same (as with --jobs 1)
    from auditor.checks import REGISTRY, _in_order, load_rules

    load_rules()
    rules = list(REGISTRY.values())
    assert _in_order(reversed(rules)) == _in_order(rules)
    modules = [r.fn.__module__.rsplit(".", 1)[-1] for r in _in_order(rules)]
    assert modules == sorted(modules)  # dept, funds, indicator, narrative, score
