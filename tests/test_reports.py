"""Analyst reports on a small database: trends, alerts, export and the HTML report."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from subsmatch.cli import main

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "subsmatch" / "examples"


def line(context: str, case: str, when: str, name: str, country: str = "NL") -> str:
    return json.dumps(
        {
            "context": context,
            "technique": "GC-MS",
            "case_id": case,
            "item_id": "1",
            "country": country,
            "measured_at": when,
            "verdict": "positive",
            "findings": [{"name": name, "rank": 1}],
        }
    )


@pytest.fixture
def analyst_db(tmp_path) -> str:
    url = f"sqlite:///{tmp_path / 'analyst.sqlite'}"
    lines = [
        line("lab_confirmation", "C-1", "2024-01-10T10:00:00+01:00", "MDMA"),
        line("lab_confirmation", "C-2", "2024-02-10T10:00:00+01:00", "MDMA"),
        line("field_screening", "C-3", "2024-03-01T10:00:00+01:00", "3-MMC"),
        line("field_screening", "C-4", "2024-03-02T10:00:00+01:00", "3-MMC", "BE"),
        line("field_screening", "C-5", "2024-03-03T10:00:00+01:00", "3-MMC", "BE"),
        line("lab_confirmation", "C-5", "2024-03-09T10:00:00+01:00", "3-MMC", "BE"),
        line("field_screening", "C-6", "2024-03-20T10:00:00+01:00", "lidocaine"),
        line("field_screening", "C-7", "2024-03-21T10:00:00+01:00", '=HYPERLINK("x")'),
    ]
    reports = tmp_path / "reports.jsonl"
    reports.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["--db", url, "ingest", str(reports)])
    assert result.exit_code == 0, result.output
    return url


def run(db: str, *args: str) -> str:
    result = CliRunner().invoke(main, ["--db", db, *args])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_trends_count_per_period_and_flag_what_is_new(analyst_db):
    rows = json.loads(
        run(analyst_db, "trends", "--since", "2024-03-01", "--until", "2024-04-01", "--json")
    )
    by_name = {r["name"]: r for r in rows}
    assert by_name["3-MMC"]["counts"] == {"2024-03": 4}
    assert "new" in by_name["3-MMC"]["flags"]
    assert "MDMA" not in by_name  # outside the window
    everything = json.loads(run(analyst_db, "trends", "--since", "2024-01-01", "--json"))
    mdma = next(r for r in everything if r["name"] == "MDMA")
    assert mdma["counts"] == {"2024-01": 1, "2024-02": 1} and mdma["cases"] == 2
    assert mdma["first_seen"] == "2024-01-10"
    classes = json.loads(run(analyst_db, "trends", "--since", "2024-01-01", "--classes", "--json"))
    assert {"cathinone", "phenethylamine"} <= {r["name"] for r in classes}
    quarters = json.loads(
        run(analyst_db, "trends", "--since", "2024-01-01", "--by", "quarter", "--json")
    )
    assert next(r for r in quarters if r["name"] == "MDMA")["counts"] == {"2024Q1": 2}
    long = list(
        csv.DictReader(io.StringIO(run(analyst_db, "trends", "--since", "2024-01-01", "--csv")))
    )
    assert {"period", "count", "flags"} <= set(long[0])


def test_filters_by_country_and_context(analyst_db):
    rows = json.loads(
        run(analyst_db, "trends", "--since", "2024-01-01", "--country", "BE", "--json")
    )
    assert [r["name"] for r in rows] == ["3-MMC"] and rows[0]["total"] == 3
    lab = json.loads(
        run(analyst_db, "trends", "--since", "2024-01-01", "--context", "lab", "--json")
    )
    assert {r["name"] for r in lab} == {"MDMA", "3-MMC"}


def test_alerts_spreading_and_unconfirmed_field_hits(analyst_db):
    found = json.loads(run(analyst_db, "alerts", "--window", "30", "--min-cases", "3", "--json"))
    kinds = {(a["kind"], a["name"]) for a in found}
    assert ("spreading", "3-MMC") in kinds
    unconfirmed = next(a for a in found if a["kind"] == "unconfirmed_field_hit")
    assert unconfirmed["name"] == "3-MMC"
    assert set(unconfirmed["cases"]) == {"C-3", "C-4"}  # C-5 was confirmed by the lab
    assert not any(a["name"] == "lidocaine" for a in found)


def test_export_formats(analyst_db, tmp_path):
    rows = list(csv.DictReader(io.StringIO(run(analyst_db, "export", "--format", "csv"))))
    assert len(rows) == 8
    assert any(r["name"].startswith("'=") for r in rows)  # formula neutralised
    assert {"status_NL", "status_DE", "lists", "data_version"} <= set(rows[0])
    data = json.loads(run(analyst_db, "export", "--format", "json", "--status", "controlled"))
    assert data and all(r["status"] == "controlled" for r in data)
    parquet = tmp_path / "f.parquet"
    run(analyst_db, "export", "--format", "parquet", "--out", str(parquet))
    assert pq.read_table(parquet).num_rows == 8
    sdf = tmp_path / "f.sdf"
    run(analyst_db, "export", "--format", "sdf", "--flagged", "--out", str(sdf))
    text = sdf.read_text()
    flagged = [r for r in rows if r["status"] in ("controlled", "unresolved")]
    assert text.count("$$$$") == len(flagged) and ">  <status>" in text and "M  END" in text
    result = CliRunner().invoke(main, ["--db", analyst_db, "export", "--format", "parquet"])
    assert result.exit_code == 2 and "--out" in result.output


def test_report_is_self_contained(analyst_db, tmp_path, monkeypatch):
    monkeypatch.setenv("SUBSMATCH_HOME", "NL,EU")
    out = tmp_path / "report.html"
    run(analyst_db, "report", "--out", str(out), "--since", "2024-01-01")
    html = out.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert "data:image/png;base64," in html and "<svg" in html
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//)|url\(|@import""", html)
    assert "<script" not in html
    assert "statuses at NL, EU" in html  # the home whose headline each status is
    assert "&quot;x&quot;" in html or "=HYPERLINK" not in html  # escaped, never raw markup


@pytest.mark.skipif(shutil.which("chromium") is None, reason="Debian chromium not installed")
def test_report_renders_in_headless_chromium(analyst_db, tmp_path):
    out = tmp_path / "report.html"
    run(analyst_db, "report", "--out", str(out), "--since", "2024-01-01")
    png = tmp_path / "report.png"
    subprocess.run(
        [
            "chromium",
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--window-size=1200,1600",
            f"--screenshot={png}",
            out.as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 20_000


def test_alerts_and_report_on_a_lab_only_database(tmp_path):
    """No field-screening hit (every lab's database): no alert crashes, the report renders."""
    url = f"sqlite:///{tmp_path / 'lab.sqlite'}"
    run(url, "ingest", str(EXAMPLES / "LIBRPT.TXT"), str(EXAMPLES / "lims_case_extract.csv"))
    found = json.loads(run(url, "alerts", "--json"))
    assert not [a for a in found if a["kind"] == "unconfirmed_field_hit"]
    out = tmp_path / "report.html"
    run(url, "report", "--out", str(out))
    assert "Cocaine" in out.read_text(encoding="utf-8")
