"""ZIP archives → their member files, with size and zip-bomb limits and GBK names.

One implementation for the page (uploads) and the command line (``walk`` names a member
``archive.zip!/dir/file.xlsx``). Folders inside an archive are kept in member names; an
archive inside an archive is not opened. RAR and 7z archives are recognised by their
signature and refused with a message.
"""

from __future__ import annotations

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
    data: bytes | None  # None: past the per-file limit
    size: int


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
    members = [
        info for info in zf.infolist() if not info.is_dir() and not is_junk(member_name(info))
    ]
    if not members:
        raise ArchiveError(NOTHING_TO_READ)
    if len(members) > MAX_ARCHIVE_MEMBERS:
        raise ArchiveError(
            f"压缩包内文件过多（{len(members)} 个），最多 {MAX_ARCHIVE_MEMBERS} 个，请分批提供"
        )
    if sum(info.file_size for info in members) > MAX_ARCHIVE_TOTAL:
        raise ArchiveError(archive_too_big())
    return zf, members


def member_names(data: bytes) -> list[str]:
    """Names of the members to read, in archive order (ArchiveError when refused)."""
    _, members = open_zip(data)
    return [member_name(info) for info in members]


def unpack(data: bytes) -> list[Member]:
    """Every member's bytes, stopping with ArchiveError once the total passes the limit."""
    zf, members = open_zip(data)
    out, total = [], 0
    for info in members:
        content = read_member(zf, info)
        total += len(content) if content is not None else 0
        if total > MAX_ARCHIVE_TOTAL:
            raise ArchiveError(archive_too_big())
        out.append(Member(member_name(info), content, info.file_size))
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
        # RuntimeError: an encrypted member; NotImplementedError: an unknown compression
        raise ArchiveError(
            f"压缩包中的“{member_name(info)}”无法解压（已损坏或设有密码），请解压后单独提供"
        ) from exc
    return None if len(content) > MAX_FILE_BYTES else content


def too_big(size: int) -> str:
    return (
        f"文件过大（{size / MB:.1f} MB），单个文件不能超过 {MAX_FILE_BYTES // MB} MB，请拆分后再试"
    )


def archive_too_big() -> str:
    return f"压缩包解压后超过 {MAX_ARCHIVE_TOTAL // MB} MB，已拒绝（疑似压缩炸弹或文件过多），请分批提供"


def member_name(info: zipfile.ZipInfo) -> str:
    """The member's path; names packed on Chinese Windows (GBK, no UTF-8 flag) decoded right."""
    if info.flag_bits & _UTF8_FLAG:
        return info.filename
    try:
        return info.filename.encode("cp437").decode("gbk")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return info.filename


def is_junk(name: str) -> bool:
    """macOS resource forks, hidden files, Office lock files and Windows thumbnails."""
    path = PurePosixPath(name)
    if "__MACOSX" in path.parts:
        return True
    base = path.name.lower()
    return base in _JUNK_NAMES or base.startswith((".", "~$"))
