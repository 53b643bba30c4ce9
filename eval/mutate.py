"""Build a synthetic labelled set: clean project self-evaluation forms (项目支出绩效自评表)
and forms with one injected error each, in the seed text format, .docx and .pdf.

A clean form comes from a parametrised template modelled on the seeds (000/002): header,
funds block with or without 执行率, goal and result texts whose numbers agree with the
table, an indicator table (产出 50 / 效益 30 / 满意度 10, budget 10) whose scores follow
the formulas — some lines deducted, with a deviation text and score = weight × actual /
target — and a 总分 row. With verification on (the default) every clean form is
reviewed by the auditor and redrawn if any rule fires; those forms are listed in
``generation_report.json`` (a template bug or a false positive of a rule).

Each form is drawn in one of several layouts seen in real forms of other provinces
(``LAYOUTS``): the seeds' own; no 项目名称 row, the title only in the heading; amounts in
元 with thousands separators; Sichuan's 指标性质 | 指标值 | 度量单位 columns; and those
columns under a two-row header whose 实际完成值/分值/得分 stand only in the upper row, with
the total written 总分（100分）. The layout only changes how the same numbers are printed.

A mutation changes one thing and names every rule its change makes true on the printed
numbers (rules are independent, docs/rules.md). Controls change something
that must NOT fire (an explained adjustment, an explained over-achievement).

Output, for each format: ``OUT/<format>/<id>.<ext>``, ``OUT/<format>/labels.jsonl`` (one
line per expected finding: file, form, rule, mutation, note) and
``OUT/<format>/manifest.jsonl`` (one line per document: file, form, mutation, rules,
note). Deterministic for a given --seed and auditor version (redrawn forms depend on
the rules).

Run: ``python eval/mutate.py --out /tmp/synthetic [--seed 0] [--count 350]
[--formats txt,docx,pdf]``.
"""

from __future__ import annotations

import argparse
import copy
import json
import random
import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "samples"))
sys.path.insert(0, str(ROOT))

import build_samples

from auditor.findings import Finding
from auditor.pipeline import extract_bytes, review_documents
from auditor.settings import Settings

Rows = list[list[str]]
Block = str | Rows
CENT = Decimal("0.01")
FORMATS = ("txt", "docx", "pdf")
LAYOUTS = ("seed", "heading_title", "yuan", "sichuan", "two_row_header")
MAX_DRAWS = 30
PDF_BATCH = 60

# --- vocabulary --------------------------------------------------------------------------

SUBJECTS = ["机关办公楼", "档案馆", "政务服务中心", "机关食堂", "公务用车", "信息化平台", "老干部活动中心",
            "会议中心", "机关幼儿园", "职工培训基地", "后勤服务中心", "机关大院"]
EXPENSES = ["运行维护经费", "物业管理费", "设备购置经费", "维修改造费", "专项工作经费", "运行保障经费"]
PLACES = ["昌吉州", "株洲市渌口区", "哈密市", "宁乡市", "临夏州", "遵义市红花岗区", "安顺市", "铜川市"]
AGENCIES = ["机关事务管理局", "机关事务服务中心", "财政局", "档案局", "政务服务管理局"]
UNITS_OF_AGENCY = ["机关后勤服务中心", "办公室", "综合保障科", "财务科"]
COUNT_ITEMS = [  # (三级指标, unit, low, high)
    ("办公设备采购数量", "台", 10, 80), ("宣传资料印制数量", "份", 500, 5000), ("业务培训期数", "期", 4, 12),
    ("维修改造项目数量", "项", 5, 40), ("保障会议场次", "场", 20, 200), ("服务保障人次", "人次", 1000, 20000),
    ("车辆运行保障数量", "辆", 5, 40), ("安全检查次数", "次", 12, 60), ("档案数字化数量", "件", 1000, 9000),
]
OTHER_UNITS = ["台", "份", "期", "项", "场", "人次", "辆", "次", "件", "家", "套", "个"]
RATE_ITEMS = [  # (二级指标, 三级指标)
    ("质量指标", "设备验收合格率"), ("质量指标", "维修工程验收合格率"), ("质量指标", "服务质量达标率"),
    ("时效指标", "资金支付及时率"), ("时效指标", "维修响应及时率"), ("时效指标", "任务按时完成率"),
]
COST_ITEMS = ["设备购置成本", "物业服务费用", "维修材料费用", "印刷制作费用", "培训组织费用", "车辆运行维护费用"]
EFFECT_QUALITATIVE = [  # (二级指标, 三级指标, target, actual)
    ("社会效益指标", "机关运行保障水平", "有效提升", "有效提升"),
    ("社会效益指标", "办公环境改善程度", "明显改善", "明显改善"),
    ("社会效益指标", "公共服务能力", "显著提高", "显著提高"),
    ("可持续影响指标", "长效管理机制运行", "长期", "长期"),
    ("经济效益指标", "行政运行成本", "有效降低", "有效降低"),
]
EFFECT_RATES = [("社会效益指标", "设施设备完好率"), ("社会效益指标", "服务事项办结率")]
SATISFACTION = ["服务对象满意度", "干部职工满意度", "来访群众满意度"]
PURPOSES = ["保障机关日常运转", "提升后勤服务保障水平", "改善干部职工办公条件", "提高公共服务效率"]
EFFECTS = ["各项工作按计划推进，服务对象反映良好", "有效保障了单位正常运转", "办公条件得到进一步改善"]
REASONS = ["采购价格上涨", "疫情防控", "项目招标周期较长", "服务需求变化", "极端天气"]
IMPROVEMENTS = ["加强预算测算，合理安排采购计划", "加强过程监控，提前做好工作安排", "完善工作机制，提高执行效率"]
UNFINISHED = ["部分设备采购尚未完成，拟于下一年度继续开展。", "部分维修工作尚未完成，将延期至下一年度实施。",
              "受工期影响，部分项目未完成验收。"]
TEMPLATE_TEXTS = ["（100字以内）", "请填写", "结合自评情况，"]
NO_DEVIATION = ["无偏差", "无", "/"]


