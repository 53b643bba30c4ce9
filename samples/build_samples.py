"""Build faithful sample documents (.txt, .docx, .pdf) from the seed text exports.

For every seed ``NNN_hash.txt`` in the seeds folder this writes into ``samples/``:

* ``NNN_hash.txt``  – a byte copy of the seed;
* ``NNN_hash.docx`` – the same blocks as real Word tables and paragraphs, with the merges
  the published forms have (horizontal ``gridSpan``, vertical ``vMerge``);
* ``NNN_hash.pdf``  – the .docx converted by LibreOffice.

The seed is read with the project's own reader (``parse_text_export``). The export shows a
merged cell as an empty cell (vertical merge) or as a row with fewer cells (horizontal
span), so the spans are rebuilt here from the row shapes and the label words; reading the
.docx back row by row (``w:tr`` → ``w:tc``) must give exactly the seed's rows again, which
``check_docx`` asserts.

Run: ``python samples/build_samples.py [TXT_DIR [OUT_DIR]]`` (default: the ``.txt`` files
already in ``samples/``, written beside them). Idempotent: outputs are overwritten. The same
script builds the renditions of the real-document corpus:
``python samples/build_samples.py eval/real eval/real``.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

import docx
import pymupdf
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.table import CT_Row, CT_Tbl
from docx.oxml.text.paragraph import CT_P
from docx.shared import Length, Mm, Pt
from docx.table import Table as DocxTable
from docx.table import _Cell

SAMPLES = Path(__file__).resolve().parent
sys.path.insert(0, str(SAMPLES.parent))  # run as a plain script from a checkout

from auditor.document import Paragraph, Table, compact
from auditor.ingest.text import parse_text_export

FONT = "Noto Sans CJK SC"
TABLE_PT = 9
IDEOGRAPH = Mm(3.4)  # width of one ideograph at TABLE_PT, with a little air
BODY_PT = 10.5
MARGIN = Mm(15)
LANDSCAPE_FROM = 7  # a table this many grid columns wide puts the document in landscape
MIN_COLUMN, MAX_COLUMN, MAX_LABEL_COLUMN = 3.0, 13.0, 6.0  # column widths in ideographs
LABEL_WIDTH = 8  # a label ("项目名称", "支出方向（子项）") is at most this many ideographs wide

# A first-column cell that heads a block of rows ("项目资金（万元）", "绩效指标", "年度总体目标",
# "预算执行情况", "年度预算申请", "年度重点工作计划", "年度绩效指标完成情况" …).
BLOCK_LABEL = re.compile(r"资金|目标|指标|预算|计划|情况")
# A one-cell row with such an ending that follows a form's rows starts the next form.
FORM_TITLE = re.compile(r"(自评表|目标表|指标表|申报表|汇总表|评价表)$")
HEADER_WORD = "一级指标"
# A paragraph set as a heading: "部门整体支出绩效自评表", "项目支出绩效自评报告".
DOCUMENT_TITLE = re.compile(r"^.{2,40}(表|报告)$")
# w:tblPr children that must come after w:tblBorders (ECMA-376 order).
BORDER_SUCCESSORS = ("w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook", "w:tblCaption")

Rows = list[list[str]]
Block = str | Rows  # a paragraph's text, or a table's rows of cell texts


# --- seed → blocks -------------------------------------------------------------------


def seed_blocks(seed: Path) -> list[Block]:
    """The seed's blocks in order; a seed table holding several forms becomes several."""
    document = parse_text_export(seed.read_text(encoding="utf-8"), str(seed))
    blocks: list[Block] = []
    for block in document.blocks:
        if isinstance(block, Paragraph):
            blocks.append(block.text)
        elif isinstance(block, Table):
            rows = [[cell.text for cell in row] for row in block.rows]
            blocks.extend(split_forms(rows))
    return blocks


def split_forms(rows: Rows) -> list[Rows]:
    """Split before each form-title row that follows rows with content of their own."""
    parts: list[Rows] = [[]]
    for row in rows:
        is_title = len(row) == 1 and FORM_TITLE.search(compact(row[0])) is not None
        has_body = any(sum(bool(t.strip()) for t in r) >= 2 for r in parts[-1])
        if is_title and has_body:
            parts.append([])
        parts[-1].append(row)
    return parts


# --- layout: horizontal spans ----------------------------------------------------------


def text_width(text: str) -> float:
    """Width of the longest line in ideograph widths (ASCII counts half)."""
    lines = text.split("\n") or [""]
    return max(sum(0.5 if ord(ch) < 0x2E80 else 1.0 for ch in line) for line in lines)


