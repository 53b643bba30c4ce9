"""Build performance forms in the seeds' TAB-cell text format, for rule tests.

Each table row is a block of lines separated by a blank line; each cell is a line that
starts with a TAB; merged cells are written as empty cells (as the exporter does).

* :func:`project_text` / :func:`project_form` — a 项目支出绩效自评表 (like 000/002) with
  header, funds block, 年度总体目标, indicator table, 总分 row and an optional
  项目支出绩效自评报告 after the table. Every default is CLEAN: the default form gives
  no finding from any rule.
* :func:`dept_eval_text` / :func:`dept_eval_form` — a 部门整体支出绩效自评表 with goal
  blocks (like 001).
* :func:`dept_targets_text` / :func:`dept_targets_forms` — a 部门整体支出绩效目标表,
  the summary of sub-items with amounts and one 绩效目标表 per sub-item (like 004).

Numbers are passed as the strings to print ("100", "≥95%", "—"); ``""`` prints a
blank cell. The parsed forms come from the real reader:
``parse_forms(parse_text_export(text))``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import pytest

from auditor.checks import REGISTRY, Context, load_rules, run_rules
from auditor.document import clean_text
from auditor.findings import Finding
from auditor.forms import Form, parse_forms
from auditor.ingest.text import parse_text_export
from auditor.settings import PROFILES, Tolerances

load_rules()

TITLE = "测试项目运行经费"
UNIT = "测试市机关事务服务中心"


def _row(*cells: str) -> str:
    return "\n".join("\t" + c for c in cells)


def _table(rows: Iterable[str]) -> str:
    return "\n\n".join(rows)


def parse(text: str) -> list[Form]:
    """Every form of one document in the text format."""
    return parse_forms(parse_text_export(text))


# --- project self-evaluation -------------------------------------------------------


@dataclass(frozen=True)
class Line:
    """One indicator line: (level1, level2, name, target, actual, weight, score, deviation)."""

    level1: str
    level2: str
    name: str
    target: str
    actual: str
    weight: str
    score: str
    deviation: str = "无偏差"


def line(
    name: str, target: str, actual: str, weight: str, score: str, deviation: str = "无偏差",
    level1: str = "产出指标", level2: str = "数量指标",
) -> Line:
    return Line(level1, level2, name, target, actual, weight, score, deviation)


# Weights 10 (budget) + 20 + 10 + 10 + 10 + 30 + 10 = 100; every actual meets its target,
# no actual reaches 120% of its target, every score is full.
DEFAULT_LINES: tuple[Line, ...] = (
    Line("产出指标", "数量指标", "开展业务培训场次", "≥10场", "10场", "20", "20"),
    Line("产出指标", "质量指标", "培训考核合格率", "≥95%", "96%", "10", "10"),
    Line("产出指标", "时效指标", "培训按期完成率", "100%", "100%", "10", "10"),
    Line("产出指标", "成本指标", "培训费用", "≤100万元", "100万元", "10", "10"),
    Line("效益指标", "社会效益指标", "干部业务能力", "显著提高", "显著提高", "30", "30"),
    Line("满意度指标", "服务对象满意度指标", "参训人员满意度", "≥90%", "95%", "10", "10"),
)

FUNDS_KEYS = ("initial", "budget", "executed", "weight", "rate", "score")
DEFAULT_FUNDS: dict[str, dict[str, str]] = {
    "total": {"initial": "100", "budget": "100", "executed": "100", "weight": "10", "rate": "100%", "score": "10"},
    "current": {"initial": "100", "budget": "100", "executed": "100", "weight": "—", "rate": "—", "score": "—"},
    "carryover": {"initial": "0", "budget": "0", "executed": "0", "weight": "—", "rate": "—", "score": "—"},
    "other": {"initial": "0", "budget": "0", "executed": "0", "weight": "—", "rate": "—", "score": "—"},
}
FUNDS_LABELS = {"total": "年度资金总额", "current": "其中：当年财政拨款", "carryover": "上年结转资金", "other": "其他资金"}

DEFAULT_GOAL = "组织开展干部业务培训，提升干部业务能力，保障机关工作正常运转。"
DEFAULT_RESULT = "全年按计划完成各项培训任务，参训干部考核全部合格，干部业务水平明显进步。"
DEFAULT_PROBLEMS = "培训内容与岗位需求结合不够紧密，部分课程针对性有待加强。"
DEFAULT_IMPROVEMENTS = "结合各岗位需求优化课程设置，加强培训效果跟踪。"


def funds_rows(
    total: dict[str, str] | None = None,
    current: dict[str, str] | None = None,
    carryover: dict[str, str] | None = None,
    other: dict[str, str] | None = None,
    omit: Sequence[str] = (),
) -> list[str]:
    """The funds block: header + 年度资金总额 + the 其中 rows, each row's cells overriding
    the clean defaults (keys initial/budget/executed/weight/rate/score)."""
    rows = [_row("项目资金（万元）", "", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分")]
    given = {"total": total, "current": current, "carryover": carryover, "other": other}
    for key, label in FUNDS_LABELS.items():
        if key in omit:
            continue
        cells = {**DEFAULT_FUNDS[key], **(given[key] or {})}
        unknown = set(cells) - set(FUNDS_KEYS)
        if unknown:
            raise ValueError(f"unknown funds cells {unknown}")
        rows.append(_row("", label, *(cells[k] for k in FUNDS_KEYS)))
    return rows


def indicator_rows(lines: Sequence[Line | Sequence[str]], category_weights: dict[str, object] | None = None) -> list[str]:
    """The indicator table; level1/level2 repeated on the next line print as merged
    (empty) cells; ``category_weights`` prints 产出指标(50分) on a category's first line."""
    rows = [_row("", "一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施")]
    prev1 = prev2 = None
    for n, item in enumerate(lines):
        ln = item if isinstance(item, Line) else Line(*item)
        level1 = ln.level1
        if category_weights and ln.level1 in category_weights:
            level1 = f"{ln.level1}({category_weights[ln.level1]}分)"
        shown1 = "" if ln.level1 == prev1 else level1
        shown2 = "" if ln.level1 == prev1 and ln.level2 == prev2 else ln.level2
        prev1, prev2 = ln.level1, ln.level2
        first = "年度绩效指标完成情况" if n == 0 else ""
        rows.append(_row(first, shown1, shown2, ln.name, ln.target, ln.actual, ln.weight, ln.score, ln.deviation))
    return rows


