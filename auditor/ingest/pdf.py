"""Text-layer PDF → Document.

Tables are found from their ruling lines, not with ``page.find_tables()``: the PDFs this
tool reads (LibreOffice and Word exports of forms) draw every cell border as a line or a
thin rectangle, and reading those is exact about merged cells and ~15× faster.

Pipeline per page: drawings → horizontal/vertical ruling segments → connected groups of
segments (one per table) → grid of distinct x/y boundaries → cells (a grid slot grows right
and down while no border separates it from the next slot) → words placed in cells by their
centre. Words outside every table become one Paragraph per text line. Tables that end a
page and start the next with the same column boundaries are stitched into one Table, and a
row the page break cut in two is joined again (``split_row``).

Rows come out as *logical rows* (see ``auditor.document``): each row lists the cells that
start in it, and a cell merged down from above leaves an empty ``continuation`` cell.
"""

from __future__ import annotations

import os
import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any

os.environ.setdefault("PYMUPDF_SUGGEST_LAYOUT_ANALYZER", "0")
import pymupdf

# MuPDF's own messages ("format error: …") go to the log, never to stdout, which carries
# only the report.
pymupdf.TOOLS.mupdf_display_errors(False)
pymupdf.TOOLS.mupdf_display_warnings(False)
pymupdf.set_messages(pylogging=True, pylogging_name="auditor.mupdf")
_MUPDF_ERRORS = (RuntimeError, ValueError, IndexError, pymupdf.mupdf.FzErrorBase)

from auditor.document import (
    Block,
    Cell,
    Document,
    Paragraph,
    Provenance,
    Table,
    fold_chars,
)
from auditor.errors import DocumentLoadError

SNAP = 1.5  # pt: ruling lines closer than this are one line; gaps smaller than this close
THIN = 2.0  # pt: a rectangle thinner than this is a ruling line, not an area
STITCH_TOLERANCE = 2.0  # pt: column boundaries of a table continued on the next page

BBox = tuple[float, float, float, float]
Word = tuple[float, float, float, float, str, int, int, int]  # pymupdf get_text("words")

_PAGE_NUMBER = re.compile(r"^[-—–\s]*(第\s*)?\d+(\s*页)?(\s*/\s*(共\s*)?\d+\s*页?)?[-—–\s]*$")
_ASCII_LETTER = re.compile(r"[A-Za-z]")


def read_pdf(data: bytes, path: str = "") -> Document:
    """Read a PDF; pages without a text layer (scans) are recognised by OCR
    (``auditor.ingest.ocr``). Raise DocumentLoadError when it cannot be read."""
    with _open(data, path) as pdf:
        pages = []
        try:
            for number in range(1, pdf.page_count + 1):
                pages.append(_read_page(pdf[number - 1], number))
        except _MUPDF_ERRORS as exc:
            name = Path(path).name or "（未命名文件）"
            raise DocumentLoadError(
                f"PDF结构已损坏（第{len(pages) + 1}页无法读取），无法完整读取：{name}，请重新导出或获取原件"
            ) from exc
        scanned = [n for n, page in enumerate(pages, start=1) if not page.has_text]
        if scanned:
            from auditor.ingest.ocr import read_scanned_pages

            for number, content in read_scanned_pages(pdf, scanned).items():
                pages[number - 1] = content
        if not any(page.has_text for page in pages):
            raise DocumentLoadError(
                f"扫描页为空白：{pdf.page_count}页均无文本层，OCR也未识别到任何文字，"
                "请检查扫描件是否完整清晰，或提供带文字层的PDF或Word原件"
            )
        notes = []
        if pdf.metadata and pdf.metadata.get("encryption") and not pdf.needs_pass:
            notes.append("此PDF设有权限限制（所有者密码，禁止复制或打印等），已按只读方式读取文字；如审核结果异常，请向报送单位索取无限制的文件")
        return Document(
            path=path, format="pdf", blocks=_assemble(pages), pages=pdf.page_count, notes=notes, ocr_pages=scanned
        )


