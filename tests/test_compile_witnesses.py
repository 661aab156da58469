"""A given structure checked against other sources' own claims under the same name or CAS, on
tiny in-memory sources (compile/witnesses.py and its use in compile/identify.py)."""

from __future__ import annotations

import pytest

from subsmatch.compile.identify import DISPUTED, Identifier
from subsmatch.compile.records import Name, Row
from subsmatch.compile.roles import SourceRole
from subsmatch.compile.witnesses import Claim, Claims, positional_isomers, whole_connectivity
from subsmatch.substances.structures import keys_of

PARA_FBF = keys_of("CCCC(=O)N(c1ccc(F)cc1)C1CCN(CCc2ccccc2)CC1")
ORTHO_FBF = keys_of("CCCC(=O)N(c1ccccc1F)C1CCN(CCc2ccccc2)CC1")
MEPHEDRONE = keys_of("CNC(C)C(=O)c1ccc(C)cc1")
METHCATHINONE = keys_of("CNC(C)C(=O)c1ccccc1")


def role(source: str, role_name: str, structures: str, provenance: str = "") -> SourceRole:
    return SourceRole(
        source, source, role_name, structures, True, "en", "2020-01-01", "", provenance
    )


ROLES = {
    "gc_us": role("gc_us", "identity", "trusted", "Global-Chem"),
    "gc_eu": role("gc_eu", "control", "unreviewed", "Global-Chem"),
    "be": role("be", "identity", "trusted"),
    "cn": role("cn", "identity", "trusted"),
    "eu": role("eu", "control", "unreviewed"),
    "fr": role("fr", "notices", "none", "DEA"),
    "dea": role("dea", "control", "none", "DEA"),
    "nl": role("nl", "control", "none"),
}


def run(rows: list[Row]) -> dict[str, object]:
    result = Identifier(rows, ROLES).run()
    return {rows[i].ref: d for i, d in result.decisions.items()}


def named(source: str, line: int, name: str, keys, **extra) -> Row:
    return Row(source, line, [Name(name, "preferred")], structure=keys.smiles, **extra)


def test_a_structure_other_sources_give_a_positional_isomer_s_name_is_refuted():
    rows = [
        named("gc_us", 64, "ortho-fluorobutyrylfentanyl", PARA_FBF),  # the para isomer drawn
        named("gc_us", 70, "para-fluorobutyrylfentanyl", PARA_FBF),
        named("be", 483, "PARAFLUOROBUTYRYLFENTANYL", PARA_FBF),
        named("cn", 9, "ortho-fluorobutyryl fentanyl", ORTHO_FBF),
    ]
    decision = run(rows)["gc_us:64"]
    assert decision.ident.connectivity == ORTHO_FBF.connectivity
    assert decision.reason.startswith(DISPUTED) and "positional isomer" in decision.reason
    assert "given structure (trusted)" in [f.what for f in decision.against]


def test_refuted_with_no_other_structure_the_row_stays_off_every_structure():
    rows = [
        named("gc_us", 64, "ortho-fluorobutyrylfentanyl", PARA_FBF),
        named("be", 483, "para-fluorobutyrylfentanyl", PARA_FBF),
    ]
    decision = run(rows)["gc_us:64"]
    assert decision.ident is None and "no majority" in decision.reason


@pytest.mark.opsin
def test_a_notice_s_printed_chemical_name_is_a_witness():
    notice = Row(
        "fr",
        23,
        [
            Name("N-(2-fluorophenyl)-N-(1-phenethylpiperidin-4-yl)butyramide", "other"),
            Name("ortho-fluorobutyryl fentanyl", "other"),
        ],
    )
    rows = [
        named("gc_us", 64, "ortho-fluorobutyrylfentanyl", PARA_FBF),
        named("be", 483, "PARAFLUOROBUTYRYLFENTANYL", PARA_FBF),
        notice,
    ]
    decisions = run(rows)
    assert decisions["gc_us:64"].ident.connectivity == ORTHO_FBF.connectivity
    assert decisions["fr:23"].ident.connectivity == ORTHO_FBF.connectivity


