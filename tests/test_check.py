"""The `check` acceptance cases: resolution, verdicts per jurisdiction, stereo, as-of, JSON."""

from __future__ import annotations

import json
from datetime import date

import pytest
from click.testing import CliRunner

from subsmatch.cli import EXIT_INVALID, EXIT_UNRESOLVED, main

MDMA = "CNC(C)Cc1ccc2c(c1)OCO2"
COCAINE_HCL = "COC(=O)C1C(OC(=O)c2ccccc2)CC2CCC1N2C.Cl"
DEXTROMETHORPHAN = "CN1CC[C@@]23CCCC[C@@H]2[C@@H]1CC4=C3C=C(C=C4)OC"


def run(*args: str, db_url: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["--db", db_url, *args])
    return result.exit_code, result.output


def by_code(row: dict) -> dict[str, dict]:
    return {j["code"]: j for j in row["jurisdictions"]}


def test_acceptance_queries_resolve_and_are_listed(db_url):
    code, out = run(
        "check",
        "MDMA HCl",
        "3-MMC",
        "4-CMC",
        "alpha-PVP",
        "2CB",
        "Fentanyl citrate",
        "--json",
        db_url=db_url,
    )
    assert code == 0, out
    rows = {r["query"]: r for r in json.loads(out)}
    expected_smiles = {
        "MDMA HCl": MDMA,
        "3-MMC": "CNC(C)C(=O)c1cccc(C)c1",
        "4-CMC": "CNC(C)C(=O)c1ccc(Cl)cc1",
        "alpha-PVP": "CCCC(C(=O)c1ccccc1)N1CCCC1",
        "2CB": "COc1cc(CCN)c(OC)cc1Br",
        "Fentanyl citrate": "CCC(=O)N(c1ccccc1)C1CCN(CCc2ccccc2)CC1",
    }
    for query, smiles in expected_smiles.items():
        row = rows[query]
        assert row["resolved"]["smiles"] == smiles, query
        assert row["resolved"]["via"] == "synonym"
        assert row["status"] == "controlled"
    assert rows["MDMA HCl"]["resolved"]["form"] == ["hydrochloride"]
    assert rows["Fentanyl citrate"]["resolved"]["form"] == ["citrate"]
    mdma = by_code(rows["MDMA HCl"])
    for jurisdiction in ("UN", "BE", "NL", "DE", "US"):
        assert mdma[jurisdiction]["status"] == "controlled", jurisdiction
    assert "1971 Schedule I" in {e["list"] for e in mdma["UN"]["entries"]}


def test_3cmc_and_4cmc_are_never_confused(checker):
    three, four = checker.check(["3-CMC", "4-CMC"])
    assert three.resolution.keys.smiles == "CNC(C)C(=O)c1cccc(Cl)c1"
    assert four.resolution.keys.smiles == "CNC(C)C(=O)c1ccc(Cl)cc1"
    # a misspelling never crosses the locant
    assert checker.check(["4-CMCC"])[0].resolution.substance_id != three.resolution.substance_id


def test_cocaine_salt_smiles_resolves_to_cocaine(checker):
    verdict = checker.check([COCAINE_HCL])[0]
    name = checker.reference.substances[verdict.resolution.substance_id].name
    assert name.lower() == "cocaine"
    assert verdict.status == "controlled"


def test_dextromethorphan_is_not_controlled_through_levo_or_racemethorphan(checker):
    verdict = checker.check([DEXTROMETHORPHAN], ("UN", "US"))[0]
    assert verdict.status == "not_listed"
    reasons = {m.relation: m for m in verdict.related}
    assert reasons["other_stereoisomer"].covered is False
    assert reasons["stereoisomer"].exclusion is not None  # racemethorphan, excluded by law
    assert checker.check(["levomethorphan"], ("UN",))[0].status == "controlled"


def test_deuterated_analogue_is_a_different_substance(checker):
    verdict = checker.check(["[2H]C([2H])([2H])NC(C)Cc1ccc2OCOc2c1"])[0]
    assert [m.relation for m in verdict.related] == ["isotopologue"]
    assert all(not j.evidence for j in verdict.jurisdictions)  # MDMA's listings do not apply


@pytest.mark.opsin
def test_systematic_name_resolves_through_opsin(checker):
    verdict = checker.check(["2-(4-bromo-2,5-dimethoxyphenyl)ethanamine"])[0]
    assert verdict.resolution.keys.smiles == "COc1cc(CCN)c(OC)cc1Br"
    assert verdict.status == "controlled"


