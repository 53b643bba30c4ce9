"""funds.* rules on forms built in the seed text format (tests/formbuilder.py).

Tolerances (shared/spec/findings.md): money max(0.01 万元, 0.1 % relative), rates 0.5 pp,
scores 0.01. Also here: the builder's default forms are clean under every rule."""

from __future__ import annotations

import pytest

from tests.formbuilder import (
    DEFAULT_LINES,
    check_case,
    covered,
    dept_eval_form,
    dept_eval_text,
    dept_targets_forms,
    family_codes,
    fires,
    line,
    parse,
    project_form,
    project_text,
    quiet,
    run,
)

P = project_text


def cost(name: str, target: str, actual: str, weight: str = "5", score: str = "5") -> object:
    return line(name, target, actual, weight, score, level2="成本指标")


# Weights stay 100 in total; only the 成本指标 lines change.
def with_costs(*costs: object) -> tuple[object, ...]:
    return tuple(ln for ln in DEFAULT_LINES if ln.level2 != "成本指标") + costs


SMALL = {"initial": "5", "budget": "5", "executed": "5"}  # a budget where 0.01 万元 dominates
LARGE = {"initial": "1000", "budget": "1000", "executed": "1000"}  # where 0.1 % (1 万元) dominates

CASES = [
    # --- funds.executed_exceeds_budget -------------------------------------------------
    quiet("funds.executed_exceeds_budget", "executed equal to budget is fine", P()),
    quiet("funds.executed_exceeds_budget", "executed 0.01 over a 5 万元 budget is within tolerance",
          P(total={**SMALL, "executed": "5.01"})),
    fires("funds.executed_exceeds_budget", "executed 0.02 over a 5 万元 budget fires",
          P(total={**SMALL, "executed": "5.02"}),
          numbers=["5.02", "5"], evidence=["5.02", "5"], expected="≤ 5", actual="5.02"),
    quiet("funds.executed_exceeds_budget", "executed 1 over a 1000 万元 budget is within 0.1%",
          P(total={**LARGE, "executed": "1001"})),
    fires("funds.executed_exceeds_budget", "executed 1.1 over a 1000 万元 budget fires",
          P(total={**LARGE, "executed": "1001.1"}),
          numbers=["1001.1", "1000"], evidence=["1001.1", "1000"], expected="≤ 1000", actual="1001.1"),
    quiet("funds.executed_exceeds_budget", "executed 0.09 over 100 万元 is within 0.1% relative",
          P(total={"executed": "100.09"})),
    fires("funds.executed_exceeds_budget", "seed 003: budget 31.6 executed 523.12 fires",
          P(total={"initial": "31.6", "budget": "31.6", "executed": "523.12"}),
          numbers=["523.12", "31.6"], evidence=["523.12", "31.6"], expected="≤ 31.6", actual="523.12"),
    fires("funds.executed_exceeds_budget", "a 其中 sub-row over its budget fires too",
          P(current={"executed": "120"}),
          numbers=["120", "100", "当年财政拨款"], evidence=["120", "100"], actual="120"),
    quiet("funds.executed_exceeds_budget", "blank executed is unknown, not compared",
          P(total={"executed": ""})),
    # --- funds.rate_mismatch ---------------------------------------------------------
    quiet("funds.rate_mismatch", "stated 90.5% against computed 90% is within 0.5 pp",
          P(total={"executed": "90", "rate": "90.5%", "score": "9"})),
    fires("funds.rate_mismatch", "stated 90.6% against computed 90% fires",
          P(total={"executed": "90", "rate": "90.6%", "score": "9"}),
          numbers=["90.6%", "90%", "90", "100"], evidence=["90.6%", "90", "100"], expected="90%", actual="90.6%"),
    quiet("funds.rate_mismatch", "stated 89.5% against computed 90% is within 0.5 pp",
          P(total={"executed": "90", "rate": "89.5%", "score": "9"})),
    fires("funds.rate_mismatch", "stated 89.4% against computed 90% fires",
          P(total={"executed": "90", "rate": "89.4%", "score": "9"}),
          numbers=["89.4%", "90%"], expected="90%", actual="89.4%"),
    quiet("funds.rate_mismatch", "a fraction 0.9 reads as 90%", P(total={"executed": "90", "rate": "0.9", "score": "9"})),
    fires("funds.rate_mismatch", "seed 003: states 100% while executed is 16.55× budget",
          P(total={"initial": "31.6", "budget": "31.6", "executed": "523.12"}),
          numbers=["100%", "1655.44%", "523.12", "31.6"], evidence=["100%", "523.12", "31.6"], expected="1655.44%", actual="100%"),
    quiet("funds.rate_mismatch", "a rate of two thirds written 66.67% matches", P(total={"budget": "3", "initial": "3", "executed": "2", "rate": "66.67%", "score": "6.67"})),
    quiet("funds.rate_mismatch", "a sub-row with rate — is not compared", P(current={"executed": "50"})),
    # --- funds.score_mismatch --------------------------------------------------------
    quiet("funds.score_mismatch", "score 9.01 against 10 × 90% is within 0.01",
          P(total={"executed": "90", "rate": "90%", "score": "9.01"})),
    fires("funds.score_mismatch", "score 9.02 against 10 × 90% fires",
          P(total={"executed": "90", "rate": "90%", "score": "9.02"}),
          numbers=["9.02", "10", "90%", "9"], evidence=["9.02", "90%"], expected="9", actual="9.02"),
    quiet("funds.score_mismatch", "two thirds rounded to 6.67 is accepted",
          P(total={"budget": "3", "initial": "3", "executed": "2", "rate": "66.67%", "score": "6.67"})),
    quiet("funds.score_mismatch", "two thirds truncated to 6.66 is accepted",
          P(total={"budget": "3", "initial": "3", "executed": "2", "rate": "66.67%", "score": "6.66"})),
    fires("funds.score_mismatch", "two thirds scored 6.64 fires",
          P(total={"budget": "3", "initial": "3", "executed": "2", "rate": "66.67%", "score": "6.64"}),
          numbers=["6.64", "6.67"], expected="6.67", actual="6.64"),
    quiet("funds.score_mismatch", "the rate is capped at 100%: 110% executed still scores 10",
          P(total={"executed": "110", "rate": "110%", "score": "10"})),
    fires("funds.score_mismatch", "the rate is capped at 100%: scoring 11 fires",
          P(total={"executed": "110", "rate": "110%", "score": "11"}),
          numbers=["11", "10", "100%"], expected="10", actual="11"),
    fires("funds.score_mismatch", "full score at 80% execution fires",
          P(total={"executed": "80", "rate": "80%", "score": "10"}),
          numbers=["10", "80%", "8"], evidence=["10", "80%"], expected="8", actual="10"),
    quiet("funds.score_mismatch", "department form: 20 × 95% = 19",
          dept_eval_text(executed="95", rate="95%", budget_score="19")),
    fires("funds.score_mismatch", "department form: full 20 at 95% fires",
          dept_eval_text(executed="95", rate="95%", budget_score="20"), title="测试市机关事务服务中心",
          numbers=["20", "95%", "19"], evidence=["20", "95%"], expected="19", actual="20"),
    quiet("funds.score_mismatch", "score written 9分 reads as 9", P(total={"executed": "90", "rate": "90%", "score": "9分"})),
    # --- funds.breakdown_mismatch ----------------------------------------------------
    fires("funds.breakdown_mismatch", "seed 003: blank 当年财政拨款 年初预算数 counts 0 against 100",
          P(current={"initial": ""}),
          numbers=["年初预算数", "空白(0)", "0", "100"], evidence=["100", "0"], expected="100", actual="0"),
    quiet("funds.breakdown_mismatch", "blank 上年结转/其他 rows count 0 and add up",
          P(carryover={"initial": "", "budget": "", "executed": ""}, other={"initial": "", "budget": "", "executed": ""})),
    quiet("funds.breakdown_mismatch", "sub-rows 0.01 off a 5 万元 total are within tolerance",
          P(total=SMALL, current={**SMALL, "budget": "5.01"})),
    fires("funds.breakdown_mismatch", "sub-rows 0.02 off a 5 万元 total fire",
          P(total=SMALL, current={**SMALL, "budget": "5.02"}),
          numbers=["全年预算数", "5.02", "5"], evidence=["5", "5.02"], expected="5", actual="5.02"),
    quiet("funds.breakdown_mismatch", "sub-rows 1 off a 1000 万元 total are within 0.1%",
          P(total=LARGE, current={**LARGE, "executed": "999"})),
    fires("funds.breakdown_mismatch", "sub-rows 1.1 off a 1000 万元 total fire",
          P(total=LARGE, current={**LARGE, "executed": "998.9"}),
          numbers=["全年执行数", "998.9", "1000"], expected="1000", actual="998.9"),
    fires("funds.breakdown_mismatch", "split 60 + 30 + 0 against 100 fires",
          P(current={"initial": "60", "budget": "60", "executed": "60"}, carryover={"initial": "30", "budget": "30", "executed": "30"}),
          numbers=["60", "30", "90", "100"], expected="100", actual="90", extra=2),
    quiet("funds.breakdown_mismatch", "split 60 + 30 + 10 adds up",
          P(current={"initial": "60", "budget": "60", "executed": "60"}, carryover={"initial": "30", "budget": "30", "executed": "30"},
            other={"initial": "10", "budget": "10", "executed": "10"})),
    quiet("funds.breakdown_mismatch", "no sub-rows: nothing to compare", P(omit_funds=("current", "carryover", "other"))),
    # --- funds.subrow_scored ---------------------------------------------------------
    fires("funds.subrow_scored", "seed 003: 当年财政拨款 row scored 10",
          P(current={"weight": "10", "rate": "100%", "score": "10"}),
          numbers=["当年财政拨款", "10/10"], evidence=["10"], actual="10/10"),
    fires("funds.subrow_scored", "a sub-row with a score only fires",
          P(current={"score": "10"}), numbers=["10"], evidence=["10"], actual="10"),
    quiet("funds.subrow_scored", "a sub-row with — in 分值/得分 is fine", P()),
    quiet("funds.subrow_scored", "a sub-row with its own rate but no score is fine", P(current={"rate": "100%"})),
    # --- funds.adjustment_unexplained ------------------------------------------------
    fires("funds.adjustment_unexplained", "seed 003: 2414.16 → 2662.18 without a reason",
          P(total={"initial": "2414.16", "budget": "2662.18", "executed": "2662.18"}),
          numbers=["2414.16", "2662.18", "248.02"], evidence=["2414.16", "2662.18"], actual="2662.18"),
    quiet("funds.adjustment_unexplained", "initial 5 → 5.01 is within tolerance", P(total={**SMALL, "budget": "5.01"})),
    fires("funds.adjustment_unexplained", "initial 5 → 5.02 fires",
          P(total={**SMALL, "budget": "5.02"}), numbers=["5", "5.02", "0.02"], evidence=["5", "5.02"], actual="5.02"),
    quiet("funds.adjustment_unexplained", "initial 1000 → 1001 is within 0.1%", P(total={**LARGE, "budget": "1001"})),
    quiet("funds.adjustment_unexplained", "the result text gives the reason (追加)",
          P(total={"initial": "90"}, result="年中追加培训任务，全年按计划完成各项培训任务。")),
    quiet("funds.adjustment_unexplained", "a deviation cell gives the reason (调整)",
          P(total={"initial": "90"}, lines=DEFAULT_LINES[:-1] + (line("参训人员满意度", "≥90%", "95%", "10", "10", "年中预算调整增加培训经费", "满意度指标", "服务对象满意度指标"),))),
    quiet("funds.adjustment_unexplained", "the report gives the reason (调增)",
          P(total={"initial": "90"}, report=True, report_body=("年中根据工作需要调增预算10万元。",))),
    fires("funds.adjustment_unexplained", "a report that does not name the adjustment fires",
          P(total={"initial": "90"}, report=True), numbers=["90", "100"], actual="100"),
    fires("funds.adjustment_unexplained", "another form's reason does not explain this form's adjustment",
          P(total={"initial": "90"}) + "\n\n" + P("另一项目经费", result="预算调整后全年按计划完成各项培训任务。"),
          numbers=["90", "100"]),
    quiet("funds.adjustment_unexplained", "carry-over words explain it (上年结转资金10万元)",
          P(total={"initial": "90"}, result="上年结转资金已纳入全年预算，全年按计划完成各项培训任务。")),
    quiet("funds.adjustment_unexplained", "an amount equal to the difference explains it",
          P(total={"initial": "90"}, result="全年按计划完成各项培训任务，另支付培训教材费10万元。")),
    quiet("funds.adjustment_unexplained", "全年 = 年初 + 上年结转 in the funds block",
          P(total={"initial": "90"}, carryover={"initial": "0", "budget": "10", "executed": "10"},
            current={"initial": "90", "budget": "90", "executed": "90"})),
    fires("funds.adjustment_unexplained", "seed-like template note (应单独说明理由) is no reason",
          P(total={"initial": "90"}, result="年中发生预算调整的，应单独说明理由。全年按计划完成各项培训任务。"),
          numbers=["90", "100"]),
    # --- funds.low_execution_unexplained ---------------------------------------------
    fires("funds.low_execution_unexplained", "80% execution with 无偏差 everywhere fires",
          P(total={"executed": "80", "rate": "80%", "score": "8"}),
          numbers=["80%", "90%"], evidence=["80%", "80", "100"], actual="80%"),
    fires("funds.low_execution_unexplained", "89.9% execution fires (no tolerance on the 90% threshold)",
          P(total={"executed": "89.9", "rate": "89.9%", "score": "8.99"}), numbers=["89.9%"], actual="89.9%"),
    quiet("funds.low_execution_unexplained", "exactly 90% execution is fine", P(total={"executed": "90", "rate": "90%", "score": "9"})),
    quiet("funds.low_execution_unexplained", "a deviation cell explains the low execution",
          P(total={"executed": "80", "rate": "80%", "score": "8"},
            lines=DEFAULT_LINES[:-1] + (line("参训人员满意度", "≥90%", "95%", "10", "10", "部分培训合并举办，资金结余", "满意度指标", "服务对象满意度指标"),))),
    quiet("funds.low_execution_unexplained", "the report's 存在的问题 explains the low execution",
          P(total={"executed": "80", "rate": "80%", "score": "8"}, report=True, problems="受疫情影响部分培训取消，资金结余20万元。")),
    quiet("funds.low_execution_unexplained", "the 实际完成情况 text explains the low execution",
          P(total={"executed": "80", "rate": "80%", "score": "8"}, result="受疫情影响部分培训取消，资金结余20万元。")),
    fires("funds.low_execution_unexplained", "the rate is computed from the amounts, not the stated 100%",
          P(total={"executed": "50", "rate": "100%", "score": "10"}), numbers=["50%"], actual="50%"),
    # --- funds.cost_sum_mismatch -----------------------------------------------------
    fires("funds.cost_sum_mismatch", "seed 000: cost actuals 83 + 120 = 203 against 200 executed",
          P(total={"initial": "200", "budget": "200", "executed": "200"}, current={"initial": "200", "budget": "200", "executed": "200"},
            lines=with_costs(cost("餐厅食材采购", "≤100万元", "83万元"), cost("餐厅人员经费", "≤100万元", "120万元"))),
          numbers=["83", "120", "203", "200"], evidence=["83万元", "120万元", "200"], expected="≤ 200", actual="203"),
    quiet("funds.cost_sum_mismatch", "cost actuals 60 + 40 = 100 against 100 executed",
          P(lines=with_costs(cost("培训场地费", "≤60万元", "60万元"), cost("培训师资费", "≤40万元", "40万元")))),
    fires("funds.cost_sum_mismatch", "cost targets and actuals 60 + 50 = 110 both over: one finding, two places",
          P(lines=with_costs(cost("培训场地费", "≤60万元", "60万元"), cost("培训师资费", "≤50万元", "50万元"))),
          numbers=["60", "50", "110", "100"], expected="≤ 100", actual="110", extra=1),
    quiet("funds.cost_sum_mismatch", "cost actual 5.01 against 5 executed is within tolerance",
          P(total=SMALL, current=SMALL, lines=with_costs(cost("培训费用", "≤5万元", "5.01万元")))),
    fires("funds.cost_sum_mismatch", "cost actual 5.02 against 5 executed fires",
          P(total=SMALL, current=SMALL, lines=with_costs(cost("培训费用", "≤5万元", "5.02万元"))),
          numbers=["5.02", "5"], evidence=["5.02万元"], expected="≤ 5", actual="5.02"),
    fires("funds.cost_sum_mismatch", "amounts in 元 are converted: 600000元 + 500000元 = 110 万元",
          P(lines=with_costs(cost("培训场地费", "≤600000元", "600000元"), cost("培训师资费", "≤400000元", "500000元"))),
          numbers=["60", "50", "110"], evidence=["600000元", "500000元"], actual="110"),
    quiet("funds.cost_sum_mismatch", "a 成本指标 in % (not money) is not added",
          P(lines=with_costs(cost("培训费用", "≤100万元", "100万元"), cost("成本节约率", "≥5%", "8%")))),
]


