"""Reading files into the neutral Document: Word merged cells and content controls, the
seeds' text export, text normalisation, format detection from content, bad input in a
batch, walking folders, and a form split across PDF pages.

PDF table geometry is tested in tests/test_ingest_pdf.py; value parsing in
tests/test_values.py. Every file here is made in the test (python-docx, pymupdf) or
copied from samples/.
"""

from __future__ import annotations

import io
import os
import shutil
import zipfile
from pathlib import Path

import docx
import pytest
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn

os.environ.setdefault("PYMUPDF_SUGGEST_LAYOUT_ANALYZER", "0")
import pymupdf

from auditor.document import Cell, Document, Paragraph, clean_text, fold_chars
from auditor.ingest import read_bytes, read_path, walk
from auditor.ingest.docx import read_docx
from auditor.ingest.text import parse_text_export
from auditor.pipeline import extract, extract_bytes, extract_path
from auditor.records import SelfEvalBase
from tests.conftest import SAMPLES

SEED = "001_6e05036ab9ce446a"  # one form, a few pages: the cheapest real document
SPLIT_SEED = "003_6b24eafbc02acca8"  # its tables break across pages


def _shape(row: list[Cell]) -> list[tuple[str, int, int, int, bool]]:
    return [(c.text, c.col, c.rowspan, c.colspan, c.continuation) for c in row]


def _docx_bytes(document: docx.document.Document) -> bytes:
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def _sdt(content: str) -> object:
    """A content control (w:sdt) holding the given WordprocessingML."""
    return parse_xml(
        f"<w:sdt {nsdecls('w')}><w:sdtPr/><w:sdtContent>{content}</w:sdtContent></w:sdt>"
    )


def _run(text: str) -> str:
    return f"<w:r><w:t>{text}</w:t></w:r>"


# --- Word ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def merged_docx() -> Document:
    """Paragraph, a 3×3 table with a horizontal and a vertical merge and a nested table,
    a paragraph, a paragraph in a content control, then a second table."""
    d = docx.Document()
    d.add_paragraph("附件3-1")
    t = d.add_table(rows=3, cols=3)
    t.cell(0, 0).merge(t.cell(0, 1)).text = "项目名称"
    t.cell(0, 2).text = "水电维修费"
    t.cell(1, 0).merge(t.cell(2, 0)).text = "项目资金（万元）"
    t.cell(1, 1).text = "年度资金总额"
    t.cell(1, 2).text = "说明"
    inner = t.cell(1, 2).add_table(rows=2, cols=2)
    for (r, c), text in {(0, 0): "甲", (0, 1): "乙", (1, 0): "丙", (1, 1): "丁"}.items():
        inner.cell(r, c).text = text
    t.cell(2, 1).text = "其中：财政拨款"
    t.cell(2, 2).text = "100"
    d.add_paragraph("表间说明")
    body = d.element.body
    body.insert(len(body) - 1, _sdt(f"<w:p>{_run('控件中的段落')}</w:p>"))
    t2 = d.add_table(rows=1, cols=2)
    t2.cell(0, 0).text = "单位名称"
    t2.cell(0, 1).paragraphs[0]._p.append(_sdt(_run("区机关事务服务中心")))  # inline control
    return read_docx(_docx_bytes(d), "merged.docx")


def test_docx_horizontal_merge_is_one_cell_with_colspan(merged_docx: Document) -> None:
    first = merged_docx.tables[0].rows[0]
    assert _shape(first) == [("项目名称", 0, 1, 2, False), ("水电维修费", 2, 1, 1, False)]


def test_docx_vertical_merge_gives_rowspan_and_empty_continuation(merged_docx: Document) -> None:
    rows = merged_docx.tables[0].rows
    assert _shape(rows[1])[0] == ("项目资金（万元）", 0, 2, 1, False)
    assert _shape(rows[2]) == [
        ("", 0, 1, 1, True),
        ("其中：财政拨款", 1, 1, 1, False),
        ("100", 2, 1, 1, False),
    ]


def test_docx_nested_table_is_kept_as_the_cells_text(merged_docx: Document) -> None:
    (table, _) = merged_docx.tables
    assert len(table.rows) == 3  # the inner table adds no rows of its own
    assert table.rows[1][2].text == "说明\n甲 乙\n丙 丁"


