"""Score the auditor against a labelled set (shared/spec/findings.md, "Labelled sets").

A labelled set is a folder of documents plus ``labels.jsonl``: one expected finding per
line, ``{"file": "NAME.docx", "form": "title", "rule": "code"}`` (extra keys such as
``note`` or ``mutation`` are kept; blank lines and lines starting with ``//`` are
ignored). A document with no line is expected clean. An optional ``manifest.jsonl``
(``{"file": ..., "mutation": ...}`` per document, written by ``eval/mutate.py``) names
what was done to each document, so that misses can be grouped by it.

Matching: a finding matches a label when the file's base name, the rule code and the
form title agree, the title compared after removing whitespace and punctuation (ASCII
and full-width). Findings are de-duplicated by that key. A label whose file is not in
the folder but shares its stem with files that are (``000_x`` or ``000_x.docx`` against
``000_x.pdf``) applies to each of them, so one labels.jsonl serves every rendition.

Metrics, per rule and overall: precision = TP / (TP + FP), recall = TP / (TP + FN),
F1 = their harmonic mean. By convention precision is 1 when nothing was predicted and
recall is 1 when nothing was expected (a rule silent on a set that expects nothing
scores 1/1/1); F1 is 0 when precision + recall is 0.
"""

from __future__ import annotations

import argparse
import json
import sys
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, computed_field

from auditor.findings import Finding
from auditor.ingest import walk
from auditor.settings import PROFILES, Settings

LABELS_FILE = "labels.jsonl"
AMBIGUOUS_FILE = "ambiguous.jsonl"  # debatable findings: neither a hit nor a miss
FORMS_FILE = "forms.jsonl"  # optional: the forms each document holds, for the recognition rate
MANIFEST_FILE = "manifest.jsonl"
RESULT_FILE = "eval_result.json"
RENDITIONS: tuple[str, ...] = ("txt", "docx", "pdf")
LLM_RULES = frozenset({"narrative.contradiction"})
# Rules whose answer depends on the whole form (a total, a sum of weights, a reason that
# may stand further on). On a document transcribed only up to a cut (forms.jsonl
# "truncated": true) their unlabelled findings are set aside, not counted as false.
TAIL_RULES = frozenset({
    "score.missing", "score.total_mismatch", "score.weight_sum_mismatch", "score.category_weight_mismatch",
    "score.grade_mismatch", "narrative.problems_denied", "narrative.unfinished_but_full_score",
    "funds.adjustment_unexplained", "funds.low_execution_unexplained", "dept.item_sum_mismatch",
})

Key = tuple[str, str, str]  # (file base name, rule, normalised form title)


class Label(BaseModel):
    """One expected finding of a labelled set."""

    model_config = ConfigDict(extra="allow")

    file: str
    form: str
    rule: str
    mutation: str | None = None
    note: str | None = None


class Miss(BaseModel):
    """A false negative (an unmatched label) or a false positive (an unmatched finding)."""

    file: str
    form: str
    rule: str
    message: str | None = None  # the finding's message (false positives)
    mutation: str | None = None  # what was done to the document, when known
    note: str | None = None  # the label's note (false negatives)


class RuleScore(BaseModel):
    rule: str
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @computed_field  # type: ignore[prop-decorator]
    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @computed_field  # type: ignore[prop-decorator]
    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @computed_field  # type: ignore[prop-decorator]
    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def row(self) -> str:
        return (
            f"| {self.rule} | {self.tp} | {self.fp} | {self.fn} | "
            f"{self.precision:.3f} | {self.recall:.3f} | {self.f1:.3f} |"
        )


