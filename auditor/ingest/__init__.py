"""Read a file into the neutral Document, choosing the backend from the content."""

from __future__ import annotations

import io
import os
import re
import stat
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
REPORTED_SUFFIXES = SUPPORTED_SUFFIXES + (".rar", ".7z", ".dps", ".xlsm", ".docm", ".dotx", ".dotm")
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def sniff_format(data: bytes, name: str = "") -> str:
    """'pdf', 'docx', 'xlsx', 'xls', 'doc', 'zip' or 'text' from the bytes themselves
    (never from the name: a .wps or .et that is really a .docx or .xls is read as one);
    raises for anything else."""
    if not data.strip():
        raise DocumentLoadError("文件为空（0字节或只有空白），请确认提供的是填好的表格文件")
    head = data[:1024]
    if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"%PDF-"):  # the signature, not any %PDF- in the head
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


# A .docx/.xlsx package is checked before any part is parsed: a form is a few MB at most.
MAX_UNPACKED = 256 * 1024 * 1024  # bytes, all members together
MAX_RATIO = 200  # unpacked ÷ packed size of one member larger than 1 MB
_MACRO_TYPES = ("macroEnabled", "vnd.ms-word.template")
_OFFICE_DOCUMENT = re.compile(rb"<Relationship\b[^>]*officeDocument[^>]*>", re.DOTALL)


def _zip_kind(data: bytes, name: str) -> str:
    try:
        package = zipfile.ZipFile(io.BytesIO(data))
        members = package.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        what = {".docx": "Word文档", ".xlsx": "Excel文件", ".zip": "ZIP压缩包"}.get(Path(name).suffix.lower(), "文件")
        raise DocumentLoadError(f"{what}已损坏（压缩包结构不完整），无法读取：请重新保存或获取原件") from exc
    names = {m.filename for m in members}
    if "word/document.xml" not in names and "xl/workbook.xml" not in names:
        return _office_or_zip(names)
    _check_unpacked(members)
    types = _small_part(package, "[Content_Types].xml")
    if types is not None and any(t.encode() in types for t in _MACRO_TYPES):
        raise DocumentLoadError("这是启用宏的Office文档（.docm/.xlsm）或模板，出于安全考虑不读取：请另存为普通的.docx或.xlsx（不含宏）后重试")
    rels = _small_part(package, "_rels/.rels")
    main = _OFFICE_DOCUMENT.search(rels) if rels is not None else None
    if main is not None and b'TargetMode="External"' in main.group(0):
        raise DocumentLoadError("文档的正文指向外部文件或网址（外部主部件），出于安全考虑不读取：请在Word或Excel中打开并另存为完整的文件后重试")
    return "docx" if "word/document.xml" in names else "xlsx"


def _office_or_zip(names: set[str]) -> str:
    """A ZIP that is neither a Word document nor a workbook: another Office file, or an archive."""
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


def _check_unpacked(members: list[zipfile.ZipInfo]) -> None:
    """Refuse a zip bomb from the sizes its directory declares (nothing is unpacked).
    The declared sizes are enforced while reading too: zipfile stops at file_size."""
    total = sum(m.file_size for m in members)
    bomb = total > MAX_UNPACKED or any(
        m.file_size > 1024 * 1024 and m.file_size > MAX_RATIO * max(m.compress_size, 1) for m in members
    )
    if bomb:
        raise DocumentLoadError(
            f"文件解压后过大（共{total / 1024 / 1024:.0f} MB），疑似压缩炸弹，已拒绝读取："
            "正常的表格文件解压后不超过几十MB，请检查文件来源或重新导出"
        )


def _small_part(package: zipfile.ZipFile, name: str) -> bytes | None:
    """A small package part (content types, relationships), or None if absent or unreadable."""
    try:
        info = package.getinfo(name)
        if info.file_size > 1024 * 1024:
            return None
        return package.read(info)
    except (KeyError, zipfile.BadZipFile, NotImplementedError, ValueError, EOFError, RuntimeError, OSError):
        return None
    except Exception:  # zlib.error and the like: the part is corrupt; the reader will say so
        return None


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
        except UnicodeDecodeError as exc:
            if encoding.startswith("utf-8") and exc.start >= len(data) - 3 and "end of data" in exc.reason:
                return data[: exc.start].decode(encoding)  # a file cut inside its last character
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
    problem = special_file_problem(p)
    if problem is not None:
        raise DocumentLoadError(problem)
    try:
        with open(p, "rb", opener=_nonblocking) as f:
            data = f.read()
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


def _nonblocking(path: str, flags: int) -> int:
    """Open without blocking (a FIFO swapped in after the check must not hang the run)."""
    return os.open(path, flags | os.O_NONBLOCK)


def special_file_problem(p: Path) -> str | None:
    """Why a path is not a regular file that can be read (None when it is one)."""
    try:
        st = p.stat()
    except FileNotFoundError:
        if p.is_symlink():
            return "这是一个失效的符号链接（指向的文件不存在），请检查链接或提供原文件"
        return "文件不存在，请检查路径"
    except RuntimeError:
        return "符号链接形成循环，无法找到实际文件，请检查链接"
    except OSError as exc:
        if exc.errno == 40:  # ELOOP
            return "符号链接形成循环，无法找到实际文件，请检查链接"
        return f"无法访问该路径（系统错误码 {exc.errno}），请检查文件是否可访问"
    mode = st.st_mode
    if stat.S_ISDIR(mode):
        return "这是文件夹而不是文件"
    if stat.S_ISFIFO(mode):
        return "这是命名管道（FIFO）而不是普通文件，不读取：请提供表格文件本身"
    if stat.S_ISSOCK(mode):
        return "这是套接字（socket）而不是普通文件，不读取：请提供表格文件本身"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "这是设备文件而不是普通文件，不读取：请提供表格文件本身"
    if not stat.S_ISREG(mode):
        return "这不是普通文件，不读取：请提供表格文件本身"
    return None


def walk(paths: list[str]) -> list[Path]:
    """Files named, and under directories named the files with a reported suffix, sorted; a
    ZIP archive stands for its members (``archive.zip!/dir/file.xlsx``), or for itself when
    it is refused as a whole (reading it then gives the reason). Special files, dangling
    links and link loops under a directory are listed too (whatever their name), so that
    each is reported rather than silently skipped."""
    found: list[Path] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            found.extend(m for f in sorted(_walk_dir(p)) for m in _expand(f))
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


def _walk_dir(root: Path) -> list[Path]:
    out: list[Path] = []
    seen: set[tuple[int, int]] = set()
    for folder, dirs, files in os.walk(root, followlinks=True):
        try:
            st = os.stat(folder)
        except OSError:
            continue
        if (st.st_dev, st.st_ino) in seen:  # a directory link back up the tree
            dirs[:] = []
            continue
        seen.add((st.st_dev, st.st_ino))
        for name in files + [d for d in dirs if os.path.islink(os.path.join(folder, d))]:
            f = Path(folder, name)
            if f.suffix.lower() in REPORTED_SUFFIXES and (f.is_file() or f.is_symlink()):
                out.append(f)
            elif (f.is_symlink() and not f.exists()) or (not f.is_dir() and not f.is_file()):
                out.append(f)  # a dangling link, a link loop, a FIFO, a socket, a device
    return out