def _open(data: bytes, path: str) -> pymupdf.Document:
    name = Path(path).name or "（未命名文件）"
    corrupt = f"文件已损坏，无法作为PDF打开：{name}，请重新导出或获取原件"
    try:
        pdf = pymupdf.open(stream=data, filetype="pdf")
        pdf.page_count  # noqa: B018 — a lying or broken page tree raises here
    except (pymupdf.FileDataError, *_MUPDF_ERRORS) as exc:
        raise DocumentLoadError(corrupt) from exc
    if pdf.needs_pass:
        pdf.close()
        raise DocumentLoadError("PDF已加密，需要密码才能打开，请提供未加密的文件")
    if pdf.page_count == 0:
        repaired = pdf.is_repaired
        pdf.close()
        if repaired:  # a truncated file opens "repaired" with no pages
            raise DocumentLoadError(corrupt)
        raise DocumentLoadError(f"PDF没有任何页面：{name}，请重新导出或获取原件")
    return pdf


# --- ruling lines → grids ------------------------------------------------------------


@dataclass(slots=True)
class _Segment:
    pos: float  # y of a horizontal line, x of a vertical one
    lo: float
    hi: float


def _ruling_segments(page: pymupdf.Page) -> tuple[list[_Segment], list[_Segment]]:
    horizontal: list[_Segment] = []
    vertical: list[_Segment] = []
    for path in page.get_cdrawings():
        for x0, y0, x1, y1 in _line_boxes(path):
            if y1 - y0 <= THIN < x1 - x0:
                horizontal.append(_Segment((y0 + y1) / 2, x0, x1))
            elif x1 - x0 <= THIN < y1 - y0:
                vertical.append(_Segment((x0 + x1) / 2, y0, y1))
    return _merge_collinear(horizontal), _merge_collinear(vertical)


def _line_boxes(path: dict[str, Any]) -> list[BBox]:
    """Boxes of the straight lines a drawing path draws: lines, thin rectangles, and the
    four sides of stroked rectangles. Filled areas (cell shading) are not borders."""
    boxes: list[BBox] = []
    for item in path["items"]:
        if item[0] == "l":
            (ax, ay), (bx, by) = item[1], item[2]
            boxes.append((min(ax, bx), min(ay, by), max(ax, bx), max(ay, by)))
        elif item[0] == "re":
            x0, y0, x1, y1 = item[1]
            if min(x1 - x0, y1 - y0) <= THIN:
                boxes.append((x0, y0, x1, y1))
            elif "s" in path["type"]:
                boxes += [(x0, y0, x1, y0), (x0, y1, x1, y1), (x0, y0, x0, y1), (x1, y0, x1, y1)]
    return boxes


def _merge_collinear(segments: list[_Segment]) -> list[_Segment]:
    """Join segments on the same line that overlap or touch (cell borders drawn piecewise)."""
    merged: list[_Segment] = []
    for group in _clusters(sorted(segments, key=lambda s: s.pos), lambda s: s.pos):
        pos = sum(s.pos for s in group) / len(group)
        current: _Segment | None = None
        for s in sorted(group, key=lambda s: s.lo):
            if current is not None and s.lo <= current.hi + SNAP:
                current.hi = max(current.hi, s.hi)
            else:
                current = _Segment(pos, s.lo, s.hi)
                merged.append(current)
    return merged


def _clusters(items: list[Any], key: Any) -> list[list[Any]]:
    """Split items sorted by key into runs whose consecutive keys are within SNAP."""
    runs: list[list[Any]] = []
    for item in items:
        if runs and key(item) - key(runs[-1][-1]) <= SNAP:
            runs[-1].append(item)
        else:
            runs.append([item])
    return runs


def _touch(h: _Segment, v: _Segment) -> bool:
    return h.lo - SNAP <= v.pos <= h.hi + SNAP and v.lo - SNAP <= h.pos <= v.hi + SNAP


