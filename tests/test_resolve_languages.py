"""Letter rules of other languages' spellings of INNs: a form counts only where it lands on
one substance's name, and the answer stays uncertain (a near-spelling)."""

from __future__ import annotations

import pytest

from subsmatch.substances.resolve import Resolver
from tests.helpers import table_resolver

STRUCTURES = {
    "chlorprom": "CN(C)CCCN1c2ccccc2Sc2ccc(Cl)cc21",
    "oxacillin": "Cc1onc(-c2ccccc2)c1C(=O)NC1C(=O)N2C1SC(C)(C)C2C(=O)O",
    "quinidine": "COc1ccc2nccc(C(O)C3CC4CCN3CC4C=C)c2c1",
    "calcium": "[Ca]",
    "chloro": "ClCCl",  # a short word of its own
}
NAMES = [
    ("chlorpromazine", "chlorprom", ""),
    ("oxacillin", "oxacillin", ""),
    ("quinidine", "quinidine", ""),
    ("calcium", "calcium", ""),
    ("chloro", "chloro", ""),
]


@pytest.fixture(scope="module")
def resolver() -> Resolver:
    return table_resolver(STRUCTURES, NAMES)


@pytest.mark.parametrize(
    ("query", "expected", "rule"),
    [
        ("Clorpromazina", "chlorprom", "'clor' for 'chlor'"),
        ("Ossacillina", "oxacillin", "'ss' for 'x'"),
        ("Chinidin", "quinidine", "'chin' for 'quin'"),
        ("Kalzium", "calcium", "'z' for 'c'"),
    ],
)
def test_a_letter_rule_lands_on_one_name_uncertain(
    resolver: Resolver, query: str, expected: str, rule: str
) -> None:
    r = resolver.resolve(query)
    assert (r.substance_id, r.uncertain) == (expected, True)
    assert any(rule in note for note in r.notes)


@pytest.mark.parametrize("query", ["Cloro", "Clorpromazina-2", "Zyklopropan"])
def test_no_rule_without_a_long_word_of_letters_and_a_name_to_land_on(
    resolver: Resolver, query: str
) -> None:
    """A short word, a word with digits, and a form the table does not hold stay unresolved."""
    assert not resolver.resolve(query).resolved
