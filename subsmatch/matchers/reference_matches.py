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
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import rdkit
from rdkit import Chem

from subsmatch.matchers import generic
from subsmatch.matchers.generic import RuleBook, RuleMatch
from subsmatch.reference.lists import Reference, load

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


def read(reference: Reference, rules: RuleBook, path: Path | None = None) -> dict[str, tuple]:
    """Per SMILES, the stored :class:`RuleMatch` es; empty when missing or made otherwise."""
    path = path or path_of(reference)
    if made_with(path) != versions(reference, rules):
        return {}
    return stored(rules, path)


def stored(rules: RuleBook, path: Path) -> dict[str, tuple]:
    """The table's matches, whatever it was made with (see :func:`read`)."""
    table = pq.ParquetFile(path).read()
    by_id = {rule.id: rule for rule in rules.rules}
    return {
        row["smiles"]: tuple(
            RuleMatch(by_id[rule_id], matched, tuple(atoms), failure)
            for rule_id, matched, atoms, failure in zip(
                row["rule_ids"], row["matched"], row["atoms"], row["failures"], strict=True
            )
        )
        for row in table.to_pylist()
    }


def main() -> int:
    reference, rules = load(), RuleBook()
    count = write(reference, rules)
    print(f"wrote {path_of(reference)}: rule matches of {count} structures ({rules.version=})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
