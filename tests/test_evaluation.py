"""The evaluation harness: the scorer on hand-made findings and labels, the CLI glue, and
the synthetic-set generator (eval/mutate.py). Rule results are not asserted here."""

from __future__ import annotations

import argparse
import copy
import importlib.util
import json
import random
import re
import sys
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from auditor import pipeline
from auditor.evaluation import (
    EvalResult,
    Label,
    add_eval_parser,
    load_labels,
    normalise_form,
    run_eval,
    score,
)
from auditor.findings import DocumentResult, Finding, ReviewResult
from auditor.pipeline import extract_bytes, extract_path
from auditor.records import ProjectSelfEval, Value

ROOT = Path(__file__).resolve().parents[1]


def finding(file: str, rule: str, form: str = "公务用车运行维护费", message: str = "数字不符") -> Finding:
    return Finding(rule=rule, severity="warning", file=file, form=form, message=message)


def label(file: str, rule: str, form: str = "公务用车运行维护费", **extra: Any) -> Label:
    return Label(file=file, rule=rule, form=form, **extra)


# --- scorer --------------------------------------------------------------------------------


def test_matches_false_positives_and_negatives() -> None:
    findings = [finding("/x/a.txt", "score.total_mismatch"), finding("/x/a.txt", "funds.rate_mismatch", message="执行率不符")]
    labels = [label("a.txt", "score.total_mismatch"), label("b.txt", "indicator.missing_actual", note="实际值删除")]
    result = score(findings, labels, ["/x/a.txt", "/x/b.txt"])
    assert (result.overall.tp, result.overall.fp, result.overall.fn) == (1, 1, 1)
    assert result.overall.precision == result.overall.recall == result.overall.f1 == 0.5
    assert [(m.file, m.rule, m.message) for m in result.false_positives] == [("a.txt", "funds.rate_mismatch", "执行率不符")]
    assert [(m.file, m.rule, m.note) for m in result.false_negatives] == [("b.txt", "indicator.missing_actual", "实际值删除")]


def test_duplicate_findings_and_labels_count_once() -> None:
    findings = [finding("a.txt", "score.missing"), finding("a.txt", "score.missing", form="公务用车 运行维护费")]
    result = score(findings, [label("a.txt", "score.missing")] * 2, ["a.txt"])
    assert (result.overall.tp, result.overall.fp, result.overall.fn) == (1, 0, 0)


def test_form_titles_compare_without_spaces_and_punctuation() -> None:
    assert normalise_form(" 公务用车（运行）经费：2021 ") == normalise_form("公务用车(运行)经费:2021") == "公务用车运行经费2021"
    assert normalise_form("“十四五”规划、编制") == "十四五规划编制"
    result = score([finding("a.txt", "score.missing", form="公务用车（运行）经费")],
                   [label("a.txt", "score.missing", form="公务用车 (运行) 经费")], ["a.txt"])
    assert result.overall.tp == 1


def test_a_different_form_does_not_match() -> None:
    result = score([finding("a.txt", "score.missing", form="物业管理费")], [label("a.txt", "score.missing")], ["a.txt"])
    assert (result.overall.tp, result.overall.fp, result.overall.fn) == (0, 1, 1)


def test_labels_match_other_renditions_by_stem() -> None:
    labels = [label("doc1.docx", "funds.rate_mismatch"), label("doc2", "score.missing")]
    files = ["doc1.txt", "doc2.txt", "doc2.pdf"]
    findings = [finding("doc1.txt", "funds.rate_mismatch"), finding("doc2.pdf", "score.missing")]
    result = score(findings, labels, files)
    assert (result.overall.tp, result.overall.fp, result.overall.fn) == (2, 0, 1)
    assert [m.file for m in result.false_negatives] == ["doc2.txt"]
    exact = score([], [label("doc1.txt", "funds.rate_mismatch")], ["doc1.txt", "doc1.pdf"])
    assert exact.overall.fn == 1  # an exact name binds to that file only
    missing = score([], [label("doc9.docx", "score.missing")], files)
    assert missing.unknown_label_files == ["doc9.docx"] and missing.overall.fn == 0


def test_per_rule_scores_and_table() -> None:
    findings = [finding("a.txt", "score.missing"), finding("b.txt", "score.missing"), finding("a.txt", "narrative.contradiction")]
    labels = [label("a.txt", "score.missing"), label("a.txt", "narrative.contradiction"), label("a.txt", "funds.rate_mismatch")]
    result = score(findings, labels, ["a.txt", "b.txt"])
    rules = {r.rule: (r.tp, r.fp, r.fn) for r in result.rules}
    assert rules == {"score.missing": (1, 1, 0), "narrative.contradiction": (1, 0, 0), "funds.rate_mismatch": (0, 0, 1)}
    missed = next(r for r in result.rules if r.rule == "funds.rate_mismatch")
    assert (missed.precision, missed.recall, missed.f1) == (1.0, 0.0, 0.0)  # nothing predicted: P = 1
    lines = result.table().splitlines()
    assert lines[0] == "| rule | TP | FP | FN | precision | recall | F1 |"
    assert "| score.missing | 1 | 1 | 0 | 0.500 | 1.000 | 0.667 |" in lines
    assert lines[-1] == "| **overall** | 2 | 1 | 1 | 0.667 | 0.667 | 0.667 |"


