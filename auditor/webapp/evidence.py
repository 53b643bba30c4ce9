"""Where a finding points: boxes on PDF pages, or an excerpt of the Word/Excel/text table
with the cell highlighted (an Excel excerpt numbers its rows as the sheet does and names the
cells, 附件3!E7)."""

from __future__ import annotations

from html import escape

import pymupdf

from auditor.document import Cell, Document
from auditor.findings import Finding
from auditor.records import Location

Box = tuple[tuple[float, float, float, float], str]  # (bbox, severity), as render_page_png takes

MAX_PAGES = 3
ZOOM = 2.0  # page images are rendered at this zoom; the close-up is cut from them
FOCUS_MARGIN = (160.0, 50.0)  # points around the boxes kept in the close-up (x, y)
CONTEXT_ROWS = 2
MAX_EXCERPT_ROWS = 20
_COLOURS: dict[str, tuple[str, str]] = {  # severity → (border, background)
    "error": ("#d62728", "#fde0e0"),
    "warning": ("#e67e00", "#fff1dd"),
    "info": ("#1f77b4", "#e3f0fb"),
}


def places(finding: Finding) -> list[Location]:
    return [finding.location, *finding.locations]


def page_boxes(finding: Finding) -> dict[int, list[Box]]:
    """Page number → the finding's boxes on it, in the order the places are listed (≤ 3 pages)."""
    pages: dict[int, list[Box]] = {}
    for loc in places(finding):
        if loc.page is None or loc.bbox is None:
            continue
        if loc.page not in pages and len(pages) == MAX_PAGES:
            continue
        pages.setdefault(loc.page, []).append((loc.bbox, finding.severity))
    return pages


def focus_png(page_png: bytes, boxes: list[Box], zoom: float = ZOOM) -> bytes:
    """A close-up of a rendered page: the boxes with some of the table around them."""
    pixmap = pymupdf.Pixmap(page_png)
    dx, dy = FOCUS_MARGIN
    x0 = min(b[0][0] for b in boxes) - dx
    y0 = min(b[0][1] for b in boxes) - dy
    x1 = max(b[0][2] for b in boxes) + dx
    y1 = max(b[0][3] for b in boxes) + dy
    clip = (
        pymupdf.IRect(int(x0 * zoom), int(y0 * zoom), int(x1 * zoom), int(y1 * zoom)) & pixmap.irect
    )
    close_up = pymupdf.Pixmap(pixmap.colorspace, clip, pixmap.alpha)
    close_up.copy(pixmap, clip)
    return close_up.tobytes("png")


def table_excerpt_html(document: Document, finding: Finding) -> str | None:
    """The rows around the finding's cells in its table, as an HTML table with them marked."""
    table_no = next((loc.table for loc in places(finding) if loc.table is not None), None)
    table = next((t for t in document.tables if t.index == table_no), None)
    marked = [loc for loc in places(finding) if loc.table == table_no and loc.row is not None]
    if table is None or not marked:
        return None
    rows = [loc.row for loc in marked if loc.row is not None]
    first = max(1, min(rows) - CONTEXT_ROWS)
    last = min(max(rows) + CONTEXT_ROWS, first + MAX_EXCERPT_ROWS - 1)
    border, background = _COLOURS.get(finding.severity, _COLOURS["info"])
    body = [
        _row_html(row, marked, border, background)
        for row in table.rows
        if row and first <= _row_number(row) <= last
    ]
    caption = f"表{table.index} 第{first}–{last}行（原表格摘录，标色处为问题所在）"
    sheet = next((c.prov.sheet for row in table.rows for c in row if c.prov.sheet), None)
    if sheet:
        refs = "、".join(dict.fromkeys(f"{loc.sheet}!{loc.cell}" for loc in marked if loc.cell))
        caption = f"工作表“{sheet}” {refs}（原表格摘录，标色处为问题所在；左列为工作表行号）"
    return (
        '<table style="border-collapse:collapse;font-size:13px;margin:4px 0">'
        f'<caption style="caption-side:top;text-align:left;color:#555;padding:4px 0">{escape(caption)}</caption>'
        + "".join(body)
        + "</table>"
    )


def _row_number(row: list[Cell]) -> int:
    return row[0].prov.row if row[0].prov.row is not None else row[0].row + 1


def _row_label(row: list[Cell]) -> str:
    """The row's number as the reader sees it: the sheet's own row number for Excel."""
    ref = row[0].prov.cell
    return ref.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ") if ref else str(_row_number(row))


def _row_html(row: list[Cell], marked: list[Location], border: str, background: str) -> str:
    number = _row_number(row)
    whole_row = any(loc.row == number and loc.col is None for loc in marked)
    cells = [f'<td style="{_CELL}color:#888">{_row_label(row)}</td>']
    for cell in row:
        hit = any(loc.row == number and loc.col == cell.prov.col for loc in marked)
        style = _CELL
        if hit:
            style += f"background:{background};outline:3px solid {border};outline-offset:-2px;font-weight:bold;"
        elif whole_row:
            style += f"background:{background};"
        span = f' colspan="{cell.colspan}"' if cell.colspan > 1 else ""
        title = f' title="{escape(cell.prov.cell_ref)}"' if cell.prov.cell_ref else ""
        cells.append(f'<td{span}{title} style="{style}">{_cell_text(cell)}</td>')
    return "<tr>" + "".join(cells) + "</tr>"


_CELL = "border:1px solid #bbb;padding:3px 6px;vertical-align:top;"


def _cell_text(cell: Cell) -> str:
    text = cell.text.replace("\u3000", " ").strip()
    return escape(text).replace("\n", "<br>")
