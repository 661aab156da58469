"""German NpSG Anlage 1, groups 1-9: group-specific behaviour of de-npsg-2025.toml.

Every example and near miss of the file is run by test_generic_rules.py; these tests pin
the readings of the law that the rule file documents (precedence, exemptions, limits).
"""

from __future__ import annotations

from datetime import date

import pytest
from rdkit import Chem

from subsmatch.matchers.generic import RULES_DIR, RuleBook, load_law

LAW = load_law(RULES_DIR / "de-npsg-2025.toml")
BOOK = RuleBook([LAW])


def results(smiles: str) -> dict:
    mol = Chem.MolFromSmiles(smiles)
    assert mol is not None, smiles
    return {m.rule.id: m for m in BOOK.evaluate(mol)}


def matched(smiles: str) -> set[str]:
    return {rule_id for rule_id, m in results(smiles).items() if m.matched}


def failure(smiles: str, rule_id: str) -> str:
    found = results(smiles)
    assert rule_id in found, f"core of {rule_id} not found in {smiles}"
    assert not found[rule_id].matched
    return found[rule_id].failure or ""


def test_law_header_cites_the_2025_annex():
    assert LAW.jurisdiction == "DE"
    assert "2025 I Nr. 292" in LAW.citation
    assert not LAW.provisional
    assert not LAW.in_force(date(2025, 11, 1))
    assert LAW.in_force(date(2026, 6, 1))


def test_groups_one_to_nine_are_encoded():
    ids = {r.id for r in LAW.rules}
    assert {
        "DE-NpSG-1",
        "DE-NpSG-2.1",
        "DE-NpSG-2.2",
        "DE-NpSG-2.3",
        "DE-NpSG-3.1",
        "DE-NpSG-4",
        "DE-NpSG-5.1",
        "DE-NpSG-5.2",
        "DE-NpSG-6",
        "DE-NpSG-7",
        "DE-NpSG-8",
        "DE-NpSG-9",
    } <= ids
    for rule in LAW.rules:
        assert len(rule.examples) >= 4, rule.id
        assert len(rule.near_misses) >= 4, rule.id


@pytest.mark.parametrize(
    "smiles",
    [
        "CNC(C)Cc1ccccc1",  # methamphetamine (phenethylamine)
        "CNC(C)C(=O)c1ccccc1",  # methcathinone (beta-keto, Nr. 1.2 c)
    ],
)
def test_phenethylamine_and_cathinone_are_both_group_1(smiles):
    assert "DE-NpSG-1" in matched(smiles)


def test_bupropion_is_a_structural_member_of_group_1():
    # NpSG § 1 Abs. 2 Nr. 2 excludes Arzneimittel: a product status, not a structure; the
    # annex does not name bupropion, so the structural rule matches.
    assert "DE-NpSG-1" in matched("CC(NC(C)(C)C)C(=O)c1cccc(Cl)c1")


def test_too_long_chains_are_named():
    text = failure("CCCCCCCCCCCNC(C)Cc1ccccc1", "DE-NpSG-1")  # N-undecyl
    assert "chain of 11" in text and "10 allowed" in text
    text = failure("CCCCCCCCOc1ccc(CC(C)N)cc1", "DE-NpSG-1")  # octyloxy on ring A
    assert "chain of 9" in text and "8 allowed" in text
    text = failure("CCCCCCCCCCCn1cc(C(=O)c2cccc3ccccc23)c2ccccc21", "DE-NpSG-2.1")
    assert "chain of 11" in text


def test_nitrogen_in_a_ring_annulated_to_A_is_excluded():
    assert "annulated" in failure("C1NCCc2ccccc21", "DE-NpSG-1")  # tetrahydroisoquinoline


def test_ring_annulated_to_a_monocycle_by_Rn_is_excluded():
    # thiophene with a cyclohexane ring formed by Rn: not a listed bi-/tricyclic system
    assert "annulated" in failure("CC(N)Cc1cc2CCCCc2s1", "DE-NpSG-1")


def test_allowed_bicyclic_systems_and_ring_closures():
    assert "DE-NpSG-1" in matched("CC(N)Cc1ccc2ccoc2c1")  # 6-APB
    assert "DE-NpSG-1" in matched("NC1Cc2ccccc2C1")  # 2-aminoindane (R3/R4 closure with A)
    assert "DE-NpSG-1" in matched("CCCC(N1CCCC1)C(=O)c1ccc2OCOc2c1")  # MDPV


