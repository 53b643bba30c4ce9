"""Read a file into the neutral Document, choosing the backend from the content."""

from __future__ import annotations

import io
import os
import re
import stat
import zipfile
from pathlib import Path

from auditor.document import Document
from auditor.errors import DocumentLoadError

SUPPORTED_SUFFIXES = (".pdf", ".docx", ".txt")
# Walked too, so that a folder's .doc or Excel files are reported as unsupported, not skipped.
REPORTED_SUFFIXES = SUPPORTED_SUFFIXES + (".doc", ".xls", ".xlsx", ".wps", ".et", ".docm", ".dotx", ".dotm")


def sniff_format(data: bytes) -> str:
    """'pdf', 'docx' or 'text' from the bytes themselves; raises for anything else."""
    if not data.strip():
        raise DocumentLoadError("文件为空（0字节或只有空白），请确认上传的是填好的表格文件")
    head = data[:1024]
    if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"%PDF-"):  # the signature, not any %PDF- in the head
        return "pdf"
    if head.startswith(b"PK"):
        return _zip_kind(data)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise DocumentLoadError("这是旧版Word（.doc）或Excel（.xls）格式，暂不支持：请用Word另存为.docx或导出PDF后重试")
    if _decode_text(data) is not None:
        return "text"
    raise DocumentLoadError("无法识别的文件格式（不是PDF、Word .docx或文本）：请提供PDF或.docx格式的表格")


# A .docx/.xlsx package is checked before any part is parsed: a form is a few MB at most.
MAX_UNPACKED = 256 * 1024 * 1024  # bytes, all members together
MAX_RATIO = 200  # unpacked ÷ packed size of one member larger than 1 MB
_MACRO_TYPES = ("macroEnabled", "vnd.ms-word.template")
_OFFICE_DOCUMENT = re.compile(rb"<Relationship\b[^>]*officeDocument[^>]*>", re.S)


def _zip_kind(data: bytes) -> str:
    try:
        package = zipfile.ZipFile(io.BytesIO(data))
        members = package.infolist()
    except (zipfile.BadZipFile, ValueError, EOFError) as exc:
        raise DocumentLoadError("Word文档已损坏（压缩包结构不完整），无法读取：请重新保存或获取原件") from exc
    _check_unpacked(members)
    names = {m.filename for m in members}
    types = _small_part(package, "[Content_Types].xml")
    if types is not None and any(t.encode() in types for t in _MACRO_TYPES):
        raise DocumentLoadError("这是启用宏的Word文档（.docm）或模板，出于安全考虑不读取：请在Word中另存为普通.docx（不含宏）后重试")
    rels = _small_part(package, "_rels/.rels")
    main = _OFFICE_DOCUMENT.search(rels) if rels is not None else None
    if main is not None and b'TargetMode="External"' in main.group(0):
        raise DocumentLoadError("Word文档的正文指向外部文件或网址（外部主部件），出于安全考虑不读取：请在Word中打开并另存为完整的.docx后重试")
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        raise DocumentLoadError("这是Excel表格（.xlsx），暂不支持：请另存为PDF或复制到Word后重试")
    raise DocumentLoadError("压缩文件不是Word文档（缺少word/document.xml）：请提供.docx或PDF")


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
    """Files named, and under directories named the files with a reported suffix, sorted;
    special files, dangling links and link loops under a directory are listed too (whatever
    their name), so that each is reported rather than silently skipped."""
    found: list[Path] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            found.extend(sorted(_walk_dir(p)))
        else:
            found.append(p)
    return found


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
            elif f.is_symlink() and not f.exists() or not f.is_dir() and not f.is_file():
                out.append(f)  # a dangling link, a link loop, a FIFO, a socket, a device
    return out
