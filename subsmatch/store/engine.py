"""The database: SQLite in the per-user data directory by default, any SQLAlchemy URL otherwise."""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_data_dir
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError

from subsmatch.errors import UserError

DB_ENV = "SUBSMATCH_DB"


def default_url() -> str:
    """``$SUBSMATCH_DB`` if set, else a SQLite file in the user's data directory."""
    if url := os.environ.get(DB_ENV):
        return url
    folder = Path(user_data_dir("subsmatch", appauthor=False))
    return f"sqlite:///{folder / 'subsmatch.sqlite'}"


BUSY_TIMEOUT_MS = 30_000
WRITER = {"subsmatch_writer": True}  # execution option: this connection will write
STEP = {"subsmatch_step": True}  # execution option: a later commit makes this one durable
PARENTS_CHECKED = {"subsmatch_parents_checked": True}  # execution option: see _sqlite_begin
DEFAULT_CHECKPOINT_PAGES = 1000  # SQLite's: the log is copied back when it passes 4 MB
STEP_CHECKPOINT_PAGES = 16_384  # a step copies it back only past 64 MB (see _sqlite_begin)


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
    wait in WAL mode.

    A step of a larger write (:func:`step_writer`) commits without syncing the log to disk
    (``synchronous=NORMAL``); every other transaction syncs it (``FULL``), and with it every
    step committed before: the log is one file, written in order. A power cut may lose
    steps whose whole is not committed yet, which that whole's design allows for (an
    ingest's chunks stay invisible until its last commit), never a committed whole.
    """
    options = connection.get_execution_options()
    step = options.get("subsmatch_step")
    connection.exec_driver_sql(f"PRAGMA synchronous={'NORMAL' if step else 'FULL'}")
    # nor does a step copy the log back into the database (a checkpoint, synced) unless the
    # log passed 64 MB: the whole's last commit does, instead of nearly every ingest chunk
    checkpoint = STEP_CHECKPOINT_PAGES if step else DEFAULT_CHECKPOINT_PAGES
    connection.exec_driver_sql(f"PRAGMA wal_autocheckpoint={checkpoint}")
    # a writer that checks its rows' parents itself (an ingest chunk: its file row, within the
    # transaction; resolutions are never deleted) spares SQLite a lookup per row and parent
    checked = options.get("subsmatch_parents_checked")
    connection.exec_driver_sql(f"PRAGMA foreign_keys={'OFF' if checked else 'ON'}")
    connection.exec_driver_sql("BEGIN IMMEDIATE" if options.get("subsmatch_writer") else "BEGIN")


def writer(engine: Engine) -> Engine:
    """The same engine, for sessions that write (one file's ingest, a check record)."""
    return engine.execution_options(**WRITER)


def step_writer(engine: Engine, parents_checked: bool = False) -> Engine:
    """The same engine, for a write that a later transaction completes and makes durable
    (one chunk of a file's ingest): on SQLite its commit does not wait for the disk.
    ``parents_checked``: the writer makes sure, within its transaction, that the rows its
    rows refer to exist (SQLite then does not check each foreign key)."""
    checked = PARENTS_CHECKED if parents_checked else {}
    return engine.execution_options(**WRITER, **STEP, **checked)


def is_locked(error: Exception) -> bool:
    """A write that gave up waiting for another writer (SQLite's busy timeout)."""
    return "database is locked" in str(error) or "database is busy" in str(error)


def is_full(error: Exception) -> bool:
    """A write that found no room: the disk is full (SQLite: SQLITE_FULL; PostgreSQL: ENOSPC
    on extending a file)."""
    text = str(error).lower()
    return "database or disk is full" in text or "no space left on device" in text


def failure(error: Exception) -> tuple[str, str]:
    """Why the database refused an operation, and what to do: (reason, fix).

    >>> failure(OSError("database or disk is full"))
    ('the disk is full (database or disk is full)', 'free some space, then try again')
    """
    said = " ".join(str(getattr(error, "orig", None) or error).split())
    if is_full(error):
        return f"the disk is full ({said})", "free some space, then try again"
    if is_locked(error):
        return f"the database stayed busy ({said})", "try again"
    return f"the database refused it ({said})", "check the database and try again"


class DatabaseUnavailable(UserError):
    """A database URL that names no usable database; the message says what is wrong and the fix."""


URL_EXAMPLES = "sqlite:///PATH (a SQLite file) or postgresql+psycopg://USER@HOST/NAME"


def make_engine(url: str | None = None, *, create: bool = True) -> Engine:
    """An engine with the schema created on first use (the SQLite folder too).

    With ``create=False`` a SQLite file that does not exist is not created. Raises
    :class:`DatabaseUnavailable` for a URL that cannot be parsed, loaded or opened.
    """
    text = url or default_url()
    parsed = _parse_url(text)
    shown = parsed.render_as_string(hide_password=True)
    path = sqlite_path(parsed)
    if path is not None and not path.exists():
        if not create:
            raise DatabaseUnavailable(
                f"no database at {path}; ingest something first or check the database URL"
            )
        try:
            path.expanduser().parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise DatabaseUnavailable(
                f"cannot create the folder of {path}: {error.strerror or error}; "
                "check the database URL"
            ) from None
    try:
        engine = create_engine(parsed)
    except NoSuchModuleError:
        raise DatabaseUnavailable(
            f"unknown kind of database {parsed.drivername!r} in {shown}; use {URL_EXAMPLES}"
        ) from None
    except ImportError as error:
        raise DatabaseUnavailable(
            f"the driver for {parsed.drivername} is not installed ({error}); install it or "
            "check the database URL"
        ) from None
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
    try:
        migrate(engine)
    except DBAPIError as error:
        engine.dispose()
        reason = " ".join(str(error.orig).split()) or error.__class__.__name__
        if is_locked(error):
            hint = "another process kept it locked for too long; try again"
        else:
            hint = "check the database URL" + (
                ": a SQLite file in a folder you can write to" if path else ""
            )
        raise DatabaseUnavailable(f"cannot open the database {shown}: {reason}; {hint}") from None
    return engine


def _parse_url(text: str) -> URL:
    try:
        return make_url(text)
    except ArgumentError:
        if "://" not in text:
            raise DatabaseUnavailable(
                f"{text!r} is not a database URL; for a SQLite file at that path use "
                f"sqlite:///{Path(text).absolute()}"
            ) from None
        raise DatabaseUnavailable(f"{text!r} is not a database URL; use {URL_EXAMPLES}") from None


def sqlite_path(url: URL) -> Path | None:
    """The file of a SQLite URL; None for another database or an in-memory one."""
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    if url.database.startswith("file:"):  # a SQLite URI filename: left to SQLite
        return None
    return Path(url.database)


MIGRATIONS = Path(__file__).parent / "migrations"
TABLES_ONLY_REVISION = "0002"  # up to here revisions only added tables (create_all's work)
HEAD_REVISION = "0006"
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
    from sqlalchemy import inspect

    from subsmatch.store.models import Base

    with writer(engine).begin() as connection:
        if connection.dialect.name == "postgresql":  # one migrating process at a time
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})")
        if not inspect(connection).get_table_names():
            # a new database: the models' tables are the head's (a test compares them with
            # the migrations'), stamped as Alembic would, without importing it (a few
            # tenths of a second of a first ingest's start)
            Base.metadata.create_all(connection)
            connection.exec_driver_sql(_VERSION_TABLE)
            connection.exec_driver_sql(f"INSERT INTO alembic_version VALUES ('{HEAD_REVISION}')")
            return
        _upgrade(connection)


_VERSION_TABLE = (
    "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL, "
    "CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num))"
)
"""Alembic's own version table, as it creates it."""


def _upgrade(connection: Connection) -> None:
    """Alembic's upgrade to the head in the connection's transaction (see :func:`migrate`);
    a database with tables and no version is stamped at the last revision that only added
    tables first."""
    from alembic import command
    from alembic.runtime.migration import MigrationContext

    from subsmatch.store.models import Base

    config = migration_config()
    config.attributes["connection"] = connection
    if MigrationContext.configure(connection).get_current_revision() is None:
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
