"""Schema migrations (Alembic) for SQLite: new databases, and databases made before them."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine

from subsmatch.store.engine import HEAD_REVISION, make_engine, migration_config, stored_revision
from subsmatch.store.models import Base


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
