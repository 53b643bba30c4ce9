"""Templates the seeds do not show: found by header words, not by the seeds' positions.

sichuan_project.txt puts the operator (指标性质) and the unit (度量单位) in columns of their
own and calls the actual 全年实际值; ningxia_project.txt uses 决策/管理/产出/效益 categories
with their weights in the labels. Both are consistent forms: a review finds nothing."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from auditor.findings import Finding
from auditor.pipeline import extract_bytes, extract_path, review, review_documents
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
    assert "score.full_despite_missed_target" in {f.rule for f in findings_of(broken)}


def test_an_unknown_layout_is_not_recognised_rather_than_misread() -> None:
    table = "\t序号\n\t资产名称\n\t数量\n\n\t1\n\t办公桌\n\t12\n"
    result = extract_bytes(table.encode("utf-8"), "资产清单.txt")
    assert result.forms == []
    assert result.error is not None and "未识别到绩效表格" in result.error


def rows_text(*rows: list[str]) -> str:
    return "\n\n".join("\n".join("\t" + c for c in row) for row in rows) + "\n"


FUNDS_AND_LINES = (
    ["项目资金（万元）", "", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"],
    ["", "年度资金总额", "100", "100", "100", "10", "100%", "10"],
    ["", "其中：中央补助资金", "60", "60", "60", "—", "—", "—"],
    ["", "省级配套资金", "30", "30", "30", "—", "—", "—"],
    ["绩效指标", "一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施"],
    ["", "产出指标", "数量指标", "培训人数", "≥100人", "100人", "90", "90", "/"],
    ["总分", "100", "100", "/"],
)


def test_a_title_written_above_the_table_starts_the_form() -> None:
    text = "项目支出绩效自评表\n项目名称：农技推广培训    填报日期：2023年3月1日\n\n" + rows_text(*FUNDS_AND_LINES)
    result = extract_bytes(text.encode("utf-8"), "inline.txt")
    (form,) = result.forms
    assert isinstance(form, ProjectSelfEval)
    assert form.title == "农技推广培训" and form.heading == "项目支出绩效自评表"
    assert form.total_score is not None and form.total_score.text == "100"


def test_other_sources_of_funds_are_funds_lines() -> None:
    text = rows_text(["项目名称", "农技推广培训"], *FUNDS_AND_LINES)
    (form,) = extract_bytes(text.encode("utf-8"), "parts.txt").forms
    assert isinstance(form, ProjectSelfEval)
    assert [(r.key, r.label) for r in form.funds] == [
        ("total", "年度资金总额"), ("part", "其中：中央补助资金"), ("part", "省级配套资金"),
    ]
    rules = {f.rule for f in findings_of(text)}
    assert "funds.breakdown_mismatch" in rules  # 60 + 30 = 90 against a total of 100


def findings_of(text: str) -> list[Finding]:
    return review_documents([extract_bytes(text.encode("utf-8"), "t.txt")]).findings
