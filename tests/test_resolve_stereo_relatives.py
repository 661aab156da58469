"""A stereo form the table lacks: never answered by another form it holds, a racemate answered
by the enantiomer it holds (uncertain), and the very form read by OPSIN where its labels, or
its being the mirror image of the form held, show it."""

from __future__ import annotations

import pytest

from subsmatch.substances.opsin import java_available, opsin_jar
from subsmatch.substances.resolve import Resolver, _mirrored
from subsmatch.substances.structures import keys_of
from tests.helpers import table_lookups, table_resolver

STRUCTURES = {
    "dlys": "NCCCC[C@@H](N)C(=O)O",  # D-lysine, (R)
    "lala": "C[C@H](N)C(=O)O",  # L-alanine, (S)
    "swarf": "CC(=O)C[C@@H](c1ccccc1)c1c(O)c2ccccc2oc1=O",  # (S)-warfarin
}
NAMES = [
    ("d-lysine", "dlys", ""),
    ("L-alanine", "lala", ""),
    ("(S)-warfarin", "swarf", ""),
]


@pytest.fixture(scope="module")
def resolver() -> Resolver:
    return table_resolver(STRUCTURES, NAMES)


@pytest.mark.parametrize("query", ["L-lysine", "(R)-warfarin", "D-alanine", "L-Lysinum"])
def test_a_stated_form_shown_otherwise_is_never_answered(resolver: Resolver, query: str) -> None:
    """The table's only name of the skeleton carries the other form: no answer, what is held
    named (before: 'L-lysine' was answered d-lysine, certain)."""
    r = resolver.resolve(query)
    assert not r.resolved and "does not hold" in (r.error or ""), r


@pytest.mark.parametrize(("query", "expected"), [("(±)-warfarin", "swarf"), ("dl-lysine", "dlys")])
def test_a_racemate_of_a_held_enantiomer_is_that_enantiomer_uncertain(
    resolver: Resolver, query: str, expected: str
) -> None:
    r = resolver.resolve(query)
    assert (r.substance_id, r.uncertain) == (expected, True)
    assert any("a racemate" in note for note in r.notes)


def test_the_form_the_table_holds_is_answered_certain(resolver: Resolver) -> None:
    assert (
        resolver.resolve("(S)-warfarin").substance_id,
        resolver.resolve("(S)-warfarin").uncertain,
    ) == ("swarf", False)


def test_a_mirror_image_inverts_every_centre() -> None:
    l_ala, d_ala = keys_of("C[C@H](N)C(=O)O"), keys_of("C[C@@H](N)C(=O)O")
    assert keys_of(_mirrored(l_ala.smiles)).inchikey == d_ala.inchikey
    assert keys_of(_mirrored(d_ala.smiles)).inchikey == l_ala.inchikey


@pytest.fixture(scope="module")
def with_opsin() -> Resolver:
    if not java_available() or opsin_jar() is None:
        pytest.skip("needs Java and the OPSIN jar")
    keys = {sid: keys_of(smiles) for sid, smiles in STRUCTURES.items()}
    return Resolver(table_lookups(keys, NAMES), use_opsin=True)


@pytest.mark.opsin
@pytest.mark.parametrize(
    ("query", "how"), [("(R)-alanine", "CIP labels"), ("D-alanine", "mirror image")]
)
def test_opsin_reads_a_stated_form_the_table_lacks(
    with_opsin: Resolver, query: str, how: str
) -> None:
    """D-alanine (R) is not in the table, L-alanine is: OPSIN's reading is taken where its
    CIP label shows (R), or where it is the mirror image of what the table names L-."""
    r = with_opsin.resolve(query)
    assert r.via == "opsin" and r.substance_id is None
    assert r.keys.inchikey == keys_of("C[C@@H](N)C(=O)O").inchikey
    assert any(how in note for note in r.notes)


@pytest.mark.opsin
def test_opsin_is_not_asked_where_the_table_holds_the_form(with_opsin: Resolver) -> None:
    r = with_opsin.resolve("(S)-alanine")
    assert (r.substance_id, r.via) == ("lala", "synonym")
