"""The stored rule matches of the reference structures are current and equal live evaluation."""

from __future__ import annotations

from datetime import date

import pyarrow.parquet as pq
import pytest
from rdkit import Chem

from subsmatch.matchers import reference_matches
from subsmatch.matchers.checker import Checker
from subsmatch.matchers.generic import RuleBook, load_laws
from subsmatch.reference.lists import load
from subsmatch.substances.structures import unlabelled

REFERENCE = load()
BOOK = RuleBook()
PATH = reference_matches.path_of(REFERENCE)
KNOWN = reference_matches.stored(BOOK, PATH)  # whatever it was made with: compared below


@pytest.fixture
def same_rdkit():
    made = reference_matches.made_with(PATH).get("rdkit_version")
    if made != (here := reference_matches.versions(REFERENCE, BOOK)["rdkit_version"]):
        pytest.skip(f"the table was made with RDKit {made}, this is {here}: it is not used here")


def _as_tuples(matches) -> list[tuple]:
    return [(m.rule.id, m.matched, tuple(m.atoms), m.failure) for m in matches]


def test_committed_table_is_current_and_covers_every_structure(same_rdkit):
    """A failure here means a rule file, generic.py or the reference changed: run
    ``python -m subsmatch.matchers.reference_matches``."""
    assert reference_matches.made_with(PATH) == reference_matches.versions(REFERENCE, BOOK)
    smiles = {r.smiles for r in REFERENCE.substances.values() if r.smiles}
    # and each isotope-labelled one without its labels, as a verdict judges it
    smiles |= {unlabelled(k).smiles for r in REFERENCE.substances.values() if (k := r.keys)}
    assert set(reference_matches.read(REFERENCE, BOOK)) == smiles


def test_stored_matches_equal_live_evaluation_of_every_structure():
    skeletons = dict(reference_matches._structures(REFERENCE))  # what the table was made of
    differing = [
        smiles
        for smiles, stored in KNOWN.items()
        if _as_tuples(stored)
        != _as_tuples(BOOK.evaluate_all(Chem.MolFromSmiles(smiles), skeletons[smiles]))
    ]
    assert not differing
    assert sum(m.matched for found in KNOWN.values() for m in found) > 500


@pytest.mark.parametrize(
    ("jurisdictions", "as_of"),
    [(None, None), (("DE",), date(2026, 1, 1)), (("US", "CN", "UK"), date(2020, 12, 31))],
)
def test_known_structures_give_what_evaluation_gives_in_force_and_place(jurisdictions, as_of):
    knowing = BOOK.knowing(KNOWN)
    for smiles in sorted(KNOWN)[::25]:
        mol = Chem.MolFromSmiles(smiles)
        live = BOOK.evaluate(mol, jurisdictions, as_of)
        assert _as_tuples(knowing.evaluate_smiles(smiles, jurisdictions, as_of)) == _as_tuples(
            live
        ), smiles


def test_a_table_made_with_other_rules_or_data_is_not_used(tmp_path):
    fewer = RuleBook(load_laws()[:-1])
    path = tmp_path / "rule_matches.parquet"
    reference_matches.write(REFERENCE, fewer, path)
    assert reference_matches.read(REFERENCE, fewer, path)
    assert reference_matches.read(REFERENCE, BOOK, path) == {}
    assert reference_matches.read(REFERENCE, BOOK, tmp_path / "absent.parquet") == {}
    table = pq.read_table(path)
    for key in ("data_version", "engine_version", "rdkit_version"):
        other = {**reference_matches.made_with(path), key: "other"}
        pq.write_table(table.replace_schema_metadata(other), tmp_path / "other.parquet")
        assert reference_matches.read(REFERENCE, fewer, tmp_path / "other.parquet") == {}, key


def test_checker_uses_the_table_and_a_given_rule_book_evaluates_live(same_rdkit):
    assert Checker().rules.known
    assert not Checker(rules=RuleBook()).rules.known
    mdpv = "CCCC(N1CCCC1)C(=O)c1ccc2c(c1)OCO2"
    with_table = Checker().check_json([mdpv])[0]
    without = Checker(rules=RuleBook()).check_json([mdpv])[0]
    assert with_table["generic"] == without["generic"]
