"""The neutral document model every ingest backend produces.

A ``Document`` is an ordered list of blocks: ``Table`` and ``Paragraph``. A table is
stored as *logical rows* in the shape Word itself keeps them (and the seeds' text export
shows them): each row lists the cells that start in it, left to right; a cell spanning
several grid columns appears once (``colspan``); a cell covered by a vertical merge from
above appears as an empty placeholder with ``continuation=True``. Form parsers read
these rows and never see the file format.

Backends know nothing of forms; form parsers know nothing of file formats.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

LOW_CONFIDENCE = 0.9  # OCR: text read with less confidence than this is "low confidence"


@dataclass(slots=True)
class Provenance:
    """Where a piece of text came from. Indices are 1-based, as a person counts."""

    page: int | None = None
    bbox: tuple[float, float, float, float] | None = None
    table: int | None = None
    row: int | None = None
    col: int | None = None
    paragraph: int | None = None
    sheet: str | None = None  # workbook sheet name (Excel)
    cell: str | None = None  # the sheet's own cell reference, e.g. "E7" (Excel)
    confidence: float | None = None  # OCR: the engine's confidence in the text (0–1)

    @property
    def cell_ref(self) -> str | None:
        """"附件3!E7" for an Excel cell, else None."""
        return f"{self.sheet}!{self.cell}" if self.sheet and self.cell else None

    def as_dict(self) -> dict[str, object]:
        return {k: getattr(self, k) for k in self.__slots__ if getattr(self, k) is not None}


@dataclass(slots=True)
class Cell:
    text: str
    row: int  # 0-based grid row where the cell starts
    col: int  # 0-based grid column where the cell starts (text export: position in row)
    rowspan: int = 1
    colspan: int = 1
    continuation: bool = False  # placeholder inside a vertical merge; text is ""
    prov: Provenance = field(default_factory=Provenance)
    ocr_raw: str | None = None  # OCR: the text as read, when a digit look-alike was corrected


@dataclass(slots=True)
class Table:
    index: int  # 1-based, in document order
    rows: list[list[Cell]]
    page: int | None = None  # first page (PDF)


@dataclass(slots=True)
class Paragraph:
    text: str
    prov: Provenance = field(default_factory=Provenance)


Block = Table | Paragraph


@dataclass(slots=True)
class Document:
    path: str
    format: str  # "pdf" | "docx" | "text" | "xlsx" | "xls" | "doc"
    blocks: list[Block]
    pages: int | None = None
    notes: list[str] = field(default_factory=list)  # what a reader should know: parts left out (hidden sheets …), a restricted PDF …, in Chinese
    ocr_pages: list[int] = field(default_factory=list)  # pages read by OCR (no text layer)

    @property
    def tables(self) -> list[Table]:
        return [b for b in self.blocks if isinstance(b, Table)]

    def full_text(self) -> str:
        """All text in document order, tables row by row; used by narrative checks."""
        out: list[str] = []
        for block in self.blocks:
            if isinstance(block, Paragraph):
                out.append(block.text)
            else:
                for row in block.rows:
                    out.append(" ".join(c.text for c in row if c.text))
        return "\n".join(out)


# --- text normalisation -------------------------------------------------------------

# Kangxi radicals and CJK radical supplements are look-alikes of ordinary ideographs
# ('⼲' for '干'); full-width digits, Latin letters and comparison signs are the same
# characters in another width. NFKC maps exactly these; other full-width punctuation
# (（），：) is kept as the document wrote it.
_NFKC_RANGES = [
    (0x2E80, 0x2EFF),
    (0x2F00, 0x2FDF),
    (0xFF10, 0xFF19),
    (0xFF21, 0xFF3A),
    (0xFF41, 0xFF5A),
    (0xFF05, 0xFF05),  # ％
    (0xFF1C, 0xFF1E),  # ＜ ＝ ＞
    (0xFF0E, 0xFF0E),  # ．
]
_FOLD = {
    cp: unicodedata.normalize("NFKC", chr(cp))
    for lo, hi in _NFKC_RANGES
    for cp in range(lo, hi + 1)
    if unicodedata.normalize("NFKC", chr(cp)) != chr(cp)
}
_FOLD.update({0x3000: " ", 0x00A0: " ", 0x2002: " ", 0x2003: " ", 0x200B: ""})

_WS = re.compile(r"\s+")
_ASCII_WORD = re.compile(r"[A-Za-z0-9]")


def fold_chars(text: str) -> str:
    """Map look-alike and full-width characters to their ordinary forms."""
    return text.translate(_FOLD)


def clean_text(text: str) -> str:
    """Canonical text of a cell or paragraph, identical whichever format it came from.

    Whitespace (line breaks included) is dropped except between two ASCII letters or
    digits, where one space stays: Chinese text wraps anywhere, so a line break or a
    stray space between ideographs or between a digit and an ideograph is layout, not
    content.
    """
    text = fold_chars(text)

    def _join(m: re.Match[str]) -> str:
        s, e = m.start(), m.end()
        before = m.string[s - 1] if s > 0 else ""
        after = m.string[e] if e < len(m.string) else ""
        if before and after and _ASCII_WORD.match(before) and _ASCII_WORD.match(after):
            return " "
        return ""

    return _WS.sub(_join, text).strip()


def compact(text: str) -> str:
    """Text with every space removed: for matching labels and header words."""
    return _WS.sub("", fold_chars(text))
