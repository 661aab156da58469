"""The generic rules, evaluated once on every reference structure and stored beside it.

Reports mostly name known substances. Which rules match a structure depends only on the
structure and the rule files, so for the reference structures it is worked out when the
reference is built, or when a rule file changes, and read back instead of searched again:
for a 200,000-row export that is most of the time its rules would take. The table records
the versions it was made with: of the data, the rule files, the engine (``generic.py``) and
RDKit. With any other it is not used, and every structure is evaluated as before (slower,
never wrong).

    .venv/bin/python -m subsmatch.matchers.reference_matches   # after editing a rule file
"""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import TypeVar

import pyarrow as pa
import pyarrow.parquet as pq
import rdkit
from rdkit import Chem

from subsmatch.matchers import generic
from subsmatch.matchers.generic import RuleBook, RuleMatch
from subsmatch.reference.lists import Reference, load

K = TypeVar("K")
V = TypeVar("V")

FILE_NAME = "rule_matches.parquet"
SCHEMA = pa.schema(
    [
        ("smiles", pa.string()),
        ("rule_ids", pa.list_(pa.string())),
        ("matched", pa.list_(pa.bool_())),
        ("atoms", pa.list_(pa.list_(pa.int32()))),
        ("failures", pa.list_(pa.string())),
    ]
)


def _structures(reference: Reference) -> list[tuple[str, str | None]]:
    """Each distinct reference structure once: standardised SMILES and skeleton key."""
    skeletons = {r.smiles: r.connectivity for r in reference.substances.values() if r.smiles}
    return sorted(skeletons.items())


def compute(reference: Reference, rules: RuleBook) -> pa.Table:
    """Every rule whose core is present, per reference structure (dates and places aside)."""
    rows = []
    for smiles, skeleton in _structures(reference):
        mol = Chem.MolFromSmiles(smiles)
        found = rules.evaluate_all(mol, skeleton) if mol is not None else []
        rows.append(
            {
                "smiles": smiles,
                "rule_ids": [m.rule.id for m in found],
                "matched": [m.matched for m in found],
                "atoms": [list(m.atoms) for m in found],
                "failures": [m.failure for m in found],
            }
        )
    return pa.Table.from_pylist(rows, SCHEMA.with_metadata(versions(reference, rules)))


def versions(reference: Reference, rules: RuleBook) -> dict[str, str]:
    """Everything the stored results depend on."""
    engine = hashlib.sha256(Path(generic.__file__).read_bytes()).hexdigest()[:12]
    return {
        "data_version": reference.version,
        "rules_version": rules.version,
        "engine_version": engine,
        "rdkit_version": rdkit.__version__,
    }


def path_of(reference: Reference) -> Path:
    return reference.data_dir / FILE_NAME


def write(reference: Reference, rules: RuleBook, path: Path | None = None) -> int:
    """Write the table beside the reference data; the number of structures in it."""
    table = compute(reference, rules)
    pq.write_table(table, path or path_of(reference), compression="zstd")
    return table.num_rows


def made_with(path: Path) -> dict[str, str]:
    """The versions a stored table was made with (empty when there is none)."""
    if not path.exists():
        return {}
    metadata = pq.read_schema(path).metadata or {}
    return {k.decode(): v.decode() for k, v in metadata.items()}


def read(reference: Reference, rules: RuleBook, path: Path | None = None) -> Mapping[str, tuple]:
    """Per SMILES, the stored :class:`RuleMatch` es; empty when missing or made otherwise."""
    path = path or path_of(reference)
    if made_with(path) != versions(reference, rules):
        return {}
    return stored(rules, path)


def stored(rules: RuleBook, path: Path) -> StoredRows[str, tuple]:
    """The table's matches, whatever it was made with (see :func:`read`)."""
    table = pq.ParquetFile(path).read()
    by_id = {rule.id: rule for rule in rules.rules}

    def matches(row: dict) -> tuple[RuleMatch, ...]:
        return tuple(
            RuleMatch(by_id[rule_id], matched, tuple(atoms), failure)
            for rule_id, matched, atoms, failure in zip(
                row["rule_ids"], row["matched"], row["atoms"], row["failures"], strict=True
            )
        )

    return StoredRows(table, table.column("smiles").to_pylist(), matches)


class StoredRows(Mapping[K, V]):
    """A stored table's rows by key, each made into objects (``make``) when first asked, read
    from the table a block of rows at a time: a single check reads one row of thousands, and
    reading rows one by one costs more than a block each.

    >>> rows = StoredRows(pa.table({"x": [1, 2, 3]}), ["a", "b", "c"], lambda row: row["x"] * 10)
    >>> rows["b"], len(rows), "d" in rows
    (20, 3, False)
    """

    BLOCK = 256

    def __init__(self, table: pa.Table, keys: Iterable[K], make: Callable[[dict], V]) -> None:
        self._table = table
        self._rows = {key: i for i, key in enumerate(keys)}
        self._make = make
        self._blocks: dict[int, list[dict]] = {}

    def __getitem__(self, key: K) -> V:
        block, offset = divmod(self._rows[key], self.BLOCK)
        if block not in self._blocks:
            self._blocks[block] = self._table.slice(block * self.BLOCK, self.BLOCK).to_pylist()
        return self._make(self._blocks[block][offset])

    def __iter__(self) -> Iterator[K]:
        return iter(self._rows)

    def __len__(self) -> int:
        return len(self._rows)


def main() -> int:
    reference, rules = load(), RuleBook()
    count = write(reference, rules)
    print(f"wrote {path_of(reference)}: rule matches of {count} structures ({rules.version=})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
