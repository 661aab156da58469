"""Clause-specific behaviour of the CN, UK, NL and BE generic rule files."""

from __future__ import annotations

from datetime import date

import pytest
from rdkit import Chem

from subsmatch.matchers.generic import RuleBook, load_laws

LAWS = {law.path: law for law in load_laws()}
BOOK = RuleBook(tuple(LAWS.values()))

BENZYLFENTANYL = "CCC(=O)N(c1ccccc1)C1CCN(Cc2ccccc2)CC1"
BUPROPION = "CC(NC(C)(C)C)C(=O)c1cccc(Cl)c1"
MEPHEDRONE = "CNC(C)C(=O)c1ccc(C)cc1"


def results(smiles: str, **kwargs) -> dict:
    return {m.rule.id: m for m in BOOK.evaluate(Chem.MolFromSmiles(smiles), **kwargs)}


def matched(smiles: str, **kwargs) -> set[str]:
    return {rule_id for rule_id, m in results(smiles, **kwargs).items() if m.matched}


def test_bupropion_is_exempt_from_the_uk_cathinone_clause_by_name():
    found = results(BUPROPION)["UK-MDA-CATHINONE"]
    assert not found.matched
    assert "bupropion" in found.failure.lower()
    # its chlorine-free, N-methyl analogue is a cathinone of the clause
    assert "UK-MDA-CATHINONE" in matched("CNC(C)C(=O)c1cccc(C)c1")


@pytest.mark.parametrize(
    "name_smiles",
    [
        ("diethylpropion", "CCN(CC)C(C)C(=O)c1ccccc1"),
        ("pyrovalerone", "CCCC(N1CCCC1)C(=O)c1ccc(C)cc1"),
        ("cathinone", "CC(N)C(=O)c1ccccc1"),
    ],
)
def test_other_named_exclusions_of_the_uk_cathinone_clause(name_smiles):
    name, smiles = name_smiles
    found = results(smiles)["UK-MDA-CATHINONE"]
    assert not found.matched and name in found.failure.lower()


def test_uk_cathinone_and_naphthylpyrovalerone_clauses_split_phenyl_from_other_rings():
    assert "UK-MDA-CATHINONE" in matched("CCCC(C(=O)c1ccccc1)N1CCCC1")  # alpha-PVP
    assert "UK-MDA-NAPHTHYLPYROVALERONE" not in matched("CCCC(C(=O)c1ccccc1)N1CCCC1")
    naphyrone = "CCCC(C(=O)c1ccc2ccccc2c1)N1CCCC1"
    assert "UK-MDA-NAPHTHYLPYROVALERONE" in matched(naphyrone)
    assert "UK-MDA-CATHINONE" not in matched(naphyrone)


def test_uk_cathinone_ring_needs_a_listed_substituent_before_other_univalent_ones():
    assert "UK-MDA-CATHINONE" in matched("CNC(C)C(=O)c1ccc(C)c([N+](=O)[O-])c1")
    assert "UK-MDA-CATHINONE" not in matched("CNC(C)C(=O)c1ccc([N+](=O)[O-])cc1")


def test_cn_fentanyl_condition_4_is_wider_than_the_us_definition():
    found = matched(BENZYLFENTANYL)
    assert "CN-FENTANYL-2019" in found
    assert "US-HALT-FRS" not in found
    # "any group other than hydrogen": norfentanyl is outside the class
    assert "CN-FENTANYL-2019" not in matched("CCC(=O)N(c1ccccc1)C1CCNCC1")


def test_cn_fentanyl_aromatic_monocycle_only():
    assert "CN-FENTANYL-2019" in matched("CCC(=O)N(c1ccccn1)C1CCN(CCc2ccccc2)CC1")
    naphthyl = results("CCC(=O)N(c1ccc2ccccc2c1)C1CCN(CCc2ccccc2)CC1")["CN-FENTANYL-2019"]
    assert not naphthyl.matched and "annulated" in naphthyl.failure


def test_phenethylamine_and_nbome_clauses_are_distinct():
    nbome = "COc1ccccc1CNCCc1cc(OC)c(I)cc1OC"
    assert "UK-MDA-NBENZYLPHENETHYLAMINE" in matched(nbome)
    assert "UK-MDA-PHENETHYLAMINE" not in matched(nbome)
    assert "UK-MDA-PHENETHYLAMINE" in matched("NCCc1cc(OC)c(I)cc1OC")  # 2C-I
    exempt = results("CC(Cc1ccc2c(c1)OCO2)NCc1ccccc1")["UK-MDA-NBENZYLPHENETHYLAMINE"]
    assert not exempt.matched and "N-benzyl-MDA" in exempt.failure


def test_provisional_laws_are_flagged():
    provisional = {path for path, law in LAWS.items() if law.provisional}
    assert {
        "nl-opiumwet-lijst-ia-2025.toml",
        "be-kb2017-annex-iva.toml",
        "cn-scra-2021.toml",
    } <= provisional
    assert "cn-fentanyl-2019.toml" not in provisional
    assert not any(p.startswith("uk-") for p in provisional)
    for match in BOOK.evaluate(Chem.MolFromSmiles(MEPHEDRONE)):
        if match.rule.id.startswith(("NL-", "BE-")):
            assert match.rule.law.provisional


def test_mephedrone_across_jurisdictions():
    found = matched(MEPHEDRONE)
    assert {"UK-MDA-CATHINONE", "NL-IA-1", "BE-IVa-cathinone"} <= found
    assert matched(MEPHEDRONE, jurisdictions=["NL"]) == {"NL-IA-1"}


def test_effective_dates():
    fentanyl = "CC(=O)N(c1ccccc1)C1CCN(CCc2ccccc2)CC1"
    assert "CN-FENTANYL-2019" not in matched(fentanyl, as_of=date(2019, 4, 30))
    assert "CN-FENTANYL-2019" in matched(fentanyl, as_of=date(2019, 5, 1))
    assert "NL-IA-1" not in matched(MEPHEDRONE, as_of=date(2025, 6, 30))
    assert "NL-IA-1" in matched(MEPHEDRONE, as_of=date(2025, 7, 1))
    assert "UK-MDA-CATHINONE" not in matched(MEPHEDRONE, as_of=date(2010, 4, 15))
    assert "UK-MDA-CATHINONE" in matched(MEPHEDRONE, as_of=date(2010, 4, 16))
    assert "BE-IVa-cathinone" in matched(MEPHEDRONE, as_of=date(2017, 9, 26))


def test_be_fentanyl_subgroups():
    assert "BE-IVa-3b" in matched(BENZYLFENTANYL)
    assert "BE-IVa-3a" in matched("O=C(C1CCCC1)N(c1ccccc1)C1CCN(CCc2ccccc2)CC1")
    thiafentanil = "COCC(=O)N(c1ccccc1)C1(C(=O)OC)CCN(CCc2cccs2)CC1"
    assert "BE-IVa-3d" in matched(thiafentanil)


def test_cn_scra_reads_x_and_y_of_the_general_formula():
    assert "CN-SCRA-2021" in matched("CCCCCn1nc(C(=O)NC(C(N)=O)C(C)(C)C)c2ccccc21")  # X = N
    assert "CN-SCRA-2021" in matched("CC(C)(NC(=O)c1nn(CCCCCF)c2ncccc12)c1ccccc1")  # Y = N
    ethyl_tail = results("CCn1cc(C(=O)c2cccc3ccccc23)c2ccccc21")["CN-SCRA-2021"]
    assert not ethyl_tail.matched and "C2" in ethyl_tail.failure
