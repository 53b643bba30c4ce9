"""The workspace's first tables: batches, files, documents, forms, findings, decisions.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "batches",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(200), nullable=False, unique=True),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("profile", sa.String(40), nullable=False),
        sa.Column("tolerances", sa.JSON, nullable=False),
    )
    op.create_table(
        "files",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("sha256", sa.String(64), nullable=False, unique=True),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("content", sa.LargeBinary, nullable=False),
    )
    op.create_table(
        "documents",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("batch_id", sa.Integer, sa.ForeignKey("batches.id"), nullable=False, index=True),
        sa.Column("file_id", sa.Integer, sa.ForeignKey("files.id"), nullable=False),
        sa.Column("name", sa.String(500), nullable=False),
        sa.Column("format", sa.String(20)),
        sa.Column("pages", sa.Integer),
        sa.Column("error", sa.Text),
        sa.Column("reviewed_at", TZ, nullable=False),
        sa.UniqueConstraint("batch_id", "file_id", name="uq_document_batch_file"),
    )
    op.create_table(
        "forms",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("batch_id", sa.Integer, sa.ForeignKey("batches.id"), nullable=False),
        sa.Column("document_id", sa.Integer, sa.ForeignKey("documents.id"), nullable=False, index=True),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("title", sa.String(500), nullable=False),
        sa.Column("unit", sa.String(500)),
        sa.Column("year", sa.String(20)),
        sa.Column("key", sa.String(1100), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("previous_id", sa.Integer, sa.ForeignKey("forms.id")),
        sa.Column("current", sa.Boolean, nullable=False),
        sa.Column("data", sa.JSON, nullable=False),
    )
    op.create_index("ix_forms_batch_key", "forms", ["batch_id", "key"])
    op.create_table(
        "findings",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("batch_id", sa.Integer, sa.ForeignKey("batches.id"), nullable=False, index=True),
        sa.Column("form_id", sa.Integer, sa.ForeignKey("forms.id"), nullable=False, index=True),
        sa.Column("rule", sa.String(100), nullable=False),
        sa.Column("severity", sa.String(10), nullable=False),
        sa.Column("source", sa.String(10), nullable=False),
        sa.Column("identity", sa.String(700), nullable=False),
        sa.Column("anchors", sa.JSON, nullable=False),
        sa.Column("previous_id", sa.Integer, sa.ForeignKey("findings.id")),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("data", sa.JSON, nullable=False),
    )
    op.create_table(
        "decisions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("finding_id", sa.Integer, sa.ForeignKey("findings.id"), nullable=False, index=True),
        sa.Column("decision", sa.String(10), nullable=False),
        sa.Column("reason", sa.Text),
        sa.Column("comment", sa.Text),
        sa.Column("reviewer", sa.String(100), nullable=False),
        sa.Column("decided_at", TZ, nullable=False),
        sa.Column("carried_from", sa.Integer, sa.ForeignKey("decisions.id")),
    )


def downgrade() -> None:
    for table in ("decisions", "findings", "forms", "documents", "files", "batches"):
        op.drop_table(table)
