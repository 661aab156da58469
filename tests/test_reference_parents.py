"""The stored list of reference SMILES that are their own standard form is current, and a
structure query read through it resolves exactly as one standardised."""

from __future__ import annotations

import pyarrow.parquet as pq
import pytest

from subsmatch.matchers import reference_parents
from subsmatch.matchers.checker import Checker
from subsmatch.reference.lists import load
from subsmatch.substances.structures import keys_of

REFERENCE = load()
PATH = reference_parents.path_of(REFERENCE)


@pytest.fixture
def current():
    made, here = reference_parents.made_with(PATH), reference_parents.versions(REFERENCE)
    if made.get("rdkit_version") != here["rdkit_version"]:
        pytest.skip(f"the table was made with RDKit {made.get('rdkit_version')}: not used here")
    return made == here


def test_committed_table_is_current_and_holds_most_structures(current):
    """A failure here means the reference, structures.py or RDKit changed: run
    ``python -m subsmatch.matchers.precompute``."""
    assert current
    parents = reference_parents.Parents(REFERENCE)
    assert len(parents) > 0.9 * len(reference_parents.stored_keys(REFERENCE))


def test_stored_keys_equal_standardising_again(current):
    parents = reference_parents.Parents(REFERENCE)
    sample = sorted(parents)[::25]
    assert len(sample) > 100
    assert [s for s in sample if keys_of(s) != parents[s]] == []


def test_a_table_made_otherwise_is_not_used(tmp_path):
    path = tmp_path / reference_parents.FILE_NAME
    assert reference_parents.write(REFERENCE, path) > 0
    assert len(reference_parents.Parents(REFERENCE, path)) > 0
    assert len(reference_parents.Parents(REFERENCE, tmp_path / "absent.parquet")) == 0
    table = pq.read_table(path)
    for key in ("data_version", "structures_version", "rdkit_version"):
        other = {**reference_parents.made_with(path), key: "other"}
        pq.write_table(table.replace_schema_metadata(other), tmp_path / "other.parquet")
        assert len(reference_parents.Parents(REFERENCE, tmp_path / "other.parquet")) == 0, key


def test_a_reference_smiles_resolves_as_when_standardised(current):
    checker = Checker(use_opsin=False)
    parents = checker.resolver.lookups.standard
    smiles = sorted(parents)[::200]
    read = checker.resolver.resolve_many(smiles)
    keys_of.cache_clear()
    standardised = [keys_of(s) for s in smiles]
    assert [r.keys for r in read] == standardised
    assert all(r.keys is parents[s] for r, s in zip(read, smiles, strict=True))
