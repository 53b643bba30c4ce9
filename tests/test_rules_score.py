"""score.* rules on forms built in the seed text format (tests/formbuilder.py).

Scores compare to 0.01, formulas to 0.1; rounding or truncating to 2 decimals is accepted."""

from __future__ import annotations

import pytest

from tests.formbuilder import (
    DEFAULT_BLOCKS,
    DEFAULT_LINES,
    Block,
    Line,
    check_case,
    covered,
    dept_eval_text,
    family_codes,
    fires,
    line,
    parse,
    project_text,
    quiet,
    run,
)

P = project_text
D = dept_eval_text
SAT = ("满意度指标", "服务对象满意度指标")
UNIT = "测试市机关事务服务中心"


def lines_with(n: int, **cells: str) -> tuple[Line, ...]:
    """The default lines with line ``n``'s cells replaced (target, actual, weight, score, deviation, …)."""
    out = list(DEFAULT_LINES)
    out[n] = Line(**{**out[n].__dict__, **cells})
    return tuple(out)


def quant(target: str, actual: str, weight: str, score: str, deviation: str = "有偏差，已分析原因", level2: str = "数量指标") -> tuple[Line, ...]:
    """Line 0 (weight 20) replaced by one quantitative line; the weights stay 100 when ``weight`` is 20."""
    return (line("开展业务培训场次", target, actual, weight, score, deviation, level2=level2), *DEFAULT_LINES[1:])


def cost_line(target: str, actual: str, score: str, weight: str = "10") -> tuple[Line, ...]:
    return lines_with(3, target=target, actual=actual, weight=weight, score=score, deviation="费用超支")


def blocks_with(n: int, **fields: object) -> tuple[Block, ...]:
    out = list(DEFAULT_BLOCKS)
    out[n] = Block(**{**out[n].__dict__, **fields})
    return tuple(out)


B1 = DEFAULT_BLOCKS[0]
MISSED_BLOCK_LINES = (("产出指标", "数量指标", "物业服务楼栋数", "≥3栋", "2栋", "20"),) + B1.lines[1:]

