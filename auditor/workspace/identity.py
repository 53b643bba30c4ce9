"""How a form and a finding are recognised again in a later version of a document.

A form is the same form when its kind, unit and title are the same. A finding is the same
finding when it is on the same form title under the same rule and about the same rows,
compared by name (the indicator or funds line), never by row number: a corrected copy with
rows moved still matches, and the same rule firing on another row is a new finding.
"""

from __future__ import annotations

from auditor.checks.measure import lines
from auditor.findings import Finding
from auditor.forms import Form
from auditor.records import Location, ProjectSelfEval, SelfEvalBase

KEY_SEPARATOR = "|"


def unit_of(form: Form, document_forms: list[Form]) -> str | None:
    """The agency a form belongs to: a project form's 实施单位 (else 主管部门), a department
    form's own title, and for a target table the department form of the same document."""
    if isinstance(form, ProjectSelfEval):
        return form.implementer or form.department
    if form.kind in ("dept_self_eval", "dept_targets"):
        return form.title
    for other in document_forms:
        if other.kind in ("dept_targets", "dept_self_eval"):
            return other.title
    return None


def form_key(kind: str, unit: str | None, title: str) -> str:
    return KEY_SEPARATOR.join((kind, unit or "", title))


def finding_identity(finding: Finding) -> str:
    return KEY_SEPARATOR.join((finding.form_kind or "", finding.form, finding.rule))


def _same_place(a: Location, b: Location) -> bool:
    if a.row is None or b.row is None:
        return False
    return (a.page, a.table, a.row) == (b.page, b.table, b.row)


def anchors(finding: Finding, form: Form) -> list[str]:
    """The names of the rows a finding points at (indicator names, funds line labels)."""
    named: list[tuple[Location, str]] = [(i.location, i.name) for i in lines(form)]
    if isinstance(form, SelfEvalBase):
        named += [(r.location, r.label) for r in form.funds]
    found: list[str] = []
    for place in [finding.location, *finding.locations]:
        name = next((n for loc, n in named if _same_place(loc, place)), None)
        if name is None and place.column:
            name = place.column
        if name and name not in found:
            found.append(name)
    return found
