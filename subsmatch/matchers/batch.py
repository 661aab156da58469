"""Resolve and match a whole table of findings: in process, or partition by partition on Dask.

Each process (each Dask worker) builds its checker once from the shipped reference data and
rules, and judges every distinct query of a partition once.
"""

from __future__ import annotations

from functools import cache

import pandas as pd

from subsmatch.errors import UserError
from subsmatch.matchers.checker import Checker
from subsmatch.matchers.verdict import listed_on

RESULT_COLUMNS = {
    "status": "string",
    "substance_id": "string",
    "resolved_name": "string",
    "smiles": "string",
    "inchikey": "string",
    "via": "string",
    "confidence": "float64",
    "lists": "string",
    "generic_rules": "string",
    "analogue_of": "string",
    "data_version": "string",
    "rules_version": "string",
}


@cache
def process_checker() -> Checker:
    """One checker per process: the reference is loaded once per worker."""
    return Checker()


def summary(verdict: dict) -> dict:
    """The columns a matched row gains, from the `check --json` object."""
    resolved = verdict["resolved"] or {}
    nearest = verdict["analogues"][0] if verdict.get("analogues") else None
    return {
        "status": verdict["status"],
        "substance_id": resolved.get("substance_id"),
        "resolved_name": resolved.get("name"),
        "smiles": resolved.get("smiles"),
        "inchikey": resolved.get("inchikey"),
        "via": resolved.get("via"),
        "confidence": float(resolved.get("confidence") or 0.0),
        "lists": " | ".join(listed_on(verdict)),
        "generic_rules": " | ".join(g["rule_id"] for g in verdict.get("generic", ())),
        "analogue_of": (
            f"{nearest['name']} ({nearest['similarity']:.2f})"
            if nearest and verdict["status"] == "analogue"
            else None
        ),
        "data_version": verdict["data_version"],
        "rules_version": verdict["rules_version"],
    }


def match_frame(frame: pd.DataFrame, column: str = "name") -> pd.DataFrame:
    """The frame with the result columns added; an empty query gives status 'no_query'."""
    checker = process_checker()
    queries = frame[column].astype("string").where(frame[column].notna(), "")
    texts = [str(q) for q in queries]
    distinct = list(dict.fromkeys(t for t in texts if t.strip()))
    results = {
        q: summary(row) for q, row in zip(distinct, checker.check_json(distinct), strict=True)
    }
    empty = dict.fromkeys(RESULT_COLUMNS) | {"status": "no_query", "confidence": 0.0}
    added = pd.DataFrame(
        [results.get(t, empty) if t.strip() else empty for t in texts],
        index=frame.index,
        columns=list(RESULT_COLUMNS),
    )
    return pd.concat([frame, added.astype(RESULT_COLUMNS)], axis=1)


def match_parquet(source: str, target: str, column: str = "name", batch_rows: int = 50_000) -> int:
    """In process: stream the Parquet file in batches into one output file."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    reader = pq.ParquetFile(source)
    if column not in reader.schema_arrow.names:
        raise UserError(
            f"{source} has no column {column!r}; columns: {', '.join(reader.schema_arrow.names)}",
            "name it with {column}",
        )
    writer = None
    count = 0
    try:
        for batch in reader.iter_batches(batch_size=batch_rows):
            table = pa.Table.from_pandas(
                match_frame(batch.to_pandas(), column), preserve_index=False
            )
            if writer is None:
                writer = pq.ParquetWriter(target, table.schema, compression="zstd")
            writer.write_table(table.cast(writer.schema))
            count += table.num_rows
    finally:
        if writer is not None:
            writer.close()
    return count


def match_parquet_dask(
    source: str, target: str, column: str = "name", scheduler: str | None = None, workers: int = 2
) -> int:
    """On Dask: partition by partition, on a LocalCluster unless a scheduler address is given."""
    import dask.dataframe as dd
    from distributed import Client, LocalCluster

    frame = dd.read_parquet(source)
    if column not in frame.columns:
        raise UserError(
            f"{source} has no column {column!r}; columns: {', '.join(frame.columns)}",
            "name it with {column}",
        )
    meta = _meta(frame._meta)
    cluster = (
        None
        if scheduler
        else LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
        )
    )
    with Client(scheduler or cluster) as client:
        matched = frame.map_partitions(match_frame, column, meta=meta)
        matched.to_parquet(target, write_index=False, compression="zstd")
        count = int(client.compute(matched.map_partitions(len).sum()).result())
    if cluster is not None:
        cluster.close()
    return count


def _meta(meta: pd.DataFrame) -> pd.DataFrame:
    return pd.concat(
        [meta, pd.DataFrame({k: pd.Series(dtype=v) for k, v in RESULT_COLUMNS.items()})], axis=1
    )