def is_total(row: list[str]) -> bool:
    return compact(row[0]).startswith("总分")


def is_header(row: list[str]) -> bool:
    return any(compact(t) == HEADER_WORD for t in row)


def row_groups(rows: Rows) -> list[list[int]]:
    """Runs of consecutive rows sharing one layout: same cell count and kind (an all-empty
    row joins the run above it)."""
    groups: list[list[int]] = []
    for r, row in enumerate(rows):
        if groups:
            prev = rows[groups[-1][-1]]
            blank = not any(t.strip() for t in row)
            if len(prev) == len(row) and (blank or is_total(prev) == is_total(row)):
                groups[-1].append(r)
                continue
        groups.append([r])
    return groups


def table_spans(rows: Rows) -> list[list[int]]:
    """gridSpan of every cell; the grid has as many columns as the longest row has cells."""
    n = max(len(row) for row in rows)
    spans: list[list[int]] = [[] for _ in rows]
    for group in row_groups(rows):
        k = len(rows[group[0]])
        if k == n:
            layout = [1] * n
        elif k == 1:
            layout = [n]
        else:
            layout = (
                total_layout(rows, group[0], n)
                or pair_layout(rows, group, n)
                or prefix_layout(rows, group, n, spans[group[0] - 1] if group[0] else [])
                or greedy_layout(rows, group, n)
            )
        for r in group:
            spans[r] = list(layout)
    return spans


def total_layout(rows: Rows, r: int, n: int) -> list[int] | None:
    """'总分 | 100 | 100 | /': the label covers the leading columns so that the numbers sit
    under the 分值 (or 得分) column of the indicator header above and the columns after it."""
    if not is_total(rows[r]):
        return None
    header = next((row for row in reversed(rows[:r]) if is_header(row) and len(row) == n), None)
    if header is None:
        return None
    words = [compact(t) for t in header]
    anchor = next((words.index(w) for w in ("分值", "得分") if w in words), 0)
    k = len(rows[r])
    if anchor < 1 or anchor + k - 1 > n:
        return None
    return [anchor] + [1] * (k - 2) + [n - anchor - (k - 2)]


def pair_layout(rows: Rows, group: list[int], n: int) -> list[int] | None:
    """'项目名称 | X', '主管部门 | X | 实施单位 | Y': label/value pairs. As in the standard
    form, the leading label covers the two label columns of a wide form; the other labels
    take one column and the values share the rest."""
    k = len(rows[group[0]])
    labels = [rows[r][i] for r in group for i in range(0, k, 2)]
    if k % 2 or any(first_col_merge(rows, r) for r in group):
        return None
    if not all(text.strip() and text_width(compact(text)) <= LABEL_WIDTH for text in labels):
        return None
    spans = [1] * k
    spans[0] = 2 if n >= LANDSCAPE_FROM else 1
    values = list(range(1, k, 2))
    share = distribute([column_weight(rows, group, i) for i in values], n - sum(spans))
    for i, extra in zip(values, share):
        spans[i] += extra
    return spans


def column_weight(rows: Rows, group: list[int], i: int) -> float:
    return min(20.0, max(1.0, *(text_width(rows[r][i]) for r in group)))


def distribute(weights: list[float], extra: int) -> list[int]:
    """Give `extra` columns to cells (one column each already) in proportion to weights;
    ties go to the later cell."""
    spans = [1] * len(weights)
    for _ in range(extra):
        best = max(range(len(weights)), key=lambda i: (weights[i] / spans[i], i))
        spans[best] += 1
    return [s - 1 for s in spans]


NUMERIC_CELL = re.compile(r"^[\d,.%\s]*$|^[—\-/]+$")


def prefix_layout(rows: Rows, group: list[int], n: int, above: list[int]) -> list[int] | None:
    """'| 其中:当年财政拨款 | 250000.00 | 250000.00 | 215457.6 | — |' under a longer row: the
    values keep the columns of the row above and the last cell (a dash spanning
    分值/执行率/得分) covers the rest."""
    k = len(rows[group[0]])
    if len(above) <= k or k < 4:
        return None
    for r in group:
        values = rows[r][2:]
        if not all(NUMERIC_CELL.match(t) for t in values) or not any(t.strip() for t in values[:-1]):
            return None
    return above[: k - 1] + [n - sum(above[: k - 1])]


