"""The judging worker's own work on a file: the batches an ingest asks, judged as a worker does.

    .venv/bin/python benchmarks/judging_batches.py record FILE BATCHES   # the batches, pickled
    .venv/bin/python benchmarks/judging_batches.py replay BATCHES
    PYTHONPATH=/path/to/another/tree .venv/bin/python benchmarks/judging_batches.py replay BATCHES

``record`` ingests FILE in process (no workers) into a fresh SQLite file and keeps the batches
of new queries its judging was given, in order (``check.py``'s ``ingest_batches``). ``replay``
judges them in this process as a worker would after its fork: the checker made and its
versions read first (the ingest's part, before the fork), then, timed, the worker's start (its
OPSIN JVM, and what a tree prepares there) and every batch in order, with the collector paused
as in a worker. Printed: the CPU seconds of this process (all of it, and up to the first
batch's end), of its OPSIN JVM, the wall seconds, and a digest of what was judged (each query's
``Judged`` and stored columns, the verdict's JSON among them): two trees that judge alike print
the same digest.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import json
import pickle
import resource
import sys
import time
from pathlib import Path

from check import ingest_batches  # the sibling benchmark (this folder is on sys.path)

from subsmatch.ingest import verdicts
from subsmatch.matchers.checker import BATCH_KEPT, Checker
from subsmatch.substances import opsin


def record(report: Path, out: Path) -> None:
    batches = ingest_batches(report)  # an ingest's, judged in process
    out.write_bytes(pickle.dumps(batches))
    sizes = ", ".join(f"{len(b):,}" for b in batches[:4])
    print(f"{len(batches)} batches, {sum(map(len, batches)):,} queries (first: {sizes} ...)")


def replay(path: Path) -> None:
    batches = pickle.loads(path.read_bytes())
    checker = Checker(kept=BATCH_KEPT)
    verdicts.judged_by(checker)  # the ingest reads the rules before it forks
    gc.disable()
    start, wall = time.process_time(), time.perf_counter()
    if prepared := getattr(verdicts, "prepared", None):  # this round's worker start
        prepared(checker)
    elif checker.use_opsin:
        opsin.start_opsin()
    digest = hashlib.sha256()
    first = None
    for batch in batches:
        for judged, values in verdicts.judge(checker, batch):
            digest.update(repr(judged).encode())
            digest.update(json.dumps(values, sort_keys=True).encode())
        first = first or time.process_time() - start
    cpu, wall = time.process_time() - start, time.perf_counter() - wall
    if (jvm := opsin._opsin()) is not None:
        jvm.close()  # reaped: its CPU is this process's children's
    jvm_usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    figures = {
        "worker CPU": f"{cpu:.2f} s",
        "to the first batch's end": f"{first or 0:.2f} s",
        "JVM": f"{jvm_usage.ru_utime + jvm_usage.ru_stime:.2f} s",
        "wall": f"{wall:.1f} s",
        "digest": digest.hexdigest()[:16],
    }
    print(", ".join(f"{name} {value}" for name, value in figures.items()))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    steps = parser.add_subparsers(dest="step", required=True)
    recording = steps.add_parser("record")
    recording.add_argument("file", type=Path)
    recording.add_argument("batches", type=Path)
    replaying = steps.add_parser("replay")
    replaying.add_argument("batches", type=Path)
    args = parser.parse_args()
    if args.step == "record":
        record(args.file, args.batches)
    else:
        replay(args.batches)
    return 0


if __name__ == "__main__":
    sys.exit(main())
