"""The document as one stream of items — table rows and paragraphs — in reading order.

Forms are found in this stream by their header words, not by table boundaries: one
Word table may hold several forms (002), one form may run over several tables (003, and
any PDF page break).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from auditor.document import Cell, Document, Paragraph, Table, clean_text, compact
from auditor.records import Location, Value

_PUNCT = re.compile(r"[\s：:（）()\[\]【】、，,。.*＊]")


def key_of(text: str) -> str:
    """Label text reduced for matching: no spaces, no brackets or colons."""
    return _PUNCT.sub("", compact(text))


@dataclass(slots=True)
class Row:
    cells: list[Cell]
    texts: list[str]  # clean text of each cell
    keys: list[str]  # key_of of each cell

    @property
    def filled(self) -> list[int]:
        return [i for i, t in enumerate(self.texts) if t]

    @property
    def is_empty(self) -> bool:
        return not any(self.texts)

    def first_filled(self) -> int | None:
        return next((i for i, t in enumerate(self.texts) if t), None)

    def joined(self) -> str:
        return " ".join(t for t in self.texts if t)

    def value(self, i: int, column: str | None = None) -> Value:
        return Value.read(self.texts[i], Location.of(self.cells[i].prov, column))

    def location(self) -> Location:
        return Location.of(self.cells[0].prov)


@dataclass(slots=True)
class Para:
    text: str  # clean text
    raw: str
    location: Location


Item = Row | Para


def items_of(document: Document) -> list[Item]:
    items: list[Item] = []
    for block in document.blocks:
        if isinstance(block, Paragraph):
            text = clean_text(block.text)
            if text:
                items.append(Para(text=text, raw=block.text, location=Location.of(block.prov)))
        elif isinstance(block, Table):
            items.extend(_rows_of(block))
    return items


def _rows_of(table: Table) -> list[Row]:
    rows = []
    for cells in table.rows:
        texts = [clean_text(c.text) for c in cells]
        rows.append(Row(cells=cells, texts=texts, keys=[key_of(t) for t in texts]))
    return rows


def item_text(item: Item) -> str:
    return item.text if isinstance(item, Para) else item.joined()
