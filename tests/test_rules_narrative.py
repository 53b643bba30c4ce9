"""narrative.* rules (the deterministic ones) on forms built in the seed text format
(tests/formbuilder.py). narrative.contradiction needs a language model and is not in the
rule registry; it is tested elsewhere (tests/test_narrative.py)."""

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
    parse,
    project_text,
    quiet,
    run,
)

P = project_text
D = dept_eval_text
UNIT = "测试市机关事务服务中心"


def lines_with(n: int, **cells: str) -> tuple[Line, ...]:
    out = list(DEFAULT_LINES)
    out[n] = Line(**{**out[n].__dict__, **cells})
    return tuple(out)


# result_copies_goal: a 100-character goal; the result keeps k of its characters in order
# and adds characters that never occur in the goal, so LCS ÷ len(result) = k / len(result).
GOAL_100 = "甲乙丙丁戊己庚辛壬癸" * 10
NEW = "子丑寅卯辰巳午未申酉戌亥"


def copied(kept: int, added: int) -> str:
    return GOAL_100[:kept] + NEW[:added]


LOST = {"lines": lines_with(1, score="9", deviation="部分学员补考后合格"), "total_score": "99"}
FULL_BLOCK1_35 = tuple(Block(**{**b.__dict__, "score": "35"}) if n == 0 else b for n, b in enumerate(DEFAULT_BLOCKS))