class EvalResult(BaseModel):
    """The score of one run over one labelled set (or one rendition of it)."""

    name: str = ""
    documents: int = 0
    overall: RuleScore = Field(default_factory=lambda: RuleScore(rule="overall"))
    rules: list[RuleScore] = Field(default_factory=list)
    false_negatives: list[Miss] = Field(default_factory=list)
    false_positives: list[Miss] = Field(default_factory=list)
    unread: dict[str, str] = Field(default_factory=dict)  # file → why it could not be read
    unknown_label_files: list[str] = Field(default_factory=list)  # labelled files not found
    unregistered_rules: list[str] = Field(default_factory=list)  # labelled codes no rule produces
    not_run: dict[str, int] = Field(default_factory=dict)  # LLM rule → labels left unscored (no LLM)
    ambiguous: int = 0  # findings matching an ambiguous label, set aside
    forms_expected: int = 0  # forms listed in forms.jsonl
    forms_recognised: int = 0  # of those, read under their title
    forms_missed: list[str] = Field(default_factory=list)  # "file: title" not recognised

    def to_json(self) -> str:
        return self.model_dump_json(indent=2)

    def table(self) -> str:
        """Per-rule scores as a Markdown table, the overall row last."""
        head = ["| rule | TP | FP | FN | precision | recall | F1 |", "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
        overall = self.overall.row().replace("| overall |", "| **overall** |", 1)
        return "\n".join([*head, *(r.row() for r in self.rules), overall])

    def misses_table(self) -> str:
        """False negatives and positives counted by mutation kind and rule (Markdown)."""
        counts: Counter[tuple[str, str, str]] = Counter()
        for kind, misses in (("FN", self.false_negatives), ("FP", self.false_positives)):
            for m in misses:
                counts[(m.mutation or "(none)", kind, m.rule)] += 1
        lines = ["| mutation | miss | rule | count |", "| --- | --- | --- | ---: |"]
        lines += [f"| {mut} | {kind} | {rule} | {n} |" for (mut, kind, rule), n in sorted(counts.items())]
        return "\n".join(lines)


# --- labels ------------------------------------------------------------------------------

_PUNCT_CATEGORIES = ("P", "S", "Z")  # punctuation, symbols (＋, ～ …), separators


def normalise_form(title: str) -> str:
    """A form title without whitespace or punctuation, full-width or ASCII."""
    folded = unicodedata.normalize("NFKC", title)
    return "".join(ch for ch in folded if not ch.isspace() and unicodedata.category(ch)[0] not in _PUNCT_CATEGORIES)


def _jsonl(path: Path) -> Iterable[tuple[int, dict[str, Any]]]:
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        text = line.strip()
        if not text or text.startswith("//"):
            continue
        try:
            yield n, json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path}:{n}: 不是合法的JSON：{exc.msg}") from exc


def load_labels(folder: Path | str, file: str = LABELS_FILE) -> list[Label]:
    """The labels of a labelled set (its ``labels.jsonl``, or ``ambiguous.jsonl``; none if
    the file is absent)."""
    path = Path(folder) / file
    if not path.is_file():
        return []
    return [Label.model_validate(data) for _, data in _jsonl(path)]


def load_forms(folder: Path | str) -> tuple[dict[str, list[str]], set[str]]:
    """document stem → the titles of the forms it holds, and the stems of documents
    transcribed only up to a cut, from the optional ``forms.jsonl``
    (``{"file": "r01_x_proj", "forms": ["title", …], "truncated": true}`` per line)."""
    path = Path(folder) / FORMS_FILE
    if not path.is_file():
        return {}, set()
    rows = [d for _, d in _jsonl(path)]
    forms = {_stem(str(d["file"])): [str(t) for t in d.get("forms", [])] for d in rows}
    return forms, {_stem(str(d["file"])) for d in rows if d.get("truncated")}


def load_manifest(folder: Path | str) -> dict[str, str]:
    """file base name → mutation kind, from the set's optional ``manifest.jsonl``."""
    path = Path(folder) / MANIFEST_FILE
    if not path.is_file():
        return {}
    return {Path(d["file"]).name: str(d.get("mutation") or "") for _, d in _jsonl(path)}


def _stem(name: str) -> str:
    p = Path(name)
    return p.stem if p.suffix.lower() in {f".{r}" for r in RENDITIONS} else p.name


def resolve_label_files(label: Label, files: Sequence[str]) -> list[str]:
    """The evaluated files a label applies to: the one it names, else every file with
    the same stem (all renditions of that document)."""
    name = Path(label.file).name
    if name in files:
        return [name]
    return [f for f in files if _stem(f) == _stem(name)]


# --- scoring -----------------------------------------------------------------------------


