"""Read a file into the neutral Document, choosing the backend from the content."""

from __future__ import annotations

import io
import struct
import zipfile
from pathlib import Path

from auditor.document import Document
from auditor.errors import DocumentLoadError
from auditor.ingest import archive
from auditor.ingest.archive import MEMBER_SEPARATOR, other_archive_kind, other_archive_message
from auditor.ingest.xlsx import encrypted_message

SUPPORTED_SUFFIXES = (".pdf", ".docx", ".txt", ".xlsx", ".xls", ".doc", ".wps", ".et", ".zip")
# Walked too, so that a folder's archives of other kinds are reported, not skipped.
REPORTED_SUFFIXES = SUPPORTED_SUFFIXES + (".rar", ".7z", ".dps", ".xlsm")
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def sniff_format(data: bytes, name: str = "") -> str:
    """'pdf', 'docx', 'xlsx', 'xls', 'doc', 'zip' or 'text' from the bytes themselves
    (never from the name: a .wps or .et that is really a .docx or .xls is read as one);
    raises for anything else."""
    if not data.strip():
        raise DocumentLoadError("文件为空（0字节或只有空白），请确认提供的是填好的表格文件")
    head = data[:1024]
    if b"%PDF-" in head:
        return "pdf"
    if head.startswith(b"PK"):
        return _zip_kind(data, name)
    if head.startswith(_OLE):
        return _ole_kind(data, name)
    kind = other_archive_kind(data)
    if kind:
        raise DocumentLoadError(other_archive_message(kind))
    text = _decode_text(data)
    if text is not None:
        _refuse_markup(text)
        return "text"
    raise DocumentLoadError("无法识别的文件格式（不是PDF、Word、Excel或文本）：请提供PDF、.docx、.xlsx或.xls格式的表格")


def _zip_kind(data: bytes, name: str) -> str:
    try:
        names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        what = {".docx": "Word文档", ".xlsx": "Excel文件", ".zip": "ZIP压缩包"}.get(Path(name).suffix.lower(), "文件")
        raise DocumentLoadError(f"{what}已损坏（压缩包结构不完整），无法读取：请重新保存或获取原件") from exc
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "[Content_Types].xml" in names:
        raise DocumentLoadError("这是Office文件，但不是Word文档或Excel表格（可能是PPT演示文稿）：请提供表格所在的.docx、.xlsx或PDF")
    return "zip"


def _ole_kind(data: bytes, name: str) -> str:
    """Tell old Excel from old Word (and an encrypted .xlsx/.docx) by the compound file's
    stream names: Workbook/Book, WordDocument, EncryptionInfo."""
    from xlrd.compdoc import CompDoc, CompDocError

    try:
        streams = {entry.name for entry in CompDoc(data, logfile=io.StringIO()).dirlist}
    except (CompDocError, IndexError, ValueError, AssertionError, OverflowError, struct.error) as exc:
        # xlrd's compound-file parser asserts and indexes on damaged directories
        raise DocumentLoadError("文件已损坏（旧版Office文件结构不完整），无法读取：请用Office或WPS打开后另存为.docx或.xlsx再试") from exc
    if "EncryptionInfo" in streams or "EncryptedPackage" in streams:
        if name.lower().endswith((".docx", ".doc", ".wps")):
            raise DocumentLoadError("Word文档设有打开密码（已加密），无法读取：请在Word或WPS中取消密码，另存为不加密的.docx后重试")
        raise DocumentLoadError(encrypted_message("xlsx"))
    if "Workbook" in streams or "Book" in streams:
        return "xls"
    if "WordDocument" in streams:
        return "doc"
    raise DocumentLoadError("这是旧版Office文件，但不是Word文档或Excel表格（可能是PPT演示文稿）：请提供表格所在的.doc、.xls、.docx、.xlsx或PDF")


def _refuse_markup(text: str) -> None:
    """An "Excel" file that is really a web page or an XML Spreadsheet 2003 (what many
    finance systems export as .xls) gets a way out, not a confusing "no form found"."""
    head = text[:2048].lstrip("\ufeff \r\n\t").lower()
    if "urn:schemas-microsoft-com:office:spreadsheet" in head or head.startswith(("<html", "<!doctype html")):
        raise DocumentLoadError(
            "这是网页（HTML）或XML格式的表格，不是真正的Excel文件（常见于系统导出的.xls）：请用Excel或WPS打开后另存为.xlsx再试"
        )


