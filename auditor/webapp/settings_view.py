"""The sidebar's settings: scoring profile, tolerances and the language-model switch.

The API key is never shown or put into a cache key; only the endpoint's host and model are.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import urlparse

from auditor.settings import PROFILES, Settings, Tolerances


@dataclass(frozen=True)
class Choices:
    """What the auditor picked in the sidebar (tolerances as the widgets show them)."""

    profile: str
    money_abs: float  # 万元
    money_rel_pct: float  # percent
    rate_pp: float
    score: float
    llm_on: bool


def profile_label(name: str) -> str:
    return PROFILES[name].title if name in PROFILES else name


def profile_short(name: str) -> tuple[str, str]:
    """A profile's name short enough for the sidebar's picker, and its weights for a caption:
    财政部默认（预算执行率10、产出50…） → (财政部默认, 预算执行率10、产出50…)."""
    title = profile_label(name)
    head, _, rest = title.partition("（")
    return head, rest.removesuffix("）")


def defaults(settings: Settings) -> Choices:
    tol = settings.tolerances
    return Choices(
        profile=settings.profile,
        money_abs=float(tol.money_abs),
        money_rel_pct=float(tol.money_rel * 100),
        rate_pp=float(tol.rate_pp),
        score=float(tol.score),
        llm_on=settings.llm_configured,
    )


def apply(base: Settings, choices: Choices) -> Settings:
    """The base settings (from the environment) with the sidebar's choices applied."""
    tolerances = base.tolerances.model_copy(
        update={
            "money_abs": _decimal(choices.money_abs),
            "money_rel": _decimal(choices.money_rel_pct) / 100,
            "rate_pp": _decimal(choices.rate_pp),
            "score": _decimal(choices.score),
        }
    )
    return base.model_copy(
        update={"profile": choices.profile, "tolerances": tolerances, "llm_enabled": choices.llm_on}
    )


def _decimal(number: float) -> Decimal:
    return Decimal(repr(round(number, 6)))


def fingerprint(settings: Settings) -> str:
    """What changes a review's outcome, for the cache key (no secrets)."""
    tol: Tolerances = settings.tolerances
    return (
        f"{settings.profile}|{tol.model_dump_json()}|{settings.llm_configured}|{settings.llm_model}"
    )


def llm_endpoint_text(settings: Settings) -> str:
    """接口已配置：host，模型 m — or how to configure it. Never the key."""
    if not (settings.llm_base_url and settings.llm_model):
        return "未配置大模型接口（需设置 AUDITOR_LLM_BASE_URL 和 AUDITOR_LLM_MODEL）"
    url = settings.llm_base_url
    host = urlparse(url if "//" in url else f"//{url}").hostname or "（地址无法解析）"
    return f"已配置：{host}，模型 {settings.llm_model}"
