"""Opening the workspace database: where it is, how it is connected, and its migrations.

The default is one SQLite file in the user's data folder; ``AUDITOR_DATABASE_URL`` or
``--db`` (a path or a URL) chooses another, PostgreSQL included (psycopg 3). SQLite runs
in WAL mode with a busy timeout and takes its write lock at the start of each transaction,
so two processes writing at once wait for each other instead of failing. Migrations run
on open, under a lock, from the scripts inside this package (there is no alembic.ini).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from auditor.errors import AuditorError

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
BUSY_TIMEOUT_MS = 30_000
PG_MIGRATION_LOCK = 734_120_512  # an arbitrary constant for pg_advisory_xact_lock


class WorkspaceError(AuditorError):
    """A workspace problem for the user: the message is plain Chinese."""


def default_path() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "auditor" / "workspace.db"


def database_url(db: str | None = None) -> str:
    """``db`` (a URL or a file path), else AUDITOR_DATABASE_URL, else the default file."""
    value = db or os.environ.get("AUDITOR_DATABASE_URL") or str(default_path())
    if "://" not in value:
        path = Path(value).expanduser().resolve()
        path.parent.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{path}"
    if value.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + value.split("://", 1)[1]
    return value


def open_engine(db: str | None = None) -> Engine:
    """An engine on the workspace database, its tables brought up to date."""
    url = database_url(db)
    try:
        engine = _engine(url)
        migrate(engine)
    except WorkspaceError:
        raise
    except Exception as exc:
        shown = make_url(url).render_as_string(hide_password=True)
        raise WorkspaceError(f"无法打开审核工作库 {shown}：{exc.__class__.__name__}：{exc}。请检查 --db 或 AUDITOR_DATABASE_URL 的设置") from exc
    return engine


def _engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(url, pool_pre_ping=True)


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # transactions are begun by _sqlite_begin
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_begin(connection: Any) -> None:
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def migrate(engine: Engine) -> None:
    """Bring the tables to the newest revision; concurrent openers wait for each other."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": PG_MIGRATION_LOCK})
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)
