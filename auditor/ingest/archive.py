"""ZIP archives → their member files, with size and zip-bomb limits and GBK names.

One implementation for the page (uploads) and the command line (``walk`` names a member
``archive.zip!/dir/file.xlsx``). Folders inside an archive are kept in member names; an
archive inside an archive is not opened. RAR and 7z archives are recognised by their
signature and refused with a message.
"""

from __future__ import annotations

import contextlib
import io
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import PurePosixPath

MB = 1024 * 1024
MAX_FILE_BYTES = 50 * MB  # one file, or one member of an archive
MAX_ARCHIVE_TOTAL = 200 * MB  # everything an archive unpacks to
MAX_ARCHIVE_MEMBERS = 500
MEMBER_SEPARATOR = "!/"  # archive.zip!/dir/file.xlsx
_UTF8_FLAG = 0x800
_JUNK_NAMES = {"thumbs.db", "desktop.ini", ".ds_store"}
_OTHER_ARCHIVES = {b"Rar!\x1a\x07": "RAR", b"7z\xbc\xaf\x27\x1c": "7z"}

NESTED_ARCHIVE = "压缩包内的压缩包不会展开，请解压后单独提供"
NOTHING_TO_READ = "压缩包中没有可审核的文件（PDF、Word、Excel 或文本 .txt）"
CORRUPT_ARCHIVE = "压缩包已损坏或不是ZIP格式，无法解压，请重新打包后再试"


class ArchiveError(Exception):
    """An archive refused as a whole; the message is for people (Chinese)."""


@dataclass(frozen=True)
class Member:
    name: str  # the member's path inside the archive, decoded
    data: bytes | None  # None: past the per-file limit, or not unpacked (see error)
    size: int
    error: str | None = None  # why this member could not be unpacked (the others still are)


def other_archive_kind(data: bytes) -> str | None:
    """'RAR' or '7z' when the bytes are such an archive."""
    return next((kind for magic, kind in _OTHER_ARCHIVES.items() if data.startswith(magic)), None)


def other_archive_message(kind: str) -> str:
    return f"这是{kind}压缩包，暂不支持{kind}格式：请解压后提供其中的文件，或重新打包为ZIP格式"


def open_zip(data: bytes) -> tuple[zipfile.ZipFile, list[zipfile.ZipInfo]]:
    """The archive and its members worth reading; raises ArchiveError when it is refused
    from its directory alone (corrupt, empty, too many members, too large unpacked)."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ArchiveError(CORRUPT_ARCHIVE) from exc
    files = [info for info in zf.infolist() if not info.is_dir()]
    # hidden and junk members count toward the limits too
    if len(files) > MAX_ARCHIVE_MEMBERS:
        raise ArchiveError(
            f"压缩包内文件过多（{len(files)} 个），最多 {MAX_ARCHIVE_MEMBERS} 个，请分批提供"
        )
    if sum(info.file_size for info in files) > MAX_ARCHIVE_TOTAL:
        raise ArchiveError(archive_too_big())
    members = [info for info in files if not is_junk(member_name(info))]
    if not members:
        raise ArchiveError(NOTHING_TO_READ)
    return zf, members


def member_names(data: bytes) -> list[str]:
    """Names of the members to read, in archive order (ArchiveError when refused)."""
    _, members = open_zip(data)
    return [member_name(info) for info in members]


DUPLICATE_MEMBER = "压缩包中有两个同名文件，只读取了第一个：请改名后重新打包"


def unpack(data: bytes) -> list[Member]:
    """Every member's bytes, stopping with ArchiveError once the total passes the limit.
    A member that cannot be unpacked (encrypted, unknown compression, damaged) or that
    repeats a name comes with its error; the others are unpacked."""
    zf, members = open_zip(data)
    out, total, seen = [], 0, set()
    for info in members:
        name = member_name(info)
        if name in seen:
            out.append(Member(name, None, info.file_size, DUPLICATE_MEMBER))
            continue
        seen.add(name)
        try:
            content = read_member(zf, info)
        except ArchiveError as exc:
            out.append(Member(name, None, info.file_size, str(exc)))
            continue
        total += len(content) if content is not None else 0
        if total > MAX_ARCHIVE_TOTAL:
            raise ArchiveError(archive_too_big())
        out.append(Member(name, content, info.file_size))
    return out


def read_named_member(data: bytes, name: str) -> bytes | None:
    """One member's bytes by its decoded name (None past the per-file limit)."""
    zf, members = open_zip(data)
    info = next((i for i in members if member_name(i) == name), None)
    if info is None:
        raise ArchiveError(f"压缩包中没有名为“{name}”的文件")
    return read_member(zf, info)


def read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes | None:
    """The member's bytes, or None past the per-file limit (the header's size may lie)."""
    try:
        with zf.open(info) as fh:
            content = fh.read(MAX_FILE_BYTES + 1)
    except (
        zipfile.BadZipFile,
        zlib.error,
        EOFError,
        OSError,
        ValueError,
        NotImplementedError,
        RuntimeError,
    ) as exc:
        raise ArchiveError(member_problem(member_name(info), exc)) from exc
    return None if len(content) > MAX_FILE_BYTES else content


def member_problem(name: str, exc: Exception) -> str:
    """Why one member of an archive could not be unpacked, in words."""
    if isinstance(exc, RuntimeError) and "encrypt" in str(exc).lower():
        return f"压缩包中的“{name}”已加密（需要密码），无法解压：请去掉密码后重新打包，或解压后单独提供"
    if isinstance(exc, NotImplementedError):
        return f"压缩包中的“{name}”使用了不支持的压缩方式，无法解压：请用常见的ZIP（deflate）方式重新打包"
    return f"压缩包中的“{name}”已损坏（校验失败或数据不完整），无法解压：请重新打包，或解压后单独提供"


def too_big(size: int) -> str:
    return (
        f"文件过大（{size / MB:.1f} MB），单个文件不能超过 {MAX_FILE_BYTES // MB} MB，请拆分后再试"
    )


def archive_too_big() -> str:
    return f"压缩包解压后超过 {MAX_ARCHIVE_TOTAL // MB} MB，已拒绝（疑似压缩炸弹或文件过多），请分批提供"


def member_name(info: zipfile.ZipInfo) -> str:
    """The member's path; names packed on Chinese Windows (GBK, no UTF-8 flag) decoded right."""
    name = info.filename
    if not info.flag_bits & _UTF8_FLAG:
        with contextlib.suppress(UnicodeEncodeError, UnicodeDecodeError):
            name = name.encode("cp437").decode("gbk")
    return name.replace("\\", "/")  # packed on Windows with backslashes


def is_junk(name: str) -> bool:
    """macOS resource forks, hidden files, Office lock files and Windows thumbnails."""
    path = PurePosixPath(name)
    if "__MACOSX" in path.parts:
        return True
    base = path.name.lower()
    return base in _JUNK_NAMES or base.startswith((".", "~$"))
