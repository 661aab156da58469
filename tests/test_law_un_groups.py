"""The 1961 Schedule I group "other pentavalent nitrogen morphine derivatives", read structurally
(UN, and Luxembourg's transcription), on real molecules and the shipped reference."""

from __future__ import annotations

from datetime import date

from rdkit import Chem

from subsmatch.matchers.generic import RuleBook

CODEINE_METHOBROMIDE = "COc1ccc2c3c1O[C@H]1[C@@H](O)C=C[C@H]4[C@@H](C2)[N+](C)(C)CC[C@@]341"
HEROIN_N_OXIDE = "CC(=O)Oc1ccc2c3c1O[C@H]1[C@@H](OC(C)=O)C=C[C@H]4[C@@H](C2)[N+](C)([O-])CC[C@@]341"
RULE = "UN-1961-I-PENTAVALENT-MORPHINE"


def matched(smiles: str) -> dict[str, bool]:
    found = RuleBook().evaluate_all(Chem.MolFromSmiles(smiles))
    return {m.rule.id: m.matched for m in found}


def test_n_oxides_and_quaternary_salts_of_morphine_derivatives_are_in_the_group():
    for smiles in (CODEINE_METHOBROMIDE, HEROIN_N_OXIDE):
        assert matched(smiles).get(RULE) is True
        assert matched(smiles).get("LU-STUP-PENTAVALENT-MORPHINE") is True


def test_trivalent_morphine_and_the_14_hydroxy_family_are_not():
    morphine = "CN1CC[C@]23c4c5ccc(O)c4O[C@H]2[C@@H](O)C=C[C@H]3[C@H]1C5"
    methylnaltrexone = "C[N+]1(CC2CC2)CC[C@]23c4c5ccc(O)c4O[C@H]2C(=O)CC[C@@]3(O)[C@H]1C5"
    morphinan_n_oxide = "C[N+]1([O-])CCC23CCCCC2C1Cc1ccccc13"  # no 4,5-epoxy bridge, no 3-O
    for smiles in (morphine, methylnaltrexone, morphinan_n_oxide):
        assert matched(smiles).get(RULE) is not True


def test_the_un_answers_generic_and_names_the_schedule(checker):
    verdict = checker.check_json([HEROIN_N_OXIDE], ["UN", "LU"], None)[0]
    codes = {j["code"]: j["status"] for j in verdict["jurisdictions"]}
    assert codes == {"UN": "generic", "LU": "generic"}
    (un,) = [g for g in verdict["generic"] if g["rule_id"] == RULE]
    assert "1961" in un["citation"] and "Schedule I" in un["citation"]
    before = checker.check_json([HEROIN_N_OXIDE], ["UN"], date(1960, 1, 1))[0]
    assert all(j["status"] != "generic" for j in before["jurisdictions"])


def test_a_substance_known_by_name_only_is_not_put_in_doubt_by_the_narrow_group(checker):
    # fluoxymesterone: controlled in the US (Schedule III), no structure in the reference
    verdict = checker.check_json(["fluoxymesterone"], ["UN", "LU"], None)[0]
    assert verdict["resolved"]["smiles"] is None
    un = next(j for j in verdict["jurisdictions"] if j["code"] == "UN")
    assert all(d["rule_id"] != "structure-unknown" for d in un["derived"])
    lu = next(j for j in verdict["jurisdictions"] if j["code"] == "LU")
    for d in lu["derived"]:  # LU's broad cannabinoid clauses still do, and are the ones named
        if d["rule_id"] == "structure-unknown":
            assert "pentavalent" not in d["text"]
