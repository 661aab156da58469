"""Reports and trends on real time, read by a person: a time axis with real spacing and its
gaps, undated findings counted as undated (never at the day they were ingested), names whole,
counts in words that agree with their number; the similarity of a similarity search, the date
of a check on another day."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from subsmatch.cli import main
from subsmatch.operations import analysis
from subsmatch.store.engine import make_engine

LONG_NAME = "Unknown white powder from parcel lot seven of the northern hub"
MDMA_SMILES = "CNC(C)Cc1ccc2OCOc2c1"


def line(case: str, when: str | None, name: str) -> str:
    record = {
        "context": "lab_confirmation",
        "technique": "GC-MS",
        "case_id": case,
        "item_id": "1",
        "country": "NL",
        "verdict": "positive",
        "findings": [{"name": name, "rank": 1}],
    }
    if when:
        record["measured_at"] = when
    return json.dumps(record)


def ingested(tmp_path: Path, lines: list[str]) -> str:
    url = f"sqlite:///{tmp_path / 'time.sqlite'}"
    reports = tmp_path / "reports.jsonl"
    reports.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["--db", url, "ingest", str(reports)])
    assert result.exit_code == 0, result.output
    return url


def run(db: str | None, *args: str) -> str:
    result = CliRunner().invoke(main, [*(["--db", db] if db else []), *args])
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.fixture
def gap_db(tmp_path: Path) -> str:
    """Spring 2024, then nothing until November 2026; one report without a time."""
    return ingested(
        tmp_path,
        [
            line("C-1", "2024-03-10T10:00:00Z", "MDMA"),
            line("C-2", "2024-04-10T10:00:00Z", "MDMA"),
            line("C-3", "2024-04-12T10:00:00Z", "cocaine"),
            line("C-4", "2026-11-10T10:00:00Z", "MDMA"),
            line("C-5", "2026-12-01T10:00:00Z", LONG_NAME),
            line("C-6", None, "cocaine"),
        ],
    )


def test_the_time_axis_holds_every_period_and_the_undated_apart(gap_db: str) -> None:
    found = analysis.trends(make_engine(gap_db), since=date(2024, 1, 1)).to_dict()
    periods = found["periods"]  # as the API's /trends answers
    assert periods[0] == "2024-03" and periods[-1] == "2026-12" and len(periods) == 34
    listed = json.loads(run(gap_db, "trends", "--since", "2024-01-01", "--json"))
    assert listed == found["substances"]
    rows = {row["name"]: row for row in listed}
    mdma = next(row for name, row in rows.items() if "MDMA" in name or "methylenedioxy" in name)
    assert mdma["counts"] == {"2024-03": 1, "2024-04": 1, "2026-11": 1}
    cocaine = next(row for name, row in rows.items() if "ocaine" in name)
    assert (cocaine["total"], cocaine["undated"], cocaine["first_seen"]) == (1, 1, "2024-04-12")


def test_the_table_shows_a_gap_an_undated_column_and_names_whole(gap_db: str) -> None:
    table = run(gap_db, "trends", "--since", "2024-01-01")
    header = table.splitlines()[0]
    assert "(30 empty)" in header and "undated" in header
    assert LONG_NAME in table


def test_undated_findings_do_not_move_the_default_window(tmp_path: Path) -> None:
    """Only 2024 is dated: the window is the year before its newest finding, whatever day the
    undated report was ingested, so the 2024 findings are all there."""
    url = ingested(
        tmp_path,
        [
            line("C-1", "2024-03-10T10:00:00Z", "MDMA"),
            line("C-2", "2024-05-10T10:00:00Z", "MDMA"),
            line("C-3", None, "MDMA"),
        ],
    )
    (mdma,) = json.loads(run(url, "trends", "--json"))
    assert mdma["total"] == 2 and mdma["undated"] == 1
    periods = analysis.trends(make_engine(url)).periods
    assert periods == ["2024-03", "2024-04", "2024-05"]


def test_the_report_says_what_is_undated_in_words_that_agree(gap_db: str, tmp_path: Path):
    out = tmp_path / "report.html"
    run(gap_db, "report", "--out", str(out), "--since", "2024-01-01")
    page = out.read_text(encoding="utf-8")
    assert "1 finding without a date is not on this axis" in page
    assert "findings dated 2024-03-10 to 2026-12-01" in page
    assert not re.search(r"\b1 (findings|cases)\b", page)


def test_a_similarity_search_shows_the_similarity(gap_db: str) -> None:
    result = CliRunner().invoke(
        main, ["--db", gap_db, "search", "--similar", MDMA_SMILES, "--min", "0.3"]
    )
    assert result.exit_code == 0, result.output
    lines = [row for row in result.stdout.splitlines() if row.strip()]
    assert lines and all(re.match(r"[01]\.\d\d  ", row) for row in lines), lines
    assert lines[0].startswith("1.00")  # MDMA itself first


def test_a_check_on_another_day_says_the_day() -> None:
    shown = run(None, "check", "MDMA", "--as-of", "2016-01-01", "--no-record")
    assert "as of 2016-01-01" in shown
    assert "as of" not in run(None, "check", "MDMA", "--no-record")
