"""Names that state a stereo form: the stereoisomer shown, else the skeleton with its doubt."""

from __future__ import annotations

import pytest

from subsmatch.substances.resolve import Resolver
from subsmatch.substances.stereo import Stated, stated_stereo
from tests.helpers import table_resolver

STRUCTURES = {
    "amph": "CC(N)Cc1ccccc1",  # drawn flat: the racemate
    "dexamph": "C[C@H](N)Cc1ccccc1",  # (S)
    "levamph": "C[C@@H](N)Cc1ccccc1",  # (R)
    "mdma": "CNC(C)Cc1ccc2c(c1)OCO2",  # the only one of its skeleton, flat
    "eph": "C[C@H](NC)[C@H](O)c1ccccc1",  # (1R,2S)
    "pseudo": "C[C@H](NC)[C@@H](O)c1ccccc1",  # (1S,2S)
    "tret": "CC1=C(C(CCC1)(C)C)/C=C/C(=C/C=C/C(=C/C(=O)O)/C)/C",  # all-E
    "isotret": "CC1=C(C(CCC1)(C)C)/C=C/C(=C/C=C/C(=C\\C(=O)O)/C)/C",  # 13-Z
    "succ": "OC(=O)CCC(=O)O",  # no stereo at all
    "meth": "CSCC[C@H](N)C(=O)O",  # L-methionine, (S)
}
NAMES = [
    ("amphetamine", "amph", ""),
    ("dexamfetamine", "dexamph", ""),
    ("levamfetamine", "levamph", ""),
    ("MDMA", "mdma", ""),
    ("ephedrine", "eph", ""),
    ("(-)-ephedrine", "eph", ""),
    ("pseudoephedrine", "pseudo", ""),
    ("tretinoin", "tret", ""),
    ("isotretinoin", "isotret", ""),
    ("succinic acid", "succ", ""),
    ("methionine", "meth", ""),
]


@pytest.fixture(scope="module")
def resolver() -> Resolver:
    return table_resolver(STRUCTURES, NAMES)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("(S)-amphetamine", "dexamph"),  # by the CIP label of its one centre
        ("S-(+)-Amphetamine", "dexamph"),  # a bare letter before a sign
        ("(R)-amphetamine", "levamph"),
        ("(-)-amphetamine", "levamph"),  # by a name of the reference: levamfetamine
        ("d-amphetamine", "dexamph"),  # dexamfetamine
        ("levo-amphetamine", "levamph"),  # a stereo word written apart
        ("Amphetamine, (S)-", "dexamph"),  # a CAS index name
        ("amphetamine, R-isomer", "levamph"),
        ("(±)-amphetamine", "amph"),  # a racemate is drawn flat
        ("all-trans-tretinoin", "tret"),  # every double bond E
        ("(1S,2S)-ephedrine", "pseudo"),  # all labels alike, as many as the centres
    ],
)
def test_the_stereoisomer_shown_is_answered(resolver: Resolver, query: str, expected: str) -> None:
    r = resolver.resolve(query)
    assert (r.substance_id, r.uncertain) == (expected, False), r.notes
    assert any("stated" in note for note in r.notes)


def test_dextro_is_never_answered_for_levo(resolver: Resolver) -> None:
    """The reference names ephedrine (-): '(+)-ephedrine' is not it (another stereoisomer of
    the skeleton may be meant, uncertain, and ephedrine is named as shown otherwise)."""
    r = resolver.resolve("(+)-ephedrine")
    assert r.substance_id != "eph" and "eph" not in r.alternatives and r.uncertain
    assert any("not eph" in note for note in r.notes)


def test_a_form_shown_otherwise_everywhere_is_not_answered(resolver: Resolver) -> None:
    r = resolver.resolve("(1R,2R)-ephedrine")  # eph is (1R,2S), pseudo (1S,2S): neither
    assert not r.resolved and "does not hold" in (r.error or "")


def test_a_skeleton_held_once_is_answered_with_a_note(resolver: Resolver) -> None:
    """MDMA is the only substance of its skeleton: '(S)-MDMA' is covered with it, noted."""
    r = resolver.resolve("(S)-MDMA")
    assert (r.substance_id, r.uncertain) == ("mdma", False)
    assert any("holds only" in note for note in r.notes)


def test_a_form_not_shown_among_several_is_uncertain(resolver: Resolver) -> None:
    r = resolver.resolve("(+)-tretinoin")  # a sign no structure shows, no name tells
    assert r.substance_id == "tret" and r.uncertain


def test_a_racemate_of_an_enantiomer_is_uncertain(resolver: Resolver) -> None:
    r = resolver.resolve("DL-methionine")
    assert (r.substance_id, r.uncertain) == ("meth", True)


def test_a_descriptor_on_a_skeleton_without_stereo_is_no_descriptor(resolver: Resolver) -> None:
    assert not resolver.resolve("trans-succinic acid").resolved


@pytest.mark.parametrize(
    "text",
    [
        *("S-methylcysteine", "S-adenosylmethionine", "S-(2-aminoethyl)cysteine", "S atenolol"),
        *("dextromethorphan", "D-homo-estrone", "Prozac (R)", "alpha-methyldopa", "4-MMC"),
    ],
)
def test_what_is_no_stereo_descriptor(text: str) -> None:
    """A locant on sulfur, a glued stereo word (its own name), steroid ring letters, a
    trademark sign, a Greek locant and codes state no stereo form."""
    assert stated_stereo(text) is None


def test_descriptors_are_read_in_order() -> None:
    assert stated_stereo("(R)-(−)-Epinephrine") == (
        (Stated("cip", "r", "(R)"), Stated("sign", "-", "(-)")),
        "Epinephrine",
    )
    assert stated_stereo("beta-D-glucose")[0] == (
        Stated("anomer", "beta", "beta"),
        Stated("sign", "+", "D"),
    )