CASES = [
    # --- narrative.result_copies_goal ------------------------------------------------
    fires("narrative.result_copies_goal", "seed 003: the result repeats the goal verbatim",
          P(goal=GOAL_100, result=GOAL_100), numbers=["100%"], evidence=[GOAL_100], expected="< 90%", actual="100%"),
    fires("narrative.result_copies_goal", "LCS ratio exactly 0.9 (90 of 100 characters) fires",
          P(goal=GOAL_100, result=copied(90, 10)), numbers=["90%"], actual="90%"),
    quiet("narrative.result_copies_goal", "LCS ratio 0.89 (89 of 100 characters) is fine", P(goal=GOAL_100, result=copied(89, 11))),
    fires("narrative.result_copies_goal", "LCS ratio 0.9 on a 20-character result (18 kept) fires",
          P(goal=GOAL_100, result=copied(18, 2)), numbers=["90%"], actual="90%"),
    quiet("narrative.result_copies_goal", "LCS ratio 0.85 on a 20-character result (17 kept) is fine",
          P(goal=GOAL_100, result=copied(17, 3))),
    fires("narrative.result_copies_goal", "punctuation and spaces do not count",
          P(goal="计划开展业务培训10场，提升干部能力。", result="计划开展业务培训 10 场；提升干部能力"),
          numbers=["100%"], actual="100%"),
    fires("narrative.result_copies_goal", "seed 002: 完成 + the goal's words (目标1 → 完成)",
          P(goal="目标1：计划2021年购置厅级干部周转住房5套，解决厅级干部住房问题，计划使用资金178.37万元。",
            result="完成2021年购置厅级干部周转住房5套，解决厅级干部住房问题，计划使用资金178.37万元。"),
          numbers=["%"], expected="< 90%"),
    quiet("narrative.result_copies_goal", "a result shorter than 4 characters is not judged", P(goal=GOAL_100, result="甲乙丙")),
    quiet("narrative.result_copies_goal", "a result in its own words", P()),
    # --- narrative.number_mismatch ---------------------------------------------------
    fires("narrative.number_mismatch", "seed 000: the result says 12 where the table says 10场",
          P(result="开展业务培训场次12场，参训干部考核全部合格。"),
          numbers=["开展业务培训场次12场", "10场"], evidence=["开展业务培训场次12场", "10场"], expected="10场", actual="12"),
    quiet("narrative.number_mismatch", "the result says 10 as the table does", P(result="开展业务培训场次10场，参训干部考核全部合格。")),
    fires("narrative.number_mismatch", "words between: 组织干部业务培训共12场 binds to 开展业务培训场次 (unit 场, head 培训)",
          P(result="全年组织干部业务培训共12场，参训干部考核全部合格。"), numbers=["12"]),
    quiet("narrative.number_mismatch", "words between, and the table's number", P(result="全年组织干部业务培训共10场，参训干部考核全部合格。")),
    quiet("narrative.number_mismatch", "seed 002: 51户联系户慰问 is not the line 慰问困难群众 (another thing measured)",
          P(lines=(*DEFAULT_LINES[:5], Line("满意度指标", "服务对象满意度指标", "慰问困难群众", "10户", "10户", "10", "10")),
            result="完成51户联系户慰问，参训干部考核全部合格。")),
    quiet("narrative.number_mismatch", "a total over years (累计) is another measure", P(result="近三年累计开展业务培训36场。")),
    fires("narrative.number_mismatch", "a conjunction starts a new item: 培训12场和检查5次",
          P(result="开展业务培训12场和安全检查5次。"), numbers=["12"]),
    fires("narrative.number_mismatch", "分别为 pairs names and numbers in order",
          P(result="业务培训、补训分别为12场、2次。"), numbers=["12"]),
    quiet("narrative.number_mismatch", "a money word binds the first amount after it, not the remainder (结余)",
          P(result="全年执行资金100万元，结余资金0万元，参训干部考核全部合格。")),
    quiet("narrative.number_mismatch", "a money word does not bind across a sentence end",
          P(result="全年执行资金100万元。另有5万元由单位自筹用于场地租赁。")),
    fires("narrative.number_mismatch", "the goal says 12 where the target is ≥10场",
          P(goal="计划开展业务培训场次12场，提升干部业务能力。"), numbers=["12", "10场"], actual="12"),
    fires("narrative.number_mismatch", "the result says 实际支出90万元, the table executed 100",
          P(result="全年按计划完成各项培训任务，实际支出90万元。"),
          numbers=["实际支出90万元", "全年执行数", "100"], evidence=["实际支出90万元", "100"], expected="100", actual="90万元"),
    quiet("narrative.number_mismatch", "实际支出100.1万元 against 100 is within 0.1%",
          P(result="全年按计划完成各项培训任务，实际支出100.1万元。")),
    fires("narrative.number_mismatch", "实际支出100.2万元 against 100 fires",
          P(result="全年按计划完成各项培训任务，实际支出100.2万元。"), numbers=["100.2万元", "100"], actual="100.2万元"),
    fires("narrative.number_mismatch", "the report says 全年预算资金120万元, the table 100",
          P(report=True, report_body=("本项目全年预算资金120万元，用于干部培训。",)),
          numbers=["120万元", "全年预算数", "100"], expected="100", actual="120万元", where="paragraph"),
    quiet("narrative.number_mismatch", "the report's 年初预算 may name the initial budget",
          P(total={"initial": "90"}, report=True, report_body=("本项目年初预算90万元，年中调整为100万元。",))),
    quiet("narrative.number_mismatch", "an amount of another item after 含 is not the budget",
          P(report=True, report_body=("年初预算含场地租赁费30万元。",))),
    # --- narrative.template_text_left ------------------------------------------------
    fires("narrative.template_text_left", "（100字以内） left in the result",
          P(result="（100字以内）全年按计划完成各项培训任务。"),
          numbers=["（100字以内）", "实际完成情况"], evidence=["（100字以内）"], expected="填写实际内容", actual="（100字以内）"),
    fires("narrative.template_text_left", "请填写 left in a deviation cell", P(lines=lines_with(1, deviation="请填写偏差原因")),
          numbers=["请填写"], actual="请填写"),
    fires("narrative.template_text_left", "结合自评情况 left in the report",
          P(report=True, report_body=("结合自评情况，说明项目实施情况。",)), numbers=["结合自评情况"], actual="结合自评情况", where="paragraph"),
    quiet("narrative.template_text_left", "a bracketed count that is no instruction", P(result="全年完成培训（含补训2场），考核全部合格。")),
    quiet("narrative.template_text_left", "filled texts", P(report=True)),
    # --- narrative.problems_denied ---------------------------------------------------
    fires("narrative.problems_denied", "存在的问题 无 although a line lost a point",
          P(**LOST, report=True, problems="无"),
          numbers=["存在的问题", "无", "培训考核合格率", "9/10"], evidence=["无"], expected="说明存在的问题及改进措施", actual="无",
          where="paragraph"),
    fires("narrative.problems_denied", "存在的问题 暂无。 although the budget score lost a point",
          P(total={"executed": "90", "rate": "90%", "score": "9"}, total_score="99", report=True, problems="暂无。"),
          numbers=["预算执行", "9/10"], actual="暂无", where="paragraph"),
    fires("narrative.problems_denied", "改进措施 无 although a line lost a point",
          P(**LOST, report=True, improvements="无"), numbers=["改进措施", "9/10"], actual="无", where="paragraph"),
    fires("narrative.problems_denied", "only the total is short of 100",
          P(total_score="95", report=True, problems="无"), numbers=["总分 95"], actual="无", where="paragraph"),
    fires("narrative.problems_denied", "department form: 偏差原因分析 无 although a goal block lost points",
          D(blocks=FULL_BLOCK1_35, total_score="95", deviation_text="无"), title=UNIT, numbers=["35/40"], actual="无"),
    quiet("narrative.problems_denied", "无 with every score full", P(report=True, problems="无", improvements="无")),
    quiet("narrative.problems_denied", "lost points and a stated problem", P(**LOST, report=True)),
    quiet("narrative.problems_denied", "a 9.99 of 10 line is within 0.01 of full",
          P(lines=lines_with(1, score="9.99"), total_score="99.99", report=True, problems="无")),
    # --- narrative.unfinished_but_full_score -----------------------------------------
    fires("narrative.unfinished_but_full_score", "the result says 延期 while everything is full",
          P(result="全年完成大部分培训任务，部分培训延期至下年度开展。"),
          numbers=["部分培训延期至下年度开展。", "满分"], evidence=["部分培训延期至下年度开展。"], expected="相应扣分", actual="满分"),
    fires("narrative.unfinished_but_full_score", "a deviation cell says 尚未 while everything is full",
          P(lines=lines_with(0, deviation="年底培训尚未完成结算")), numbers=["年底培训尚未完成结算"], actual="满分"),
    fires("narrative.unfinished_but_full_score", "the report says 拟于…开展 while everything is full",
          P(report=True, report_body=("剩余两期培训拟于2022年3月开展。",)), numbers=["拟于2022年3月开展"], where="paragraph", actual="满分"),
    fires("narrative.unfinished_but_full_score", "department form: 未能 in the analysis while every block is full",
          D(deviation_text="物业服务合同未能按期续签。"), title=UNIT, numbers=["物业服务合同未能按期续签。"], actual="满分"),
    quiet("narrative.unfinished_but_full_score", "延期 while a line lost a point",
          P(result="部分培训延期至下年度开展。", lines=lines_with(0, score="18", deviation="部分培训延期"), total_score="98")),
    quiet("narrative.unfinished_but_full_score", "finished work, full scores", P(result="全年按计划完成全部培训任务。")),
    fires("narrative.unfinished_but_full_score", "related scores: the satisfaction line is not related, so its lost point does not excuse",
          P(result="部分培训延期至下年度开展。", lines=lines_with(5, score="9", deviation="个别学员不满意"), total_score="99"),
          numbers=["部分培训延期至下年度开展。"]),
    quiet("narrative.unfinished_but_full_score", "related scores: a line sharing the subject (培训) lost a point",
          P(result="部分培训延期至下年度开展。", lines=lines_with(1, score="9", deviation="部分学员补考"), total_score="99")),
    fires("narrative.unfinished_but_full_score", "related scores: another subject (维修) relates to the timing lines, all full",
          P(result="办公楼维修尚未完工。", lines=lines_with(4, actual="有所提高", score="25", deviation="效果待显现"), total_score="95"),
          numbers=["办公楼维修尚未完工。"]),
    quiet("narrative.unfinished_but_full_score", "a denial (不存在延期情况) says the work is finished",
          P(result="全年按计划完成全部培训任务，不存在延期情况。")),
]


