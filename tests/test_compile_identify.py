"""Identity by agreement: facts, clusters, decisions, on tiny in-memory sources."""

from __future__ import annotations

import json

import pytest
from rdkit import Chem

from subsmatch.compile.build import DATA
from subsmatch.compile.identify import (
    Fact,
    Ident,
    Identifier,
    Index,
    _Entry,
    _resolve,
    compatible,
    decide,
    esterify,
    ident_of,
    quaternised,
    settle,
)
from subsmatch.compile.records import Name, Row
from subsmatch.compile.roles import SourceRole
from subsmatch.compile.witnesses import whole_connectivity
from subsmatch.substances.structures import keys_of

MEPHEDRONE = keys_of("CNC(C)C(=O)c1ccc(C)cc1")
METHCATHINONE = keys_of("CNC(C)C(=O)c1ccccc1")
HEROIN = keys_of("CC(=O)Oc1ccc2c3c1O[C@H]1[C@@H](OC(C)=O)C=C[C@H]4[C@@H](C2)N(C)CC[C@@]341")
LEVOMETHORPHAN = keys_of("COc1ccc2c(c1)[C@@]13CCCC[C@@H]1[C@@H](C2)N(C)CC3")
DEXTROMETHORPHAN = keys_of("COc1ccc2c(c1)[C@]13CCCC[C@H]1[C@H](C2)N(C)CC3")
RACEMETHORPHAN = keys_of("COc1ccc2c(c1)C13CCCCC1C(C2)N(C)CC3")


def role(
    source: str, role_name: str = "control", structures: str = "none", language: str = "en"
) -> SourceRole:
    return SourceRole(
        source, source, role_name, structures, role_name != "street", language, "2020-01-01", ""
    )


ROLES = {
    "ident": role("ident", "identity", "trusted"),
    "nl": role("nl", language="nl"),
    "cn": role("cn"),
    "eu": role("eu", structures="unreviewed"),
    "know": role("know", "synonyms", "from_knowledge"),
}


def fact(kind: str, keys, what: str = "x", weak: bool = False) -> Fact:
    return Fact(kind, ident_of(keys), what, weak_stereo=weak)


def test_a_name_outweighs_the_cas_number_of_another_substance():
    decision = decide([fact("name", MEPHEDRONE, "name"), fact("cas", METHCATHINONE, "CAS")])
    assert decision.ident.inchikey == MEPHEDRONE.inchikey
    assert [f.what for f in decision.against] == ["CAS"]


def test_an_opsin_reading_never_outweighs_a_given_structure():
    decision = decide(
        [
            fact("given:trusted", HEROIN),
            fact("opsin", METHCATHINONE, weak=True),
            fact("opsin", METHCATHINONE, weak=True),
        ]
    )
    assert decision.ident.inchikey == HEROIN.inchikey and len(decision.against) == 2


def test_disagreeing_facts_of_equal_weight_keep_the_row_off_every_structure():
    decision = decide([fact("cas", METHCATHINONE), fact("opsin", MEPHEDRONE, weak=True)])
    assert (
        decision.ident is None
        and decision.reason == "facts disagree"
        and len(decision.against) == 2
    )


def test_a_lone_structure_from_knowledge_or_a_risky_reading_is_not_enough():
    assert decide([fact("given:from_knowledge", MEPHEDRONE)]).ident is None
    assert decide([fact("opsin:risky", MEPHEDRONE, weak=True)]).ident is None
    assert (
        decide(
            [fact("given:from_knowledge", MEPHEDRONE), fact("opsin:risky", MEPHEDRONE, weak=True)]
        ).ident
        is not None
    )
    assert decide([fact("given:unreviewed", MEPHEDRONE)]).ident is not None  # uncontradicted


def test_stereo_agrees_only_when_one_side_leaves_it_open():
    levo, dextro, flat = (
        fact("name", LEVOMETHORPHAN),
        fact("cas", DEXTROMETHORPHAN),
        fact("opsin", RACEMETHORPHAN),
    )
    assert not compatible(levo, dextro)
    assert compatible(levo, flat)
    assert compatible(
        levo, fact("opsin", DEXTROMETHORPHAN, weak=True)
    )  # OPSIN's stereo is no evidence
    decision = decide([fact("given:trusted", RACEMETHORPHAN), fact("name", LEVOMETHORPHAN)])
    assert (
        decision.ident.inchikey == LEVOMETHORPHAN.inchikey
    )  # a flat drawing refined by an agreeing fact


