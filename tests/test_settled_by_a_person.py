"""Disputes the data could not settle, settled by a person (curated/overrides.csv), and quaternary
salts named as salts, on the shipped reference: each substance on its right structure."""

from __future__ import annotations

import pytest

from subsmatch.matchers.checker import Checker
from subsmatch.reference.lists import load
from subsmatch.substances.structures import keys_of

CODEINE = "COc1ccc2C[C@H]3N(C)CC[C@@]45[C@@H](Oc1c24)[C@@H](O)C=C[C@@H]35"
CODEINE_MEBR = "C[N+]1(C)CCC23C4C1CC5=C2C(=C(C=C5)OC)OC3C(C=C4)O.[Br-]"
CANNABICYCLOHEXANOL = "CCCCCCCC(C)(C)c1ccc(C2CCCC(O)C2)c(O)c1"  # the C8 homologue of CP 47,497


@pytest.fixture(scope="module")
def checker() -> Checker:
    return Checker(use_opsin=False)


def by_code(verdict: dict) -> dict[str, dict]:
    return {j["code"]: j for j in verdict["jurisdictions"]}


@pytest.mark.parametrize("query", ["codeine methylbromide", "125-27-9", CODEINE_MEBR])
def test_codeine_methylbromide_is_the_listed_quaternary_salt_never_codeine(checker, query):
    (verdict,) = checker.check_json([query], ("US",))
    resolved = verdict["resolved"]
    assert resolved["inchikey"].split("-")[0] == keys_of(CODEINE_MEBR).connectivity
    assert resolved["inchikey"].split("-")[0] != keys_of(CODEINE).connectivity
    us = by_code(verdict)["US"]
    assert us["status"] == "controlled"
    assert [e["list"] for e in us["entries"]] == ["CSA Schedule I"]


def test_the_belgian_cp_47497_c8_homologue_is_cannabicyclohexanol(checker):
    (verdict,) = checker.check_json([CANNABICYCLOHEXANOL], ("BE",))
    be = by_code(verdict)["BE"]
    assert be["status"] == "controlled"
    assert [e["name"] for e in be["entries"]] == ["CP 47,497 C8-homoloog"]


def test_naphyrone_s_cas_number_is_not_given_to_its_positional_isomer():
    reference = load()
    isomer = keys_of("CCCC(C(=O)c1cccc2ccccc12)N1CCCC1").inchikey  # 1-naphyrone
    assert "850352-53-3" not in (reference.substances[f"ik:{isomer}"].cas or "")
