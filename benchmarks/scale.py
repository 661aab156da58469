"""Scale: batch matching in process against Dask (2 workers), and SQLite against PostgreSQL ingest.

    .venv/bin/python benchmarks/scale.py [--rows 100000 1000000] [--ingest-rows 100000]

For each size a findings table (Parquet) is generated: names drawn Zipf-like over 3,000
reference substances, 5% misspelled, 10% unknown. `subsmatch match` runs on it in process and
with `--engine dask --workers 2`; wall time, rows/s and peak memory (of the command and its
workers) are reported, and how time grows with rows. Then the same LIMS export is ingested
into SQLite and into a throwaway PostgreSQL server on loopback.
"""

from __future__ import annotations

import argparse
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from subsmatch.reference.lists import load
from subsmatch.store.testing import ServerUnavailable, create_database, throwaway_postgres

ROOT = Path(__file__).resolve().parents[1]
EXE = str(ROOT / ".venv" / "bin" / "subsmatch")
sys.path.insert(0, str(ROOT / "benchmarks"))
from ingest import write_export  # noqa: E402 - the LIMS export generator of benchmarks/ingest.py


def findings_table(path: Path, rows: int, seed: int = 3) -> None:
    rng = random.Random(seed)
    names = sorted({s.name for s in load().substances.values() if len(s.name) <= 40})
    rng.shuffle(names)
    names = names[:3000]
    weights = [1 / (rank + 1) for rank in range(len(names))]
    drawn = rng.choices(names, weights, k=rows)
    for i in range(rows):
        roll = rng.random()
        if roll < 0.05 and len(drawn[i]) > 4:
            pos = rng.randrange(1, len(drawn[i]))
            drawn[i] = drawn[i][:pos] + rng.choice("aeiou") + drawn[i][pos + 1 :]
        elif roll < 0.15:
            drawn[i] = f"unknown compound {rng.randrange(5000)}"
    pd.DataFrame({"id": range(rows), "name": drawn}).to_parquet(path)


def timed(*args: str) -> tuple[float, float]:
    """Wall seconds and peak resident MiB of the largest process the command ran."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    subprocess.run([EXE, *args], check=True, capture_output=True)
    seconds = time.perf_counter() - start
    peak = max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024
    return seconds, peak


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--ingest-rows", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        print(f"{'rows':>10} {'engine':>7} {'seconds':>8} {'rows/s':>9} {'peak MiB':>9}")
        for rows in args.rows:
            source = work / f"findings_{rows}.parquet"
            findings_table(source, rows)
            for engine in ("python", "dask"):
                out = work / f"matched_{rows}_{engine}.parquet"
                extra = ["--engine", "dask", "--workers", "2"] if engine == "dask" else []
                seconds, peak = timed("match", str(source), "--out", str(out), *extra)
                print(f"{rows:>10,} {engine:>7} {seconds:8.1f} {rows / seconds:9,.0f} {peak:9.0f}")
                shutil.rmtree(out, ignore_errors=True) if out.is_dir() else out.unlink()
        export = work / "lims.csv"
        write_export(export, args.ingest_rows, 3000, 11)
        sqlite = f"sqlite:///{work / 'scale.sqlite'}"
        seconds, peak = timed("--db", sqlite, "ingest", str(export))
        print(
            f"\ningest {args.ingest_rows:,} rows into SQLite:     {seconds:6.1f} s = "
            f"{args.ingest_rows / seconds:,.0f} rows/s"
        )
        try:
            with throwaway_postgres() as server:
                url = create_database(server, "scale")
                seconds, peak = timed("--db", url, "ingest", str(export))
                print(
                    f"ingest {args.ingest_rows:,} rows into PostgreSQL: {seconds:6.1f} s = "
                    f"{args.ingest_rows / seconds:,.0f} rows/s"
                )
        except ServerUnavailable as error:
            print(f"PostgreSQL ingest not measured: {error}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