def report_paragraphs(
    problems: str = DEFAULT_PROBLEMS,
    improvements: str = DEFAULT_IMPROVEMENTS,
    body: Sequence[str] = ("本项目按计划组织实施，资金使用规范。",),
    title: str = "项目支出绩效自评报告",
) -> list[str]:
    return [
        title,
        "一、基本情况",
        *body,
        "二、其他需要说明的情况",
        "（一）存在的问题",
        problems,
        "（二）改进措施",
        improvements,
    ]


def project_text(
    title: str = TITLE,
    *,
    year: str = "2021",
    department: str = UNIT,
    total: dict[str, str] | None = None,
    current: dict[str, str] | None = None,
    carryover: dict[str, str] | None = None,
    other: dict[str, str] | None = None,
    omit_funds: Sequence[str] = (),
    goal: str = DEFAULT_GOAL,
    result: str = DEFAULT_RESULT,
    lines: Sequence[Line | Sequence[str]] = DEFAULT_LINES,
    category_weights: dict[str, object] | None = None,
    total_weight: str | None = "100",
    total_score: str | None = "100",
    grade: str | None = None,
    report: bool = False,
    problems: str = DEFAULT_PROBLEMS,
    improvements: str = DEFAULT_IMPROVEMENTS,
    report_body: Sequence[str] = ("本项目按计划组织实施，资金使用规范。",),
    paragraphs: Sequence[str] | None = None,
) -> str:
    """A 项目支出绩效自评表 in the text format. ``total_weight``/``total_score`` None omit
    the 总分 row (both None) or print a blank cell; ``paragraphs`` replaces the report."""
    rows = [
        _row("项目支出绩效自评表"),
        _row(f"({year}年度)"),
        _row("项目名称", title),
        _row("主管部门", department, "实施单位", department),
        *funds_rows(total, current, carryover, other, omit_funds),
        _row("年度总体目标", "预期目标", "实际完成情况"),
        _row("", goal, result),
        *indicator_rows(lines, category_weights),
    ]
    if total_weight is not None or total_score is not None:
        rows.append(_row("总分", total_weight or "", total_score or "", ""))
    if grade is not None:
        rows.append(_row("评价等级", grade))
    text = _table(rows) + "\n"
    if paragraphs is None and report:
        paragraphs = report_paragraphs(problems, improvements, report_body)
    if paragraphs:
        text += "\n\n" + "\n".join(paragraphs) + "\n"
    return text


