"""Uploaded files and ZIP archives → named byte strings, with size and zip-bomb limits.

Everything stays in memory; nothing is written to disk.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import PurePosixPath

MB = 1024 * 1024
MAX_FILE_BYTES = 50 * MB  # one uploaded file, or one member of an archive
MAX_ARCHIVE_TOTAL = 200 * MB  # everything an archive unpacks to
MAX_ARCHIVE_MEMBERS = 500
_UTF8_FLAG = 0x800
_JUNK_NAMES = {"thumbs.db", "desktop.ini", ".ds_store"}


@dataclass(frozen=True)
class Upload:
    name: str
    data: bytes

    @property
    def is_pdf(self) -> bool:
        return self.data[:1024].find(b"%PDF-") != -1


@dataclass(frozen=True)
class UploadError:
    name: str
    message: str  # plain Chinese, shown to the auditor


@dataclass
class Batch:
    """What a set of uploads unpacks to: the files to review and the ones refused."""

    uploads: list[Upload] = field(default_factory=list)
    errors: list[UploadError] = field(default_factory=list)

    def add(self, upload: Upload) -> None:
        """Keep one copy of identical content; give a different file with a taken name a new name."""
        if any(u.data == upload.data for u in self.uploads):
            return
        taken = {u.name for u in self.uploads}
        name, n = upload.name, 2
        while name in taken:
            name = f"{upload.name}（{n}）"
            n += 1
        self.uploads.append(Upload(name, upload.data))

    def key(self, extra: str = "") -> str:
        """A content hash of the batch (and of ``extra``, e.g. the settings) for caching."""
        digest = hashlib.sha256(extra.encode())
        for upload in self.uploads:
            digest.update(upload.name.encode())
            digest.update(hashlib.sha256(upload.data).digest())
        for error in self.errors:
            digest.update(f"{error.name}:{error.message}".encode())
        return digest.hexdigest()


def expand_uploads(files: list[tuple[str, bytes]]) -> Batch:
    """Uploaded (name, bytes) pairs → files to review; ZIP archives are unpacked."""
    batch = Batch()
    for name, data in files:
        if len(data) > MAX_FILE_BYTES:
            batch.errors.append(UploadError(name, _too_big(len(data))))
        elif name.lower().endswith(".zip"):
            _unpack(name, data, batch)
        else:
            batch.add(Upload(name, data))
    return batch


def _too_big(size: int) -> str:
    return f"文件过大（{size / MB:.1f} MB），单个文件不能超过 {MAX_FILE_BYTES // MB} MB，请拆分后重新上传"


def _unpack(archive: str, data: bytes, batch: Batch) -> None:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, ValueError, EOFError, OSError):
        batch.errors.append(
            UploadError(archive, "压缩包已损坏或不是ZIP格式，无法解压，请重新打包后上传")
        )
        return
    files = [info for info in infos if not info.is_dir()]
    members = [info for info in files if not is_junk(member_name(info))]
    refusal = _archive_refusal(files)  # hidden and junk members count toward the limits too
    if refusal:
        batch.errors.append(UploadError(archive, refusal))
        return
    if not members:
        batch.errors.append(
            UploadError(archive, "压缩包中没有可审核的文件（PDF、Word .docx 或文本 .txt）")
        )
        return
    total = 0
    seen: set[str] = set()
    for info in members:
        name = f"{archive}/{member_name(info)}"
        if name in seen:
            batch.errors.append(UploadError(name, "压缩包中有两个同名文件，只审核了第一个：请改名后重新打包"))
            continue
        seen.add(name)
        try:
            content = _read_member(zf, info)
        except _MEMBER_ERRORS as exc:
            batch.errors.append(UploadError(name, _member_problem(exc)))
            continue
        if content is None:
            batch.errors.append(UploadError(name, _too_big(info.file_size)))
            continue
        total += len(content)
        if total > MAX_ARCHIVE_TOTAL:
            batch.errors.append(UploadError(archive, _archive_too_big()))
            return
        if name.lower().endswith(".zip"):
            batch.errors.append(UploadError(name, "压缩包内的压缩包不会展开，请解压后单独上传"))
        else:
            batch.add(Upload(name, content))


def _archive_refusal(members: list[zipfile.ZipInfo]) -> str | None:
    """Refuse an archive from its directory alone: too many members or too large unpacked."""
    if len(members) > MAX_ARCHIVE_MEMBERS:
        return f"压缩包内文件过多（{len(members)} 个），最多 {MAX_ARCHIVE_MEMBERS} 个，请分批上传"
    if sum(info.file_size for info in members) > MAX_ARCHIVE_TOTAL:
        return _archive_too_big()
    return None


def _archive_too_big() -> str:
    return f"压缩包解压后超过 {MAX_ARCHIVE_TOTAL // MB} MB，已拒绝（疑似压缩炸弹或文件过多），请分批上传"


_MEMBER_ERRORS = (zipfile.BadZipFile, RuntimeError, NotImplementedError, zlib.error, EOFError, ValueError, OSError)


def _member_problem(exc: Exception) -> str:
    """Why one member of an archive could not be unpacked, in words."""
    if isinstance(exc, RuntimeError) and "encrypted" in str(exc):
        return "压缩包中的此文件已加密（需要密码），无法解压：请去掉密码后重新打包"
    if isinstance(exc, NotImplementedError):
        return "压缩包中的此文件使用了不支持的压缩方式，无法解压：请用常见的ZIP（deflate）方式重新打包"
    return "压缩包中的此文件已损坏（校验失败或数据不完整），无法解压：请重新打包后上传"


def _read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes | None:
    """The member's bytes, or None past the per-file limit (the header's size may lie)."""
    with zf.open(info) as fh:
        content = fh.read(MAX_FILE_BYTES + 1)
    return None if len(content) > MAX_FILE_BYTES else content


def member_name(info: zipfile.ZipInfo) -> str:
    """The member's path; names packed on Chinese Windows (GBK, no UTF-8 flag) decoded right."""
    name = info.filename
    if not info.flag_bits & _UTF8_FLAG:
        try:
            name = name.encode("cp437").decode("gbk")
        except (UnicodeEncodeError, UnicodeDecodeError):
            pass
    return name.replace("\\", "/")  # packed on Windows with backslashes


def is_junk(name: str) -> bool:
    """macOS resource forks, hidden files, Office lock files and Windows thumbnails."""
    path = PurePosixPath(name)
    if "__MACOSX" in path.parts:
        return True
    base = path.name.lower()
    return base in _JUNK_NAMES or base.startswith((".", "~$"))
