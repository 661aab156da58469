"""21 CFR 1300.01(b): a positional isomer of a Schedule I hallucinogen (21 CFR 1308.11(d)) is
controlled as that hallucinogen. Real RDKit molecules against the shipped reference."""

from __future__ import annotations

from datetime import date

import pytest
from rdkit import Chem

from subsmatch.matchers.generic import positional_signature
from subsmatch.reference import law as law_module

MEPHEDRONE = "CNC(C)C(=O)c1ccc(C)cc1"
TWO_MMC = "CNC(C)C(=O)c1ccccc1C"


def sig(smiles: str) -> tuple:
    return positional_signature(Chem.MolFromSmiles(smiles))


@pytest.mark.parametrize(
    ("listed", "isomer"),
    [
        (MEPHEDRONE, TWO_MMC),  # the ring methyl moved
        (MEPHEDRONE, "CNC(C)C(=O)c1cccc(C)c1"),  # 3-MMC
        ("CCNC(C)C(=O)c1ccc(C)cc1", "CCNC(CC)C(=O)c1ccccc1"),  # 4-MEC, NEB: alkyl moved to alpha
        ("CCc1cc(OC)c(CCN)cc1OC", "COc1cc(CCN)c(OC)c(C)c1C"),  # 2C-E, 2C-G: an ethyl divided
        ("COc1cc(CC(C)N)cc(OC)c1OC", "CCOc1c(OC)cc(CCN)cc1OC"),  # TMA, escaline
        ("CCCCCn1nc(C(=O)NC(C(C)C)C(N)=O)c2ccccc21", "CCCCn1nc(C(=O)NC(C(N)=O)C(C)(C)C)c2ccccc21"),
        # N,N-diethyl to N-methyl-N-propyl (DET)
        ("CCN(CC)CCc1c[nH]c2ccccc12", "CCCN(C)CCc1c[nH]c2ccccc12"),
    ],
)
def test_positional_isomers_the_dea_names_share_the_signature(listed, isomer):
    assert sig(listed) == sig(isomer)


@pytest.mark.parametrize(
    ("listed", "other", "why"),
    [
        (MEPHEDRONE, "CNC(C)C(=O)c1ccc(CC)cc1", "a homologue: another formula"),
        (MEPHEDRONE, "CNCCC(=O)c1ccc(C)cc1", "the amine moved along the core: another core"),
        ("CNC(C)C(=O)c1ccc(OC)cc1", "CNC(C)C(=O)c1ccc(O)cc1C", "methoxy to hydroxy and methyl"),
        ("CCOc1ccc(CCN)cc1", "CC(O)c1ccc(CCN)cc1", "ethoxy to alpha-hydroxyethyl"),
        ("CNC(C)C(=O)c1ccccc1O", "CN(O)C(C)C(=O)c1ccccc1", "a hydroxy moved onto the N"),
        ("CCCCC(C(=O)c1ccccc1)N1CCCC1", "CCCC(C(=O)c1ccccc1)N1CCCCC1", "pyrrolidine to piperidine"),
    ],
)
def test_what_the_definition_excludes_does_not_share_it(listed, other, why):
    assert sig(listed) != sig(other), why


def _us(checker, query: str, as_of: date | None = None) -> dict:
    verdict = checker.check_json([query], ["US"], as_of)[0]
    return next(j for j in verdict["jurisdictions"] if j["code"] == "US")


def test_2_mmc_is_controlled_in_the_us_as_a_positional_isomer_of_mephedrone(checker):
    us = _us(checker, TWO_MMC)
    assert us["status"] == "controlled"
    names = {e["name"] for e in us["entries"]}
    assert "Mephedrone" in names
    assert {e["match"] for e in us["entries"]} == {"positional_isomer"}
    assert all(e["list"] == "CSA Schedule I" for e in us["entries"])
    (rule,) = [d for d in us["derived"] if d["rule_id"] == "US-positional-isomer"]
    assert "Mephedrone" in rule["text"] and "21 CFR 1300.01(b)" in rule["act"]
    assert "1308.11(d)" in rule["basis"]
    verdict = checker.check_json([TWO_MMC], None, None)[0]
    rule = law_module.load().positional[0]
    assert rule.act.startswith("21 CFR 1300.01(b)")
    other = [j for j in verdict["jurisdictions"] if j["code"] != "US"]
    assert all(e["match"] != "positional_isomer" for j in other for e in j["entries"])


def test_a_listed_entry_is_judged_by_its_own_listing(checker):
    us = _us(checker, MEPHEDRONE)
    assert us["status"] == "controlled"
    assert {e["match"] for e in us["entries"]} == {"identical"}


