"""The resolver on a small reference of its own: real structures (RDKit), a real synonym
index, real OPSIN (``opsin`` mark). Each rule with an example and a near miss."""

from __future__ import annotations

from dataclasses import replace

import pytest

from subsmatch.matchers.names import SynonymIndex
from subsmatch.substances.facts import QueryFacts
from subsmatch.substances.regions import RegionError
from subsmatch.substances.resolve import Lookups, Resolution, Resolver
from subsmatch.substances.structures import keys_of
from tests.helpers import table_lookups

STRUCTURES = {
    "amph": "CC(N)Cc1ccccc1",
    "meth": "CNC(C)Cc1ccccc1",
    "mdma": "CNC(C)Cc1ccc2c(c1)OCO2",
    "mda": "CC(N)Cc1ccc2c(c1)OCO2",
    "mdea": "CCNC(C)Cc1ccc2c(c1)OCO2",
    "3cmc": "CNC(C)C(=O)c1cccc(Cl)c1",
    "4cmc": "CNC(C)C(=O)c1ccc(Cl)cc1",
    "3mmc": "CNC(C)C(=O)c1cccc(C)c1",
    "4mmc": "CNC(C)C(=O)c1ccc(C)cc1",
    "dxm": "COc1ccc2c(c1)[C@]13CCCC[C@H]1[C@@H](C2)N(C)CC3",
    "lvm": "COc1ccc2c(c1)[C@@]13CCCC[C@@H]1[C@H](C2)N(C)CC3",
    "fent": "CCC(=O)N(c1ccccc1)C1CCN(CCc2ccccc2)CC1",
    "ghb": "O=C(O)CCCO",
    "gbl": "O=C1CCCO1",
    "2fa": "CC(N)Cc1ccccc1F",
    "4fphp": "CCCCC(C(=O)c1ccc(F)cc1)N1CCCC1",
    "mdmb": "C=CCCCn1nc(C(=O)NC(C(=O)OC)C(C)(C)C)c2ccccc21",
}
NAMES = [
    ("amphetamine", "amph", ""),
    ("speed", "amph", "NL"),
    ("speed", "amph", "BE"),
    ("speed", "meth", "DE"),
    ("speed", "meth", "US"),
    ("methamphetamine", "meth", ""),
    ("crystal", "meth", "NL"),
    ("crystal", "mdma", "NL"),
    ("miauw miauw", "3mmc", "NL"),
    ("miauw miauw", "4mmc", "NL"),
    ("candy", "mdma", "US"),
    ("MDMA", "mdma", ""),
    ("MDA", "mda", ""),
    ("MDEA", "mdea", ""),
    ("3-CMC", "3cmc", ""),
    ("4-CMC", "4cmc", ""),
    ("3-MMC", "3mmc", ""),
    ("mephedrone", "4mmc", ""),
    ("dextromethorphan", "dxm", ""),
    ("levomethorphan", "lvm", ""),
    ("fentanyl", "fent", ""),
    ("GHB", "ghb", ""),
    ("GBL", "ghb", ""),  # a category table read as synonyms: the facts must catch it
    ("gamma-butyrolactone", "gbl", ""),
    ("2-FA", "2fa", ""),
    ("2-fluoroamphetamine", "2fa", ""),
    ("cookie", "mdma", "NL"),
    ("4-F-α-PHP", "4fphp", ""),
    ("MDMB-4en-PINACA", "mdmb", ""),
]
KEYS = {sid: keys_of(smiles) for sid, smiles in STRUCTURES.items()}
CAS = {"437-38-7": ["fent"], "300-62-9": ["amph"], "537-46-2": ["meth"]}


def lookups() -> Lookups:
    return table_lookups(KEYS, NAMES, CAS)


@pytest.fixture(scope="module")
def resolver() -> Resolver:
    return Resolver(lookups(), use_opsin=False)


def resolved(resolver: Resolver, query: str, facts: QueryFacts | None = None) -> Resolution:
    return resolver.resolve(query, facts)


