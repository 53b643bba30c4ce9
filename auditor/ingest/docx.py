"""Word (.docx) → Document, with python-docx.

Rows are read as Word stores them: each ``w:tc`` of a ``w:tr`` once. A cell spanning
columns (``w:gridSpan``) is one cell with ``colspan``; a cell continuing a vertical merge
(``w:vMerge`` without ``restart``) becomes an empty placeholder with
``continuation=True``, and the merge's first cell gets the ``rowspan``. A table nested in
a cell is kept as that cell's text, row by row.
"""

from __future__ import annotations

import io
import re
import zipfile

import docx
from docx.oxml.ns import qn

from auditor.document import Block, Cell, Document, Paragraph, Provenance, Table
from auditor.errors import DocumentLoadError

_P, _TBL, _TR, _TC, _T = qn("w:p"), qn("w:tbl"), qn("w:tr"), qn("w:tc"), qn("w:t")
_TCPR, _GRIDSPAN, _VMERGE, _VAL = qn("w:tcPr"), qn("w:gridSpan"), qn("w:vMerge"), qn("w:val")
_TRPR, _GRIDBEFORE, _SDT, _SDTCONTENT = qn("w:trPr"), qn("w:gridBefore"), qn("w:sdt"), qn("w:sdtContent")
_BR, _TAB, _CR = qn("w:br"), qn("w:tab"), qn("w:cr")
_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"


def read_docx(data: bytes, path: str = "") -> Document:
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise DocumentLoadError("文件不是有效的Word文档（.docx 应为zip格式），可能已损坏或是旧版.doc：请用Word另存为.docx后重试")
    try:
        document = docx.Document(io.BytesIO(data))
        body = document.element.body
    except Exception as exc:  # python-docx raises several types for a broken package
        raise DocumentLoadError(_broken_package(exc)) from exc
    if body is None:
        raise DocumentLoadError("Word文档没有正文部分（document.xml中缺少w:body），无法读取：请用Word打开后重新保存，或提供PDF")
    blocks: list[Block] = []
    n_tables = n_paragraphs = 0
    for element in _body_blocks(body):
        if element.tag == _P:
            text = _paragraph_text(element)
            if text.strip():
                n_paragraphs += 1
                blocks.append(Paragraph(text=text, prov=Provenance(paragraph=n_paragraphs)))
        else:
            n_tables += 1
            blocks.append(_read_table(element, n_tables))
    return Document(path=path, format="docx", blocks=blocks)


def _broken_package(exc: Exception) -> str:
    """What is wrong with a package python-docx could not open, in words, not class names."""
    import zlib

    from lxml import etree

    if isinstance(exc, (zipfile.BadZipFile, zlib.error, EOFError)):
        return "Word文档已损坏（压缩数据不完整或校验失败），无法读取：请重新保存或获取原件"
    if isinstance(exc, RuntimeError) and "encrypted" in str(exc):
        return "Word文档中的内容已加密（需要密码），无法读取：请提供未加密的.docx或PDF"
    if isinstance(exc, NotImplementedError):
        return "Word文档使用了不支持的压缩方式或加密，无法读取：请用Word另存为普通.docx后重试"
    if isinstance(exc, etree.XMLSyntaxError) and re.search(r"depth|entit|[Dd]octype|amplification|loop", str(exc)):
        return "Word文档内部XML嵌套过深或含实体定义（可能是恶意构造的文件），已拒绝读取：请用Word打开后重新保存，或提供PDF"
    if isinstance(exc, etree.XMLSyntaxError):
        return "Word文档已损坏（内部XML格式错误），无法读取：请用Word打开后重新保存，或提供PDF"
    if isinstance(exc, KeyError):
        return "Word文档已损坏（缺少必需的内部部件），无法读取：请用Word打开后重新保存，或提供PDF"
    if isinstance(exc, MemoryError):
        return "Word文档内容过大，超出可处理的内存：请拆分文件或提供PDF"
    return "Word文档结构异常（不是标准的Word正文），无法读取：请用Word打开后另存为.docx，或提供PDF"


def _children(parent, *tags: str):  # type: ignore[no-untyped-def]
    """Children with these tags in order, looking through content controls (w:sdt),
    which templates put around rows, cells and fill-in paragraphs."""
    for child in parent.iterchildren():
        if child.tag in tags:
            yield child
        elif child.tag == _SDT:
            content = child.find(_SDTCONTENT)
            if content is not None:
                yield from _children(content, *tags)


