"""Substructure and similarity search over stored findings (in process, SQLite)."""

from __future__ import annotations

import json

from click.testing import CliRunner

from subsmatch.cli import main
from tests.helpers import EXAMPLES


def search(db: str, *args: str) -> list[dict]:
    result = CliRunner().invoke(main, ["--db", db, "search", *args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_substructure_and_similarity_search(db_url):
    CliRunner().invoke(main, ["--db", db_url, "ingest", str(EXAMPLES)])
    cathinones = search(db_url, "--substructure", "O=C(c1ccccc1)C[NX3]")
    names = {r["resolved_name"] for r in cathinones}
    assert {"3-MMC", "Alpha-PVP"} <= names and "MDMA" not in names
    close = search(db_url, "--similar", "CNC(C)C(=O)c1cccc(C)c1", "--min", "0.99")
    assert close and {r["resolved_name"] for r in close} == {"3-MMC"}
    assert all(r["similarity"] >= 0.99 for r in close)
    wider = search(db_url, "--similar", "CNC(C)C(=O)c1cccc(C)c1", "--min", "0.3")
    assert len(wider) > len(close)
    assert [r["similarity"] for r in wider] == sorted(
        (r["similarity"] for r in wider), reverse=True
    )


def test_bad_patterns_are_clear_errors(db_url):
    result = CliRunner().invoke(main, ["--db", db_url, "search", "--substructure", "C(("])
    assert result.exit_code == 2 and "cannot read SMARTS" in result.output
    result = CliRunner().invoke(main, ["--db", db_url, "search"])
    assert result.exit_code == 2 and "exactly one" in result.output