# --- names a user types ------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["4F-PHP", "4-fluoro-alpha-PHP", "4F-α-PHP", "4-F-PHP"])
def test_nps_shorthand_names_one_substance(resolver: Resolver, query: str) -> None:
    r = resolved(resolver, query)
    assert (r.substance_id, r.via, r.uncertain) == ("4fphp", "synonym", False)


@pytest.mark.parametrize("query", ["3F-PHP", "4F-PVP", "PHP", "4-FA"])
def test_nps_shorthand_near_misses_stay_apart(resolver: Resolver, query: str) -> None:
    assert not resolved(resolver, query).resolved


def test_spacing_and_hyphens_aside(resolver: Resolver) -> None:
    r = resolved(resolver, "MDMB 4en PINACA")
    assert (r.substance_id, r.uncertain) == ("mdmb", False)
    assert "spaces and hyphens aside" in r.notes[-1]
    assert not resolved(resolver, "MDMB 5en PINACA").resolved


def test_codes_keep_their_digits(resolver: Resolver) -> None:
    assert resolved(resolver, "3-CMC").substance_id == "3cmc"
    assert resolved(resolver, "4CMC").substance_id == "4cmc"
    assert resolved(resolver, "3 CMC").substance_id == "3cmc"
    assert not resolved(resolver, "5-CMC").resolved
    assert [resolved(resolver, q).substance_id for q in ("MDA", "MDEA", "MDMA")] == [
        "mda",
        "mdea",
        "mdma",
    ]
    assert not resolved(resolver, "MDMAA").resolved


def test_an_alias_inside_the_query(resolver: Resolver) -> None:
    r = resolved(resolver, "2-Fluoroamphetamine (2-FA)")
    assert (r.substance_id, r.uncertain) == ("2fa", False)
    assert "'2-Fluoroamphetamine' and '2-FA' name the same substance" in r.notes


def test_an_alias_part_nobody_knows_may_qualify_the_name(resolver: Resolver) -> None:
    r = resolved(resolver, "cookie (hydroponic)")  # a street name with a qualifier
    assert (r.substance_id, r.uncertain) == ("mdma", True)
    assert "'hydroponic' is not in the reference data" in r.notes[-1]


def test_an_alias_that_disagrees_is_uncertain(resolver: Resolver) -> None:
    r = resolved(resolver, "MDMA (MDA)")
    assert r.uncertain and {r.substance_id, *r.alternatives} == {"mdma", "mda"}
    assert "the names disagree" in r.notes[-1]


def test_an_alias_settles_an_ambiguous_name(resolver: Resolver) -> None:
    r = resolved(resolver, "crystal (methamphetamine)")
    assert (r.substance_id, r.alternatives, r.uncertain) == ("meth", (), False)


def test_a_typo_in_a_long_name_is_tolerated_and_uncertain(resolver: Resolver) -> None:
    r = resolved(resolver, "fentanly")
    assert (r.substance_id, r.via, r.uncertain) == ("fent", "fuzzy", True)
    assert r.confidence <= 0.8


def test_a_typo_never_crosses_a_stereo_word(resolver: Resolver) -> None:
    assert resolved(resolver, "dextromethrophan").substance_id == "dxm"
    assert resolved(resolver, "levomethrophan").substance_id == "lvm"
    assert resolved(resolver, "dextromethrophan").uncertain


def test_short_codes_take_no_typo(resolver: Resolver) -> None:
    for query in ("3-CMK", "4-MMC", "MDMX"):
        assert not resolved(resolver, query).resolved, query


# --- ambiguity and region ----------------------------------------------------------------------


def test_a_street_name_follows_the_benelux_by_default(resolver: Resolver) -> None:
    r = resolved(resolver, "speed")
    assert (r.substance_id, r.alternatives) == ("amph", ())
    assert "elsewhere 'speed' also means meth (DE, US)" in r.notes


