"""dept.* rules on department forms built in the seed text format (tests/formbuilder.py):
a 部门整体支出绩效自评表 with goal blocks (like 001) and a department target table with
its sub-item summary and one target table per sub-item (like 004)."""

from __future__ import annotations

import pytest

from tests.formbuilder import (
    DEFAULT_SUB_ITEMS,
    SubItemTable,
    check_case,
    covered,
    dept_eval_text,
    dept_targets_text,
    family_codes,
    fires,
    parse,
    project_text,
    quiet,
    run,
)

D = dept_eval_text
T = dept_targets_text
P = project_text
UNIT = "测试市机关事务服务中心"
S1, S2 = DEFAULT_SUB_ITEMS


def sub1(**fields: object) -> tuple[SubItemTable, ...]:
    return (SubItemTable(**{**S1.__dict__, **fields}), S2)


def own(amount: str) -> tuple[SubItemTable, ...]:
    """Sub-item 1 whose own table states 项目金额 ``amount`` (and caps its cost there)."""
    lines = list(S1.lines)
    lines[1] = (*lines[1][:3], f"{amount}万元以内")
    return sub1(own_amount=amount, lines=tuple(lines))


def sub1_lines_with(n: int, target: str) -> tuple[SubItemTable, ...]:
    lines = list(S1.lines)
    lines[n] = (*lines[n][:3], target)
    return sub1(lines=tuple(lines))


CASES = [
    # --- dept.total_mismatch ---------------------------------------------------------
    quiet("dept.total_mismatch", "self-evaluation: 30 + 70 = 100", D()),
    fires("dept.total_mismatch", "self-evaluation: 30 + 60 = 90 against budget and executed 100",
          D(project="60"), title=UNIT, numbers=["30", "60", "90", "100 / 100"], evidence=["30", "60", "100"],
          expected="100 / 100", actual="90"),
    quiet("dept.total_mismatch", "self-evaluation: the split may match the executed amount",
          D(budget="110", executed="100", rate="90.91%", budget_score="18.18")),
    quiet("dept.total_mismatch", "self-evaluation: 3 + 2.01 against 5 is within 0.01",
          D(basic="3", project="2.01", budget="5", executed="5")),
    fires("dept.total_mismatch", "self-evaluation: 3 + 2.02 against 5 fires",
          D(basic="3", project="2.02", budget="5", executed="5"), title=UNIT, numbers=["3", "2.02", "5.02", "5"], actual="5.02"),
    quiet("dept.total_mismatch", "self-evaluation: 300 + 701 against 1000 is within 0.1%",
          D(basic="300", project="701", budget="1000", executed="1000")),
    fires("dept.total_mismatch", "self-evaluation: 300 + 701.1 against 1000 fires",
          D(basic="300", project="701.1", budget="1000", executed="1000"), title=UNIT, numbers=["1001.1", "1000"], actual="1001.1"),
    quiet("dept.total_mismatch", "target table: 30 + 100 = 资金总额 130", T()),
    fires("dept.total_mismatch", "target table: 30 + 100 against 资金总额 120",
          T(total="120"), title=UNIT, numbers=["30", "100", "130", "120"], evidence=["30", "100", "120"], expected="120", actual="130"),
    quiet("dept.total_mismatch", "seed 004 figures: 328.9946 + 588.50 = 917.4946",
          T(total="917.4946", basic="328.9946", project="588.50", sub_items_total="588.50",
            sub_items=(SubItemTable("零星维修购置", "155", S1.lines), SubItemTable("物业管理及水电气供应", "433.50", S2.lines)))),
    # --- dept.item_sum_mismatch ------------------------------------------------------
    quiet("dept.item_sum_mismatch", "sub-items 40 + 60 = 合计 100", T()),
    fires("dept.item_sum_mismatch", "sub-items 40 + 60 against 合计 110",
          T(sub_items_total="110", project="110", total="140"), title=UNIT,
          numbers=["40 + 60", "100", "110"], evidence=["40", "60"], expected="110", actual="100"),
    fires("dept.item_sum_mismatch", "no 合计 row: sub-items 40 + 50 against 项目支出 100",
          T(sub_items_total=None, sub_items=(S1, SubItemTable(S2.name, "50", S2.lines))), title=UNIT,
          numbers=["40 + 50", "90", "100"], expected="100", actual="90"),
    quiet("dept.item_sum_mismatch", "sub-items 400 + 601 against 合计 1000 are within 0.1%",
          T(total="1030", project="1000", sub_items_total="1000",
            sub_items=(SubItemTable(S1.name, "400", S1.lines), SubItemTable(S2.name, "601", S2.lines)))),
    fires("dept.item_sum_mismatch", "sub-items 400 + 601.1 against 合计 1000 fire",
          T(total="1030", project="1000", sub_items_total="1000",
            sub_items=(SubItemTable(S1.name, "400", S1.lines), SubItemTable(S2.name, "601.1", S2.lines))), title=UNIT,
          numbers=["1001.1", "1000"], expected="1000", actual="1001.1"),
    fires("dept.item_sum_mismatch", "report text: 100万元，其中 60万元 and 30万元",
          P(report=True, report_body=("本项目全年预算资金100万元，其中培训场地费60万元，培训师资费30万元。",)),
          numbers=["100", "60 + 30", "90"], evidence=["100万元，其中"], expected="100", actual="90", where="paragraph"),
    quiet("dept.item_sum_mismatch", "report text: 100万元，其中 60万元 and 40万元",
          P(report=True, report_body=("本项目全年预算资金100万元，其中培训场地费60万元，培训师资费40万元。",))),
    quiet("dept.item_sum_mismatch", "report text: a single item after 其中 is no breakdown",
          P(report=True, report_body=("本项目全年预算资金100万元，其中培训场地费60万元。",))),
    fires("dept.item_sum_mismatch", "real r50 (西藏): 9378万元。具体是：the list in the next sentence adds to 7765",
          P(report=True, report_body=("一是布达拉宫管理处，下达预算资金9378万元。具体是：雪城修缮展示工程项目3005万元；二期结构检测工程项目1235万元；"
                                      "古籍数字化项目255万元；预防性保护项目429万元；抢救性保护项目1228万元；消防提升工程项目1613万元。",)),
          numbers=["9378", "7765"], where="paragraph"),
    quiet("dept.item_sum_mismatch", "a clause about another measure (执行率, 结余) ends the list",
          P(report=True, report_body=("全年预算100万元，其中培训场地费60万元，培训师资费40万元，执行率95%，结余资金5万元。",))),
    quiet("dept.item_sum_mismatch", "a part's own parts in brackets are not items of the list",
          P(report=True, report_body=("支出100万元，其中人员经费60万元（含工资50万元、社保10万元），公用经费40万元。",))),
    quiet("dept.item_sum_mismatch", "real r02 (安徽): amounts in 元 add up (主要包括)",
          P(report=True, report_body=("总额2026400元，主要包括村干部报酬1740000元、办公经费286400元。",))),
    fires("dept.item_sum_mismatch", "amounts in 元 that do not add up are compared in 万元",
          P(report=True, report_body=("总额2026400元，主要包括村干部报酬1740000元、办公经费186400元。",)),
          numbers=["202.64", "192.64"], where="paragraph"),
    # --- dept.cross_table_mismatch ---------------------------------------------------
    quiet("dept.cross_table_mismatch", "the same targets in both tables", T()),
    fires("dept.cross_table_mismatch", "seed 004: 全体机关人员满意度 ≥90% against ≥95%",
          T(sub_items=sub1_lines_with(2, "≥95%")), title="零星维修购置",
          numbers=["全体机关人员满意度", "≥95%", "≥90%"], evidence=["≥95%", "≥90%"], expected="≥90%", actual="≥95%"),
    fires("dept.cross_table_mismatch", "设备维护服务次数 50次以上 against 60次以上",
          T(sub_items=sub1_lines_with(0, "60次以上")), title="零星维修购置", numbers=["60次以上", "50次以上"], actual="60次以上"),
    quiet("dept.cross_table_mismatch", "each table's own budget line (总费用控制 100 vs 40万元以内) is no conflict", T()),
    quiet("dept.cross_table_mismatch", "qualitative targets are not compared",
          T(lines=(("效益指标", "社会效益", "后勤保障水平", "有所提升"),),
            sub_items=sub1(lines=S1.lines + (("效益指标", "社会效益", "后勤保障水平", "明显提升"),)))),
    fires("dept.cross_table_mismatch", "the summary says 40, the sub-item's own table 45",
          T(sub_items=own("45")), title="零星维修购置", numbers=["45", "40"], evidence=["40"], expected="40", actual="45"),
    quiet("dept.cross_table_mismatch", "the summary says 40, the own table 40.04 (within 0.1%)", T(sub_items=own("40.04"))),
    fires("dept.cross_table_mismatch", "the summary says 40, the own table 40.05", T(sub_items=own("40.05")),
          title="零星维修购置", numbers=["40.05", "40"], actual="40.05"),
    fires("dept.cross_table_mismatch", "a project self-evaluation of a sub-item with budget 45 against the summary's 40",
          T() + "\n\n\n" + P("零星维修购置", total={"initial": "45", "budget": "45", "executed": "45"},
                             current={"initial": "45", "budget": "45", "executed": "45"},
                             lines=()),
          title="零星维修购置", numbers=["45", "40"], expected="40", actual="45"),
]