def test_the_majority_of_distinct_provenances_settles_a_dispute():
    rows = [
        named("gc_us", 2, "Examplone", METHCATHINONE),
        named("be", 3, "EXAMPLONE", MEPHEDRONE),
        named("eu", 4, "examplone", MEPHEDRONE),
    ]
    decision = run(rows)["gc_us:2"]
    assert decision.ident.connectivity == MEPHEDRONE.connectivity
    assert "majority of provenances: 2 against 1" in decision.reason


def test_one_against_one_keeps_the_row_off_until_a_third_fact():
    rows = [named("gc_us", 2, "Examplone", METHCATHINONE), named("be", 3, "EXAMPLONE", MEPHEDRONE)]
    decisions = run(rows)
    assert decisions["gc_us:2"].ident is None and decisions["be:3"].ident is None
    assert decisions["be:3"].reason.startswith(DISPUTED)
    # a person settles it
    rows[0] = named("gc_us", 2, "Examplone", MEPHEDRONE, trust="curated")
    assert run(rows)["be:3"].ident.connectivity == MEPHEDRONE.connectivity


def test_tables_of_one_provenance_are_one_witness():
    rows = [
        named("gc_us", 2, "Examplone", METHCATHINONE),
        named("gc_eu", 3, "Examplone", MEPHEDRONE),  # Global-Chem again
    ]
    decision = run(rows)["gc_us:2"]
    assert decision.ident.connectivity == METHCATHINONE.connectivity
    assert not decision.reason.startswith(DISPUTED)


def test_an_unreviewed_drawing_does_not_put_a_trusted_one_in_doubt():
    rows = [named("be", 2, "Examplone", METHCATHINONE), named("eu", 3, "Examplone", MEPHEDRONE)]
    decisions = run(rows)
    assert decisions["be:2"].ident.connectivity == METHCATHINONE.connectivity
    assert not decisions["be:2"].reason.startswith(DISPUTED)
    assert decisions["eu:3"].ident.connectivity == METHCATHINONE.connectivity  # by its name


def test_rows_that_learnt_their_structure_are_no_witnesses():
    rows = [
        named("gc_us", 2, "Examplone", METHCATHINONE),
        named("be", 3, "EXAMPLONE", MEPHEDRONE),
        # these learn a structure by name from the rows above; they say nothing on their own
        Row("nl", 4, [Name("examplone", "other")]),
        Row("dea", 5, [Name("Examplone", "preferred"), Name("EX-1234", "code")]),
    ]
    decisions = run(rows)
    assert decisions["gc_us:2"].ident is None and "no majority: 1" in decisions["gc_us:2"].reason


def test_a_vocabulary_inchikey_of_a_salt_agrees_with_the_salt_as_drawn():
    salt = "C[N+](C)(C)CC(=O)[O-].OC(O)C(Cl)(Cl)Cl"
    drawn = Claim(
        0, "gc:1", "A", "given:trusted", keys_of(salt).connectivity, whole_connectivity(salt)
    )
    vocabulary = Claim(1, "db:1", "B", "inchikey", whole_connectivity(salt), drawable=False)
    assert drawn.connectivity != vocabulary.connectivity and drawn.agrees(vocabulary)
    claims = Claims({0: drawn, 1: vocabulary}, {0: {"chloralbetaine"}, 1: {"chloralbetaine"}})
    assert claims.dispute(drawn) is None


def test_positional_isomer_names_differ_in_one_ring_locant_only():
    assert positional_isomers("2fluorofentanyl", "parafluorofentanyl")
    assert positional_isomers("3mmc", "4mmc")
    assert not positional_isomers("jwh018", "jwh019")
    assert not positional_isomers("25inbome", "24inbome")  # not a lone locant
    assert not positional_isomers("paracetamol", "orthocetamol")


def test_a_salt_s_or_ester_s_name_is_not_filed_under_its_parent():
    rows = [
        named("be", 2, "Examplone succinate", METHCATHINONE),  # an ester, named like a salt
        named("cn", 3, "Examplone", MEPHEDRONE),
    ]
    decision = run(rows)["be:2"]
    assert decision.ident.connectivity == METHCATHINONE.connectivity
    assert not decision.reason.startswith(DISPUTED)