def test_a_street_name_is_always_uncertain(resolver: Resolver) -> None:
    """Slang says what is sold under a word, not what a sample is: one meaning in the user's
    region is still a doubt (the held-out rows give 'ice' as crack where others give meth)."""
    r = resolved(resolver, "speed")
    assert (r.substance_id, r.uncertain, r.confidence) == ("amph", True, 0.5)
    assert any("is a street name: it says what is sold under it" in n for n in r.notes)
    both = SynonymIndex(
        [("ice", "meth", "US"), ("ice", "meth", ""), ("2C-B", "amph", "NL"), ("2C-B", "amph", "")]
    )
    plain = Resolver(Lookups(both, {}, {}, lambda c: [], KEYS.get), use_opsin=False)
    assert plain.resolve("ice").uncertain  # a list's name too (the DEA's "ICE"): still slang
    assert not plain.resolve("2C-B").uncertain  # a code with digits names one structure
    assert not resolved(resolver, "amphetamine").uncertain


def test_a_street_name_follows_the_users_region() -> None:
    us = Resolver(lookups(), use_opsin=False, region="US")
    assert us.resolve("speed").substance_id == "meth"
    de = Resolver(lookups(), use_opsin=False, region="de")
    assert de.resolve("speed").substance_id == "meth"


def test_without_a_region_every_meaning_counts() -> None:
    """With no preference, every place counts: 'speed' is amphetamine in some and
    methamphetamine in others, so no single meaning is taken; its meanings are named."""
    anywhere = Resolver(lookups(), use_opsin=False, region="any")
    r = anywhere.resolve("speed")
    assert not r.resolved
    assert "several substances in any (amph (BE, NL); meth (DE, US))" in (r.error or "")


def test_meanings_that_disagree_in_the_region_are_not_taken(resolver: Resolver) -> None:
    """A street name the user's region gives two substances (NL 'miauw miauw': 3-MMC and
    4-MMC) is two doubts: what is sold under the word, and which meaning: unresolved, both
    meanings in the error, unless the report's facts settle it."""
    r = resolved(resolver, "miauw miauw")
    assert not r.resolved and r.alternatives == ()
    assert "(3mmc (NL); 4mmc (NL)): no single one is taken" in (r.error or "")
    settled = resolved(resolver, "miauw miauw", QueryFacts(formula="C11H15NO"))
    assert not settled.resolved  # the formula fits both isomers: it settles nothing
    assert "the report's formula C11H15NO agrees with 3mmc, 4mmc" in settled.notes
    us = Resolver(lookups(), use_opsin=False, region="US")  # one meaning in the US: taken
    assert us.resolve("speed").substance_id == "meth"


def test_a_meaning_every_place_of_the_tier_gives_is_taken() -> None:
    """Of the places of the first tier that uses a name, the meaning they all give is the
    one answered; a meaning only some give is an alternative noted, not a contest."""
    index = SynonymIndex([("pep", "amph", "UK"), ("pep", "amph", "DE"), ("pep", "meth", "DE")])
    found = Lookups(index, {}, {}, lambda c: [], KEYS.get)
    nl = Resolver(found, use_opsin=False, region="NL").resolve("pep")
    assert (nl.substance_id, nl.uncertain) == ("amph", True)
    assert any("also means meth (DE)" in n for n in nl.notes)
    de = Resolver(found, use_opsin=False, region="DE").resolve("pep")
    assert not de.resolved and "several substances in DE" in (de.error or "")


def test_a_meaning_only_a_note_reports_contests_but_is_never_answered() -> None:
    """A region marked reported ("FR?": a source's note says the name also means it there)
    makes the row's meaning there doubtful, and alone is no answer."""
    index = SynonymIndex(
        [("roche", "cocaine", "FR"), ("roche", "fluni", "FR?"), ("paste", "amph", "NL?")]
    )
    found = Lookups(index, {}, {}, lambda c: [], {"cocaine": None, "fluni": None}.get)
    fr = Resolver(found, use_opsin=False, region="FR")
    assert not fr.resolve("roche").resolved
    assert "fluni (FR by a note)" in (fr.resolve("roche").error or "")
    nl = Resolver(found, use_opsin=False, region="NL").resolve("paste")
    assert not nl.resolved and "in NL only by a source's note (amph (NL by a note))" in nl.error