def _line_groups(
    horizontal: list[_Segment], vertical: list[_Segment]
) -> list[tuple[list[_Segment], list[_Segment]]]:
    """Connected groups of crossing lines with at least two of each direction: tables."""
    parent = list(range(len(horizontal) + len(vertical)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, h in enumerate(horizontal):
        for j, v in enumerate(vertical, start=len(horizontal)):
            if _touch(h, v):
                parent[root(i)] = root(j)
    groups: dict[int, tuple[list[_Segment], list[_Segment]]] = {}
    for i, h in enumerate(horizontal):
        groups.setdefault(root(i), ([], []))[0].append(h)
    for j, v in enumerate(vertical, start=len(horizontal)):
        groups.setdefault(root(j), ([], []))[1].append(v)
    return [(hs, vs) for hs, vs in groups.values() if len(hs) >= 2 and len(vs) >= 2]


@dataclass(slots=True)
class _GridCell:
    row: int
    col: int
    rowspan: int
    colspan: int
    bbox: BBox
    closed: bool  # bordered on all four sides
    words: list[Word] = field(default_factory=list)
    text: str = ""
    confidence: float | None = None  # OCR: the engine's lowest score in the cell
    ocr_raw: str | None = None  # OCR: the text as read, when a character was corrected


@dataclass(slots=True)
class _PageTable:
    page: int
    xs: list[float]  # column boundaries
    ys: list[float]  # row boundaries
    cells: list[_GridCell]
    owner: list[list[int]]  # grid slot → index into cells

    @property
    def bbox(self) -> BBox:
        return (self.xs[0], self.ys[0], self.xs[-1], self.ys[-1])

    def cell_at(self, x: float, y: float) -> _GridCell | None:
        r, c = bisect_right(self.ys, y) - 1, bisect_right(self.xs, x) - 1
        if 0 <= r < len(self.ys) - 1 and 0 <= c < len(self.xs) - 1:
            return self.cells[self.owner[r][c]]
        return None


def _positions(segments: list[_Segment]) -> list[float]:
    ordered = sorted(segments, key=lambda s: s.pos)
    return [sum(s.pos for s in g) / len(g) for g in _clusters(ordered, lambda s: s.pos)]


def _by_position(segments: list[_Segment], positions: list[float]) -> list[list[_Segment]]:
    """Each segment on the line of the (sorted) positions nearest to it."""
    lines: list[list[_Segment]] = [[] for _ in positions]
    for s in segments:
        i = bisect_left(positions, s.pos)
        if i == len(positions) or (i > 0 and s.pos - positions[i - 1] <= positions[i] - s.pos):
            i -= 1
        lines[i].append(s)
    return lines


def _coverage(line: list[_Segment], mids: list[float]) -> list[bool]:
    """For each of the sorted ``mids``, whether a segment of the line reaches it."""
    out = [False] * len(mids)
    for s in line:
        for i in range(bisect_left(mids, s.lo - SNAP), bisect_right(mids, s.hi + SNAP)):
            out[i] = True
    return out


def _grid_table(hs: list[_Segment], vs: list[_Segment], page: int) -> _PageTable:
    xs, ys = _positions(vs), _positions(hs)
    v_lines, h_lines = _by_position(vs, xs), _by_position(hs, ys)
    mid_x = [(a + b) / 2 for a, b in pairwise(xs)]
    mid_y = [(a + b) / 2 for a, b in pairwise(ys)]
    # wall_right[r][c]: a border right of slot (r, c); wall_below[r][c]: one below it
    v_cover = [_coverage(line, mid_y) for line in v_lines]  # [c][r]: a border left of slot (r, c)
    h_cover = [_coverage(line, mid_x) for line in h_lines]  # [r][c]: a border above it
    wall_right = [[v_cover[c + 1][r] for c in range(len(mid_x))] for r in range(len(mid_y))]
    wall_below = h_cover[1:]
    owner = [[-1] * len(mid_x) for _ in mid_y]
    cells: list[_GridCell] = []
    for r in range(len(mid_y)):
        for c in range(len(mid_x)):
            if owner[r][c] >= 0:
                continue
            cs = 1
            while c + cs < len(mid_x) and not wall_right[r][c + cs - 1] and owner[r][c + cs] < 0:
                cs += 1
            rs = 1
            while r + rs < len(mid_y) and not wall_below[r + rs - 1][c]:
                rs += 1
            for rr in range(r, r + rs):
                owner[rr][c : c + cs] = [len(cells)] * cs
            closed = (
                v_cover[c][r]
                and h_cover[r][c]
                and wall_right[r][c + cs - 1]
                and wall_below[r + rs - 1][c]
            )
            bbox = (xs[c], ys[r], xs[c + cs], ys[r + rs])
            cells.append(_GridCell(r, c, rs, cs, bbox, closed))
    return _PageTable(page, xs, ys, cells, owner)


# --- one page ------------------------------------------------------------------------

PageItem = _PageTable | Paragraph


@dataclass(slots=True)
class _PageContent:
    items: list[PageItem]  # top to bottom
    has_text: bool


def _read_page(page: pymupdf.Page, number: int) -> _PageContent:
    tables = [_grid_table(hs, vs, number) for hs, vs in _line_groups(*_ruling_segments(page))]
    words: list[Word] = page.get_text("words")
    loose: list[Word] = []
    for word in words:
        cx, cy = (word[0] + word[2]) / 2, (word[1] + word[3]) / 2
        cell = next((c for t in tables if (c := t.cell_at(cx, cy)) is not None), None)
        if cell is None:
            loose.append(word)
        else:
            cell.words.append(word)
    for table in tables:
        for cell in table.cells:
            cell.text = _cell_text(cell.words)
        table.cells = [c for c in table.cells if c.closed or c.text]
    lines = [_paragraph(line, number) for line in _text_lines(loose)]
    items: list[PageItem] = [*tables, *lines]
    items.sort(key=lambda item: _top(item))
    return _PageContent(items, bool(words))


def _top(item: PageItem) -> float:
    bbox = item.bbox if isinstance(item, _PageTable) else item.prov.bbox
    return bbox[1] if bbox else 0.0


def _text_lines(words: list[Word]) -> list[list[Word]]:
    """Words grouped into pymupdf's text lines, top to bottom, each left to right."""
    lines: dict[tuple[int, int], list[Word]] = {}
    for word in words:
        lines.setdefault((word[5], word[6]), []).append(word)
    ordered = [sorted(line, key=lambda w: w[0]) for line in lines.values()]
    ordered.sort(key=lambda line: (round(min(w[1] for w in line)), line[0][0]))
    return ordered


def _paragraph(line: list[Word], page: int) -> Paragraph:
    bbox = (
        min(w[0] for w in line),
        min(w[1] for w in line),
        max(w[2] for w in line),
        max(w[3] for w in line),
    )
    return Paragraph(text=_join_words(line), prov=Provenance(page=page, bbox=_round(bbox)))


def _join_words(line: list[Word]) -> str:
    """One text line. pymupdf splits a line into words at spaces, and also inserts a space
    where the font switches between Latin and CJK ('≥120 台'): a gap between an ASCII and
    a non-ASCII character is dropped, any other gap is one space."""
    text = ""
    for word in line:
        token = fold_chars(word[4])
        if text and token and (text[-1].isascii() == token[0].isascii()):
            text += " "
        text += token
    return text


def _cell_text(words: list[Word]) -> str:
    """A cell's text with wrapped lines joined: a line break inside a cell is layout, so
    lines join with nothing, except with a space between two ASCII letters."""
    text = ""
    for line in _text_lines(words):
        token = _join_words(line)
        if text and token and _ASCII_LETTER.match(text[-1]) and _ASCII_LETTER.match(token[0]):
            text += " "
        text += token
    return text.strip()


def _round(bbox: BBox) -> BBox:
    return (round(bbox[0], 2), round(bbox[1], 2), round(bbox[2], 2), round(bbox[3], 2))


# --- pages → blocks ------------------------------------------------------------------


class _TableBuilder:
    """Logical rows of one table, possibly continued over several pages."""

    def __init__(self, part: _PageTable) -> None:
        self.xs = part.xs
        self.rows: list[list[Cell]] = []
        self.bottom: dict[tuple[int, int], Cell] = {}  # (col, colspan) → cell on the last row
        self.breaks: list[int] = []  # index of the first row of each continued part
        self.page = part.page
        self.add(part)

    def columns(self, part: _PageTable) -> list[int] | None:
        """Column index in this table of each boundary of part, or None if they differ."""
        index = [_nearest(self.xs, x) for x in part.xs]
        if any(abs(self.xs[i] - x) > STITCH_TOLERANCE for i, x in zip(index, part.xs)):
            return None
        if index[0] != 0 or index[-1] != len(self.xs) - 1 or len(set(index)) < len(index):
            return None
        return index

    def add(self, part: _PageTable) -> None:
        index = self.columns(part)
        assert index is not None, "add() takes a part whose columns match"
        base = len(self.rows)
        if base:
            self.breaks.append(base)
        self.rows += [[] for _ in part.ys[1:]]
        carried, self.bottom = self.bottom, {}
        for gc in sorted(part.cells, key=lambda g: (g.row, g.col)):
            col, span = index[gc.col], index[gc.col + gc.colspan] - index[gc.col]
            origin = carried.get((col, span)) if base and gc.row == 0 and not gc.text else None
            if origin is not None and origin.rowspan > 1:
                origin.rowspan += gc.rowspan  # a vertical merge running over the page break
                first_placeholder = 0
            else:
                origin = _cell(gc, part.page, base + gc.row, col, span)
                self.rows[base + gc.row].append(origin)
                first_placeholder = 1
            for r in range(gc.row + first_placeholder, gc.row + gc.rowspan):
                bbox = (gc.bbox[0], part.ys[r], gc.bbox[2], part.ys[r + 1])
                self.rows[base + r].append(_placeholder(origin, base + r, part.page, bbox))
            if gc.row + gc.rowspan == len(part.ys) - 1:
                self.bottom[(col, span)] = origin

    def table(self, index: int) -> Table:
        rows = [sorted(row, key=lambda c: c.col) for row in self.rows]
        for b in reversed(self.breaks):
            if split_row(rows[b - 1], rows[b]):
                _join_rows(rows, b)
        for r, row in enumerate(rows):
            for cell in row:
                cell.row, cell.prov.row, cell.prov.table = r, r + 1, index
        return Table(index=index, rows=rows, page=self.page)


_SENTENCE_END = tuple("。；;！？!?")


def split_row(above: list[Cell], below: list[Cell]) -> bool:
    """``below`` (the first row of a page) is the rest of ``above`` (the last row of the
    previous page), cut by the page break: the same cells; where both hold text, the
    text above is unfinished and neither is a value (a number, "—", a date); and below
    leaves empty some cell that above fills, as a new row of a form would not."""
    from auditor.values import parse_value

    if [(c.col, c.colspan) for c in above] != [(c.col, c.colspan) for c in below]:
        return False
    pairs = [(a, b) for a, b in zip(above, below) if not b.continuation]
    if not any(b.text for _, b in pairs) or not any(a.text and not b.text for a, b in pairs):
        return False
    for a, b in pairs:
        if a.text and b.text and (
            a.text.rstrip().endswith(_SENTENCE_END)
            or parse_value(a.text).kind != "qualitative"
            or parse_value(b.text).kind != "qualitative"
        ):
            return False
    return True


def _join_rows(rows: list[list[Cell]], b: int) -> None:
    """Fold row ``b`` into the row above it; merges that ran into it get shorter."""
    for a_cell, b_cell in zip(rows[b - 1], rows[b]):
        if b_cell.continuation or not b_cell.text:
            continue
        if a_cell.text:
            a_cell.text += b_cell.text
        else:  # the value sits on the next page: point at it there
            a_cell.text, a_cell.prov = b_cell.text, b_cell.prov
    for row in rows[:b]:
        for cell in row:
            if cell.row + cell.rowspan > b:
                cell.rowspan -= 1
    del rows[b]


def _nearest(values: list[float], x: float) -> int:
    i = bisect_right(values, x)
    candidates = [j for j in (i - 1, i) if 0 <= j < len(values)]
    return min(candidates, key=lambda j: abs(values[j] - x))


def _cell(gc: _GridCell, page: int, row: int, col: int, span: int) -> Cell:
    prov = Provenance(page=page, bbox=_round(gc.bbox), row=row + 1, col=col + 1, confidence=gc.confidence)
    return Cell(gc.text, row, col, rowspan=gc.rowspan, colspan=span, prov=prov, ocr_raw=gc.ocr_raw)


def _placeholder(origin: Cell, row: int, page: int, bbox: BBox) -> Cell:
    """The empty cell a vertical merge leaves in each row below its first one."""
    prov = Provenance(page=page, bbox=_round(bbox), row=row + 1, col=origin.col + 1)
    return Cell("", row, origin.col, colspan=origin.colspan, continuation=True, prov=prov)


def _assemble(pages: list[_PageContent]) -> list[Block]:
    """Page items in reading order; a table that ends a page and one that starts the next
    page with the same column boundaries are one table (page numbers aside)."""
    items: list[_TableBuilder | Paragraph] = []
    carry: _TableBuilder | None = None
    for content in pages:
        body = [item for item in content.items if not _is_page_number(item)]
        first, last = (body[0], body[-1]) if body else (None, None)
        next_carry = None
        for item in content.items:
            if isinstance(item, Paragraph):
                items.append(item)
                continue
            if item is first and carry is not None and carry.columns(item) is not None:
                builder = carry
                builder.add(item)
            else:
                builder = _TableBuilder(item)
                items.append(builder)
            if item is last:
                next_carry = builder
        carry = next_carry
    return _numbered(items)


def _is_page_number(item: PageItem) -> bool:
    return isinstance(item, Paragraph) and bool(_PAGE_NUMBER.match(item.text))


def _numbered(items: list[_TableBuilder | Paragraph]) -> list[Block]:
    blocks: list[Block] = []
    paragraphs = tables = 0
    for item in items:
        if isinstance(item, Paragraph):
            paragraphs += 1
            item.prov.paragraph = paragraphs
            blocks.append(item)
        else:
            tables += 1
            blocks.append(item.table(tables))
    return blocks
