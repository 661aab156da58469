"""Match a whole findings table (Parquet) and write it back with verdict columns.

In this process, batch by batch, or on Dask, partition by partition; each process or worker
loads the reference once and judges each distinct query of its part once, and both give the
same rows.
"""

from __future__ import annotations

from subsmatch.errors import InvalidRequest
from subsmatch.matchers.batch import match_parquet, match_parquet_dask

ENGINES = ("python", "dask")


def match(
    source: str,
    out: str,
    column: str = "name",
    *,
    engine: str = "python",
    scheduler: str | None = None,
    workers: int = 2,
) -> int:
    """Match the queries of ``column`` of the Parquet ``source`` into ``out`` (a directory of
    parts with Dask); returns how many rows. ``scheduler``: a Dask scheduler's address, else
    a LocalCluster of ``workers`` processes."""
    if engine not in ENGINES:
        raise InvalidRequest(
            f"unknown engine {engine!r}; choose from {', '.join(ENGINES)}", option="engine"
        )
    if engine == "dask":
        return match_parquet_dask(source, out, column, scheduler, workers)
    return match_parquet(source, out, column)
