"""Letter rules of other languages' spellings of INNs: a form counts only where it lands on
one substance's name (a rule-made form, read as such: the note says which)."""

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
def test_a_letter_rule_lands_on_one_name(
    resolver: Resolver, query: str, expected: str, rule: str
) -> None:
    """Each an INN correspondence (variants.CORRESPONDENCES) on one substance's name: answered,
    the form read noted (Kalzium's calcium is no INN ending: a near-spelling, uncertain)."""
    r = resolver.resolve(query)
    assert r.substance_id == expected
    assert any("read as" in note for note in r.notes), r.notes


@pytest.mark.parametrize("query", ["Cloro", "Clorpromazina-2", "Zyklopropan"])
def test_no_rule_without_a_long_word_of_letters_and_a_name_to_land_on(
    resolver: Resolver, query: str
) -> None:
    """A short word, a word with digits, and a form the table does not hold stay unresolved."""
    assert not resolver.resolve(query).resolved


# --- INN endings of other languages on a name the table holds only in another stereo form ---

RELATIVES = {
    "dlys": "NCCCC[C@@H](N)C(=O)O",  # D-lysine
    "verapamil": "COc1ccc(CCN(C)CCCC(C#N)(C(C)C)c2ccc(OC)c(OC)c2)cc1OC",
    "pmenthol": "CC(C)[C@@H]1CC[C@@H](C)C[C@H]1O",  # (+)-menthol
    "heroin": "CC(=O)Oc1ccc2CC3N(C)CCC45C(Oc1c24)C(OC(C)=O)C=CC35",
}
RELATIVE_NAMES = [
    ("d-lysine", "dlys", ""),
    ("verapamil", "verapamil", ""),
    ("(+)-menthol", "pmenthol", ""),
    ("menthol", "heroin", "US"),  # the DEA's slang
]


@pytest.fixture(scope="module")
def relatives() -> Resolver:
    return table_resolver(RELATIVES, RELATIVE_NAMES)


@pytest.mark.parametrize(
    ("query", "expected"),
    [("Lysinum", "dlys"), ("Lysina", "dlys"), ("Dexverapamilum", "verapamil")],
)
def test_an_inn_ending_then_a_stereo_relative_is_uncertain(
    relatives: Resolver, query: str, expected: str
) -> None:
    """Lysinum -> lysine, held only as d-lysine; dexverapamilum -> dexverapamil, whose racemate
    verapamil is held: one answer, uncertain, both readings noted."""
    r = relatives.resolve(query)
    assert (r.substance_id, r.uncertain) == (expected, True)
    assert any("INN ending" in note for note in r.notes)
    assert any("stereoisomer or racemate" in note for note in r.notes)


def test_an_inn_ending_never_crosses_a_stated_form(relatives: Resolver) -> None:
    r = relatives.resolve("L-Lysinum")
    assert not r.resolved and "does not hold" in (r.error or "")


def test_a_spelling_convention_of_a_held_name_beats_slang_known_elsewhere(
    relatives: Resolver,
) -> None:
    """'Mentol' spells menthol: the DEA's slang for heroin is not taken, the (+)-menthol the
    table holds is (uncertain); a rule-made form never lands on slang, in the US neither."""
    r = relatives.resolve("Mentol")
    assert (r.substance_id, r.uncertain) == ("pmenthol", True)
    us = Resolver(relatives.lookups, use_opsin=False, region="US").resolve("Mentol")
    assert (us.substance_id, us.uncertain) == ("pmenthol", True)