def greedy_layout(rows: Rows, group: list[int], n: int) -> list[int]:
    """Share the n columns among the k cells in proportion to their text widths (capped, so
    two long texts split the width evenly). A first cell that is, or heads, a vertical
    merge down the first column keeps exactly one column so the merge lines up."""
    k = len(rows[group[0]])
    first = 1 if any(first_col_merge(rows, r) for r in group) else 0
    spans = [1] * k
    share = distribute([column_weight(rows, group, i) for i in range(first, k)], n - k)
    for i, extra in zip(range(first, k), share):
        spans[i] += extra
    return spans


def first_col_merge(rows: Rows, r: int) -> bool:
    below = rows[r + 1] if r + 1 < len(rows) else []
    return rows[r][0] == "" or (len(below) >= 2 and below[0] == "")


# --- layout: vertical merges -----------------------------------------------------------

Slot = tuple[int, int]  # (first grid column, gridSpan)


def slots(spans: list[int]) -> list[Slot]:
    starts = [sum(spans[:i]) for i in range(len(spans))]
    return list(zip(starts, spans))


def is_block_label(row: list[str], text: str) -> bool:
    return bool(text.strip()) and (is_header(row) or BLOCK_LABEL.search(compact(text)) is not None)


def continuations(rows: Rows, spans: list[list[int]]) -> list[list[bool]]:
    """Which empty cells continue a vertical merge from the cell above (same slot):

    * first column: under a block label ("项目资金", "绩效指标", "年度总体目标" …);
    * a two-line indicator header: under each header word, when the row below the header
      has nothing under 一级指标 and 三级指标 (it is the header's second line);
    * indicator rows: under a 一级指标 value, and under a 二级指标 value when the row has a
      三级指标 of its own. Value columns are never merged.
    """
    kinds: list[list[str]] = [["" for _ in row] for row in rows]
    header: dict[str, Slot] = {}
    for r in range(1, len(rows)):
        if is_header(rows[r - 1]):
            header = {compact(t): s for t, s in zip(rows[r - 1], slots(spans[r - 1]))}
        above = {s: (t, kind) for t, s, kind in zip(rows[r - 1], slots(spans[r - 1]), kinds[r - 1])}
        cells = dict(zip(slots(spans[r]), rows[r]))
        for i, slot in enumerate(slots(spans[r])):
            if rows[r][i] == "" and len(rows[r]) > 1 and slot in above:
                kinds[r][i] = merge_kind(rows[r - 1], above[slot], slot, cells, header)
    return [[kind != "" for kind in row] for row in kinds]


def merge_kind(
    row_above: list[str],
    above: tuple[str, str],
    slot: Slot,
    cells: dict[Slot, str],
    header: dict[str, Slot],
) -> str:
    """The kind of merge an empty cell at `slot` continues, or "" for an ordinary cell."""
    text, kind = above
    starts_block = kind == "label" or (not kind and is_block_label(row_above, text))
    if slot[0] == 0 and starts_block and not is_header(list(cells.values())):
        return "label"
    nowhere: Slot = (-1, 0)
    level1, level2, level3 = (header.get(w, nowhere) for w in ("一级指标", "二级指标", "三级指标"))
    if is_header(row_above):
        second_line = cells.get(level1) == "" and cells.get(level3) == ""
        return "header" if second_line and text.strip() else ""
    if slot == level1 or (slot == level2 and cells.get(level3, "").strip()):
        return "indicator" if kind == "indicator" or (not kind and text.strip()) else ""
    return ""


# --- docx writing ----------------------------------------------------------------------


@dataclass(slots=True)
class Page:
    landscape: bool

    @property
    def size(self) -> tuple[Length, Length]:
        return (Mm(297), Mm(210)) if self.landscape else (Mm(210), Mm(297))

    @property
    def usable_width(self) -> int:
        return int(self.size[0] - 2 * MARGIN)


def write_docx(blocks: list[Block], path: Path) -> None:
    page = Page(landscape=any(needs_landscape(b) for b in blocks if not isinstance(b, str)))
    document = docx.Document()
    setup_document(document, page)
    previous: Block = ""
    for block in blocks:
        if isinstance(block, str):
            add_body_paragraph(document, block)
        else:
            if not isinstance(previous, str):
                document.add_paragraph()  # keeps Word and LibreOffice from joining tables
            add_table(document, block, page)
        previous = block
    document.save(str(path))


def needs_landscape(rows: Rows) -> bool:
    """A wide form, or one whose columns would not get an ideograph's width each upright."""
    wide = max(len(row) for row in rows) >= LANDSCAPE_FROM
    return wide or sum(column_weights(rows)) * IDEOGRAPH > Page(landscape=False).usable_width


