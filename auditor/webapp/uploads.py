"""Uploaded files and ZIP archives → named byte strings, with size and zip-bomb limits.

Everything stays in memory; nothing is written to disk.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from auditor.ingest import archive
from auditor.ingest.archive import MAX_FILE_BYTES, MB, is_junk, member_name

__all__ = ["MAX_FILE_BYTES", "MB", "Batch", "Upload", "UploadError", "expand_uploads", "is_junk", "member_name"]


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
        if len(data) > archive.MAX_FILE_BYTES:
            batch.errors.append(UploadError(name, archive.too_big(len(data))))
        elif name.lower().endswith(".zip"):
            _unpack(name, data, batch)
        else:
            batch.add(Upload(name, data))
    return batch


def _unpack(name: str, data: bytes, batch: Batch) -> None:
    """An archive's members as uploads named ``archive.zip/dir/file``; refusals as errors."""
    try:
        members = archive.unpack(data)
    except archive.ArchiveError as exc:
        batch.errors.append(UploadError(name, str(exc)))
        return
    for member in members:
        member_path = f"{name}/{member.name}"
        if member.error is not None:
            batch.errors.append(UploadError(member_path, member.error))
        elif member.data is None:
            batch.errors.append(UploadError(member_path, archive.too_big(member.size)))
        elif member.name.lower().endswith(".zip"):
            batch.errors.append(UploadError(member_path, archive.NESTED_ARCHIVE))
        else:
            batch.add(Upload(member_path, member.data))
