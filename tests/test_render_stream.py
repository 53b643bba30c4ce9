"""The report writers fed one document at a time (what ``auditor review`` does without an
LLM) give the same reports as the whole-result renderers on the same batch, and the
command line reads each file once however many formats it writes."""

from __future__ import annotations

import io
import json
import re
from datetime import datetime
from io import BytesIO
from pathlib import Path

import pytest
from openpyxl import load_workbook

from auditor.cli import main
from auditor.findings import ReviewResult
from auditor.pipeline import DocumentReview, review, review_stream
from auditor.render.html import HtmlWriter, render_html
from auditor.render.json import JsonlWriter, JsonWriter, render_json
from auditor.render.markdown import MarkdownWriter, render_markdown
from auditor.render.stream import feed
from auditor.render.text import TextWriter, render_text
from auditor.render.xlsx import XlsxWriter, render_xlsx, sorted_findings
from auditor.settings import Settings
from tests.conftest import SAMPLES

WHEN = datetime(2024, 5, 6, 7, 8)
# the seeds in the formats read without LibreOffice, and a file that cannot be read
KINDS = (".txt", ".docx", ".pdf", ".xlsx")


@pytest.fixture(scope="module")
def paths(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    broken = tmp_path_factory.mktemp("broken") / "broken.pdf"
    broken.write_bytes(b"not a pdf at all")
    seeds = sorted(p for p in SAMPLES.iterdir() if p.suffix in KINDS)
    return [*seeds[:6], broken, *seeds[6:]]


@pytest.fixture(scope="module")
def settings() -> Settings:
    settings = Settings()
    settings.llm_enabled = False
    return settings


@pytest.fixture(scope="module")
def reviews(paths: list[Path], settings: Settings) -> list[DocumentReview]:
    return list(review_stream(paths, settings))


@pytest.fixture(scope="module")
def whole(paths: list[Path], settings: Settings) -> ReviewResult:
    return review(paths, settings)


def streamed(reviews: list[DocumentReview], make: object) -> str:
    out = io.StringIO()
    feed(iter(reviews), [make(out)])  # type: ignore[operator]
    return out.getvalue()


def test_the_batch_has_findings_of_every_severity_and_an_unreadable_file(whole: ReviewResult) -> None:
    assert {f.severity for f in whole.findings} == {"error", "warning", "info"}
    assert sum(1 for d in whole.documents if d.error) == 1 and len(whole.documents) == 21


def test_streamed_markdown_equals_the_whole_result_one(reviews: list[DocumentReview], whole: ReviewResult) -> None:
    text = streamed(reviews, lambda out: MarkdownWriter(out, "mof", WHEN))
    assert text == render_markdown(whole, WHEN)
    assert "- 文件：21 个（读取失败 1 个）" in text and text.endswith("\n") and not text.endswith("\n\n")


def test_streamed_html_equals_the_whole_result_one(reviews: list[DocumentReview], whole: ReviewResult) -> None:
    page = streamed(reviews, lambda out: HtmlWriter(out, "mof", WHEN))
    assert page == render_html(whole, WHEN)
    assert page.index("文件一览") < page.index('id="doc-1"') < page.index('id="doc-21"') < page.index("<footer>")
    assert '<div class="stat failed"><b>1</b>读取失败</div>' in page


def test_streamed_text_equals_the_whole_result_one(reviews: list[DocumentReview], whole: ReviewResult) -> None:
    text = streamed(reviews, lambda out: TextWriter(out))
    assert text == render_text(whole) and "共 21 个文件（1 个无法读取）" in text


def test_streamed_json_and_jsonl_equal_the_whole_result_ones(reviews: list[DocumentReview], whole: ReviewResult) -> None:
    assert streamed(reviews, lambda out: JsonWriter(out, "mof")) == render_json(whole)
    lines = streamed(reviews, lambda out: JsonlWriter(out)).splitlines()
    assert [json.loads(line)["file"] for line in lines] == [d.file for d in whole.documents]
    assert sum(len(json.loads(line)["findings"]) for line in lines) == len(whole.findings)


def test_streamed_xlsx_equals_the_whole_result_one(reviews: list[DocumentReview], whole: ReviewResult) -> None:
    out = BytesIO()
    feed(iter(reviews), [XlsxWriter(out)])
    data = out.getvalue()
    assert data == render_xlsx(whole)  # byte for byte: fixed timestamps, same rows
    book = load_workbook(BytesIO(data))
    assert book.sheetnames == ["问题清单", "表单汇总", "读取失败"]
    issues = book["问题清单"]
    rows = [(r[1], r[3], r[4], r[5]) for r in issues.iter_rows(min_row=2, values_only=True)]
    # sorted across the whole batch (in a temporary SQLite file) as sorted() sorts
    assert rows == [(f.rule, f.file, f.form, f.message) for f in sorted_findings(whole.findings)]
    assert issues.auto_filter.ref == f"A1:N{len(whole.findings) + 1}" and issues.freeze_panes == "A2"
    assert issues["A2"].fill.fgColor.rgb.endswith("FFC7CE") and issues["F2"].alignment.wrap_text
    forms = book["表单汇总"]
    assert forms.max_row - 1 == sum(len(d.forms) for d in whole.documents)
    assert forms.column_dimensions["C"].width == 30
    assert [r[0] for r in book["读取失败"].iter_rows(min_row=2, values_only=True)] == [
        d.file for d in whole.documents if d.error
    ]


def test_review_reads_each_file_once_for_four_formats(
    paths: list[Path], whole: ReviewResult, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for name in ("AUDITOR_LLM_BASE_URL", "AUDITOR_LLM_MODEL", "AUDITOR_LLM_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    import auditor.pipeline

    reads: list[str] = []
    real = auditor.pipeline.read_path

    def counted(path: Path | str):  # type: ignore[no-untyped-def]
        reads.append(str(path))
        return real(path)

    def whole_batch(*args: object, **kwargs: object) -> None:
        raise AssertionError("the whole-batch path was taken without an LLM")

    monkeypatch.setattr(auditor.pipeline, "read_path", counted)
    monkeypatch.setattr(auditor.pipeline, "review", whole_batch)
    out = tmp_path / "out"
    args = ["review", *map(str, paths), "--format", "html", "xlsx", "json", "md", "-o", f"{out}/", "--jobs", "1"]
    assert main(args) == 0
    assert sorted(reads) == sorted(map(str, paths))  # each once
    assert sorted(p.name for p in out.iterdir()) == ["review.html", "review.json", "review.md", "review.xlsx"]
    assert json.loads((out / "review.json").read_text(encoding="utf-8")) == json.loads(render_json(whole))
    assert (out / "review.xlsx").read_bytes() == render_xlsx(whole)
    undated = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}")
    for name, render in (("review.md", render_markdown), ("review.html", render_html)):
        written = (out / name).read_text(encoding="utf-8")
        assert undated.sub("T", written) == undated.sub("T", render(whole, WHEN))


def test_format_words_after_format_join_its_list(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from auditor.cli import join_format_words

    argv = ["review", "a.pdf", "--format", "html", "XLSX", "json", "-o", "out/"]
    assert join_format_words(argv) == ["review", "a.pdf", "--format", "html,XLSX,json", "-o", "out/"]
    assert join_format_words(["review", "--format", "html,md", "a.pdf"]) == ["review", "--format", "html,md", "a.pdf"]
    monkeypatch.chdir(tmp_path)
    (tmp_path / "md").write_text("a file named md", encoding="utf-8")
    assert join_format_words(["review", "--format", "json", "md"]) == ["review", "--format", "json", "md"]