def test_docx_blocks_in_document_order(merged_docx: Document) -> None:
    kinds = [
        (type(b).__name__, b.text if isinstance(b, Paragraph) else b.index)
        for b in merged_docx.blocks
    ]
    assert kinds == [
        ("Paragraph", "附件3-1"),
        ("Table", 1),
        ("Paragraph", "表间说明"),
        ("Paragraph", "控件中的段落"),
        ("Table", 2),
    ]
    assert [p.prov.paragraph for p in merged_docx.blocks if isinstance(p, Paragraph)] == [1, 2, 3]


def test_docx_inline_content_control_text_is_read(merged_docx: Document) -> None:
    assert [c.text for c in merged_docx.tables[1].rows[0]] == ["单位名称", "区机关事务服务中心"]


def test_docx_provenance_is_one_based(merged_docx: Document) -> None:
    cell = merged_docx.tables[0].rows[2][2]
    assert cell.prov.as_dict() == {"table": 1, "row": 3, "col": 3}
    assert (cell.row, cell.col) == (2, 2)  # the cell's own indices stay 0-based


def _table_with_controls(where: str) -> bytes:
    """A 2×2 table whose second column sits inside content controls at one level."""
    d = docx.Document()
    t = d.add_table(rows=2, cols=2)
    for (r, c), text in {
        (0, 0): "项目名称",
        (0, 1): "水电维修费",
        (1, 0): "主管部门",
        (1, 1): "机关事务中心",
    }.items():
        t.cell(r, c).text = text
    tbl = t._tbl
    if where == "row":  # a repeating-section control wraps the second row: w:tbl/w:sdt/w:tr
        tr = tbl.findall(qn("w:tr"))[1]
        control = _sdt("")
        tbl.replace(tr, control)
        control[1].append(tr)
    for tr in tbl.findall(qn("w:tr")) + tbl.findall(
        f"{qn('w:sdt')}/{qn('w:sdtContent')}/{qn('w:tr')}"
    ):
        tc = tr.findall(qn("w:tc"))[1]
        if where == "cell":  # a control around the whole cell: w:tr/w:sdt/w:tc
            control = _sdt("")
            tr.replace(tc, control)
            control[1].append(tc)
        elif where == "block":  # a control around the cell's paragraph: w:tc/w:sdt/w:p
            p = tc.find(qn("w:p"))
            control = _sdt("")
            tc.replace(p, control)
            control[1].append(p)
    return _docx_bytes(d)


@pytest.mark.parametrize("where", ["row", "cell", "block"])
def test_docx_content_controls_inside_tables_are_read(where: str) -> None:
    (table,) = read_docx(_table_with_controls(where)).tables
    assert [[c.text for c in row] for row in table.rows] == [
        ["项目名称", "水电维修费"],
        ["主管部门", "机关事务中心"],
    ]


def test_docx_text_box_is_read_once() -> None:
    d = docx.Document()
    p = d.add_paragraph("填报单位：")
    box = f"<w:txbxContent><w:p>{_run('盖章')}</w:p></w:txbxContent>"
    p._p.append(
        parse_xml(
            f'<w:r {nsdecls("w")} xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"'
            ' xmlns:v="urn:schemas-microsoft-com:vml"><mc:AlternateContent>'
            f'<mc:Choice Requires="wps"><w:drawing>{box}</w:drawing></mc:Choice>'
            f"<mc:Fallback><w:pict><v:shape><v:textbox>{box}</v:textbox></v:shape></w:pict></mc:Fallback>"
            "</mc:AlternateContent></w:r>"
        )
    )
    (para,) = read_docx(_docx_bytes(d)).blocks
    assert isinstance(para, Paragraph) and para.text == "填报单位：盖章"


# --- the seeds' text export ----------------------------------------------------------

