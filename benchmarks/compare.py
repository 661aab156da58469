"""Before/after comparison: the verdicts of two trees of subsmatch on the same inputs.

    .venv/bin/python benchmarks/compare.py                 # HEAD against the working tree
    .venv/bin/python benchmarks/compare.py --before REF    # any commit against the working tree
    .venv/bin/python benchmarks/compare.py --queries 2000 --show 20

Both trees run the same commands in their own processes with this checkout's virtual
environment (the before tree is checked out with ``git worktree`` into a temporary folder):

- ``check --json --no-record`` on the 10,000 mixed queries of ``benchmarks/check.py`` (drawn
  from the *before* tree's reference, so that both sides answer the same texts);
- ``ingest --json`` of the shipped examples into an empty SQLite file, then ``findings --json``.

Versions (data, rules, tool), times of ingestion and database ids are left out of the
comparison. A refactoring must print "identical"; a change meant to change verdicts prints how
many changed and the status transitions (``controlled -> not_listed: 3``), with examples.
Exit code 0 when identical, 1 when anything differs.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = ROOT / ".venv" / "bin" / "python"
IGNORED_KEYS = frozenset(
    {"data_version", "rules_version", "tool_version", "ingested_at", "id", "analysis_id"}
)
QUERIES = """
import sys
sys.path.insert(0, sys.argv[1] + "/benchmarks")
from check import make_queries
print("\\n".join(make_queries(int(sys.argv[2]), int(sys.argv[3]))))
"""


@contextmanager
def tree_at(ref: str) -> Iterator[Path]:
    """A detached checkout of ``ref`` in a temporary folder, removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="subsmatch-before-") as folder:
        path = Path(folder) / "tree"
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "add", "--detach", "-q", str(path), ref],
            check=True,
        )
        try:
            yield path
        finally:
            subprocess.run(
                ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(path)], check=True
            )


def run(tree: Path, args: list[str], stdin: str | None = None, db: Path | None = None) -> str:
    """``subsmatch ARGS`` run from ``tree``'s sources; stdout (exit codes 0, 3, 4 are answers)."""
    env = dict(os.environ, PYTHONPATH=str(tree))
    env.pop("SUBSMATCH_DB", None)
    if db is not None:
        env["SUBSMATCH_DB"] = f"sqlite:///{db}"
    done = subprocess.run(
        [str(PYTHON), "-c", "from subsmatch.cli import run; run()", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        cwd=tree,
    )
    if done.returncode not in (0, 3, 4):
        sys.exit(f"{tree}: subsmatch {' '.join(args)} failed ({done.returncode}):\n{done.stderr}")
    return done.stdout


def stripped(value: object) -> object:
    """The value without the keys that differ between any two runs."""
    if isinstance(value, dict):
        return {k: stripped(v) for k, v in value.items() if k not in IGNORED_KEYS}
    if isinstance(value, list):
        return [stripped(v) for v in value]
    return value


def outputs(tree: Path, queries: str, workdir: Path) -> dict[str, list]:
    """The JSON answers of one tree: per query, per ingested file, per stored finding."""
    checks = json.loads(run(tree, ["check", "--json", "--no-record", "-"], stdin=queries))
    db = workdir / f"{tree.name}.sqlite"
    examples = str(tree / "subsmatch" / "examples")
    # file names and locators name the tree's folder: the same place in both trees
    summaries = json.loads(run(tree, ["ingest", "--json", examples], db=db).replace(str(tree), "."))
    findings = json.loads(run(tree, ["findings", "--json"], db=db).replace(str(tree), "."))
    return {"check": checks, "ingest": summaries, "findings": findings}


def status_of(item: object) -> str:
    return str(item.get("status", "?")) if isinstance(item, dict) else "?"


def describe(item: object) -> str:
    if not isinstance(item, dict):
        return repr(item)[:80]
    return str(item.get("query") or item.get("name") or item.get("source") or "")[:60]


def compare(before: dict[str, list], after: dict[str, list], show: int) -> int:
    differences = 0
    for part in before:
        old, new = before[part], after[part]
        if len(old) != len(new):
            print(f"{part}: {len(old)} answers before, {len(new)} after")
            differences += 1
            continue
        changed = [(a, b) for a, b in zip(old, new, strict=True) if stripped(a) != stripped(b)]
        differences += len(changed)
        if not changed:
            print(f"{part}: {len(old)} answers, identical")
            continue
        moves = Counter(f"{status_of(a)} -> {status_of(b)}" for a, b in changed)
        print(f"{part}: {len(changed)} of {len(old)} answers differ")
        for move, count in moves.most_common():
            print(f"    {move}: {count}")
        for a, b in changed[:show]:
            print(f"  - {describe(a)}: {status_of(a)} -> {status_of(b)}")
            keys = sorted(
                k
                for k in set(stripped(a)) | set(stripped(b))  # type: ignore[arg-type]
                if stripped(a).get(k) != stripped(b).get(k)  # type: ignore[union-attr]
            )
            print(f"      fields that differ: {', '.join(keys)}")
    return differences


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", default="HEAD", help="commit to compare with (default HEAD)")
    parser.add_argument("--after", type=Path, default=ROOT, help="tree to compare (default: .)")
    parser.add_argument("--queries", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--show", type=int, default=10, help="examples of changes to print")
    args = parser.parse_args()
    with tree_at(args.before) as before_tree, tempfile.TemporaryDirectory() as work:
        made = subprocess.run(
            [str(PYTHON), "-c", QUERIES, str(before_tree), str(args.queries), str(args.seed)],
            capture_output=True,
            text=True,
            env=dict(os.environ, PYTHONPATH=str(before_tree)),
            check=True,
        )
        queries = made.stdout
        before = outputs(before_tree, queries, Path(work))
        after = outputs(args.after.resolve(), queries, Path(work))
    print(f"before: {args.before}; after: {args.after}")
    differences = compare(before, after, args.show)
    print("identical" if not differences else f"{differences} answers differ")
    return 1 if differences else 0


if __name__ == "__main__":
    sys.exit(main())
