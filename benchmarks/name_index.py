"""Build and fuzzy-query time of the synonym index on 20,000 synthetic names.

    .venv/bin/python benchmarks/name_index.py [--names 20000]

Targets: build <= 0.5 s, a fuzzy query <= 5 ms. (A timed assertion in the test suite failed on
a loaded machine; timings belong here.)
"""

from __future__ import annotations

import argparse
import sys
import time

from subsmatch.matchers.names import SynonymIndex
from subsmatch.substances.names import normalise

STEMS = ["amfetamine", "cathinone", "fentanyl", "tryptamine", "piperazine", "azepam"]
PREFIXES = ["methyl", "ethyl", "propyl", "fluoro", "chloro", "bromo", "hydroxy", "nor"]


def synthetic_synonyms(n: int) -> list[tuple[str, str]]:
    """``n`` systematic-looking names of 5,000 substances."""
    return [
        (f"{i % 7}-{PREFIXES[i % 8]}{PREFIXES[i // 8 % 8]}{STEMS[i % 6]}-{i}", f"s{i % 5000}")
        for i in range(n)
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--names", type=int, default=20_000)
    args = parser.parse_args()
    pairs = synthetic_synonyms(args.names)
    start = time.perf_counter()
    index = SynonymIndex(pairs)
    build = time.perf_counter() - start
    queries = [normalise(text[:-1] + "x") for text, _ in pairs[:500]]
    start = time.perf_counter()
    for query in queries:
        index.fuzzy(query)
    per_query = (time.perf_counter() - start) / len(queries)
    print(f"index of {len(pairs):,} names: build {build:.2f} s (target <= 0.5 s)")
    print(f"fuzzy query: {per_query * 1000:.2f} ms (target <= 5 ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
