"""International non-proprietary names in other languages, read by rule: the endings (Latin
-um and its genitive -i, Romance -a/-o, French -e, German without -e) and the spelling
correspondences of INNs (ph/f, th/t, y/i, c/k, qu/k, mph/nf, ll/l), each form only looked up,
answered only where all the forms found name one substance; salt words in Latin and the
Romance salt-first order; a vocabulary synonym that spells another substance's own name."""

from __future__ import annotations

import pytest

from subsmatch.compile.identify import Decision, Fact, ident_of
from subsmatch.compile.merge import merge
from subsmatch.compile.names import foreign_spellings_of_others, trim_vocabulary_names
from subsmatch.compile.records import Name, Row
from subsmatch.compile.roles import SourceRole
from subsmatch.substances.names import normalise
from subsmatch.substances.resolve import Resolver
from subsmatch.substances.structures import keys_of
from subsmatch.substances.variants import MAX_FORMS, english_forms, respelt
from tests.helpers import table_resolver

# --- the rule on keys --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "english"),
    [
        ("cisteinum", "cysteine"),  # Latin -um, y/i
        ("cisteina", "cysteine"),  # Spanish -a
        ("cocaini", "cocaine"),  # Latin genitive (cocaini hydrochloridum)
        ("dexverapamilo", "dexverapamil"),  # Spanish -o after -il
        ("anfetamina", "amfetamine"),  # nf for mf
        ("tiroxina", "thyroxine"),  # th/t and y/i together
        ("metadona", "methadone"),
        ("levomentol", "levomenthol"),  # th/t, no ending
        ("kokain", "cocaine"),  # German: c/k, no final e
        ("vancomycine", "vancomycin"),  # French -e
        ("rocuronio", "rocuronium"),  # Spanish -io
        ("travoprostum", "travoprost"),  # Latin -um after any consonant
        ("enalquireno", "enalkiren"),  # Spanish qu for k
        ("penicilina", "penicillin"),  # ll/l
        ("fenol", "phenol"),
    ],
)
def test_a_language_form_has_its_english_form_among_the_candidates(key: str, english: str) -> None:
    assert english in english_forms(key)


@pytest.mark.parametrize("key", ["opium", "coca", "speed", "cloro", "calcium", "3-mmc", "2c-b"])
def test_no_form_of_a_word_of_its_own_a_short_word_or_a_code(key: str) -> None:
    assert english_forms(key) == ()


def test_a_correspondence_never_touches_digits_and_forms_are_capped() -> None:
    assert english_forms("4-fluoranfetamina") == ()  # a digit: not a one-word INN
    long = respelt("tatatatatatatatatata")  # every t a place: the fewest changes first
    assert len(long) == MAX_FORMS and long[0] == "thatatatatatatatatata"
    assert english_forms("methadona") == ("methadon", "methadone")  # th written: not respelt


def test_latin_and_romance_salt_words_come_off_as_form_words() -> None:
    def parts(text: str) -> tuple[str, str, tuple[str, ...]]:
        name = normalise(text)
        return name.base, name.stereo, name.form

    assert parts("Cocaini hydrochloridum") == ("cocaini", "", ("hydrochloride",))
    assert normalise("Morphini sulfas pentahydricus").base == "morphini sulfas pentahydricus"
    assert normalise("Morphini sulfas").form == ("sulfate",)
    assert normalise("Adenosini phosphas").form == ()  # a phosphate may be an ester (AMP)
    assert normalise("Potasio sulfato").base == "potasio sulfato"  # an inorganic salt
    assert parts("clorhidrato de cocaína") == ("cocaina", "", ("hydrochloride",))
    assert normalise("Solfato di morfina").base == "morfina"
    assert normalise("citrate de sodium").base == "sodium citrate"  # a compound, not a salt


# --- the resolver on a tiny table ---------------------------------------------------------------

STRUCTURES = {
    "cocaine": "COC(=O)C1C(OC(=O)c2ccccc2)CC2CCC1N2C",
    "dcys": "N[C@H](CS)C(=O)O",  # only D-cysteine held
    "lmenthol": "CC(C)[C@@H]1CC[C@@H](C)C[C@H]1O",
    "levomenol": "CC(C)=CCC[C@](C)(O)[C@@H]1CCC(C)=CC1",
    "amfetamine": "CC(N)Cc1ccccc1",
    "thiamine": "Cc1ncc(C[n+]2csc(CCO)c2C)c(N)n1",
    "tiamine": "CCO",  # a made-up second substance spelled as thiamine's Spanish stem
}
NAMES = [
    ("cocaine", "cocaine", ""),
    ("d-cysteine", "dcys", ""),
    ("levomenthol", "lmenthol", ""),
    ("levomenol", "levomenol", ""),
    ("amfetamine", "amfetamine", ""),
    ("thiamine", "thiamine", ""),
    ("tiamine", "tiamine", ""),
]