CASES = [
    # --- score.total_mismatch --------------------------------------------------------
    quiet("score.total_mismatch", "total 100 = 10 + 90", P()),
    fires("score.total_mismatch", "seed 002: lines give 100, total says 90",
          P(total_score="90"), numbers=["90", "10", "100"], evidence=["90"], expected="100", actual="90"),
    quiet("score.total_mismatch", "total 99.99 is within 0.01", P(total_score="99.99")),
    fires("score.total_mismatch", "total 99.98 fires", P(total_score="99.98"),
          numbers=["99.98", "100"], evidence=["99.98"], expected="100", actual="99.98"),
    quiet("score.total_mismatch", "a scored 其中 sub-row is not added to the total",
          P(current={"weight": "10", "score": "10"})),
    quiet("score.total_mismatch", "a line scored 6.67 adds up to 96.67",
          P(lines=lines_with(1, score="6.67", deviation="部分未达标"), total_score="96.67")),
    quiet("score.total_mismatch", "a total truncated to 96.66 is within 0.01 of 96.67",
          P(lines=lines_with(1, score="6.67", deviation="部分未达标"), total_score="96.66")),
    fires("score.total_mismatch", "department form: budget 20 + blocks 40 + 40 against a stated 95",
          D(total_score="95"), title=UNIT, numbers=["95", "20", "80", "100"], evidence=["95"], expected="100", actual="95"),
    quiet("score.total_mismatch", "department form: the total adds the blocks' stated scores, not their lines",
          D(blocks=blocks_with(0, lines=B1.lines[:2] + (("满意度指标", "服务对象满意度指标", "各单位满意率", "≥90%", "95%", "9"),)))),
    # --- score.weight_sum_mismatch ---------------------------------------------------
    quiet("score.weight_sum_mismatch", "weights 10 + 90 = 100", P()),
    fires("score.weight_sum_mismatch", "seed 003: 10 + 50 + 40 + 10 = 110",
          P(lines=DEFAULT_LINES + (line("干部工作作风", "明显改善", "明显改善", "10", "10", level1="效益指标", level2="社会效益指标"),)),
          numbers=["10", "100", "110"], evidence=["100"], expected="100", actual="110"),
    quiet("score.weight_sum_mismatch", "a weight of 10.01 (sum 100.01) is within 0.01", P(lines=lines_with(1, weight="10.01"))),
    fires("score.weight_sum_mismatch", "a weight of 10.02 (sum 100.02) fires", P(lines=lines_with(1, weight="10.02")),
          numbers=["100.02", "100"], expected="100", actual="100.02"),
    fires("score.weight_sum_mismatch", "no total weight printed: the profile's 100 binds",
          P(lines=lines_with(1, weight="15"), total_weight=""), numbers=["105", "100"], expected="100", actual="105"),
    fires("score.weight_sum_mismatch", "department form: budget 20 + blocks 50 + 40 = 110",
          D(blocks=blocks_with(0, weight="50")), title=UNIT, numbers=["20", "90", "110", "100"], expected="100", actual="110"),
    quiet("score.weight_sum_mismatch", "department form: budget 20 + blocks 40 + 40 = 100", D()),
    # --- score.category_weight_mismatch ----------------------------------------------
    quiet("score.category_weight_mismatch", "stated 产出指标(50分) 效益指标(30分) 满意度指标(10分) add up",
          P(category_weights={"产出指标": 50, "效益指标": 30, "满意度指标": 10})),
    fires("score.category_weight_mismatch", "seed 003: 产出指标(50分) lines sum to 60",
          P(lines=lines_with(0, weight="30", score="30"), category_weights={"产出指标": 50}),
          numbers=["产出指标(50分)", "50", "30 + 10 + 10 + 10", "60"], evidence=["产出指标(50分)"], expected="50", actual="60"),
    quiet("score.category_weight_mismatch", "产出指标(50.01分) against 50 is within 0.01", P(category_weights={"产出指标": "50.01"})),
    fires("score.category_weight_mismatch", "产出指标(50.02分) against 50 fires", P(category_weights={"产出指标": "50.02"}),
          numbers=["50.02", "50"], expected="50.02", actual="50"),
    quiet("score.category_weight_mismatch", "without a stated category weight nothing is compared",
          P(lines=lines_with(0, weight="30", score="30"))),
    fires("score.category_weight_mismatch", "two wrong headers: one finding, two places",
          P(category_weights={"产出指标": 40, "效益指标": 20}), numbers=["40", "50"], expected="40", actual="50", extra=1),
    # --- score.exceeds_weight --------------------------------------------------------
    quiet("score.exceeds_weight", "score 10.01 of 10 is within 0.01", P(lines=lines_with(1, score="10.01"))),
    fires("score.exceeds_weight", "score 10.02 of 10 fires", P(lines=lines_with(1, score="10.02")),
          numbers=["培训考核合格率", "10.02", "10"], evidence=["10.02", "10"], expected="≤ 10", actual="10.02"),
    fires("score.exceeds_weight", "the budget row scored 12 of 10 fires", P(total={"score": "12"}),
          numbers=["预算执行率", "12", "10"], evidence=["12", "10"], expected="≤ 10", actual="12"),
    fires("score.exceeds_weight", "department goal block scored 41 of 40 fires", D(blocks=blocks_with(0, score="41")),
          title=UNIT, numbers=["41", "40"], evidence=["41"], expected="≤ 40", actual="41"),
    quiet("score.exceeds_weight", "full scores do not exceed", P()),
    # --- score.goal_subtotal_mismatch ------------------------------------------------
    quiet("score.goal_subtotal_mismatch", "block 40 = 20 + 10 + 10", D()),
    fires("score.goal_subtotal_mismatch", "seed 001: block stated 38, lines sum to 40", D(blocks=blocks_with(0, score="38")),
          title=UNIT, numbers=["物业管理费", "38", "20 + 10 + 10", "40"], evidence=["38"], expected="40", actual="38"),
    quiet("score.goal_subtotal_mismatch", "block stated 39.99 against 40 is within 0.01", D(blocks=blocks_with(0, score="39.99"))),
    fires("score.goal_subtotal_mismatch", "block stated 39.98 against 40 fires", D(blocks=blocks_with(0, score="39.98")),
          title=UNIT, numbers=["39.98", "40"], expected="40", actual="39.98"),
    fires("score.goal_subtotal_mismatch", "two blocks off: one finding, two places",
          D(blocks=(Block(**{**B1.__dict__, "score": "38"}), Block(**{**DEFAULT_BLOCKS[1].__dict__, "score": "39"}))),
          title=UNIT, numbers=["38", "40"], expected="40", actual="38", extra=1),
    quiet("score.goal_subtotal_mismatch", "project forms have no goal blocks", P(total_score="90")),
    # --- score.full_despite_missed_target --------------------------------------------
    fires("score.full_despite_missed_target", "≥95% missed with 94%, scored full",
          P(lines=lines_with(1, actual="94%")), numbers=["培训考核合格率", "≥95%", "94%", "10"],
          evidence=["≥95%", "94%", "10"], actual="94%"),
    quiet("score.full_despite_missed_target", "≥95% missed with 94%, score 9 is not full", P(lines=lines_with(1, actual="94%", score="9"))),
    quiet("score.full_despite_missed_target", "≥95% met with 96%", P()),
    quiet("score.full_despite_missed_target", "94.99% against ≥95% is within tolerance", P(lines=lines_with(1, actual="94.99%"))),
    fires("score.full_despite_missed_target", "cap ≤100万元 missed with 101万元, scored full",
          P(lines=lines_with(3, actual="101万元")), numbers=["≤100万元", "101万元"], actual="101万元"),
    fires("score.full_despite_missed_target", "a bare number is a floor: 10场 missed with 9场",
          P(lines=lines_with(0, target="10场", actual="9场")), numbers=["10场", "9场"], actual="9场"),
    quiet("score.full_despite_missed_target", "a bare number is a floor: 11场 against 10场 is met",
          P(lines=lines_with(0, target="10场", actual="11场"))),
    fires("score.full_despite_missed_target", "a bare number in 成本指标 is a cap: 101万元 against 100万元",
          P(lines=lines_with(3, target="100万元", actual="101万元")), numbers=["100万元", "101万元"], actual="101万元"),
    quiet("score.full_despite_missed_target", "a bare number in 成本指标 is a cap: 90万元 against 100万元 is met",
          P(lines=lines_with(3, target="100万元", actual="90万元"))),
    fires("score.full_despite_missed_target", "an actual written ≥90% reads as 90 against ≥95%",
          P(lines=lines_with(1, actual="≥90%")), numbers=["≥95%", "≥90%"], actual="≥90%"),
    fires("score.full_despite_missed_target", "不低于95% is a floor", P(lines=lines_with(1, target="不低于95%", actual="90%")),
          numbers=["不低于95%", "90%"], actual="90%"),
    fires("score.full_despite_missed_target", "不超过100万元 is a cap", P(lines=lines_with(3, target="不超过100万元", actual="105万元")),
          numbers=["不超过100万元", "105万元"], actual="105万元"),
    fires("score.full_despite_missed_target", "每月1次 means 12 a year: 10次 misses",
          P(lines=lines_with(0, target="每月1次", actual="10次")), numbers=["每月1次", "10次"], actual="10次"),
    fires("score.full_despite_missed_target", "每季度1次 means 4 a year: 3次 misses",
          P(lines=lines_with(0, target="每季度1次", actual="3次")), numbers=["每季度1次", "3次"], actual="3次"),
    fires("score.full_despite_missed_target", "a date is quantitative: deadline 2021年12月前 missed with 2022年3月",
          P(lines=lines_with(2, target="2021年12月前", actual="2022年3月")), numbers=["2021年12月前", "2022年3月"],
          actual="2022年3月"),
    quiet("score.full_despite_missed_target", "每月1次 met with 12次", P(lines=lines_with(0, target="每月1次", actual="12次"))),
    quiet("score.full_despite_missed_target", "qualitative targets are not compared", P(lines=lines_with(4, actual="有所提高"))),
    fires("score.full_despite_missed_target", "department block scored full while a line misses",
          D(blocks=blocks_with(0, lines=MISSED_BLOCK_LINES)), title=UNIT, numbers=["物业服务楼栋数", "≥3栋", "2栋", "40"], actual="2栋"),
    quiet("score.full_despite_missed_target", "department block not full while a line misses",
          D(blocks=blocks_with(0, lines=MISSED_BLOCK_LINES, score="35"))),
    # --- score.deducted_without_reason -----------------------------------------------
    fires("score.deducted_without_reason", "9 of 10 with 无偏差",
          P(lines=lines_with(1, score="9")), numbers=["培训考核合格率", "9", "10", "无偏差"], evidence=["9", "无偏差"],
          expected="说明扣分原因", actual="无偏差"),
    fires("score.deducted_without_reason", "9 of 10 with a blank cell", P(lines=lines_with(1, score="9", deviation="")),
          numbers=["9", "10"], evidence=["9"], actual="空白"),
    fires("score.deducted_without_reason", "9 of 10 with /", P(lines=lines_with(1, score="9", deviation="/")),
          numbers=["9", "10"], actual="/"),
    fires("score.deducted_without_reason", "9 of 10 with 无", P(lines=lines_with(1, score="9", deviation="无")), numbers=["9"], actual="无"),
    quiet("score.deducted_without_reason", "9 of 10 with a reason", P(lines=lines_with(1, score="9", deviation="部分学员补考后合格"))),
    quiet("score.deducted_without_reason", "9.99 of 10 is within 0.01", P(lines=lines_with(1, score="9.99"))),
    fires("score.deducted_without_reason", "9.98 of 10 fires", P(lines=lines_with(1, score="9.98")), numbers=["9.98", "10"], actual="无偏差"),
    fires("score.deducted_without_reason", "department block 35 of 40, the analysis does not name it",
          D(blocks=blocks_with(0, score="35")), title=UNIT, numbers=["物业管理费", "35", "40"], evidence=["35"], actual="未说明"),
    quiet("score.deducted_without_reason", "department block 35 of 40, the analysis names it",
          D(blocks=blocks_with(0, score="35"), deviation_text="物业管理费项目因合同变更，服务楼栋减少。")),
    # --- score.formula_mismatch ------------------------------------------------------
    quiet("score.formula_mismatch", "positive: 90 of ≥100 scores 20 × 0.9 = 18", P(lines=quant("≥100场", "90场", "20", "18"))),
    quiet("score.formula_mismatch", "positive: 17.9 is within 0.1 of 18", P(lines=quant("≥100场", "90场", "20", "17.9"))),
    fires("score.formula_mismatch", "positive: 17.89 is 0.11 off 18", P(lines=quant("≥100场", "90场", "20", "17.89")),
          numbers=["开展业务培训场次", "≥100场", "90场", "18", "17.89", "正向"], evidence=["≥100场", "90场", "17.89"],
          expected="18", actual="17.89"),
    quiet("score.formula_mismatch", "positive: 18.1 is within 0.1 of 18", P(lines=quant("≥100场", "90场", "20", "18.1"))),
    fires("score.formula_mismatch", "positive: 18.11 is 0.11 off 18", P(lines=quant("≥100场", "90场", "20", "18.11")),
          numbers=["18", "18.11"], expected="18", actual="18.11"),
    quiet("score.formula_mismatch", "positive: never above the weight (110 of 100 scores 20)", P(lines=quant("≥100场", "110场", "20", "20"))),
    quiet("score.formula_mismatch", "positive: 2 of 3 rounded to 6.67", P(lines=lines_with(1, target="≥3次", actual="2次", score="6.67"))),
    quiet("score.formula_mismatch", "positive: 2 of 3 truncated to 6.66", P(lines=lines_with(1, target="≥3次", actual="2次", score="6.66"))),
    quiet("score.formula_mismatch", "negative: 125 against ≤100 scores 10 × 100/125 = 8", P(lines=cost_line("≤100万元", "125万元", "8"))),
    quiet("score.formula_mismatch", "negative: FASP reading 10 × (1 − 0.25) = 7.5 is accepted too", P(lines=cost_line("≤100万元", "125万元", "7.5"))),
    fires("score.formula_mismatch", "negative: 7.75 matches neither 8 nor 7.5", P(lines=cost_line("≤100万元", "125万元", "7.75")),
          numbers=["≤100万元", "125万元", "8", "7.5", "7.75", "反向"], expected="8 或 7.5", actual="7.75"),
    quiet("score.formula_mismatch", "negative: FASP reading gives 0 at twice the target", P(lines=cost_line("≤100万元", "200万元", "0"))),
    fires("score.formula_mismatch", "seed 002: ≤6.20万元 met with 4.69, scored 3.8 of 5",
          P(lines=cost_line("≤6.20万元", "4.69万元", "3.8", weight="5")), numbers=["≤6.20万元", "4.69万元", "5", "3.8"],
          evidence=["≤6.20万元", "4.69万元", "3.8"], expected="5", actual="3.8"),
    quiet("score.formula_mismatch", "qualitative tiers are not formula-checked (30 → 20)",
          P(lines=lines_with(4, actual="有所提高", score="20", deviation="效果未达预期"))),
    quiet("score.formula_mismatch", "a qualitative actual against a numeric target is not formula-checked",
          P(lines=lines_with(1, actual="基本合格", score="6", deviation="部分不合格"))),
    # --- score.missing ---------------------------------------------------------------
    fires("score.missing", "a weighted line with a blank score", P(lines=lines_with(1, score="")),
          numbers=["培训考核合格率", "10"], evidence=["10"], expected="得分", actual="空白"),
    fires("score.missing", "a weighted line scored —", P(lines=lines_with(1, score="—")), numbers=["10"], actual="空白"),
    fires("score.missing", "a blank total score (总分 | 100 | blank)", P(total_score=""), numbers=["总分"], actual="空白"),
    fires("score.missing", "a blank total score and weight", P(total_weight="", total_score=""), numbers=["总分"], actual="空白"),
    fires("score.missing", "no 总分 row at all", P(total_weight=None, total_score=None), numbers=["总分"], actual="空白"),
    fires("score.missing", "department form without 总分", D(total_score=None), title=UNIT, numbers=["总分"], actual="空白"),
    quiet("score.missing", "every line and the total scored", P()),
    quiet("score.missing", "department blocks' lines carry no weight: nothing missing", D()),
    # --- score.grade_mismatch --------------------------------------------------------
    quiet("score.grade_mismatch", "100 is 优", P(grade="优")),
    quiet("score.grade_mismatch", "90 is still 优", P(total_score="90", grade="优")),
    fires("score.grade_mismatch", "89.99 stated 优 is 良", P(total_score="89.99", grade="优"),
          numbers=["89.99", "良", "优"], evidence=["优"], expected="良", actual="优"),
    fires("score.grade_mismatch", "85 stated 优 is 良", P(total_score="85", grade="优"), numbers=["85"], expected="良", actual="优"),
    quiet("score.grade_mismatch", "60 is 中", P(total_score="60", grade="中")),
    fires("score.grade_mismatch", "59 stated 中 is 差", P(total_score="59", grade="中"), numbers=["59"], expected="差", actual="中"),
    quiet("score.grade_mismatch", "no grade stated", P(total_score="59")),
    fires("score.grade_mismatch", "a grade written inline: 评价等级：优 under a total of 85",
          P(total_score="85") + "\n\t评价等级：优\n", numbers=["85"], expected="良", actual="优"),
    fires("score.grade_mismatch", "a grade alone after the total score: 总分 | 100 | 85 | 优",
          P(total_score="85").replace("\t总分\n\t100\n\t85\n\t", "\t总分\n\t100\n\t85\n\t优"), expected="良", actual="优"),
    quiet("score.grade_mismatch", "自评等级：良好 under 85", P(total_score="85") + "\n\t自评等级：良好\n"),
]