def setup_document(document: DocxDocument, page: Page) -> None:
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE if page.landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = page.size
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, MARGIN)
    normal = document.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(BODY_PT)
    fonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), FONT)
    normal.paragraph_format.space_after = Pt(2)
    normal.paragraph_format.line_spacing = 1.0


def add_body_paragraph(document: DocxDocument, text: str) -> None:
    paragraph = document.add_paragraph()
    run = paragraph.add_run(text)
    stripped = text.strip()
    if DOCUMENT_TITLE.search(stripped) and not re.search(r"^附件|[及，。：]", stripped):
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run.bold = True
        run.font.size = Pt(14)
        paragraph.paragraph_format.space_before = Pt(6)


def add_table(document: DocxDocument, rows: Rows, page: Page) -> None:
    n = max(len(row) for row in rows)
    spans = table_spans(rows)
    merged = continuations(rows, spans)
    restarts = merge_restarts(spans, merged)
    table = document.add_table(rows=0, cols=n)
    table.style = document.styles["Table Grid"]
    table.autofit = False
    weights = column_weights(rows)
    widths = [int(w * page.usable_width / sum(weights)) for w in weights]
    for column, width in zip(table.columns, widths):
        column.width = width
    set_table_borders(table)
    for r, row in enumerate(rows):
        tr = table._tbl.add_tr()
        keep_row_on_one_page(tr)
        for i, (start, span) in enumerate(slots(spans[r])):
            tc = tr.add_tc()
            tc.width = sum(widths[start : start + span])
            if span > 1:
                tc.grid_span = span
            if merged[r][i] or restarts[r][i]:
                tc.vMerge = "continue" if merged[r][i] else "restart"
            fill_cell(_Cell(tc, table), "" if merged[r][i] else row[i], len(row) == 1)


def keep_row_on_one_page(tr: CT_Row) -> None:
    """Set w:cantSplit, as filled-in forms usually do: a row is never cut by a page break."""
    tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))


def merge_restarts(spans: list[list[int]], merged: list[list[bool]]) -> list[list[bool]]:
    """The top cell of each vertical merge: a cell whose slot continues in the row below."""
    restarts = [[False] * len(row) for row in merged]
    for r in range(len(merged) - 1):
        below = {s for s, m in zip(slots(spans[r + 1]), merged[r + 1]) if m}
        for i, slot in enumerate(slots(spans[r])):
            restarts[r][i] = slot in below and not merged[r][i]
    return restarts


def fill_cell(cell: _Cell, text: str, is_title: bool) -> None:
    """One paragraph per line of the cell's text; short texts centred, titles bold."""
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    short = text_width(text) <= 12
    for j, line in enumerate(text.split("\n")):
        paragraph = cell.paragraphs[0] if j == 0 else cell.add_paragraph()
        paragraph.paragraph_format.space_after = Pt(0)
        if short or is_title:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = paragraph.add_run(line)
        run.font.size = Pt(13 if is_title and j == 0 else TABLE_PT)
        run.bold = is_title


def column_weights(rows: Rows) -> list[float]:
    """Grid column widths in ideographs: the widest line each column holds, within
    sensible bounds (the first, label column stays narrow). One-column cells size their
    column; a spanning cell narrower than two full columns then widens its columns evenly."""
    n = max(len(row) for row in rows)
    weights = [MIN_COLUMN] * n
    spans = table_spans(rows)
    cells = [(text, slot) for row, sp in zip(rows, spans) for text, slot in zip(row, slots(sp))]
    for text, (start, span) in cells:
        if span == 1:
            weights[start] = max(weights[start], min(text_width(text.strip()) + 1, MAX_COLUMN))
    weights[0] = min(weights[0], MAX_LABEL_COLUMN)
    for text, (start, span) in cells:
        if 1 < span < n:
            deficit = min(text_width(text.strip()) + 1, MAX_COLUMN * 2) - sum(
                weights[start : start + span]
            )
            for i in range(start, start + span):
                weights[i] += max(0.0, deficit) / span
    return weights


def set_table_borders(table: DocxTable) -> None:
    """Single ruling lines on every cell edge, whatever the style says."""
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        for key, value in (("val", "single"), ("sz", "4"), ("space", "0"), ("color", "000000")):
            element.set(qn(f"w:{key}"), value)
        borders.append(element)
    tbl_pr = table._tbl.tblPr
    for old in tbl_pr.findall(qn("w:tblBorders")):
        tbl_pr.remove(old)
    tbl_pr.insert_element_before(borders, *BORDER_SUCCESSORS)


