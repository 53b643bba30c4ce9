"""The PDF backend: tables with merges, wrapped cells, tables split over pages, bad input.

Fixtures are made by tests/data/pdf/make_fixtures.py (python-docx + LibreOffice).
"""

from __future__ import annotations

import difflib
import itertools
from pathlib import Path

import pymupdf
import pytest

from auditor.document import Cell, Document, Paragraph, Table, clean_text
from auditor.errors import DocumentLoadError
from auditor.ingest.pdf import read_pdf, split_row
from auditor.ingest.text import parse_text_export

DATA = Path(__file__).parent / "data" / "pdf"
SAMPLES = Path(__file__).parent.parent / "samples"

LONG_TEXT = "本项目用于保障机关办公大楼日常运行维护，包括水电、保洁、安保及设备维修等各项支出。"


def _read(name: str) -> Document:
    return read_pdf((DATA / name).read_bytes(), str(DATA / name))


def _shape(row: list[Cell]) -> list[tuple[str, int, int, int, bool]]:
    return [(c.text, c.col, c.rowspan, c.colspan, c.continuation) for c in row]


def test_merged_cells_give_logical_rows_with_spans_and_placeholders() -> None:
    doc = _read("merged.pdf")
    assert doc.format == "pdf" and doc.pages == 1
    (table,) = doc.tables
    assert [_shape(row) for row in table.rows] == [
        [
            ("项目名称", 0, 1, 1, False),
            ("办公楼运行维护", 1, 1, 3, False),
            ("主管部门", 4, 1, 1, False),
            ("区机关事务服务中心", 5, 1, 1, False),
        ],
        [
            ("项目资金（万元）", 0, 3, 1, False),
            ("", 1, 1, 1, False),
            ("年初预算数", 2, 1, 1, False),
            ("全年预算数", 3, 1, 1, False),
            ("全年执行数", 4, 1, 1, False),
            ("执行率", 5, 1, 1, False),
        ],
        [
            ("", 0, 1, 1, True),
            ("年度资金总额", 1, 1, 1, False),
            ("15.829527", 2, 1, 1, False),
            ("120.5", 3, 1, 1, False),
            ("118.3", 4, 1, 1, False),
            ("98.17%", 5, 1, 1, False),
        ],
        [
            ("", 0, 1, 1, True),
            ("其中：财政拨款", 1, 1, 1, False),
            ("100", 2, 1, 1, False),
            ("100", 3, 1, 1, False),
            ("99", 4, 1, 1, False),
            ("99%", 5, 1, 1, False),
        ],
        [("年度目标", 0, 1, 1, False), (LONG_TEXT, 1, 1, 5, False)],
        [
            ("绩效指标", 0, 1, 1, False),
            ("数量指标", 1, 1, 1, False),
            ("设备台数", 2, 1, 1, False),
            ("≥120台", 3, 1, 1, False),
            ("125台", 4, 1, 1, False),
            ("Very Good Job Well Done Indeed", 5, 1, 1, False),
        ],
    ]


def test_cells_carry_provenance() -> None:
    table = _read("merged.pdf").tables[0]
    cell = table.rows[2][2]  # 15.829527
    assert (cell.row, cell.col) == (2, 2)
    prov = cell.prov
    assert (prov.page, prov.table, prov.row, prov.col) == (1, 1, 3, 3)
    assert prov.bbox is not None and prov.bbox[0] < prov.bbox[2] and prov.bbox[1] < prov.bbox[3]
    placeholder = table.rows[3][0]
    assert placeholder.continuation and placeholder.prov.row == 4 and placeholder.prov.col == 1


def test_paragraphs_around_the_table_in_reading_order() -> None:
    blocks = _read("merged.pdf").blocks
    assert [type(b) for b in blocks] == [Paragraph, Table, Paragraph]
    first, last = blocks[0], blocks[2]
    assert isinstance(first, Paragraph) and first.text == "2023年度项目支出绩效自评表"
    assert isinstance(last, Paragraph) and last.text == "填报人：张三"
    assert first.prov.page == 1 and first.prov.bbox is not None and first.prov.paragraph == 1


def test_table_split_over_two_pages_is_stitched() -> None:
    doc = _read("split.pdf")
    assert doc.pages == 2
    (table,) = doc.tables
    assert len(table.rows) == 61 and table.page == 1
    assert [c.text for c in table.rows[0]] == ["序号", "指标名称", "目标值", "完成值"]
    assert [c.text for c in table.rows[60]] == ["60", "指标60", "≥60%", "60.5%"]
    assert [c.row for row in table.rows for c in row][::4] == list(range(61))
    pages = {c.prov.page for row in table.rows for c in row}
    assert pages == {1, 2}
    assert table.rows[60][1].prov.page == 2 and table.rows[60][1].prov.row == 61


def test_vertical_merge_running_over_the_page_break_stays_one_cell() -> None:
    table = _read("split.pdf").tables[0]
    head = table.rows[31][0]
    assert (head.text, head.rowspan, head.continuation) == ("效益指标", 15, False)
    below = [row[0] for row in table.rows[32:46]]
    assert all(c.continuation and c.text == "" for c in below)
    assert {c.prov.page for c in below} == {1, 2}
    assert table.rows[46][0].text == "46"


def _zero_page_pdf() -> bytes:
    objects = [b"<</Type/Catalog/Pages 2 0 R>>", b"<</Type/Pages/Kids[]/Count 0>>"]
    out, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 3\n0000000000 65535 f \n"
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    return out + b"trailer\n<</Size 3/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % xref