def test_an_index_name_resolves_to_the_form_most_sources_give():
    flat, specific = Ident(RACEMETHORPHAN.inchikey), Ident(LEVOMETHORPHAN.inchikey)
    assert (
        _resolve([_Entry(flat, {"a:1"}), _Entry(specific, {"b:1", "c:1"})], marked=False)
        == specific
    )
    assert _resolve([_Entry(flat, {"a:1"}), _Entry(specific, {"b:1"})], marked=True) == specific
    assert _resolve([_Entry(flat, {"a:1"}), _Entry(specific, {"b:1"})], marked=False) == flat
    other = Ident(HEROIN.inchikey)
    assert _resolve([_Entry(flat, {"a:1"}), _Entry(other, {"b:1"})], marked=False) is None


def test_names_match_across_languages_and_spellings_but_not_from_their_own_row():
    index = Index()
    anchor = Row(
        "ident", 2, [Name("MEPHEDRONE", "preferred"), Name("4-METHYLMETHCATHINONE", "code")]
    )
    index.add(anchor, ident_of(MEPHEDRONE), anchor.names, [], "en")
    assert index.name(Name("mefedron", "other", "nl"), "nl", "nl:5") == ident_of(MEPHEDRONE)
    assert index.name(Name("Mephedron", "other", "de"), "de", "de:5") == ident_of(MEPHEDRONE)
    assert index.name(Name("MEPHEDRONE"), "en", "ident:2") is None  # a row does not support itself


def test_esters_of_a_named_acid():
    acid = keys_of("CC1(C(=O)O)OC1c1ccc2c(c1)OCO2")  # PMK glycidic acid
    assert esterify(acid, "tert-butyl") == keys_of("CC1(C(=O)OC(C)(C)C)OC1c1ccc2c(c1)OCO2")
    assert esterify(keys_of("CCCC"), "ethyl") is None  # no acid group


def run(rows: list[Row]) -> dict[str, object]:
    result = Identifier(rows, ROLES).run()
    return {rows[i].ref: d for i, d in result.decisions.items()}


def test_china_s_mephedrone_stays_on_mephedrone_whatever_its_cas_number():
    rows = [
        Row(
            "ident",
            2,
            [Name("MEPHEDRONE", "preferred"), Name("4-METHYLMETHCATHINONE", "code")],
            structure=MEPHEDRONE.smiles,
        ),
        Row(
            "ident",
            3,
            [Name("METHCATHINONE", "preferred")],
            cas=["5650-44-2"],
            structure=METHCATHINONE.smiles,
        ),
        Row(
            "cn",
            185,
            [Name("4-Methylmethcathinone", "preferred"), Name("4-MMC", "code")],
            cas=["5650-44-2"],
        ),
        Row("nl", 102, [Name("mefedron", "other", "nl")]),
    ]
    decisions = run(rows)
    cn = decisions["cn:185"]
    assert cn.ident.inchikey == MEPHEDRONE.inchikey
    assert [f.what for f in cn.against] == ["CAS 5650-44-2"]
    assert decisions["nl:102"].ident.inchikey == MEPHEDRONE.inchikey


CP47497 = keys_of("CCCCCCC(C)(C)c1ccc([C@@H]2CCC[C@H](O)C2)c(O)c1")
CP47497_DIHEXYL = keys_of("CCCCCCC(C)(CCCCCC)c1ccc([C@@H]2CCC[C@H](O)C2)c(O)c1")


def test_a_code_written_with_a_space_meets_its_hyphenated_form_and_agreement_decides():
    rows = [
        Row("ident", 2, [Name("CP-47,497", "preferred")], structure=CP47497.smiles),
        # an unreviewed list gives another structure under the same code, spaced
        Row("eu", 3, [Name("CP 47,497", "preferred")], structure=CP47497_DIHEXYL.smiles),
        Row("nl", 4, [Name("CP47,497", "other")]),
    ]
    decisions = run(rows)
    eu = decisions["eu:3"]
    assert eu.ident.inchikey == CP47497.inchikey
    assert [f.what for f in eu.against] == ["given structure (unreviewed)"]
    assert decisions["nl:4"].ident.inchikey == CP47497.inchikey


def test_a_code_s_digits_stay_exact_when_separators_go():
    rows = [
        Row("ident", 2, [Name("AB-12", "preferred")], structure=CP47497.smiles),
        Row("nl", 3, [Name("AB 1-2", "other")]),
    ]
    assert decisions_none(run(rows), "nl:3")


