"""Read a file into the neutral Document, choosing the backend from the content."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from auditor.document import Document
from auditor.errors import DocumentLoadError

SUPPORTED_SUFFIXES = (".pdf", ".docx", ".txt")
# Walked too, so that a folder's .doc or Excel files are reported as unsupported, not skipped.
REPORTED_SUFFIXES = SUPPORTED_SUFFIXES + (".doc", ".xls", ".xlsx", ".wps", ".et")


def sniff_format(data: bytes) -> str:
    """'pdf', 'docx' or 'text' from the bytes themselves; raises for anything else."""
    if not data.strip():
        raise DocumentLoadError("文件为空（0字节或只有空白），请确认上传的是填好的表格文件")
    head = data[:1024]
    if b"%PDF-" in head:
        return "pdf"
    if head.startswith(b"PK"):
        return _zip_kind(data)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise DocumentLoadError("这是旧版Word（.doc）或Excel（.xls）格式，暂不支持：请用Word另存为.docx或导出PDF后重试")
    if _decode_text(data) is not None:
        return "text"
    raise DocumentLoadError("无法识别的文件格式（不是PDF、Word .docx或文本）：请提供PDF或.docx格式的表格")


def _zip_kind(data: bytes) -> str:
    try:
        names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
    except zipfile.BadZipFile as exc:
        raise DocumentLoadError("Word文档已损坏（压缩包结构不完整），无法读取：请重新保存或获取原件") from exc
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        raise DocumentLoadError("这是Excel表格（.xlsx），暂不支持：请另存为PDF或复制到Word后重试")
    raise DocumentLoadError("压缩文件不是Word文档（缺少word/document.xml）：请提供.docx或PDF")


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
    kind = sniff_format(data)
    if kind == "pdf":
        from auditor.ingest.pdf import read_pdf

        return read_pdf(data, name)
    if kind == "docx":
        from auditor.ingest.docx import read_docx

        return read_docx(data, name)
    from auditor.ingest.text import parse_text_export

    text = _decode_text(data)
    assert text is not None  # sniff_format checked it decodes
    return parse_text_export(text, name)


def read_path(path: str | Path) -> Document:
    p = Path(path)
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


def walk(paths: list[str]) -> list[Path]:
    """Files named, and files with a supported suffix under directories named, sorted."""
    found: list[Path] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            found.extend(sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in REPORTED_SUFFIXES))
        else:
            found.append(p)
    return found
