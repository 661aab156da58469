"""Schema migrations (Alembic) for SQLite: new databases, and databases made before them."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine

from subsmatch.store.engine import HEAD_REVISION, make_engine, migration_config, stored_revision
from subsmatch.store.models import Base
from tests.helpers import upgrade_a_database_at_0005_with_a_resolution


def head() -> str:
    return ScriptDirectory.from_config(migration_config()).get_current_head()


def test_new_database_is_at_head_and_matches_the_models(db_url):
    engine = make_engine(db_url)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection)
        assert context.get_current_revision() == head()
        assert compare_metadata(context, Base.metadata) == []


def test_database_made_before_migrations_is_stamped_and_upgraded(db_url):
    Base.metadata.create_all(create_engine(db_url))  # as versions without Alembic did
    engine = make_engine(db_url)
    with engine.connect() as connection:
        assert MigrationContext.configure(connection).get_current_revision() == head()


def test_opening_twice_changes_nothing(db_url):
    make_engine(db_url)
    make_engine(db_url)
    with create_engine(db_url).connect() as connection:
        assert MigrationContext.configure(connection).get_current_revision() == head()


def test_head_revision_constant_is_alembics_head(db_url):
    assert head() == HEAD_REVISION  # else a database at the old head would never be upgraded
    assert stored_revision(create_engine(db_url)) is None
    assert stored_revision(make_engine(db_url)) == head()


def measured_at_indexed(engine) -> bool:
    with engine.connect() as connection:
        indexes = connection.exec_driver_sql("PRAGMA index_list(analyses)").all()
    return any(row[1] == "ix_analyses_measured_at" for row in indexes)


def test_database_at_0002_loses_the_unused_measured_at_index(db_url):
    from alembic import command

    config = migration_config()
    engine = create_engine(db_url)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0002")
    assert measured_at_indexed(engine)
    make_engine(db_url)
    assert not measured_at_indexed(engine) and stored_revision(engine) == head()


def test_database_made_before_migrations_loses_the_index_too(db_url):
    engine = create_engine(db_url)
    Base.metadata.create_all(engine)
    with engine.begin() as connection:  # as versions without Alembic made it
        connection.exec_driver_sql("CREATE INDEX ix_analyses_measured_at ON analyses (measured_at)")
    make_engine(db_url)
    assert not measured_at_indexed(engine) and stored_revision(engine) == head()


def test_database_at_0005_keeps_its_resolutions_with_no_region_recorded(db_url):
    upgrade_a_database_at_0005_with_a_resolution(db_url)


def sqlite_schema(path) -> dict:
    """Each table's columns, indexes (with their columns) and foreign keys, as SQLite says."""
    import sqlite3

    connection = sqlite3.connect(path)
    tables = [n for (n,) in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")]
    described = {}
    for table in tables:
        indexes = [
            (name, unique, origin, connection.execute(f"PRAGMA index_xinfo('{name}')").fetchall())
            for _seq, name, unique, origin, _partial in connection.execute(
                f"PRAGMA index_list('{table}')"
            )
        ]
        described[table] = (
            connection.execute(f"PRAGMA table_xinfo('{table}')").fetchall(),
            sorted(indexes),
            sorted(row[2:] for row in connection.execute(f"PRAGMA foreign_key_list('{table}')")),
        )
    connection.close()
    return described


def test_a_new_database_made_without_alembic_is_the_migrations_schema(tmp_path):
    # a new database gets the models' tables and Alembic's stamp without importing Alembic;
    # its schema must be what running every migration from an empty database makes
    from alembic import command

    migrated = tmp_path / "migrated.sqlite"
    config = migration_config()
    with create_engine(f"sqlite:///{migrated}").begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    made = tmp_path / "made.sqlite"
    assert stored_revision(make_engine(f"sqlite:///{made}")) == head()
    assert sqlite_schema(made) == sqlite_schema(migrated)