def test_nonsense_is_unresolved_not_guessed(db_url):
    code, out = run("check", "not a drug name 123", "--json", db_url=db_url)
    assert code == EXIT_UNRESOLVED
    row = json.loads(out.split("\nerror:")[0])
    assert row["status"] == "unresolved" and row["resolved"] is None


def test_malformed_smiles_gives_a_clear_message(db_url):
    code, out = run("check", "C1CC(", db_url=db_url)
    assert code == EXIT_INVALID
    assert "unbalanced parentheses" in out


def test_wrong_cas_check_digit_is_invalid(db_url):
    code, out = run("check", "50-36-3", db_url=db_url)
    assert code == EXIT_INVALID
    assert "check digit" in out


def test_cas_number_resolves(checker):
    verdict = checker.check(["50-36-2"])[0]
    assert verdict.resolution.via == "cas"
    assert checker.reference.substances[verdict.resolution.substance_id].name == "Cocaine"


def test_fuzzy_hit_is_marked_uncertain(checker):
    resolution = checker.check(["fentanyll"])[0].resolution  # "fentanil" is a synonym now
    assert resolution.via == "fuzzy" and resolution.uncertain
    assert 0 < resolution.confidence <= 0.8


def test_as_of_follows_listing_dates(checker):
    before, after = (
        checker.check(["alpha-PVP"], ("NL",), as_of=date.fromisoformat(d))[0]
        for d in ("2016-01-01", "2018-01-01")
    )
    assert before.jurisdictions[0].status == "not_listed"
    assert after.jurisdictions[0].status == "controlled"
    moved = checker.check(["3-MMC"], ("NL",), as_of=date(2022, 6, 1))[0]
    assert {e.entry.list for e in moved.jurisdictions[0].evidence} == {"Opiumwet List II"}


def test_json_contract(db_url):
    code, out = run("check", "cocaine", "--json", "-j", "nl", db_url=db_url)
    assert code == 0
    row = json.loads(out)
    assert set(row) >= {
        "query",
        "resolved",
        "status",
        "jurisdictions",
        "data_version",
        "tool_version",
    }
    assert set(row["resolved"]) >= {"name", "smiles", "inchikey", "via", "confidence"}
    assert row["resolved"]["via"] in {
        "smiles",
        "inchi",
        "inchikey",
        "cas",
        "synonym",
        "opsin",
        "fuzzy",
    }
    assert [j["code"] for j in row["jurisdictions"]] == ["NL"]
    entry = row["jurisdictions"][0]["entries"][0]
    assert set(entry) >= {"list", "name", "since"}


def test_stdin_queries_and_unknown_jurisdiction(db_url):
    result = CliRunner().invoke(
        main, ["--db", db_url, "check", "-", "--json"], input="cocaine\n\nheroin\n"
    )
    assert result.exit_code == 0
    assert [r["query"] for r in json.loads(result.output)] == ["cocaine", "heroin"]
    code, out = run("check", "cocaine", "-j", "XX", db_url=db_url)
    assert code == 2 and "unknown jurisdiction XX" in out


def test_lists_and_version(db_url):
    code, out = run("lists", "--json", db_url=db_url)
    assert code == 0
    listed = json.loads(out)
    assert {i["jurisdiction"] for i in listed["lists"]} >= {
        "UN",
        "EU",
        "BE",
        "NL",
        "DE",
        "US",
        "CN",
    }
    code, out = run("--version", db_url=db_url)
    assert listed["data_version"] in out


def test_checks_are_recorded_in_the_database(db_url):
    from sqlalchemy import create_engine, text

    run("check", "cocaine", "heroin", db_url=db_url)
    with create_engine(db_url).connect() as connection:
        rows = connection.execute(text("select query, status, data_version from checks")).all()
    assert [r.query for r in rows] == ["cocaine", "heroin"]
    assert all(r.status == "controlled" and r.data_version for r in rows)


NOVEL_NITAZENE = "CCN(CC)CCn1c(Cc2ccc(OC(C)C)cc2F)nc2cc([N+](=O)[O-])ccc21"
NOVEL_FENTANYL = "CCC(=O)N(c1ccc(Cl)cc1)C1CCN(CCc2cccs2)CC1"