def _body_blocks(parent):  # type: ignore[no-untyped-def]
    """Paragraphs and tables in order; a one-cell layout table that only frames other
    tables is opened, so the forms inside it are tables of their own."""
    for element in _children(parent, _P, _TBL):
        cell = _frame_cell(element) if element.tag == _TBL else None
        if cell is not None:
            yield from _body_blocks(cell)
        else:
            yield element


def _frame_cell(tbl):  # type: ignore[no-untyped-def]
    rows = list(_children(tbl, _TR))
    cells = list(_children(rows[0], _TC)) if len(rows) == 1 else []
    if len(cells) == 1 and any(True for _ in _children(cells[0], _TBL)):
        return cells[0]
    return None


def _paragraph_text(p) -> str:  # type: ignore[no-untyped-def]
    parts: list[str] = []
    _collect_text(p, parts)
    return "".join(parts)


def _collect_text(element, parts: list[str]) -> None:  # type: ignore[no-untyped-def]
    """Text of runs, breaks and tabs; a text box's mc:Fallback copy is skipped."""
    for node in element.iterchildren():
        tag = node.tag
        if tag == _T:
            parts.append(node.text or "")
        elif tag == _TAB:
            parts.append(" ")
        elif tag in (_BR, _CR):
            parts.append("\n")
        elif tag != _FALLBACK and isinstance(tag, str):
            _collect_text(node, parts)


def _cell_text(tc) -> str:  # type: ignore[no-untyped-def]
    lines: list[str] = []
    for child in _children(tc, _P, _TBL):
        if child.tag == _P:
            lines.append(_paragraph_text(child))
        else:
            for tr in _children(child, _TR):
                lines.append(" ".join(_cell_text(c).replace("\n", " ") for c in _children(tr, _TC)))
    return "\n".join(lines).strip("\n")


def _tc_props(tc) -> tuple[int, str | None]:  # type: ignore[no-untyped-def]
    """(gridSpan, vMerge) of a cell; vMerge is 'restart', 'continue' or None."""
    span, vmerge = 1, None
    tcpr = tc.find(_TCPR)
    if tcpr is not None:
        gs = tcpr.find(_GRIDSPAN)
        if gs is not None:
            span = _grid_count(gs.get(_VAL), 1)
        vm = tcpr.find(_VMERGE)
        if vm is not None:
            vmerge = vm.get(_VAL) or "continue"
    return span, vmerge


def _read_table(tbl, index: int) -> Table:  # type: ignore[no-untyped-def]
    rows: list[list[Cell]] = []
    open_merges: dict[int, Cell] = {}  # grid column → first cell of a running vertical merge
    for r, tr in enumerate(_children(tbl, _TR)):
        col = _grid_before(tr)
        row: list[Cell] = []
        for tc in _children(tr, _TC):
            span, vmerge = _tc_props(tc)
            prov = Provenance(table=index, row=r + 1, col=col + 1)
            if vmerge == "continue" and col in open_merges:
                open_merges[col].rowspan += 1
                cell = Cell(text="", row=r, col=col, colspan=span, continuation=True, prov=prov)
            else:
                cell = Cell(text=_cell_text(tc), row=r, col=col, colspan=span, prov=prov)
                if vmerge == "restart":
                    open_merges[col] = cell
                else:
                    open_merges.pop(col, None)
            row.append(cell)
            col += span
        rows.append(row)
    return Table(index=index, rows=rows)


def _grid_before(tr) -> int:  # type: ignore[no-untyped-def]
    trpr = tr.find(_TRPR)
    if trpr is None:
        return 0
    gb = trpr.find(_GRIDBEFORE)
    return _grid_count(gb.get(_VAL), 0) if gb is not None else 0


MAX_GRID = 63  # Word's own limit of columns in a table


def _grid_count(text: str | None, default: int) -> int:
    """A gridSpan/gridBefore count; a value that is not a small number (a damaged or
    hostile file) is read as the default rather than failing the whole document."""
    try:
        n = int(text) if text else default
    except ValueError:
        return default
    return n if 0 <= n <= MAX_GRID else default
