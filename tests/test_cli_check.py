"""The `check` acceptance cases: resolution, verdicts per jurisdiction, stereo, as-of, JSON."""

from __future__ import annotations

import json

from click.testing import CliRunner

from subsmatch.cli import EXIT_INVALID, EXIT_UNRESOLVED, main
from tests.helpers import MDMA, NOVEL_NITAZENE, run


def by_code(row: dict) -> dict[str, dict]:
    return {j["code"]: j for j in row["jurisdictions"]}


def test_acceptance_queries_resolve_and_are_listed(db_url):
    code, out = run(
        db_url,
        "check",
        "MDMA HCl",
        "3-MMC",
        "4-CMC",
        "alpha-PVP",
        "2CB",
        "Fentanyl citrate",
        "--json",
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


def test_nonsense_is_unresolved_not_guessed(db_url):
    code, out = run(db_url, "check", "not a drug name 123", "--json")
    assert code == EXIT_UNRESOLVED
    row = json.loads(out.split("\nerror:")[0])
    assert row["status"] == "unresolved" and row["resolved"] is None


def test_malformed_smiles_gives_a_clear_message(db_url):
    code, out = run(db_url, "check", "C1CC(")
    assert code == EXIT_INVALID
    assert "unbalanced parentheses" in out


def test_wrong_cas_check_digit_is_invalid(db_url):
    code, out = run(db_url, "check", "50-36-3")
    assert code == EXIT_INVALID
    assert "check digit" in out


def test_json_contract(db_url):
    code, out = run(db_url, "check", "cocaine", "--json", "-j", "nl")
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
    code, out = run(db_url, "check", "cocaine", "-j", "XX")
    assert code == 2 and "unknown jurisdiction XX" in out


def test_lists_and_version(db_url):
    code, out = run(db_url, "lists", "--json")
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
    code, out = run(db_url, "--version")
    assert listed["data_version"] in out


def test_checks_are_recorded_in_the_database(db_url):
    from sqlalchemy import create_engine, text

    run(db_url, "check", "cocaine", "heroin")
    with create_engine(db_url).connect() as connection:
        rows = connection.execute(text("select query, status, data_version from checks")).all()
    assert [r.query for r in rows] == ["cocaine", "heroin"]
    assert all(r.status == "controlled" and r.data_version for r in rows)


def test_unlisted_close_structure_is_an_analogue_with_evidence(db_url):
    # Before the 2025 NpSG text (whose Nr. 7 covers it, see below) no rule did: an analogue.
    code, out = run(db_url, "check", NOVEL_NITAZENE, "--json", "--as-of", "2025-06-01")
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


def test_explain_prints_the_reasoning_and_draws(db_url, tmp_path):
    svg = tmp_path / "pair.svg"
    code, out = run(db_url, "explain", NOVEL_NITAZENE, "--svg", str(svg), "--as-of", "2025-06-01")
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
    code, out = run(db_url, "check", "CCCCC(=O)c1ccc(C)cc1", "--jurisdiction", "UK", "--json")
    assert code == 0, out
    row = json.loads(out)
    assert row["status"] == "not_listed" and row["analogues"] == []
    assert row["analogue"]["reason"] == "no controlled structure to compare with"


def test_a_deuterated_standard_is_checked_as_its_substance(db_url):
    code, out = run(db_url, "check", "[2H]C([2H])([2H])NC(C)Cc1ccc2OCOc2c1", "--json")
    assert code == 0, out
    row = json.loads(out)
    assert row["status"] == "controlled" and row["resolved"]["name"] == "MDMA"
    assert row["resolved"]["uncertain"] and "[2H]" in row["resolved"]["smiles"]
    assert any(note.startswith("labelled with H-2 (3 atoms)") for note in row["notes"])
    relations = {e["match"] for j in row["jurisdictions"] for e in j["entries"]}
    assert relations == {"isotopologue"}