def decisions_none(decisions, ref) -> bool:
    return ref not in decisions or decisions[ref].ident is None


def test_rows_that_learnt_their_structure_teach_the_next_round():
    rows = [
        Row("ident", 2, [Name("HEROIN", "preferred")], structure=HEROIN.smiles),
        Row(
            "eu",
            3,
            [Name("heroin", "preferred"), Name("Diamorphine X1", "code")],
            structure=HEROIN.smiles,
        ),
        Row("nl", 4, [Name("diamorphine x1", "other")]),  # only the EU row's code names it
    ]
    assert run(rows)["nl:4"].ident.inchikey == HEROIN.inchikey


def test_plant_material_and_rows_that_control_nothing_are_not_identified():
    rows = [
        Row(
            "ident",
            2,
            [Name("PEYOTE", "preferred")],
            structure="O=C1CN=C(c2ccccc2Cl)c2cc(Br)ccc2N1",
            material="plant",
        ),
        Row("cn", 3, [Name("x")], note="not loaded: a draft"),
    ]
    assert run(rows) == {}


@pytest.mark.opsin
def test_the_dutch_heroin_row_is_heroin_and_its_misread_name_is_reported():
    rows = [
        Row(
            "ident",
            2,
            [Name("HEROIN", "preferred"), Name("DIAMORPHINE", "code")],
            structure=HEROIN.smiles,
        ),
        Row(
            "nl",
            85,
            [
                Name("heroïne", "other", "nl"),
                Name("diamorfine", "other", "nl"),
                Name("4,5-epoxy-17-methylmorfinan-3,6-diyl-diacetaat", "systematic", "nl"),
            ],
        ),
    ]
    decision = run(rows)["nl:85"]
    assert decision.ident.inchikey == HEROIN.inchikey
    assert all(f.kind.startswith("opsin") for f in decision.against)


@pytest.mark.opsin
def test_a_clean_systematic_name_identifies_alone_and_a_risky_one_does_not():
    rows = [
        Row("nl", 2, [Name("2-(methylamino)-1-(3-methylfenyl)propaan-1-on", "systematic", "nl")]),
        Row("nl", 3, [Name("3,6-diacetylmorphine", "systematic")]),
    ]
    decisions = run(rows)
    assert decisions["nl:2"].ident.connectivity == keys_of("CNC(C)C(=O)c1cccc(C)c1").connectivity
    assert decisions["nl:3"].ident is None


PV8 = keys_of("CCCCCC(C(=O)c1ccccc1)N1CCCC1")
PV8_METHOXY = keys_of("CCCCCC(C(=O)c1ccc(OC)cc1)N1CCCC1")
PV8_IUPAC = "1-phenyl-2-(pyrrolidin-1-yl)heptan-1-one"


def own_name(keys) -> Fact:
    return Fact("opsin", ident_of(keys), "OPSIN 'iupac'", weak_stereo=True, systematic=True)


def test_a_given_structure_its_own_systematic_name_contradicts_needs_a_third_fact():
    given = fact("given:trusted", PV8_METHOXY)
    witness = fact("witness", PV8, "another source's structure for 'PV-8'")
    settled = decide([given, own_name(PV8), witness])
    assert settled.ident.connectivity == PV8.connectivity
    assert settled.against == (given,) and "settled for the systematic name" in settled.reason
    kept = decide([given, own_name(PV8), fact("witness", PV8_METHOXY)])
    assert kept.ident == given.ident and "settled for the given structure" in kept.reason
    # a name the identified rows tie is no third fact: it may echo this very row's structure
    alone = decide([given, own_name(PV8), fact("name", PV8_METHOXY, "name 'PV-8'")])
    assert alone.ident is None and "no third fact settles it" in alone.reason
    both = decide([given, own_name(PV8), fact("witness", PV8), fact("witness", PV8_METHOXY)])
    assert both.ident is None and "both sides" in both.reason


def test_without_a_contradiction_witnesses_change_nothing():
    given = fact("given:trusted", PV8)
    decision = decide([given, own_name(PV8), fact("witness", PV8_METHOXY)])
    assert decision.ident == given.ident and decision.support == (given, own_name(PV8))
    # a risky reading, or a person's structure, is not checked
    risky = Fact("opsin:risky", ident_of(PV8), "OPSIN", weak_stereo=True, systematic=False)
    assert decide([fact("given:trusted", PV8_METHOXY), risky]).ident.inchikey == (
        PV8_METHOXY.inchikey
    )
    curated = fact("given:curated", PV8_METHOXY)
    assert decide([curated, own_name(PV8)]).ident == curated.ident


