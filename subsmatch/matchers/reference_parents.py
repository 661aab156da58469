"""Which reference SMILES are their own standard form, worked out once and stored beside them.

A query that is a reference structure's SMILES, as the reference writes it (a report that
copies it from a database, a rematch of a stored verdict), is standardised to the same keys the
reference stores, when standardisation leaves that SMILES as it is: parsing, standardising and
keying it again (an InChI computation, most of a structure query's time) gives nothing new.
Which SMILES do is worked out when the reference is built, by comparing the keys computed from
each with the stored ones, and recorded with the data version, ``structures.py``'s hash and
RDKit's version. With any other the table is not used and every structure is standardised.

    .venv/bin/python -m subsmatch.matchers.precompute   # after any compile
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import rdkit  # the version only (16 ms)

from subsmatch.matchers.reference_matches import made_with as made_with  # the same metadata
from subsmatch.matchers.reference_matches import rows_of, write_table
from subsmatch.reference.lists import Reference
from subsmatch.substances import structures
from subsmatch.substances.structures import StructureError, StructureKeys, keys_of

if TYPE_CHECKING:
    import pyarrow as pa

FILE_NAME = "reference_parents.parquet"


def stored_keys(reference: Reference) -> dict[str, StructureKeys]:
    """The stored keys of every reference structure, by its SMILES."""
    return {k.smiles: k for r in reference.substances.values() if (k := r.keys)}


def _standard(smiles: str, keys: StructureKeys) -> bool:
    try:
        return keys_of(smiles) == keys
    except StructureError:
        return False


def compute(reference: Reference) -> pa.Table:
    """The reference SMILES whose standardisation gives exactly their stored keys."""
    import pyarrow as pa  # imported here: only writing the table needs it (a fifth of a second)

    found = sorted(s for s, keys in stored_keys(reference).items() if _standard(s, keys))
    schema = pa.schema([("smiles", pa.string())], versions(reference))
    return pa.Table.from_pydict({"smiles": found}, schema)


def versions(reference: Reference) -> dict[str, str]:
    """Everything the table depends on: the data, the standardiser and RDKit."""
    code = hashlib.sha256(Path(structures.__file__).read_bytes()).hexdigest()[:12]
    return {
        "data_version": reference.version,
        "structures_version": code,
        "rdkit_version": rdkit.__version__,
    }


def path_of(reference: Reference) -> Path:
    return reference.data_dir / FILE_NAME


def write(reference: Reference, path: Path | None = None) -> int:
    """Write the table beside the reference data; the number of SMILES in it."""
    table = compute(reference)
    write_table(table, path or path_of(reference))
    return table.num_rows


class Parents(Mapping[str, StructureKeys]):
    """The keys of each reference SMILES that is its own standard form, read when first asked
    (a check of one name never reads them); empty when the table was made with other data, a
    changed standardiser or another RDKit (every structure is then standardised)."""

    def __init__(self, reference: Reference, path: Path | None = None) -> None:
        self._reference = reference
        self._path = path or path_of(reference)

    @cached_property
    def _keys(self) -> dict[str, StructureKeys]:
        rows = rows_of(self._path)
        if rows is None or rows.made_with != versions(self._reference):
            return {}
        keys = stored_keys(self._reference)
        return {s: keys[s] for s in rows.keys}

    def __getitem__(self, smiles: str) -> StructureKeys:
        return self._keys[smiles]

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)