@pytest.mark.parametrize(("code", "text", "expect", "profile"), CASES)
def test_dept_rule(code: str, text: str, expect: object, profile: str) -> None:
    check_case(code, text, expect, profile)  # type: ignore[arg-type]


def test_table_covers_every_dept_rule() -> None:
    firing, silent = covered(CASES)
    assert firing == family_codes("dept")
    assert silent == family_codes("dept")


def test_cross_table_mismatch_is_filed_under_the_sub_item_form() -> None:
    forms = parse(T(sub_items=sub1_lines_with(2, "≥95%")))
    assert [f.kind for f in forms] == ["dept_targets", "project_targets", "project_targets"]
    found = run(forms, ["dept.cross_table_mismatch"])
    assert [(f.form, f.form_kind) for f in found] == [("零星维修购置", "project_targets")]


def test_one_finding_per_form_and_rule_listing_the_other_rows() -> None:
    lines = list(own("45")[0].lines)
    lines[0] = (*lines[0][:3], "60次以上")
    lines[2] = (*lines[2][:3], "≥95%")
    found = run(parse(T(sub_items=sub1(lines=tuple(lines), own_amount="45"))), ["dept.cross_table_mismatch"])
    assert len(found) == 1
    f = found[0]
    assert len(f.locations) == 2  # two indicators and the amount line
    assert {"60次以上", "≥95%", "40"} <= set(f.evidence)
    assert "设备维护服务次数" in f.message and "全体机关人员满意度" in f.message and "45" in f.message
