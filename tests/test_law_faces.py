"""The home setting through the faces: the headline of `check` and `explain` speaks for the home
jurisdictions (an option, the environment, the config file, else Benelux, EU and UN); the other
jurisdictions are shown beneath it and never drive it."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine

from subsmatch.operations.analysis import frame
from subsmatch.service.app import create_app
from subsmatch.settings import CONFIG_ENV, ENVIRONMENT
from subsmatch.store.access import create_token
from subsmatch.store.engine import make_engine
from tests.helpers import run


@pytest.fixture(autouse=True)
def no_user_settings(monkeypatch, tmp_path):
    """The user's own config file and environment do not reach these tests."""
    monkeypatch.setenv(CONFIG_ENV, str(tmp_path / "absent.toml"))
    for name in ENVIRONMENT.values():
        monkeypatch.delenv(name, raising=False)


def check(db_url: str, *args: str) -> dict:
    code, out = run(db_url, "check", "--no-record", "--json", *args)
    assert code == 0, out
    return json.loads(out)


def test_caffeine_is_not_listed_at_home_and_controlled_in_china_beneath(db_url):
    row = check(db_url, "caffeine")
    assert (row["status"], row["flagged"]) == ("not_listed", False)
    assert row["headline_scope"] == ["BE", "NL", "LU", "EU", "UN"]
    statuses = {j["code"]: j["status"] for j in row["jurisdictions"]}
    assert {statuses[c] for c in ("BE", "NL", "LU", "EU", "UN")} == {"not_listed"}
    assert statuses["CN"] == "controlled"


def test_the_home_option_the_environment_and_the_config_file(db_url, monkeypatch, tmp_path):
    assert check(db_url, "pregabalin", "--home", "be,us")["status"] == "controlled"
    monkeypatch.setenv(ENVIRONMENT["home"], "US")
    assert check(db_url, "pregabalin")["headline_scope"] == ["US"]
    assert check(db_url, "pregabalin", "--home", "NL")["status"] == "not_listed"  # option first
    monkeypatch.delenv(ENVIRONMENT["home"])
    config = tmp_path / "config.toml"
    config.write_text('home = ["CN"]\n', encoding="utf-8")
    monkeypatch.setenv(CONFIG_ENV, str(config))
    assert check(db_url, "caffeine")["status"] == "controlled"


def test_named_jurisdictions_are_the_headline_scope_of_the_call(db_url):
    row = check(db_url, "caffeine", "-j", "cn")
    assert (row["status"], row["headline_scope"]) == ("controlled", ["CN"])


def test_an_unknown_home_is_a_clear_error(db_url):
    code, out = run(db_url, "check", "--no-record", "caffeine", "--home", "BE,XX")
    assert code != 0
    assert "unknown jurisdiction XX in home (option)" in out
    assert "Traceback" not in out


def test_the_table_marks_home_and_says_why_a_treaty_controls(db_url):
    code, out = run(db_url, "check", "--no-record", "isotonitazene")
    assert code == 0, out
    assert "[controlled] at BE,NL,LU,EU,UN" in out
    nl = next(line for line in out.splitlines() if line.strip().startswith("* NL"))
    assert "controlled by treaty" in nl
    code, out = run(db_url, "explain", "pregabalin", "--home", "US")
    assert code == 0, out


def report(path, *names: str) -> str:
    """A JSON Lines report of one lab analysis per name."""
    lines = [
        json.dumps(
            {
                "context": "lab_screening",
                "technique": "GC-MS",
                "case_id": "LAW-1",
                "item_id": str(n),
                "measured_at": "2024-04-08T09:12:00+02:00",
                "findings": [{"name": name, "rank": 1}],
            }
        )
        for n, name in enumerate(names, 1)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def names_of(rows: list[dict]) -> set[str]:
    return {r["name"] for r in rows}


def test_flagged_lists_speak_for_home_and_leave_quiet_precursors_out(db_url, tmp_path):
    first = report(tmp_path / "a.jsonl", "caffeine", "pregabalin", "acetone", "cocaine")
    code, out = run(db_url, "ingest", first, "--json")
    assert code == 0, out
    (summary,) = json.loads(out)
    assert summary["statuses"]["precursor"] == 1  # acetone: EU Category 3, shown ...
    assert [f["name"] for f in summary["flagged"]] == ["cocaine"]  # ... but not flagged
    assert summary["flagged_count"] == 1
    code, out = run(db_url, "findings", "--flagged", "--json")
    assert code == 0, out
    assert names_of(json.loads(out)) == {"cocaine"}
    code, out = run(db_url, "findings", "--flagged", "--home", "BE,US", "--json")
    assert code == 0, out
    rows = json.loads(out)
    assert names_of(rows) == {"cocaine", "pregabalin"}
    assert {r["status"] for r in rows} == {"controlled"}
    code, out = run(db_url, "findings", "--status", "not_listed", "--home", "CN", "--json")
    assert code == 0, out
    assert names_of(json.loads(out)) == {"pregabalin"}
    # a later file reuses the stored verdicts, headed for the home of that ingest
    second = report(tmp_path / "b.jsonl", "caffeine", "acetone")
    code, out = run(db_url, "ingest", second, "--home", "CN", "--json")
    assert code == 0, out
    (summary,) = json.loads(out)
    assert summary["statuses"] == {"controlled": 1, "precursor": 1}
    assert [f["name"] for f in summary["flagged"]] == ["caffeine"]


def test_trends_and_alerts_read_statuses_at_home(db_url, tmp_path):
    code, out = run(db_url, "ingest", report(tmp_path / "a.jsonl", "pregabalin", "acetone"))
    assert code == 0, out
    engine = create_engine(db_url)

    def statuses(**home) -> dict[str, str]:
        found = frame(engine, **home)
        return dict(zip(found["name"], found["status"], strict=True))

    assert statuses() == {"pregabalin": "not_listed", "acetone": "not_listed"}  # acetone: quiet
    assert statuses(home=("US",))["pregabalin"] == "controlled"


def test_the_api_and_the_page_say_the_home(db_url, monkeypatch):
    monkeypatch.setenv(ENVIRONMENT["home"], "BE,NL,LU")
    engine = make_engine(db_url)
    token = create_token(engine, "lab-1", "lab")
    with TestClient(create_app(db_url, 1_000_000, secure_cookie=False)) as http:
        http.headers["Authorization"] = f"Bearer {token}"
        row = http.post("/check", json={"query": "caffeine"}).json()
        assert (row["status"], row["headline_scope"]) == ("not_listed", ["BE", "NL", "LU"])
        row = http.post("/check", json={"query": "pregabalin", "home": ["be", "us"]}).json()
        assert (row["status"], row["headline_scope"]) == ("controlled", ["BE", "US"])
        assert http.post("/check", json={"query": "x", "home": ["XX"]}).status_code == 422
        page = http.get("/").text
        assert "Headline status for this service's home: BE, NL, LU" in page
