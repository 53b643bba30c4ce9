"""The layouts of real published forms that the seeds do not show (eval/real/, issue:
"Read the forms of every province"): one case per pattern, each on the real document that
shows it, read through the whole pipeline (text rendition; the .docx and .pdf renditions
are scored by `auditor eval eval/real --rendition each`)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest

from auditor.checks import Context, form_context, load_rules, run_rules
from auditor.forms import Form
from auditor.pipeline import extract_path
from auditor.settings import PROFILES, Tolerances

REAL = Path(__file__).resolve().parent.parent / "eval" / "real"
load_rules()


def forms(stem: str) -> list[Form]:
    result = extract_path(REAL / f"{stem}.txt")
    assert result.error is None, result.error
    return result.forms


def rules_fired(stem: str) -> set[str]:
    found = forms(stem)
    ctx = Context(file=stem, forms=found, profile=PROFILES["mof"], tol=Tolerances())
    return {f.rule for f in run_rules(found, ctx)}


def text(v: object) -> str | None:
    return getattr(v, "text", None)


Check = Callable[[list[Form]], object]

# (document, what it shows, a check of the records that must hold)
LAYOUTS: list[tuple[str, str, Check]] = [
    # --- §2 titles and recognition ------------------------------------------------------
    ("r20_fujian_dept", "部门(单位)名称 names a department form",
     lambda f: f[0].kind == "dept_self_eval" and f[0].title == "宁德市地震局"),
    ("r03_yunnan_proj", "项目名称 holding the form's own title is still the title",
     lambda f: f[0].title == "2020年省级自然资源卫片执法补助经费支出绩效自评表"),
    ("r74_zhejiang_target", "no label: the title from the heading above a generic caption, with a note",
     lambda f: f[0].title == "3岁以下婴幼儿照护服务项目" and "标题" in (f[0].title_note or "")),
    ("r24_hunan_dept", "no heading at all: a 投入/过程 scoring table is recognised as a department's",
     lambda f: f[0].kind == "dept_self_eval" and f[0].title == "" and len(f[0].indicators) == 9),
    ("r50_xizang_report", "a report without its table is a form of its own, named from its heading",
     lambda f: f[0].kind == "self_eval_report" and f[0].title == "西藏自治区文物局"),
    ("r32_hunan_report", "a report heading broken over two lines",
     lambda f: f[0].title == "益阳市赫山区城市管理和综合执法局"),
    ("r29_hunan_report", "a report's cover field 部门(单位)名称 names it",
     lambda f: f[0].title == "岳阳市城市管理监督指挥中心"),
    ("r48_hainan_report", "a report naming its project in brackets after 报告",
     lambda f: f[0].title == "云龙产业园基础设施配套路网项目"),
    ("r52_neimenggu_report", "an untitled report: the unit named in its opening sentence",
     lambda f: f[0].title == "阿拉善左旗乌力吉苏木人民政府" and "正文" in (f[0].title_note or "")),
    # --- §2 headers and columns ---------------------------------------------------------
    ("r03_yunnan_proj", "two-row header: 指标性质/指标值/度量单位 below, 实际完成值/分值/得分 only above",
     lambda f: [(text(i.actual), text(i.weight), text(i.score)) for i in f[0].indicators][0] == ("72890", "10.00", "9.00")),
    ("r03_yunnan_proj", "operator in its own column, written ﹦ (U+FE66)",
     lambda f: f[0].indicators[0].target.quantity.op == "="),
    ("r40_sichuan_proj", "Sichuan: a group label 年度预算数(万元) does not take the budget column",
     lambda f: (text(f[0].funds[0].initial_budget), text(f[0].funds[0].budget)) == ("238.93", "251.89")),
    ("r40_sichuan_proj", "Sichuan: the long template note in the 原因 column is no funds line",
     lambda f: all("预算执行率=" not in r.label for r in f[0].funds)),
    ("r40_sichuan_proj", "Sichuan: 合计 | 100 after the indicators is the total weight, score blank",
     lambda f: text(f[0].total_weight) == "100" and f[0].total_score is not None and f[0].total_score.is_blank),
    ("r40_sichuan_proj", "Sichuan: 预算执行情况(10分) and 绩效指标(90分) are read as stated weights",
     lambda f: (text(f[0].budget_weight), text(f[0].indicators_weight)) == ("10", "90")),
    ("r23_hunan_target", "a 指标值类型 (定量/定性) column is no target",
     lambda f: text(f[0].indicators[0].target) == "28.8万元"),
    ("r74_zhejiang_target", "a text-export row without its merged category cells is right-aligned",
     lambda f: [i.name for i in f[0].indicators if text(i.target) == "95%"] == ["婴幼儿健康管理率", "受益单位满意度"]),
    ("r55_sichuan_proj", "goal/completion pair under 年初设定目标 | 年度总体目标完成情况综述",
     lambda f: f[0].goal is not None and f[0].result is not None and f[0].result.text.startswith("对项目区")),
    ("r55_sichuan_proj", "weights stated inside the category label: 产出指标(70分)",
     lambda f: [c.weight for c in f[0].category_weights][:1] == [Decimal(70)]),
    # --- §2 amounts, totals, template leftovers ----------------------------------------
    ("r27_shanghai_proj", "amounts in 元 (项目资金(元)) with a thousands separator, converted exactly",
     lambda f: f[0].funds[0].executed.quantity.unit == "元" and f[0].funds[0].executed.number == Decimal("215457.6")),
    ("r27_shanghai_proj", "总分 | 100 | 98.62",
     lambda f: (text(f[0].total_weight), text(f[0].total_score)) == ("100", "98.62")),
    ("r26_hebei_proj", "template placeholder lines (指标2, ……) are no indicators",
     lambda f: not any(i.name in ("指标2", "……") for i in f[0].indicators)),
    ("r01_anhui_proj", "an empty 经济效益指标 line inside the table does not end it",
     lambda f: any(i.level1.startswith("效益") for i in f[0].indicators)),
    ("r20_fujian_dept", "a 合计 of amounts before the indicator table is not the total score",
     lambda f: f[0].total_score is None),
    ("r22_fujian_target", "年度履职目标: 支出项目名称 | 预算金额 lines are sub-items with amounts",
     lambda f: [text(s.amount) for s in f[0].sub_items] == ["49.8", "11", "171.41"]),
]


@pytest.mark.parametrize(("stem", "pattern", "check"), LAYOUTS, ids=[f"{s}:{p}" for s, p, _ in LAYOUTS])
def test_real_layout(stem: str, pattern: str, check: Check) -> None:
    assert check(forms(stem)), pattern


# (document, rule, fires?, why): the rules that read text, on the real documents
RULES: list[tuple[str, str, bool, str]] = [
    ("r50_xizang_report", "dept.item_sum_mismatch", True, "具体是：the list in the next sentence adds to 7765, not 9378"),
    ("r22_fujian_target", "dept.item_sum_mismatch", True, "49.8 + 11 + 171.41 against 资金总额 171.41"),
    ("r25_hunan_report", "dept.item_sum_mismatch", False, "其中：人员经费 + 公用经费 + 项目支出 add up to 799.12"),
    ("r40_sichuan_proj", "funds.adjustment_unexplained", True, "the only 调整 words stand in a printed template note"),
    ("r40_sichuan_proj", "narrative.template_text_left", True, "（100字以内） in the 年度目标完成情况 cell"),
    ("r55_sichuan_proj", "narrative.result_copies_goal", True, "the result is a part of the goal, word for word"),
    ("r03_yunnan_proj", "score.deducted_without_reason", True, "9/10, 19/20 … with empty deviation cells (two-row header)"),
    ("r03_yunnan_proj", "score.formula_mismatch", True, "actual = target (﹦) scored below the weight"),
    ("r65_shanxi_proj", "funds.score_mismatch", True, "10 × 65.07/65.66 = 9.91, scored otherwise"),
    ("r26_hebei_proj", "indicator.missing_target", False, "placeholder lines 指标2/…… have no target, as templates do"),
    ("r27_shanghai_proj", "funds.low_execution_unexplained", True, "86.18% with empty deviation cells"),
    ("r27_shanghai_proj", "funds.breakdown_mismatch", False, "— spanning 分值/执行率/得分 on the sub-rows; 元 amounts add up"),
    ("r74_zhejiang_target", "indicator.malformed_value", False, "values stay out of the name column"),
]


@pytest.mark.parametrize(("stem", "code", "fires", "why"), RULES, ids=[f"{s}:{c}:{w}" for s, c, _, w in RULES])
def test_real_rule(stem: str, code: str, fires: bool, why: str) -> None:
    assert (code in rules_fired(stem)) == fires, why


def test_provincial_scheme_inferred_from_printed_weights() -> None:
    """Sichuan (预算执行10 + 绩效指标90) is scored by the sichuan profile under the default run."""
    [form] = forms("r40_sichuan_proj")
    ctx = Context(file="r40", forms=[form], profile=PROFILES["mof"], tol=Tolerances())
    assert form_context(form, ctx).profile.name == "sichuan"
