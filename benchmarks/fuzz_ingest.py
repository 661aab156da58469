"""Fuzz the ingest: mutate every shipped example many ways and count what escapes as a traceback.

Every mutated file must either be refused whole with a clear message (``UnreadableReport``) or
be read with every record accounted for (rows read = findings + rejections); anything else is
a traceback, and the count of those must be 0. With ``--db`` a share of the files also goes
through the whole pipeline into a SQLite file (or the database URL given), whose summaries must
reconcile the same way and whose errors must be worded.

    nice -n 10 .venv/bin/python benchmarks/fuzz_ingest.py --mutations 3000 --seed 7 --db 200
    nice -n 10 .venv/bin/python benchmarks/fuzz_ingest.py --mutations 1000 --db 300 --postgres
"""

from __future__ import annotations

import argparse
import io
import json
import random
import sys
import tempfile
import time
import traceback
import zipfile
import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

from subsmatch.ingest.errors import UnreadableReport
from subsmatch.ingest.readers import ReadOptions, open_report
from subsmatch.matchers.checker import Checker
from subsmatch.operations.ingest import ingest
from subsmatch.store.engine import make_engine
from subsmatch.store.testing import create_database, throwaway_postgres

EXAMPLES = Path(__file__).resolve().parents[1] / "subsmatch" / "examples"

Mutation = Callable[[random.Random, bytes, str], bytes]


def _flip(rng: random.Random, data: bytes, _name: str) -> bytes:
    raw = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        raw[rng.randrange(len(raw))] = rng.randrange(256)
    return bytes(raw)


def _truncate(rng: random.Random, data: bytes, _name: str) -> bytes:
    return data[: rng.randrange(len(data))]


def _endings(rng: random.Random, data: bytes, _name: str) -> bytes:
    lines = data.replace(b"\r\n", b"\n").split(b"\n")
    ends = (b"\n", b"\r", b"\r\n")
    return b"".join(line + rng.choice(ends) for line in lines[:-1]) + lines[-1]


def _lines(rng: random.Random, data: bytes, _name: str) -> bytes:
    """Lines duplicated, dropped, swapped or blanked."""
    lines = data.splitlines(keepends=True)
    for _ in range(rng.randint(1, 5)):
        if len(lines) < 2:
            break
        i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
        action = rng.randrange(4)
        if action == 0:
            lines.insert(i, lines[j])
        elif action == 1:
            del lines[i]
        elif action == 2:
            lines[i], lines[j] = lines[j], lines[i]
        else:
            lines[i] = b"\n"
    return b"".join(lines)


NASTY = [
    b"\x00",
    b"\xff\xfe",
    b"\xef\xbb\xbf",
    b'"',
    b",,,,,,",
    b"\t\t\t",
    b"{",
    b"[" * 5000,
    b"\xe2\x80\xa8",
    b"\x1b[2J",
    b"\\ud800",
    b"M" * 5000,
    b"1e999",
    b"NaN",
    b"-1",
    b"99999999999999999999999",
    b"31/02/2024",
    b"\r",
]


def _insert(rng: random.Random, data: bytes, _name: str) -> bytes:
    for _ in range(rng.randint(1, 4)):
        at = rng.randrange(len(data) + 1)
        data = data[:at] + rng.choice(NASTY) + data[at:]
    return data


def _cells(rng: random.Random, data: bytes, name: str) -> bytes:
    """A field of a delimited or JSON line replaced by a nasty value."""
    lines = data.splitlines(keepends=True)
    if not lines:
        return data
    i = rng.randrange(len(lines))
    separator = {b"\t": b"\t", b";": b";"}.get(
        next((s for s in (b"\t", b";") if s in lines[i]), b","), b","
    )
    if name.endswith(".jsonl"):
        separator = b'"'
    parts = lines[i].split(separator)
    parts[rng.randrange(len(parts))] = rng.choice(NASTY)
    lines[i] = separator.join(parts)
    return b"".join(lines)


def _workbook(rng: random.Random, data: bytes, _name: str) -> bytes:
    """One part of a workbook damaged, replaced or inflated; the zip rewritten."""
    try:
        source = zipfile.ZipFile(io.BytesIO(data))
        names = source.namelist()
        parts = {item: source.read(item) for item in names}
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError):
        return _flip(rng, data, _name)  # already damaged past reading as a zip
    victim = rng.choice(names)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as copy:
        for item in names:
            part = parts[item]
            if item == victim:
                part = rng.choice(
                    [
                        lambda p: p[: rng.randrange(len(p) + 1)],
                        lambda p: _flip(rng, p, "") if p else p,
                        lambda p: p.replace(b"<row", b"<row><row", 1),
                        lambda p: p.replace(b'ref="', b'ref="XFD1048576', 1),
                        lambda p: b'<!DOCTYPE x [<!ENTITY a "aaaa">]>' + p,
                        lambda p: p.replace(b"</sheetData>", b" " * 2_000_000 + b"</sheetData>"),
                        lambda p: p.replace(b'r="', b'r="ZZZZ', 3),
                        lambda p: p.replace(b"<v>", b"<v>1e308", 5),
                    ]
                )(part)
            copy.writestr(item, part)
    return out.getvalue()


