"""The batch.* rules as pure functions of a batch's forms (seed 003 and changed copies)."""

from __future__ import annotations

from pathlib import Path

from auditor.checks.batch import BATCH_RULES, BatchForm, run_batch_rules
from auditor.pipeline import extract
from auditor.settings import Tolerances
from auditor.workspace.identity import unit_of

ROOT = Path(__file__).resolve().parents[1]
S003 = ROOT / "samples" / "003_6b24eafbc02acca8.txt"
S000 = ROOT / "samples" / "000_0dd5636ac07a2a52.txt"
GREENING = "区委区政府大院及武装部营院绿化费"


def batch_forms(*paths: Path) -> list[BatchForm]:
    docs = extract(list(paths))
    pairs = [(d, f) for d in docs for f in d.forms]
    return [BatchForm(n, d.file, unit_of(f, d.forms), f) for n, (d, f) in enumerate(pairs)]


def rules_fired(forms: list[BatchForm]) -> dict[str, list[tuple[str, str]]]:
    fired: dict[str, list[tuple[str, str]]] = {}
    for _, f in run_batch_rules(forms, Tolerances()):
        fired.setdefault(f.rule, []).append((f.form, f.message))
    return fired


def test_every_rule_has_a_code_title_and_severity() -> None:
    assert set(BATCH_RULES) == {
        "batch.project_sum_exceeds_dept",
        "batch.project_sum_short_of_dept",
        "batch.indicator_inconsistent",
        "batch.result_text_copied",
    }
    assert all(r.title and r.severity in ("error", "warning", "info") for r in BATCH_RULES.values())


def test_seed_003_executed_sum_exceeds_the_department_project_spending() -> None:
    fired = rules_fired(batch_forms(S003))
    [(form, message)] = fired["batch.project_sum_exceeds_dept"]
    assert form == "株洲市渌口区机关事务服务中心"
    assert "项目支出为 1289.42 万元" in message and "全年执行数合计 1780.94 万元，超出 491.52 万元" in message
    assert "batch.project_sum_short_of_dept" not in fired


def test_a_missing_project_form_leaves_the_sum_short() -> None:
    forms = [bf for bf in batch_forms(S003) if bf.form.title != GREENING]
    fired = rules_fired(forms)
    assert "batch.project_sum_exceeds_dept" not in fired
    [(_, message)] = fired["batch.project_sum_short_of_dept"]
    assert "全年预算数合计 1257.82 万元、全年执行数合计 1257.82 万元" in message and "未报送" in message


def test_no_department_form_or_no_projects_of_its_unit_raise_nothing() -> None:
    assert "batch.project_sum_exceeds_dept" not in rules_fired(batch_forms(S000))
    fired = rules_fired([bf for bf in batch_forms(S003) if bf.form.kind != "project_self_eval"])
    assert "batch.project_sum_exceeds_dept" not in fired and "batch.project_sum_short_of_dept" not in fired


def test_an_indicator_stated_differently_in_another_file() -> None:
    first = batch_forms(S000)
    second = [
        BatchForm(100 + bf.ref, "other.txt", bf.unit, bf.form.model_copy(deep=True)) for bf in first[:1]
    ]
    line = second[0].form.indicators[0]
    assert line.target is not None
    line.target = line.target.model_copy(update={"text": "99999"})
    fired = rules_fired([*first, *second])
    [(form, message)] = fired["batch.indicator_inconsistent"]
    assert form == first[0].form.title and f"指标“{line.name}”在本表的年度指标值为“99999”" in message
    # the same file twice is dept.cross_table_mismatch's business, not this rule's
    same_file = [BatchForm(bf.ref, first[0].file, bf.unit, bf.form) for bf in second]
    assert "batch.indicator_inconsistent" not in rules_fired([*first, *same_file])


def test_result_text_copied_between_projects_of_seed_003() -> None:
    fired = rules_fired(batch_forms(S003))
    forms = {form for form, _ in fired["batch.result_text_copied"]}
    assert forms == {"宽带及网络维护费", "2022年全年相关维修改造费等"}
    assert all("与《物业管理费》" in m for _, m in fired["batch.result_text_copied"])
