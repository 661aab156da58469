"""A million rows: ingest peak memory, `rematch` of every stored finding, PostgreSQL vs SQLite.

    .venv/bin/python benchmarks/ingest_million.py [--rows 1000000] [--format nist] [--file F]
        [--postgresql]

The file (``benchmarks/formats.py``, same seed; or ``--file``) is ingested by `subsmatch ingest`
as its own process into an empty SQLite database: wall and CPU seconds (``wait4``, OPSIN's JVM
included) and peak resident memory. Then every stored resolution is marked as made by another
tool version (as after an upgrade) and `subsmatch rematch` judges them all again and moves every
finding: its wall and CPU seconds and peak memory. With ``--postgresql`` the same file is also
ingested into a fresh database on a throwaway server on loopback (its server's CPU is not in the
process's figure; the wall time is the comparison). Targets (issue 17): peak <= 500 MB,
rematch of 1,000,000 findings <= 60 s, PostgreSQL within 1.5x of SQLite.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import sys
import tempfile
from contextlib import ExitStack
from pathlib import Path

from formats import WRITERS, write_all
from ingest_formats import Peak, timed

from subsmatch.store.testing import ServerUnavailable, create_database, throwaway_postgres

ROOT = Path(__file__).resolve().parents[1]
EXE = str(ROOT / ".venv" / "bin" / "subsmatch")


def run(*args: str) -> tuple[float, float, Peak, str]:
    """Wall seconds, CPU seconds, peak memory and stdout of one ``subsmatch`` process."""
    return timed([EXE, *args])


def line(case: str, rows: int, wall: float, cpu: float, peak: Peak, note: str = "") -> None:
    print(
        f"| {case} | {rows:,} | {wall:.1f} | {cpu:.1f} | {rows / wall:,.0f} | {peak} "
        f"| {note} | load {os.getloadavg()[0]:.1f} |",
        flush=True,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--format", choices=list(WRITERS), default="nist")
    parser.add_argument("--file", type=Path, help="an existing report instead of a generated one")
    parser.add_argument("--postgresql", action="store_true", help="also a throwaway PostgreSQL")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder, ExitStack() as up:
        work = Path(folder)
        path = (
            args.file or write_all(work / "files", args.rows, args.seed, [args.format])[args.format]
        )
        print("| case | rows | wall s | CPU s | rows/s (wall) | peak RSS | | |")
        print("|---|---|---|---|---|---|---|---|")
        database = work / "million.sqlite"
        wall, cpu, peak, out = run("--db", f"sqlite:///{database}", "ingest", str(path), "--json")
        summary = json.loads(out)[0]
        rows = summary["rows_read"]
        line(f"ingest {path.name} into SQLite", rows, wall, cpu, peak)
        with sqlite3.connect(database) as connection:  # as if a newer tool had made them
            connection.execute("update resolutions set tool_version = 'before'")
            stored = connection.execute("select count(*) from findings").fetchone()[0]
        wall, cpu, peak, out = run("--db", f"sqlite:///{database}", "rematch", "--json")
        done = json.loads(out)
        line(
            "rematch of every stored finding (SQLite)",
            stored,
            wall,
            cpu,
            peak,
            f"{done['rejudged']:,} verdicts judged again, {done['findings_moved']:,} moved",
        )
        if args.postgresql:
            try:
                host = up.enter_context(throwaway_postgres())
            except ServerUnavailable as error:
                sys.exit(f"PostgreSQL not measured: {error}")
            url = create_database(host, "million")
            wall, cpu, peak, out = run("--db", url, "ingest", str(path), "--json")
            line(f"ingest {path.name} into PostgreSQL", rows, wall, cpu, peak, "server CPU apart")
    return 0


if __name__ == "__main__":
    sys.exit(main())
