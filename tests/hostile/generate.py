"""Generate a corpus of hostile input files: what an attacker or an unlucky clerk hands in.

    python tests/hostile/generate.py OUT_DIR [--samples samples/] [--quick]

Every file is built here from the seeds in samples/ and from nothing else (no network, no
stored binaries). ``generate(out)`` returns one :class:`Case` per path it made, with the
category and what the reviewer must say about it (``expect``: "error" — the document gets
an error; "read" — it is read (forms or a clear error, no crash); "forms" — it must still
give forms). ``--quick`` leaves out the cases that take seconds (the huge ones), for the
test suite; the whole set is run by ``bench/hostile.py``.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import re
import socket
import sys
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(HERE.parent))  # tests/: the form builder

from formbuilder import DEFAULT_LINES, Line, project_text

SEEDS = ["000_0dd5636ac07a2a52", "001_6e05036ab9ce446a", "002_e31af7a2ac891c4f", "003_6b24eafbc02acca8", "004_9646776e878436bb"]


@dataclass(frozen=True)
class Case:
    path: Path
    category: str
    expect: str  # "error" | "read" | "forms"
    slow: bool = False


class Corpus:
    def __init__(self, out: Path, samples: Path, quick: bool) -> None:
        self.out, self.samples, self.quick = out, samples, quick
        self.cases: list[Case] = []
        self.rng = random.Random(20261202)

    def seed(self, n: int, suffix: str) -> bytes:
        return (self.samples / f"{SEEDS[n]}{suffix}").read_bytes()

    def add(self, name: str | bytes, data: bytes | None, category: str, expect: str, slow: bool = False) -> Path | None:
        if slow and self.quick:
            return None
        folder = self.out / category
        folder.mkdir(parents=True, exist_ok=True)
        raw = os.fsencode(folder) + b"/" + (name if isinstance(name, bytes) else name.encode())
        if data is not None:
            with open(raw, "wb") as f:
                f.write(data)
        path = Path(os.fsdecode(raw))
        self.cases.append(Case(path, category, expect, slow))
        return path


# --- builders ---------------------------------------------------------------------------


def zip_with(base: bytes, replace: dict[str, bytes] | None = None, drop: set[str] | None = None,
             extra: dict[str, bytes] | None = None) -> bytes:
    """A copy of the package ``base`` with parts replaced, dropped or added."""
    replace, drop, extra = replace or {}, drop or set(), extra or {}
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(base)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename in drop:
                continue
            dst.writestr(info.filename, replace.get(info.filename, src.read(info.filename)))
        for name, data in extra.items():
            dst.writestr(name, data)
    return out.getvalue()


def document_xml(body: str, root: str = "w:document") -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<{root} xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">{body}</{root}>'
    ).encode()


def _tbl(rows: list[list[str]], span: str | None = None) -> str:
    def tc(text: str, n: int) -> str:
        props = f'<w:tcPr><w:gridSpan w:val="{span}"/></w:tcPr>' if span is not None and n == 0 else ""
        return f"<w:tc>{props}<w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:tc>"

    return "<w:tbl>" + "".join("<w:tr>" + "".join(tc(c, n) for n, c in enumerate(r)) + "</w:tr>" for r in rows) + "</w:tbl>"


def text_to_docx_body(text: str) -> str:
    """The text format's tables as Word tables (one w:tbl), paragraphs as w:p."""
    rows = [[c.lstrip("\t") for c in block.split("\n\t")] for block in text.strip().split("\n\n") if block.startswith("\t")]
    return "<w:body>" + _tbl(rows) + "</w:body>"


def pdf_from_objects(objects: list[bytes], root: int = 1, size: int | None = None) -> bytes:
    """A PDF from numbered object bodies (1-based), with a correct xref table."""
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for n, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size or len(objects) + 1, root, xref)
    return bytes(out)


def _page(parent: int, content: int) -> bytes:
    return b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 595 842] /Contents %d 0 R >>" % (parent, content)


def _stream(data: bytes, extra: bytes = b"") -> bytes:
    return b"<< /Length %d %s >>\nstream\n" % (len(data), extra) + data + b"\nendstream"


TEXT_CONTENT = _stream(b"BT /F1 12 Tf 72 720 Td (hello) Tj ET")


# --- the categories ---------------------------------------------------------------------


