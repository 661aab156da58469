"""A digest of what a reader gives a pipeline, to compare two trees' readers on the same files.

    .venv/bin/python benchmarks/reader_digest.py FILE ...
    cd /path/to/other/tree && PYTHONPATH=. /path/to/.venv/bin/python \\
        /path/to/benchmarks/reader_digest.py FILE ...

For each file: the chunks of stored values a pipeline reads (``Report.chunks``: every analysis,
finding value and rejection), then the report's counts and notes, each as its ``repr``, hashed
with SHA-256. Equal digests mean the two trees' readers give the same stored values; printed per
file: the items read, the digest's first 16 hex digits, and the tree the code came from.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import subsmatch
from subsmatch.ingest.readers import open_report


def digest(path: str) -> tuple[int, str]:
    """The items read from ``path`` and the digest of them, its counts and notes."""
    hashed, items = hashlib.sha256(), 0
    report = open_report(path)
    for chunk in report.chunks(5000):
        for part in chunk:
            for item in part:
                hashed.update(repr(item).encode())
                items += 1
    hashed.update(repr(report.stats).encode())
    hashed.update(repr(report.notes).encode())
    return items, hashed.hexdigest()[:16]


def main() -> None:
    tree = Path(subsmatch.__file__).resolve().parents[1]
    for path in sys.argv[1:]:
        items, hexdigest = digest(path)
        print(f"{Path(path).name}  {items:,} items  {hexdigest}  ({tree})")


if __name__ == "__main__":
    main()