def test_nothing_predicted_nothing_expected_scores_one() -> None:
    result = score([], [], ["a.txt"])
    assert (result.overall.precision, result.overall.recall, result.overall.f1) == (1.0, 1.0, 1.0)
    assert result.rules == []


def test_misses_carry_the_mutation_and_round_trip_as_json() -> None:
    labels = [label("a.txt", "score.missing", mutation="total_missing")]
    result = score([finding("a.txt", "score.total_mismatch"), finding("b.txt", "score.missing")], labels,
                   ["a.txt", "b.txt"], manifest={"b.txt": "clean"})
    assert {(m.file, m.mutation) for m in result.false_positives} == {("a.txt", "total_missing"), ("b.txt", "clean")}
    assert "| total_missing | FN | score.missing | 1 |" in result.misses_table()
    assert EvalResult.model_validate_json(result.to_json()) == result


def test_load_labels_skips_comments_and_keeps_extra_keys(tmp_path: Path) -> None:
    (tmp_path / "labels.jsonl").write_text(
        "// expected findings\n\n"
        '{"file": "a.docx", "form": "甲", "rule": "score.missing", "note": "总分空", "reviewer": "w"}\n',
        encoding="utf-8",
    )
    [lab] = load_labels(tmp_path)
    assert (lab.file, lab.form, lab.rule, lab.note) == ("a.docx", "甲", "score.missing", "总分空")
    assert lab.model_extra == {"reviewer": "w"}
    assert load_labels(tmp_path / "nowhere") == []


# --- CLI glue ------------------------------------------------------------------------------


def test_run_eval_prints_table_writes_json_and_fails_under(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "a.txt").write_text("x", encoding="utf-8")
    (tmp_path / "labels.jsonl").write_text(
        json.dumps({"file": "a", "form": "公务用车运行维护费", "rule": "score.missing"}, ensure_ascii=False) + "\n",
        encoding="utf-8",
    )

    def fake_review(paths: Any, settings: Any = None) -> ReviewResult:
        files = [str(p) for p in paths]
        return ReviewResult(documents=[DocumentResult(file=f) for f in files],
                            findings=[finding(files[0], "score.missing"), finding(files[0], "score.total_mismatch")])

    monkeypatch.setattr(pipeline, "review", fake_review)
    parser = argparse.ArgumentParser()
    add_eval_parser(parser.add_subparsers())
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    args = parser.parse_args(["eval", str(tmp_path), "--fail-under", "0.9"])
    assert args.run(args) == 1  # F1 = 2/3
    out = capsys.readouterr().out
    assert "| score.total_mismatch | 0 | 1 | 0 |" in out
    assert not (tmp_path / "eval_result.json").exists()  # never into the labelled set
    saved = json.loads((cwd / "eval_result.json").read_text(encoding="utf-8"))
    assert saved["overall"]["tp"] == 1 and saved["false_positives"][0]["rule"] == "score.total_mismatch"
    args = parser.parse_args(["eval", str(tmp_path), "--rendition", "txt", "-o", str(tmp_path / "r.json")])
    assert run_eval(args) == 0 and (tmp_path / "r.json").is_file()


# --- the generator -------------------------------------------------------------------------