def test_only_listings_that_include_positional_isomers_reach_them(checker):
    # 2-(dimethylamino)-1-phenylethanone has methcathinone's formula, core and groups, but
    # methcathinone is a stimulant of 21 CFR 1308.11(f): its listing has no positional isomers
    us = _us(checker, "CN(C)CC(=O)c1ccccc1")
    assert all(e["match"] != "positional_isomer" for e in us["entries"])
    assert us["status"] != "controlled"


def test_the_rule_starts_with_the_definition(checker):
    before = _us(checker, TWO_MMC, date(2007, 6, 1))
    assert before["status"] != "controlled"
    assert all(e["match"] != "positional_isomer" for e in before["entries"])


def test_the_scope_reads_the_paragraph_from_the_drug_code():
    rule = law_module.load().positional[0]

    class Entry:
        jurisdiction, list, kind = "US", "CSA Schedule I", "psychotropic"

        def __init__(self, act: str, note: str = "") -> None:
            self.act, self.note = act, note

    assert rule.covers(Entry("DEA drug code 1248"))  # mephedrone, (d)
    assert not rule.covers(Entry("DEA drug code 1237"))  # methcathinone, (f)
    assert not rule.covers(Entry("DEA drug code 7118"))  # JWH-018, (g)
    assert not rule.covers(Entry("Federal Register 2023-27292 (2023-12-13)"))  # paragraph unsaid
    derived = f"{law_module.POSITIONAL_ISOMER_NOTE} alpha-PVP (21 CFR 1300.01)"
    assert not rule.covers(Entry("DEA drug code 7545", derived))  # an isomer's own listing


def test_isomers_are_reckoned_from_the_listed_hallucinogen_not_from_its_listed_isomers(checker):
    """The DEA lists alpha-piperidinobutiophenone as a positional isomer of alpha-PVP (another
    ring: the signature would never match alpha-PVP itself); its ring-methyl isomer is no
    positional isomer of a Schedule I hallucinogen, and 2-MMC's is mephedrone alone."""
    methyl = _us(checker, "Cc1ccc(C(=O)C(C)N2CCCCC2)cc1")
    assert all(e["match"] != "positional_isomer" for e in methyl["entries"])
    two_mmc = _us(checker, TWO_MMC)
    assert {e["name"] for e in two_mmc["entries"]} == {"Mephedrone"}


def test_a_listing_is_not_in_force_before_the_decree_that_listed_it():
    acts = law_module.load().listing_acts

    class Entry:
        source, since = "belgium_legal_gui", None

        def __init__(self, act: str, act_date: str | None) -> None:
            self.act, self.act_date = act, act_date

    assert acts.not_before(Entry("KB 2015-11-25", "2015-11-25")) == date(2015, 11, 25)
    # the KB of 2017 re-enacted the older lists: a row it lists may be older than it
    assert acts.not_before(Entry("KB 2017-09-06", "2017-09-06")) is None
    assert acts.not_before(Entry("KB 2015-11-25", None)) is None
    other = Entry("Federal Register 2025-23717 (2025-12-23)", "2025-12-23")
    other.source = "us_federal_register"  # a placement may follow a temporary order
    assert acts.not_before(other) is None


def test_before_its_decree_a_belgian_listing_is_not_listed_and_the_treaty_shown_beside(checker):
    verdict = checker.check_json(["CNC(C)C(=O)c1cccc(C)c1"], ["BE"], date(2014, 6, 1))[0]
    be = next(j for j in verdict["jurisdictions"] if j["code"] == "BE")
    assert be["status"] == "not_listed"
    treaty = next(d for d in be["derived"] if d["rule_id"] == "UN-obligation")
    assert not treaty["applies"] and "2015-11-25" in treaty["text"]
    after = checker.check_json(["CNC(C)C(=O)c1cccc(C)c1"], ["BE"], date(2016, 1, 1))[0]
    assert next(j for j in after["jurisdictions"] if j["code"] == "BE")["status"] == "controlled"


def test_a_positional_isomer_listed_in_another_schedule_keeps_that_listing(checker):
    # pyrovalerone (Schedule V) has the formula, core and groups of alpha-PHP (Schedule I (d))
    pyrovalerone = "CCCC(C(=O)c1ccc(C)cc1)N1CCCC1"
    assert sig(pyrovalerone) == sig("CCCCC(C(=O)c1ccccc1)N1CCCC1")
    us = _us(checker, pyrovalerone)
    assert us["status"] == "controlled"
    assert {e["list"] for e in us["entries"]} == {"CSA Schedule V"}
    assert all(e["match"] != "positional_isomer" for e in us["entries"])