# --- self-check: read the docx back as Word stores it ----------------------------------


def rows_from_docx(path: Path) -> list[Rows]:
    """Every table's rows as Word stores them: one entry per w:tc (a gridSpan cell once, a
    vMerge continuation as an empty cell), a cell's paragraphs joined with newlines."""
    return [table_rows(tbl) for tbl in docx.Document(str(path)).element.body.tbl_lst]


def table_rows(tbl: CT_Tbl) -> Rows:
    rows: Rows = []
    for tr in tbl.tr_lst:
        row = []
        for tc in tr.tc_lst:
            continued = tc.vMerge == "continue"
            row.append("" if continued else "\n".join(p.text for p in tc.p_lst))
        rows.append(row)
    return rows


def blocks_from_docx(path: Path) -> list[Block]:
    """Body paragraphs (non-empty) and tables in document order."""
    blocks: list[Block] = []
    for child in docx.Document(str(path)).element.body.iterchildren():
        if isinstance(child, CT_P) and child.text.strip():
            blocks.append(child.text)
        elif isinstance(child, CT_Tbl):
            blocks.append(table_rows(child))
    return blocks


def normalised(blocks: list[Block]) -> list[Block]:
    """Texts compared without whitespace at their ends."""
    return [
        block.strip() if isinstance(block, str) else [[t.strip() for t in row] for row in block]
        for block in blocks
    ]


def check_docx(path: Path, expected: list[Block]) -> None:
    """Fail loudly unless the docx gives back exactly the seed's blocks, rows and cells."""
    got, want = normalised(blocks_from_docx(path)), normalised(expected)
    for index, (a, b) in enumerate(zip(got, want)):
        if a == b:
            continue
        where = f"{path.name}: block {index + 1}"
        if isinstance(a, str) or isinstance(b, str) or len(a) != len(b):
            raise AssertionError(f"{where} differs:\n docx {a!r}\n seed {b!r}")
        r = next(r for r, (x, y) in enumerate(zip(a, b)) if x != y)
        raise AssertionError(f"{where}, row {r + 1} differs:\n docx {a[r]!r}\n seed {b[r]!r}")
    if len(got) != len(want):
        raise AssertionError(f"{path.name}: {len(got)} blocks in the docx, {len(want)} in the seed")


# --- PDF -------------------------------------------------------------------------------


def convert_to_pdf(documents: list[Path], outdir: Path) -> None:
    """LibreOffice headless conversion with a profile of this run's own."""
    profile = Path(tempfile.gettempdir()) / f"lo_profile_{uuid.uuid4().hex}"
    command = [
        "soffice",
        "--headless",
        f"-env:UserInstallation=file://{profile}",
        "--convert-to",
        "pdf",
        "--outdir",
        str(outdir),
        *map(str, documents),
    ]
    try:
        subprocess.run(command, check=True, capture_output=True, timeout=600)
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def check_pdf(path: Path) -> int:
    """The PDF exists and has Chinese text on its pages; returns its page count."""
    if not path.is_file():
        raise AssertionError(f"{path.name}: LibreOffice wrote no PDF")
    with pymupdf.open(path) as pdf:
        text = "".join(page.get_text() for page in pdf)
        pages = pdf.page_count
    if len(re.findall(r"[\u4e00-\u9fff]", text)) < 20:
        raise AssertionError(f"{path.name}: no Chinese text in the PDF")
    return pages


# --- main ------------------------------------------------------------------------------


def build(seeds_dir: Path, outdir: Path = SAMPLES) -> None:
    seeds = sorted(seeds_dir.glob("*.txt"))
    if not seeds:
        raise SystemExit(f"no seeds in {seeds_dir}")
    documents = []
    for seed in seeds:
        if seed.resolve() != (outdir / seed.name).resolve():
            shutil.copyfile(seed, outdir / seed.name)
        blocks = seed_blocks(seed)
        target = outdir / f"{seed.stem}.docx"
        write_docx(blocks, target)
        check_docx(target, blocks)
        documents.append(target)
    for stale in (outdir / f"{seed.stem}.pdf" for seed in seeds):
        stale.unlink(missing_ok=True)
    convert_to_pdf(documents, outdir)
    for target in documents:
        pdf = target.with_suffix(".pdf")
        print(f"{target.stem}: {len(rows_from_docx(target))} tables, {check_pdf(pdf)} pages")


if __name__ == "__main__":
    source = Path(sys.argv[1]) if len(sys.argv) > 1 else SAMPLES
    build(source, Path(sys.argv[2]) if len(sys.argv) > 2 else SAMPLES)
