"""The analogue assessment of every reference structure, worked out once and stored beside it.

Most queries name known substances, and a medicine is on no list: its verdict asks the
similarity index for its nearest controlled neighbours, a search of every controlled structure.
That answer depends only on the structure and on the index (its members and their lists on the
index's date, the classes, thresholds and look-alikes), so for the reference structures it is
worked out when the reference is built and read back instead of searched again. The table
records what it was made with: the data version, the index's digest
(:meth:`AnalogueIndex.digest`: members, lists, classes, thresholds, look-alikes), the engine
(``similarity.py``) and RDKit. An index with any other (a listing that came into force since,
another date or jurisdictions asked, an edited threshold) does not use it and searches as before
(slower, never stale).

    .venv/bin/python -m subsmatch.matchers.precompute   # after any compile (writes this table)
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import rdkit  # the version only (16 ms): rdkit.Chem is imported when a structure is searched

from subsmatch.matchers import similarity
from subsmatch.matchers.reference_matches import StoredRows, made_with, rows_of, write_table
from subsmatch.matchers.similarity import (
    FINGERPRINTS,
    NEIGHBOURS,
    AnalogueFinding,
    AnalogueIndex,
    Neighbour,
    finding_key,
)
from subsmatch.reference.lists import JURISDICTIONS, Reference
from subsmatch.substances.structures import StructureKeys, unlabelled

FILE_NAME = "analogue_assessments.parquet"
MADE_ON = "made_on"  # metadata: the day the index was asked, not a version
KEYS = ("smiles", "inchikey", "connectivity")  # the columns of :func:`finding_key`

if TYPE_CHECKING:
    import pyarrow as pa


def schema() -> pa.Schema:
    """The table's columns."""
    import pyarrow as pa  # imported here: only writing the table needs it (a fifth of a second)

    neighbour = pa.struct(
        [
            ("substance_id", pa.string()),
            ("name", pa.string()),
            ("smiles", pa.string()),
            ("similarity", pa.float64()),
            ("by_fingerprint", pa.list_(pa.float64())),  # in the order of FINGERPRINTS
            ("lists", pa.list_(pa.string())),
            ("structure_class", pa.string()),
            ("via", pa.string()),
        ]
    )
    return pa.schema(
        [
            ("smiles", pa.string()),
            ("inchikey", pa.string()),
            ("connectivity", pa.string()),
            ("is_analogue", pa.bool_()),
            ("structure_class", pa.string()),
            ("threshold", pa.float64()),
            ("lookalike", pa.string()),
            ("reason", pa.string()),
            ("neighbours", pa.list_(neighbour)),
            ("nearest_elsewhere", pa.list_(neighbour)),
        ]
    )


def structures(reference: Reference) -> list[StructureKeys]:
    """Each distinct reference structure once, as a verdict assesses it: as the resolver gives
    its keys, an isotope-labelled one without its labels (:func:`verdict.evaluate`)."""
    found = {}
    for r in reference.substances.values():
        if stored := r.keys:
            keys = unlabelled(stored)
            found.setdefault(finding_key(keys), keys)
    return [found[key] for key in sorted(found)]


def index_of(reference: Reference) -> AnalogueIndex:
    """The index a check asks by default: every jurisdiction (as the checker keys it), today."""
    return AnalogueIndex(reference, None, tuple(sorted(JURISDICTIONS)))


def compute(
    reference: Reference, index: AnalogueIndex, keys: Iterable[StructureKeys] | None = None
) -> pa.Table:
    """The assessment by ``index`` of every reference structure (or of ``keys``)."""
    keys = structures(reference) if keys is None else keys
    rows = [_row(k, index.assess(k, NEIGHBOURS)) for k in keys]
    import pyarrow as pa  # imported here: only writing the table needs it (a fifth of a second)

    return pa.Table.from_pylist(rows, schema().with_metadata(versions(reference, index)))