def test_a_users_own_usage_comes_before_a_name_used_anywhere() -> None:
    """A list that carries slang as a name ("love drug" for MDA) does not override what the
    word means where the user is; where the user's region has no usage, the list's name is
    answered."""
    index = SynonymIndex([("love drug", "mda", ""), ("love drug", "mdma", "UK")])
    found = Lookups(index, {}, {}, lambda c: [], KEYS.get)
    assert Resolver(found, use_opsin=False, region="UK").resolve("love drug").substance_id == (
        "mdma"
    )
    assert Resolver(found, use_opsin=False).resolve("love drug").substance_id == "mda"


def test_a_street_name_known_only_elsewhere_gives_no_structure_only_its_meanings(
    resolver: Resolver,
) -> None:
    """Slang of another region is two doubts (what is sold under a word; a word not known to
    mean anything here): unresolved, its meanings elsewhere in the error. A code with digits
    names one structure wherever it is used."""
    r = resolver.resolve("candy")
    assert not r.resolved and r.alternatives == ()
    assert "only outside Europe" in r.error and "(US)" in r.error
    here = Resolver(lookups(), use_opsin=False, region="US").resolve("candy")
    assert (here.substance_id, here.uncertain) == ("mdma", True)
    assert not any("only outside" in n for n in here.notes)
    codes = SynonymIndex([("2C-B", "amph", "US"), ("cookie", "mdma", "US"), ("51s", "mdma", "US")])
    named = {"amph": "2C-B", "mdma": "MDMA"}
    europe = Resolver(
        Lookups(codes, {}, {}, lambda c: [], KEYS.get, name_of=named.__getitem__), use_opsin=False
    )
    code = europe.resolve("2C-B")
    assert (code.substance_id, code.uncertain) == ("amph", True)
    assert "only outside Europe" in code.notes[-1]
    # slang with a number that is no code of its substance ('51s' for crack) is slang
    assert not europe.resolve("51s").resolved
    # an alias form: the foreign slang part gives nothing, the code settles it
    assert europe.resolve("cookie (2C-B)").substance_id == "amph"


def test_an_unknown_region_is_refused_with_a_fix() -> None:
    with pytest.raises(RegionError, match="unknown region 'Atlantis'") as error:
        Resolver(lookups(), region="Atlantis")
    assert "two-letter country code" in error.value.hint


# --- facts that come with the query ------------------------------------------------------------


def test_a_formula_that_agrees_is_noted(resolver: Resolver) -> None:
    r = resolved(resolver, "GHB", QueryFacts(formula="C4H8O3"))
    assert (r.substance_id, r.uncertain) == ("ghb", False)
    assert "agrees with the report's formula C4H8O3" in r.notes


def test_a_table_answer_the_formula_contradicts_is_uncertain(resolver: Resolver) -> None:
    r = resolved(resolver, "GBL", QueryFacts(formula="C4H6O2"))
    assert (r.substance_id, r.doubtful) == ("ghb", True)
    assert "disagrees with C4H8O3" in r.notes[-1]
    assert not resolved(resolver, "GBL").uncertain  # the same name without the fact


def test_a_salt_formula_agrees_with_its_parent(resolver: Resolver) -> None:
    r = resolved(resolver, "amphetamine sulfate", QueryFacts(formula="C9H13N.H2SO4"))
    assert not r.uncertain and "agrees" in r.notes[-1]


def test_the_formula_settles_an_ambiguous_name(resolver: Resolver) -> None:
    r = resolved(resolver, "crystal", QueryFacts(formula="C10H15N"))
    assert (r.substance_id, r.alternatives) == ("meth", ())
    assert r.uncertain  # which of its meanings, not that the sample is one: still slang