def _white_scan_pdf() -> bytes:
    """Two pages, each only a white scanned image: blank, found without running OCR."""
    pdf = pymupdf.open()
    pix = pymupdf.Pixmap(pymupdf.csGRAY, pymupdf.IRect(0, 0, 200, 280), False)
    pix.clear_with(255)
    for _ in range(2):
        page = pdf.new_page(width=595, height=842)
        page.insert_image(page.rect, pixmap=pix)
    return pdf.tobytes()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            (DATA / "empty.pdf").read_bytes(),
            "文件已损坏，无法作为PDF打开：x.pdf，请重新导出或获取原件",
        ),
        ((DATA / "truncated.pdf").read_bytes(), "文件已损坏，无法作为PDF打开：x.pdf"),
        (b"PK\x03\x04 this is a zip, not a PDF" * 20, "文件已损坏，无法作为PDF打开"),
        ((DATA / "encrypted.pdf").read_bytes(), "PDF已加密，需要密码才能打开，请提供未加密的文件"),
        (_zero_page_pdf(), "PDF没有任何页面"),
        (_white_scan_pdf(), "扫描页为空白：2页均无文本层，OCR也未识别到任何文字"),
    ],
    ids=["empty", "truncated", "not-a-pdf", "encrypted", "zero-pages", "blank-scan"],
)
def test_bad_input_raises_document_load_error(data: bytes, message: str) -> None:
    with pytest.raises(DocumentLoadError) as caught:
        read_pdf(data, "/some/dir/x.pdf")
    assert str(caught.value).startswith(message)


def _table_rows(doc: Document) -> list[tuple[str, ...]]:
    return [tuple(clean_text(c.text) for c in row) for t in doc.tables for row in t.rows]


def _rows_at_page_breaks(doc: Document) -> set[int]:
    """Indices (into _table_rows) of the last row before and the first row after a page
    break inside a table."""
    pages = [row[0].prov.page for t in doc.tables for row in t.rows]
    ends = set(itertools.accumulate(len(t.rows) for t in doc.tables))
    breaks = {i for i in range(1, len(pages)) if i not in ends and pages[i] != pages[i - 1]}
    return breaks | {i - 1 for i in breaks}


SAMPLE_PDFS = sorted(p for p in SAMPLES.glob("*.pdf") if p.with_suffix(".txt").exists())


@pytest.mark.skipif(not SAMPLE_PDFS, reason="samples/*.pdf not built")
@pytest.mark.parametrize("pdf", SAMPLE_PDFS, ids=lambda p: p.stem)
def test_sample_rows_match_the_seed_text_export(pdf: Path) -> None:
    """Rows agree with the seed's, except where LibreOffice cut a row (or a merged cell's
    text) at a page break: there the same characters are spread over the two page parts."""
    doc = read_pdf(pdf.read_bytes(), str(pdf))
    got = _table_rows(doc)
    expected = _table_rows(parse_text_export(pdf.with_suffix(".txt").read_text("utf-8")))
    at_breaks = _rows_at_page_breaks(doc)
    matcher = difflib.SequenceMatcher(a=got, b=expected, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        assert set(range(i1, i2)) <= at_breaks, (got[i1:i2], expected[j1:j2])
        chars = sorted("".join("".join(row) for row in got[i1:i2]))
        assert chars == sorted("".join("".join(row) for row in expected[j1:j2]))


# --- rows cut by a page break -------------------------------------------------------


def _row(*texts: str) -> list[Cell]:
    """A logical row; "^" marks a placeholder of a vertical merge from above."""
    return [Cell("" if t == "^" else t, 0, c, continuation=t == "^") for c, t in enumerate(texts)]


@pytest.mark.parametrize(
    ("above", "below", "split"),
    [
        # a wrapped name cut by the page: the rest of the name alone on the next page
        (("^", "数量指标", "纳入办公用房信息系统管理县", ">=7个", "5"), ("^", "", "市（个数）", "", ""), True),
        # a vertically centred value that landed on the next page
        (("^", "成本指标", "机关服务费", "400万元", ""), ("^", "", "", "", "10"), True),
        # a two-line header cell cut between its lines
        (("绩", "一级指标", "年度", "实际"), ("效指标", "", "指标值", "完成值"), True),
        # ordinary next rows
        (("^", "其中：当年财政拨款", "200", "200"), ("^", "上年结转资金", "0", ""), False),
        (("^", "可持续影响", "保障机关大楼的正常运转", ""), ("^", "满意度", "全体机关人员满意度", "≥90%"), False),
        (("^", "社会效益", "带来舒适的办公环境。", ""), ("^", "生态效益", "无", ""), False),
        (("项目资金", "", "年初预算数"), ("（万元）", "年度资金总额", "27.72"), False),
        (("^", "其他资金", "0", "—"), ("年度总体目标", "预期目标", "实际完成情况"), False),
    ],
)
def test_a_row_cut_by_a_page_break_is_recognised(above: tuple[str, ...], below: tuple[str, ...], split: bool) -> None:
    assert split_row(_row(*above), _row(*below)) is split


def test_rows_split_across_pages_read_as_one_row() -> None:
    """002 converted without "keep row on one page": LibreOffice cut two rows at page
    breaks; the records equal the text export's all the same."""
    from tests.test_forms import records

    assert records(DATA / "002_rows_split_across_pages.pdf") == records(SAMPLES / "002_e31af7a2ac891c4f.txt")
