"""The CPU of a command-line ingest's own process, before and after a change, runs interleaved.

    .venv/bin/python benchmarks/ingest_self.py FILE --before /path/to/other/tree [--runs 2]

Each run is ``subsmatch --db sqlite:///NEW ingest FILE --json`` in its own process into an
empty SQLite database, from the before tree's folder (``PYTHONPATH`` it, and the working folder:
``python -c`` puts the working folder first on ``sys.path``) and from this checkout's,
alternately. Printed per run, taken by the process itself at its exit: its own CPU seconds
(``getrusage(RUSAGE_SELF)``: reading, rows, inserts; the judging workers and their JVMs are its
children, printed apart), its wall seconds and its peak RSS. The before tree is any folder
holding a ``subsmatch`` package, e.g. ``git archive main | tar -x -C /tmp/main``; compile it
(``python -m compileall -q /tmp/main/subsmatch``) as ``scripts/setup`` compiles the checkout,
or its side pays the compilation on a machine with ``PYTHONDONTWRITEBYTECODE``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = ROOT / ".venv" / "bin" / "python"
MEASURED = """
import atexit, resource, sys, time
started = time.time()
def measured():
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(
        f"own CPU {own.ru_utime + own.ru_stime:.2f} s  children "
        f"{children.ru_utime + children.ru_stime:.2f} s  wall {time.time() - started:.1f} s  "
        f"peak {own.ru_maxrss // 1024} MiB",
        file=sys.stderr,
    )
atexit.register(measured)
sys.argv = ["subsmatch", *sys.argv[1:]]
from subsmatch.cli import run
run()
"""


def once(tree: Path, file: Path, folder: Path, name: str) -> str:
    """One ingest of ``file`` from ``tree`` into a new database; what it printed at exit."""
    env = dict(os.environ, PYTHONPATH=str(tree))
    database = folder / f"{name}.sqlite"
    command = [str(PYTHON), "-c", MEASURED, "--db", f"sqlite:///{database}"]
    done = subprocess.run(
        [*command, "ingest", str(file), "--json"],
        cwd=tree,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    if done.returncode not in (0, 3):
        sys.exit(f"{tree}: ingest failed: {done.stderr[-2000:]}")
    return done.stderr.strip().splitlines()[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", type=Path)
    parser.add_argument("--before", type=Path, required=True, help="a folder with subsmatch")
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()
    file = args.file.resolve()
    with tempfile.TemporaryDirectory() as folder:
        for run in range(args.runs):
            for side, tree in (("before", args.before.resolve()), ("after", ROOT)):
                line = once(tree, file, Path(folder), f"{side}{run}")
                print(f"{side:6} {line}  load {os.getloadavg()[0]:.1f}", flush=True)


if __name__ == "__main__":
    main()
