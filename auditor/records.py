"""Typed records of the forms. Every value keeps its text, its parsed quantity and where
it was read (page/bbox for PDF, table/row/column for Word and text)."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from auditor.document import LOW_CONFIDENCE, Provenance
from auditor.values import Quantity, parse_value


class Location(BaseModel):
    model_config = ConfigDict(frozen=True)

    page: int | None = None
    bbox: tuple[float, float, float, float] | None = None
    table: int | None = None
    row: int | None = None
    col: int | None = None
    column: str | None = None  # the column's header words, e.g. 全年执行数
    paragraph: int | None = None
    sheet: str | None = None  # Excel: the sheet name
    cell: str | None = None  # Excel: the cell reference in that sheet, e.g. E7
    confidence: float | None = None  # OCR'd text: the engine's confidence (0–1)

    @property
    def uncertain(self) -> bool:
        """Read by OCR with low confidence: the auditor should check the original."""
        return self.confidence is not None and self.confidence < LOW_CONFIDENCE

    @classmethod
    def of(cls, prov: Provenance, column: str | None = None) -> Location:
        # Built without validation: a Provenance's fields are already of these types, and
        # this runs for every cell of every document (it was the parser's top cost).
        return built(
            cls,
            {
                "page": prov.page,
                "bbox": prov.bbox,
                "table": prov.table,
                "row": prov.row,
                "col": prov.col,
                "column": column,
                "paragraph": prov.paragraph,
                "sheet": prov.sheet,
                "cell": prov.cell,
                "confidence": prov.confidence,
            },
        )


M = TypeVar("M", bound=BaseModel)


def built(cls: type[M], values: dict[str, Any]) -> M:
    """A model from values already of its fields' types, every field given (and no
    other): what ``model_construct`` makes, without its per-field loop over defaults,
    which was a third of the time to parse a document's forms."""
    model = cls.__new__(cls)
    object.__setattr__(model, "__dict__", values)
    object.__setattr__(model, "__pydantic_fields_set__", set(values))
    object.__setattr__(model, "__pydantic_extra__", None)
    object.__setattr__(model, "__pydantic_private__", None)
    return model


_NOWHERE = Location()  # frozen: one instance serves every value read from nowhere


class Value(BaseModel):
    """One cell or stated figure: its text as written (whitespace normalised) and parsed."""

    text: str
    quantity: Quantity
    location: Location = Field(default_factory=Location)
    source: Literal["table", "text", "llm"] = "table"

    @classmethod
    def read(
        cls, text: str, location: Location | None = None, source: str = "table", meaning: str | None = None
    ) -> Value:
        """A value as written; ``meaning`` is parsed instead when other columns complete
        it (指标性质 "≥" and 度量单位 "公里" beside a bare "60" mean "≥60公里")."""
        quantity = parse_value(text if meaning is None else meaning)
        # Without validation: each argument is already of its field's type.
        return built(cls, {"text": text, "quantity": quantity, "location": location or _NOWHERE, "source": source})

    @property
    def number(self) -> Decimal | None:
        return self.quantity.number

    @property
    def is_blank(self) -> bool:
        return self.quantity.kind in ("blank", "na")


FundsKey = Literal["total", "current", "carryover", "other", "part"]  # part: another source of funds


class FundsRow(BaseModel):
    """A line of the funds block (年度资金总额 / 其中：当年财政拨款 / 上年结转资金 / 其他资金)."""

    key: FundsKey
    label: str
    initial_budget: Value | None = None  # 年初预算数
    budget: Value | None = None  # 全年预算数 / 预算数（A）
    executed: Value | None = None  # 全年执行数 / 执行数（B）
    weight: Value | None = None  # 分值
    rate: Value | None = None  # 执行率
    score: Value | None = None  # 得分
    note: Value | None = None  # 原因 / 说明
    location: Location = Field(default_factory=Location)


Category = Literal["产出指标", "效益指标", "满意度指标", "成本指标", "决策", "过程", "管理", "投入", "其他"]


class Indicator(BaseModel):
    """A line of an indicator table (一级/二级/三级指标 with their values)."""

    level1: str  # as printed (a merged cell is read from the merge's first row)
    level2: str
    name: str  # 三级指标
    category: Category  # 产出/效益/满意度…, from level1, else from level2's words
    target: Value | None = None  # 年度指标值
    actual: Value | None = None  # 实际完成值 (None on target tables)
    weight: Value | None = None  # 分值
    score: Value | None = None  # 得分
    deviation: Value | None = None  # 偏差原因分析及改进措施
    note: Value | None = None  # 备注
    extra: dict[str, Value] = Field(default_factory=dict)  # other columns (指标性质, 度量单位 …)
    location: Location = Field(default_factory=Location)