def test_a_cas_number_that_names_another_substance(resolver: Resolver) -> None:
    r = resolved(resolver, "fentanyl", QueryFacts(cas="300-62-9"))
    assert r.doubtful and "CAS 300-62-9" in r.notes[-1]
    assert not resolved(resolver, "fentanyl", QueryFacts(cas="437-38-7")).uncertain


def test_a_near_spelling_the_formula_contradicts_is_not_taken(resolver: Resolver) -> None:
    r = resolved(resolver, "fentanly", QueryFacts(formula="C9H13N"))
    assert not r.resolved and "disagree" in (r.error or "")
    assert "fuzzy read fent" not in r.notes[-1]


def test_facts_are_part_of_the_cache_key(resolver: Resolver) -> None:
    plain, checked = resolver.resolve_many(["GBL", "GBL"], [None, QueryFacts(formula="C4H6O2")])
    assert not plain.uncertain and checked.uncertain


def test_facts_must_align_with_queries(resolver: Resolver) -> None:
    with pytest.raises(ValueError, match="align"):
        resolver.resolve_many(["GHB", "GBL"], [QueryFacts(formula="C4H8O3")])


# --- OPSIN, checked ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def opsin_resolver() -> Resolver:
    return Resolver(lookups(), use_opsin=True)


@pytest.mark.opsin
def test_opsin_reads_a_systematic_name(opsin_resolver: Resolver) -> None:
    r = opsin_resolver.resolve("1-phenylpropan-2-amine")
    assert (r.via, r.substance_id, r.uncertain) == ("opsin", "amph", False)


@pytest.mark.opsin
@pytest.mark.parametrize(
    ("query", "why"),
    [
        ("fluoroamphetamine", "missing locant"),  # OPSIN puts the fluorine on nitrogen
        ("3,6-diacetylmorphine", "trivial parent"),  # OPSIN acetylates carbon, not oxygen
        ("d-lactic acid", "stereo letter"),  # dextrorotatory lactic acid is L-lactic acid
        ("HexEn", "code"),  # OPSIN reads hexene
    ],
)
def test_a_risky_reading_no_source_holds_is_not_taken(
    opsin_resolver: Resolver, query: str, why: str
) -> None:
    r = opsin_resolver.resolve(query)
    assert not r.resolved and "not taken" in (r.error or ""), r
    assert any(n.startswith(why) for n in r.notes) and "OPSIN read" in r.notes[-1]


@pytest.mark.opsin
def test_a_risky_reading_a_source_holds_is_uncertain(opsin_resolver: Resolver) -> None:
    r = opsin_resolver.resolve("methylamphetamine")  # which methyl? OPSIN: N, which is held
    assert (r.via, r.substance_id, r.uncertain) == ("opsin", "meth", True)
    assert any(n.startswith("missing locant") for n in r.notes)


@pytest.mark.opsin
def test_a_reading_no_source_holds_is_uncertain_until_the_report_agrees(
    opsin_resolver: Resolver,
) -> None:
    alone = opsin_resolver.resolve("1-phenylbutan-2-amine")
    assert (alone.via, alone.substance_id, alone.uncertain) == ("opsin", None, True)
    assert alone.keys is not None and "no source the reference reads" in alone.notes[-1]
    agreed = opsin_resolver.resolve("1-phenylbutan-2-amine", QueryFacts(formula="C10H15N"))
    assert (agreed.uncertain, agreed.confidence) == (False, 0.95)
    risky = opsin_resolver.resolve("fluoroamphetamine", QueryFacts(formula="C9H12FN"))
    assert risky.resolved and risky.uncertain  # the formula cannot place the fluorine


@pytest.mark.opsin
def test_an_opsin_reading_the_formula_contradicts_is_not_taken(opsin_resolver: Resolver) -> None:
    r = opsin_resolver.resolve("1-phenylpropan-2-amine", QueryFacts(formula="C10H15N"))
    assert not r.resolved and "the name and the report disagree" in (r.error or "")
    assert "opsin read CC(N)Cc1ccccc1, not taken" in r.notes