EXPORT = (
    "附件3-1\n"
    "\n"
    "\t项目名称\n"
    "\t水电\n"
    "维修费\n"  # the cell's own line break
    "\n"
    "\t项目资金\n"
    "\n"
    "（万元）\n"  # a blank line inside a cell
    "\t\n"  # an empty (merged) cell
    "\t年初预算数\n"
    "\n"
    "\t总分\n"
    "\t[bookmark: _GoBack]95.00\n"
    " \t单位名称\n"  # " \t": a paragraph mark between two tables
    "\t机关事务中心\n"
    "\n"
    "\t预算数\n"
    "\n"
    "\n"
    "备注：以上数据经审核。\n"
)


@pytest.fixture(scope="module")
def export() -> Document:
    return parse_text_export(EXPORT, "export.txt")


def test_text_export_rows_and_cells(export: Document) -> None:
    first, second = export.tables
    assert [[c.text for c in row] for row in first.rows] == [
        ["项目名称", "水电\n维修费"],
        ["项目资金\n\n（万元）", "", "年初预算数"],
        ["总分", "95.00"],
    ]
    assert [[c.text for c in row] for row in second.rows] == [
        ["单位名称", "机关事务中心"],
        ["预算数"],
    ]


def test_text_export_blocks_in_order(export: Document) -> None:
    assert export.format == "text"
    assert [type(b).__name__ for b in export.blocks] == ["Paragraph", "Table", "Table", "Paragraph"]
    paragraphs = [b for b in export.blocks if isinstance(b, Paragraph)]
    assert [(p.text, p.prov.paragraph) for p in paragraphs] == [
        ("附件3-1", 1),
        ("备注：以上数据经审核。", 2),
    ]


def test_text_export_bookmarks_are_not_text(export: Document) -> None:
    assert "bookmark" not in export.full_text()
    assert export.tables[0].rows[2][1].text == "95.00"


def test_text_export_provenance_is_one_based(export: Document) -> None:
    first, second = export.tables
    assert (first.index, second.index) == (1, 2)
    assert first.rows[1][2].prov.as_dict() == {"table": 1, "row": 2, "col": 3}
    assert second.rows[1][0].prov.as_dict() == {"table": 2, "row": 2, "col": 1}


def test_text_export_windows_line_ends_and_gb18030() -> None:
    data = EXPORT.replace("\n", "\r\n").encode("gb18030")
    doc = read_bytes(data, "export.txt")
    assert doc.format == "text"
    assert [[c.text for c in row] for row in doc.tables[0].rows] == [
        [c.text for c in row] for row in parse_text_export(EXPORT).tables[0].rows
    ]


# --- text normalisation --------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "folded"),
    [
        ("⼲部", "干部"),  # U+2F32 KANGXI RADICAL DRY
        ("⽇⽉⼈⼒", "日月人力"),
        ("１２３．５", "123.5"),
        ("９５％", "95%"),
        ("＜＝＞", "<=>"),
        ("ＡＢｃ", "ABc"),
        ("全\u3000年", "全 年"),  # ideographic space → space
        ("a\u00a0b", "a b"),
        ("执\u200b行", "执行"),  # zero-width space dropped
        ("（万元），：", "（万元），："),  # full-width punctuation kept
    ],
)
def test_fold_chars(raw: str, folded: str) -> None:
    assert fold_chars(raw) == folded


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("⼲部培训", "干部培训"),
        ("全\u3000年\u3000执行数", "全年执行数"),
        ("项目 名称", "项目名称"),
        ("水电\n维修费", "水电维修费"),
        ("项目资金\n\n（万元）", "项目资金（万元）"),
        ("Very  Good\nJob", "Very Good Job"),
        ("2662.18 万元", "2662.18万元"),
        ("≥ 120 台", "≥120台"),
        ("共 10 项", "共10项"),
        ("１００ ％", "100%"),
        ("  前后空白  ", "前后空白"),
    ],
)
def test_clean_text(raw: str, clean: str) -> None:
    assert clean_text(raw) == clean


# --- format from content, not from the name ------------------------------------------


@pytest.fixture(scope="module")
def seed_title() -> str:
    (form,) = extract_path(SAMPLES / f"{SEED}.txt").forms
    return form.title