class CategoryWeight(BaseModel):
    """A first-level category that states its weight: 产出指标(50分)."""

    name: str
    weight: Decimal
    text: str
    location: Location = Field(default_factory=Location)


class GoalBlock(BaseModel):
    """A per-goal indicator block of a department form (001: 年度绩效目标1：（8分）| 7)."""

    label: str
    name: str  # the block's own heading (工程尾款)
    weight: Value | None = None
    score: Value | None = None
    indicators: list[Indicator] = Field(default_factory=list)
    location: Location = Field(default_factory=Location)


class PlanItem(BaseModel):
    """A line of 年度重点工作计划 (事项 / 责任单位 / 工作目标)."""

    item: str
    owner: str
    goal: str
    location: Location = Field(default_factory=Location)


class SubItem(BaseModel):
    """A line of a summary of sub-items with amounts (004 附件2)."""

    seq: str
    name: str
    amount: Value | None = None
    long_term_goal: str = ""
    annual_goal: str = ""
    location: Location = Field(default_factory=Location)


class StatedAmount(BaseModel):
    """A figure stated in narrative text, with the sentence around it."""

    value: Value
    context: str


class ReportSection(BaseModel):
    heading: str
    text: str
    location: Location = Field(default_factory=Location)


class Report(BaseModel):
    """A 绩效自评报告: free text attached to the form it reports on."""

    title: str
    attachment: str | None = None
    sections: list[ReportSection] = Field(default_factory=list)
    problems: str | None = None  # 存在的问题
    improvements: str | None = None  # 改进措施
    amounts: list[StatedAmount] = Field(default_factory=list)
    text: str = ""
    location: Location = Field(default_factory=Location)


class FormBase(BaseModel):
    title: str  # 项目名称 / 项目支出名称 / 支出方向 (project forms), the unit's name (department forms)
    heading: str | None = None  # the printed title line (…项目支出绩效自评表)
    title_note: str | None = None  # how the title was found when no label named it
    attachment: str | None = None  # 附件3-1
    year: str | None = None
    fields: dict[str, Value] = Field(default_factory=dict)  # every label → value pair of the header
    indicators: list[Indicator] = Field(default_factory=list)
    category_weights: list[CategoryWeight] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)  # what the parser could not read
    source: Literal["parser", "llm"] = "parser"
    location: Location = Field(default_factory=Location)
    report: Report | None = None  # the 绩效自评报告 that goes with the form


class SelfEvalBase(FormBase):
    funds: list[FundsRow] = Field(default_factory=list)
    goal: Value | None = None  # 预期目标
    result: Value | None = None  # 实际完成情况
    total_weight: Value | None = None
    total_score: Value | None = None
    grade: Value | None = None
    budget_weight: Value | None = None  # stated in the funds block's label: 预算执行情况（20分）
    indicators_weight: Value | None = None  # stated in the indicator block's label: 绩效指标（90分）

    def funds_row(self, key: FundsKey) -> FundsRow | None:
        return next((r for r in self.funds if r.key == key), None)


class ProjectSelfEval(SelfEvalBase):
    kind: Literal["project_self_eval"] = "project_self_eval"
    department: str | None = None  # 主管部门
    implementer: str | None = None  # 实施单位


class DeptSelfEval(SelfEvalBase):
    kind: Literal["dept_self_eval"] = "dept_self_eval"
    spending: dict[str, Value] = Field(default_factory=dict)  # 基本支出 / 项目支出 / 一般公共预算 …
    goal_blocks: list[GoalBlock] = Field(default_factory=list)
    deviation_text: Value | None = None  # 偏差大或目标未完成原因分析
    improvement_text: Value | None = None  # 改进措施及结果应用方案


class DeptTargets(FormBase):
    kind: Literal["dept_targets"] = "dept_targets"
    total_amount: Value | None = None  # 资金总额
    spending: dict[str, Value] = Field(default_factory=dict)
    duties: str | None = None  # 部门职责概述
    plans: list[PlanItem] = Field(default_factory=list)
    sub_items: list[SubItem] = Field(default_factory=list)
    sub_items_total: Value | None = None  # 合计


class ProjectTargets(FormBase):
    kind: Literal["project_targets"] = "project_targets"
    amount: Value | None = None  # 项目金额
    special_fund: str | None = None  # 所属专项
    period: str | None = None  # 项目实施期
    long_term_goal: str | None = None  # 实施期绩效目标
    annual_goal: str | None = None  # 年度绩效目标


class SelfEvalReport(FormBase):
    """A 绩效自评报告 that comes without its table: its stated amounts are checked
    against each other."""

    kind: Literal["self_eval_report"] = "self_eval_report"


Form = Annotated[
    ProjectSelfEval | DeptSelfEval | DeptTargets | ProjectTargets | SelfEvalReport, Field(discriminator="kind")
]