def test_unlisted_close_structure_is_an_analogue_with_evidence(db_url):
    # Before the 2025 NpSG text (whose Nr. 7 covers it, see below) no rule did: an analogue.
    code, out = run("check", NOVEL_NITAZENE, "--json", "--as-of", "2025-06-01", db_url=db_url)
    assert code == 0, out
    row = json.loads(out)
    assert row["status"] == "analogue"
    assert row["analogue"]["is_analogue"] and row["analogue"]["class"] == "nitazene"
    nearest = row["analogues"][0]
    assert (
        nearest["name"] == "Isotonitazene" and nearest["similarity"] >= row["analogue"]["threshold"]
    )
    assert nearest["lists"] and "F" in nearest["difference"]
    assert {"name", "similarity", "fingerprint", "lists", "difference"} <= set(nearest)


def test_a_nitazene_the_2025_npsg_text_covers_is_generic_today(checker):
    verdict = checker.check([NOVEL_NITAZENE], ("DE",))[0]
    assert verdict.status == "generic"
    assert "DE-NpSG-7" in {m.rule.id for m in verdict.generic if m.matched}


def test_generic_definition_reported_with_rule_and_atoms(checker):
    verdict = checker.check([NOVEL_FENTANYL], ("US",))[0]
    assert verdict.status == "generic"
    match = next(m for m in verdict.generic if m.rule.id == "US-HALT-FRS")
    assert match.atoms and match.rule.law.citation


def test_lookalike_medicine_is_never_an_analogue(checker):
    # close to levomethorphan; listed in CN since 2024 only (China's 2024 announcement No. 54)
    verdict = checker.check(["dextromethorphan"], ("UN", "EU", "BE", "NL", "LU", "DE", "US"))[0]
    assert verdict.status == "not_listed"
    assert verdict.analogue is not None and not verdict.analogue.is_analogue
    assert "dextromethorphan" in verdict.analogue.lookalike


def test_explain_prints_the_reasoning_and_draws(db_url, tmp_path):
    svg = tmp_path / "pair.svg"
    code, out = run(
        "explain", NOVEL_NITAZENE, "--svg", str(svg), "--as-of", "2025-06-01", db_url=db_url
    )
    assert code == 0, out
    for heading in (
        "What substance",
        "Lists",
        "Generic definitions",
        "Nearest controlled",
        "Verdict: analogue",
    ):
        assert heading in out
    drawing = svg.read_text()
    assert drawing.startswith("<svg") and drawing.count("class='bond-") > 40  # two molecules


def test_uk_only_check_of_an_unlisted_structure_has_nothing_to_compare_with(db_url):
    # the UK is known here only through its generic clauses: no UK list, no UK index members
    code, out = run(
        "check", "CCCCC(=O)c1ccc(C)cc1", "--jurisdiction", "UK", "--json", db_url=db_url
    )
    assert code == 0, out
    row = json.loads(out)
    assert row["status"] == "not_listed" and row["analogues"] == []
    assert row["analogue"]["reason"] == "no controlled structure to compare with"


def test_verdicts_stay_right_when_the_bounded_caches_start_afresh():
    from subsmatch.matchers.checker import Checker

    queries = ["MDMA", "4-CMC", "3-CMC", "MDMA HCl", "cocaine", "50-36-2", "nonsense 12"]
    expected = [v.status for v in Checker(use_opsin=False).check(queries)]
    small = Checker(use_opsin=False)
    small._verdicts.size = small._judged.size = small.resolver._cache.size = 2
    first = [v.status for v in small.check(queries)]
    again = [v.status for v in small.check(reversed(queries))]
    assert first == expected and again == expected[::-1]
    assert len(small._verdicts) <= 2 and len(small.resolver._cache) <= 2


def test_the_similarity_index_is_built_only_when_a_verdict_needs_it():
    """A listed substance is judged without fingerprinting every controlled structure."""
    from subsmatch.matchers.checker import Checker

    checker = Checker(use_opsin=False)
    assert [v.status for v in checker.check(["MDMA", "cocaine"])] == ["controlled"] * 2
    assert len(checker._analogue_indexes) == 0
    (unlisted,) = checker.check(["paracetamol"])  # on no list: is it an analogue?
    assert unlisted.status == "not_listed" and unlisted.analogue is not None
    assert len(checker._analogue_indexes) == 1
