"""The database: SQLite in the per-user data directory by default, any SQLAlchemy URL otherwise."""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_data_dir
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import DBAPIError

DB_ENV = "SUBSMATCH_DB"


def default_url() -> str:
    """``$SUBSMATCH_DB`` if set, else a SQLite file in the user's data directory."""
    if url := os.environ.get(DB_ENV):
        return url
    folder = Path(user_data_dir("subsmatch", appauthor=False))
    return f"sqlite:///{folder / 'subsmatch.sqlite'}"


BUSY_TIMEOUT_MS = 30_000
WRITER = {"subsmatch_writer": True}  # execution option: this connection will write


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    dbapi_connection.isolation_level = None  # transactions are begun by _sqlite_begin
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")  # first: WAL switching may wait
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _sqlite_begin(connection) -> None:
    """Writers take the write lock when they begin (BEGIN IMMEDIATE), so that they wait for
    each other (busy timeout) instead of failing on a read-to-write upgrade; readers never
    wait in WAL mode."""
    immediate = connection.get_execution_options().get("subsmatch_writer")
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def writer(engine: Engine) -> Engine:
    """The same engine, for sessions that write (one file's ingest, a check record)."""
    return engine.execution_options(**WRITER)


def is_locked(error: Exception) -> bool:
    """A write that gave up waiting for another writer (SQLite's busy timeout)."""
    return "database is locked" in str(error) or "database is busy" in str(error)


def make_engine(url: str | None = None) -> Engine:
    """An engine with the schema created on first use (the SQLite folder too)."""
    url = url or default_url()
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
    migrate(engine)
    return engine


MIGRATIONS = Path(__file__).parent / "migrations"
TABLES_ONLY_REVISION = "0002"  # up to here revisions only added tables (create_all's work)
HEAD_REVISION = "0003"
"""The newest migration (a test checks it is Alembic's head): a database already there opens
without importing Alembic, a tenth of a second of every command's start."""


def migration_config():
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest revision (Alembic), in one write transaction.

    Concurrent first uses queue on the write lock instead of failing. A database made before
    migrations existed (some tables, no version) gets the tables it lacks, is stamped at the
    last revision that only added tables, and is upgraded from there.
    """
    if stored_revision(engine) == HEAD_REVISION:
        return
    from alembic import command
    from alembic.runtime.migration import MigrationContext
    from sqlalchemy import inspect

    from subsmatch.store.models import Base

    config = migration_config()
    with writer(engine).begin() as connection:
        if connection.dialect.name == "postgresql":  # one migrating process at a time
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})")
        config.attributes["connection"] = connection
        current = MigrationContext.configure(connection).get_current_revision()
        if current is None and inspect(connection).get_table_names():
            Base.metadata.create_all(connection)
            command.stamp(config, TABLES_ONLY_REVISION)
        command.upgrade(config, "head")


def stored_revision(engine: Engine) -> str | None:
    """The schema revision the database records; None for a new or pre-migration database."""
    try:
        with engine.connect() as connection:
            return connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
    except DBAPIError:  # no such table
        return None


MIGRATION_LOCK = 0x5B5B_0001  # PostgreSQL advisory lock key for schema migrations
