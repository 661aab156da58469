"""The same commands on PostgreSQL (a real server started by the test setup on loopback)."""

from __future__ import annotations

import json

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from click.testing import CliRunner

from subsmatch.cli import main
from subsmatch.store.engine import make_engine
from subsmatch.store.models import Base
from tests.helpers import (
    EXAMPLES,
    LIMS,
    NOTHING_REMATCHED,
    counts,
    ingest_concurrently,
    kill_an_ingest_midway,
    lims_row,
    lims_rows,
    upgrade_a_database_at_0005_with_a_resolution,
)


def run(db: str, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["--db", db, *args])
    return result.exit_code, result.stdout


def test_schema_migrates_to_the_models(pg_url):
    engine = make_engine(pg_url)
    with engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []


def test_a_database_at_0005_takes_the_region_key(pg_url):
    upgrade_a_database_at_0005_with_a_resolution(pg_url)


def test_ingest_findings_show_and_check_on_postgresql(pg_url):
    code, out = run(pg_url, "ingest", str(EXAMPLES), "--json")
    assert code == 0, out
    summaries = json.loads(out)
    assert all(s["rows_read"] == s["findings"] + s["rejections"] for s in summaries)
    before = counts(pg_url)
    assert before["findings"] == sum(s["findings"] for s in summaries)
    code, out = run(pg_url, "ingest", str(LIMS))
    assert code == 0 and "already ingested" in out and counts(pg_url) == before
    code, out = run(pg_url, "findings", "--flagged", "--json")
    assert json.loads(out)
    code, out = run(pg_url, "show", "24-01873")
    assert code == 0 and "Opiumwet List I" in out
    code, out = run(pg_url, "check", "4-CMC", "--json")
    assert json.loads(out)["status"] == "controlled"


def test_four_concurrent_ingests_on_postgresql(pg_url, tmp_path):
    paths = []
    for i in range(4):
        path = tmp_path / f"extract_{i}.csv"
        path.write_text(lims_rows(3000).replace("C-0", f"P{i}-0"), encoding="utf-8")
        paths.append(path)
    for code, out, err in ingest_concurrently(paths, pg_url):
        assert code == 0, err
        assert json.loads(out)[0]["findings"] == 3000
    stored = counts(pg_url)
    assert stored["files"] == 4 and stored["findings"] == 12_000
    with make_engine(pg_url).connect() as connection:  # each resolution stored once
        query = "select count(*) - count(distinct query) from resolutions"
        assert connection.exec_driver_sql(query).scalar() == 0


def test_search_in_the_database_equals_in_process(pg_url):
    from subsmatch.store.search import cartridge_available

    run(pg_url, "ingest", str(EXAMPLES))
    if not cartridge_available(make_engine(pg_url)):
        import pytest

        pytest.skip("the RDKit cartridge (postgresql-15-rdkit) is not installed")
    for args in (
        ["--substructure", "O=C(c1ccccc1)C[NX3]"],
        ["--similar", "CNC(C)C(=O)c1cccc(C)c1", "--min", "0.4"],
    ):
        results = {}
        for engine in ("database", "python"):
            code, out = run(pg_url, "search", *args, "--engine", engine, "--json")
            assert code == 0, out
            results[engine] = sorted((r["locator"], r["similarity"]) for r in json.loads(out))
        assert results["database"] == results["python"] and results["python"]


def test_killed_ingest_leaves_nothing_on_postgresql(pg_url, tmp_path):
    kill_an_ingest_midway(pg_url, tmp_path, seconds=4.0)


def test_analyst_commands_on_postgresql(pg_url, tmp_path):
    run(pg_url, "ingest", str(EXAMPLES))
    code, out = run(pg_url, "trends", "--since", "2024-01-01", "--json")
    assert code == 0 and any(r["name"] == "3-MMC" for r in json.loads(out))
    code, out = run(pg_url, "alerts", "--json")
    assert code == 0 and json.loads(out)
    code, _ = run(pg_url, "report", "--out", str(tmp_path / "r.html"))
    assert code == 0 and (tmp_path / "r.html").read_text().startswith("<!DOCTYPE html>")
    code, out = run(pg_url, "rematch", "--json")
    assert code == 0
    assert json.loads(out) == NOTHING_REMATCHED


def test_values_longer_than_a_column_and_nul_are_stored_or_rejected_per_row(pg_url, tmp_path):
    """A 41-character CAS field (real NIST libraries print them), a case number of 300
    characters and a NUL in JSON text: the file is stored, each row kept or rejected."""
    long_cas = "1246816-62-5, 1246911-86-3, 1246816-62-5 ?"
    assert len(long_cas) > 40
    path = tmp_path / "extract.csv"
    extra = [lims_row("C" * 300, "3-MMC"), lims_row("C-41", "MDMA")]
    extra[1][13] = long_cas
    path.write_text(lims_rows(3, extra), encoding="utf-8")
    code, out = run(pg_url, "ingest", str(path), "--json")
    assert code == 0, out
    done = json.loads(out)[0]
    assert (done["status"], done["findings"], done["rejections"]) == ("new", 5, 0), done
    colour = {
        "case_id": "N\u0000L-1",
        "technique": "colour test",
        "context": "field_screening",
        "verdict": "positive",
        "findings": [{"name": "MD\u0000MA"}, {"name": "MDA"}],
    }
    nul = tmp_path / "nul.jsonl"
    nul.write_text(json.dumps(colour) + "\n", encoding="utf-8")
    code, out = run(pg_url, "ingest", str(nul), "--json")
    assert code == 0, out
    done = json.loads(out)[0]
    assert (done["findings"], done["rejections"]) == (1, 1), done
    assert "NUL" in done["rejected"][0][1]
    code, out = run(pg_url, "show", "N\u2400L-1")
    assert code == 0 and "MDA" in out and "rejected" in out
