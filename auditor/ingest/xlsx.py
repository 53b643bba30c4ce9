"""Excel workbooks (.xlsx with openpyxl, .xls with xlrd) → Document.

Every visible sheet with content becomes one ``Table`` in the shape the Word backend gives
(see ``auditor.document``): each row lists the cells that start in it; a merged range is
one cell with ``rowspan``/``colspan`` counted in visible rows and columns, and the rows it
covers below its first get an empty placeholder with ``continuation=True`` at its first
column. Title lines above the grid (附件3, …自评表, 单位名称：…) are one-cell rows of the
table. One-cell text rows below the last bordered row (notes, 填报人, a report typed
into the sheet) are paragraphs after the table, as they are in Word; so is every row of a
sheet with no ruled cell that holds only one-cell text lines.

Values are their displayed text (``numfmt.display``): a formula by its cached value.
Hidden sheets, rows and columns are left out; ``Document.notes`` says which held content.
Every cell keeps its sheet and reference (``附件3!E7``) in its provenance.
"""

from __future__ import annotations

import io
import warnings
import zipfile
import zlib
from dataclasses import dataclass, field

from lxml import etree
from openpyxl.utils.exceptions import InvalidFileException

from auditor.document import Block, Cell, Document, Paragraph, Provenance, Table
from auditor.errors import DocumentLoadError
from auditor.ingest.numfmt import display

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
# A form has a few hundred rows and a few dozen columns; a sheet formatted down to row
# 1,048,576 must not hang the batch.
MAX_ROWS, MAX_COLS = 5000, 200
Range = tuple[int, int, int, int]  # first row, first col, last row, last col; 0-based, inclusive
# A visible cell inside a merged range → (anchor row, anchor col, first visible row,
# first visible col, visible rows, visible cols).
Cover = dict[tuple[int, int], tuple[int, int, int, int, int, int]]


@dataclass
class Sheet:
    """What a backend reads from one worksheet, before it is laid out as a table."""

    name: str
    texts: dict[tuple[int, int], str] = field(default_factory=dict)  # (row, col) → shown text
    merges: list[Range] = field(default_factory=list)
    hidden_rows: set[int] = field(default_factory=set)
    hidden_cols: set[int] = field(default_factory=set)
    bordered_rows: set[int] = field(default_factory=set)
    truncated: bool = False  # rows or columns past MAX_ROWS / MAX_COLS were not read


