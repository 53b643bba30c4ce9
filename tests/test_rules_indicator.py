"""indicator.* rules on forms built in the seed text format (tests/formbuilder.py)."""

from __future__ import annotations

import pytest

from tests.formbuilder import (
    DEFAULT_DEPT_LINES,
    DEFAULT_LINES,
    Line,
    check_case,
    covered,
    dept_targets_text,
    family_codes,
    fires,
    parse,
    project_text,
    quiet,
    run,
)

P = project_text
UNIT = "测试市机关事务服务中心"


def lines_with(n: int, **cells: str) -> tuple[Line, ...]:
    """The default lines with line ``n``'s cells replaced."""
    out = list(DEFAULT_LINES)
    out[n] = Line(**{**out[n].__dict__, **cells})
    return tuple(out)


def two_lines_with(a: int, cells_a: dict[str, str], b: int, cells_b: dict[str, str]) -> tuple[Line, ...]:
    out = list(lines_with(a, **cells_a))
    out[b] = Line(**{**out[b].__dict__, **cells_b})
    return tuple(out)


# Line 0 开展业务培训场次 ≥10场, 1 培训考核合格率 ≥95%, 3 培训费用 (成本指标) ≤100万元,
# 4 干部业务能力 显著提高 (qualitative), 5 参训人员满意度 ≥90%.
CASES = [
    # --- indicator.cost_direction ----------------------------------------------------
    fires("indicator.cost_direction", "seed 002: 成本指标 target >=20万元 is a floor",
          P(lines=lines_with(3, target=">=20万元", actual="20万元")),
          numbers=["培训费用", ">=20万元"], evidence=[">=20万元"], expected="≤ 上限", actual=">=20万元"),
    fires("indicator.cost_direction", "成本指标 target 不低于20万元 is a floor",
          P(lines=lines_with(3, target="不低于20万元", actual="20万元")), numbers=["不低于20万元"], actual="不低于20万元"),
    fires("indicator.cost_direction", "成本指标 target >20万元 is a floor", P(lines=lines_with(3, target=">20万元", actual="21万元")),
          numbers=[">20万元"], actual=">20万元"),
    quiet("indicator.cost_direction", "成本指标 target ≤100万元 is a cap", P()),
    quiet("indicator.cost_direction", "成本指标 bare 100万元 reads as a cap", P(lines=lines_with(3, target="100万元"))),
    quiet("indicator.cost_direction", "a floor on a 数量指标 is fine", P(lines=lines_with(0, target=">=10场"))),
    fires("indicator.cost_direction", "target table (like 004): 产出成本 ≥80万元",
          dept_targets_text(lines=DEFAULT_DEPT_LINES[:2] + (("产出指标", "产出成本", "总费用控制", "≥100万元"),) + DEFAULT_DEPT_LINES[3:]),
          title=UNIT, numbers=["总费用控制", "≥100万元"], actual="≥100万元"),
    # --- indicator.unit_mismatch -----------------------------------------------------
    fires("indicator.unit_mismatch", "seed 002: >=12辆 against 9次",
          P(lines=lines_with(0, target=">=12辆", actual="9次", score="15", deviation="车辆调整")),
          numbers=[">=12辆", "9次", "辆", "次"], evidence=[">=12辆", "9次"], expected="辆", actual="次"),
    fires("indicator.unit_mismatch", "≥10场 against 10次", P(lines=lines_with(0, actual="10次")),
          numbers=["≥10场", "10次"], expected="场", actual="次"),
    quiet("indicator.unit_mismatch", "万元 against 万 is one unit", P(lines=lines_with(3, actual="100万"))),
    quiet("indicator.unit_mismatch", "每月1次 against 12次 is compatible", P(lines=lines_with(0, target="每月1次", actual="12次"))),
    quiet("indicator.unit_mismatch", "天 against 日 is compatible", P(lines=lines_with(0, target="≤10天", actual="8日"))),
    quiet("indicator.unit_mismatch", "an actual without a unit is not compared", P(lines=lines_with(0, actual="10"))),
    # --- indicator.malformed_value ---------------------------------------------------
    fires("indicator.malformed_value", "seed 000: a doubled percent sign 90%%",
          P(lines=lines_with(5, target="90%%")),
          numbers=["参训人员满意度", "90%%"], evidence=["90%%"], expected="规范的数值或名称", actual="90%%"),
    fires("indicator.malformed_value", "a doubled comparison sign ≥=95%", P(lines=lines_with(1, target="≥=95%")),
          numbers=["≥=95%"], evidence=["≥=95%"], actual="≥=95%"),
    fires("indicator.malformed_value", "a rate (…率) actual of 105%", P(lines=lines_with(1, actual="105%")),
          numbers=["培训考核合格率", "105%", "100%"], evidence=["105%"], actual="105%"),
    quiet("indicator.malformed_value", "a rate (…率) actual of 100% is fine", P(lines=lines_with(1, actual="100%"))),
    quiet("indicator.malformed_value", "a count above 100 that is no rate is fine", P(lines=lines_with(0, target="≥100场", actual="120场"))),
    fires("indicator.malformed_value", "seed 003: an amount where the indicator's name belongs",
          P(lines=lines_with(3, name="2662.18万元")), numbers=["2662.18万元"], evidence=["2662.18万元"], actual="2662.18万元"),
    quiet("indicator.malformed_value", "clean values", P()),
    # --- indicator.type_mismatch -----------------------------------------------------
    fires("indicator.type_mismatch", "seed 000: 显著提高 → 100%", P(lines=lines_with(4, actual="100%")),
          numbers=["干部业务能力", "显著提高", "100%", "定性", "定量"], evidence=["显著提高", "100%"], expected="定性值", actual="100%"),
    fires("indicator.type_mismatch", "≥95% → 全部合格", P(lines=lines_with(1, actual="全部合格")),
          numbers=["≥95%", "全部合格"], evidence=["≥95%", "全部合格"], expected="定量值", actual="全部合格"),
    fires("indicator.type_mismatch", "a date is quantitative: 2021年12月前 → 按期完成",
          P(lines=lines_with(2, target="2021年12月前", actual="按期完成")), numbers=["2021年12月前", "按期完成"], actual="按期完成"),
    quiet("indicator.type_mismatch", "a frequency is quantitative: 每月一次 → 12次", P(lines=lines_with(0, target="每月一次", actual="12次"))),
    quiet("indicator.type_mismatch", "qualitative against qualitative", P()),
    quiet("indicator.type_mismatch", "a blank actual is not a type", P(lines=lines_with(4, actual=""))),
    # --- indicator.missing_actual ----------------------------------------------------
    fires("indicator.missing_actual", "a target with a blank actual", P(lines=lines_with(1, actual="")),
          numbers=["培训考核合格率", "≥95%"], evidence=["≥95%"], expected="实际完成值", actual="空白"),
    fires("indicator.missing_actual", "a target with actual /", P(lines=lines_with(1, actual="/")), numbers=["≥95%"], actual="空白"),
    fires("indicator.missing_actual", "two lines without actuals: one finding, two places",
          P(lines=two_lines_with(1, {"actual": ""}, 5, {"actual": ""})), numbers=["≥95%"], actual="空白", extra=1),
    quiet("indicator.missing_actual", "no target and no actual", P(lines=lines_with(1, target="", actual=""))),
    quiet("indicator.missing_actual", "target tables carry no actuals", dept_targets_text()),
    # --- indicator.missing_target ----------------------------------------------------
    fires("indicator.missing_target", "a named indicator with a blank target", P(lines=lines_with(1, target="")),
          numbers=["培训考核合格率"], evidence=["培训考核合格率"], expected="目标值", actual="空白"),
    fires("indicator.missing_target", "a named indicator with target /", P(lines=lines_with(1, target="/")),
          numbers=["培训考核合格率"], actual="/"),
    fires("indicator.missing_target", "target table (like 004): a text where the name goes, no value",
          dept_targets_text(lines=DEFAULT_DEPT_LINES + (("效益指标", "社会效益", "增强机关干部职工的归属感", ""),)),
          title=UNIT, numbers=["增强机关干部职工的归属感"], evidence=["增强机关干部职工的归属感"], actual="空白"),
    quiet("indicator.missing_target", "a placeholder line 无 with no value is no indicator",
          dept_targets_text(lines=DEFAULT_DEPT_LINES + (("效益指标", "经济效益", "无", ""),))),
    quiet("indicator.missing_target", "every line has a target", P()),
    # --- indicator.deviation_claim_contradicts ---------------------------------------
    fires("indicator.deviation_claim_contradicts", "无偏差 while 94% misses ≥95%", P(lines=lines_with(1, actual="94%", score="9")),
          numbers=["培训考核合格率", "无偏差", "94%", "≥95%"], evidence=["≥95%", "94%", "无偏差"],
          expected="说明偏差原因", actual="无偏差"),
    fires("indicator.deviation_claim_contradicts", "无 while 101万元 exceeds the ≤100万元 cap",
          P(lines=lines_with(3, actual="101万元", deviation="无")), numbers=["101万元", "≤100万元"], actual="无"),
    fires("indicator.deviation_claim_contradicts", "未发生偏差。 while 9场 misses ≥10场",
          P(lines=lines_with(0, actual="9场", deviation="未发生偏差。")), numbers=["9场", "≥10场"], actual="未发生偏差。"),
    fires("indicator.deviation_claim_contradicts", "无偏差 while the deadline 2021年12月前 is missed (2022年3月)",
          P(lines=lines_with(2, target="2021年12月前", actual="2022年3月", score="8")), numbers=["2022年3月", "2021年12月前"],
          actual="无偏差"),
    quiet("indicator.deviation_claim_contradicts", "a reason while the target is missed",
          P(lines=lines_with(1, actual="94%", deviation="部分学员考核未通过"))),
    quiet("indicator.deviation_claim_contradicts", "a blank deviation cell claims nothing", P(lines=lines_with(1, actual="94%", deviation=""))),
    quiet("indicator.deviation_claim_contradicts", "seed 000: a bare / is a placeholder, not a claim (spec)",
          P(lines=lines_with(1, actual="94%", score="9", deviation="/"))),
    quiet("indicator.deviation_claim_contradicts", "— and 无此项 are placeholders too",
          P(lines=lines_with(1, actual="94%", score="9", deviation="——"))),
    fires("indicator.deviation_claim_contradicts", "已完成 claims nothing deviated while 94% misses ≥95%",
          P(lines=lines_with(1, actual="94%", score="9", deviation="已完成")), numbers=["94%"]),
    quiet("indicator.deviation_claim_contradicts", "无偏差 and the target met", P()),
    # --- indicator.overachieved_unexplained ------------------------------------------
    fires("indicator.overachieved_unexplained", "12场 against ≥10场 is 120%", P(lines=lines_with(0, actual="12场")),
          numbers=["开展业务培训场次", "12场", "≥10场", "120%"], evidence=["≥10场", "12场"], expected="< 120% 或说明原因", actual="120%"),
    quiet("indicator.overachieved_unexplained", "11.9场 against ≥10场 is 119%", P(lines=lines_with(0, actual="11.9场"))),
    quiet("indicator.overachieved_unexplained", "12场 explained in the deviation cell",
          P(lines=lines_with(0, actual="12场", deviation="应各单位要求增加培训场次"))),
    quiet("indicator.overachieved_unexplained", "a cap far undershot is no over-achievement", P(lines=lines_with(3, actual="50万元"))),
    fires("indicator.overachieved_unexplained", "100% against ≥80% is 125%", P(lines=lines_with(5, target="≥80%", actual="100%")),
          numbers=["100%", "≥80%", "125%"], actual="125%"),
    quiet("indicator.overachieved_unexplained", "Sichuan profile: 12场 against ≥10场 is under its 130%",
          P(lines=lines_with(0, actual="12场")), profile="sichuan"),
    fires("indicator.overachieved_unexplained", "Sichuan profile: 13场 against ≥10场 reaches 130%",
          P(lines=lines_with(0, actual="13场")), profile="sichuan", numbers=["13场", "130%"], expected="< 130% 或说明原因", actual="130%"),
]


@pytest.mark.parametrize(("code", "text", "expect", "profile"), CASES)
def test_indicator_rule(code: str, text: str, expect: object, profile: str) -> None:
    check_case(code, text, expect, profile)  # type: ignore[arg-type]


def test_table_covers_every_indicator_rule() -> None:
    firing, silent = covered(CASES)
    assert firing == family_codes("indicator")
    assert silent == family_codes("indicator")


def test_one_finding_per_form_and_rule_listing_the_other_rows() -> None:
    """Seed 002 公共机构节能项目: five 成本指标 lines with >=, one finding."""
    lines = tuple(Line("产出指标", "成本指标", f"费用{n}", f">={n}万元", f"{n}万元", "2", "2") for n in range(1, 6))
    found = run(parse(P(lines=DEFAULT_LINES[:3] + lines + DEFAULT_LINES[4:])), ["indicator.cost_direction"])
    assert len(found) == 1
    f = found[0]
    assert len(f.locations) == 4
    assert len({f.location.row, *(loc.row for loc in f.locations)}) == 5
    assert [f">={n}万元" for n in range(1, 6)] == f.evidence
    assert "另有" not in f.message  # five hits are all spelt out
