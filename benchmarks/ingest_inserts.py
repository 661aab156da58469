"""The SQLite inserts of an ingest alone: every analysis and finding of a stored ingest written
again into a fresh file, chunk by chunk as an ingest writes them, bound per row or with each
chunk's constant columns written into the statement (``store.ingests.constants_inlined``).

    .venv/bin/python benchmarks/ingest_inserts.py DB [--chunk 5000] [--runs 2]
        [--pragma "cache_size=-32768" ...]

``DB`` is a SQLite file an ingest wrote (``subsmatch --db sqlite:///DB ingest FILE``). Each run
starts from an empty file with the schema of ``DB``, in WAL mode, each chunk in a transaction
of its own with the PRAGMAs of an ingest's chunk (``synchronous=NORMAL``, the log copied back
past 64 MB, foreign keys not checked) and any ``--pragma`` given. Printed per run: CPU and wall
seconds, the two ways alternating. Last, whether the rows both ways stored are the same, value
and type (``typeof``) of every column.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

from subsmatch.store.ingests import constants_inlined

TABLES = ("analyses", "findings")
CHUNK_PRAGMAS = ("synchronous=NORMAL", "wal_autocheckpoint=16384", "foreign_keys=OFF")


def _columns(source: sqlite3.Connection, table: str) -> list[str]:
    return [row[1] for row in source.execute(f"pragma table_info({table})") if row[1] != "id"]


def write(source: Path, target: Path, chunk: int, inlined: bool, pragmas: list[str]) -> float:
    """Write the tables of ``source`` into a new ``target``; the CPU seconds of the writing."""
    with sqlite3.connect(source) as old:
        schema = [
            sql
            for (sql,) in old.execute(
                "select sql from sqlite_master where sql is not null and tbl_name in "
                "('files', 'resolutions', 'analyses', 'findings')"
            )
        ]
        data = {}
        for table in TABLES:
            names = _columns(old, table)
            data[table] = (names, old.execute(f"select {', '.join(names)} from {table}").fetchall())
    connection = sqlite3.connect(target, isolation_level=None)
    connection.execute("pragma journal_mode=WAL")
    for sql in schema:
        connection.execute(sql)
    for pragma in (*CHUNK_PRAGMAS, *pragmas):
        connection.execute(f"pragma {pragma}")
    rows = max(len(data[table][1]) for table in TABLES)
    start = time.process_time()
    for first in range(0, rows, chunk):
        connection.execute("BEGIN IMMEDIATE")
        for table in TABLES:
            names, stored = data[table]
            part = stored[first : first + chunk]
            if not part:
                continue
            text = (
                f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})"
            )
            columns = [list(column) for column in zip(*part, strict=True)]
            if inlined:
                text, columns = constants_inlined(text, columns)
            connection.executemany(text, list(zip(*columns, strict=True)))
        connection.execute("COMMIT")
    seconds = time.process_time() - start
    connection.close()
    return seconds


def typed_rows(database: Path) -> list[list[tuple]]:
    with sqlite3.connect(database) as connection:
        return [
            connection.execute(
                f"select {', '.join(f'typeof({c}), {c}' for c in _columns(connection, table))} "
                f"from {table} order by id"
            ).fetchall()
            for table in TABLES
        ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database", type=Path)
    parser.add_argument("--chunk", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--pragma", action="append", default=[])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        for run in range(args.runs):
            for inlined in (False, True):
                target = Path(folder) / f"{run}_{inlined}.sqlite"
                wall = time.perf_counter()
                cpu = write(args.database, target, args.chunk, inlined, args.pragma)
                way = "constants inlined" if inlined else "bound per row"
                print(
                    f"{way:18} CPU {cpu:5.2f} s  wall {time.perf_counter() - wall:6.2f} s  "
                    f"load {os.getloadavg()[0]:.1f}",
                    flush=True,
                )
        same = typed_rows(Path(folder) / "0_False.sqlite") == typed_rows(
            Path(folder) / "0_True.sqlite"
        )
        print(f"stored rows: {'identical' if same else 'DIFFER'}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