def load_mutate() -> ModuleType:
    spec = importlib.util.spec_from_file_location("mutate", ROOT / "eval" / "mutate.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["mutate"] = module
    spec.loader.exec_module(module)
    return module


mutate = load_mutate()


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("synthetic")
    assert mutate.main(["--out", str(out), "--count", "20", "--controls", "2", "--clean", "3",
                        "--formats", "txt,docx", "--no-verify"]) == 0
    return out


def records(result: DocumentResult) -> list[dict[str, Any]]:
    assert result.error is None, result.error
    return [strip(f.model_dump(mode="json")) for f in result.forms]


def strip(data: Any) -> Any:
    """Records without provenance, each Value shortened to its text."""
    if isinstance(data, dict):
        if "quantity" in data and "text" in data:
            return data["text"]
        return {k: strip(v) for k, v in data.items() if k != "location"}
    if isinstance(data, list):
        return [strip(v) for v in data]
    return data


def leaves(data: Any, path: str = "") -> dict[str, Any]:
    items: Iterable[tuple[str, Any]]
    if isinstance(data, dict):
        items = data.items()
    elif isinstance(data, list):
        items = ((str(i), v) for i, v in enumerate(data))
    else:
        return {path: data}
    out: dict[str, Any] = {}
    for k, v in items:
        out.update(leaves(v, f"{path}.{k}" if path else k))
    return out


def parse(form: Any) -> dict[str, Any]:
    [record] = records(extract_bytes(mutate.text_export(mutate.blocks_of(form)).encode("utf-8"), "x.txt"))
    return leaves(record)


def test_generated_set_has_labels_and_manifest_per_format(synthetic: Path) -> None:
    for fmt in ("txt", "docx"):
        files = {p.name for p in (synthetic / fmt).iterdir() if p.suffix == f".{fmt}"}
        assert len(files) == 25
        labels = load_labels(synthetic / fmt)
        assert len({lab.file for lab in labels}) == 20 and {lab.file for lab in labels} <= files
        manifest = [json.loads(line) for line in (synthetic / fmt / "manifest.jsonl").read_text(encoding="utf-8").splitlines()]
        assert {m["file"] for m in manifest} == files
        assert sum(m["mutation"] == "clean" for m in manifest) == 3


def test_generated_forms_parse_with_consistent_numbers(synthetic: Path) -> None:
    manifest = [json.loads(line) for line in (synthetic / "txt" / "manifest.jsonl").read_text(encoding="utf-8").splitlines()]
    for entry in manifest:
        [form] = extract_path(synthetic / "txt" / entry["file"]).forms
        assert isinstance(form, ProjectSelfEval) and form.title == entry["form"] and not form.notes
        assert len(form.funds) == 4 and len(form.indicators) >= 6 and form.goal and form.result
        if entry["mutation"] == "clean":
            total = number(form.funds[0].score) + sum(number(i.score) for i in form.indicators)
            weights = number(form.funds[0].weight) + sum(number(i.weight) for i in form.indicators)
            assert total == number(form.total_score) and weights == number(form.total_weight) == 100


def number(value: Value | None) -> Decimal:
    assert value is not None and value.number is not None
    return value.number


def test_text_and_docx_renditions_give_the_same_records(synthetic: Path) -> None:
    for txt in sorted((synthetic / "txt").glob("*.txt")):
        assert records(extract_path(txt)) == records(extract_path(synthetic / "docx" / f"{txt.stem}.docx")), txt.name


def test_generation_is_deterministic() -> None:
    first, second = (mutate.generate(12, 7, 1, 1, verify=False) for _ in range(2))
    texts = [[mutate.text_export(mutate.blocks_of(d.form)) for d in g.documents] for g in (first, second)]
    assert texts[0] == texts[1]
    assert [d.mutation for d in first.documents] == [d.mutation for d in second.documents]


def lcs_ratio(result: str, goal: str) -> float:
    a, b = ([ch for ch in s if ch.isalnum()] for s in (result, goal))
    prev = [0] * (len(b) + 1)
    for ch in a:
        cur = [0]
        for j, other in enumerate(b):
            cur.append(prev[j] + 1 if ch == other else max(prev[j + 1], cur[j]))
        prev = cur
    return prev[-1] / len(a)


def test_clean_results_do_not_copy_their_goals() -> None:
    for i in range(50):
        form = mutate.generate_form(random.Random(i))
        assert lcs_ratio(form.result, form.goal) < 0.8


def applied(kind: Any) -> tuple[Any, Any, Any]:
    """The first clean form the mutation applies to, and its mutated copy."""
    for i in range(100):
        rng = random.Random(i)
        base = mutate.generate_form(rng)
        form = copy.deepcopy(base)
        edit = kind.apply(form, rng)
        if edit is not None:
            return base, form, edit
    raise AssertionError(f"{kind.name} applies to no form")


@pytest.mark.parametrize("name", list(mutate.MUTATIONS))
def test_each_mutation_changes_the_parse_exactly_where_intended(name: str) -> None:
    base, form, edit = applied(mutate.MUTATIONS[name])
    before, after = parse(base), parse(form)
    changed = {k for k in before.keys() | after.keys() if before.get(k) != after.get(k)}

    def under(path: str, prefix: str) -> bool:
        # Sichuan-style layouts print a target over 指标性质 | 指标值 | 度量单位: those columns are the target.
        path = re.sub(r"\.extra\.(?:指标性质|度量单位)$", ".target", path)
        return path == prefix or path.startswith(prefix + ".")

    assert edit.touched and edit.note
    assert {k for k in changed if not any(under(k, t) for t in edit.touched)} == set()
    assert [t for t in edit.touched if not any(under(k, t) for k in changed)] == []


def test_every_catalogue_code_named_by_a_mutation_is_well_formed() -> None:
    codes = {rule for kind in mutate.MUTATIONS.values() for rule in kind.rules}
    catalogue = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    for code in codes:
        assert code.count(".") == 1
        assert f"`{code}`" in catalogue, code
    assert len([k for k in mutate.MUTATIONS.values() if k.rules]) >= 30
