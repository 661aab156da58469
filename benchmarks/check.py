"""Throughput of `check` on 10,000 mixed queries, and the cold start of one `subsmatch check`.

    .venv/bin/python benchmarks/check.py [--queries 10000] [--seed 7]

Queries are drawn from the reference names (exact), misspellings of them (one substituted
letter), SMILES of reference structures, and nonsense. Repeated: the same 10,000 queries again
through the same resolver (cache hits). Distinct: all queries distinct, OPSIN off (targets say
"OPSIN aside"); what is fixed per reference structure (rule matches, standard forms, analogue
assessments) is read from the tables `python -m subsmatch.matchers.precompute` writes. One new
structure: reference SMILES through a checker that reads none of these tables, so each is
standardised, every rule searched and the similarity index scanned as for a structure new to
the reference. Cold start: wall and CPU time of a fresh `subsmatch check QUERY --no-record`
process, for a listed substance (cocaine) and a medicine on no list (paracetamol), with the
start-up cache (:mod:`subsmatch.startup`) made, and once with an empty one (the first start
after an install or a data change, which makes it). The tree is byte-compiled first.

    .venv/bin/python benchmarks/check.py --ingest-file SRCRESLT.TXT   # what an ingest judges

``--ingest-file``: the distinct queries an ingest of the file asks the checker (recorded from an
ingest into a throwaway SQLite file, batch by batch, as `Verdicts.choose` asks them: OPSIN on),
then judged again by a fresh checker (``check_json``, as the ingest calls it), timed, with a
digest of the answers (versions aside) to compare two trees' verdicts.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import io
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

# subsmatch imports RDKit and numpy when first used (subsmatch.lazy); imported here, before the
# timed runs, as main imported them at start: the distinct queries time checks, not imports
import numpy  # noqa: F401
import rdkit.Chem  # noqa: F401

from subsmatch.matchers import checker as checker_module
from subsmatch.matchers.checker import BATCH_KEPT, Checker
from subsmatch.reference.lists import load
from subsmatch.substances import opsin
from subsmatch.substances.structures import keys_of

ROOT = Path(__file__).resolve().parents[1]


def make_queries(n: int, seed: int) -> list[str]:
    reference = load()
    rng = random.Random(seed)
    names = sorted({name for name, _ in reference.names if 3 <= len(name) <= 40})
    smiles = sorted({s.smiles for s in reference.substances.values() if s.smiles})
    queries = []
    for i in range(n):
        roll = rng.random()
        if roll < 0.55:
            queries.append(rng.choice(names))
        elif roll < 0.75:
            word = rng.choice(names)
            pos = rng.randrange(len(word))
            queries.append(word[:pos] + rng.choice("aeiouxyz") + word[pos + 1 :])
        elif roll < 0.95:
            queries.append(rng.choice(smiles))
        else:
            queries.append(f"unknown sample {i}")
    return queries


def throughput(checker: Checker, queries: list[str]) -> tuple[float, float]:
    """Queries per second of wall time and of this process's CPU time (a busy machine slows
    the first, much less the second)."""
    start, cpu = time.perf_counter(), time.process_time()
    checker.check(queries)
    return (
        len(queries) / (time.perf_counter() - start),
        len(queries) / (time.process_time() - cpu),
    )


def warm_structure_ms(checker: Checker, smiles: list[str]) -> list[float]:
    """Milliseconds per new structure in a warm process: resolve, lists, rules, similarity."""
    checker.check(["CCO"])  # build the synonym index, rule book and analogue index first
    times = []
    for text in smiles:
        start = time.perf_counter()
        checker.check([text])
        times.append((time.perf_counter() - start) * 1000)
    return times


def cold_start(query: str, runs: int = 5, cache: str | None = None) -> tuple[float, float]:
    """Median wall and CPU (user + system) seconds of a fresh ``subsmatch check QUERY``
    (``cache``: the start-up cache's folder; None: the user's)."""
    exe = ROOT / ".venv" / "bin" / "subsmatch"
    env = dict(os.environ, **({"SUBSMATCH_CACHE_DIR": cache} if cache else {}))
    times, cpus = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        command = [str(exe), "check", query, "--no-record"]
        subprocess.run(command, check=True, capture_output=True, env=env)
        times.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    return statistics.median(times), statistics.median(cpus)


def ingest_batches(path: Path) -> list[list[str]]:
    """The batches of queries an ingest of ``path`` gives the checker to judge
    (``Checker.check_texts``; ``check_json`` in a tree without it), judged in this process."""
    from subsmatch.cli import main as command_line

    batches: list[list[str]] = []
    name = "check_texts" if hasattr(checker_module.Checker, "check_texts") else "check_json"
    judge = getattr(checker_module.Checker, name)

    def recording(self, queries, *args, **kwargs):
        batches.append(list(queries))
        return judge(self, batches[-1], *args, **kwargs)

    setattr(checker_module.Checker, name, recording)
    workers = os.environ.get("SUBSMATCH_INGEST_WORKERS")
    os.environ["SUBSMATCH_INGEST_WORKERS"] = "0"  # a worker's batches would be its own
    try:
        with tempfile.TemporaryDirectory() as folder:
            database = f"sqlite:///{folder}/ingest.db"
            with contextlib.redirect_stdout(io.StringIO()):  # the ingest's summary
                command_line.main(["--db", database, "ingest", str(path)], standalone_mode=False)
    finally:
        setattr(checker_module.Checker, name, judge)
        if workers is None:
            os.environ.pop("SUBSMATCH_INGEST_WORKERS")
        else:
            os.environ["SUBSMATCH_INGEST_WORKERS"] = workers
    return batches


def jvm_cpu() -> float:
    """CPU seconds of this process's OPSIN JVM so far (0 when none runs)."""
    process = opsin._opsin()._process if opsin._opsin() else None
    if process is None:
        return 0.0
    fields = Path(f"/proc/{process.pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def judge_ingest(path: Path) -> None:
    batches = ingest_batches(path)
    count = len({q for batch in batches for q in batch})
    opsin._opsin().close()  # the judging starts its own JVM, as an ingest does
    checker = Checker(kept=BATCH_KEPT)
    digest = hashlib.sha256()
    start, cpu = time.perf_counter(), time.process_time()
    for batch in batches:
        for verdict in checker.check_json(batch):
            verdict = {k: v for k, v in verdict.items() if not k.endswith("_version")}
            digest.update(json.dumps(verdict, sort_keys=True).encode())
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    print(
        f"{count:,} distinct queries of {path.name} in {len(batches)} batches: {wall:.2f} s wall, "
        f"CPU {cpu:.2f} s in Python and {jvm_cpu():.2f} s in OPSIN's JVM (its start included), "
        f"{count / wall:,.0f} queries/s; answers digest {digest.hexdigest()[:16]}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queries", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--ingest-file", type=Path, help="judge what an ingest of it asks")
    args = parser.parse_args()
    if args.ingest_file:
        judge_ingest(args.ingest_file)
        return 0
    # byte-compiled first: this machine sets PYTHONDONTWRITEBYTECODE, and a tree without .pyc
    # files compiles every module it imports at every start (and lazily imported ones in the
    # timed runs), which is not what an installed package does
    compiling = [sys.executable, "-m", "compileall", "-q", str(ROOT / "subsmatch")]
    subprocess.run(compiling, check=True, capture_output=True)
    queries = make_queries(args.queries, args.seed)
    distinct = list(dict.fromkeys(queries))
    results = {}
    # twice, each with a fresh checker: timed untraced, then traced for the peak memory (until
    # 2026-12-07 the timed run was traced, which slowed it 2-5x: compare with the second line)
    for traced in (False, True):
        keys_of.cache_clear()
        if traced:
            tracemalloc.start()
        checker = Checker(use_opsin=False)
        start = time.perf_counter()
        checker.resolver.resolve("index warm-up")  # build the synonym index outside the timed
        # runs, with the parts it builds when first asked (separator-blind and fuzzy lookups)
        index_seconds = time.perf_counter() - start
        results[traced] = throughput(checker, distinct), throughput(checker, queries)
        if traced:
            peak = tracemalloc.get_traced_memory()[1] / 2**20
            tracemalloc.stop()
    (first, first_cpu), (repeated, _) = results[False]
    print(f"queries: {len(queries)} ({len(distinct)} distinct), index build {index_seconds:.2f} s")
    print(
        f"distinct queries (OPSIN off): {first:,.0f} queries/s wall, {first_cpu:,.0f} per CPU "
        f"second  (target >= 3,000)"
    )
    print(
        f"  the same traced (tracemalloc on): {results[True][0][0]:,.0f} queries/s wall, "
        f"{results[True][0][1]:,.0f} per CPU second"
    )
    print(f"repeated queries (cached):    {repeated:,.0f} queries/s  (target >= 2,000)")
    print(f"peak traced memory: {peak:.0f} MiB")
    structures = [
        q for q in dict.fromkeys(queries) if q.startswith(("C", "c", "O", "N")) and " " not in q
    ][:300]
    # without what is stored per reference structure (rule matches, standard forms, analogue
    # assessments): each is worked out as for a structure new to the reference
    keys_of.cache_clear()  # the distinct queries standardised some of them
    times = sorted(warm_structure_ms(Checker(precomputed=False), structures))
    print(
        f"one new structure, warm, with rules and similarity: median "
        f"{statistics.median(times):.1f} ms, p95 {times[int(len(times) * 0.95)]:.1f} ms "
        f"over {len(times)} structures (target <= 20 ms)"
    )
    with tempfile.TemporaryDirectory() as empty:
        wall, cpu = cold_start("cocaine", runs=1, cache=empty)
    print(f"first start, start-up cache made: check cocaine {wall:.2f} s wall, {cpu:.2f} s CPU")
    for query in ("cocaine", "paracetamol"):  # a listed substance; a medicine on no list
        cold_start(query, runs=1)  # the start-up cache made, if this data had none
        wall, cpu = cold_start(query)
        print(
            f"cold start of one check {query}: {wall:.2f} s wall, {cpu:.2f} s CPU "
            f"(median of 5; target <= 0.6 s)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
