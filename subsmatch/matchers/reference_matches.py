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
import pickle
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import rdkit  # the version only (16 ms): rdkit.Chem is imported when a structure is searched

from subsmatch import startup
from subsmatch.matchers import generic
from subsmatch.matchers.generic import RuleBook, RuleMatch
from subsmatch.reference.lists import Reference, load
from subsmatch.substances.structures import unlabelled

if TYPE_CHECKING:
    import pyarrow as pa

K = TypeVar("K")
V = TypeVar("V")

FILE_NAME = "rule_matches.parquet"


def schema() -> pa.Schema:
    """The table's columns."""
    import pyarrow as pa  # imported here: only writing the table needs it (a fifth of a second)

    return pa.schema(
        [
            ("smiles", pa.string()),
            ("rule_ids", pa.list_(pa.string())),
            ("matched", pa.list_(pa.bool_())),
            ("atoms", pa.list_(pa.list_(pa.int32()))),
            ("failures", pa.list_(pa.string())),
        ]
    )


def _structures(reference: Reference) -> list[tuple[str, str | None]]:
    """Each distinct reference structure once: standardised SMILES and skeleton key; an
    isotope-labelled one also without its labels, as a verdict judges it."""
    skeletons = {r.smiles: r.connectivity for r in reference.substances.values() if r.smiles}
    for r in reference.substances.values():
        if (keys := r.keys) and keys.labelled:
            skeletons.setdefault(unlabelled(keys).smiles, keys.connectivity)
    return sorted(skeletons.items())


def compute(reference: Reference, rules: RuleBook) -> pa.Table:
    """Every rule whose core is present, per reference structure (dates and places aside)."""
    import pyarrow as pa  # imported here: only writing the table needs it (a fifth of a second)
    from rdkit import Chem  # imported here: checks read the table, only writing it searches

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
    return pa.Table.from_pylist(rows, schema().with_metadata(versions(reference, rules)))


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
    write_table(table, path or path_of(reference))
    return table.num_rows


def write_table(table: pa.Table, path: Path) -> None:
    """Write a stored table (compressed)."""
    import pyarrow.parquet as pq  # imported here: only writing needs it (a fifth of a second)

    pq.write_table(table, path, compression="zstd")


@dataclass(frozen=True)
class Rows:
    """A stored table as the start-up cache keeps it: the versions it was made with, the key of
    each row (from ``key_columns``), and its rows in pickled blocks of :data:`StoredRows.BLOCK`
    (read when a row of the block is first asked: a check of one name reads one block)."""

    made_with: dict[str, str]
    keys: list
    blocks: list[bytes]


def made_with(path: Path) -> dict[str, str]:
    """The versions a stored table was made with (empty when there is none)."""
    import pyarrow.parquet as pq  # imported here: checks read the start-up cache, not Parquet

    if not path.exists():
        return {}
    return _metadata(pq.read_schema(path))


def _metadata(schema: pa.Schema) -> dict[str, str]:
    return {k.decode(): v.decode() for k, v in (schema.metadata or {}).items()}


def rows_of(path: Path, key_columns: Sequence[str] = ("smiles",)) -> Rows | None:
    """The stored table at ``path`` keyed by ``key_columns``, from the start-up cache when it
    was kept from this file; None when there is no such file."""
    if not path.exists():
        return None
    key = ",".join(key_columns)
    make = partial(_rows, path, tuple(key_columns))
    return startup.kept(path.stem, [path], make, extra=[str(path.resolve()), key])


def _rows(path: Path, key_columns: tuple[str, ...]) -> Rows:
    import pyarrow.parquet as pq  # imported here: checks read the start-up cache, not Parquet

    table = pq.ParquetFile(path).read()
    metadata = _metadata(table.schema)
    columns = [table.column(c).to_pylist() for c in key_columns]
    keys = columns[0] if len(columns) == 1 else list(zip(*columns, strict=True))
    size = StoredRows.BLOCK
    blocks = [
        pickle.dumps(table.slice(start, size).to_pylist(), protocol=pickle.HIGHEST_PROTOCOL)
        for start in range(0, table.num_rows, size)
        if table.num_columns > len(key_columns)  # a table of keys alone has no rows to read
    ]
    return Rows(metadata, keys, blocks)


def read(reference: Reference, rules: RuleBook, path: Path | None = None) -> Mapping[str, tuple]:
    """Per SMILES, the stored :class:`RuleMatch` es; empty when missing or made otherwise."""
    rows = rows_of(path or path_of(reference))
    if rows is None or rows.made_with != versions(reference, rules):
        return {}
    return _stored(rules, rows)


def stored(rules: RuleBook, path: Path) -> StoredRows[str, tuple]:
    """The table's matches, whatever it was made with (see :func:`read`)."""
    rows = rows_of(path)
    if rows is None:
        raise FileNotFoundError(path)
    return _stored(rules, rows)


def _stored(rules: RuleBook, rows: Rows) -> StoredRows[str, tuple]:
    by_id = {rule.id: rule for rule in rules.rules}

    def matches(row: dict) -> tuple[RuleMatch, ...]:
        return tuple(
            RuleMatch(by_id[rule_id], matched, tuple(atoms), failure)
            for rule_id, matched, atoms, failure in zip(
                row["rule_ids"], row["matched"], row["atoms"], row["failures"], strict=True
            )
        )

    return StoredRows(rows, matches)


class StoredRows(Mapping[K, V]):
    """A stored table's rows by key, each made into objects (``make``) when first asked, a
    block of rows unpickled at a time: a single check reads one row of thousands.

    >>> rows = [pickle.dumps([{"x": 1}, {"x": 2}]), pickle.dumps([{"x": 3}])]
    >>> rows = StoredRows(Rows({}, ["a", "b", "c"], rows), lambda row: row["x"] * 10, block=2)
    >>> rows["b"], rows["c"], len(rows), "d" in rows
    (20, 30, 3, False)
    """

    BLOCK = 256

    def __init__(self, rows: Rows, make: Callable[[dict], V], block: int = BLOCK) -> None:
        self._stored = rows.blocks
        self._rows = {key: i for i, key in enumerate(rows.keys)}
        self._make = make
        self._block = block
        self._blocks: dict[int, list[dict]] = {}

    def __getitem__(self, key: K) -> V:
        block, offset = divmod(self._rows[key], self._block)
        if block not in self._blocks:
            self._blocks[block] = pickle.loads(self._stored[block])
        return self._make(self._blocks[block][offset])

    def get(self, key: K, default: V | None = None) -> V | None:  # type: ignore[override]
        """The row of ``key`` made, or ``default``: asked for every structure a check judges,
        most of them stored (Mapping's own ``get`` goes through a raised KeyError)."""
        return self[key] if key in self._rows else default

    def __contains__(self, key: object) -> bool:
        return key in self._rows

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
