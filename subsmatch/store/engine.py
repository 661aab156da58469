"""The database: SQLite in the per-user data directory by default, any SQLAlchemy URL otherwise."""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_data_dir
from sqlalchemy import Engine, create_engine, event

from subsmatch.store.models import Base

DB_ENV = "SUBSMATCH_DB"


def default_url() -> str:
    """``$SUBSMATCH_DB`` if set, else a SQLite file in the user's data directory."""
    if url := os.environ.get(DB_ENV):
        return url
    folder = Path(user_data_dir("subsmatch", appauthor=False))
    return f"sqlite:///{folder / 'subsmatch.sqlite'}"


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def make_engine(url: str | None = None) -> Engine:
    """An engine with the schema created on first use (the SQLite folder too)."""
    url = url or default_url()
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    Base.metadata.create_all(engine)
    return engine