def project_form(title: str = TITLE, **kw: object) -> Form:
    forms = parse(project_text(title, **kw))  # type: ignore[arg-type]
    assert len(forms) == 1, [f.title for f in forms]
    return forms[0]


# --- department self-evaluation with goal blocks (like 001) -------------------------


@dataclass(frozen=True)
class Block:
    """A goal block: 年度绩效目标N：（weight分）| score, then its lines
    (level1, level2, name, target, actual, score)."""

    name: str
    weight: str
    score: str
    lines: tuple[tuple[str, str, str, str, str, str], ...]


DEFAULT_BLOCKS: tuple[Block, ...] = (
    Block("物业管理费", "40", "40", (
        ("产出指标", "数量指标", "物业服务楼栋数", "≥3栋", "3栋", "20"),
        ("效益指标", "社会效益指标", "后勤保障水平", "有所提升", "有所提升", "10"),
        ("满意度指标", "服务对象满意度指标", "各单位满意率", "≥90%", "95%", "10"),
    )),
    Block("食堂托管费", "40", "40", (
        ("产出指标", "数量指标", "供餐天数", "≥240天", "245天", "20"),
        ("产出指标", "质量指标", "食品安全事故发生次数", "≤0次", "0次", "10"),
        ("满意度指标", "服务对象满意度指标", "就餐人员满意率", "≥90%", "92%", "10"),
    )),
)


def dept_eval_text(
    unit: str = UNIT,
    *,
    basic: str = "30",
    project: str = "70",
    budget_weight: str = "20",
    budget: str = "100",
    executed: str = "100",
    rate: str = "100%",
    budget_score: str = "20",
    blocks: Sequence[Block] = DEFAULT_BLOCKS,
    total_score: str | None = "100",
    deviation_text: str = "各项目标均按计划完成，未发生偏差。",
    improvement_text: str = "进一步完善绩效指标体系，加强绩效目标动态管理。",
) -> str:
    rows = [
        _row("单位名称", unit),
        _row("基本支出总额", basic, "项目支出总额", project),
        _row(f"预算执行情况（万元）（{budget_weight}分）", "", "预算数（A）", "执行数（B）", "执行率（B/A）", f"得分（{budget_weight}分*执行率）"),
        _row("", "部门整体支出总额", budget, executed, rate, budget_score),
    ]
    for n, block in enumerate(blocks, 1):
        rows.append(_row(f"年度绩效目标{n}：（{block.weight}分）", block.score))
        rows.append(_row(f"{block.name}年度绩效指标", "一级指标", "二级指标", "三级指标", "年初目标值（A）", "实际完成值（B）", "得分"))
        prev1 = None
        for level1, level2, name, target, actual, score in block.lines:
            rows.append(_row("", "" if level1 == prev1 else level1, level2, name, target, actual, score))
            prev1 = level1
    if total_score is not None:
        rows.append(_row("总分", total_score))
    rows.append(_row("偏差大或目标未完成原因分析", deviation_text))
    rows.append(_row("改进措施及结果应用方案", improvement_text))
    heading = f"附件2：\n2020年度{unit}部门整体绩效自评表\n"
    return heading + _table(rows) + "\n"


