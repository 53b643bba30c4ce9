"""The seeds' TAB-cell text export → Document.

Format: each table row is a block of lines separated by a blank line; a line that
starts with a TAB starts a cell; a line without a TAB right after a cell continues that
cell (its own line break). A non-TAB line after a blank line is a paragraph outside any
table. Whitespace before the first TAB of a line (" \\t…") is the exporter's mark of a
paragraph that separates two tables. Merged cells show up as empty cells, so spans are
unknown here: every cell has span 1 and ``col`` is its position in the row.
"""

from __future__ import annotations

import re

from auditor.document import Block, Cell, Document, Paragraph, Provenance, Table

# The exporter writes Word bookmarks inline ("[bookmark: _GoBack]95.00"); they are not text.
_BOOKMARK = re.compile(r"\[bookmark: [^\]]*\]")


def parse_text_export(text: str, path: str = "") -> Document:
    text = _BOOKMARK.sub("", text)
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    builder = _Builder()
    blank_run = 0
    i = 0
    while i < len(lines):
        line = lines[i]
        if _is_cell_line(line):
            lead = line[: line.index("\t")]
            if lead or blank_run >= 2:
                builder.end_table()
            elif blank_run == 1:
                builder.end_row()
            builder.start_cell(line[line.index("\t") + 1 :])
            blank_run = 0
        elif not line.strip():
            blank_run += 1
        elif blank_run == 0 and builder.in_cell:
            builder.continue_cell(line)
        elif builder.in_cell and _runs_into_same_table(lines, i):
            # A cell of its own with blank lines inside ("项目资金\n\n（万元）"): the text
            # after the blank runs straight into the row's next cell.
            builder.continue_cell("\n" * blank_run + line)
            blank_run = 0
        else:
            builder.end_table()
            builder.paragraph(line)
            blank_run = 0
        i += 1
    builder.end_table()
    return Document(path=path, format="text", blocks=builder.blocks)


def _is_cell_line(line: str) -> bool:
    return "\t" in line and not line[: line.index("\t")].strip()


def _runs_into_same_table(lines: list[str], i: int) -> bool:
    """True when lines[i:] reach a cell line of the same table within a few lines,
    with no double blank line on the way and no blank line right before it."""
    previous_blank = False
    for line in lines[i : i + 8]:
        if _is_cell_line(line):
            return not previous_blank and not line[: line.index("\t")]
        if not line.strip():
            if previous_blank:
                return False
            previous_blank = True
        else:
            previous_blank = False
    return False


class _Builder:
    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.rows: list[list[list[str]]] = []  # rows → cells → lines
        self.n_tables = 0
        self.n_paragraphs = 0

    @property
    def in_cell(self) -> bool:
        return bool(self.rows and self.rows[-1])

    def start_cell(self, first_line: str) -> None:
        if not self.rows:
            self.rows.append([])
        self.rows[-1].append([first_line])

    def continue_cell(self, line: str) -> None:
        self.rows[-1][-1].append(line)

    def end_row(self) -> None:
        if self.rows and self.rows[-1]:
            self.rows.append([])

    def end_table(self) -> None:
        rows = [r for r in self.rows if r]
        self.rows = []
        if not rows:
            return
        self.n_tables += 1
        t = self.n_tables
        table_rows = [
            [
                Cell(
                    text="\n".join(lines).strip("\n"),
                    row=r,
                    col=c,
                    prov=Provenance(table=t, row=r + 1, col=c + 1),
                )
                for c, lines in enumerate(cells)
            ]
            for r, cells in enumerate(rows)
        ]
        self.blocks.append(Table(index=t, rows=table_rows))

    def paragraph(self, line: str) -> None:
        self.n_paragraphs += 1
        self.blocks.append(Paragraph(text=line, prov=Provenance(paragraph=self.n_paragraphs)))