@pytest.mark.parametrize(
    ("source", "disguise", "fmt"),
    [(".pdf", ".docx", "pdf"), (".docx", ".txt", "docx"), (".txt", ".pdf", "text")],
)
def test_format_is_sniffed_from_content(
    tmp_path: Path, seed_title: str, source: str, disguise: str, fmt: str
) -> None:
    path = tmp_path / f"disguised{disguise}"
    shutil.copyfile(SAMPLES / f"{SEED}{source}", path)
    result = extract_path(path)
    assert result.error is None
    assert result.format == fmt
    assert [f.title for f in result.forms] == [seed_title]


# --- bad input: an error in Chinese, never a traceback, and the batch goes on --------


def _zip(files: dict[str, str]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, text in files.items():
            z.writestr(name, text)
    return buf.getvalue()


def _encrypted_pdf() -> bytes:
    pdf = pymupdf.open()
    pdf.new_page().insert_text((72, 72), "项目名称")
    return pdf.tobytes(encryption=pymupdf.PDF_ENCRYPT_AES_256, user_pw="user", owner_pw="owner")


def _image_only_pdf() -> bytes:
    pdf = pymupdf.open()
    page = pdf.new_page()
    pix = pymupdf.Pixmap(pymupdf.csRGB, pymupdf.IRect(0, 0, 32, 32), False)
    pix.clear_with(200)
    page.insert_image(page.rect, pixmap=pix)
    return pdf.tobytes()


def _letter_docx() -> bytes:
    d = docx.Document()
    d.add_paragraph("关于报送2022年度工作总结的函")
    d.add_paragraph("现将我单位工作总结报送如下，请审阅。")
    return _docx_bytes(d)


def _bad_files() -> dict[str, tuple[bytes, tuple[str, ...]]]:
    sample_pdf = (SAMPLES / f"{SEED}.pdf").read_bytes()
    return {
        "empty.pdf": (b"", ("文件为空",)),
        "blank.txt": (b" \r\n\t \n", ("文件为空",)),
        "not_a_zip.docx": (b"PK\x03\x04" + b"\x07garbage" * 20, ("Word", "损坏")),
        "no_document.docx": (_zip({"readme.txt": "hi"}), ("不是Word文档", "word/document.xml")),
        "book.xlsx": (
            _zip({"[Content_Types].xml": "<Types/>", "xl/workbook.xml": "<workbook/>"}),
            ("Excel", "损坏"),
        ),
        "old.doc": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 1024, ("旧版Office", "损坏")),
        "truncated.pdf": (sample_pdf[: len(sample_pdf) // 2], ("损坏", "PDF")),
        "corrupt.pdf": (b"%PDF-1.7\n" + bytes(range(256)) * 8, ("损坏", "PDF")),
        "encrypted.pdf": (_encrypted_pdf(), ("加密", "密码")),
        "scanned.pdf": (_image_only_pdf(), ("扫描页为空白",)),
        "letter.docx": (_letter_docx(), ("未识别到绩效表格",)),
        "junk.pdf": (bytes(range(256)) * 16, ("无法识别的文件格式",)),
    }


BAD_FILES = _bad_files()


@pytest.mark.parametrize("name", list(BAD_FILES))
def test_bad_bytes_give_a_chinese_error(name: str, caplog: pytest.LogCaptureFixture) -> None:
    data, words = BAD_FILES[name]
    result = extract_bytes(data, name)
    assert result.forms == [] and result.error is not None
    for word in words:
        assert word in result.error, result.error
    assert "内部错误" not in result.error  # an expected failure, not a defect of ours
    assert not [r for r in caplog.records if r.exc_info], "a traceback was logged"


def test_a_batch_reads_the_good_files_and_reports_the_bad(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    for name, (data, _) in BAD_FILES.items():
        (tmp_path / name).write_bytes(data)
    good = tmp_path / "good" / f"{SEED}.docx"
    good.parent.mkdir()
    shutil.copyfile(SAMPLES / f"{SEED}.docx", good)
    missing = tmp_path / "gone.pdf"
    paths = walk([str(tmp_path)]) + [missing]
    results = {Path(r.file).name: r for r in extract(paths)}

    assert results[good.name].error is None and len(results[good.name].forms) == 1
    assert results[good.name].format == "docx"
    assert results["gone.pdf"].error is not None and "文件不存在" in results["gone.pdf"].error
    for name, (_, words) in BAD_FILES.items():
        error = results[name].error
        assert error is not None and all(w in error for w in words), (name, error)
    assert len(results) == len(BAD_FILES) + 2
    assert not [r for r in caplog.records if r.exc_info], "a traceback was logged"


def test_read_path_of_a_missing_file_or_a_folder(tmp_path: Path) -> None:
    from auditor.errors import DocumentLoadError

    with pytest.raises(DocumentLoadError, match="文件不存在"):
        read_path(tmp_path / "nothing.docx")
    with pytest.raises(DocumentLoadError, match="文件夹"):
        read_path(tmp_path)


# --- walk ----------------------------------------------------------------------------


def test_walk_finds_supported_files_recursively_sorted(tmp_path: Path) -> None:
    names = [
        "b.pdf",
        "a.docx",
        "sub/c.txt",
        "sub/deeper/d.PDF",
        "z/e.docx",
        "notes.md",
        "x.xlsx",
        "old.doc",
        "sub/img.png",
    ]
    for name in names:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"x")
    # .doc and Excel files are read too
    expected = [
        tmp_path / n
        for n in ["a.docx", "b.pdf", "old.doc", "sub/c.txt", "sub/deeper/d.PDF", "x.xlsx", "z/e.docx"]
    ]
    assert walk([str(tmp_path)]) == expected
    assert walk([str(tmp_path / "x.xlsx")]) == [tmp_path / "x.xlsx"]  # a file named is kept as is
    assert walk([str(tmp_path / "z"), str(tmp_path / "b.pdf")]) == [
        tmp_path / "z/e.docx",
        tmp_path / "b.pdf",
    ]


# --- a form split across PDF pages ---------------------------------------------------


def test_form_split_across_pdf_pages_keeps_all_its_rows() -> None:
    result = extract_bytes((SAMPLES / f"{SPLIT_SEED}.pdf").read_bytes(), f"{SPLIT_SEED}.pdf")
    assert result.error is None and result.pages == 14
    (form,) = [f for f in result.forms if f.title == "水电维修费"]
    assert isinstance(form, SelfEvalBase)
    assert len(form.indicators) == 10
    assert {i.location.page for i in form.indicators} == {3, 4}  # the indicator table breaks here
    assert form.total_weight is not None and form.total_weight.number == 100
    assert form.total_score is not None and form.total_score.number == 100
    assert form.total_weight.location.page == 4


def test_utf16_text_export_from_notepad_is_read() -> None:
    seed = (SAMPLES / "004_9646776e878436bb.txt").read_text(encoding="utf-8")
    result = extract_bytes(seed.encode("utf-16"), "004_utf16.txt")
    assert result.error is None
    assert [f.title for f in result.forms] == ["石峰区机关事务服务中心", "零星维修购置及各类合同", "物业管理及水电气供应", "公车平台"]


def test_docx_form_inside_a_one_cell_layout_table_is_read() -> None:
    """Some templates frame the whole form in a 1×1 table; the form inside is found."""
    seed = read_docx((SAMPLES / "004_9646776e878436bb.docx").read_bytes())
    d = docx.Document(io.BytesIO((SAMPLES / "004_9646776e878436bb.docx").read_bytes()))
    body = d.element.body
    frame = d.add_table(rows=1, cols=1)._tbl
    cell = frame.tr_lst[0].tc_lst[0]
    for tbl in list(body.iterchildren(qn("w:tbl")))[:-1]:  # every table but the frame itself
        cell.append(tbl)
    cell.append(parse_xml(f"<w:p {nsdecls('w')}/>"))  # a cell ends with a paragraph
    out = io.BytesIO()
    d.save(out)
    framed = read_docx(out.getvalue())
    assert [[c.text for c in r] for t in framed.tables for r in t.rows] == [
        [c.text for c in r] for t in seed.tables for r in t.rows
    ]
    assert [f.title for f in extract_bytes(out.getvalue(), "framed.docx").forms] == [
        "石峰区机关事务服务中心", "零星维修购置及各类合同", "物业管理及水电气供应", "公车平台",
    ]
