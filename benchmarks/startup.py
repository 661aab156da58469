"""Cold start of the command line, before and after: `subsmatch --help` and one `check`.

    .venv/bin/python benchmarks/startup.py                  # main against the working tree
    .venv/bin/python benchmarks/startup.py --before REF --runs 15

Each command runs as a fresh process through this checkout's console script, once from the
*before* tree (checked out with ``git worktree`` into a temporary folder) and once from this
tree, alternately, so that a busy machine slows both sides alike. Both trees are byte-compiled
first (this machine sets PYTHONDONTWRITEBYTECODE, so nothing would be cached otherwise). Prints
the median and the quartiles of each command's wall time, in seconds.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from compare import ROOT, tree_at  # the sibling benchmark (this folder is on sys.path)

SCRIPT = ROOT / ".venv" / "bin" / "subsmatch"
COMMANDS = {
    "subsmatch --help": ["--help"],
    "subsmatch check MDMA --no-record": ["check", "MDMA", "--no-record"],
}


def seconds(tree: Path, args: list[str]) -> float:
    """Wall time of one ``subsmatch ARGS`` run from ``tree``'s sources."""
    env = dict(os.environ, PYTHONPATH=str(tree))
    env.pop("SUBSMATCH_DB", None)
    start = time.perf_counter()
    subprocess.run([str(SCRIPT), *args], env=env, capture_output=True, check=True, cwd=tree)
    return time.perf_counter() - start


def summary(times: list[float]) -> str:
    q1, median, q3 = statistics.quantiles(times, n=4)
    return f"median {median:.3f} s (quartiles {q1:.3f}-{q3:.3f})"


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
            times: dict[str, list[float]] = {side: [] for side in trees}
            for tree in trees.values():
                seconds(tree, command)  # warm the file cache once
            for _ in range(args.runs):
                for side, tree in trees.items():
                    times[side].append(seconds(tree, command))
            print(label)
            for side in trees:
                print(f"  {side:<6} {summary(times[side])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