@pytest.mark.opsin
def test_a_cas_number_confirms_a_doubtful_reading(opsin_resolver: Resolver) -> None:
    assert opsin_resolver.resolve("methylamphetamine").uncertain  # which methyl? N by default
    r = opsin_resolver.resolve("methylamphetamine", QueryFacts(cas="537-46-2"))
    assert r.via == "opsin" and r.substance_id == "meth"
    assert not r.uncertain and "confirms the structure" in r.notes[-1]


@pytest.mark.opsin
def test_a_derivative_names_its_analyte(opsin_resolver: Resolver) -> None:
    facts = QueryFacts(formula="C12H21NSi")  # amphetamine + one TMS group
    r = opsin_resolver.resolve("1-phenylpropan-2-amine, TMS derivative", facts)
    assert (r.substance_id, r.uncertain) == ("amph", False)
    assert any("TMS derivative" in n for n in r.notes) and "agrees" in r.notes[-1]


@pytest.mark.opsin
def test_a_cas_index_name_keeps_its_ester(opsin_resolver: Resolver) -> None:
    r = opsin_resolver.resolve("Benzoic acid, methyl ester")
    assert r.keys is not None and r.keys.formula == "C8H8O2"


# --- the same through the Checker and the shipped reference ------------------------------------


def test_the_checker_passes_facts_and_caches_by_them(checker) -> None:
    # (was GBL with GBL's formula, when the reference read GBL as GHB; it no longer does)
    plain, checked = checker.check_json(["3-MMC", "3-MMC"], facts=[None, QueryFacts("C10H12FNO")])
    assert plain["resolved"]["uncertain"] is False  # nothing contradicts the table
    assert checked["resolved"]["uncertain"] is True
    assert any("disagrees" in note for note in checked["notes"])


def test_the_checker_takes_a_region() -> None:
    from subsmatch.matchers.checker import Checker

    assert Checker(region="nl").region == "NL"
    with pytest.raises(RegionError):
        Checker(region="Narnia")


# --- stereoisomers the table holds under another name -----------------------------------------

STEREO_NAMES = [
    ("levocetirizine", "lcet", ""),
    ("verapamil", "vera", ""),
    ("d-lysine", "dlys", ""),
    ("dextromethorphan", "dxm", ""),
]
STEREO_STRUCTURES = {
    "lcet": "OC(=O)COCCN1CCN(CC1)[C@H](c1ccccc1)c1ccc(Cl)cc1",
    "vera": "COc1ccc(CCN(C)CCCC(C#N)(C(C)C)c2ccc(OC)c(OC)c2)cc1OC",
    "dlys": "NCCCC[C@@H](N)C(=O)O",
    "dxm": STRUCTURES["dxm"],
}


@pytest.fixture(scope="module")
def stereo_resolver() -> Resolver:
    keys = {sid: keys_of(smiles) for sid, smiles in STEREO_STRUCTURES.items()}
    return Resolver(
        Lookups(
            names=SynonymIndex(STEREO_NAMES),
            cas={},
            inchikey={k.inchikey: sid for sid, k in keys.items()},
            skeleton=lambda c: sorted(sid for sid, k in keys.items() if k.connectivity == c),
            structure_of=keys.get,
        ),
        use_opsin=False,
    )


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("cetirizine", "lcet"),  # a stereo word the table alone has
        ("(RS)-cetirizine", "lcet"),
        ("dexverapamil", "vera"),  # a stereo word the table lacks
        ("lysine", "dlys"),  # a stereo prefix the table alone has
        ("cetirizina", "lcet"),  # and a spelling convention on top: fuzzy
    ],
)
def test_a_stereoisomer_the_table_holds_answers_and_is_uncertain(
    stereo_resolver: Resolver, query: str, expected: str
) -> None:
    r = stereo_resolver.resolve(query)
    assert (r.substance_id, r.uncertain) == (expected, True)
    assert any("its stereo may differ" in note for note in r.notes), r.notes