def empty_and_tiny(c: Corpus) -> None:
    for suffix in (".pdf", ".docx", ".txt", ".xlsx"):
        c.add(f"empty{suffix}", b"", "empty", "error")
    c.add("blank.txt", b" \n\t\r\n   ", "empty", "error")
    c.add("nul.txt", b"\x00" * 64, "empty", "error")
    c.add("one_byte.pdf", b"%", "empty", "error")
    c.add("bom_only.txt", b"\xef\xbb\xbf", "empty", "error")
    c.add("pdf_magic_only.pdf", b"%PDF-", "empty", "error")
    c.add("zip_magic_only.docx", b"PK\x03\x04", "empty", "error")
    c.add("empty_zip.docx", zip_with_none(), "empty", "error")


def zip_with_none() -> bytes:
    out = io.BytesIO()
    zipfile.ZipFile(out, "w").close()
    return out.getvalue()


def truncated(c: Corpus) -> None:
    for n in range(5):
        for suffix in (".pdf", ".docx"):
            data = c.seed(n, suffix)
            for frac in (0.1, 0.5, 0.9):
                c.add(f"{SEEDS[n][:3]}_cut{int(frac * 100)}{suffix}", data[: int(len(data) * frac)], "truncated", "read")
        text = c.seed(n, ".txt")
        c.add(f"{SEEDS[n][:3]}_cut50.txt", text[: len(text) // 2], "truncated", "read")


def wrong_extension(c: Corpus) -> None:
    for n in range(5):
        c.add(f"{SEEDS[n][:3]}_pdf_named.docx", c.seed(n, ".pdf"), "wrong_extension", "forms")
        c.add(f"{SEEDS[n][:3]}_docx_named.pdf", c.seed(n, ".docx"), "wrong_extension", "forms")
        c.add(f"{SEEDS[n][:3]}_txt_named.pdf", c.seed(n, ".txt"), "wrong_extension", "forms")
    c.add("jpeg_named.pdf", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) * 8, "wrong_extension", "error")
    c.add("png_named.docx", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8, "wrong_extension", "error")
    c.add("ole_named.docx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512), "wrong_extension", "error")
    c.add("gzip_named.pdf", b"\x1f\x8b\x08\x00" + bytes(100), "wrong_extension", "error")
    c.add("html_named.pdf", "<html><body>项目支出绩效自评表</body></html>".encode(), "wrong_extension", "read")


def garbage(c: Corpus) -> None:
    for n in range(12):
        suffix = (".pdf", ".docx", ".txt")[n % 3]
        c.add(f"random{n:02d}{suffix}", c.rng.randbytes(c.rng.randint(10, 200_000)), "garbage", "error")
    c.add("pdf_marker_inside.txt", b"x" * 100 + b"%PDF-1.7 not a pdf at all " + "这不是表格".encode() * 20, "garbage", "read")
    c.add("pdf_marker_inside.pdf", b"hello world\n" * 10 + b"%PDF-1.4\n", "garbage", "read")
    c.add("invalid_utf8.txt", b"\xff\xfe\xfd" * 10 + b"\x80\x81" * 100, "garbage", "read")
    c.add("utf16_no_bom.txt", "项目支出绩效自评表".encode("utf-16-le"), "garbage", "read")
    c.add("control_chars.txt", bytes(range(1, 32)) * 50, "garbage", "read")


def zips(c: Corpus) -> None:
    docx = c.seed(3, ".docx")
    zeros = 64 * 1024 * 1024 if not c.quick else 8 * 1024 * 1024
    bomb = zip_with(docx, replace={"word/document.xml": b"<" + b" " * zeros})
    c.add("bomb_document.docx", bomb, "zip", "error")
    c.add("bomb_extra_part.docx", zip_with(docx, extra={"word/media/huge.bin": bytes(zeros)}), "zip", "error")
    many = {f"customXml/bomb{n}.xml": bytes(2 * 1024 * 1024) for n in range(4)}
    c.add("bomb_many_parts.docx", zip_with(docx, extra=many), "zip", "error")
    c.add("bomb_xlsx.xlsx", _xlsx_bomb(zeros), "zip", "error")
    types = zipfile.ZipFile(io.BytesIO(docx)).read("[Content_Types].xml").decode()
    macro = types.replace("wordprocessingml.document.main+xml", "ms-word.document.macroEnabled.main+xml")
    c.add("macro.docm", zip_with(docx, replace={"[Content_Types].xml": macro.encode()}, extra={"word/vbaProject.bin": b"\x00" * 100}), "zip", "error")
    c.add("macro_named.docx", zip_with(docx, replace={"[Content_Types].xml": macro.encode()}), "zip", "error")
    rels = zipfile.ZipFile(io.BytesIO(docx)).read("_rels/.rels").decode()
    external = re.sub(r'(<Relationship[^>]*officeDocument[^>]*?)(/?>)', r'\1 TargetMode="External"\2', rels)
    external = external.replace('Target="word/document.xml"', 'Target="http://example.invalid/document.xml"')
    c.add("external_main.docx", zip_with(docx, replace={"_rels/.rels": external.encode()}), "zip", "error")
    c.add("no_document_xml.docx", zip_with(docx, drop={"word/document.xml"}), "zip", "error")
    c.add("no_content_types.docx", zip_with(docx, drop={"[Content_Types].xml"}), "zip", "read")
    c.add("xlsx_plain.xlsx", _xlsx_plain(), "zip", "error")
    c.add("bad_crc.docx", _corrupt_member(docx, "crc"), "zip", "error")
    c.add("bad_deflate.docx", _corrupt_member(docx, "deflate"), "zip", "error")
    c.add("bad_method.docx", _corrupt_member(docx, "method"), "zip", "error")
    c.add("encrypted_member.docx", _corrupt_member(docx, "encrypted"), "zip", "error")
    c.add("zip_of_docx.docx", _zip_of({"inner.docx": docx}), "zip", "error")
    c.add("duplicate_members.docx", _duplicate(docx), "zip", "read")
    c.add("backslash_names.docx", _zip_of({"word\\document.xml": b"<x/>", "[Content_Types].xml": b"<Types/>"}), "zip", "error")
    c.add("zip_comment_huge.docx", _with_comment(docx), "zip", "read")


def _zip_of(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return out.getvalue()


def _xlsx_plain() -> bytes:
    return _zip_of({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"})


def _xlsx_bomb(size: int) -> bytes:
    return _zip_of({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>", "xl/worksheets/sheet1.xml": bytes(size)})


def _duplicate(docx: bytes) -> bytes:
    out = io.BytesIO(docx)
    with zipfile.ZipFile(out, "a") as z:
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            z.writestr("word/document.xml", document_xml("<w:body/>"))
    return out.getvalue()


def _with_comment(docx: bytes) -> bytes:
    out = io.BytesIO(docx)
    with zipfile.ZipFile(out, "a") as z:
        z.comment = b"c" * 65535
    return out.getvalue()


def _corrupt_member(docx: bytes, how: str) -> bytes:
    """The seed with word/document.xml damaged in its local header or data."""
    data = bytearray(docx)
    z = zipfile.ZipFile(io.BytesIO(docx))
    info = z.getinfo("word/document.xml")
    header = info.header_offset
    name_len, extra_len = int.from_bytes(data[header + 26 : header + 28], "little"), int.from_bytes(data[header + 28 : header + 30], "little")
    start = header + 30 + name_len + extra_len
    if how == "crc":
        central = data.rfind(b"PK\x01\x02", 0, len(data))
        # flip the CRC in the local header and the central directory entry of the member
        data[header + 14] ^= 0xFF
        pos = bytes(data).find(b"PK\x01\x02", 0)
        while pos >= 0:
            if bytes(data[pos + 46 : pos + 46 + name_len]) == b"word/document.xml":
                data[pos + 16] ^= 0xFF
            pos = bytes(data).find(b"PK\x01\x02", pos + 4)
        del central
    elif how == "deflate":
        for k in range(start + 10, min(start + 400, start + info.compress_size)):
            data[k] = 0xFF
    elif how == "method":
        data[header + 8 : header + 10] = (99).to_bytes(2, "little")
        pos = bytes(data).find(b"PK\x01\x02")
        while pos >= 0:
            if bytes(data[pos + 46 : pos + 46 + name_len]) == b"word/document.xml":
                data[pos + 10 : pos + 12] = (99).to_bytes(2, "little")
            pos = bytes(data).find(b"PK\x01\x02", pos + 4)
    elif how == "encrypted":
        data[header + 6] |= 1
        pos = bytes(data).find(b"PK\x01\x02")
        while pos >= 0:
            if bytes(data[pos + 46 : pos + 46 + name_len]) == b"word/document.xml":
                data[pos + 8] |= 1
            pos = bytes(data).find(b"PK\x01\x02", pos + 4)
    return bytes(data)


def docx_structure(c: Corpus) -> None:
    docx = c.seed(3, ".docx")
    doc = "word/document.xml"
    c.add("no_body.docx", zip_with(docx, replace={doc: document_xml("")}), "docx", "error")
    c.add("empty_body.docx", zip_with(docx, replace={doc: document_xml("<w:body/>")}), "docx", "error")
    c.add("wrong_root.docx", zip_with(docx, replace={doc: document_xml("<w:body/>", root="w:foo")}), "docx", "error")
    c.add("not_xml.docx", zip_with(docx, replace={doc: b"this is not xml <<<"}), "docx", "error")
    c.add("xml_truncated.docx", zip_with(docx, replace={doc: zipfile.ZipFile(io.BytesIO(docx)).read(doc)[:5000]}), "docx", "error")
    rows = [["一级指标", "二级指标", "三级指标", "年度指标值"], ["产出指标", "数量指标", "某指标", "10"]]
    for n, span in enumerate(("abc", "-5", "99999999999", "", "2.5", "１")):
        c.add(f"gridspan_{n}.docx", zip_with(docx, replace={doc: document_xml("<w:body>" + _tbl(rows, span) + "</w:body>")}), "docx", "read")
    before = '<w:tbl><w:tr><w:trPr><w:gridBefore w:val="x"/></w:trPr><w:tc><w:p/></w:tc></w:tr></w:tbl>'
    c.add("gridbefore_text.docx", zip_with(docx, replace={doc: document_xml("<w:body>" + before + "</w:body>")}), "docx", "error")
    nested = "<w:tbl><w:tr><w:tc>" * 300 + "<w:p/>" + "</w:tc></w:tr></w:tbl>" * 300
    c.add("nested_tables.docx", zip_with(docx, replace={doc: document_xml("<w:body>" + nested + "</w:body>")}), "docx", "error")
    deep = "<w:sdt><w:sdtContent>" * 5000 + "<w:p/>" + "</w:sdtContent></w:sdt>" * 5000
    c.add("deep_sdt.docx", zip_with(docx, replace={doc: document_xml("<w:body>" + deep + "</w:body>")}), "docx", "error")
    laughs = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        + "".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10))
        + ']><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>&lol9;</w:t></w:r></w:p></w:body></w:document>'
    )
    c.add("billion_laughs.docx", zip_with(docx, replace={doc: laughs.encode()}), "docx", "error")
    xxe = (
        '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>&x;</w:t></w:r></w:p></w:body></w:document>'
    )
    c.add("xxe.docx", zip_with(docx, replace={doc: xxe.encode()}), "docx", "error")
    c.add("styles_broken.docx", zip_with(docx, replace={"word/styles.xml": b"<not xml"}), "docx", "read")
    big_rows = [["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分"]]
    big_rows += [["产出指标", "数量指标", f"指标{n}", "10", "10", "1", "1"] for n in range(5000)]
    c.add("rows_5000.docx", zip_with(docx, replace={doc: document_xml("<w:body>" + _tbl(big_rows) + "</w:body>")}), "docx", "read", slow=True)
    c.add("form_as_docx_table.docx", zip_with(docx, replace={doc: document_xml(text_to_docx_body(project_text()))}), "docx", "read")


def pdfs(c: Corpus) -> None:
    import pymupdf

    pdf = c.seed(0, ".pdf")
    cycle = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 2 >>", _page(2, 4), TEXT_CONTENT]
    c.add("page_tree_cycle.pdf", pdf_from_objects(cycle), "pdf", "error")
    parent_loop = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 /Parent 3 0 R >>", b"<< /Type /Pages /Kids [2 0 R] /Count 1 /Parent 2 0 R >>"]
    c.add("pages_loop.pdf", pdf_from_objects(parent_loop), "pdf", "error")
    lying = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 100000 >>", _page(2, 4), TEXT_CONTENT]
    c.add("lying_count.pdf", pdf_from_objects(lying), "pdf", "error")
    negative = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count -5 >>", _page(2, 4), TEXT_CONTENT]
    c.add("negative_count.pdf", pdf_from_objects(negative), "pdf", "error")
    no_pages = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [] /Count 0 >>"]
    c.add("no_pages.pdf", pdf_from_objects(no_pages), "pdf", "error")
    no_root = [b"<< /Type /Pages /Kids [] /Count 0 >>"]
    c.add("no_catalog.pdf", pdf_from_objects(no_root, root=7), "pdf", "error")
    bad_xref = pdf_from_objects(lying).replace(b"startxref\n", b"startxref\n999999")
    c.add("bad_startxref.pdf", bad_xref, "pdf", "error")
    c.add("seed_bad_xref.pdf", re.sub(rb"startxref\s+\d+", b"startxref\n1", pdf), "pdf", "forms")
    content_bomb = _stream(zlib.compress(b"0 0 m 1 1 l S\n" * 300_000), b"/Filter /FlateDecode")
    c.add("many_drawings.pdf", pdf_from_objects([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>", _page(2, 4), content_bomb]), "pdf", "error", slow=True)
    side = 20000
    image = _stream(zlib.compress(bytes(side * 64), 9), b"/Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode" % (side, side))
    huge_image = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                  b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /XObject << /Im1 5 0 R >> >> >>",
                  _stream(b"q 595 0 0 842 0 0 cm /Im1 Do Q"), image]
    c.add("huge_image.pdf", pdf_from_objects(huge_image), "pdf", "error")
    src = pymupdf.open(stream=pdf, filetype="pdf")
    c.add("encrypted_user.pdf", src.tobytes(encryption=pymupdf.PDF_ENCRYPT_AES_256, user_pw="u", owner_pw="o"), "pdf", "error")
    c.add("restricted_owner.pdf", src.tobytes(encryption=pymupdf.PDF_ENCRYPT_AES_256, owner_pw="o", permissions=0), "pdf", "forms")
    scanned = pymupdf.open()
    page = scanned.new_page()
    page.insert_image(page.rect, pixmap=pymupdf.Pixmap(pymupdf.csGRAY, pymupdf.IRect(0, 0, 200, 200), False))
    c.add("scanned.pdf", scanned.tobytes(), "pdf", "error")
    text_only = pymupdf.open()
    text_only.new_page().insert_text((72, 72), "hello, not a form")
    c.add("text_not_form.pdf", text_only.tobytes(), "pdf", "error")
    pages = 2000 if not c.quick else 0
    if pages:
        big = pymupdf.open()
        for _ in range(pages // len(src)):
            big.insert_pdf(src)
        c.add("pages_2000.pdf", big.tobytes(garbage=1, deflate=True), "pdf", "read", slow=True)
    c.add("junk_after_eof.pdf", pdf + c.rng.randbytes(50_000), "pdf", "forms")
    c.add("junk_before_header.pdf", b"\x00" * 10 + pdf, "pdf", "error")
    c.add("two_pdfs.pdf", pdf + pdf, "pdf", "forms")
    c.add("pdf_with_nul_in_middle.pdf", pdf[: len(pdf) // 2] + bytes(4096) + pdf[len(pdf) // 2 :], "pdf", "read")


def texts(c: Corpus) -> None:
    many = [Line("产出指标", "数量指标", f"完成检查任务第{n}批次", "≥10次", "10次", "0.01", "0.01", f"完成检查任务第{n}批次10次") for n in range(5000)]
    c.add("rows_5000.txt", project_text(lines=many).encode(), "text", "read", slow=c.quick)
    goal = "组织开展干部业务培训提升能力" * 70_000
    c.add("goal_1mb.txt", project_text(goal=goal, result=goal).encode(), "text", "read", slow=c.quick)
    c.add("goal_1mb_differs.txt", project_text(goal=goal, result="完成" * 500_000).encode(), "text", "read", slow=c.quick)
    million = "9" * 1_000_000
    c.add("million_digits_cell.txt", project_text(total={"executed": million}).encode(), "text", "read")
    c.add("million_digits_score.txt", project_text(total_score=million).encode(), "text", "read")
    c.add("million_digits_goal.txt", project_text(result="执行资金" + million + "万元").encode(), "text", "read")
    lines = list(DEFAULT_LINES)
    lines[0] = Line("产出指标", "数量指标", "开展业务培训场次", "≥1" + "0" * 5000 + "场", "1E+999999场", "20", "20")
    c.add("exponent_cells.txt", project_text(lines=lines).encode(), "text", "read")
    c.add("decimal_tiny.txt", project_text(total={"budget": "0." + "0" * 3000 + "1"}).encode(), "text", "read")
    c.add("gbk_text.txt", project_text().encode("gb18030"), "text", "forms")
    c.add("utf16_text.txt", project_text().encode("utf-16"), "text", "forms")
    c.add("crlf_text.txt", project_text().replace("\n", "\r\n").encode(), "text", "forms")
    c.add("one_long_line.txt", ("项目名称" + "\t" * 10 + "x") .encode() * 200_000, "text", "read", slow=c.quick)
    c.add("tabs_only.txt", b"\t" * 2_000_000, "text", "read")
    c.add("many_forms.txt", "\n\n".join(project_text(title=f"项目{n}") for n in range(200)).encode(), "text", "read", slow=c.quick)
    c.add("signs_only.txt", project_text(lines=[Line("产出指标", "数量指标", "指标甲", "≥≥≥≥" * 1000, "%%%%" * 1000, "20", "20")]).encode(), "text", "read")
    c.add("regex_bait.txt", project_text(goal="1," * 100_000 + "x", result="-" * 100_000).encode(), "text", "read")
    c.add("regex_bait_dots.txt", project_text(goal="1." * 100_000, result="执行" + "9," * 100_000 + "万元").encode(), "text", "read")
    c.add("regex_bait_report.txt", project_text(report=True, report_body=["全年预算" + "1," * 100_000 + "1万元"]).encode(), "text", "read")
    c.add("seed_with_nul.txt", c.seed(0, ".txt").replace(b"\n", b"\n\x00", 3), "text", "read")


def names(c: Corpus) -> None:
    seed = c.seed(3, ".txt")
    c.add("项目自评表".encode("gbk") + b".txt", seed, "names", "forms")
    c.add(b"\xff\xfe\xfd invalid utf8.txt", seed, "names", "forms")
    c.add("line\nbreak.txt", seed, "names", "forms")
    c.add("-rf --strict.txt", seed, "names", "forms")
    c.add("😀 emoji 表.txt", seed, "names", "forms")
    c.add(("长" * 80) + ".txt", seed, "names", "forms")
    c.add("quote\"and'apos<>&.txt", seed, "names", "forms")
    c.add("UPPER.TXT", seed, "names", "forms")
    c.add("no_extension", seed, "names", "read")
    c.add("\u202eevil.txt", seed, "names", "forms")


def special(c: Corpus) -> None:
    folder = c.out / "special"
    folder.mkdir(parents=True, exist_ok=True)
    fifo = folder / "fifo.pdf"
    os.mkfifo(fifo)
    c.cases.append(Case(fifo, "special", "error"))
    loop_a, loop_b = folder / "loop_a.pdf", folder / "loop_b.pdf"
    os.symlink(loop_b.name, loop_a)
    os.symlink(loop_a.name, loop_b)
    c.cases += [Case(loop_a, "special", "error"), Case(loop_b, "special", "error")]
    dangling = folder / "dangling.docx"
    os.symlink("does-not-exist.docx", dangling)
    c.cases.append(Case(dangling, "special", "error"))
    self_loop = folder / "self.txt"
    os.symlink(self_loop.name, self_loop)
    c.cases.append(Case(self_loop, "special", "error"))
    device = folder / "device.pdf"
    os.symlink("/dev/zero", device)
    c.cases.append(Case(device, "special", "error"))
    sock_path = folder / "socket.pdf"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.bind(str(sock_path))
        c.cases.append(Case(sock_path, "special", "error"))
    except OSError:
        pass
    finally:
        sock.close()
    directory = folder / "folder.pdf"
    directory.mkdir()
    (directory / "inside.txt").write_bytes(c.seed(3, ".txt"))
    c.cases.append(Case(directory / "inside.txt", "special", "forms"))
    (folder / "up").symlink_to("..")  # a directory link back up the tree: walked once
    good = folder / "link_to_seed.txt"
    target = c.out / "special" / "target.bin"
    target.write_bytes(c.seed(1, ".txt"))
    os.symlink(target.name, good)
    c.cases.append(Case(good, "special", "forms"))


def valid(c: Corpus) -> None:
    """The seeds themselves, in the same batch: their findings must equal a run alone."""
    for n in range(5):
        for suffix in (".pdf", ".docx", ".txt"):
            c.add(f"{SEEDS[n]}{suffix}", c.seed(n, suffix), "valid", "forms")


CATEGORIES: list[Callable[[Corpus], None]] = [
    empty_and_tiny, truncated, wrong_extension, garbage, zips, docx_structure, pdfs, texts, names, special, valid,
]


def generate(out: Path, samples: Path = ROOT / "samples", quick: bool = False) -> list[Case]:
    corpus = Corpus(out, samples, quick)
    for build in CATEGORIES:
        build(corpus)
    return corpus.cases


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out")
    parser.add_argument("--samples", default=str(ROOT / "samples"))
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    cases = generate(Path(args.out), Path(args.samples), args.quick)
    by: dict[str, int] = {}
    for case in cases:
        by[case.category] = by.get(case.category, 0) + 1
    print(f"{len(cases)} files in {args.out}: " + ", ".join(f"{k} {v}" for k, v in by.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
