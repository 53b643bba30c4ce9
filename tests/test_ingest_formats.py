"""Excel workbooks, old Word/WPS through LibreOffice, and ZIP archives on the command line.

Displayed values, merged ranges in the Word backend's shape, hidden parts noted, cell
references, bad input of each new kind (a clear Chinese error, the batch goes on), a
LibreOffice that hangs or is missing (a fake ``soffice`` on PATH), archives named
``archive.zip!/dir/file``. Workbooks are made here with openpyxl; the encrypted one comes
from tests/data/formats/make_fixtures.py.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import shutil
import stat
import time
import zipfile
from pathlib import Path

import docx
import openpyxl
import pytest

from auditor.document import Cell
from auditor.errors import DocumentLoadError
from auditor.ingest import read_bytes, read_path, sniff_format, walk
from auditor.ingest.docx import read_docx
from auditor.ingest.numfmt import display
from auditor.pipeline import extract, extract_bytes, extract_path
from tests.conftest import SAMPLES

DATA = Path(__file__).parent / "data" / "formats"
SEED = "001_6e05036ab9ce446a"
HAS_SOFFICE = shutil.which("soffice") is not None


def _book_bytes(book: openpyxl.Workbook) -> bytes:
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def _shape(rows: list[list[Cell]]) -> list[list[tuple[str, int, int, int, bool]]]:
    return [[(c.text, c.col, c.rowspan, c.colspan, c.continuation) for c in row] for row in rows]


# --- displayed values ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "fmt", "shown"),
    [
        (0.8619, "0.00%", "86.19%"),
        (0.5, "0%", "50%"),
        (10, "0.00", "10.00"),
        (1234567.5, "#,##0.00", "1,234,567.50"),
        (2662.18, "General", "2662.18"),
        (100.0, "General", "100"),
        (1 / 3, "General", "0.3333333333"),
        (-5.5, "#,##0.00;[Red]-#,##0.00", "-5.50"),
        (-5.5, "#,##0.00;(#,##0.00)", "(5.50)"),
        (0, '#,##0.00;-#,##0.00;"-"', "-"),
        (31.6, '0.00"万元"', "31.60万元"),
        (12, "[$-804]0", "12"),
        (1234.5, "[$¥-804]#,##0.0", "¥1,234.5"),
        (2.5, "0.0_ ", "2.5 "),
        (1500, "0.0,", "1.5"),
        (123456, "0.00E+00", "1.23E+05"),
        (0.125, "0.00", "0.13"),  # half away from zero, as Excel shows
        (dt.datetime(2021, 12, 10), 'yyyy"年"m"月"d"日"', "2021年12月10日"),
        (dt.datetime(2021, 12, 10), "yyyy-mm-dd", "2021-12-10"),
        (dt.datetime(2021, 3, 5, 14, 7), "yyyy/m/d h:mm", "2021/3/5 14:07"),
        (44540, "yyyy-mm-dd", "2021-12-10"),  # a serial date number in a date format
        (dt.date(2021, 12, 10), "General", "2021-12-10"),
        ("≥95%", "@", "≥95%"),
        (True, "General", "TRUE"),
        (None, "0.00", ""),
    ],
)
def test_values_are_read_as_excel_displays_them(value: object, fmt: str, shown: str) -> None:
    assert display(value, fmt) == shown


# --- workbooks → the neutral model -----------------------------------------------------------


def _form_book() -> openpyxl.Workbook:
    """A 4-column form: a title across, a label/value row, a label merged down two rows."""
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "附件3"
    rows = [
        ["项目支出绩效自评表", None, None, None],
        ["项目名称", "办公楼维修", None, None],
        ["绩效指标", "产出指标", "数量", 10],
        [None, "效益指标", "满意度", 0.8619],
    ]
    for row in rows:
        ws.append(row)
    ws["D4"].number_format = "0.00%"
    for ref in ("A1:D1", "B2:D2", "A3:A4"):
        ws.merge_cells(ref)
    return book


def _form_docx() -> bytes:
    d = docx.Document()
    table = d.add_table(rows=4, cols=4)
    texts = {
        (0, 0): "项目支出绩效自评表",
        (1, 0): "项目名称",
        (1, 1): "办公楼维修",
        (2, 0): "绩效指标",
    }
    texts.update(
        {(2, 1): "产出指标", (2, 2): "数量", (2, 3): "10", (3, 1): "效益指标", (3, 2): "满意度"}
    )
    texts[(3, 3)] = "86.19%"
    for (r, c), text in texts.items():
        table.cell(r, c).text = text
    table.cell(0, 0).merge(table.cell(0, 3))
    table.cell(1, 1).merge(table.cell(1, 3))
    table.cell(2, 0).merge(table.cell(3, 0))
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def test_merged_ranges_have_the_word_backends_shape() -> None:
    sheet = read_bytes(_book_bytes(_form_book()), "form.xlsx")
    word = read_docx(_form_docx())
    assert sheet.format == "xlsx"
    assert _shape(sheet.tables[0].rows) == _shape(word.tables[0].rows)
    assert _shape(sheet.tables[0].rows)[3] == [
        ("", 0, 1, 1, True),
        ("效益指标", 1, 1, 1, False),
        ("满意度", 2, 1, 1, False),
        ("86.19%", 3, 1, 1, False),
    ]


def test_cells_keep_their_sheet_and_reference() -> None:
    table = read_bytes(_book_bytes(_form_book()), "form.xlsx").tables[0]
    value = table.rows[1][1]
    assert (value.text, value.prov.sheet, value.prov.cell, value.prov.cell_ref) == (
        "办公楼维修",
        "附件3",
        "B2",
        "附件3!B2",
    )
    assert (value.prov.table, value.prov.row, value.prov.col) == (1, 2, 2)
    assert table.rows[3][3].prov.cell_ref == "附件3!D4"


def test_hidden_sheets_rows_and_columns_are_left_out_and_noted() -> None:
    book = _form_book()
    ws = book.active
    ws.append(["备注", "隐藏行的内容", None, None])
    ws.row_dimensions[5].hidden = True
    ws["E3"] = "隐藏列的内容"
    ws.column_dimensions["E"].hidden = True
    secret = book.create_sheet("草稿")
    secret["A1"] = "项目名称"
    secret.sheet_state = "hidden"
    document = read_bytes(_book_bytes(book), "hidden.xlsx")
    assert "隐藏" not in document.full_text() and "项目名称" in document.full_text()
    assert len(document.tables) == 1 and len(document.tables[0].rows) == 4
    assert max(c.col + c.colspan for row in document.tables[0].rows for c in row) == 4
    assert document.notes == [
        "工作表“草稿”已隐藏，未读取",
        "工作表“附件3”中隐藏的第5行有内容，未读取",
        "工作表“附件3”中隐藏的E列有内容，未读取",
    ]


def test_a_sheet_of_text_lines_without_ruling_is_paragraphs() -> None:
    book = openpyxl.Workbook()
    for line in ("项目支出绩效自评报告", "一、基本情况", "财政拨款400万元，全年执行400万元。"):
        book.active.append([line])
    document = read_bytes(_book_bytes(book), "report.xlsx")
    assert [type(b).__name__ for b in document.blocks] == ["Paragraph"] * 3
    assert [b.prov.paragraph for b in document.blocks] == [1, 2, 3]  # type: ignore[union-attr]


@pytest.mark.parametrize("suffix", [".xlsx", ".xls"])
def test_a_huge_sheet_is_read_up_to_a_limit_and_noted(
    suffix: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from auditor.ingest import xlsx

    monkeypatch.setattr(xlsx, "MAX_ROWS", 5)
    document = read_bytes((SAMPLES / f"{SEED}{suffix}").read_bytes(), f"big{suffix}")
    assert all(len(t.rows) <= 5 for t in document.tables)
    assert any("只读取了前5行" in note for note in document.notes)


def test_formulas_are_read_by_their_cached_value() -> None:
    book = openpyxl.Workbook()
    book.active.append([2662.18, "=A1*2", "=1/0"])
    book.active["B1"].number_format = "0.00"
    data = _book_bytes(book)
    src, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(
        out, "w"
    ) as dst:  # Excel stores the last computed value beside the formula
        for item in src.infolist():
            content = src.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                content = content.replace(b"<f>A1*2</f><v></v>", b"<f>A1*2</f><v>5324.36</v>")
                content = content.replace(
                    b'<c r="C1"><f>1/0</f><v></v>', b'<c r="C1" t="e"><f>1/0</f><v>#DIV/0!</v>'
                )
            dst.writestr(item, content)
    (row,) = read_bytes(out.getvalue(), "f.xlsx").tables[0].rows
    assert [c.text for c in row] == ["2662.18", "5324.36", "#DIV/0!"]


def test_text_below_the_ruled_grid_is_paragraphs() -> None:
    from openpyxl.styles import Border, Side

    book = _form_book()
    ws = book.active
    line = Side(style="thin")
    for row in ws.iter_rows(min_row=2, max_row=4):
        for cell in row:
            cell.border = Border(left=line, right=line, top=line, bottom=line)
    ws.append(["填报人：张三"])
    document = read_bytes(_book_bytes(book), "x.xlsx")
    assert [type(b).__name__ for b in document.blocks] == ["Table", "Paragraph"]
    assert document.blocks[1].text == "填报人：张三"  # type: ignore[union-attr]
    assert document.blocks[1].prov.cell_ref == "附件3!A5"  # type: ignore[union-attr]


def _values(data: object) -> list[dict[str, object]]:
    """Every dumped Value (text + location) in a record, depth first."""
    if isinstance(data, dict):
        if "quantity" in data and "text" in data:
            return [data]
        return [v for item in data.values() for v in _values(item)]
    if isinstance(data, list):
        return [v for item in data for v in _values(item)]
    return []


@pytest.mark.parametrize("suffix", [".xlsx", ".xls"])
@pytest.mark.parametrize("seed", ["000_0dd5636ac07a2a52", SEED])
def test_record_values_point_at_the_cell_that_shows_them(seed: str, suffix: str) -> None:
    """Every table value of the sample's records, looked up by its sheet and cell
    reference in the workbook, is (part of: "20" of "预算执行情况（20分）") what that cell shows."""
    result = extract_path(SAMPLES / f"{seed}{suffix}")
    assert result.error is None and result.format == suffix[1:]
    book = openpyxl.load_workbook(SAMPLES / f"{seed}.xlsx")
    checked = 0
    for value in _values([f.model_dump() for f in result.forms]):
        loc = value["location"]
        if value["source"] != "table" or not value["text"] or loc.get("row") is None:  # type: ignore[union-attr]
            continue
        sheet, ref = loc["sheet"], loc["cell"]  # type: ignore[index]
        assert sheet and ref, value
        cell = book[sheet][ref]
        shown = display(cell.value, cell.number_format)
        assert "".join(str(value["text"]).split()) in "".join(shown.split()), (sheet, ref)
        checked += 1
    assert checked > 50


# --- format from content ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "disguise", "kind"),
    [
        (".xlsx", ".et", "xlsx"),
        (".xls", ".et", "xls"),
        (".xls", ".xlsx", "xls"),
        (".xlsx", ".xls", "xlsx"),
        (".doc", ".wps", "doc"),
    ],
)
def test_renamed_files_are_read_by_their_content(
    tmp_path: Path, source: str, disguise: str, kind: str
) -> None:
    data = (SAMPLES / f"{SEED}{source}").read_bytes()
    assert sniff_format(data, f"x{disguise}") == kind
    if kind == "doc" and not HAS_SOFFICE:
        pytest.skip("LibreOffice (soffice) not installed")
    path = tmp_path / f"{SEED}{disguise}"
    path.write_bytes(data)
    result = extract_path(path)
    assert result.error is None and result.format == kind and len(result.forms) == 1


# --- bad input ---------------------------------------------------------------------------------


def _empty_book() -> bytes:
    return _book_bytes(openpyxl.Workbook())


def _only_hidden_sheets() -> bytes:
    book = openpyxl.Workbook()
    book.active["A1"] = "项目名称"
    book.create_sheet("空白")
    book.active.sheet_state = "hidden"
    return _book_bytes(book)


def _zip(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in files.items():
            z.writestr(name, data)
    return buf.getvalue()


def _bad_files() -> dict[str, tuple[bytes, tuple[str, ...]]]:
    xlsx = (SAMPLES / f"{SEED}.xlsx").read_bytes()
    xls = (SAMPLES / f"{SEED}.xls").read_bytes()
    return {
        "truncated.xlsx": (xlsx[: len(xlsx) // 2], ("Excel", "损坏")),
        "broken_parts.xlsx": (
            _zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook"}),
            ("Excel", "损坏"),
        ),
        "truncated.xls": (xls[: len(xls) // 3], ("损坏",)),
        "encrypted.xlsx": (
            (DATA / "encrypted.xlsx").read_bytes(),
            ("密码", "加密", "不加密的.xlsx"),
        ),
        "empty.xlsx": (_empty_book(), ("Excel", "空的")),
        "hidden_only.xlsx": (_only_hidden_sheets(), ("空的",)),
        "junk.doc": (bytes(range(256)) * 8, ("无法识别的文件格式",)),
        "broken.doc": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\xff" * 2048, ("损坏",)),
        "archive.rar": (b"Rar!\x1a\x07\x01\x00" + b"\x00" * 64, ("RAR", "解压", "ZIP")),
        "archive.7z": (b"7z\xbc\xaf\x27\x1c\x00\x04" + b"\x00" * 64, ("7z", "解压", "ZIP")),
        "html_export.xls": (
            "<html><body><table><tr><td>项目名称</td></tr></table></body></html>".encode(),
            ("HTML", "另存为.xlsx"),
        ),
        "xml2003.xls": (
            b'<?xml version="1.0"?>\n<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"/>',
            ("XML", "另存为.xlsx"),
        ),
        "slides.xlsx": (
            _zip({"[Content_Types].xml": b"<Types/>", "ppt/presentation.xml": b"<p/>"}),
            ("不是Word文档或Excel表格",),
        ),
    }


BAD_FILES = _bad_files()


@pytest.mark.parametrize("name", list(BAD_FILES))
def test_bad_input_gives_a_chinese_error(name: str, caplog: pytest.LogCaptureFixture) -> None:
    data, words = BAD_FILES[name]
    result = extract_bytes(data, name)
    assert result.forms == [] and result.error is not None
    for word in words:
        assert word in result.error, result.error
    assert "内部错误" not in result.error
    assert not [r for r in caplog.records if r.exc_info], "a traceback was logged"


def test_a_batch_of_bad_workbooks_goes_on(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    for name, (data, _) in BAD_FILES.items():
        (tmp_path / name).write_bytes(data)
    shutil.copyfile(SAMPLES / f"{SEED}.xlsx", tmp_path / "good.xlsx")
    results = {Path(r.file).name: r for r in extract(walk([str(tmp_path)]))}
    assert set(results) == {*BAD_FILES, "good.xlsx"}
    assert results["good.xlsx"].error is None and len(results["good.xlsx"].forms) == 1
    assert all(results[name].error for name in BAD_FILES)
    assert not [r for r in caplog.records if r.exc_info]


# --- LibreOffice -------------------------------------------------------------------------------


def _fake_soffice(folder: Path, body: str) -> None:
    script = folder / "soffice"
    script.write_text("#!/bin/sh\n" + body + "\n")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie is dead for our purpose
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except OSError:
        return False


def test_a_conversion_that_hangs_times_out_and_is_killed_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pidfile = tmp_path / "child.pid"
    _fake_soffice(tmp_path, f"sleep 60 &\necho $! > {pidfile}\nwait")
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("AUDITOR_CONVERT_TIMEOUT", "1")
    doc = tmp_path / "old.doc"
    shutil.copyfile(SAMPLES / f"{SEED}.doc", doc)
    good = tmp_path / "good.xlsx"
    shutil.copyfile(SAMPLES / f"{SEED}.xlsx", good)
    started = time.monotonic()
    results = extract([doc, good])
    assert time.monotonic() - started < 15
    assert results[0].error is not None and "转换超时" in results[0].error
    assert results[1].error is None and len(results[1].forms) == 1  # the batch goes on
    child = int(pidfile.read_text())
    deadline = time.monotonic() + 5
    while _pid_alive(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _pid_alive(child), "the converter's child process survived the timeout"


def test_without_libreoffice_the_error_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no soffice, no libreoffice
    result = extract_bytes((SAMPLES / f"{SEED}.doc").read_bytes(), "old.doc")
    assert result.error is not None
    assert (
        "apt-get install libreoffice-writer-nogui" in result.error and "LibreOffice" in result.error
    )


def test_junk_named_doc_never_reaches_libreoffice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    marker = tmp_path / "called"
    _fake_soffice(tmp_path, f"touch {marker}")
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    for name in ("junk.doc", "broken.doc"):
        assert extract_bytes(BAD_FILES[name][0], name).error
    assert not marker.exists()


def test_a_failed_conversion_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_soffice(tmp_path, "exit 3")
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    with pytest.raises(DocumentLoadError, match="转换失败"):
        read_bytes((SAMPLES / f"{SEED}.doc").read_bytes(), "old.doc")


# --- ZIP archives on the command line ---------------------------------------------------------------


def _gbk_zip(name: str, data: bytes) -> bytes:
    """A member whose name is GBK bytes with no UTF-8 flag, as Windows packs it."""
    placeholder = "x" * len(name.encode("gbk"))
    raw = _zip({placeholder: data})
    return raw.replace(placeholder.encode(), name.encode("gbk"))


def test_walk_expands_zip_members_with_their_folders(tmp_path: Path) -> None:
    xlsx = (SAMPLES / f"{SEED}.xlsx").read_bytes()
    archive = tmp_path / "材料.zip"
    archive.write_bytes(
        _zip(
            {
                "二级/表.xlsx": xlsx,
                "说明.txt": "项目名称".encode(),
                "__MACOSX/._表.xlsx": b"",
                "inner.zip": _zip({"a.txt": b"1"}),
            }
        )
    )
    (tmp_path / "坏.zip").write_bytes(b"PK\x03\x04 broken")
    (tmp_path / "gbk.zip").write_bytes(_gbk_zip("绩效.xlsx", xlsx))
    paths = walk([str(tmp_path)])
    assert [str(p.relative_to(tmp_path)) for p in paths] == [
        "gbk.zip!/绩效.xlsx",
        "坏.zip",
        "材料.zip!/二级/表.xlsx",
        "材料.zip!/说明.txt",
        "材料.zip!/inner.zip",
    ]
    results = {str(Path(r.file).relative_to(tmp_path)): r for r in extract(paths)}
    assert (
        results["材料.zip!/二级/表.xlsx"].error is None
        and results["材料.zip!/二级/表.xlsx"].format == "xlsx"
    )
    assert len(results["gbk.zip!/绩效.xlsx"].forms) == 1
    assert "压缩包已损坏" in (results["坏.zip"].error or "")
    assert "不会展开" in (results["材料.zip!/inner.zip"].error or "")
    assert "未识别到绩效表格" in (results["材料.zip!/说明.txt"].error or "")


def test_zip_limits_apply_on_the_command_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from auditor.ingest import archive

    bomb = tmp_path / "bomb.zip"
    bomb.write_bytes(_zip({"a.txt": b"0" * 5000}))
    monkeypatch.setattr(archive, "MAX_ARCHIVE_TOTAL", 4000)
    assert walk([str(bomb)]) == [bomb]  # refused whole: the archive stands for itself
    with pytest.raises(DocumentLoadError, match="压缩炸弹"):
        read_path(bomb)
    monkeypatch.setattr(archive, "MAX_ARCHIVE_TOTAL", 10**9)
    monkeypatch.setattr(archive, "MAX_FILE_BYTES", 100)
    (member,) = walk([str(bomb)])
    with pytest.raises(DocumentLoadError, match="文件过大"):
        read_path(member)


def test_a_missing_member_or_archive_is_an_error(tmp_path: Path) -> None:
    archive = tmp_path / "a.zip"
    archive.write_bytes(_zip({"x.txt": b"1"}))
    with pytest.raises(DocumentLoadError, match="没有名为"):
        read_path(f"{archive}!/y.txt")
    with pytest.raises(DocumentLoadError, match="压缩包不存在"):
        read_path(f"{tmp_path / 'gone.zip'}!/x.txt")


def test_the_command_line_reviews_a_zip_of_excel_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    from auditor.cli import main

    archive = tmp_path / "报送材料.zip"
    archive.write_bytes(
        _zip(
            {
                "附件/003.xlsx": (SAMPLES / "003_6b24eafbc02acca8.xlsx").read_bytes(),
                "附件/001.xls": (SAMPLES / f"{SEED}.xls").read_bytes(),
                "压缩.rar": b"Rar!\x1a\x07\x00" + b"\x00" * 32,
            }
        )
    )
    out = tmp_path / "r.json"
    assert main(["review", str(archive), "-o", str(out)]) == 0
    result = json.loads(out.read_text(encoding="utf-8"))
    files = {Path(d["file"]).relative_to(tmp_path).as_posix(): d for d in result["documents"]}
    assert set(files) == {
        "报送材料.zip!/附件/003.xlsx",
        "报送材料.zip!/附件/001.xls",
        "报送材料.zip!/压缩.rar",
    }
    assert "RAR" in files["报送材料.zip!/压缩.rar"]["error"]
    exceeds = [f for f in result["findings"] if f["rule"] == "funds.executed_exceeds_budget"]
    assert exceeds and exceeds[0]["file"].endswith("报送材料.zip!/附件/003.xlsx")
    loc = exceeds[0]["location"]
    assert loc["sheet"].startswith("附件3") and loc["cell"][0].isalpha()
    assert "RAR" in capsys.readouterr().err  # the unreadable member is reported on stderr too


# --- the real corpus ---------------------------------------------------------------------------

REAL = Path(__file__).resolve().parents[1] / "eval" / "real"
REAL_STEMS = sorted(p.stem for p in REAL.glob("*.xlsx"))


@pytest.mark.parametrize("stem", REAL_STEMS)
def test_real_documents_read_the_same_from_excel_as_from_word(stem: str) -> None:
    """Every real document's workbook renditions (build_samples --renditions xlsx,xls)
    give the records of its .docx, provenance aside."""
    from tests.test_forms import without_locations

    def records(path: Path) -> tuple[str | None, object]:
        result = extract_path(path)
        return result.error, without_locations([f.model_dump(mode="json") for f in result.forms])

    word = records(REAL / f"{stem}.docx")
    assert records(REAL / f"{stem}.xlsx") == word
    assert records(REAL / f"{stem}.xls") == word


@pytest.mark.parametrize(
    ("suffix", "head"), [(".xlsx", False), (".xls", False), (".xls", True), (".doc", True)]
)
def test_damaged_files_never_crash_nor_print(
    suffix: str,
    head: bool,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """Bytes flipped at random (fixed seeds) inside a sample (``head``: in its first 4 KB,
    the compound file's header and directory): every result is a document or a Chinese error,
    never an internal error; xlrd's warnings stay off stdout (the CLI prints its JSON
    there). No LibreOffice: a .doc that passes the checks stops at the install hint."""
    import random

    monkeypatch.setenv("PATH", str(tmp_path))
    original = (SAMPLES / f"{SEED}{suffix}").read_bytes()
    for seed in range(30):
        rng, data = random.Random(seed), bytearray(original)
        for _ in range(5):
            data[rng.randrange(0, 4096) if head else rng.randrange(600, len(data) - 10)] ^= 0xFF
        result = extract_bytes(bytes(data), f"damaged{suffix}")
        assert result.error is None or "内部错误" not in result.error, (seed, result.error)
    assert capsys.readouterr().out == ""
