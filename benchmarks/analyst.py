"""Analyst commands on a generated database: trends, alerts, report and export at scale.

    .venv/bin/python benchmarks/analyst.py [--findings 100000] [--seed 5] [--keep DIR]

Generates JSON Lines reports (field screenings at postal hubs and lab confirmations over two
years, four countries, names drawn Zipf-like over the reference, a few new substances given as
SMILES that no list names), ingests them with `subsmatch ingest`, then times `trends`,
`alerts`, `report` (target <= 30 s) and `export` in all four formats.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from subsmatch.reference.lists import load

ROOT = Path(__file__).resolve().parents[1]
EXE = str(ROOT / ".venv" / "bin" / "subsmatch")
COUNTRIES = ("NL", "BE", "DE", "LU")
NEW_SUBSTANCES = (  # structures on no list, appearing late: analogue alerts
    "CCCC(NC)C(=O)c1ccc(F)c(C)c1",
    "CCN(CC)C(=O)C1(c2ccccc2)CCN(C)CC1",
    "CNC(CC)C(=O)c1ccc2c(c1)CCC2",
    "CCCCCCn1nc(C(=O)NC(C(=O)OC)C(C)(C)C)c2cccnc21",
)


def write_reports(folder: Path, findings: int, seed: int) -> int:
    rng = random.Random(seed)
    reference = load()
    names = sorted(
        {
            s.name
            for s in reference.substances.values()
            if len(s.name) <= 30 and reference.listings.get(s.substance_id)
        }
    )
    rng.shuffle(names)
    names = names[:800]
    weights = [1 / (rank + 1) ** 0.9 for rank in range(len(names))]
    start = datetime(2024, 1, 1, tzinfo=UTC)
    written, file_no = 0, 0
    while written < findings:
        file_no += 1
        lines = []
        for _ in range(500):
            when = start + timedelta(minutes=rng.randrange(60 * 24 * 730))
            country = rng.choice(COUNTRIES)
            case = f"{country}-{when:%y}-{rng.randrange(4000):05d}"
            late = when > start + timedelta(days=600)
            name = (
                rng.choice(NEW_SUBSTANCES)
                if late and rng.random() < 0.02
                else rng.choices(names, weights)[0]
            )
            context = rng.choice(("field_screening", "field_screening", "lab_confirmation"))
            lines.append(
                json.dumps(
                    {
                        "context": context,
                        "technique": "Raman" if context.startswith("field") else "GC-MS",
                        "country": country,
                        "case_id": case,
                        "item_id": "1",
                        "measured_at": when.isoformat(),
                        "verdict": "positive",
                        "findings": [{"name": name, "rank": 1}],
                    }
                )
            )
        (folder / f"reports_{file_no:04d}.jsonl").write_text("\n".join(lines) + "\n")
        written += len(lines)
    return written


def timed(*args: str) -> float:
    start = time.perf_counter()
    subprocess.run([EXE, *args], check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--findings", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--keep", type=Path, help="keep the database and outputs here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = args.keep or Path(tmp)
        (work / "reports").mkdir(parents=True, exist_ok=True)
        db = f"sqlite:///{work / 'analyst.sqlite'}"
        count = write_reports(work / "reports", args.findings, args.seed)
        print(f"generated {count:,} findings in {len(list((work / 'reports').iterdir()))} files")
        print(f"ingest:  {timed('--db', db, 'ingest', str(work / 'reports')):6.1f} s")
        print(f"trends:  {timed('--db', db, 'trends', '--by', 'month', '--json'):6.1f} s")
        print(f"alerts:  {timed('--db', db, 'alerts', '--json'):6.1f} s")
        report = work / "report.html"
        seconds = timed("--db", db, "report", "--out", str(report))
        size = report.stat().st_size / 1024
        print(f"report:  {seconds:6.1f} s (target <= 30 s), {size:,.0f} KiB")
        for fmt in ("csv", "json", "parquet", "sdf"):
            out = work / f"export.{fmt}"
            seconds = timed("--db", db, "export", "--format", fmt, "--out", str(out))
            print(f"export {fmt:<7} {seconds:6.1f} s, {out.stat().st_size / 2**20:.1f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
