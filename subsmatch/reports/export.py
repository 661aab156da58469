"""Export stored findings with their verdicts: CSV, JSON, Parquet or SDF.

Each row is flat: the finding as printed, the resolution, the overall status, and one status
column per jurisdiction. CSV cells that a spreadsheet would run as a formula are neutralised.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import TextIO

from subsmatch.matchers.verdict import listed_on
from subsmatch.reference.lists import LIST_JURISDICTIONS
from subsmatch.store.models import as_utc

FORMATS = ("csv", "json", "parquet", "sdf")
FIELDS = (
    "file",
    "case_id",
    "item_id",
    "context",
    "technique",
    "measured_at",
    "country",
    "rank",
    "role",
    "name",
    "cas",
    "status",
    "substance_id",
    "resolved_name",
    "smiles",
    "inchikey",
    "via",
    "confidence",
    "uncertain",
    "lists",
    "generic_rules",
    "locator",
    "data_version",
)
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
BATCH = 10_000


def spreadsheet_safe(value: object) -> object:
    """Neutralise cells that a spreadsheet would run as a formula (CSV injection).

    >>> spreadsheet_safe("=HYPERLINK(1)"), spreadsheet_safe("-5"), spreadsheet_safe("MDMA")
    ("'=HYPERLINK(1)", "'-5", 'MDMA')
    """
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def utc_text(moment: datetime | None) -> str | None:
    """Stored times are UTC (SQLite returns them without a zone): say so in the text."""
    if moment is None:
        return None
    return as_utc(moment).isoformat()


def flat(row: dict) -> dict:
    """One stored finding as a flat export row."""
    verdict = row["verdict"] or {}
    out = {key: row.get(key) for key in FIELDS if key in row}
    out["measured_at"] = utc_text(row["measured_at"])
    out["lists"] = " | ".join(listed_on(verdict)) if verdict else ""
    out["generic_rules"] = " | ".join(g["rule_id"] for g in verdict.get("generic", ()))
    by_code = {j["code"]: j["status"] for j in verdict.get("jurisdictions", ())}
    for code in LIST_JURISDICTIONS:
        out[f"status_{code}"] = by_code.get(code)
    return out


def write_csv(rows: Iterable[dict], out: TextIO) -> int:
    writer = None
    count = 0
    for row in rows:
        record = flat(row)
        if writer is None:
            writer = csv.DictWriter(out, fieldnames=list(record))
            writer.writeheader()
        writer.writerow({k: spreadsheet_safe(v) for k, v in record.items()})
        count += 1
    return count


def write_json(rows: Iterable[dict], out: TextIO) -> int:
    """A JSON array, written as it streams."""
    count = 0
    out.write("[")
    for row in rows:
        out.write(",\n" if count else "\n")
        out.write(json.dumps(flat(row), ensure_ascii=False, default=str))
        count += 1
    out.write("\n]\n")
    return count


def _batches(rows: Iterable[dict]) -> Iterator[list[dict]]:
    batch: list[dict] = []
    for row in rows:
        batch.append(flat(row))
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def write_parquet(rows: Iterable[dict], path: Path) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    count = 0
    writer = None
    schema = None
    try:
        for batch in _batches(rows):
            table = pa.Table.from_pylist(batch, schema=schema)
            if writer is None:
                schema = table.schema
                writer = pq.ParquetWriter(path, schema, compression="zstd")
            writer.write_table(table)
            count += len(batch)
    finally:
        if writer is not None:
            writer.close()
    if writer is None:
        pq.write_table(pa.table({key: pa.array([], pa.string()) for key in FIELDS}), path)
    return count


@lru_cache(maxsize=8192)
def _depicted(smiles: str):
    """A molecule with 2D coordinates, computed once per distinct structure."""
    from rdkit import Chem, RDLogger
    from rdkit.Chem import rdDepictor

    RDLogger.DisableLog("rdApp.*")
    mol = Chem.MolFromSmiles(smiles) if smiles else None
    if mol is None:
        return Chem.Mol()
    rdDepictor.Compute2DCoords(mol)
    return mol


def write_sdf(rows: Iterable[dict], out: TextIO) -> int:
    """One record per finding: its structure (empty when none is known), verdict as properties."""
    from rdkit import Chem

    writer = Chem.SDWriter(out)
    count = 0
    for row in rows:
        record = flat(row)
        mol = Chem.Mol(_depicted(record.get("smiles") or ""))
        mol.SetProp("_Name", str(record.get("resolved_name") or record.get("name") or ""))
        for key, value in record.items():
            if value is not None and value != "":
                mol.SetProp(key, str(value))
        writer.write(mol)
        count += 1
    writer.close()
    return count
