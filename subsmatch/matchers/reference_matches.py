"""The generic rules, evaluated once on every reference structure and stored beside it.

Reports mostly name known substances. Which rules match a structure depends only on the
structure and the rule files, so for the reference structures it is worked out when the
reference is built, or when a rule file changes, and read back instead of searched again:
for a 200,000-row export that is most of the time its rules would take. The table records
the data and rules versions it was made with; with any other version it is not used, and
every structure is evaluated as before (slower, never wrong).

    .venv/bin/python -m subsmatch.matchers.reference_matches   # after editing a rule file
"""

from __future__ import annotations

import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from rdkit import Chem

from subsmatch.matchers.generic import RuleBook, RuleMatch
from subsmatch.reference.lists import DATA_DIR, Reference, load

PATH = DATA_DIR / "rule_matches.parquet"
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
    metadata = {"data_version": reference.version, "rules_version": rules.version}
    return pa.Table.from_pylist(rows, SCHEMA.with_metadata(metadata))


def write(reference: Reference, rules: RuleBook, path: Path = PATH) -> int:
    """Write the table; the number of structures in it."""
    table = compute(reference, rules)
    pq.write_table(table, path, compression="zstd")
    return table.num_rows


def read(reference: Reference, rules: RuleBook, path: Path = PATH) -> dict[str, tuple]:
    """Per SMILES, the stored :class:`RuleMatch` es; empty when missing or made otherwise."""
    if not path.exists():
        return {}
    table = pq.ParquetFile(path).read()
    made_with = {k.decode(): v.decode() for k, v in (table.schema.metadata or {}).items()}
    if made_with != {"data_version": reference.version, "rules_version": rules.version}:
        return {}
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
    print(f"wrote {PATH}: rule matches of {count} structures (rules {rules.version})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
