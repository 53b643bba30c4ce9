"""Templates the seeds do not show: found by header words, not by the seeds' positions.

sichuan_project.txt puts the operator (指标性质) and the unit (度量单位) in columns of their
own and calls the actual 全年实际值; ningxia_project.txt uses 决策/管理/产出/效益 categories
with their weights in the labels. Both are consistent forms: a review finds nothing."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from auditor.pipeline import extract_bytes, extract_path, review
from auditor.records import ProjectSelfEval

TEMPLATES = Path(__file__).parent / "data" / "templates"


def form_of(name: str) -> ProjectSelfEval:
    (form,) = extract_path(TEMPLATES / name).forms
    assert isinstance(form, ProjectSelfEval)
    return form


def test_sichuan_operator_and_unit_columns_complete_the_values() -> None:
    form = form_of("sichuan_project.txt")
    cost = next(i for i in form.indicators if i.name == "每公里养护成本")
    assert cost.target is not None and cost.actual is not None
    assert (cost.target.text, cost.target.quantity.op, cost.target.quantity.unit) == ("2", "<=", "万元")
    assert (cost.actual.text, cost.actual.quantity.number, cost.actual.quantity.unit) == ("1.8", Decimal("1.8"), "万元")
    quality = next(i for i in form.indicators if i.name == "路况优良率")
    assert quality.actual is not None and quality.actual.text == "88"
    assert set(quality.extra) == {"指标性质", "度量单位"}


def test_ningxia_categories_and_their_weights() -> None:
    form = form_of("ningxia_project.txt")
    assert [i.category for i in form.indicators] == ["决策", "管理", "产出指标", "效益指标"]
    assert [(c.name, c.weight) for c in form.category_weights] == [
        ("决策指标", 10), ("管理指标", 25), ("产出指标", 30), ("效益指标", 25),
    ]


@pytest.mark.parametrize("name", ["sichuan_project.txt", "ningxia_project.txt"])
def test_a_consistent_form_of_another_template_reviews_clean(name: str) -> None:
    result = review([TEMPLATES / name])
    assert result.documents[0].error is None
    assert [f.message for f in result.findings] == []


def test_sichuan_cost_cap_read_from_its_nature_column_is_checked() -> None:
    text = (TEMPLATES / "sichuan_project.txt").read_text(encoding="utf-8")
    broken = text.replace("\t1.8\n", "\t2.5\n")  # the cost per km now exceeds its ≤ 2万元 cap
    result = review_text(broken)
    assert "score.full_despite_missed_target" in {f.rule for f in result}


def review_text(text: str) -> list:  # type: ignore[type-arg]
    from auditor.pipeline import review_documents

    return review_documents([extract_bytes(text.encode("utf-8"), "sichuan.txt")]).findings


def test_an_unknown_layout_is_not_recognised_rather_than_misread() -> None:
    table = "\t序号\n\t资产名称\n\t数量\n\n\t1\n\t办公桌\n\t12\n"
    result = extract_bytes(table.encode("utf-8"), "资产清单.txt")
    assert result.forms == []
    assert result.error is not None and "未识别到绩效表格" in result.error
