"""Ingest throughput and peak memory on a generated LIMS export, against a no-chemistry floor.

    .venv/bin/python benchmarks/ingest.py [--rows 200000] [--substances 3000] [--seed 11]

The export follows the shipped LIMS profile. Substance names are drawn Zipf-like over a few
thousand reference names; 5% are misspelled (one letter changed), 10% are unknown names, 2% of
the rows are malformed (an extra column or an impossible date). Measured: wall time and peak
resident memory of `subsmatch ingest` into a fresh SQLite file (a separate process); then a
second export (same substances, other rows) into the same database, where the stored
resolutions are reused; and the floor: `pandas.read_csv` plus `DataFrame.to_sql` into SQLite,
without chemistry, in this process on a raw sqlite3 connection (the target's floor), and for
comparison as its own process through SQLAlchemy, as subsmatch runs and stores.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from subsmatch.reference.lists import load

ROOT = Path(__file__).resolve().parents[1]
HEADER = [
    "Lab Case Number",
    "Agency Case Number",
    "Submitting Agency",
    "Laboratory",
    "Country",
    "Item Number",
    "Item Description",
    "Submission Date",
    "Analysis Date",
    "Analyst",
    "Method",
    "Result",
    "Substance Identified",
    "CAS Number",
    "Quantity",
    "Unit",
    "Purity (%)",
]


def substance_names(count: int, rng: random.Random) -> list[str]:
    names = sorted({s.name for s in load().substances.values() if len(s.name) <= 40})
    rng.shuffle(names)
    return names[:count]


def write_export(path: Path, rows: int, substances: int, seed: int) -> None:
    rng = random.Random(seed)
    names = substance_names(substances, rng)
    weights = [1 / (rank + 1) for rank in range(len(names))]  # Zipf, s = 1
    drawn = rng.choices(names, weights, k=rows)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for i, name in enumerate(drawn):
            roll = rng.random()
            if roll < 0.05 and len(name) > 4:
                pos = rng.randrange(1, len(name))
                name = name[:pos] + rng.choice("aeiou") + name[pos + 1 :]
            elif roll < 0.15:
                name = f"unknown compound {rng.randrange(5000)}"
            row = [
                f"24-{i // 4:06d}",
                f"AG-{i // 40:05d}",
                "Customs hub",
                "Lab North",
                "NL",
                str(i % 4 + 1),
                "white powder",
                "11/03/2024",
                "14/03/2024",
                "J. Doe",
                "GC-MS",
                "Identified",
                name,
                "",
                "1.20",
                "g",
                "50",
            ]
            malformed = rng.random()
            if malformed < 0.01:
                row.append("surplus")
            elif malformed < 0.02:
                row[8] = "31/02/2024"
            writer.writerow(row)


def run_ingest(path: Path, db: Path) -> tuple[float, float, dict]:
    start = time.perf_counter()
    result = subprocess.run(
        [
            str(ROOT / ".venv" / "bin" / "subsmatch"),
            "--db",
            f"sqlite:///{db}",
            "ingest",
            str(path),
            "--json",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    seconds = time.perf_counter() - start
    peak_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return seconds, peak_mib, json.loads(result.stdout)[0]


def floor(path: Path, db: Path) -> float:
    start = time.perf_counter()
    frame = pd.read_csv(path, dtype=str, on_bad_lines="skip")
    with sqlite3.connect(db) as connection:
        frame.to_sql("findings", connection, index=False)
    return time.perf_counter() - start


FLOOR_THROUGH_SQLALCHEMY = """
import sys
import pandas as pd
from sqlalchemy import create_engine
frame = pd.read_csv(sys.argv[1], dtype=str, on_bad_lines="skip")
frame.to_sql("findings", create_engine(f"sqlite:///{sys.argv[2]}"), index=False)
"""


def floor_as_a_process(path: Path, db: Path) -> float:
    """The floor measured as subsmatch is: its own process, storing through SQLAlchemy."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", FLOOR_THROUGH_SQLALCHEMY, str(path), str(db)], check=True)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--substances", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        export = Path(tmp) / "lims_export.csv"
        write_export(export, args.rows, args.substances, args.seed)
        size = export.stat().st_size / 2**20
        seconds, peak, summary = run_ingest(export, Path(tmp) / "subsmatch.sqlite")
        again = Path(tmp) / "lims_export_2.csv"
        write_export(again, args.rows, args.substances, args.seed + 1)
        warm_seconds, _peak, _summary = run_ingest(again, Path(tmp) / "subsmatch.sqlite")
        floor_seconds = floor(export, Path(tmp) / "floor.sqlite")
        process_floor = floor_as_a_process(export, Path(tmp) / "floor_process.sqlite")
    rate = args.rows / seconds
    print(f"export: {args.rows:,} rows, {size:.1f} MiB, {args.substances} substances (Zipf)")
    print(
        f"ingest: {seconds:.1f} s = {rate:,.0f} rows/s (target >= 20,000); peak RSS {peak:.0f} MiB"
    )
    print(
        f"        rows read {summary['rows_read']:,} = {summary['findings']:,} findings + "
        f"{summary['rejections']:,} rejections; statuses {summary['statuses']}"
    )
    print(
        f"ingest of a second export (other rows, same substances) into the same database: "
        f"{warm_seconds:.1f} s = {args.rows / warm_seconds:,.0f} rows/s (resolutions reused)"
    )
    print(
        f"floor (pandas.read_csv + to_sql): {floor_seconds:.1f} s = "
        f"{args.rows / floor_seconds:,.0f} rows/s; subsmatch is {seconds / floor_seconds:.1f}x "
        "the floor (target <= 3x)"
    )
    print(
        f"for comparison, the floor as its own process storing through SQLAlchemy (as subsmatch "
        f"does): {process_floor:.1f} s; subsmatch is {seconds / process_floor:.1f}x that"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
