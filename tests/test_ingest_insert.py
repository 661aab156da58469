"""The ingest's insert path: rows written with constant columns inlined store what bound ones
store, and stored resolutions are found by the written-out lookup (SQLite and PostgreSQL)."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

from sqlalchemy import insert
from sqlalchemy.orm import Session

from subsmatch.store.engine import make_engine, writer
from subsmatch.store.ingests import (
    INLINED_FROM,
    FileWriter,
    insert_columns,
    resolution_ids,
    stored_ids,
    stored_resolutions,
)
from subsmatch.store.models import AnalysisRow, FindingRow, RejectionRow

FILE = {
    "source_name": "x.csv",
    "sha256": "0" * 64,
    "format": "csv",
    "reader": "csv",
    "profile": None,
    "data_version": "d",
    "tool_version": "t",
}
ROWS = 2 * INLINED_FROM


def _insert(engine, table, values: dict[str, list], way: str) -> None:
    """Rows given as columns, inserted by the ingest's path or by SQLAlchemy's own."""
    with Session(writer(engine)) as session, session.begin():
        if way == "inlined":
            insert_columns(session, table, list(values), list(values.values()))
        else:
            rows = zip(*values.values(), strict=True)
            session.execute(insert(table), [dict(zip(values, row, strict=True)) for row in rows])


def _findings(file_id: int, constant: bool) -> dict[str, list]:
    """Findings columns: every kind of value, constant down a column or varying."""

    def column(*values):
        return [values[0]] * ROWS if constant else [values[i % len(values)] for i in range(ROWS)]

    return {
        "file_id": [file_id] * ROWS,
        "analysis_key": column("A1", "A2"),
        "locator": [f"x.csv line {i}" for i in range(ROWS)],
        "rank": column(None, 2),
        "role": column("hit_candidate", "no_hit"),
        "name": column("it's 'quoted'", "Ölsäure 𝔸", None),
        "cas": column(None, "50-00-0"),
        "cas_raw": column(2**62, "x"),
        "formula": column(7.0, 7),  # a float equal to an int stays a float
        "scores": column("[]", "[1]"),
        "asserted_identified": column(True, False),
        "extras": column("{}", "a\x00b"),  # a NUL stays bound
        "resolution_id": column(None),
        "status": column("a" * 500, "controlled"),  # too long to inline
    }


def _stored(path) -> list[tuple]:
    with sqlite3.connect(path) as connection:
        columns = [c for c in _findings(1, True) if c != "file_id"]
        typed = ", ".join(f"typeof({c}), {c}" for c in columns)
        return connection.execute(f"select {typed} from findings order by id").fetchall()


def test_constant_columns_written_into_the_statement_store_what_bound_ones_store(tmp_path):
    for constant in (True, False):
        stored = []
        for way in ("inlined", "sqlalchemy"):
            path = tmp_path / f"{way}_{constant}.sqlite"
            engine = make_engine(f"sqlite:///{path}")
            file_id = FileWriter(engine, FILE).file_id
            values = _findings(file_id, constant)
            _insert(engine, FindingRow.__table__, values, way)
            stored.append(_stored(path))
            engine.dispose()
        assert stored[0] == stored[1]
        assert len(stored[0]) == ROWS


def test_rows_whose_every_column_is_constant_are_each_stored(tmp_path):
    path = tmp_path / "same.sqlite"
    engine = make_engine(f"sqlite:///{path}")
    file_id = FileWriter(engine, FILE).file_id
    columns = ["file_id", "analysis_key", "locator", "reason", "raw"]
    values = [[file_id] * ROWS, [None] * ROWS, ["l"] * ROWS, ["r"] * ROWS, ["a,b"] * ROWS]
    with Session(writer(engine)) as session, session.begin():
        insert_columns(session, RejectionRow.__table__, columns, values)
    engine.dispose()
    with sqlite3.connect(path) as connection:
        stored = connection.execute(
            "select typeof(analysis_key), locator, reason, raw from rejections"
        ).fetchall()
    assert stored == [("null", "l", "r", "a,b")] * ROWS


def test_a_constant_time_is_stored_as_a_bound_one_is(tmp_path):
    moment = datetime(2024, 5, 1, 12, 30, 1, 250, tzinfo=UTC)
    stored = []
    for way in ("inlined", "sqlalchemy"):
        path = tmp_path / f"{way}.sqlite"
        engine = make_engine(f"sqlite:///{path}")
        file_id = FileWriter(engine, FILE).file_id
        values = {
            "file_id": [file_id] * ROWS,
            "analysis_key": [f"A{i}" for i in range(ROWS)],
            "locator": ["l"] * ROWS,
            "reader_version": ["csv 1"] * ROWS,
            "measured_at": [moment] * ROWS,
            "verdict": ["not_reported"] * ROWS,
            "extras": ["{}"] * ROWS,
        }
        _insert(engine, AnalysisRow.__table__, values, way)
        engine.dispose()
        with sqlite3.connect(path) as connection:
            stored.append(
                connection.execute(
                    "select typeof(measured_at), measured_at, analysis_key from analyses"
                ).fetchall()
            )
    assert stored[0] == stored[1] and len(stored[0]) == ROWS


def _lookups(url: str) -> None:
    engine = make_engine(url)
    versions = {"data_version": "d", "rules_version": "r", "tool_version": "t", "region": "eu"}
    other = {**versions, "region": "us"}
    queries = [f"name {i} 'x'" for i in range(1200)]  # over two statements' worth
    values = {"status": "controlled", "verdict": "{}", "confidence": 0.5, "uncertain": False}
    with Session(writer(engine)) as session, session.begin():
        ids = resolution_ids(session, {q: values for q in queries}, versions)
        resolution_ids(session, {queries[0]: values}, other)
    assert sorted(ids) == sorted(queries) and len(set(ids.values())) == len(queries)
    with Session(engine) as session:
        asked = ["absent", *queries[::7]]
        assert stored_ids(session, asked, versions) == {q: ids[q] for q in queries[::7]}
        found = stored_resolutions(session, queries[:3], versions)
        assert found == {q: (ids[q], "{}") for q in queries[:3]}
        assert list(stored_ids(session, queries[:3], other)) == [queries[0]]
        assert stored_ids(session, [], versions) == {}
    engine.dispose()


def test_stored_resolutions_are_found_by_query_and_versions_on_sqlite(tmp_path):
    _lookups(f"sqlite:///{tmp_path / 'r.sqlite'}")


def test_stored_resolutions_are_found_by_query_and_versions_on_postgresql(pg_url):
    _lookups(pg_url)