def _row(keys: StructureKeys, finding: AnalogueFinding) -> dict:
    return {
        "smiles": keys.smiles,
        "inchikey": keys.inchikey,
        "connectivity": keys.connectivity,
        "is_analogue": finding.is_analogue,
        "structure_class": finding.structure_class,
        "threshold": finding.threshold,
        "lookalike": finding.lookalike,
        "reason": finding.reason,
        "neighbours": [_neighbour_row(n) for n in finding.neighbours],
        "nearest_elsewhere": [_neighbour_row(n) for n in finding.nearest_elsewhere],
    }


def _neighbour_row(n: Neighbour) -> dict:
    return {
        "substance_id": n.substance_id,
        "name": n.name,
        "smiles": n.smiles,
        "similarity": n.similarity,
        "by_fingerprint": [dict(n.by_fingerprint)[name] for name in FINGERPRINTS],
        "lists": list(n.lists),
        "structure_class": n.structure_class,
        "via": n.via,
    }


def _finding(row: dict) -> AnalogueFinding:
    return AnalogueFinding(
        is_analogue=row["is_analogue"],
        structure_class=row["structure_class"],
        threshold=row["threshold"],
        neighbours=tuple(_neighbour(n, row["smiles"]) for n in row["neighbours"]),
        lookalike=row["lookalike"],
        reason=row["reason"],
        nearest_elsewhere=tuple(_neighbour(n, row["smiles"]) for n in row["nearest_elsewhere"]),
    )


def _neighbour(n: dict, query_smiles: str) -> Neighbour:
    return Neighbour(
        substance_id=n["substance_id"],
        name=n["name"],
        smiles=n["smiles"],
        similarity=n["similarity"],
        by_fingerprint=tuple(zip(FINGERPRINTS, n["by_fingerprint"], strict=True)),
        lists=tuple(n["lists"]),
        structure_class=n["structure_class"],
        query_smiles=query_smiles,
        via=n["via"],
    )


def versions(reference: Reference, index: AnalogueIndex) -> dict[str, str]:
    """Everything the stored assessments depend on."""
    engine = hashlib.sha256(Path(similarity.__file__).read_bytes()).hexdigest()[:12]
    return {
        "data_version": reference.version,
        "index_digest": index.digest(),
        "engine_version": engine,
        "rdkit_version": rdkit.__version__,
    }


def path_of(reference: Reference) -> Path:
    return reference.data_dir / FILE_NAME


def write(reference: Reference, path: Path | None = None) -> int:
    """Write the table beside the reference data; the number of structures in it. The day it
    was made for is kept beside the versions (``made_on``): a listing that comes into force
    later changes the index's digest, so from that day on checks search again until the table
    is written anew, and the table's own tests keep asking the index of that day."""
    index = index_of(reference)
    table = compute(reference, index)
    made = {**versions(reference, index), MADE_ON: date.today().isoformat()}
    write_table(table.replace_schema_metadata(made), path or path_of(reference))
    return table.num_rows


def made_on(path: Path) -> date | None:
    """The day the table at ``path`` was made for (None for a table that does not say)."""
    day = made_with(path).get(MADE_ON)
    return date.fromisoformat(day) if day else None


def read(
    reference: Reference, index: AnalogueIndex, path: Path | None = None
) -> Mapping[tuple[str, str, str], AnalogueFinding]:
    """The stored assessments, when made with this data, index, engine and RDKit; else empty."""
    rows = rows_of(path or path_of(reference), KEYS)
    if rows is None:
        return {}
    made = {k: v for k, v in rows.made_with.items() if k != MADE_ON}
    if made != versions(reference, index):
        return {}
    return StoredRows(rows, _finding)


def stored(path: Path) -> StoredRows[tuple[str, str, str], AnalogueFinding]:
    """The table's assessments by :func:`finding_key`, whatever it was made with (see
    :func:`read`)."""
    rows = rows_of(path, KEYS)
    if rows is None:
        raise FileNotFoundError(path)
    return StoredRows(rows, _finding)
