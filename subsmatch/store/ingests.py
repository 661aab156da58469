"""Writing ingested files in short transactions, invisible until whole, reusing stored
resolutions."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from functools import lru_cache

from sqlalchemy import Connection, Engine, Insert, Table, delete, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from subsmatch.store.engine import step_writer, writer
from subsmatch.store.models import RESOLUTION_KEY, IngestedFile, ResolutionRow


def bulk_insert(
    session: Session,
    table: Table,
    columns: Sequence[str],
    rows: list[tuple],
    statement: Insert | None = None,
) -> None:
    """Insert many rows, tuples in ``columns`` order (see :func:`insert_columns`)."""
    insert_columns(session, table, columns, list(zip(*rows, strict=True)), statement)


def insert_columns(
    session: Session,
    table: Table,
    columns: Sequence[str],
    values: Sequence[Sequence],
    statement: Insert | None = None,
) -> None:
    """Insert rows given as columns (``values[i]`` the values of ``columns[i]``, all of one
    length) with one DBAPI executemany.

    SQLAlchemy's own executemany processes every parameter of every row in Python; here the
    statement is compiled once and only the columns whose type needs it (dates and booleans
    on SQLite) are converted, column by column, each distinct value once; on SQLite a column
    of one value is written into the statement (:func:`constants_inlined`). Drivers with named
    parameters go through SQLAlchemy, and so does psycopg's, with ``COPY`` when no
    ``statement`` (an ``INSERT`` of ``table`` with clauses, e.g. ``ON CONFLICT``) is given.
    """
    if not values or not len(values[0]):
        return
    connection = session.connection()
    dialect = connection.dialect
    if dialect.driver == "psycopg" and statement is None:
        _copy(connection, table, columns, zip(*values, strict=True))
        return
    if statement is None:
        text, order, processors = _plain_insert(table, tuple(columns), dialect)
    else:
        text, order, processors = _compiled(statement, table, tuple(columns), dialect)
    if not order:
        rows = zip(*values, strict=True)
        statement = insert(table) if statement is None else statement
        connection.execute(statement, [dict(zip(columns, row, strict=True)) for row in rows])
        return
    ordered = []
    for index, process in zip(order, processors, strict=True):
        column = values[index]
        ordered.append(list(map(lru_cache(maxsize=4096)(process), column)) if process else column)
    if statement is None and dialect.paramstyle == "qmark":
        text, ordered = constants_inlined(text, ordered)
    connection.exec_driver_sql(text, list(zip(*ordered, strict=True)))


INLINED_FROM = 16
"""The fewest rows whose constant columns are written into the statement (a statement is
compiled per set of constant columns)."""
_LONGEST_INLINED = 200  # characters of a constant text written into the statement


def constants_inlined(text: str, columns: list[Sequence]) -> tuple[str, list[Sequence]]:
    """A positional INSERT (``... VALUES (?, ..., ?)``) whose columns (``columns[i]`` the
    values of its ``i``-th marker) that hold one value on every row (a file's id, its reader,
    a device, a verdict: most of an export's columns within a chunk) have that value written
    into the statement as a literal, and the columns left to bind: SQLite binds a row's
    values one by one (its executemany), so each constant column cost a bind per row.

    Only values SQLite reads back as the same value of the same type are written so: NULL,
    integers of 64 bits, and short texts with no NUL that encode as UTF-8 (quotes doubled);
    any other column stays bound, as does one column at least.

    >>> constants_inlined("INSERT INTO t (a, b, c) VALUES (?, ?, ?)",
    ...                   [[7] * 20, list(range(20)), ["it's"] * 20])[0]
    "INSERT INTO t (a, b, c) VALUES (7, ?, 'it''s')"
    >>> constants_inlined("INSERT INTO t (a) VALUES (?)", [[None] * 20])[0]
    'INSERT INTO t (a) VALUES (?)'
    """
    rows = len(columns[0]) if columns else 0
    head, values, tail = text.rpartition(" VALUES (")
    if rows < INLINED_FROM or not values or tail != ", ".join("?" * len(columns)) + ")":
        return text, columns
    markers, bound = [], []
    for column in columns:
        literal = _literal(column) if column.count(column[0]) == rows else None
        if literal is None:
            bound.append(column)
            markers.append("?")
        else:
            markers.append(literal)
    if not bound:  # executemany needs a parameter per row to insert the row
        bound.append(columns[0])
        markers[0] = "?"
    return f"{head} VALUES ({', '.join(markers)})", bound


def _literal(column: Sequence) -> str | None:
    r"""The SQL literal of a column's one value (all equal to its first), None when it is not
    one SQLite reads back the same (see :func:`constants_inlined`).

    >>> _literal([None]), _literal([3, 3]), _literal([1, True]), _literal(["a\x00"])
    ('NULL', '3', None, None)
    """
    value = column[0]
    kind = type(value)
    if value is None:
        return "NULL"  # None equals nothing else
    if kind is int:  # equal values of other types (True, 1.0) are bound
        exact = all(type(v) is int for v in column)
        return str(value) if exact and -(2**63) <= value < 2**63 else None
    if kind is str and len(value) <= _LONGEST_INLINED and "\x00" not in value:
        try:
            value.encode()  # a lone surrogate: bound (and refused) as before
        except UnicodeEncodeError:
            return None
        return "'" + value.replace("'", "''") + "'"
    return None


@lru_cache(maxsize=64)
def _plain_insert(table: Table, columns: tuple[str, ...], dialect) -> tuple:
    """:func:`_compiled` of a plain INSERT, compiled once per table, columns and dialect (an
    ingest inserts into three tables per chunk)."""
    return _compiled(insert(table), table, columns, dialect)


def _compiled(statement: Insert, table: Table, columns: tuple[str, ...], dialect) -> tuple:
    """The statement's text for these columns, the index in ``columns`` of each of its
    positional parameters (empty for named ones) and each one's bind processor (None: the
    value as it is)."""
    compiled = statement.compile(dialect=dialect, column_keys=list(columns))
    order = compiled.positiontup or ()
    processors = [table.c[key].type.dialect_impl(dialect).bind_processor(dialect) for key in order]
    return str(compiled), [columns.index(key) for key in order], processors


def complete():
    """The condition that a file row is complete: its ingest committed its last chunk."""
    return IngestedFile.writing_since.is_(None)


def _copy(
    connection: Connection, table: Table, columns: Sequence[str], rows: Iterable[tuple]
) -> None:
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
    """The highest complete version of this content, 0 when it was never ingested whole."""
    found = session.scalar(
        select(func.max(IngestedFile.version)).where(IngestedFile.sha256 == sha256, complete())
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


STALE_AFTER = timedelta(minutes=15)
"""A file whose ingest has not written for this long was left by a process that died."""


def remove_stale(engine: Engine, older_than: timedelta = STALE_AFTER) -> int:
    """Delete the files whose ingest stopped writing ``older_than`` ago (a killed process
    leaves its chunks, invisible); how many. Each ingest writes at least once per chunk."""
    before = datetime.now(UTC) - older_than
    with Session(writer(engine)) as session, session.begin():
        gone = session.execute(delete(IngestedFile).where(IngestedFile.writing_since < before))
    return gone.rowcount


class FileWriter:
    """Writes one file in short transactions, invisible until :meth:`finish`.

    The file row is stored first with ``writing_since`` set (every query skips it), each chunk
    in a transaction of its own (:meth:`transaction`), and the counts with the file made
    visible in a last one; :meth:`discard` deletes what was written. A reader of the database
    sees the file whole or not at all, and no write waits behind the whole file.
    """

    def __init__(self, engine: Engine, file_values: Mapping) -> None:
        """Store the file row; its version is one above any stored, complete or not."""
        self.engine = engine
        with Session(writer(engine)) as session, session.begin():
            highest = session.scalar(
                select(func.max(IngestedFile.version)).where(
                    IngestedFile.sha256 == file_values["sha256"]
                )
            )
            now = datetime.now(UTC)
            row = IngestedFile(
                ingested_at=now, writing_since=now, version=(highest or 0) + 1, **file_values
            )
            session.add(row)
            session.flush()
            self.file_id, self.version = row.id, row.version

    @contextmanager
    def transaction(self) -> Iterator[ChunkWriter]:
        """One short write transaction of this file's records (committed on leaving; made
        durable by :meth:`finish`'s)."""
        with Session(step_writer(self.engine, parents_checked=True)) as session, session.begin():
            yield ChunkWriter(session, self.file_id)

    def stored(self, queries: list[str], versions: Mapping[str, str]) -> dict[str, tuple[int, str]]:
        """Stored resolutions (read outside any write transaction)."""
        with Session(self.engine) as session:
            return stored_resolutions(session, queries, versions)

    def finish(self, **counts: int | str) -> None:
        """Record the file's final counts and notes, and make it visible."""
        with Session(writer(self.engine)) as session, session.begin():
            session.execute(
                update(IngestedFile)
                .where(IngestedFile.id == self.file_id)
                .values(writing_since=None, **counts)
            )

    def discard(self) -> None:
        """Delete the file and what was written of it (its rows go with it)."""
        with Session(writer(self.engine)) as session, session.begin():
            session.execute(delete(IngestedFile).where(IngestedFile.id == self.file_id))


