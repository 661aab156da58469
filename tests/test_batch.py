"""Batch matching of findings tables (in process and on Dask) and re-matching stored findings."""

from __future__ import annotations

import json

import pandas as pd
from click.testing import CliRunner
from sqlalchemy import create_engine, text

from subsmatch.cli import main
from tests.helpers import LIMS, NOTHING_REMATCHED, counts

NAMES = [
    "MDMA",
    "4-CMC",
    "3-CMC",
    "not a drug 42",
    "",
    None,
    "50-36-2",
    "CCCC(NC)C(=O)c1ccc(F)c(C)c1",
    "lidocaine",
    "fentanil",
] * 3


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def test_dask_engine_equals_the_in_process_engine(tmp_path):
    source = tmp_path / "findings.parquet"
    pd.DataFrame({"id": range(len(NAMES)), "name": NAMES}).to_parquet(source)
    code, out = run("match", str(source), "--out", str(tmp_path / "python.parquet"))
    assert code == 0, out
    code, out = run(
        "match",
        str(source),
        "--out",
        str(tmp_path / "dask.parquet"),
        "--engine",
        "dask",
        "--workers",
        "2",
    )
    assert code == 0, out
    python = pd.read_parquet(tmp_path / "python.parquet").sort_values("id").reset_index(drop=True)
    dask = pd.read_parquet(tmp_path / "dask.parquet").sort_values("id").reset_index(drop=True)
    pd.testing.assert_frame_equal(python, dask, check_dtype=False)
    by_name = dict(zip(python["name"], python["status"], strict=True))
    assert by_name["4-CMC"] == "controlled" and by_name["not a drug 42"] == "unresolved"
    assert by_name[""] == "no_query" and python["data_version"].notna().sum() > 0


def test_missing_column_is_a_clear_error(tmp_path):
    source = tmp_path / "findings.parquet"
    pd.DataFrame({"substance": ["MDMA"]}).to_parquet(source)
    code, out = run("match", str(source), "--out", str(tmp_path / "o.parquet"))
    assert code == 1 and "no column 'name'" in out and "--column" in out


def test_rematch_rejudges_verdicts_made_with_older_versions(db_url):
    run("--db", db_url, "ingest", str(LIMS))
    engine = create_engine(db_url)
    with engine.begin() as connection:  # as if these verdicts came from older rules
        connection.execute(
            text(
                "update resolutions set rules_version = 'older', "
                "status = 'not_listed' where query = 'MDMA'"
            )
        )
        connection.execute(
            text(
                "update findings set status = 'not_listed' where resolution_id "
                "in (select id from resolutions where query = 'MDMA')"
            )
        )
    before = counts(db_url)
    code, out = run("--db", db_url, "rematch", "--json")
    assert code == 0, out
    report = json.loads(out)
    assert report["changed"] == [
        {
            "query": "MDMA",
            "old_status": "not_listed",
            "new_status": "controlled",
            "findings": 1,
            "old_versions": report["changed"][0]["old_versions"],
            "new_versions": report["changed"][0]["new_versions"],
        }
    ]
    assert "rules older" in report["changed"][0]["old_versions"]
    assert report["transitions"] == {"not_listed -> controlled": {"verdicts": 1, "findings": 1}}
    assert report["rejudged"] == 1 and report["findings_moved"] == 1
    assert report["evidence_changed"] == 0
    with engine.connect() as connection:
        assert connection.execute(text("select count(*) from rematches")).scalar() == 1
        status = connection.execute(text("select status from findings where name = 'MDMA'"))
        assert status.scalar() == "controlled"
    assert counts(db_url)["resolutions"] == before["resolutions"] + 1  # the old one is kept
    code, out = run("--db", db_url, "rematch", "--json")
    assert json.loads(out) == NOTHING_REMATCHED
