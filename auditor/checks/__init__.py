"""The rule registry: every deterministic rule, keyed by its stable code.

A rule is a pure function of one form (and the other forms of its document, for rules
that compare tables) that yields hits; the registry turns hits into findings, one per
(form, rule), listing every place the rule fired in its evidence and locations.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace

from auditor.findings import Finding, Severity
from auditor.forms import Form
from auditor.records import Location
from auditor.settings import PROFILES, Profile, Tolerances, infer_profile


@dataclass(frozen=True)
class Hit:
    message: str
    expected: str | None = None
    actual: str | None = None
    location: Location = field(default_factory=Location)
    evidence: tuple[str, ...] = ()


@dataclass
class Context:
    file: str
    forms: list[Form]  # every form of the document
    profile: Profile
    tol: Tolerances


RuleFn = Callable[[Form, Context], Iterable[Hit]]


@dataclass(frozen=True)
class Rule:
    code: str
    severity: Severity
    title: str  # short Chinese name, for reports
    fn: RuleFn


REGISTRY: dict[str, Rule] = {}
UNCERTAIN_NOTE = "识别置信度低，请核对原件"

log = logging.getLogger(__name__)


def rule(code: str, severity: Severity, title: str) -> Callable[[RuleFn], RuleFn]:
    def register(fn: RuleFn) -> RuleFn:
        if code in REGISTRY:
            raise ValueError(f"rule {code} registered twice")
        REGISTRY[code] = Rule(code, severity, title, fn)
        return fn

    return register


def form_context(form: Form, ctx: Context) -> Context:
    """The context a form is checked in: under the default scheme (mof), a form whose printed
    weights and categories show a provincial scheme is scored by that scheme."""
    if ctx.profile.name != "mof":
        return ctx
    from auditor.checks.measure import number

    name = infer_profile(
        [i.level1 for i in form.indicators],
        number(getattr(form, "budget_weight", None)),
        number(getattr(form, "indicators_weight", None)),
    )
    return ctx if name is None else replace(ctx, profile=PROFILES[name])


def run_rules(forms: list[Form], ctx: Context, codes: Iterable[str] | None = None) -> list[Finding]:
    selected = [REGISTRY[c] for c in codes] if codes is not None else _in_order(REGISTRY.values())
    findings = []
    for form in forms:
        form_ctx = form_context(form, ctx)
        for r in selected:
            try:
                hits = list(r.fn(form, form_ctx))
            except Exception:  # a defect of ours (or a number too large) must not sink the batch
                log.exception("rule %s failed on form %r of %s", r.code, form.title, ctx.file)
                form.notes.append(f"规则 {r.code}（{r.title}）在此表上未能完成核对（内部错误，已记录日志），请人工核对此项并将文件反馈给开发人员")
                continue
            if hits:
                findings.append(_finding(r, form, ctx.file, hits))
    return findings


_MODULES = ("dept", "funds", "indicator", "narrative", "score")


def _in_order(rules: Iterable[Rule]) -> list[Rule]:
    """The rules in one fixed order (by module, then as written), whatever order their
    modules were imported in: a document's findings come out the same in any process."""
    def key(r: Rule) -> tuple[int, str, int]:
        module = r.fn.__module__.rsplit(".", 1)[-1]
        rank = _MODULES.index(module) if module in _MODULES else len(_MODULES)
        return rank, module, r.fn.__code__.co_firstlineno

    return sorted(rules, key=key)


def _finding(r: Rule, form: Form, file: str, hits: list[Hit]) -> Finding:
    first = hits[0]
    message = first.message if len(hits) == 1 else "；".join(h.message for h in hits[:5])
    if len(hits) > 5:
        message += f"；另有{len(hits) - 5}处"
    evidence = list(dict.fromkeys(e for h in hits for e in h.evidence if e))
    locations = [h.location for h in hits[1:]]
    uncertain = [
        loc for h in hits for loc in (h.location, *getattr(h.evidence, "uncertain", ())) if loc.uncertain
    ]
    if uncertain:  # the finding may rest on an OCR misreading: show the pixels
        message += f"（{UNCERTAIN_NOTE}）"
        locations += [loc for loc in dict.fromkeys(uncertain) if loc != first.location and loc not in locations]
    return Finding(
        rule=r.code,
        severity=r.severity,
        file=file,
        form=form.title,
        form_kind=form.kind,
        message=message,
        expected=first.expected,
        actual=first.actual,
        location=first.location,
        locations=locations,
        evidence=evidence,
    )


def load_rules() -> dict[str, Rule]:
    """Import every rule module so that its rules register; returns the registry."""
    from auditor.checks import dept, funds, indicator, narrative, score  # noqa: F401

    return REGISTRY