def test_group_1_yields_to_the_cores_of_other_groups():
    dmt = "CN(C)CCc1c[nH]c2ccccc12"
    assert matched(dmt) == {"DE-NpSG-5.1"}
    assert "DE-NpSG-5.1" in failure(dmt, "DE-NpSG-1")
    lsd = "CCN(CC)C(=O)C1CN(C)C2Cc3c[nH]c4cccc(c34)C2=C1"
    assert matched(lsd) == {"DE-NpSG-5.2"}
    app_chminaca = "NC(=O)C(Cc1ccccc1)NC(=O)c1nn(CC2CCCCC2)c2ccccc12"
    assert matched(app_chminaca) == {"DE-NpSG-2.1"}


def test_named_exceptions():
    assert "exempted" in failure("NCCc1ccccc1", "DE-NpSG-1")
    assert "exempted" in failure("NCCc1c[nH]c2ccccc12", "DE-NpSG-5.1")
    assert "exempted" in failure("NCCc1c[nH]c2ccc(O)cc12", "DE-NpSG-5.1")
    assert "DE-NpSG-5.1" not in matched("COc1cc2c(CCNC(C)=O)c[nH]c2cc1O")  # 6-OH-melatonin


def test_the_laws_own_cannabinoid_example():
    assert "DE-NpSG-2.1" in matched("CCCCC(F)n1cc(C(=O)c2cccc3ccccc23)c2ccccc21")


def test_indole_position_4_is_not_a_marked_position():
    text = failure("CCCCCn1cc(C(=O)c2cccc3ccccc23)c2c(F)cccc21", "DE-NpSG-2.1")
    assert "only hydrogen" in text
    assert "DE-NpSG-2.1" in matched("CCCCCn1cc(C(=O)c2cccc3ccccc23)c2ccc(F)cc21")  # 6-F


def test_etizolam_is_covered_by_group_3():
    # thieno (R1 = thienyl, S outside the seven-membered ring) + triazolo derivative
    assert "DE-NpSG-3.1" in matched("CCc1cc2c(s1)-n1c(C)nnc1CN=C2c1ccccc1Cl")


def test_u47700_is_group_4_not_group_1():
    assert matched("CN(C)C1CCCCC1N(C)C(=O)c1ccc(Cl)c(Cl)c1") == {"DE-NpSG-4"}


def test_silicon_is_allowed_where_the_law_names_it():
    assert "DE-NpSG-5.2" in matched(
        "C[Si](C)(C)CCC(=O)n1cc2CC3N(C)CC(C(=O)N(CC)CC)C=C3c3cccc1c23"
    )  # 1S-LSD
    assert "Si" not in {e for r in LAW.rules if r.id == "DE-NpSG-1" for e in r.elements}


def test_mass_limits():
    assert "500 u" in failure("CN(C)CCc1c[nH]c2c(I)c(I)c(I)c(I)c12", "DE-NpSG-5.1")
    assert "600 u" in failure("CN1C(=O)CN=C(c2c(I)c(I)c(I)c(I)c2I)c2cc(I)ccc21", "DE-NpSG-3.1")


@pytest.mark.parametrize(
    ("smiles", "rule_id"),
    [
        ("CCCCCCCc1cc(O)c2c(c1)OC(C)(C)C1CCC(C)CC21", "DE-NpSG-2.3"),  # HHC-P
        ("CCCCCc1cc2OC(C)(C)C3CCC(C)=CC3c2c(O)c1C(=O)O", "DE-NpSG-2.3"),  # THCA-A
        ("CCNC1(CCCCC1=O)c1cccc(OC)c1", "DE-NpSG-6"),  # methoxetamine
        ("CCOc1ccc(Cc2nc3cc([N+](=O)[O-])ccc3n2CCN2CCCC2)cc1", "DE-NpSG-7"),  # etonitazepyne
        ("CCC(=O)C(CC(C)N1CCCC1)(c1ccccc1)c1ccccc1", "DE-NpSG-8"),  # dipyanone
        ("CC(c1ccc(Br)cc1)N1CCC(CC1)n1c(=O)[nH]c2ccccc21", "DE-NpSG-9"),  # brorphine
    ],
)
def test_groups_added_in_2025_text_match_their_members(smiles, rule_id):
    assert rule_id in matched(smiles)


def test_no_group_of_this_text_is_in_force_before_the_text():
    # The source gives no per-group date: every group carries the date of the 2025 text.
    mol = Chem.MolFromSmiles("CCCCCCCc1cc(O)c2c(c1)OC(C)(C)C1CCC(C)CC21")  # HHC-P
    assert not [m for m in BOOK.evaluate(mol, as_of=date(2020, 12, 31)) if m.matched]
    assert "DE-NpSG-2.3" in {m.rule.id for m in BOOK.evaluate(mol, as_of=date(2026, 1, 1))}


def test_loperamide_is_outside_group_8():
    text = failure("CN(C)C(=O)C(CCN1CCC(O)(c2ccc(Cl)cc2)CC1)(c1ccccc1)c1ccccc1", "DE-NpSG-8")
    assert "open-chain amide" in text
