"""Alembic environment: always run programmatically with a connection handed in by
``auditor.workspace.db.migrate`` (there is no alembic.ini)."""

from __future__ import annotations

from alembic import context

from auditor.workspace.models import Base

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
