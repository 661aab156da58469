"""The stored rule matches of the reference structures are current and equal live evaluation."""

from __future__ import annotations

from datetime import date

import pytest
from rdkit import Chem

from subsmatch.matchers import reference_matches
from subsmatch.matchers.checker import Checker
from subsmatch.matchers.generic import RuleBook, load_laws
from subsmatch.reference.lists import load

REFERENCE = load()
BOOK = RuleBook()
KNOWN = reference_matches.read(REFERENCE, BOOK)


def _as_tuples(matches) -> list[tuple]:
    return [(m.rule.id, m.matched, tuple(m.atoms), m.failure) for m in matches]


def test_committed_table_is_current_and_covers_every_structure():
    """A failure here means a rule file or the reference changed: run the module's main."""
    smiles = {r.smiles for r in REFERENCE.substances.values() if r.smiles}
    assert set(KNOWN) == smiles, "python -m subsmatch.matchers.reference_matches"


def test_stored_matches_equal_live_evaluation_of_every_structure():
    skeletons = {r.smiles: r.connectivity for r in REFERENCE.substances.values() if r.smiles}
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


def test_a_table_made_with_other_rules_is_not_used(tmp_path):
    fewer = RuleBook(load_laws()[:-1])
    path = tmp_path / "rule_matches.parquet"
    reference_matches.write(REFERENCE, fewer, path)
    assert reference_matches.read(REFERENCE, fewer, path)
    assert reference_matches.read(REFERENCE, BOOK, path) == {}
    assert reference_matches.read(REFERENCE, BOOK, tmp_path / "absent.parquet") == {}


def test_checker_uses_the_table_and_a_given_rule_book_evaluates_live():
    assert Checker().rules.known
    assert not Checker(rules=RuleBook()).rules.known
    mdpv = "CCCC(N1CCCC1)C(=O)c1ccc2c(c1)OCO2"
    with_table = Checker().check_json([mdpv])[0]
    without = Checker(rules=RuleBook()).check_json([mdpv])[0]
    assert with_table["generic"] == without["generic"]