def score(
    findings: Iterable[Finding],
    labels: Iterable[Label],
    files: Iterable[str],
    manifest: dict[str, str] | None = None,
    name: str = "",
    ambiguous: Iterable[Label] = (),
    truncated: Iterable[str] = (),
) -> EvalResult:
    """Match findings with labels over the given files (names or paths). A finding or
    label that matches an ambiguous label is set aside: neither a hit nor a miss."""
    names = sorted({Path(f).name for f in files})
    expected, unknown = _expected(labels, names)
    debatable = set(_expected(ambiguous, names)[0])
    predicted: dict[Key, Finding] = {}
    for finding in findings:
        predicted.setdefault((Path(finding.file).name, finding.rule, normalise_form(finding.form)), finding)
    cut = set(truncated)
    debatable |= {k for k in predicted if k not in expected and k[1] in TAIL_RULES and _stem(k[0]) in cut}
    set_aside = debatable & (predicted.keys() | expected.keys())
    for key in debatable:
        predicted.pop(key, None)
        expected.pop(key, None)
    mutation_of = {**{k[0]: lab.mutation for k, lab in expected.items() if lab.mutation}, **(manifest or {})}
    result = EvalResult(name=name, documents=len(names), unknown_label_files=unknown, ambiguous=len(set_aside))
    per_rule: dict[str, RuleScore] = {}
    for key in sorted(expected.keys() | predicted.keys()):
        rs = per_rule.setdefault(key[1], RuleScore(rule=key[1]))
        mutation = mutation_of.get(key[0])
        if key in expected and key in predicted:
            rs.tp += 1
        elif key in expected:
            rs.fn += 1
            lab = expected[key]
            result.false_negatives.append(
                Miss(file=key[0], form=lab.form, rule=lab.rule, mutation=mutation, note=lab.note)
            )
        else:
            rs.fp += 1
            hit = predicted[key]
            result.false_positives.append(
                Miss(file=key[0], form=hit.form, rule=hit.rule, message=hit.message, mutation=mutation)
            )
    result.rules = [per_rule[r] for r in sorted(per_rule)]
    result.overall = RuleScore(
        rule="overall",
        tp=sum(r.tp for r in result.rules),
        fp=sum(r.fp for r in result.rules),
        fn=sum(r.fn for r in result.rules),
    )
    return result


def _expected(labels: Iterable[Label], names: Sequence[str]) -> tuple[dict[Key, Label], list[str]]:
    """Each label's keys over the evaluated files, and the labelled files not found."""
    expected: dict[Key, Label] = {}
    unknown: set[str] = set()
    for label in labels:
        matched = resolve_label_files(label, names)
        if not matched:
            unknown.add(label.file)
        for file in matched:
            expected.setdefault((file, label.rule, normalise_form(label.form)), label)
    return expected, sorted(unknown)


# --- running -----------------------------------------------------------------------------


def documents_of(folder: Path | str, rendition: str | None = None) -> list[Path]:
    """The documents of a labelled set, optionally only one rendition (txt/docx/pdf)."""
    paths = walk([str(folder)])
    if rendition is None:
        return paths
    return [p for p in paths if p.suffix.lower() == f".{rendition.lower().lstrip('.')}"]


def evaluate(folder: Path | str, settings: Settings | None = None, rendition: str | None = None) -> EvalResult:
    """Review every document of the set (optionally one rendition) and score the findings."""
    from auditor.checks import load_rules
    from auditor.pipeline import review

    settings = settings or Settings()
    folder = Path(folder)
    paths = documents_of(folder, rendition)
    labels = load_labels(folder)
    # Without an endpoint the LLM rules do not run: their labels are set aside and
    # reported, not counted as misses of the rules that did run.
    not_run = Counter(lab.rule for lab in labels if lab.rule in LLM_RULES and not settings.llm_configured)
    labels = [lab for lab in labels if lab.rule not in not_run]
    reviewed = review(paths, settings)
    result = score(
        reviewed.findings,
        labels,
        [p.name for p in paths],
        load_manifest(folder),
        name=f"{folder.name}:{rendition}" if rendition else folder.name,
        ambiguous=load_labels(folder, AMBIGUOUS_FILE),
        truncated=load_forms(folder)[1],
    )
    _count_forms(result, load_forms(folder)[0], reviewed)
    produced = set(load_rules()) | (LLM_RULES if settings.llm_configured else set())
    result.unregistered_rules = sorted({lab.rule for lab in labels} - produced)
    result.not_run = dict(not_run)
    result.unread = {Path(d.file).name: d.error for d in reviewed.documents if d.error}
    return result