class ChunkWriter:
    """The records of one chunk of a file, added within one transaction."""

    def __init__(self, session: Session, file_id: int) -> None:
        """Mark the file as being written; its rows' parents are checked here (the file row
        exists, and stays so until this transaction ends: nothing deletes a file row but
        :func:`remove_stale` and :meth:`FileWriter.discard`, which wait for this write)."""
        self.session, self.file_id = session, file_id
        marked = session.execute(
            update(IngestedFile)
            .where(IngestedFile.id == file_id)
            .values(writing_since=datetime.now(UTC))
        )
        if marked.rowcount != 1:  # taken for a dead ingest's: the whole file is tried again
            raise IntegrityError(
                "update files", None, LookupError(f"file row {file_id} was removed")
            )

    def add(self, table: type, columns: Sequence[str], values: Sequence[Sequence]) -> None:
        """Bulk insert rows of AnalysisRow, FindingRow or RejectionRow of this file, given as
        columns (``values[i]`` holds the values of ``columns[i]``, ``file_id`` among them:
        :attr:`file_id`)."""
        insert_columns(self.session, table.__table__, columns, values)

    def resolution_ids(
        self, resolutions: Mapping[str, dict], versions: Mapping[str, str]
    ) -> dict[str, int]:
        return resolution_ids(self.session, resolutions, versions)


