"""Settings from the environment (AUDITOR_ prefix), scoring profiles and tolerances."""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Tolerances(BaseModel):
    """How close two numbers must be to count as equal (docs/rules.md)."""

    money_abs: Decimal = Decimal("0.01")  # 万元
    money_rel: Decimal = Decimal("0.001")  # 0.1 %
    rate_pp: Decimal = Decimal("0.5")  # percentage points
    score: Decimal = Decimal("0.01")
    formula: Decimal = Decimal("0.1")  # score.formula_mismatch

    def money_equal(self, a: Decimal, b: Decimal) -> bool:
        return abs(a - b) <= max(self.money_abs, self.money_rel * max(abs(a), abs(b)))

    def money_greater(self, a: Decimal, b: Decimal) -> bool:
        """a exceeds b by more than the tolerance."""
        return a > b and not self.money_equal(a, b)


class Profile(BaseModel):
    """A scoring scheme: weights, formulas, tiers and thresholds, chosen per run."""

    name: str
    title: str
    budget_weight: Decimal = Decimal(10)
    category_weights: dict[str, Decimal] = Field(default_factory=dict)
    total_weight: Decimal = Decimal(100)
    negative_alternative: bool = True  # also accept weight × (1 − (actual − target)/target)
    tier_lower_bounds: tuple[Decimal, ...] = (Decimal(50), Decimal(60))
    overachieve_threshold: Decimal = Decimal(120)  # % of target
    grade_bands: tuple[tuple[str, Decimal], ...] = (
        ("优", Decimal(90)),
        ("良", Decimal(80)),
        ("中", Decimal(60)),
        ("差", Decimal(0)),
    )


PROFILES: dict[str, Profile] = {
    "mof": Profile(
        name="mof",
        title="财政部默认（预算执行率10、产出50、效益30、满意度10）",
        category_weights={"产出指标": Decimal(50), "效益指标": Decimal(30), "满意度指标": Decimal(10)},
    ),
    "sichuan": Profile(
        name="sichuan",
        title="四川（预算执行10、绩效指标90）",
        category_weights={},
        overachieve_threshold=Decimal(130),
    ),
    "ningxia": Profile(
        name="ningxia",
        title="宁夏（决策10、管理25、产出30、效益35）",
        budget_weight=Decimal(0),
        category_weights={"决策": Decimal(10), "管理": Decimal(25), "产出指标": Decimal(30), "效益指标": Decimal(35)},
    ),
    "hunan": Profile(
        name="hunan",
        title="湖南部门整体（投入15、过程40、产出与效果）",
        budget_weight=Decimal(0),
        category_weights={"投入": Decimal(15), "过程": Decimal(40)},
    ),
}


def infer_profile(level1_labels: list[str], budget_weight: Decimal | None, indicators_weight: Decimal | None) -> str | None:
    """The scheme a form's printed weights and categories show, if it is not the default:
    决策/管理 categories (宁夏), 投入/过程 (湖南部门整体), or 预算执行 10 + 绩效指标 90 (四川)."""
    text = "".join(level1_labels)
    if "决策" in text and "管理" in text:
        return "ningxia"
    if "投入" in text and "过程" in text:
        return "hunan"
    if budget_weight == 10 and indicators_weight == 90:
        return "sichuan"
    return None


class Settings(BaseSettings):
    """Run-time settings. Every field can be set as AUDITOR_<NAME> in the environment."""

    model_config = SettingsConfigDict(env_prefix="AUDITOR_", extra="ignore")

    profile: str = "mof"  # the run's scheme; with "mof" (the default) a form whose printed weights show another scheme is scored by it
    llm_base_url: str | None = None
    llm_model: str | None = None
    llm_api_key: SecretStr | None = None
    llm_mode: str = "tools"  # instructor mode: tools | json | json_schema | md_json
    llm_timeout: float = 60.0
    llm_max_concurrency: int = 4
    llm_max_retries: int = 2
    llm_token_budget: int = 20000  # per document
    llm_backoff_attempts: int = 4  # requests in all on 429/5xx/timeouts, the first included
    llm_backoff_base: float = 0.5  # seconds before the first retry
    llm_backoff_cap: float = 8.0  # longest wait, Retry-After included
    llm_enabled: bool = True
    cache_dir: str = ".auditor-cache"
    tolerances: Tolerances = Field(default_factory=Tolerances)

    @property
    def llm_configured(self) -> bool:
        return bool(self.llm_enabled and self.llm_base_url and self.llm_model)

    def scoring_profile(self) -> Profile:
        return PROFILES[self.profile]
