"""Writing ingested files: one transaction per file, reusing stored resolutions."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from functools import lru_cache

from sqlalchemy import Connection, Table, func, insert, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from subsmatch.store.models import IngestedFile, ResolutionRow


def bulk_insert(session: Session, table: Table, columns: Sequence[str], rows: list[tuple]) -> None:
    """Insert many rows, tuples in ``columns`` order, with one DBAPI executemany.

    SQLAlchemy's own executemany processes every parameter of every row in Python; here the
    statement is compiled once and only the columns whose type needs it (dates and booleans
    on SQLite) are converted, column by column, each distinct value once. Drivers with named
    parameters go through SQLAlchemy, except psycopg's, which take PostgreSQL's ``COPY``.
    """
    connection = session.connection()
    dialect = connection.dialect
    if dialect.driver == "psycopg":
        _copy(connection, table, columns, rows)
        return
    compiled = insert(table).compile(dialect=dialect, column_keys=list(columns))
    order = compiled.positiontup
    if not order:
        connection.execute(insert(table), [dict(zip(columns, row, strict=True)) for row in rows])
        return
    values = list(zip(*rows, strict=True))
    ordered = []
    for key in order:
        column = values[columns.index(key)]
        process = table.c[key].type.dialect_impl(dialect).bind_processor(dialect)
        ordered.append(list(map(lru_cache(maxsize=4096)(process), column)) if process else column)
    connection.exec_driver_sql(str(compiled), list(zip(*ordered, strict=True)))


def _copy(connection: Connection, table: Table, columns: Sequence[str], rows: list[tuple]) -> None:
    """Rows into a PostgreSQL table with ``COPY ... FROM STDIN``, in the connection's
    transaction: psycopg adapts each value as it would for an INSERT, the server parses one
    stream instead of a statement per thousand rows. Its errors are SQLAlchemy's, as an
    INSERT's would be (a concurrent writer's unique violation is an ``IntegrityError``)."""
    dialect = connection.dialect
    quote = dialect.identifier_preparer.quote
    names = ", ".join(quote(c) for c in columns)
    statement = f"COPY {quote(table.name)} ({names}) FROM STDIN"
    cursor = connection.connection.driver_connection.cursor()
    try:
        with cursor, cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)
    except dialect.loaded_dbapi.Error as error:
        raise DBAPIError.instance(
            statement, None, error, dialect.loaded_dbapi.Error, dialect=dialect
        ) from error


def latest_version(session: Session, sha256: str) -> int:
    """The highest stored version of this content, 0 when it was never ingested."""
    found = session.scalar(
        select(func.max(IngestedFile.version)).where(IngestedFile.sha256 == sha256)
    )
    return found or 0


def stored_counts(session: Session, sha256: str, version: int) -> tuple[int, int, int]:
    """Rows read, findings and rejections of one stored version of this content."""
    row = session.execute(
        select(IngestedFile.rows_read, IngestedFile.findings, IngestedFile.rejections).where(
            IngestedFile.sha256 == sha256, IngestedFile.version == version
        )
    ).one()
    return tuple(row)


class FileWriter:
    """Adds one file and its records within the caller's transaction."""

    def __init__(self, session: Session, file_values: Mapping) -> None:
        self.session = session
        row = IngestedFile(ingested_at=datetime.now(UTC), **file_values)
        session.add(row)
        session.flush()
        self.file_id = row.id

    def add(self, table: type, columns: Sequence[str], rows: Iterable[tuple]) -> None:
        """Bulk insert rows of AnalysisRow, FindingRow or RejectionRow of this file.

        Rows are tuples in ``columns`` order; each carries ``file_id`` (:attr:`file_id`).
        """
        rows = list(rows)
        if rows:
            bulk_insert(self.session, table.__table__, columns, rows)

    def resolution_ids(
        self, resolutions: Mapping[str, dict], versions: Mapping[str, str]
    ) -> dict[str, int]:
        return resolution_ids(self.session, resolutions, versions)

    def stored(self, queries: list[str], versions: Mapping[str, str]) -> dict[str, tuple[int, str]]:
        return stored_resolutions(self.session, queries, versions)

    def finish(self, **counts: int | str) -> None:
        """Record the file's final counts and notes."""
        self.session.execute(
            update(IngestedFile).where(IngestedFile.id == self.file_id).values(**counts)
        )


def resolution_ids(
    session: Session, resolutions: Mapping[str, dict], versions: Mapping[str, str]
) -> dict[str, int]:
    """Ids of the stored resolutions of these queries, inserting the missing ones.

    ``versions`` (data_version, rules_version, tool_version) is part of the key: a resolution
    made with other data or rules is never reused.
    """
    found = {
        q: rid for q, (rid, _v) in stored_resolutions(session, list(resolutions), versions).items()
    }
    missing = [q for q in resolutions if q not in found]
    if missing:
        columns = (*resolutions[missing[0]], *versions, "query")
        rows = [(*resolutions[q].values(), *versions.values(), q) for q in missing]
        bulk_insert(session, ResolutionRow.__table__, columns, rows)
        found.update(
            (q, rid) for q, (rid, _v) in stored_resolutions(session, missing, versions).items()
        )
    return found


def stored_resolutions(
    session: Session, queries: list[str], versions: Mapping[str, str]
) -> dict[str, tuple[int, str]]:
    """Stored resolutions of these queries for these versions: query -> (id, verdict JSON)."""
    same = [getattr(ResolutionRow, key) == value for key, value in versions.items()]
    found: dict[str, tuple[int, str]] = {}
    for start in range(0, len(queries), 500):
        rows = session.execute(
            select(ResolutionRow.query, ResolutionRow.id, ResolutionRow.verdict).where(
                ResolutionRow.query.in_(queries[start : start + 500]), *same
            )
        )
        found.update((query, (rid, verdict)) for query, rid, verdict in rows)
    return found