@pytest.mark.parametrize(("code", "text", "expect", "profile"), CASES)
def test_score_rule(code: str, text: str, expect: object, profile: str) -> None:
    check_case(code, text, expect, profile)  # type: ignore[arg-type]


def test_table_covers_every_score_rule() -> None:
    firing, silent = covered(CASES)
    assert firing == family_codes("score")
    assert silent == family_codes("score")


def test_a_wrong_category_header_fires_three_rules_together() -> None:
    """Independence (seed 003 附件3-1): 效益指标（30分） holds 40 points of lines, so the
    category, the weight sum (110) and the total (110 against 100) are all wrong."""
    extra = line("干部工作作风", "明显改善", "明显改善", "10", "10", level1="效益指标", level2="社会效益指标")
    forms = parse(P(lines=DEFAULT_LINES + (extra,), category_weights={"效益指标": 30}))
    found = {f.rule: f for f in run(forms)}
    assert {"score.category_weight_mismatch", "score.weight_sum_mismatch", "score.total_mismatch"} <= set(found)
    assert (found["score.category_weight_mismatch"].expected, found["score.category_weight_mismatch"].actual) == ("30", "40")
    assert (found["score.weight_sum_mismatch"].expected, found["score.weight_sum_mismatch"].actual) == ("100", "110")
    assert (found["score.total_mismatch"].expected, found["score.total_mismatch"].actual) == ("110", "100")


def test_one_finding_per_form_and_rule_listing_the_other_rows() -> None:
    lines = lines_with(1, score="12")
    lines = tuple(lines[:2]) + (Line(**{**lines[2].__dict__, "score": "11"}),) + tuple(lines[3:])
    found = run(parse(P(lines=lines)), ["score.exceeds_weight"])
    assert len(found) == 1
    f = found[0]
    assert len(f.locations) == 1 and f.locations[0].row != f.location.row
    assert "培训考核合格率" in f.message and "培训按期完成率" in f.message
    assert {"12", "11"} <= set(f.evidence)
