"""The quick part of the hostile corpus (tests/hostile/generate.py --quick): every file
is accounted for with forms or a clear Chinese error, none sinks the batch, nothing
names a Python exception or lands on stdout. The whole corpus: bench/hostile.py."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

from auditor.cli import main
from auditor.parallel import display_name

sys.path.insert(0, str(Path(__file__).resolve().parent / "hostile"))
from generate import Case, generate

CLASS_NAME = re.compile(r"\b[A-Z][A-Za-z]+(?:Error|Exception)\b|BadZipFile|Traceback")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[Case], dict[str, dict]]:
    root = tmp_path_factory.mktemp("hostile")
    cases = generate(root / "corpus", quick=True)
    out = root / "review.json"
    named = [str(c.path) for c in cases if c.path.name == "no_extension"]
    code = main(["review", str(root / "corpus"), *named, "--jobs", "2", "--timeout", "60", "-o", str(out)])
    assert code == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    return cases, {d["file"]: d for d in data["documents"]}


def test_the_quick_corpus_is_large_enough(corpus: tuple[list[Case], dict[str, dict]]) -> None:
    cases, _ = corpus
    assert len(cases) >= 150
    assert {c.category for c in cases} >= {"empty", "truncated", "zip", "docx", "pdf", "text", "names", "special"}


def test_every_path_is_accounted_for(corpus: tuple[list[Case], dict[str, dict]]) -> None:
    cases, documents = corpus
    assert [c.path for c in cases if display_name(str(c.path)) not in documents] == []


@pytest.mark.parametrize("category", ["empty", "truncated", "wrong_extension", "garbage", "zip", "docx", "pdf", "text", "names", "special", "valid"])
def test_each_file_gets_forms_or_a_clear_error(corpus: tuple[list[Case], dict[str, dict]], category: str) -> None:
    cases, documents = corpus
    for case in (c for c in cases if c.category == category):
        d = documents[display_name(str(case.path))]
        error = d["error"]
        assert error is None or (re.search(r"[\u4e00-\u9fff]", error) and not CLASS_NAME.search(error)), (case.path, error)
        assert error is None or "内部错误" not in error, (case.path, error)
        if case.expect == "error":
            assert error, case.path
        if case.expect == "forms":
            assert error is None and d["forms"], (case.path, error)


def test_messages_name_the_real_problem(corpus: tuple[list[Case], dict[str, dict]]) -> None:
    cases, documents = corpus
    error = {c.path.name: documents[display_name(str(c.path))]["error"] for c in cases}
    assert "压缩炸弹" in error["bomb_document.docx"] and "损坏" not in error["bomb_document.docx"]
    assert "宏" in error["macro.docm"] and "损坏" not in error["macro.docm"]
    assert "外部" in error["external_main.docx"]
    assert "命名管道" in error["fifo.pdf"]
    assert "循环" in error["loop_a.pdf"] and "失效" in error["dangling.docx"]
    assert "设备" in error["device.pdf"]
    assert "已损坏" in error["page_tree_cycle.pdf"] and "已损坏" in error["lying_count.pdf"]
    assert "w:body" in error["no_body.docx"]
    restricted = documents[display_name(str(next(c.path for c in cases if c.path.name == "restricted_owner.pdf")))]
    assert restricted["forms"] and "权限限制" in restricted["notes"][0]
    assert "无法识别" in error["pdf_marker_inside.txt"] or "未识别到绩效表格" in error["pdf_marker_inside.txt"]


def test_the_page_unpacks_a_hostile_zip_member_by_member() -> None:
    import io
    import zipfile

    from generate import _corrupt_member  # the same damage as the corpus's .docx files

    from auditor.webapp.uploads import expand_uploads

    seed = (Path(__file__).resolve().parents[1] / "samples" / "003_6b24eafbc02acca8.txt").read_bytes()

    def archive(members: list[tuple[str, bytes]]) -> bytes:
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
            for name, data in members:
                z.writestr(name, data)
        return out.getvalue()

    good = archive([("word/document.xml", seed), ("ok.txt", seed + b"\n")])
    for how, words in (("crc", "已损坏"), ("deflate", "已损坏"), ("method", "压缩方式"), ("encrypted", "加密")):
        batch = expand_uploads([("in.zip", _corrupt_member(good, how))])
        assert [u.name for u in batch.uploads] == ["in.zip/ok.txt"], how
        assert [e.name for e in batch.errors] == ["in.zip/word/document.xml"] and words in batch.errors[0].message
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        dup = archive([("a.txt", seed), ("a.txt", seed + b" "), ("dir\\b.txt", seed + b"  ")])
    batch = expand_uploads([("d.zip", dup)])
    assert [u.name for u in batch.uploads] == ["d.zip/a.txt", "d.zip/dir/b.txt"]
    assert [e.name for e in batch.errors] == ["d.zip/a.txt"] and "同名" in batch.errors[0].message
    hidden = archive([(f".hidden{n}.txt", bytes([n % 256]) * 10) for n in range(600)] + [("x.txt", seed)])
    batch = expand_uploads([("h.zip", hidden)])
    assert batch.uploads == [] and "过多" in batch.errors[0].message