def test_a_stereo_word_is_never_swapped_for_another(stereo_resolver: Resolver) -> None:
    assert not stereo_resolver.resolve("levomethorphan").resolved
    assert not stereo_resolver.resolve("cetrizine").resolved  # a relative's typo: two doubts
    assert not stereo_resolver.resolve("levoverapamilone").resolved
    exact = stereo_resolver.resolve("levocetirizine")
    assert (exact.substance_id, exact.uncertain) == ("lcet", False)


def test_a_near_spelling_of_slang_is_taken_only_in_the_users_region(resolver: Resolver) -> None:
    near = resolver.resolve("cooky")  # NL slang, the default region: one doubt
    assert (near.substance_id, near.via, near.uncertain) == ("mdma", "fuzzy", True)
    candi = resolver.resolve("candi")  # US slang from Europe: two doubts, and no runner-up
    assert not candi.resolved and "street name known only outside" in (candi.error or "")
    us = Resolver(lookups(), use_opsin=False, region="US")
    assert us.resolve("candi").substance_id == "mdma"


def test_a_stereo_relative_is_never_slang() -> None:
    index = SynonymIndex([("menthol", "heroin", "US"), ("levocetirizine", "lcet", "")])
    keys = {"lcet": keys_of(STEREO_STRUCTURES["lcet"])}
    found = Resolver(
        Lookups(index, {}, {}, lambda c: [], keys.get), use_opsin=False, region="US"
    ).resolve
    assert not found("levomenthol").resolved  # "menthol" is the DEA's slang for heroin
    assert found("cetirizine").substance_id == "lcet"


def test_a_stereo_relative_may_carry_a_stereo_prefix() -> None:
    index = SynonymIndex([("menthol", "heroin", "US"), ("(+)-menthol", "dmen", "")])
    keys = {"dmen": keys_of("CC(C)[C@H]1CC[C@H](C)C[C@@H]1O")}
    r = Resolver(Lookups(index, {}, {}, lambda c: [], keys.get), use_opsin=False).resolve(
        "levomenthol"
    )
    assert (r.substance_id, r.uncertain) == ("dmen", True)
    assert any("its stereo may differ" in note for note in r.notes), r.notes


def test_a_relatives_spelling_convention_beats_a_typo_of_another_name() -> None:
    index = SynonymIndex(
        [("menthol", "heroin", "US"), ("(+)-menthol", "dmen", ""), ("levomenol", "bisab", "")]
    )
    keys = {
        "dmen": keys_of("CC(C)[C@H]1CC[C@H](C)C[C@@H]1O"),
        "bisab": keys_of("CC(C)=CCC[C@](C)(O)[C@@H]1CCC(C)=CC1"),
    }
    found = Resolver(Lookups(index, {}, {}, lambda c: [], keys.get), use_opsin=False).resolve
    # levomenol is one letter away; 'levomentol' is read by the th/t correspondence of INNs and
    # 'Levomentholum' by its Latin ending, each then as a stereo relative ('levomenthol' is not
    # held, '(+)-menthol' is), never as a near-spelling of another name
    for query, via in (("levomentol", "synonym"), ("Levomentholum", "synonym")):
        r = found(query)
        assert (r.substance_id, r.via, r.uncertain) == ("dmen", via, True), query
        assert any("its stereo may differ" in note for note in r.notes)
    assert found("levomneol").substance_id == "bisab"  # its own typo, no relative spelled


def test_a_salt_word_that_may_name_an_ester_is_a_doubt_where_no_structure_tells() -> None:
    """A substance known by its InChIKey only: 'X phosphate' may be its phosphate ester."""
    index = SynonymIndex([("estramustine", "estr"), ("cocaine", "coke")])
    keys = {"coke": keys_of("COC(=O)C1C(OC(=O)c2ccccc2)CC2CCC1N2C")}
    plain = Resolver(Lookups(index, {}, {}, lambda c: [], keys.get), use_opsin=False)
    ester = plain.resolve("Estramustine phosphate")
    assert (ester.substance_id, ester.uncertain) == ("estr", True)
    assert "ester or salt" in ester.notes[-1]
    assert not plain.resolve("Estramustine").uncertain
    assert not plain.resolve("cocaine phosphate").uncertain  # an amine: a salt
    # any counter-ion word: a salt or another compound of it (ferric pyrophosphate citrate)
    complex_ = plain.resolve("Estramustine citrate")
    assert complex_.uncertain and "salt or compound: 'citrate'" in complex_.notes[-1]
    assert not plain.resolve("Estramustine monohydrate").uncertain  # a form, no counter-ion