def dept_eval_form(unit: str = UNIT, **kw: object) -> Form:
    forms = parse(dept_eval_text(unit, **kw))  # type: ignore[arg-type]
    assert len(forms) == 1, [f.title for f in forms]
    return forms[0]


# --- department target table + sub-item target tables (like 004) -------------------


@dataclass(frozen=True)
class SubItemTable:
    """A sub-item: its line in the summary (name, amount) and its own target table
    (amount printed as 项目金额, indicator lines (level1, level2, name, target))."""

    name: str
    amount: str
    lines: tuple[tuple[str, str, str, str], ...]
    own_amount: str | None = None  # 项目金额 of its own table (default: amount)


DEFAULT_DEPT_LINES: tuple[tuple[str, str, str, str], ...] = (
    ("产出指标", "产出数量", "设备维护服务次数", "50次以上"),
    ("产出指标", "产出时效", "完成时间", "2021年12月前"),
    ("产出指标", "产出成本", "总费用控制", "100万元以内"),
    ("满意度指标", "服务对象满意度", "全体机关人员满意度", "≥90%"),
)
DEFAULT_SUB_ITEMS: tuple[SubItemTable, ...] = (
    SubItemTable("零星维修购置", "40", (
        ("产出指标", "产出数量", "设备维护服务次数", "50次以上"),
        ("产出指标", "产出成本", "总费用控制", "40万元以内"),
        ("满意度指标", "服务对象满意度", "全体机关人员满意度", "≥90%"),
    )),
    SubItemTable("物业管理及水电气供应", "60", (
        ("产出指标", "产出质量", "保洁覆盖率", "≥95%"),
        ("产出指标", "产出成本", "总费用控制", "60万元以内"),
    )),
)


def _target_rows(lines: Sequence[tuple[str, str, str, str]]) -> list[str]:
    rows = [_row("年度绩效指标", "一级指标", "二级指标", "三级指标", "指标值", "备注")]
    prev1 = None
    for level1, level2, name, target in lines:
        rows.append(_row("", "" if level1 == prev1 else level1, level2, name, target, ""))
        prev1 = level1
    return rows


def dept_targets_text(
    unit: str = UNIT,
    *,
    total: str = "130",
    basic: str = "30",
    project: str = "100",
    lines: Sequence[tuple[str, str, str, str]] = DEFAULT_DEPT_LINES,
    sub_items: Sequence[SubItemTable] = DEFAULT_SUB_ITEMS,
    sub_items_total: str | None = "100",
) -> str:
    dept = [
        _row("2021年部门整体支出绩效目标表"),
        _row("部门名称", unit),
        _row("年度预算申请（万元）", f"资金总额：{total}"),
        _row("", "其中：基本支出", basic, "其中：项目支出", project),
        *_target_rows(lines),
    ]
    summary = [
        _row("2021年专项资金预算绩效目标汇总表"),
        _row("序号", "支出方向（子项）", "金额", "实施期绩效目标", "年度绩效目标"),
    ]
    if sub_items_total is not None:
        summary.append(_row("", "合计", sub_items_total, "", ""))
    numerals = "一二三四五六七八九十"
    for n, item in enumerate(sub_items):
        summary.append(_row(numerals[n], item.name, item.amount, "保障正常运转", "按计划完成年度工作"))
    tables = [_table(dept), _table(summary)]
    for n, item in enumerate(sub_items):
        tables.append(_table([
            _row(f"附件{n + 3}"),
            _row("2021年专项资金支出方向绩效目标表"),
            _row("支出方向（子项）", item.name, "所属专项", f"{item.name}专项经费"),
            _row("项目金额", item.own_amount or item.amount, "项目实施期", "2021"),
            _row("实施期绩效目标", "保障正常运转"),
            _row("年度绩效目标", "按计划完成年度工作"),
            *_target_rows(item.lines),
        ]))
    return "\n\n\n".join(tables) + "\n"


