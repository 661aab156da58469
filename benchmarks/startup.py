"""Cold start of the command line, before and after: `subsmatch --help`, one `check`, and
the ingest of a small shipped report into a new database.

    .venv/bin/python benchmarks/startup.py                  # main against the working tree
    .venv/bin/python benchmarks/startup.py --before REF --runs 15

Each command runs as a fresh process through this checkout's console script, once from the
*before* tree (checked out with ``git worktree`` into a temporary folder) and once from this
tree, alternately, so that a busy machine slows both sides alike. Both trees are byte-compiled
first (this machine sets PYTHONDONTWRITEBYTECODE, so nothing would be cached otherwise), and
each command runs once on each side before the timed runs, which makes the start-up cache
(:mod:`subsmatch.startup`): the figures are of a second process. The ingest (the examples'
NIST file, 121 hits) goes into a new SQLite file each run, so that its checker judges every
name: what it measures is mostly start-up (the synonym index, the rules, OPSIN's JVM, the
database). Prints the median and the quartiles of each command's wall time, and its median CPU
time, in seconds.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from compare import ROOT, tree_at  # the sibling benchmark (this folder is on sys.path)

SCRIPT = ROOT / ".venv" / "bin" / "subsmatch"
NIST = "subsmatch/examples/SRCRESLT.TXT"  # relative to each tree
COMMANDS = {
    "subsmatch --help": ["--help"],
    "subsmatch check MDMA --no-record": ["check", "MDMA", "--no-record"],
    f"subsmatch --db NEW ingest {NIST}": ["--db", "{db}", "ingest", NIST],
}


def seconds(tree: Path, args: list[str]) -> tuple[float, float]:
    """Wall and CPU time (user + system, its children's included: OPSIN's JVM) of one
    ``subsmatch ARGS`` run from ``tree``'s sources ("{db}" in ``args``: a new SQLite
    database). A busy machine stretches the first much more than the second."""
    env = dict(os.environ, PYTHONPATH=str(tree))
    env.pop("SUBSMATCH_DB", None)
    with tempfile.TemporaryDirectory() as folder:
        args = [a.replace("{db}", f"sqlite:///{folder}/new.db") for a in args]
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run([str(SCRIPT), *args], env=env, capture_output=True, check=True, cwd=tree)
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime


def summary(times: list[tuple[float, float]]) -> str:
    q1, median, q3 = statistics.quantiles([wall for wall, _ in times], n=4)
    cpu = statistics.median(cpu for _, cpu in times)
    return f"median {median:.3f} s (quartiles {q1:.3f}-{q3:.3f}), CPU median {cpu:.3f} s"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", default="main", help="commit to compare with (default main)")
    parser.add_argument("--runs", type=int, default=15, help="runs of each command on each side")
    args = parser.parse_args()
    with tree_at(args.before) as before:
        trees = {"before": before, "after": ROOT}
        for tree in trees.values():
            subprocess.run(
                [sys.executable, "-m", "compileall", "-q", str(tree / "subsmatch")],
                check=True,
                capture_output=True,
            )
        for label, command in COMMANDS.items():
            times: dict[str, list[tuple[float, float]]] = {side: [] for side in trees}
            for tree in trees.values():
                seconds(tree, command)  # warm the file cache and make the start-up cache once
            for _ in range(args.runs):
                for side, tree in trees.items():
                    times[side].append(seconds(tree, command))
            print(f"{label} (load average {os.getloadavg()[0]:.1f})")
            for side in trees:
                print(f"  {side:<6} {summary(times[side])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
