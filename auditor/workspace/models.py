"""The workspace's tables: batches, stored files, documents, forms, findings and decisions.

Forms and findings keep their full JSON (the records and the contract's finding); the
columns beside it are what queries filter on. Decisions are append-only: the current
decision on a finding is its newest row, and no row is ever updated or deleted.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON, list[Any]: JSON}


class Batch(Base):
    __tablename__ = "batches"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    profile: Mapped[str] = mapped_column(String(40))
    tolerances: Mapped[dict[str, Any]] = mapped_column(JSON)

    documents: Mapped[list[Document]] = relationship(back_populates="batch", order_by="Document.id")


class StoredFile(Base):
    """A file's bytes, once per content hash, shared by every batch that reviewed it."""

    __tablename__ = "files"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    size: Mapped[int] = mapped_column(Integer)
    content: Mapped[bytes] = mapped_column(LargeBinary)


class Document(Base):
    """One file reviewed into a batch; reviewing the same bytes again is the same document."""

    __tablename__ = "documents"
    __table_args__ = (UniqueConstraint("batch_id", "file_id", name="uq_document_batch_file"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("batches.id"), index=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("files.id"))
    name: Mapped[str] = mapped_column(String(500))
    format: Mapped[str | None] = mapped_column(String(20))
    pages: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
    reviewed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    batch: Mapped[Batch] = relationship(back_populates="documents")
    file: Mapped[StoredFile] = relationship()
    forms: Mapped[list[FormRow]] = relationship(back_populates="document", order_by="FormRow.id")


class FormRow(Base):
    """A form of a document. ``key`` (kind, unit, title) names the same form across versions;
    ``previous_id`` is the version it replaces in the batch; ``current`` is False once a
    newer version arrives."""

    __tablename__ = "forms"
    __table_args__ = (Index("ix_forms_batch_key", "batch_id", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("batches.id"))
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)  # order in its document
    kind: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(500))
    unit: Mapped[str | None] = mapped_column(String(500))
    year: Mapped[str | None] = mapped_column(String(20))
    key: Mapped[str] = mapped_column(String(1100))
    version: Mapped[int] = mapped_column(Integer, default=1)
    previous_id: Mapped[int | None] = mapped_column(ForeignKey("forms.id"))
    current: Mapped[bool] = mapped_column(Boolean, default=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)

    document: Mapped[Document] = relationship(back_populates="forms")
    findings: Mapped[list[FindingRow]] = relationship(back_populates="form", order_by="FindingRow.id")


class FindingRow(Base):
    """A finding on a form. ``identity`` (form title, rule) matches it across versions;
    ``previous_id`` is the same finding on the version before (仍存在), None when new."""

    __tablename__ = "findings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("batches.id"), index=True)
    form_id: Mapped[int] = mapped_column(ForeignKey("forms.id"), index=True)
    rule: Mapped[str] = mapped_column(String(100))
    severity: Mapped[str] = mapped_column(String(10))
    source: Mapped[str] = mapped_column(String(10))
    identity: Mapped[str] = mapped_column(String(700))
    anchors: Mapped[list[Any]] = mapped_column(JSON)  # row names the finding is about
    previous_id: Mapped[int | None] = mapped_column(ForeignKey("findings.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)  # batch.* findings that stop firing
    data: Mapped[dict[str, Any]] = mapped_column(JSON)  # the contract's finding

    form: Mapped[FormRow] = relationship(back_populates="findings")
    decisions: Mapped[list[DecisionRow]] = relationship(order_by="DecisionRow.id")


class DecisionRow(Base):
    """One decision on a finding, never changed: a new decision is a new row."""

    __tablename__ = "decisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    finding_id: Mapped[int] = mapped_column(ForeignKey("findings.id"), index=True)
    decision: Mapped[str] = mapped_column(String(10))  # 确认 / 驳回 / 待核实
    reason: Mapped[str | None] = mapped_column(Text)
    comment: Mapped[str | None] = mapped_column(Text)
    reviewer: Mapped[str] = mapped_column(String(100))
    decided_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    carried_from: Mapped[int | None] = mapped_column(ForeignKey("decisions.id"))  # from an earlier version