def pv8_row(source: str = "ident", line: int = 528) -> Row:
    names = [Name("PV-8", "preferred"), Name(PV8_IUPAC, "systematic")]
    return Row(source, line, names, structure=PV8_METHOXY.smiles)


@pytest.mark.opsin
def test_another_source_s_structure_under_the_same_name_settles_a_self_contradiction():
    rows = [pv8_row(), Row("eu", 12, [Name("PV-8", "preferred")], structure=PV8.smiles)]
    decisions = run(rows)
    decision = decisions["ident:528"]
    assert decision.ident.connectivity == PV8.connectivity
    assert "given structure (trusted)" in [f.what for f in decision.against]
    assert decisions["eu:12"].ident.connectivity == PV8.connectivity


@pytest.mark.opsin
def test_an_unsettled_self_contradiction_keeps_the_row_off_both_structures():
    rows = [
        pv8_row(),
        # the same source repeating itself, and a row that learnt its structure from this one,
        # are no third fact
        Row("ident", 529, [Name("PV-8", "preferred")], structure=PV8_METHOXY.smiles),
        Row("nl", 3, [Name("PV-8", "other")]),
    ]
    decision = run(rows)["ident:528"]
    assert decision.ident is None and "no third fact settles it" in decision.reason
    assert {f.ident.connectivity for f in decision.against} == {
        PV8.connectivity,
        PV8_METHOXY.connectivity,
    }


@pytest.mark.opsin
def test_a_systematic_name_opsin_may_misread_contradicts_nothing():
    four_fa = keys_of("CC(N)Cc1ccc(F)cc1")
    names = [Name("4-FA", "preferred"), Name("1-(fluorophenyl)propan-2-amine", "systematic")]
    decision = run([Row("ident", 2, names, structure=four_fa.smiles)])["ident:2"]
    assert decision.ident.inchikey == four_fa.inchikey
    assert not decision.reason.startswith("given structure contradicts")


def test_a_co_crystal_s_drawing_is_not_taken_for_its_largest_component():
    chloral_betaine = "C[N+](C)(C)CC(=O)[O-].OC(O)C(Cl)(Cl)Cl"
    rows = [
        Row("ident", 2, [Name("chloralbetaine", "preferred")], structure=chloral_betaine),
        Row("ident", 3, [Name("betaine", "preferred")], structure="C[N+](C)(C)CC(=O)[O-]"),
    ]
    result = Identifier(rows, ROLES).run()
    decisions = {rows[i].ref: d for i, d in result.decisions.items()}
    assert decisions["ident:2"].ident is None  # not betaine: no drawable structure of its own
    assert decisions["ident:3"].ident is not None
    assert any("co-crystal or a mixture" in line for line in result.unparsable)


def test_a_labelled_drawing_stands_only_where_a_name_states_the_label():
    # a list's 4'-methyl-alpha-PPP drawn as a 13C-labelled butanone: a misdrawing, not a label
    rows = [
        Row(
            "ident", 2, [Name("4'-methyl-a-PPP", "preferred")], structure="CCC[13C](=O)C(C)N1CCCC1"
        ),
        Row("ident", 3, [Name("Urea C-14", "preferred")], structure="N[14C](N)=O"),
    ]
    result = Identifier(rows, ROLES).run()
    decisions = {rows[i].ref: d for i, d in result.decisions.items()}
    assert decisions["ident:2"].ident is None
    assert decisions["ident:3"].ident.keys.labelled
    assert any("isotope labels that none of the row's names states" in x for x in result.unparsable)


CODEINE_MEBR = "C[N+]1(C)CCC23C4C1CC5=C2C(=C(C=C5)OC)OC3C(C=C4)O.[Br-]"  # drawn flat, as US lists
CODEINE_MEBR_KEY = "KIKLDWULAZATJG-YZZSNFJZSA-M"  # DrugBank: the whole salt's InChIKey
CODEINE = keys_of("COc1ccc2C[C@H]3N(C)CC[C@@]45[C@@H](Oc1c24)[C@@H](O)C=C[C@@H]35")