@pytest.fixture(scope="module")
def resolver() -> Resolver:
    return table_resolver(STRUCTURES, NAMES)


@pytest.mark.parametrize(
    ("query", "expected", "form"),
    [
        ("Cocaini hydrochloridum", "cocaine", ("hydrochloride",)),
        ("clorhidrato de cocaína", "cocaine", ("hydrochloride",)),
        ("Cocainum", "cocaine", ()),
        ("anfetamina", "amfetamine", ()),
    ],
)
def test_a_form_on_one_substance_answers_it(
    resolver: Resolver, query: str, expected: str, form: tuple[str, ...]
) -> None:
    r = resolver.resolve(query)
    assert (r.substance_id, r.form) == (expected, form)


def test_a_form_on_a_stereo_relative_only_is_uncertain(resolver: Resolver) -> None:
    for query in ("Cisteina", "Cisteinum"):
        r = resolver.resolve(query)
        assert (r.substance_id, r.uncertain) == ("dcys", True), query


def test_a_stated_stereo_form_is_never_crossed(resolver: Resolver) -> None:
    """L-cisteina states L; the table holds only D-cysteine: not answered as it."""
    assert resolver.resolve("L-Cisteina").substance_id != "dcys"


def test_a_rule_made_form_beats_a_near_spelling_of_another_stem(resolver: Resolver) -> None:
    """Levomentol is levomenthol by th/t, not levomenol one letter away."""
    r = resolver.resolve("Levomentol")
    assert (r.substance_id, r.via) == ("lmenthol", "synonym")
    assert any("read as 'levomenthol'" in note for note in r.notes)


def test_forms_on_two_substances_answer_neither_by_rule(resolver: Resolver) -> None:
    """Tiamina is tiamine or thiamine by the rule: no rule-made answer (a near-spelling at
    most, uncertain)."""
    r = resolver.resolve("Tiamina")
    assert not r.resolved or r.uncertain


# --- the compiler: a vocabulary synonym spelling another substance's own name --------------------

METHIONINE = keys_of("CSCC[C@H](N)C(=O)O")
ACETYL = keys_of("CSCC[C@H](NC(C)=O)C(=O)O")


def _role(source: str, name: str) -> SourceRole:
    return SourceRole(source, source, name, "trusted", name == "identity", "en", "2020-06-30", "")


def _given(keys) -> Decision:
    fact = Fact("given:trusted", ident_of(keys), "given structure")
    return Decision(fact.ident, (fact,), (), "given")


def test_a_vocabulary_synonym_that_spells_another_substances_own_name_is_dropped() -> None:
    """DrugBank's 'Methionin' (German for methionine) on N-acetylmethionine goes; its own
    names stay, and so does methionine's."""
    roles = {"ident": _role("ident", "identity"), "voc": _role("voc", "vocabulary")}
    rows = [
        Row("ident", 2, [Name("methionine")], structure=METHIONINE.smiles),
        Row("ident", 3, [Name("acetylmethionine")], structure=ACETYL.smiles),
        Row("voc", 4, [Name("Methionine", "preferred")], inchikey=METHIONINE.inchikey),
        Row(
            "voc",
            5,
            [Name("N-Acetylmethionine", "preferred"), Name("Methionin"), Name("AcMet")],
            inchikey=ACETYL.inchikey,
        ),
    ]
    decisions = {0: _given(METHIONINE), 1: _given(ACETYL), 2: _given(METHIONINE), 3: _given(ACETYL)}
    merged = merge(rows, roles, decisions, {i: d.support[0] for i, d in decisions.items()})
    acetyl = f"ik:{ACETYL.inchikey}"
    assert foreign_spellings_of_others(merged.substances, roles) == {acetyl: {"methionin"}}
    trim_vocabulary_names(merged.substances, roles)
    names = {e.name.text for e in merged.substances[acetyl].names}
    assert "Methionin" not in names and {"N-Acetylmethionine", "AcMet"} <= names