def dept_targets_forms(unit: str = UNIT, **kw: object) -> list[Form]:
    return parse(dept_targets_text(unit, **kw))  # type: ignore[arg-type]


# --- running rules and checking findings --------------------------------------------

_CJK = re.compile(r"[\u4e00-\u9fff]")


def family_codes(family: str) -> set[str]:
    return {c for c in REGISTRY if c.startswith(family + ".")}


def context(forms: list[Form], profile: str = "mof") -> Context:
    return Context(file="t.txt", forms=forms, profile=PROFILES[profile], tol=Tolerances())


def run(forms: list[Form], codes: Sequence[str] | None = None, profile: str = "mof") -> list[Finding]:
    return run_rules(forms, context(forms, profile), codes=codes)


@dataclass(frozen=True)
class Expect:
    """What a firing case must produce: one finding of the rule on form ``title`` whose
    message holds ``numbers``, whose evidence holds ``evidence`` (each also verbatim in
    the document), with ``expected``/``actual`` as given (None: only required to be set)
    and ``extra`` further locations. ``where`` is "cell" (table/row/col) or "paragraph"."""

    title: str = TITLE
    numbers: tuple[str, ...] = ()
    evidence: tuple[str, ...] = ()
    expected: str | None = None
    actual: str | None = None
    extra: int = 0
    where: str = "cell"


def fires(code: str, case: str, text: str, *, profile: str = "mof", xfail: str | None = None, **expect: object) -> object:
    for key in ("numbers", "evidence"):
        if key in expect:
            expect[key] = tuple(expect[key])  # type: ignore[arg-type]
    marks = [pytest.mark.xfail(strict=True, reason=xfail)] if xfail else []
    return pytest.param(code, text, Expect(**expect), profile, id=f"{code}: {case}", marks=marks)  # type: ignore[arg-type]


def quiet(code: str, case: str, text: str, *, profile: str = "mof", xfail: str | None = None) -> object:
    marks = [pytest.mark.xfail(strict=True, reason=xfail)] if xfail else []
    return pytest.param(code, text, None, profile, id=f"{code}: {case}", marks=marks)


def check_case(code: str, text: str, expect: Expect | None, profile: str = "mof") -> list[Finding]:
    forms = parse(text)
    found = run(forms, [code], profile)
    if expect is None:
        assert found == [], [f.message for f in found]
        return found
    assert len(found) == 1, [(f.form, f.message) for f in found]
    f = found[0]
    check_finding(f, code, expect, text)
    return found


def check_finding(f: Finding, code: str, expect: Expect, text: str) -> None:
    assert f.rule == code
    assert f.severity == REGISTRY[code].severity
    assert f.file == "t.txt"
    assert f.form == expect.title
    assert f.source == "rule"
    assert _CJK.search(f.message), f.message
    for n in expect.numbers:
        assert n in f.message, (n, f.message)
    assert f.expected, "expected is not set"
    assert f.actual, "actual is not set"
    if expect.expected is not None:
        assert f.expected == expect.expected, (f.expected, f.message)
    if expect.actual is not None:
        assert f.actual == expect.actual, (f.actual, f.message)
    document = clean_text(text)
    for e in expect.evidence:
        assert e in f.evidence, (e, f.evidence)
    for e in f.evidence:
        assert e in document, f"evidence {e!r} is not verbatim in the document"
    for loc in (f.location, *f.locations):
        if expect.where == "cell":
            assert loc.table is not None and loc.row is not None and loc.col is not None, loc
        else:
            assert loc.paragraph is not None, loc
    assert len(f.locations) == expect.extra, (f.locations, f.message)


def covered(cases: Sequence[object]) -> tuple[set[str], set[str]]:
    """(codes with a firing case, codes with a non-firing case) of a parametrize table."""
    firing = {p.values[0] for p in cases if p.values[2] is not None}  # type: ignore[attr-defined]
    silent = {p.values[0] for p in cases if p.values[2] is None}  # type: ignore[attr-defined]
    return firing, silent
