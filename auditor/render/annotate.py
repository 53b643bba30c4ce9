"""Findings drawn on the PDF itself: an annotated copy, and one page as a PNG with boxes.

Locations are 1-based pages and bboxes in PDF points, top-left origin, as PyMuPDF reads
them (``auditor.ingest.pdf``).
"""

from __future__ import annotations

import os

os.environ.setdefault("PYMUPDF_SUGGEST_LAYOUT_ANALYZER", "0")

import pymupdf

from auditor.findings import SEVERITY_ORDER, Finding
from auditor.render.view import severity_zh

Box = tuple[float, float, float, float]
RGB = tuple[float, float, float]

SEVERITY_RGB: dict[str, RGB] = {
    "error": (0.86, 0.1, 0.1),
    "warning": (0.96, 0.55, 0.0),
    "info": (0.1, 0.4, 0.86),
}
AUTHOR = "auditor"
_MARGIN = 6.0  # points from the page edge to a note icon
_ICON = 16.0  # size of a note icon
_NOTE_STEP = 18.0  # vertical distance between stacked note icons

Slots = dict[tuple[int, str], list[float]]  # (page index, "left" | "right") → y of notes placed


def finding_note(f: Finding) -> str:
    """[rule] message（期望：…；实际：…）"""
    pairs = [(k, v) for k, v in (("期望", f.expected), ("实际", f.actual)) if v is not None]
    tail = "（" + "；".join(f"{k}：{v}" for k, v in pairs) + "）" if pairs else ""
    return f"[{f.rule}] {f.message}{tail}"


def annotate_pdf(pdf_bytes: bytes, findings: list[Finding]) -> bytes:
    """A copy of the PDF with every finding marked where it was found (a note on page 1 if nowhere)."""
    doc = pymupdf.open(stream=pdf_bytes, filetype="pdf")
    slots: Slots = {}
    unplaced = [f for f in findings if not _annotate_finding(doc, f, slots)]
    if unplaced and doc.page_count:
        _summary_note(doc[0], _margin_point(doc[0], slots, 0, "left", _MARGIN), unplaced)
    out = doc.tobytes(garbage=1, deflate=True)
    doc.close()
    return out


def render_page_png(
    pdf_bytes: bytes, page: int, boxes: list[tuple[Box, str]], zoom: float = 1.5
) -> bytes:
    """Page ``page`` (1-based) as PNG, each box outlined in its severity's colour."""
    doc = pymupdf.open(stream=pdf_bytes, filetype="pdf")
    if not 1 <= page <= doc.page_count:
        doc.close()
        raise ValueError(f"page {page} out of range 1..{doc.page_count}")
    pdf_page = doc[page - 1]
    for bbox, severity in boxes:
        colour = SEVERITY_RGB.get(severity, SEVERITY_RGB["info"])
        pdf_page.draw_rect(_padded(bbox), color=colour, fill=colour, width=1.5, fill_opacity=0.12)
    png = pdf_page.get_pixmap(matrix=pymupdf.Matrix(zoom, zoom)).tobytes("png")
    doc.close()
    return png


def _annotate_finding(doc: pymupdf.Document, f: Finding, slots: Slots) -> bool:
    """Mark a finding at its places, its note in the margin beside the first box (or at the
    top left of its page when it has no box); False when no place lies in this PDF."""
    places = _places(doc, f)
    boxes = [(index, bbox) for index, bbox in places if bbox is not None]
    for index, bbox in boxes:
        _box_annot(doc[index], bbox, f)
    if boxes:
        index, bbox = boxes[0]
        _note(doc[index], _margin_point(doc[index], slots, index, "right", bbox[1]), f)
    elif places:
        index = places[0][0]
        _note(doc[index], _margin_point(doc[index], slots, index, "left", _MARGIN), f)
    return bool(places)


def _places(doc: pymupdf.Document, f: Finding) -> list[tuple[int, Box | None]]:
    """(0-based page index, bbox) of each of the finding's places that lies in this PDF."""
    return [
        (loc.page - 1, loc.bbox)
        for loc in (f.location, *f.locations)
        if loc.page is not None and 1 <= loc.page <= doc.page_count
    ]


def _padded(bbox: Box, pad: float = 1.5) -> pymupdf.Rect:
    x0, y0, x1, y1 = bbox
    return pymupdf.Rect(x0 - pad, y0 - pad, x1 + pad, y1 + pad)


def _colour(f: Finding) -> RGB:
    return SEVERITY_RGB.get(f.severity, SEVERITY_RGB["info"])


def _box_annot(page: pymupdf.Page, bbox: Box, f: Finding) -> None:
    annot = page.add_rect_annot(_padded(bbox))
    annot.set_colors(stroke=_colour(f))
    annot.set_border(width=1.5)
    annot.set_info(content=finding_note(f), title=AUTHOR, subject=severity_zh(f.severity))
    annot.update()


def _note(page: pymupdf.Page, point: pymupdf.Point, f: Finding) -> None:
    annot = page.add_text_annot(point, finding_note(f), icon="Comment")
    annot.set_colors(stroke=_colour(f))
    annot.set_info(title=AUTHOR, subject=severity_zh(f.severity))
    annot.update()


def _summary_note(page: pymupdf.Page, point: pymupdf.Point, findings: list[Finding]) -> None:
    text = "以下问题在文件中无确切位置：\n" + "\n".join(
        f"{severity_zh(f.severity)} {finding_note(f)}（{f.form}）" for f in findings
    )
    annot = page.add_text_annot(point, text, icon="Note")
    annot.set_colors(stroke=_colour(min(findings, key=lambda f: SEVERITY_ORDER[f.severity])))
    annot.set_info(title=AUTHOR, subject="无位置的问题")
    annot.update()


def _margin_point(
    page: pymupdf.Page, slots: Slots, index: int, side: str, y: float
) -> pymupdf.Point:
    """A free spot for a note icon in the left or right page margin, at or below ``y``."""
    used = slots.setdefault((index, side), [])
    while any(abs(y - u) < _NOTE_STEP for u in used):
        y += _NOTE_STEP
    used.append(y)
    x = _MARGIN if side == "left" else page.rect.width - _ICON - _MARGIN
    return pymupdf.Point(x, min(y, page.rect.height - _ICON))