@pytest.mark.parametrize(("code", "text", "expect", "profile"), CASES)
def test_narrative_rule(code: str, text: str, expect: object, profile: str) -> None:
    check_case(code, text, expect, profile)  # type: ignore[arg-type]


def test_table_covers_every_narrative_rule() -> None:
    firing, silent = covered(CASES)
    assert firing == family_codes("narrative")
    assert silent == family_codes("narrative")
    assert "narrative.contradiction" not in family_codes("narrative")  # LLM-only, not a registry rule


def test_lcs_edge_is_exact() -> None:
    from auditor.checks.narrative import lcs_length

    assert lcs_length(copied(90, 10), GOAL_100) == 90
    assert lcs_length(copied(89, 11), GOAL_100) == 89


def test_one_finding_per_form_and_rule_listing_the_other_rows() -> None:
    lines = list(lines_with(1, deviation="请填写偏差原因"))
    lines[5] = Line(**{**lines[5].__dict__, "deviation": "（50字以内）"})
    found = run(parse(P(lines=tuple(lines), result="（100字以内）全年按计划完成。")), ["narrative.template_text_left"])
    assert len(found) == 1
    f = found[0]
    assert len(f.locations) == 2
    assert len({(loc.row, loc.col) for loc in (f.location, *f.locations)}) == 3
    assert {"（100字以内）", "请填写", "（50字以内）"} <= set(f.evidence)