def test_an_amino_acid_phosphate_may_be_its_ester() -> None:
    """Serine phosphate: phosphoserine as often as a salt (the amine is taken by the acid)."""
    index = SynonymIndex([("serine", "ser")])
    keys = {"ser": keys_of("N[C@@H](CO)C(=O)O")}
    plain = Resolver(Lookups(index, {}, {}, lambda c: [], keys.get), use_opsin=False)
    r = plain.resolve("Serine phosphate")
    assert (r.substance_id, r.uncertain) == ("ser", True)
    assert "ester or salt" in r.notes[-1]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Warfarina", "warf"),
        ("Warfarinum", "warf"),
        ("Tranylcypromin", "tcp"),
        ("Acetylsalicylsäure", "asa"),
    ],
)
def test_an_inn_in_another_language_s_form_is_its_english_name(query: str, expected: str) -> None:
    index = SynonymIndex(
        [
            ("warfarin", "warf"),
            ("tranylcypromine", "tcp"),
            ("acetylsalicylic acid", "asa"),
            ("lysin", "a"),
            ("lysine", "b"),
            ("tina", "meth", "US"),
        ]
    )
    plain = Resolver(Lookups(index, {}, {}, lambda c: [], KEYS.get), use_opsin=False)
    r = plain.resolve(query)
    assert (r.substance_id, r.via, r.uncertain) == (expected, "synonym", False)
    assert any("another language's INN ending" in note for note in r.notes)
    # two substances among the forms, or slang: not read so
    assert plain.resolve("Lysinum").via != "synonym"
    assert plain.resolve("tinum").via != "synonym"


def test_an_answer_whose_structure_one_unreviewed_drawing_alone_gives_is_uncertain() -> None:
    """The reference says which structures rest on one unreviewed source's drawing: an answer
    of one of them, by name, CAS number or structure, is uncertain and says why (once)."""
    doubt = {"4fphp": "its structure is drawn by one unreviewed source alone (nps:7)"}
    doubting = replace(lookups(), structure_doubt=lambda sid: doubt.get(sid, ""))
    resolver = Resolver(doubting, use_opsin=False)
    for query in ("4-F-α-PHP", KEYS["4fphp"].smiles):
        r = resolver.resolve(query)
        assert (r.substance_id, r.uncertain) == ("4fphp", True), query
        assert r.notes.count(f"4fphp: {doubt['4fphp']}") == 1
    assert not resolver.resolve("fentanyl").uncertain


def test_a_name_found_by_its_own_spelling_only_answers_no_rule_made_form() -> None:
    """A vocabulary's synonym kept for lookup by its own spelling only ('Sophorine' of
    cytisine) answers itself, as written or blind to case, spaces and hyphens, and no form a
    spelling rule makes of another query ('Sophorin', another language's INN ending); a name
    every lookup may answer still does ('Warfarina')."""
    index = SynonymIndex([("Sophorine", "cytisine"), ("warfarin", "warf")], exact_only=[0])
    found = Lookups(index, {}, {}, lambda c: [], {"cytisine": None, "warf": None}.get)
    resolver = Resolver(found, use_opsin=False)
    assert resolver.resolve("SOPHORINE").substance_id == "cytisine"
    assert resolver.resolve("Sopho-rine").substance_id == "cytisine"
    assert not resolver.resolve("Sophorin").resolved
    assert not resolver.resolve("Sophorina").resolved
    assert resolver.resolve("Warfarina").substance_id == "warf"