# --- numbers -----------------------------------------------------------------------------


def q2(x: Decimal) -> Decimal:
    return x.quantize(CENT, ROUND_HALF_UP)


def num(x: Decimal) -> str:
    """A score or rate as forms write it: 2 decimals at most, no trailing zeros."""
    text = format(q2(x), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def money(x: Decimal) -> str:
    return format(q2(x), "f")


def pct(x: Decimal) -> str:
    return f"{num(x)}%"


def uniform(rng: random.Random, low: float, high: float) -> Decimal:
    return Decimal(str(round(rng.uniform(low, high), 4)))


# --- the form ----------------------------------------------------------------------------


@dataclass
class FundsLine:
    label: str
    initial: str
    budget: str
    executed: str
    weight: str = "—"
    rate: str = "—"
    score: str = "—"


@dataclass
class Line:
    """An indicator line: printed cells plus the clean numbers they were made from."""

    category: str  # 产出指标 / 效益指标 / 满意度指标
    level2: str
    name: str
    kind: str  # count | rate | cost | qualitative | satisfaction
    unit: str
    op: str  # the target's printed operator
    t: Decimal | None  # clean target number
    a: Decimal | None  # clean actual number
    w: Decimal
    s: Decimal
    target: str = ""
    actual: str = ""
    weight: str = ""
    score: str = ""
    deviation: str = ""
    mentioned: bool = False  # its numbers appear in the goal/result texts

    @property
    def full(self) -> bool:
        return self.s == self.w

    @property
    def quantitative(self) -> bool:
        return self.kind != "qualitative"


@dataclass
class SynForm:
    title: str
    department: str
    implementer: str
    year: int
    with_rate: bool
    title_in_table: bool
    budget: Decimal
    executed: Decimal
    budget_score: Decimal
    funds: list[FundsLine]
    category_labels: dict[str, str]
    lines: list[Line]
    goal: str
    result: str
    total_weight: str = "100"
    total_score: str = ""
    layout: str = "seed"  # one of LAYOUTS

    @property
    def clean_total(self) -> Decimal:
        return self.budget_score + sum((line.s for line in self.lines), Decimal(0))

    @property
    def all_full(self) -> bool:
        return self.executed == self.budget and all(line.full for line in self.lines)

    def line_index(self, line: Line) -> int:
        return self.lines.index(line)


# --- generation --------------------------------------------------------------------------


def generate_form(rng: random.Random) -> SynForm:
    """One clean project self-evaluation form."""
    year = rng.choice([2020, 2021, 2022, 2023])
    place, agency = rng.choice(PLACES), rng.choice(AGENCIES)
    budget = q2(Decimal(rng.randint(2000, 90000)) / 100)
    executed = budget if rng.random() < 0.6 else q2(budget * uniform(rng, 0.91, 0.995))
    budget_score = q2(10 * executed / budget)
    lines = _lines(rng, executed)
    form = SynForm(
        title=rng.choice(SUBJECTS) + rng.choice(EXPENSES),
        department=place + agency,
        implementer=place + rng.choice([agency, rng.choice(UNITS_OF_AGENCY)]),
        year=year,
        with_rate=rng.random() < 0.6,
        title_in_table=rng.random() < 0.5,
        budget=budget,
        executed=executed,
        budget_score=budget_score,
        funds=_funds(rng, budget, executed, budget_score),
        category_labels=_category_labels(rng.random() < 0.5),
        lines=lines,
        goal="",
        result="",
    )
    form.layout = rng.choice(LAYOUTS)
    _print_lines(rng, form)
    form.goal, form.result = _texts(rng, form)
    form.total_score = num(form.clean_total)
    return form


def _funds(rng: random.Random, budget: Decimal, executed: Decimal, score: Decimal) -> list[FundsLine]:
    carry = q2(budget * uniform(rng, 0.1, 0.3)) if rng.random() < 0.3 else Decimal(0)
    other = "" if rng.random() < 0.3 else "0"
    rate = pct(100 * executed / budget)
    return [
        FundsLine("年度资金总额", money(budget), money(budget), money(executed), "10", rate, num(score)),
        FundsLine("其中：当年财政拨款", money(budget - carry), money(budget - carry), money(executed - carry)),
        FundsLine("上年结转资金", *(3 * [money(carry) if carry else "0"])),
        FundsLine("其他资金", other, other, other),
    ]


def _category_labels(stated: bool) -> dict[str, str]:
    weights = {"产出指标": 50, "效益指标": 30, "满意度指标": 10}
    return {c: f"{c}（{w}分）" if stated else c for c, w in weights.items()}


def _weights(rng: random.Random, total: int, n: int) -> list[Decimal]:
    """n weights, multiples of 5 and at least 5, adding up to total."""
    weights = [5] * n
    for _ in range((total - 5 * n) // 5):
        weights[rng.randrange(n)] += 5
    return [Decimal(w) for w in weights]


def _lines(rng: random.Random, executed: Decimal) -> list[Line]:
    counts = rng.sample(COUNT_ITEMS, rng.choice([1, 2]))
    rates = rng.sample(RATE_ITEMS, rng.choice([1, 2]))
    costs = rng.sample(COST_ITEMS, rng.choice([1, 2]))
    output = [_count_line(rng, *item) for item in counts]
    output += [_rate_line(rng, "产出指标", l2, name) for l2, name in rates]
    output += _cost_lines(rng, costs, executed)
    effects = [_qualitative_line(rng, *item) for item in rng.sample(EFFECT_QUALITATIVE, rng.choice([1, 2]))]
    if rng.random() < 0.5:
        effects.append(_rate_line(rng, "效益指标", *rng.choice(EFFECT_RATES)))
    satisfaction = [_rate_line(rng, "满意度指标", "服务对象满意度指标", n, "satisfaction")
                    for n in rng.sample(SATISFACTION, rng.choice([1, 2]))]
    for group, total in ((output, 50), (effects, 30), (satisfaction, 10)):
        for line, w in zip(group, _weights(rng, total, len(group))):
            line.w = line.s = w
    for line in (next(x for x in output if x.kind == kind) for kind in ("count", "rate")):
        line.mentioned, line.a = True, line.t  # the texts state these; met exactly
    candidates = [line for line in output + effects + satisfaction
                  if line.kind in ("count", "rate", "satisfaction") and not line.mentioned]
    for line in rng.sample(candidates, min(len(candidates), rng.choice([0, 0, 1, 2]))):
        _deduct(rng, line)
    return output + effects + satisfaction


def _count_line(rng: random.Random, name: str, unit: str, low: int, high: int) -> Line:
    t = Decimal(rng.randint(low, high))
    op = rng.choice(["≥", ">=", "=", ""])
    a = t if op == "=" or rng.random() < 0.6 else t + rng.randint(0, int(t) // 10)
    return Line("产出指标", "数量指标", name, "count", unit, op, t, a, Decimal(0), Decimal(0))


def _rate_line(rng: random.Random, category: str, level2: str, name: str, kind: str = "rate") -> Line:
    t = Decimal(rng.choice([90, 95, 98, 100] if kind == "rate" else [85, 90, 95]))
    a = min(Decimal(100), t + rng.randint(0, 4))
    return Line(category, level2, name, kind, "%", rng.choice(["≥", ">=", ""]), t, a, Decimal(0), Decimal(0))


def _cost_lines(rng: random.Random, names: list[str], executed: Decimal) -> list[Line]:
    pool = q2(executed * uniform(rng, 0.6, 0.95))
    shares = [Decimal(1)] if len(names) == 1 else [uniform(rng, 0.3, 0.7)]
    shares = shares + [1 - shares[0]] if len(names) == 2 else shares
    lines = []
    for name, share in zip(names, shares):
        t = q2(pool * share)
        a = t if rng.random() < 0.6 else q2(t * uniform(rng, 0.9, 0.99))
        lines.append(Line("产出指标", "成本指标", name, "cost", "万元", rng.choice(["≤", "<=", ""]),
                          t, a, Decimal(0), Decimal(0)))
    return lines


def _qualitative_line(rng: random.Random, level2: str, name: str, target: str, actual: str) -> Line:
    return Line("效益指标", level2, name, "qualitative", "", "", None, None, Decimal(0), Decimal(0),
                target=target, actual=actual)


def _deduct(rng: random.Random, line: Line) -> None:
    """The line misses its target; scored weight × actual / target, with a reason."""
    assert line.t is not None
    low = max(Decimal(1), (line.t * uniform(rng, 0.75, 0.95)).to_integral_value())
    line.a = min(low, line.t - 1)
    line.s = q2(line.w * line.a / line.t)


def _value(line: Line, n: Decimal | None) -> str:
    if n is None:
        return ""
    return money(n) + line.unit if line.kind == "cost" else f"{n}{line.unit}"


def _print_lines(rng: random.Random, form: SynForm) -> None:
    no_deviation = rng.choice(NO_DEVIATION)
    for line in form.lines:
        if line.quantitative:
            line.target = line.op + _value(line, line.t)
            line.actual = _value(line, line.a)
        line.weight, line.score = num(line.w), num(line.s)
        line.deviation = no_deviation if line.full else shortfall_text(rng, line, line.actual)


def shortfall_text(rng: random.Random, line: Line, actual: str) -> str:
    return f"受{rng.choice(REASONS)}影响，{line.name}实际为{actual}，低于年度指标值；下一步将{rng.choice(IMPROVEMENTS)}。"


def _texts(rng: random.Random, form: SynForm) -> tuple[str, str]:
    count, rate = (next(x for x in form.lines if x.mentioned and x.kind == k) for k in ("count", "rate"))
    goal = (
        f"计划{form.year}年{rng.choice(PURPOSES)}，完成{count.name}{count.t}{count.unit}，"
        f"{rate.name}达到{rate.t}%以上，计划使用资金{money(form.budget)}万元。"
    )
    result = f"截至{form.year}年底，{count.name}为{count.a}{count.unit}，{rate.name}为{rate.a}%，{rng.choice(EFFECTS)}。"
    return goal, result


# --- rendering ---------------------------------------------------------------------------


def blocks_of(form: SynForm) -> list[Block]:
    """The form as paragraphs and table rows (the shape build_samples writes to Word), in
    the form's layout."""
    title_label = form.layout != "heading_title"
    heading = [f"{form.title}{'项目支出' if title_label else ''}绩效自评表", f"（{form.year}年度）"]
    rows: Rows = [[text] for text in heading] if form.title_in_table else []
    rows += [
        *([["项目名称", form.title]] if title_label else []),
        ["主管部门", form.department, "实施单位", form.implementer],
        _funds_header(form.with_rate, form.layout),
        *(_funds_row(f, form.with_rate, form.layout) for f in form.funds),
        ["年度总体目标", "预期目标", "实际完成情况"],
        ["", form.goal, form.result],
        *_indicator_header(form.layout),
        *_indicator_rows(form),
        [*(["总分（100分）"] if form.layout == "two_row_header" else ["总分", form.total_weight]), form.total_score, ""],
    ]
    return [rows] if form.title_in_table else [*heading, rows]


def _funds_header(with_rate: bool, layout: str = "seed") -> list[str]:
    unit = "（元）" if layout == "yuan" else "（万元）"
    return [f"项目资金\n{unit}", "", "年初预算数", "全年预算数", "全年执行数", "分值", *(["执行率"] if with_rate else []), "得分"]


def _funds_row(f: FundsLine, with_rate: bool, layout: str = "seed") -> list[str]:
    amounts = [_yuan(a) if layout == "yuan" else a for a in (f.initial, f.budget, f.executed)]
    return ["", f.label, *amounts, f.weight, *([f.rate] if with_rate else []), f.score]


def _yuan(amount: str) -> str:
    """An amount in 万元 written in 元 with thousands separators: 123.4 → 1,234,000.00."""
    try:
        value = Decimal(amount) * 10000
    except ArithmeticError:
        return amount
    return f"{value:,.2f}"


SICHUAN_COLUMNS = ["指标性质", "指标值", "度量单位"]


def _indicator_header(layout: str) -> Rows:
    tail = ["实际完成值", "分值", "得分", "偏差原因分析及改进措施"]
    if layout == "sichuan":
        return [["绩效指标", "一级指标", "二级指标", "三级指标", *SICHUAN_COLUMNS, *tail]]
    if layout == "two_row_header":  # 一级…度量单位 below; 实际完成值 … only above (they span both rows)
        return [["绩效指标", "年度指标值", *tail], ["", "一级指标", "二级指标", "三级指标", *SICHUAN_COLUMNS, "", "", "", ""]]
    return [["绩效指标", "一级指标", "二级指标", "三级指标", "年度指标值", *tail]]


_TARGET_PARTS = re.compile(r"^(≥|≤|>=|<=|=|＝)?\s*(\d[\d,]*(?:\.\d+)?)\s*([^\d\s]{0,4})$")


def _target_cells(target: str, layout: str) -> list[str]:
    """The target as printed: one cell, or 指标性质 | 指标值 | 度量单位 (定性 for words)."""
    if layout not in ("sichuan", "two_row_header"):
        return [target]
    m = _TARGET_PARTS.match(target)
    if m is None:
        return ["定性" if target and not any(ch.isdigit() for ch in target) else "", target, ""]
    return [m.group(1) or "=", m.group(2), m.group(3)]


def _indicator_rows(form: SynForm) -> Rows:
    rows, previous = [], ""
    for line in form.lines:
        level1 = form.category_labels[line.category] if line.category != previous else ""
        previous = line.category
        target = _target_cells(line.target, form.layout)
        rows.append(["", level1, line.level2, line.name, *target, line.actual, line.weight, line.score, line.deviation])
    return rows


def text_export(blocks: Sequence[Block]) -> str:
    """The seeds' text format: a row is a block of TAB-led cell lines, rows are separated
    by a blank line, tables by two, paragraphs are lines of their own."""
    parts = []
    for block in blocks:
        if isinstance(block, str):
            parts.append(block)
        else:
            parts.append("\n\n".join("\n".join("\t" + cell for cell in row) for row in block))
    return "\n\n\n".join(parts) + "\n"


# --- mutations ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Edit:
    note: str
    touched: tuple[str, ...]  # record paths the edit changes (funds.0.executed, indicators.3.actual …)


Apply = Callable[[SynForm, random.Random], Edit | None]


@dataclass(frozen=True)
class Mutation:
    name: str
    rules: tuple[str, ...]  # every rule the edit makes true; () for a control
    apply: Apply


MUTATIONS: dict[str, Mutation] = {}


def mutation(name: str, *rules: str) -> Callable[[Apply], Apply]:
    def register(fn: Apply) -> Apply:
        MUTATIONS[name] = Mutation(name, rules, fn)
        return fn

    return register


def _pick(rng: random.Random, form: SynForm, test: Callable[[Line], bool]) -> Line | None:
    lines = [line for line in form.lines if not line.mentioned and test(line)]
    return rng.choice(lines) if lines else None


def _at(form: SynForm, line: Line, *fields: str) -> tuple[str, ...]:
    return tuple(f"indicators.{form.line_index(line)}.{f}" for f in fields)


def _set_total(form: SynForm, value: Decimal) -> None:
    form.total_score = num(value)


@mutation("total_changed", "score.total_mismatch")
def total_changed(form: SynForm, rng: random.Random) -> Edit:
    delta = Decimal(rng.choice([1, 2, 3, 5, 10]))
    _set_total(form, form.clean_total - delta)
    return Edit(f"总分 {num(form.clean_total)} → {form.total_score}", ("total_score",))


@mutation("executed_over_budget", "funds.executed_exceeds_budget", "funds.rate_mismatch")
def executed_over_budget(form: SynForm, rng: random.Random) -> Edit | None:
    if form.executed != form.budget or not form.with_rate:
        return None
    new = q2(form.budget * uniform(rng, 1.1, 1.6))
    total, current = form.funds[0], form.funds[1]
    current.executed = money(Decimal(current.executed) + new - form.executed)
    total.executed = money(new)
    return Edit(f"全年执行数 {money(form.executed)} → {total.executed}（当年财政拨款同步调整），执行率仍填 100%，得分仍为10",
                ("funds.0.executed", "funds.1.executed"))


@mutation("rate_changed", "funds.rate_mismatch")
def rate_changed(form: SynForm, rng: random.Random) -> Edit | None:
    if not form.with_rate:
        return None
    true_rate = 100 * form.executed / form.budget
    new = q2(true_rate - rng.randint(5, 30))
    form.funds[0].rate = pct(new)
    return Edit(f"执行率 {pct(true_rate)} → {pct(new)}，得分未改（按执行数/预算数计算仍相符）", ("funds.0.rate",))


def _budget_score_down(form: SynForm, rng: random.Random) -> Decimal:
    delta = Decimal(rng.choice([1, 2, 3, 4]))
    form.funds[0].score = num(form.budget_score - delta)
    return delta


@mutation("budget_score_changed", "funds.score_mismatch", "score.total_mismatch")
def budget_score_changed(form: SynForm, rng: random.Random) -> Edit:
    delta = _budget_score_down(form, rng)
    return Edit(f"预算执行得分减 {delta}，总分未改", ("funds.0.score",))


@mutation("budget_score_changed_total_adjusted", "funds.score_mismatch")
def budget_score_changed_total_adjusted(form: SynForm, rng: random.Random) -> Edit:
    delta = _budget_score_down(form, rng)
    _set_total(form, form.clean_total - delta)
    return Edit(f"预算执行得分减 {delta}，总分同步减少", ("funds.0.score", "total_score"))


_FUNDS_COLUMNS = {"initial": "initial_budget", "budget": "budget", "executed": "executed"}


@mutation("breakdown_blanked", "funds.breakdown_mismatch")
def breakdown_blanked(form: SynForm, rng: random.Random) -> Edit:
    column = rng.choice(list(_FUNDS_COLUMNS))
    setattr(form.funds[1], column, "")
    return Edit(f"当年财政拨款 {_FUNDS_COLUMNS[column]} 留空（按0计）", (f"funds.1.{_FUNDS_COLUMNS[column]}",))


@mutation("breakdown_changed", "funds.breakdown_mismatch")
def breakdown_changed(form: SynForm, rng: random.Random) -> Edit:
    """A sub-row's three amounts all raised alike: the row stays consistent in itself."""
    row = rng.choice([1, 2])
    line = form.funds[row]
    delta = max(Decimal(1), q2(form.budget * uniform(rng, 0.03, 0.2)))
    for column in _FUNDS_COLUMNS:
        setattr(line, column, money(Decimal(getattr(line, column) or 0) + delta))
    return Edit(f"{line.label} 三栏金额各加 {money(delta)}，明细合计不再等于年度资金总额",
                tuple(f"funds.{row}.{c}" for c in _FUNDS_COLUMNS.values()))


@mutation("subrow_scored", "funds.subrow_scored")
def subrow_scored(form: SynForm, rng: random.Random) -> Edit:
    current = form.funds[1]
    rate = 100 * Decimal(current.executed) / Decimal(current.budget)
    current.weight, current.rate, current.score = "10", pct(rate), num(10 * min(rate, Decimal(100)) / 100)
    touched = ("funds.1.weight", "funds.1.score") + (("funds.1.rate",) if form.with_rate else ())
    return Edit(f"当年财政拨款行另填分值10、得分{current.score}", touched)


def _adjust_initial(form: SynForm, rng: random.Random) -> Decimal:
    delta = max(Decimal(1), q2(form.budget * uniform(rng, 0.05, 0.3)))
    for line in form.funds[:2]:
        line.initial = money(Decimal(line.initial) - delta)
    return delta


@mutation("adjustment_unexplained", "funds.adjustment_unexplained")
def adjustment_unexplained(form: SynForm, rng: random.Random) -> Edit:
    delta = _adjust_initial(form, rng)
    return Edit(f"年初预算数比全年预算数少 {money(delta)}（总额与当年财政拨款同步），未说明调整原因",
                ("funds.0.initial_budget", "funds.1.initial_budget"))


@mutation("adjustment_explained")
def adjustment_explained(form: SynForm, rng: random.Random) -> Edit:
    delta = _adjust_initial(form, rng)
    form.result = form.result.removesuffix("。") + "；因年中工作任务增加，追加了项目预算。"
    return Edit(f"年初预算数比全年预算数少 {money(delta)}，实际完成情况说明了追加预算的原因（对照）",
                ("funds.0.initial_budget", "funds.1.initial_budget", "result"))


@mutation("cost_floor", "indicator.cost_direction")
def cost_floor(form: SynForm, rng: random.Random) -> Edit | None:
    line = _pick(rng, form, lambda x: x.kind == "cost" and x.a == x.t)
    if line is None:
        return None
    old, line.target = line.target, rng.choice(["≥", ">=", "不低于"]) + _value(line, line.t)
    return Edit(f"{line.name} 指标值 {old} → {line.target}（实际值等于指标值）", _at(form, line, "target"))


@mutation("unit_changed", "indicator.unit_mismatch")
def unit_changed(form: SynForm, rng: random.Random) -> Edit | None:
    line = _pick(rng, form, lambda x: x.kind == "count")
    if line is None:
        return None
    unit = rng.choice([u for u in OTHER_UNITS if u != line.unit])
    old, line.actual = line.actual, f"{line.a}{unit}"
    return Edit(f"{line.name} 实际完成值 {old} → {line.actual}", _at(form, line, "actual"))


@mutation("doubled_percent", "indicator.malformed_value")
def doubled_percent(form: SynForm, rng: random.Random) -> Edit | None:
    line = _pick(rng, form, lambda x: x.unit == "%" and x.full)
    if line is None:
        return None
    column = rng.choice(["target", "actual"])
    setattr(line, column, getattr(line, column) + "%")
    return Edit(f"{line.name} {column} 写成 {getattr(line, column)}", _at(form, line, column))


@mutation("rate_over_100", "indicator.malformed_value")
def rate_over_100(form: SynForm, rng: random.Random) -> Edit | None:
    line = _pick(rng, form, lambda x: x.name.endswith("率") and x.full and (x.t or 0) >= 90)
    if line is None:
        return None
    old, line.actual = line.actual, f"{rng.randint(101, 105)}%"
    return Edit(f"{line.name} 实际完成值 {old} → {line.actual}（超过100%，未达超额阈值）", _at(form, line, "actual"))


@mutation("amount_in_name", "indicator.malformed_value")
def amount_in_name(form: SynForm, rng: random.Random) -> Edit | None:
    line = _pick(rng, form, lambda x: x.kind in ("count", "rate"))
    if line is None:
        return None
    old, line.name = line.name, money(form.budget * uniform(rng, 0.2, 0.9)) + "万元"
    return Edit(f"三级指标 {old} → {line.name}", _at(form, line, "name"))


@mutation("qualitative_numeric", "indicator.type_mismatch")
def qualitative_numeric(form: SynForm, rng: random.Random) -> Edit | None:
    line = _pick(rng, form, lambda x: x.kind == "qualitative")
    if line is None:
        return None
    old, line.actual = line.actual, rng.choice(["100%", "95%", "98%"])
    return Edit(f"{line.name}（指标值 {line.target}）实际完成值 {old} → {line.actual}", _at(form, line, "actual"))


@mutation("actual_deleted", "indicator.missing_actual")
def actual_deleted(form: SynForm, rng: random.Random) -> Edit | None:
    line = _pick(rng, form, lambda x: x.kind != "cost" and x.full)
    if line is None:
        return None
    old, line.actual = line.actual, ""
    return Edit(f"{line.name} 实际完成值 {old} 删除（得分保留）", _at(form, line, "actual"))


@mutation("actual_deleted_on_deducted_line", "indicator.missing_actual")
def actual_deleted_on_deducted_line(form: SynForm, rng: random.Random) -> Edit | None:
    line = _pick(rng, form, lambda x: not x.full)
    if line is None:
        return None
    old, line.actual = line.actual, ""
    return Edit(f"扣分行 {line.name} 实际完成值 {old} 删除，偏差栏仍写着该值（空格视为未知）", _at(form, line, "actual"))


@mutation("target_deleted", "indicator.missing_target")
def target_deleted(form: SynForm, rng: random.Random) -> Edit | None:
    line = _pick(rng, form, lambda x: x.kind != "cost")
    if line is None:
        return None
    old, line.target = line.target, ""
    return Edit(f"{line.name} 年度指标值 {old} 删除", _at(form, line, "target"))


@mutation("score_over_weight", "score.exceeds_weight", "score.total_mismatch")
def score_over_weight(form: SynForm, rng: random.Random) -> Edit | None:
    line = _pick(rng, form, lambda x: x.kind == "qualitative")
    if line is None:
        return None
    line.score = num(line.w + rng.randint(1, 5))
    return Edit(f"{line.name}（定性）分值 {line.weight}，得分 {line.score}，总分未改", _at(form, line, "score"))


@mutation("weight_sum_off", "score.weight_sum_mismatch")
def weight_sum_off(form: SynForm, rng: random.Random) -> Edit | None:
    line = _pick(rng, form, lambda x: x.full and x.w >= 10)
    if line is None or any("分）" in label for label in form.category_labels.values()):
        return None
    delta = Decimal(rng.choice([2, 3, 5]))
    line.weight = line.score = num(line.w - delta)
    _set_total(form, form.clean_total - delta)
    return Edit(f"{line.name} 分值与得分 {num(line.w)} → {line.weight}，总分同步；分值合计 {num(100 - delta)}",
                (*_at(form, line, "weight", "score"), "total_score"))


@mutation("category_weight_wrong", "score.category_weight_mismatch")
def category_weight_wrong(form: SynForm, rng: random.Random) -> Edit | None:
    if not all("分）" in label for label in form.category_labels.values()):
        return None
    category = rng.choice(list(form.category_labels))
    stated = {"产出指标": 50, "效益指标": 30, "满意度指标": 10}[category]
    wrong = stated + rng.choice([-5, 5, 10])
    form.category_labels[category] = f"{category}（{wrong}分）"
    k = list(form.category_labels).index(category)
    lines = [line for line in form.lines if line.category == category]
    return Edit(f"{category} 标注 {stated}分 → {wrong}分，其下指标分值合计仍为 {stated}",
                (f"category_weights.{k}", *(p for line in lines for p in _at(form, line, "level1"))))


def _missed(form: SynForm, rng: random.Random) -> tuple[Line, str] | None:
    """A met, full, quantitative line made to miss its target clearly (score kept)."""
    line = _pick(rng, form, lambda x: x.kind in ("count", "rate", "satisfaction") and x.full and (x.t or 0) >= 4)
    if line is None or line.t is None:
        return None
    new = (line.t * uniform(rng, 0.6, 0.8)).to_integral_value()
    if line.w * (1 - new / line.t) < Decimal("0.5"):
        return None
    line.actual = f"{new}{line.unit}"
    return line, f"{line.name} 指标值 {line.target}，实际 {line.actual}，得分仍为满分 {line.score}"


@mutation("full_despite_missed", "score.full_despite_missed_target", "score.formula_mismatch")
def full_despite_missed(form: SynForm, rng: random.Random) -> Edit | None:
    missed = _missed(form, rng)
    if missed is None:
        return None
    line, note = missed
    line.deviation = shortfall_text(rng, line, line.actual)
    return Edit(note + "，偏差栏说明了原因", _at(form, line, "actual", "deviation"))


@mutation("full_despite_missed_no_deviation", "score.full_despite_missed_target", "score.formula_mismatch",
          "indicator.deviation_claim_contradicts")
def full_despite_missed_no_deviation(form: SynForm, rng: random.Random) -> Edit | None:
    missed = _missed(form, rng)
    if missed is None:
        return None
    line, note = missed
    touched = _at(form, line, "actual") + (() if line.deviation == "无偏差" else _at(form, line, "deviation"))
    line.deviation = "无偏差"
    return Edit(note + "，偏差栏填“无偏差”", touched)


def _deducted(form: SynForm, rng: random.Random) -> Line | None:
    return _pick(rng, form, lambda x: not x.full)


@mutation("deduction_reason_blanked", "score.deducted_without_reason")
def deduction_reason_blanked(form: SynForm, rng: random.Random) -> Edit | None:
    line = _deducted(form, rng)
    if line is None:
        return None
    line.deviation = ""
    return Edit(f"{line.name} 扣分（{line.score}/{line.weight}），偏差栏清空", _at(form, line, "deviation"))


@mutation("deduction_reason_denied", "score.deducted_without_reason", "indicator.deviation_claim_contradicts")
def deduction_reason_denied(form: SynForm, rng: random.Random) -> Edit | None:
    line = _deducted(form, rng)
    if line is None:
        return None
    line.deviation = "无偏差"
    return Edit(f"{line.name} 实际 {line.actual} 未达 {line.target} 且扣分，偏差栏改为“无偏差”",
                _at(form, line, "deviation"))


@mutation("formula_off", "score.formula_mismatch")
def formula_off(form: SynForm, rng: random.Random) -> Edit | None:
    line = _deducted(form, rng)
    if line is None or line.s < 1:
        return None
    delta = q2(min(line.s, uniform(rng, 0.8, 3)))
    line.score = num(line.s - delta)
    _set_total(form, form.clean_total - delta)
    return Edit(f"{line.name} 得分 {num(line.s)} → {line.score}（公式应为 {num(line.s)}），总分同步",
                (*_at(form, line, "score"), "total_score"))


@mutation("total_missing", "score.missing")
def total_missing(form: SynForm, rng: random.Random) -> Edit:
    form.total_score = ""
    return Edit("总分得分栏留空", ("total_score",))


@mutation("line_score_missing", "score.missing")
def line_score_missing(form: SynForm, rng: random.Random) -> Edit | None:
    line = _pick(rng, form, lambda x: x.full)
    if line is None:
        return None
    line.score = ""
    return Edit(f"{line.name} 得分栏留空（总分未改；空格视为未知，不判总分不符）", _at(form, line, "score"))


@mutation("result_copies_goal", "narrative.result_copies_goal")
def result_copies_goal(form: SynForm, rng: random.Random) -> Edit | None:
    if form.executed != form.budget:  # else the copied 使用资金 would also contradict 全年执行数
        return None
    form.result = form.goal if rng.random() < 0.5 else form.goal.replace("计划", "")
    return Edit("实际完成情况照抄预期目标", ("result",))


def _change_mentioned(form: SynForm, rng: random.Random, text: str) -> tuple[str, str]:
    """Change the count (or rate) the text states; the table keeps its value."""
    kind = rng.choice(["count", "rate"])
    line = next(x for x in form.lines if x.mentioned and x.kind == kind)
    assert line.t is not None
    written = f"{line.t}{line.unit}"
    step = max(Decimal(1), (line.t * uniform(rng, 0.1, 0.3)).to_integral_value())
    changed = f"{line.t - step}{line.unit}"
    return text.replace(written, changed, 1), f"{line.name} 文字 {written} → {changed}，表内仍为 {written}"


@mutation("result_number_changed", "narrative.number_mismatch")
def result_number_changed(form: SynForm, rng: random.Random) -> Edit:
    form.result, note = _change_mentioned(form, rng, form.result)
    return Edit("实际完成情况：" + note, ("result",))


@mutation("goal_number_changed", "narrative.number_mismatch")
def goal_number_changed(form: SynForm, rng: random.Random) -> Edit:
    form.goal, note = _change_mentioned(form, rng, form.goal)
    return Edit("预期目标：" + note, ("goal",))


@mutation("template_text", "narrative.template_text_left")
def template_text(form: SynForm, rng: random.Random) -> Edit:
    where, words = rng.choice(["goal", "result", "deviation"]), rng.choice(TEMPLATE_TEXTS)
    if where == "deviation":
        line = next(x for x in form.lines if x.full and x.quantitative)
        line.deviation = "请填写偏差原因分析及改进措施"
        return Edit(f"{line.name} 偏差栏留有“{line.deviation}”", _at(form, line, "deviation"))
    text = getattr(form, where)
    setattr(form, where, words + text if words.endswith("，") else text + words)
    return Edit(f"{where} 留有模板文字“{words}”", (where,))


@mutation("unfinished_full", "narrative.unfinished_but_full_score")
def unfinished_full(form: SynForm, rng: random.Random) -> Edit | None:
    if not form.all_full:
        return None
    sentence = rng.choice(UNFINISHED)
    form.result += sentence
    return Edit(f"实际完成情况加上“{sentence}”，各项均为满分", ("result",))


@mutation("cost_sum_over", "funds.cost_sum_mismatch")
def cost_sum_over(form: SynForm, rng: random.Random) -> Edit | None:
    line = _pick(rng, form, lambda x: x.kind == "cost")
    if line is None or line.a is None:
        return None
    costs = sum((x.a or Decimal(0) for x in form.lines if x.kind == "cost"), Decimal(0))
    new = q2(line.a + form.executed - costs + form.executed * uniform(rng, 0.1, 0.3))
    line.target, line.actual = line.op + _value(line, new), _value(line, new)
    total = costs - line.a + new
    return Edit(f"{line.name} 指标值与实际值改为 {line.actual}，成本合计 {money(total)} 超过执行数 {money(form.executed)}",
                _at(form, line, "target", "actual"))


@mutation("low_execution", "funds.low_execution_unexplained")
def low_execution(form: SynForm, rng: random.Random) -> Edit | None:
    new = q2(form.budget * uniform(rng, 0.6, 0.85))
    costs = sum((x.a or Decimal(0) for x in form.lines if x.kind == "cost"), Decimal(0))
    if costs > new or not all(line.full for line in form.lines):
        return None
    total, current = form.funds[0], form.funds[1]
    current.executed = money(Decimal(current.executed) + new - form.executed)
    score = q2(10 * new / form.budget)
    total.executed, total.rate, total.score = money(new), pct(100 * new / form.budget), num(score)
    _set_total(form, form.clean_total - form.budget_score + score)
    touched = ("funds.0.executed", "funds.0.score", "funds.1.executed", "total_score")
    return Edit(f"全年执行数 {money(form.executed)} → {total.executed}（执行率 {total.rate}），得分与总分同步，未说明原因",
                touched + (("funds.0.rate",) if form.with_rate else ()))


def _overachieve(form: SynForm, rng: random.Random) -> Line | None:
    line = _pick(rng, form, lambda x: x.kind == "count" and x.full and x.op != "=")
    if line is None or line.t is None:
        return None
    line.actual = f"{(line.t * uniform(rng, 2.3, 3)).to_integral_value()}{line.unit}"
    return line


@mutation("overachieved", "indicator.overachieved_unexplained")
def overachieved(form: SynForm, rng: random.Random) -> Edit | None:
    line = _overachieve(form, rng)
    if line is None:
        return None
    return Edit(f"{line.name} 指标值 {line.target}，实际 {line.actual}（超过2.3倍），偏差栏无说明", _at(form, line, "actual"))


@mutation("overachieved_explained")
def overachieved_explained(form: SynForm, rng: random.Random) -> Edit | None:
    line = _overachieve(form, rng)
    if line is None:
        return None
    line.deviation = f"超额完成：因{rng.choice(['服务需求增加', '上级临时任务增加'])}，实际为{line.actual}，明显高于年度指标值。"
    return Edit(f"{line.name} 实际 {line.actual}，偏差栏说明了超额原因（对照）", _at(form, line, "actual", "deviation"))


ERROR_KINDS = [m for m in MUTATIONS.values() if m.rules]
CONTROL_KINDS = [m for m in MUTATIONS.values() if not m.rules]


# --- verification and drawing ----------------------------------------------------------------


def review_text(text: str, name: str, settings: Settings) -> list[Finding]:
    return review_documents([extract_bytes(text.encode("utf-8"), name)], settings).findings


@dataclass
class SynDocument:
    id: str
    mutation: str  # "clean" for a clean form
    rules: tuple[str, ...]
    form: SynForm
    edit: Edit
    base: SynForm


@dataclass
class Draws:
    documents: list[SynDocument] = field(default_factory=list)
    rejected: list[dict[str, object]] = field(default_factory=list)  # clean forms on which rules fired


def draw(doc_id: str, kind: Mutation | None, rng: random.Random, settings: Settings | None, draws: Draws) -> None:
    """A clean form (verified when settings are given) and, for a mutation kind, its
    mutated copy; redrawn when the kind does not apply or a rule fires on the clean form."""
    for attempt in range(MAX_DRAWS):
        base = generate_form(rng)
        form = copy.deepcopy(base)
        edit = kind.apply(form, rng) if kind else Edit("未改动", ())
        if edit is None:
            continue
        fired = review_text(text_export(blocks_of(base)), f"{doc_id}.txt", settings) if settings else []
        last = attempt == MAX_DRAWS - 1
        if fired:
            draws.rejected.append({
                "id": doc_id, "form": base.title, "kept": last,
                "findings": [{"rule": f.rule, "message": f.message} for f in fired],
                "text": text_export(blocks_of(base)),
            })
        if not fired or last:
            name = kind.name if kind else "clean"
            draws.documents.append(SynDocument(doc_id, name, kind.rules if kind else (), form, edit, base))
            return
    raise RuntimeError(f"{doc_id}: no form suits mutation {kind.name if kind else 'clean'}")


def plan(count: int, controls: int, clean: int, seed: int) -> list[Mutation | None]:
    """Kinds in round robin (every kind about equally often), shuffled by the seed."""
    kinds: list[Mutation | None] = [ERROR_KINDS[i % len(ERROR_KINDS)] for i in range(count)]
    kinds += [CONTROL_KINDS[i % len(CONTROL_KINDS)] for i in range(controls)]
    kinds += [None] * clean
    random.Random(seed).shuffle(kinds)
    return kinds


def generate(count: int, seed: int, controls: int, clean: int, verify: bool) -> Draws:
    settings = Settings(llm_enabled=False) if verify else None
    draws = Draws()
    for i, kind in enumerate(plan(count, controls, clean, seed)):
        draw(f"syn_{i:04d}", kind, random.Random(f"{seed}:{i}"), settings, draws)
    return draws


# --- writing ---------------------------------------------------------------------------------


def write_set(draws: Draws, out: Path, formats: Sequence[str]) -> None:
    for fmt in formats:
        (out / fmt).mkdir(parents=True, exist_ok=True)
    docx_dir = out / "docx"
    for doc in draws.documents:
        blocks = blocks_of(doc.form)
        if "txt" in formats:
            (out / "txt" / f"{doc.id}.txt").write_text(text_export(blocks), encoding="utf-8")
        if "docx" in formats or "pdf" in formats:
            docx_dir.mkdir(exist_ok=True)
            path = docx_dir / f"{doc.id}.docx"
            build_samples.write_docx(blocks, path)
            build_samples.check_docx(path, blocks)
    if "pdf" in formats:
        write_pdfs([docx_dir / f"{d.id}.docx" for d in draws.documents], out / "pdf")
    for fmt in formats:
        write_labels(draws.documents, out / fmt, fmt)
    report = {"documents": len(draws.documents), "rejected_clean_forms": draws.rejected}
    (out / "generation_report.json").write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")


def write_pdfs(documents: list[Path], outdir: Path) -> None:
    """LibreOffice in batches (one process per batch); every PDF is checked."""
    for start in range(0, len(documents), PDF_BATCH):
        batch = documents[start : start + PDF_BATCH]
        build_samples.convert_to_pdf(batch, outdir)
        for path in batch:
            build_samples.check_pdf(outdir / f"{path.stem}.pdf")


def write_labels(documents: list[SynDocument], folder: Path, fmt: str) -> None:
    labels, manifest = [], []
    for doc in documents:
        file = f"{doc.id}.{fmt}"
        manifest.append({"file": file, "form": doc.form.title, "mutation": doc.mutation,
                         "rules": list(doc.rules), "note": doc.edit.note})
        labels += [{"file": file, "form": doc.form.title, "rule": rule, "mutation": doc.mutation,
                    "note": doc.edit.note} for rule in doc.rules]
    for name, rows in (("labels.jsonl", labels), ("manifest.jsonl", manifest)):
        text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
        (folder / name).write_text(text, encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="生成带标注的合成绩效自评表（注入已知错误）")
    parser.add_argument("--out", required=True, type=Path, help="输出文件夹（建议在仓库之外，如 /tmp/synthetic）")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--count", type=int, default=350, help="注入错误的文件数（每个文件一个错误）")
    parser.add_argument("--controls", type=int, default=20, help="对照文件数（改动不应触发规则）")
    parser.add_argument("--clean", type=int, default=40, help="无错误的文件数")
    parser.add_argument("--formats", default="txt,docx,pdf", help="逗号分隔：txt,docx,pdf")
    parser.add_argument("--no-verify", action="store_true", help="不用审核规则检验干净表格")
    args = parser.parse_args(argv)
    formats = [f for f in args.formats.split(",") if f]
    if unknown := set(formats) - set(FORMATS):
        parser.error(f"unknown formats: {', '.join(sorted(unknown))}")
    draws = generate(args.count, args.seed, args.controls, args.clean, not args.no_verify)
    write_set(draws, args.out, formats)
    print(f"{len(draws.documents)} documents, {len(draws.rejected)} clean forms on which rules fired "
          f"(see {args.out / 'generation_report.json'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