def column_letter(col: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    letters = ""
    col += 1
    while col:
        col, rest = divmod(col - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


# --- .xlsx -------------------------------------------------------------------------------


def read_xlsx(data: bytes, path: str = "") -> Document:
    """openpyxl in read-only mode streams the cells (6× faster than a full load, which
    spends its time restyling merged cells); merged ranges and hidden rows and columns,
    which read-only mode does not give, come from the sheet's XML (``_sheet_layout``)."""
    import openpyxl

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "Data Validation extension is not supported" etc.
            book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            parts = zipfile.ZipFile(io.BytesIO(data))
            sheets, hidden = [], []
            for ws in book.worksheets:
                if ws.sheet_state != "visible":
                    hidden.append(ws.title)
                else:
                    sheets.append(_openpyxl_sheet(ws, parts))
        finally:
            book.close()
    except (
        zipfile.BadZipFile,
        zlib.error,
        EOFError,
        KeyError,
        IndexError,
        OSError,
        ValueError,
        TypeError,
        etree.XMLSyntaxError,
        InvalidFileException,
    ) as exc:
        raise DocumentLoadError(
            "Excel文件已损坏，无法读取（表格结构不完整）：请用Excel或WPS打开后另存为.xlsx再试"
        ) from exc
    return layout_workbook(sheets, hidden, path, "xlsx")


def _sheet_layout(parts: zipfile.ZipFile, name: str, sheet: Sheet) -> None:
    """Merged ranges, hidden rows and hidden columns from a worksheet part."""
    from openpyxl.utils.cell import range_boundaries

    with parts.open(name) as fh:
        for _, el in etree.iterparse(fh, tag=(_MAIN + "mergeCell", _MAIN + "row", _MAIN + "col")):
            if el.tag == _MAIN + "mergeCell" and el.get("ref"):
                c0, r0, c1, r1 = range_boundaries(el.get("ref"))
                sheet.merges.append((r0 - 1, c0 - 1, r1 - 1, c1 - 1))
            elif el.tag == _MAIN + "row" and el.get("hidden") in ("1", "true") and el.get("r"):
                sheet.hidden_rows.add(int(el.get("r")) - 1)
            elif el.tag == _MAIN + "col" and el.get("hidden") in ("1", "true"):
                sheet.hidden_cols.update(range(int(el.get("min", 1)) - 1, int(el.get("max", 1))))
            el.clear()


def _openpyxl_sheet(ws, parts: zipfile.ZipFile) -> Sheet:  # type: ignore[no-untyped-def]
    sheet = Sheet(name=ws.title)
    _sheet_layout(parts, ws._worksheet_path, sheet)
    for row in ws.iter_rows(max_row=MAX_ROWS):
        for cell in row:
            if not hasattr(cell, "column"):  # an EmptyCell of a sparse row
                continue
            if cell.column > MAX_COLS:
                sheet.truncated = True
                break
            r, c = cell.row - 1, cell.column - 1
            if cell.value is not None:
                sheet.texts[(r, c)] = display(cell.value, cell.number_format)
            border = cell.border
            if border is not None and any(
                side is not None and side.style
                for side in (border.left, border.right, border.top, border.bottom)
            ):
                sheet.bordered_rows.add(r)
    sheet.truncated = sheet.truncated or (ws.max_row or 0) > MAX_ROWS
    return sheet


# --- .xls --------------------------------------------------------------------------------


def read_xls(data: bytes, path: str = "") -> Document:
    import xlrd

    quiet = io.StringIO()  # xlrd writes its warnings to stdout by default: not into our JSON
    try:
        book = xlrd.open_workbook(
            file_contents=data, formatting_info=True, logfile=quiet, verbosity=0
        )
    except xlrd.XLRDError as exc:
        if "encrypt" in str(exc).lower():
            raise DocumentLoadError(encrypted_message("xls")) from exc
        raise DocumentLoadError(
            f"Excel文件（.xls）已损坏，无法读取：{exc}。请用Excel或WPS打开后另存为.xlsx再试"
        ) from exc
    except Exception as exc:  # xlrd raises struct/index/assertion errors on a truncated file
        raise DocumentLoadError(
            "Excel文件（.xls）已损坏，无法读取（表格结构不完整）：请用Excel或WPS打开后另存为.xlsx再试"
        ) from exc
    sheets, hidden = [], []
    try:
        for ws in book.sheets():
            if ws.visibility:
                hidden.append(ws.name)
            else:
                sheets.append(_xlrd_sheet(book, ws))
    except (
        IndexError,
        KeyError,
        ValueError,
    ) as exc:  # a damaged record (a style index out of range …)
        raise DocumentLoadError(
            "Excel文件（.xls）已损坏，无法读取（表格结构不完整）：请用Excel或WPS打开后另存为.xlsx再试"
        ) from exc
    return layout_workbook(sheets, hidden, path, "xls")


def _xlrd_sheet(book, ws) -> Sheet:  # type: ignore[no-untyped-def]
    import xlrd

    sheet = Sheet(name=ws.name, truncated=ws.nrows > MAX_ROWS or ws.ncols > MAX_COLS)
    for r in range(min(ws.nrows, MAX_ROWS)):
        for c in range(min(ws.ncols, MAX_COLS)):
            cell = ws.cell(r, c)
            xf = book.xf_list[cell.xf_index]
            fmt = book.format_map.get(xf.format_key)
            fmt_str = fmt.format_str if fmt is not None else "General"
            if cell.ctype == xlrd.XL_CELL_DATE:
                sheet.texts[(r, c)] = display(
                    xlrd.xldate_as_datetime(cell.value, book.datemode), fmt_str
                )
            elif cell.ctype == xlrd.XL_CELL_NUMBER:
                sheet.texts[(r, c)] = display(cell.value, fmt_str)
            elif cell.ctype == xlrd.XL_CELL_TEXT:
                sheet.texts[(r, c)] = display(cell.value, None)
            elif cell.ctype == xlrd.XL_CELL_BOOLEAN:
                sheet.texts[(r, c)] = display(bool(cell.value), None)
            elif cell.ctype == xlrd.XL_CELL_ERROR:  # shown as Excel shows it: #DIV/0!
                sheet.texts[(r, c)] = xlrd.error_text_from_code.get(cell.value, "#N/A")
            b = xf.border
            if b.top_line_style or b.bottom_line_style or b.left_line_style or b.right_line_style:
                sheet.bordered_rows.add(r)
    sheet.merges = [
        (r0, c0, r1 - 1, c1 - 1) for r0, r1, c0, c1 in ws.merged_cells if r0 < r1 and c0 < c1
    ]
    sheet.hidden_rows = {r for r, info in ws.rowinfo_map.items() if info.hidden}
    sheet.hidden_cols = {c for c, info in ws.colinfo_map.items() if info.hidden}
    return sheet


def encrypted_message(kind: str) -> str:
    return f"Excel文件（.{kind}）设有打开密码（已加密），无法读取：请在Excel或WPS中取消密码，另存为不加密的.xlsx后重试"


# --- sheets → blocks -----------------------------------------------------------------------


def layout_workbook(sheets: list[Sheet], hidden: list[str], path: str, kind: str) -> Document:
    blocks: list[Block] = []
    notes = [f"工作表“{name}”已隐藏，未读取" for name in hidden]
    paragraphs = 0
    for sheet in sheets:
        sheet.merges = [  # a range merged down to row 1,048,576 ends where reading ends
            (r0, c0, min(r1, MAX_ROWS - 1), min(c1, MAX_COLS - 1))
            for r0, c0, r1, c1 in sheet.merges
            if r0 < MAX_ROWS and c0 < MAX_COLS
        ]
        notes.extend(_hidden_notes(sheet))
        table_blocks = sheet_blocks(
            sheet, len([b for b in blocks if isinstance(b, Table)]) + 1, paragraphs
        )
        paragraphs += sum(isinstance(b, Paragraph) for b in table_blocks)
        blocks.extend(table_blocks)
    if not blocks:
        raise DocumentLoadError(
            "Excel工作簿是空的（所有可见工作表都没有内容）：请确认文件是否填写完整，或是否选错了文件"
        )
    return Document(path=path, format=kind, blocks=blocks, notes=notes)


def _hidden_notes(sheet: Sheet) -> list[str]:
    rows = sorted({r for (r, c), t in sheet.texts.items() if t.strip() and r in sheet.hidden_rows})
    cols = sorted({c for (r, c), t in sheet.texts.items() if t.strip() and c in sheet.hidden_cols})
    notes = []
    if rows:
        notes.append(
            f"工作表“{sheet.name}”中隐藏的第{_listed([str(r + 1) for r in rows])}行有内容，未读取"
        )
    if cols:
        notes.append(
            f"工作表“{sheet.name}”中隐藏的{_listed([column_letter(c) for c in cols])}列有内容，未读取"
        )
    if sheet.truncated:
        notes.append(
            f"工作表“{sheet.name}”超过{MAX_ROWS}行或{MAX_COLS}列，只读取了前{MAX_ROWS}行、前{MAX_COLS}列"
        )
    return notes


def _listed(items: list[str], most: int = 10) -> str:
    return "、".join(items) if len(items) <= most else "、".join(items[:most]) + f"等{len(items)}处"


def _region(sheet: Sheet) -> tuple[list[int], list[int]] | None:
    """Visible rows and columns of the smallest box holding all visible text (and the
    merged ranges that text starts)."""
    filled = [
        rc
        for rc, t in sheet.texts.items()
        if t.strip() and rc[0] not in sheet.hidden_rows and rc[1] not in sheet.hidden_cols
    ]
    if not filled:
        return None
    r0, r1 = min(r for r, _ in filled), max(r for r, _ in filled)
    c0, c1 = min(c for _, c in filled), max(c for _, c in filled)
    for mr0, mc0, mr1, mc1 in sheet.merges:
        if (mr0, mc0) in sheet.texts and r0 <= mr0 <= r1 and c0 <= mc0 <= c1:
            r1, c1 = max(r1, mr1), max(c1, mc1)
    rows = [r for r in range(r0, r1 + 1) if r not in sheet.hidden_rows]
    cols = [c for c in range(c0, c1 + 1) if c not in sheet.hidden_cols]
    return rows, cols


def sheet_blocks(sheet: Sheet, index: int, paragraphs_before: int) -> list[Block]:
    """The sheet as a table, and the one-cell text rows below its ruled grid as paragraphs."""
    region = _region(sheet)
    if region is None:
        return []
    rows, cols = region
    cover = _merge_cover(sheet.merges, set(rows), set(cols))
    grid_rows = [_row_cells(sheet, r, i, cols, cover, index) for i, r in enumerate(rows)]
    tail = _text_tail(sheet, rows, grid_rows)
    table = Table(index=index, rows=grid_rows[: len(rows) - len(tail)])
    blocks: list[Block] = [table] if table.rows else []
    for cells in (cells for _, cells in tail):
        filled = next((c for c in cells if c.text.strip()), None)
        if filled is not None:
            n = paragraphs_before + sum(isinstance(b, Paragraph) for b in blocks) + 1
            prov = Provenance(paragraph=n, sheet=sheet.name, cell=filled.prov.cell)
            blocks.append(Paragraph(text=filled.text, prov=prov))
    return blocks


def _merge_cover(merges: list[Range], rows: set[int], cols: set[int]) -> Cover:
    """Each visible cell inside a merged range → the range, clipped to what is visible."""
    cover: Cover = {}
    for r0, c0, r1, c1 in merges:
        vr = [r for r in range(r0, r1 + 1) if r in rows]
        vc = [c for c in range(c0, c1 + 1) if c in cols]
        if not vr or not vc or (len(vr) == 1 and len(vc) == 1):
            continue
        for r in vr:
            for c in vc:
                cover[(r, c)] = (r0, c0, vr[0], vc[0], len(vr), len(vc))
    return cover


def _row_cells(
    sheet: Sheet, r: int, i: int, cols: list[int], cover: Cover, index: int
) -> list[Cell]:
    cells: list[Cell] = []
    for g, c in enumerate(cols):
        merge = cover.get((r, c))
        ref = f"{column_letter(c)}{r + 1}"
        prov = Provenance(table=index, row=i + 1, col=g + 1, sheet=sheet.name, cell=ref)
        if merge is None:
            cells.append(Cell(text=sheet.texts.get((r, c), ""), row=i, col=g, prov=prov))
            continue
        top, left, first_row, first_col, nrows, ncols = merge
        if c != first_col:
            continue  # covered by the merged cell to its left
        if r == first_row:
            prov.cell = f"{column_letter(left)}{top + 1}"
            text = sheet.texts.get((top, left), "")
            cells.append(Cell(text=text, row=i, col=g, rowspan=nrows, colspan=ncols, prov=prov))
        else:
            cells.append(Cell(text="", row=i, col=g, colspan=ncols, continuation=True, prov=prov))
    return cells


def _text_tail(
    sheet: Sheet, rows: list[int], grid_rows: list[list[Cell]]
) -> list[tuple[int, list[Cell]]]:
    """The rows after the last bordered row when each holds at most one filled cell; in a
    sheet with no ruled cell at all, every row when each holds at most one (a sheet of
    text lines, such as a report pasted into a workbook)."""
    bordered = [i for i, r in enumerate(rows) if r in sheet.bordered_rows]
    tail = list(zip(rows, grid_rows))[bordered[-1] + 1 if bordered else 0 :]
    if any(sum(bool(c.text.strip()) for c in cells) > 1 for _, cells in tail):
        return []
    return tail