def _count_forms(result: EvalResult, listed: dict[str, list[str]], reviewed: Any) -> None:
    """How many of the forms listed in forms.jsonl were read, under their own title."""
    for doc in reviewed.documents:
        titles = listed.get(_stem(Path(doc.file).name))
        if titles is None:
            continue
        read = [normalise_form(f.title) for f in doc.forms]
        for title in titles:
            result.forms_expected += 1
            if any(same_subject(normalise_form(title), got) for got in read):
                result.forms_recognised += 1
            else:
                result.forms_missed.append(f"{Path(doc.file).name}: {title}")


def same_subject(expected: str, got: str) -> bool:
    """A form counts as recognised when it was read under its title, or under a title that
    names the same subject with more or fewer words (云南省2022年度中央自然灾害资金 for
    中央自然灾害资金): one contains the other (at least 40% of its length), or they share 80%
    of the shorter in order.
    Labels still match titles exactly."""
    if not expected or not got:
        return False
    shorter, longer = sorted((expected, got), key=len)
    if shorter in longer and len(shorter) >= max(4, 0.4 * len(longer)):
        return True
    from auditor.checks.narrative import lcs_length

    return lcs_length(expected, got) >= 0.8 * min(len(expected), len(got))


def evaluate_renditions(
    folder: Path | str, settings: Settings | None = None, renditions: Sequence[str] = RENDITIONS
) -> list[EvalResult]:
    """Evaluate each rendition present in the folder separately (one labels.jsonl)."""
    return [evaluate(folder, settings, r) for r in renditions if documents_of(folder, r)]


# --- command line ------------------------------------------------------------------------


def add_eval_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register ``auditor eval`` on the CLI's sub-parsers."""
    p: argparse.ArgumentParser = subparsers.add_parser("eval", help="评估：按标注集计算查准率、查全率、F1")
    p.add_argument("dir", help="标注集文件夹（含 labels.jsonl 与待审文件）")
    p.add_argument("--rendition", choices=[*RENDITIONS, "each"], help="只评估一种格式；each：每种格式分别评估")
    p.add_argument("-o", "--output", help=f"结果JSON的路径（默认：<dir>/{RESULT_FILE}）")
    p.add_argument("--profile", choices=sorted(PROFILES), default=None, help="评分方案（默认取环境设置）")
    p.add_argument("--fail-under", dest="fail_under", type=float, help="总体F1低于此值时以状态码1退出")
    p.set_defaults(run=run_eval)
    return p


def run_eval(args: argparse.Namespace) -> int:
    """Evaluate, print the Markdown table(s), write the JSON result; 1 below --fail-under."""
    folder = Path(args.dir)
    if not folder.is_dir():
        print(f"不是文件夹：{folder}", file=sys.stderr)
        return 2
    settings = Settings(profile=args.profile) if args.profile else Settings()
    if args.rendition == "each":
        results = evaluate_renditions(folder, settings)
    else:
        results = [evaluate(folder, settings, args.rendition)]
    for result in results:
        print(f"## {result.name}（{result.documents} 个文件）\n\n{result.table()}\n")
        if result.forms_expected:
            print(f"识别表格：{result.forms_recognised}/{result.forms_expected}"
                  f"（{100 * result.forms_recognised / result.forms_expected:.1f}%）\n")
        if result.ambiguous:
            print(f"存疑或截断处（不计入）：{result.ambiguous} 条\n")
        for problem, items in (
            ("无法读取", [f"{f}: {e}" for f, e in result.unread.items()]),
            ("标注中的文件不存在", result.unknown_label_files),
            ("尚无规则实现的标注代码", result.unregistered_rules),
            ("未识别的表格", result.forms_missed),
            ("未配置大模型、未运行的规则（其标注未计分）", [f"{r}（{n}条）" for r, n in result.not_run.items()]),
        ):
            if items:
                print(f"{problem}：{'；'.join(items)}\n")
    output = Path(args.output) if args.output else folder / RESULT_FILE
    payload = results[0].model_dump(mode="json") if len(results) == 1 else [r.model_dump(mode="json") for r in results]
    try:
        output.write_text(json.dumps(payload, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    except OSError as exc:
        print(f"无法写入结果文件：{exc}", file=sys.stderr)
        return 2
    if args.fail_under is not None and any(r.overall.f1 < args.fail_under for r in results):
        return 1
    return 0
