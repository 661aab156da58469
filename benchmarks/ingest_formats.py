"""Ingest speed on every shipped format, and against the hand-written alternative.

    .venv/bin/python benchmarks/ingest_formats.py [--rows 200000] [--format nist ...] [--diy]
        [--db-url postgresql+psycopg://...]   # PostgreSQL instead of a fresh SQLite file

For each format a file of ``--rows`` rows is generated (``benchmarks/formats.py``, same seed, same
files) and ingested by `subsmatch ingest` as its own process into an empty database: the whole
process is timed (start-up, reading, resolution, rules, analogues, evidence, storing), its peak
resident memory read from the kernel (wait4), and its process tree's (judging workers, OPSIN JVMs)
summed RSS and PSS sampled. ``--diy`` also runs ``benchmarks/diy.py`` on the
same NIST file, right after subsmatch, and prints the ratio. Targets (issue 17): every format
>= 25,000 rows/s for 200,000 rows; subsmatch >= 3x faster than the DIY script on the NIST file.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import NamedTuple

from formats import WRITERS, write_all
from ingest_tree import TreeMemory

ROOT = Path(__file__).resolve().parents[1]
BIN = ROOT / ".venv" / "bin"


class Peak(NamedTuple):
    """Peak memory (MiB): the largest single process (``wait4``), and the process tree's summed
    RSS and PSS (sampled: judging workers and OPSIN JVMs included)."""

    rss: float
    tree_rss: float
    tree_pss: float

    def __str__(self) -> str:
        return f"{self.rss:.0f} MiB (tree RSS {self.tree_rss:.0f}, PSS {self.tree_pss:.0f})"


def timed(command: list[str]) -> tuple[float, float, Peak, str]:
    """Wall seconds, CPU seconds (``wait4``: it and its children), peak memory and stdout of
    one process."""
    start = time.perf_counter()
    with tempfile.TemporaryFile() as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.PIPE)
        with TreeMemory(process.pid) as tree:
            _pid, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        stderr = process.stderr.read().decode() if process.stderr else ""
        if os.waitstatus_to_exitcode(status) not in (0, 3):
            sys.exit(f"{' '.join(command)} failed:\n{stderr}")
        out.seek(0)
        cpu = usage.ru_utime + usage.ru_stime
        peak = Peak(usage.ru_maxrss / 1024, tree.rss_mib, tree.pss_mib)
        return seconds, cpu, peak, out.read().decode()


def ingest(path: Path, db_url: str) -> tuple[float, Peak, dict]:
    seconds, _cpu, peak, out = timed(
        [str(BIN / "subsmatch"), "--db", db_url, "ingest", str(path), "--json"]
    )
    return seconds, peak, json.loads(out)[0]


def diy(path: Path, workdir: Path) -> float:
    seconds, _cpu, _peak, _out = timed(
        [str(BIN / "python"), str(ROOT / "benchmarks" / "diy.py"), str(path), str(workdir / "d.db")]
    )
    return seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--format", action="append", choices=list(WRITERS), dest="formats")
    parser.add_argument("--diy", action="store_true", help="also run benchmarks/diy.py on NIST")
    parser.add_argument("--db-url", help="a database URL instead of a fresh SQLite file per run")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        files = write_all(work / "files", args.rows, args.seed, args.formats)
        print("| format | rows | seconds | rows/s | peak RSS | findings + rejections |")
        print("|---|---|---|---|---|---|")
        for fmt, path in files.items():
            url = args.db_url or f"sqlite:///{work / (fmt + '.sqlite')}"
            seconds, peak, summary = ingest(path, url)
            rows = summary["rows_read"]
            print(
                f"| {fmt} | {rows:,} | {seconds:.1f} | {rows / seconds:,.0f} | {peak} |"
                f" {summary['findings']:,} + {summary['rejections']:,} |"
            )
            if fmt == "nist" and args.diy:
                alone = diy(path, work)
                print(
                    f"| nist, benchmarks/diy.py | {rows:,} | {alone:.1f} | {rows / alone:,.0f} |"
                    f" | subsmatch {alone / seconds:.2f}x faster |"
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