@pytest.mark.parametrize(("code", "text", "expect", "profile"), CASES)
def test_funds_rule(code: str, text: str, expect: object, profile: str) -> None:
    check_case(code, text, expect, profile)  # type: ignore[arg-type]


def test_table_covers_every_funds_rule() -> None:
    firing, silent = covered(CASES)
    assert firing == family_codes("funds")
    assert silent == family_codes("funds")


def test_default_forms_are_clean_under_every_rule() -> None:
    for forms in ([project_form()], [project_form(report=True)], [dept_eval_form()], dept_targets_forms()):
        assert run(forms) == [], [(f.rule, f.message) for f in run(forms)]


def test_one_finding_per_form_and_rule_listing_the_other_rows() -> None:
    text = P(total={"executed": "130"}, current={"executed": "120"}, carryover={"executed": "10"})
    found = run(parse(text), ["funds.executed_exceeds_budget"])
    assert len(found) == 1
    f = found[0]
    rows = [f.location.row, *(loc.row for loc in f.locations)]
    assert len(rows) == 3 and len(set(rows)) == 3
    assert {"130", "120", "10"} <= set(f.evidence)
    assert "年度资金总额" in f.message and "当年财政拨款" in f.message and "上年结转资金" in f.message


def test_one_finding_per_rule_for_each_form_of_a_document() -> None:
    text = P(total={"executed": "130"}) + "\n\n" + P("另一项目经费", total={"executed": "140"})
    found = run(parse(text), ["funds.executed_exceeds_budget"])
    assert sorted(f.form for f in found) == sorted(["测试项目运行经费", "另一项目经费"])
