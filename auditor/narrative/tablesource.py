"""Tables as the fallback extraction sends them: compact rows with row/column numbers,
the numbers they hold, and the cell a value was read from."""

from __future__ import annotations

from dataclasses import dataclass, field

from auditor.document import Cell, Document, Paragraph, Table, clean_text, compact
from auditor.narrative.guard import numbers
from auditor.records import Location

_FORM_WORDS = ("预算", "得分", "分值", "权重", "完成值", "指标值")
_HEADING_PARAGRAPHS = 3


def looks_like_form(table: Table) -> bool:
    """A table with indicator words and budget or scoring words."""
    text = compact("".join(c.text for row in table.rows for c in row))
    return "指标" in text and any(w in text for w in _FORM_WORDS)


@dataclass
class TableSource:
    """Tables (and the heading lines just above the first) as one block of text."""

    tables: list[Table]
    headings: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, document: Document, tables: list[Table]) -> TableSource:
        return cls(tables=tables, headings=_headings_before(document, tables[0]))

    def render(self) -> str:
        lines = list(self.headings)
        for table in self.tables:
            lines.append(f"表格 T{table.index}")
            lines += [_render_row(row) for row in table.rows if any(c.text for c in row)]
        return "\n".join(lines)

    def texts(self) -> list[str]:
        """Every heading and cell text, cleaned: what a value may be taken from."""
        cells = [clean_text(c.text) for t in self.tables for row in t.rows for c in row if c.text]
        return [clean_text(h) for h in self.headings] + cells

    def numbers(self) -> set[str]:
        return {n for text in self.texts() for n in numbers(text)}

    def holds_numbers_of(self, text: str) -> bool:
        return set(numbers(clean_text(text))) <= self.numbers()

    def location_of(self, text: str, row: int | None, column: str) -> Location:
        """The cell holding ``text``, in the row the model named if it is there."""
        wanted = clean_text(text)
        found = [
            (t, c)
            for t in self.tables
            for line in t.rows
            for c in line
            if wanted and wanted in clean_text(c.text)
        ]
        in_row = [(t, c) for t, c in found if c.row + 1 == row]
        if not (in_row or found):
            return Location(table=self.tables[0].index, row=row, column=column)
        return _cell_location(*(in_row or found)[0], column)


def _render_row(row: list[Cell]) -> str:
    cells = " | ".join(f"C{c.col + 1}={clean_text(c.text)}" for c in row if c.text)
    return f"R{row[0].row + 1}: {cells}"


def _cell_location(table: Table, cell: Cell, column: str) -> Location:
    prov = cell.prov
    return Location(
        page=prov.page or table.page,
        bbox=prov.bbox,
        table=prov.table or table.index,
        row=prov.row or cell.row + 1,
        col=prov.col or cell.col + 1,
        column=column,
        sheet=prov.sheet,
        cell=prov.cell,
    )


def _headings_before(document: Document, table: Table) -> list[str]:
    at = next(i for i, block in enumerate(document.blocks) if block is table)
    out: list[str] = []
    for block in reversed(document.blocks[:at]):
        if not isinstance(block, Paragraph) or len(out) == _HEADING_PARAGRAPHS:
            break
        if block.text.strip():
            out.insert(0, clean_text(block.text))
    return out
