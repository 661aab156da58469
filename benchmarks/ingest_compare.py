"""Ingest time of one file before and after a change, runs interleaved, SQLite and PostgreSQL.

    .venv/bin/python benchmarks/ingest_compare.py FILE [--before main] [--runs 2] [--postgresql]
        [--rematch]

Each run is ``subsmatch ingest FILE --json`` in its own process into an empty database (a fresh
SQLite file; with ``--postgresql`` also a fresh database on a throwaway server), from the before
tree's sources (a ``git worktree`` of the ref) and from this tree's, alternately. Printed per
run: wall seconds and the CPU seconds of the process and its children (``wait4``; OPSIN's JVM
included), the least disturbed figure on a shared machine, the peak memory of its process tree
(summed RSS and PSS, sampled: workers and JVMs included), and the statuses, which must agree.
With ``--rematch`` each SQLite database is then marked as made by another tool version (as
after an upgrade) and ``subsmatch rematch --json`` of the same tree judges every stored verdict
again; its time and counts are printed too. Each SQLite database's rows are digested table by
table (:func:`stored_digest`) and the two sides compared: the last line says "stored rows:
identical" or which tables differ.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

from compare import PYTHON, ROOT, tree_at  # the sibling benchmark (this folder is on sys.path)
from ingest_tree import TreeMemory

from subsmatch.store.testing import ServerUnavailable, create_database, throwaway_postgres


def subsmatch(tree: Path, url: str, *args: str) -> tuple[float, float, TreeMemory, dict | list]:
    """Wall and CPU seconds of one ``subsmatch --db URL ARGS`` from ``tree``, the peak memory
    of its process tree (workers and JVMs included), and its JSON."""
    env = dict(os.environ, PYTHONPATH=str(tree))
    command = [str(PYTHON), "-c", "from subsmatch.cli import run; run()"]
    start = time.perf_counter()
    with tempfile.TemporaryFile() as out:
        process = subprocess.Popen(
            [*command, "--db", url, *args],
            stdout=out,
            stderr=subprocess.DEVNULL,
            env=env,
            cwd=tree,  # ``-c`` puts the working folder first on sys.path: it must be the tree's
        )
        with TreeMemory(process.pid) as memory:
            _pid, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        if os.waitstatus_to_exitcode(status) not in (0, 3):
            sys.exit(f"{tree}: {' '.join(args)} failed")
        out.seek(0)
        return seconds, usage.ru_utime + usage.ru_stime, memory, json.loads(out.read())


DIGESTED = {
    "files": "select source_name, sha256, version, format, reader, profile, rows_read, analyses,"
    " findings, rejections, notes, writing_since is null from files",
    "analyses": "select * from analyses",
    "findings": "select f.*, r.query from findings f left join resolutions r"
    " on r.id = f.resolution_id",
    "rejections": "select * from rejections",
    "resolutions": "select * from resolutions",
}
"""What is digested per table; ids, times and versions are left out (below)."""
LEFT_OUT = {"id", "file_id", "resolution_id", "tool_version", "data_version", "rules_version"}


def stored_digest(database: Path) -> dict[str, str]:
    """A digest of each table's rows, sorted, without ids, times and versions (a finding's
    resolution by its query): the same for two ingests that stored the same."""
    digests = {}
    with sqlite3.connect(database) as connection:
        for table, query in DIGESTED.items():
            cursor = connection.execute(query)
            kept = [
                i
                for i, d in enumerate(cursor.description)
                if d[0] not in LEFT_OUT and not d[0].endswith(("_at", "_since"))
            ]
            rows = sorted(repr([row[i] for i in kept]) for row in cursor)
            digests[table] = hashlib.sha256("\n".join(rows).encode()).hexdigest()
    return digests


def as_if_another_tool_made(database: Path) -> None:
    """Mark every stored verdict as made by another tool version (as after an upgrade)."""
    with sqlite3.connect(database) as connection:
        connection.execute("update resolutions set tool_version = 'before'")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file")
    parser.add_argument("--before", default="main")
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--postgresql", action="store_true", help="also a throwaway PostgreSQL")
    parser.add_argument("--rematch", action="store_true", help="then rematch each SQLite one")
    args = parser.parse_args()
    path = str(Path(args.file).resolve())
    best: dict[tuple[str, str], float] = {}
    digests: dict[str, set[tuple[str, str]]] = {"before": set(), "after": set()}
    with tree_at(args.before) as before, tempfile.TemporaryDirectory() as folder, ExitStack() as up:
        try:
            host = up.enter_context(throwaway_postgres()) if args.postgresql else None
        except ServerUnavailable as error:
            sys.exit(f"PostgreSQL not measured: {error}")
        for run in range(args.runs):
            for side, tree in (("before", before), ("after", ROOT)):
                for engine in ("sqlite", "postgresql") if host else ("sqlite",):
                    name = f"{side}_{engine}_{run}"
                    url = (
                        create_database(host, name)
                        if host and engine == "postgresql"
                        else f"sqlite:///{Path(folder) / name}.sqlite"
                    )
                    wall, cpu, memory, (summary,) = subsmatch(tree, url, "ingest", path, "--json")
                    best[side, engine] = min(best.get((side, engine), cpu), cpu)
                    print(
                        f"{side:6} {engine:10} wall {wall:6.1f} s  CPU {cpu:6.1f} s  "
                        f"tree peak RSS {memory.rss_mib:.0f} PSS {memory.pss_mib:.0f} MiB  "
                        f"{memory.split()}  "
                        f"rows {summary['rows_read']:,}  "
                        f"{json.dumps(summary['statuses'], sort_keys=True)}  "
                        f"load {os.getloadavg()[0]:.1f}",
                        flush=True,
                    )
                    if engine == "sqlite":
                        stored = stored_digest(Path(folder) / f"{name}.sqlite")
                        digests[side] |= set(stored.items())
                    if args.rematch and engine == "sqlite":
                        as_if_another_tool_made(Path(folder) / f"{name}.sqlite")
                        wall, cpu, _memory, done = subsmatch(tree, url, "rematch", "--json")
                        best[side, "rematch"] = min(best.get((side, "rematch"), cpu), cpu)
                        print(
                            f"{side:6} {'rematch':10} wall {wall:6.1f} s  CPU {cpu:6.1f} s  "
                            f"{done['rejudged']:,} verdicts judged again, "
                            f"{done['findings_moved']:,} findings moved  "
                            f"load {os.getloadavg()[0]:.1f}",
                            flush=True,
                        )
    for (side, engine), cpu in best.items():
        print(f"best CPU {side} {engine}: {cpu:.1f} s")
    differ = sorted({table for table, _digest in digests["before"] ^ digests["after"]})
    print(f"stored rows: {'identical' if not differ else 'differ in ' + ', '.join(differ)}")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