def test_opsin_s_reading_of_a_quaternary_salt_named_as_a_salt_is_the_quaternary_salt():
    # OPSIN reads 'codeine methylbromide' as codeine beside methyl bromide
    codeine_beside_mebr = f"CBr.{CODEINE.smiles}"
    salt = quaternised(codeine_beside_mebr)
    assert Chem.MolToInchiKey(Chem.MolFromSmiles(salt)) == CODEINE_MEBR_KEY
    assert keys_of(salt).connectivity != CODEINE.connectivity  # never codeine
    # which nitrogen takes the methyl would be a guess: no reading
    assert quaternised("CBr.CN(C)CCN(C)C") is None
    assert quaternised(f"CS(=O)(=O)O.{CODEINE.smiles}") is None  # a mesylate is a plain salt


def test_a_salt_s_inchikey_is_the_structure_drawn_with_that_salt():
    drawn = Fact(
        "given:trusted", ident_of(keys_of(CODEINE_MEBR), whole_connectivity(CODEINE_MEBR)), "US"
    )
    key_only = Fact("inchikey", Ident(CODEINE_MEBR_KEY), "DrugBank")
    codeine = fact("given:trusted", CODEINE)
    assert compatible(drawn, key_only) and not compatible(key_only, codeine)
    decision = decide([key_only, drawn])
    assert decision.ident == drawn.ident and decision.ident.keys is not None  # drawable
    assert not decision.against
    index = [_Entry(key_only.ident, {"drugbank:1"}), _Entry(drawn.ident, {"us:2"})]
    assert _resolve(index, marked=False) == drawn.ident


@pytest.mark.opsin
def test_codeine_methylbromide_is_one_substance_and_never_codeine():
    rows = [
        Row("ident", 96, [Name("codeinemethylbromide", "preferred")], structure=CODEINE_MEBR),
        Row("ident", 2, [Name("codeine", "preferred")], structure=CODEINE.smiles),
        Row("cn", 193, [Name("Codeine methylbromide", "preferred")]),
    ]
    decisions = run(rows)
    listed = decisions["cn:193"].ident
    assert listed is not None and listed.connectivity == keys_of(CODEINE_MEBR).connectivity
    assert listed.connectivity != CODEINE.connectivity


def test_a_settled_row_keeps_the_names_that_agree_with_its_structure():
    """A self-contradiction or a dispute settled for one side keeps the row's own names and CAS
    numbers that name that side's structure (the shipped audit: none lost to the wrong side)."""
    audit = json.loads((DATA / "audit.json").read_text())
    lost = [
        (c["row"], fact)
        for c in audit["conflicts"]
        if c["settled"].startswith("joined to ik:")
        for fact in c["against"]
        if fact.startswith(("name ", "CAS ")) and fact.endswith(c["settled"].split("ik:")[1])
    ]
    assert lost == []


def test_a_self_contradiction_settled_for_one_side_keeps_that_side_s_names():
    given = fact("given:trusted", METHCATHINONE, "given structure")
    read = Fact("opsin", ident_of(MEPHEDRONE), "OPSIN 'x'", weak_stereo=True, systematic=True)
    witness = fact("witness", MEPHEDRONE, "another source")
    name = fact("name", MEPHEDRONE, "name '4-MMC'")
    decision = settle(given, [read], [given, read, witness, name])
    assert decision.ident.connectivity == MEPHEDRONE.connectivity
    assert [f.what for f in decision.against] == ["given structure"]


@pytest.mark.opsin
def test_a_name_opsin_surely_reads_as_another_compound_names_nothing_for_other_rows():
    """The Belgian β-hydroxyfentanyl rows: NAME, CAS and SMILES right, IUPAC cells swapped. The
    swapped IUPAC name names nothing for other rows, so the Dutch row that spells it in Dutch
    beside its own name is identified, not kept off every structure by a disagreement."""
    rows = [
        Row(
            "ident",
            2,
            [Name("MEPHEDRONE", "preferred"), Name(PV8_IUPAC, "systematic")],
            cas=["1189805-46-6"],
            structure=MEPHEDRONE.smiles,
        ),
        Row("eu", 3, [Name("mephedrone")], structure=MEPHEDRONE.smiles),
        Row("ident", 4, [Name("PV-8", "preferred")], structure=PV8.smiles),
        Row(
            "nl",
            5,
            [
                Name("PV-8", "other", "nl"),
                Name("1-fenyl-2-(pyrrolidin-1-yl)heptaan-1-on", "systematic", "nl"),
            ],
        ),
    ]
    decisions = run(rows)
    assert decisions["ident:2"].ident.inchikey == MEPHEDRONE.inchikey
    assert decisions["nl:5"].ident.connectivity == PV8.connectivity
    assert not decisions["nl:5"].against
