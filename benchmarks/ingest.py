"""Ingest throughput and peak memory on a generated LIMS export, against a no-chemistry floor.

    .venv/bin/python benchmarks/ingest.py [--rows 200000] [--substances 3000] [--seed 11]

The export follows the shipped LIMS profile. Substance names are drawn Zipf-like over a few
thousand reference names; 5% are misspelled (one letter changed), 10% are unknown names, 2% of
the rows are malformed (an extra column or an impossible date). Measured: wall time and peak
resident memory of `subsmatch ingest` into a fresh SQLite file (a separate process); then a
second export (same substances, other rows) into the same database, where the stored
resolutions are reused; and the floor: `pandas.read_csv` plus `DataFrame.to_sql` into SQLite,
without chemistry, in this process on a raw sqlite3 connection (the target's floor), and for
comparison as its own process through SQLAlchemy, as subsmatch runs and stores; and a lower
bound for any pipeline that stores subsmatch's schema: the floor's read, then one analysis and
one finding row per CSV row into the real, indexed tables, without checks or chemistry.
"""

from __future__ import annotations

import argparse
import csv
import gc
import json
import random
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from functools import lru_cache
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine

from subsmatch.ingest.rows import ANALYSIS_COLUMNS, FINDING_COLUMNS
from subsmatch.reference.lists import load
from subsmatch.store.engine import make_engine
from subsmatch.store.ingests import FileWriter
from subsmatch.store.models import AnalysisRow, FindingRow

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


CHUNK_ROWS = 5000
EXTRAS = {  # finding extras of the LIMS profile: JSON label -> CSV column
    "agency_case_number": "Agency Case Number",
    "submitting_agency": "Submitting Agency",
    "submission_date": "Submission Date",
    "item_description": "Item Description",
    "quantity": "Quantity",
    "unit": "Unit",
    "purity_pct": "Purity (%)",
}


@lru_cache(maxsize=4096)
def extras_json(values: tuple[str, ...]) -> str:
    return json.dumps(dict(zip(EXTRAS, values, strict=True)))


def valid(day: str) -> bool:
    try:
        datetime.strptime(day, "%d/%m/%Y")
    except ValueError:
        return False
    return True


def schema_floor(path: Path, db: Path) -> float:
    """Seconds to read the export as the floor does and store the rows subsmatch's schema
    needs for it (one analysis and one finding per row, in the real tables and indexes),
    with no checks and no chemistry, in this process (imports done, as for the floor).

    No pipeline that stores the normalised schema can be quicker than this. The cyclic
    garbage collector is off meanwhile, as in the pipeline while it writes a file."""
    engine = make_engine(f"sqlite:///{db}")
    gc.disable()
    try:
        return _store_schema_rows(path, engine)
    finally:
        gc.enable()
        engine.dispose()


def _store_schema_rows(path: Path, engine: Engine) -> float:
    start = time.perf_counter()
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, on_bad_lines="skip")
    n = len(frame)
    keys = [f"A{i}" for i in range(1, n + 1)]
    locators = [f"{path.name} row {i} line {i + 1}" for i in range(1, n + 1)]
    text = {c: frame[c].tolist() for c in frame.columns}
    days = {d: datetime.strptime(d, "%d/%m/%Y") for d in set(text["Analysis Date"]) if valid(d)}
    measured = [days.get(d) for d in text["Analysis Date"]]
    extras = list(map(extras_json, zip(*(text[c] for c in EXTRAS.values()), strict=True)))
    # the file and each chunk in a short transaction, as the pipeline stores
    stored = FileWriter(
        engine,
        {
            "source_name": path.name,
            "sha256": "0" * 64,
            "format": "csv",
            "reader": "tabular",
            "profile": "lims-case-extract",
            "data_version": "-",
            "tool_version": "-",
        },
    )
    file_id = [stored.file_id] * n
    analysis = {
        "file_id": file_id,
        "analysis_key": keys,
        "locator": locators,
        "reader_version": ["tabular 1.0"] * n,
        "case_id": text["Lab Case Number"],
        "item_id": text["Item Number"],
        "context": ["lab_confirmation"] * n,
        "technique": text["Method"],
        "operator": text["Analyst"],
        "measured_at": measured,
        "measured_at_raw": text["Analysis Date"],
        "location": text["Laboratory"],
        "country": text["Country"],
        "verdict": ["positive"] * n,
        "verdict_raw": text["Result"],
        "extras": ["{}"] * n,
    }
    finding = {
        "file_id": file_id,
        "analysis_key": keys,
        "locator": locators,
        "role": ["identified"] * n,
        "name": text["Substance Identified"],
        "cas_raw": text["CAS Number"],
        "scores": ["[]"] * n,
        "asserted_identified": [True] * n,
        "extras": extras,
        "status": ["unresolved"] * n,
    }
    blank = [None] * n
    for first in range(0, n, CHUNK_ROWS):  # in chunks, as the pipeline stores
        for table, columns, values in (
            (AnalysisRow, ANALYSIS_COLUMNS, analysis),
            (FindingRow, FINDING_COLUMNS, finding),
        ):
            chunk = (values.get(c, blank)[first : first + CHUNK_ROWS] for c in columns)
            with stored.transaction() as rows:
                rows.add(table, columns, zip(*chunk, strict=True))
    stored.finish()
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
        lower_bound = schema_floor(export, Path(tmp) / "schema_floor.sqlite")
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
    print(
        f"lower bound for storing subsmatch's schema (the floor's read, then one analysis and "
        f"one finding row per row into the indexed tables; no checks, no chemistry, no start-up): "
        f"{lower_bound:.1f} s = {lower_bound / floor_seconds:.1f}x the floor"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
