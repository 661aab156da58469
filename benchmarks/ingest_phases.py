"""The ingest's own CPU per phase, the checker's part taken out: a file ingested in process a
second time, into a fresh SQLite database, with a checker that already judged its names.

    .venv/bin/python benchmarks/ingest_phases.py FILE [--runs 2] [--read-only]
    PYTHONPATH=/path/to/another/tree .venv/bin/python benchmarks/ingest_phases.py FILE

The first ingest (untimed) fills the checker's caches; each timed one has a fresh pipeline, so
every distinct query is still looked up, stored and counted, but its verdict comes from the
checker's cache. Printed per run: CPU seconds (``process_time``) of the whole ingest and of its
phases, each measured around one call per chunk (negligible overhead): choosing each key's
verdict, storing the resolutions, building the finding rows, the bulk inserts, the writing of a
chunk as a whole; what is not in the writing is reading (the reader and its limits), chunking
and the collections between chunks. Phases a tree does not have are left out.

``--read-only`` times the reading alone instead (the report's chunks, within the limits, as a
pipeline gets them, findings as their stored values; an older tree's records; the cyclic
collector paused as in an ingest; no database, no checker): the reader's own CPU, least
disturbed by what else runs.
"""

from __future__ import annotations

import argparse
import functools
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from subsmatch.ingest import writer
from subsmatch.ingest.pipeline import Pipeline
from subsmatch.ingest.readers import open_report
from subsmatch.ingest.verdicts import Verdicts
from subsmatch.matchers.checker import Checker, collection_paused
from subsmatch.store import ingests
from subsmatch.store.engine import make_engine

PHASES = (  # (owner, attribute, label): the first names of this tree's and of older ones
    (Verdicts, "choose", "choose verdicts"),
    (writer.ReportWriter, "_new_resolutions", "store resolutions"),
    (writer.ReportWriter, "_finding_columns", "finding rows"),
    (writer.ReportWriter, "_finding_rows", "finding rows"),
    (writer, "analysis_columns", "analysis rows"),
    (ingests.ChunkWriter, "add", "bulk inserts"),
    (writer.ReportWriter, "write", "writing (all)"),
    (writer.ReportWriter, "ask", "asking ahead"),  # a chunk's keys and judging, before writing
)


def timed(spent: Counter, label: str, function):
    @functools.wraps(function)
    def measured(*args, **kwargs):
        start = time.process_time()
        try:
            return function(*args, **kwargs)
        finally:
            spent[label] += time.process_time() - start

    return measured


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", type=Path)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--read-only", action="store_true", help="time the reading alone")
    args = parser.parse_args()
    if args.read_only:
        for run in range(args.runs):
            start = time.process_time()
            with collection_paused(), open_report(args.file) as report:  # as in an ingest
                if hasattr(report, "chunks"):  # as a pipeline reads it: chunks of stored values
                    chunks = report.chunks(5000)
                    records = sum(len(a) + len(f) + len(r) for a, f, r in chunks)
                else:  # a tree before chunks of stored values: its records
                    records = sum(1 for _record in report)
            seconds = time.process_time() - start
            print(f"run {run}: reading CPU {seconds:.2f} s, {records:,} records", flush=True)
        return 0
    checker = Checker(kept=10**7)  # keeps every verdict of the file
    folder = Path(tempfile.mkdtemp())
    Pipeline(make_engine(f"sqlite:///{folder / 'warm.sqlite'}"), checker).ingest(args.file)
    spent: Counter = Counter()
    for owner, name, label in PHASES:
        if (function := getattr(owner, name, None)) is not None:
            setattr(owner, name, timed(spent, label, function))
    for run in range(args.runs):
        spent.clear()
        pipeline = Pipeline(make_engine(f"sqlite:///{folder / f'{run}.sqlite'}"), checker)
        start, wall = time.process_time(), time.perf_counter()
        summary = pipeline.ingest(args.file)
        total = time.process_time() - start
        print(
            f"run {run}: CPU {total:.2f} s (wall {time.perf_counter() - wall:.2f} s), "
            f"{summary.rows_read:,} rows"
        )
        for label, seconds in spent.items():
            print(f"  {label:18} {seconds:6.2f}")
        rest = total - spent["writing (all)"] - spent["asking ahead"]
        print(f"  {'reading and rest':18} {rest:6.2f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