def resolution_ids(
    session: Session, resolutions: Mapping[str, dict], versions: Mapping[str, str]
) -> dict[str, int]:
    """Ids of the stored resolutions of these queries, inserting the missing ones.

    ``versions`` (data_version, rules_version, tool_version, region) is part of the key: a
    resolution made with other data or rules, or for another region, is never reused. They
    are inserted in the order of their queries, skipping any stored already (by a concurrent
    writer: ON CONFLICT DO NOTHING), then their ids read in one pass: two writers take the
    locks of the same keys in the same order, so they cannot deadlock (PostgreSQL). A database
    without that clause is asked which are stored first.
    """
    table = ResolutionRow.__table__
    insert_of = _DIALECT_INSERTS.get(session.get_bind().dialect.name)
    found = {} if insert_of else stored_ids(session, list(resolutions), versions)
    missing = sorted(q for q in resolutions if q not in found)
    if missing:
        columns = [*resolutions[missing[0]], *versions, "query"]
        rows = [(*resolutions[q].values(), *versions.values(), q) for q in missing]
        if insert_of is None:
            bulk_insert(session, table, columns, rows)
        else:
            statement = insert_of(table).on_conflict_do_nothing(index_elements=list(RESOLUTION_KEY))
            bulk_insert(session, table, columns, rows, statement)
        found.update(stored_ids(session, missing, versions))
    return found


_DIALECT_INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}
"""Inserts that can skip a row whose key is stored (ON CONFLICT DO NOTHING)."""


def stored_resolutions(
    session: Session, queries: list[str], versions: Mapping[str, str]
) -> dict[str, tuple[int, str]]:
    """Stored resolutions of these queries for these versions: query -> (id, verdict JSON)."""
    return _stored(session, (ResolutionRow.id, ResolutionRow.verdict), queries, versions)


def stored_ids(session: Session, queries: list[str], versions: Mapping[str, str]) -> dict[str, int]:
    """The ids of the stored resolutions of these queries for these versions (their verdicts,
    kilobytes each, not read)."""
    found = _stored(session, (ResolutionRow.id,), queries, versions)
    return {query: rid for query, (rid,) in found.items()}


def _stored(
    session: Session, columns: tuple, queries: list[str], versions: Mapping[str, str]
) -> dict[str, tuple]:
    connection = session.connection()
    marker = _MARKERS.get(connection.dialect.paramstyle)
    if marker is None:  # a driver with named parameters: SQLAlchemy's expanding IN
        return _stored_expanding(session, columns, queries, versions)
    # the statement written out with one marker per query: SQLAlchemy's expanding IN made a
    # bound parameter per query and name, a millisecond per 500 (a tenth of a chunk's writing)
    quote = connection.dialect.identifier_preparer.quote
    table = ResolutionRow.__table__
    selected = ", ".join(quote(c.key) for c in (ResolutionRow.query, *columns))
    same = " AND ".join(f"{quote(key)} = {marker}" for key in versions)
    fixed = tuple(versions.values())
    found: dict[str, tuple] = {}
    for start in range(0, len(queries), LOOKED_UP):
        part = queries[start : start + LOOKED_UP]
        markers = ", ".join([marker] * len(part))
        statement = (
            f"SELECT {selected} FROM {quote(table.name)} "
            f"WHERE {quote('query')} IN ({markers}) AND {same}"
        )
        rows = connection.exec_driver_sql(statement, (*part, *fixed))
        found.update((query, tuple(values)) for query, *values in rows)
    return found


LOOKED_UP = 500
"""Queries looked up per statement (SQLite allows 32,766 markers since 3.32, 999 before)."""
_MARKERS = {"qmark": "?", "format": "%s", "pyformat": "%s"}
"""The positional parameter marker of a driver's paramstyle."""


def _stored_expanding(
    session: Session, columns: tuple, queries: list[str], versions: Mapping[str, str]
) -> dict[str, tuple]:
    same = [getattr(ResolutionRow, key) == value for key, value in versions.items()]
    found: dict[str, tuple] = {}
    for start in range(0, len(queries), LOOKED_UP):
        rows = session.execute(
            select(ResolutionRow.query, *columns).where(
                ResolutionRow.query.in_(queries[start : start + LOOKED_UP]), *same
            )
        )
        found.update((query, tuple(values)) for query, *values in rows)
    return found
