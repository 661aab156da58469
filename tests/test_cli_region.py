"""--region through the command line, on the shipped reference: whose street names a query
follows ('big h' and 'chiva' are DEA slang, known in the reference only from US rows)."""

from __future__ import annotations

import json

import pytest

from subsmatch.cli import EXIT_UNRESOLVED
from tests.helpers import run


@pytest.fixture(autouse=True)
def no_region_set(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    """The default region, whatever the environment or the user's config file say."""
    monkeypatch.delenv("SUBSMATCH_REGION", raising=False)
    monkeypatch.setenv("SUBSMATCH_CONFIG", str(tmp_path / "no-config.toml"))


def checked(db_url: str, *args: str) -> tuple[int, dict]:
    code, out = run(db_url, "check", "--no-record", "--json", *args)
    return code, json.loads(out.split("\nerror:")[0])


def test_slang_of_another_region_is_not_answered_by_default(db_url):
    code, row = checked(db_url, "big h")
    assert code == EXIT_UNRESOLVED
    assert row["status"] == "unresolved" and row["resolved"] is None
    assert "outside Europe" in row["error"] and "Heroin (US)" in row["error"]


def test_with_region_us_the_us_meaning_is_answered_uncertain(db_url):
    code, row = checked(db_url, "big h", "--region", "US")
    assert code == 0
    assert row["resolved"]["name"].casefold() == "heroin"
    assert row["resolved"]["uncertain"]  # a street name: what is sold under it
    assert row["status"] == "controlled"


def test_an_ambiguous_us_word_gives_its_meanings_not_one_of_them(db_url):
    """'chiva' is heroin and cocaine in the US rows: a street name with two meanings where the
    user is gives no structure (two doubts), only its meanings."""
    code, row = checked(db_url, "chiva", "--region", "us")
    assert code == EXIT_UNRESOLVED and row["resolved"] is None
    error = row["error"].casefold()
    assert "several substances in us" in error and "heroin" in error and "cocaine" in error


def test_the_option_comes_before_the_environment(db_url, monkeypatch):
    monkeypatch.setenv("SUBSMATCH_REGION", "US")
    assert checked(db_url, "big h")[1]["resolved"] is not None
    code, row = checked(db_url, "big h", "--region", "Europe")
    assert code == EXIT_UNRESOLVED and row["resolved"] is None


def test_explain_takes_the_region(db_url):
    code, out = run(db_url, "explain", "big h", "--region", "US")
    assert code == 0, out
    assert "Heroin" in out and "UNCERTAIN" in out


def test_an_unknown_region_is_a_usage_error_with_the_fix(db_url):
    code, out = run(db_url, "check", "--no-record", "big h", "--region", "Atlantis")
    assert code != 0 and "Traceback" not in out
    assert "'Atlantis', not a region" in out and "two-letter country code" in out


def test_the_region_is_documented_in_the_help(db_url):
    for command in ("check", "explain"):
        code, out = run(db_url, command, "--help")
        assert code == 0 and "--region" in out and "SUBSMATCH_REGION" in out, command