TEXT_MUTATIONS: tuple[Mutation, ...] = (_flip, _truncate, _endings, _lines, _insert, _cells)
WORKBOOK_MUTATIONS: tuple[Mutation, ...] = (_workbook, _workbook, _workbook, _truncate, _flip)


def examples() -> list[Path]:
    return sorted(p for p in EXAMPLES.iterdir() if p.is_file())


def mutants(count: int, seed: int) -> Iterator[tuple[str, bytes]]:
    """``count`` mutated files, cycling over the examples: (name, content)."""
    rng = random.Random(seed)
    sources = [(p.name, p.read_bytes()) for p in examples()]
    for index in range(count):
        name, data = sources[index % len(sources)]
        kinds = WORKBOOK_MUTATIONS if name.endswith(".xlsx") else TEXT_MUTATIONS
        for _ in range(rng.randint(1, 2)):
            data = rng.choice(kinds)(rng, data, name) or data
        yield f"m{index:05d}_{name}", data


def read_one(path: Path) -> str:
    """How reading one file ended: "read", "refused", or "traceback: ..."."""
    try:
        report = open_report(path)
        with report:
            for _ in report:
                pass
        stats = report.stats
        if stats.rows_read != stats.findings + stats.rejections:
            return f"unbalanced: {stats}"
        return "read"
    except UnreadableReport:
        return "refused"
    except Exception:  # what the fuzz is for: any other exception is a bug
        return "traceback: " + traceback.format_exc(limit=-3)


def ingest_some(paths: list[Path], db_url: str, checker: Checker | None = None) -> Counter:
    """Ingest files through the pipeline (one process, one database): outcomes counted."""
    outcome: Counter = Counter()
    engine = make_engine(db_url)
    try:
        for summary in ingest(engine, paths, ReadOptions(), checker=checker):
            if summary.status == "new" and summary.rows_read != (
                summary.findings + summary.rejections
            ):
                outcome["unbalanced"] += 1
            else:
                outcome[summary.status] += 1
    except Exception:
        outcome["traceback"] += 1
        traceback.print_exc()
    return outcome


def fuzz(
    count: int,
    seed: int,
    folder: Path,
    through_db: int = 0,
    checker: Checker | None = None,
    db_url: str | None = None,
) -> dict:
    """Write and read ``count`` mutants in ``folder``; ``through_db`` of them also ingested
    (into ``db_url``, else a SQLite file in ``folder``)."""
    outcomes: Counter = Counter()
    failures: list[str] = []
    paths = []
    for name, data in mutants(count, seed):
        path = folder / name
        path.write_bytes(data)
        paths.append(path)
        result = read_one(path)
        key = result.split(":")[0]
        outcomes[key] += 1
        if key not in ("read", "refused"):
            failures.append(f"{name}: {result}")
    db = Counter()
    if through_db:
        db_url = db_url or f"sqlite:///{folder / 'fuzz.sqlite'}"
        db = ingest_some(paths[:through_db], db_url, checker)
    return {"outcomes": dict(outcomes), "failures": failures, "database": dict(db)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mutations", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--db", type=int, default=0, help="how many also go into the database")
    parser.add_argument(
        "--postgres", action="store_true", help="into a throwaway PostgreSQL server, not SQLite"
    )
    args = parser.parse_args()
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:
        db_url = None
        if args.postgres:
            server = stack.enter_context(throwaway_postgres())
            db_url = create_database(server, "fuzz")
        result = fuzz(args.mutations, args.seed, Path(tmp), args.db, db_url=db_url)
    seconds = time.perf_counter() - start
    tracebacks = len(result["failures"]) + result["database"].get("traceback", 0)
    print(json.dumps({k: v for k, v in result.items() if k != "failures"}, indent=1))
    for failure in result["failures"][:20]:
        print(failure)
    print(f"{args.mutations} mutations in {seconds:.0f} s; tracebacks: {tracebacks}")
    return 1 if tracebacks else 0


if __name__ == "__main__":
    sys.exit(main())