def _decode_text(data: bytes) -> str | None:
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):  # UTF-16 with a byte-order mark (Notepad)
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            return None
    if b"\x00" in data[:4096]:
        return None
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def read_bytes(data: bytes, name: str) -> Document:
    kind = sniff_format(data, name)
    if kind == "pdf":
        from auditor.ingest.pdf import read_pdf

        return read_pdf(data, name)
    if kind == "docx":
        from auditor.ingest.docx import read_docx

        return read_docx(data, name)
    if kind in ("xlsx", "xls"):
        from auditor.ingest.xlsx import read_xls, read_xlsx

        return (read_xlsx if kind == "xlsx" else read_xls)(data, name)
    if kind == "doc":
        return _read_old_word(data, name)
    if kind == "zip":
        raise DocumentLoadError(_zip_message(data, name))
    from auditor.ingest.text import parse_text_export

    text = _decode_text(data)
    assert text is not None  # sniff_format checked it decodes
    return parse_text_export(text, name)


def _read_old_word(data: bytes, name: str) -> Document:
    from auditor.ingest.docx import read_docx
    from auditor.ingest.legacy import convert_to_docx

    suffix = Path(name).suffix.lower() if Path(name).suffix.lower() in (".doc", ".wps") else ".doc"
    document = read_docx(convert_to_docx(data, suffix), name)
    document.format = "doc"
    return document


def _zip_message(data: bytes, name: str) -> str:
    """Why a ZIP archive read as one file gives no document."""
    if MEMBER_SEPARATOR in name:
        return archive.NESTED_ARCHIVE
    if name.lower().endswith((".docx", ".xlsx", ".wps", ".et", ".xlsm")):
        return "文件不是Word文档或Excel表格（压缩包中缺少word/document.xml或xl/workbook.xml），可能是改了扩展名的压缩包：请提供.docx、.xlsx或PDF"
    try:
        archive.open_zip(data)
    except archive.ArchiveError as exc:
        return str(exc)
    return "这是ZIP压缩包：请把压缩包本身（而不是其中的文件）交给命令行或页面，其中的文件会逐个读取"


def read_path(path: str | Path) -> Document:
    p = Path(path)
    if MEMBER_SEPARATOR in str(path):
        return read_bytes(_member_bytes(str(path)), str(path))
    try:
        data = p.read_bytes()
    except FileNotFoundError as exc:
        raise DocumentLoadError("文件不存在，请检查路径") from exc
    except IsADirectoryError as exc:
        raise DocumentLoadError("这是文件夹而不是文件") from exc
    except PermissionError as exc:
        raise DocumentLoadError("没有读取该文件的权限，请检查文件权限") from exc
    except OSError as exc:
        raise DocumentLoadError(f"无法读取文件（系统错误码 {exc.errno}），请检查文件是否可访问") from exc
    return read_bytes(data, str(path))


def _member_bytes(path: str) -> bytes:
    """The bytes of ``archive.zip!/dir/file.xlsx``."""
    outer, member = path.split(MEMBER_SEPARATOR, 1)
    try:
        data = Path(outer).read_bytes()
    except OSError as exc:
        raise DocumentLoadError("压缩包不存在或无法读取，请检查路径") from exc
    try:
        content = archive.read_named_member(data, member)
    except archive.ArchiveError as exc:
        raise DocumentLoadError(str(exc)) from exc
    if content is None:
        raise DocumentLoadError(archive.too_big(archive.MAX_FILE_BYTES + 1))
    return content


def walk(paths: list[str]) -> list[Path]:
    """Files named, and files with a supported suffix under directories named, sorted; a
    ZIP archive stands for its members (``archive.zip!/dir/file.xlsx``), or for itself when
    it is refused as a whole (reading it then gives the reason)."""
    found: list[Path] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            files = sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in REPORTED_SUFFIXES)
            found.extend(m for f in files for m in _expand(f))
        else:
            found.extend(_expand(p))
    return found


def _expand(path: Path) -> list[Path]:
    if path.suffix.lower() != ".zip" or not path.is_file():
        return [path]
    try:
        names = archive.member_names(path.read_bytes())
    except (archive.ArchiveError, OSError):
        return [path]
    return [Path(f"{path}{MEMBER_SEPARATOR}{name}") for name in names]
