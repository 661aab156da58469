"""Ingestion end to end: files in, every row accounted for, idempotent, atomic per file."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, text

from subsmatch.cli import EXIT_UNREADABLE_FILE, main
from tests.helpers import (
    EXAMPLES,
    LIMS,
    counts,
    kill_an_ingest_midway,
    lims_row,
    lims_rows,
    run,
)


def test_examples_ingest_and_reconcile(db_url):
    code, out = run(db_url, "ingest", str(EXAMPLES), "--json")
    assert code == 0, out
    summaries = json.loads(out)
    assert len(summaries) == 8 and {s["status"] for s in summaries} == {"new"}
    for summary in summaries:
        assert summary["rows_read"] == summary["findings"] + summary["rejections"] > 0
    stored = counts(db_url)
    assert stored["files"] == 8
    assert stored["findings"] == sum(s["findings"] for s in summaries)
    assert stored["rejections"] == sum(s["rejections"] for s in summaries)
    assert stored["resolutions"] < stored["findings"]  # one per distinct query, shared
    lims = next(s for s in summaries if s["source"].endswith("lims_case_extract.csv"))
    assert lims["statuses"]["controlled"] >= 8 and lims["statuses"]["no_hit"] == 1
    assert {f["name"] for f in lims["flagged"] if f["status"] == "controlled"} >= {
        "MDMA",
        "3-MMC",
        "4-CMC",
        "Cocaine",
        "Fentanyl",
    }


def test_second_ingest_changes_nothing_and_force_keeps_the_old_version(db_url):
    run(db_url, "ingest", str(LIMS))
    before = counts(db_url)
    code, out = run(db_url, "ingest", str(LIMS))
    assert code == 0 and "already ingested" in out
    assert counts(db_url) == before
    code, out = run(db_url, "ingest", str(LIMS), "--force", "--json")
    assert json.loads(out)[0]["version"] == 2
    after = counts(db_url)
    assert after["files"] == 2 and after["findings"] == 2 * before["findings"]
    assert after["resolutions"] == before["resolutions"]  # reused across files


def test_only_the_newest_version_of_a_file_is_listed_and_counted(db_url):
    from subsmatch.store.engine import make_engine
    from subsmatch.store.queries import case_findings, finding_frame, findings

    run(db_url, "ingest", str(LIMS))
    engine = make_engine(db_url)
    listed = list(findings(engine))
    case = listed[0]["case_id"]
    shown, frame = case_findings(engine, case), finding_frame(engine)
    run(db_url, "ingest", str(LIMS), "--force")
    again = list(findings(engine))
    assert len(again) == len(listed) and {f["file_version"] for f in again} == {2}
    assert len(case_findings(engine, case)) == len(shown)
    assert len(finding_frame(engine)) == len(frame)
    code, out = run(db_url, "findings", "--case", case, "--json")
    assert code == 0 and len(json.loads(out)) == len(shown)


def test_bad_rows_become_stored_rejections_with_locator(db_url, tmp_path):
    path = tmp_path / "extract.csv"
    too_many = lims_row("C-X", "MDMA", extra=("surplus",))
    bad_date = lims_row("C-Y", "MDMA", analysed="31/02/2024")
    path.write_text(lims_rows(10, [too_many, bad_date]), encoding="utf-8")
    code, out = run(db_url, "ingest", str(path), "--json")
    assert code == 0, out
    summary = json.loads(out)[0]
    assert summary["rows_read"] == 12 and summary["findings"] == 10
    assert summary["rejections"] == 2
    with create_engine(db_url).connect() as connection:
        rejected = connection.execute(text("select locator, reason from rejections")).all()
    assert all("extract.csv" in r.locator and "row" in r.locator for r in rejected)
    assert all(r.reason for r in rejected)
    assert [tuple(r) for r in summary["rejected"]] == [tuple(r) for r in rejected]


def test_stored_rejections_are_read_back_newest_file_first(db_url, tmp_path):
    from subsmatch.store.engine import make_engine
    from subsmatch.store.queries import rejections

    first, second = tmp_path / "first.csv", tmp_path / "second.csv"
    first.write_text(lims_rows(2, [lims_row("C-X", "MDMA", analysed="31/02/2024")]), "utf-8")
    second.write_text(lims_rows(3, [lims_row("C-Y", "", analysed="01/02/2024")]), "utf-8")
    run(db_url, "ingest", str(first))
    run(db_url, "ingest", str(second))
    engine = make_engine(db_url)
    found = list(rejections(engine))
    assert [r["file"].rsplit("/", 1)[-1] for r in found] == ["second.csv", "first.csv"]
    assert "empty" in found[0]["reason"] and "31/02/2024" in found[1]["raw"]
    only = list(rejections(engine, source="first.csv"))
    assert len(only) == 1 and only[0]["locator"].endswith("line 4 column 'Analysis Date'")


@pytest.mark.parametrize(
    ("name", "content", "hint"),
    [
        ("empty.csv", b"", "empty"),
        ("report.pdf", b"%PDF-1.4 binary", "PDF"),
        ("broken.xlsx", b"PK\x03\x04 truncated zip", "xlsx"),
    ],
)
def test_unreadable_file_is_one_clear_error_and_nothing_is_written(
    db_url, tmp_path, name, content, hint
):
    path = tmp_path / name
    path.write_bytes(content)
    result = CliRunner().invoke(main, ["--db", db_url, "ingest", str(path), str(LIMS)])
    assert result.exit_code == EXIT_UNREADABLE_FILE
    assert name in result.output and hint.lower() in result.output.lower()
    assert "Traceback" not in result.output
    assert counts(db_url)["files"] == 1  # the good file of the same command is ingested


def test_standard_input(db_url):
    code, out = run(db_url, "ingest", "-", "--json", input=LIMS.read_bytes())
    assert code == 0, out
    assert json.loads(out)[0]["findings"] == 14 and json.loads(out)[0]["source"] == "<stdin>"


def test_standard_input_under_its_original_name(db_url):
    code, out = run(
        db_url, "ingest", "-", "--stdin-name", "export.csv", "--json", input=LIMS.read_bytes()
    )
    assert code == 0 and json.loads(out)[0]["source"] == "export.csv"
    code, out = run(db_url, "findings", "--json")
    rows = json.loads(out)
    assert {r["file"] for r in rows} == {"export.csv"}
    assert all(r["locator"].startswith("export.csv ") for r in rows)


def test_findings_and_show(db_url, tmp_path):
    run(db_url, "ingest", str(EXAMPLES))
    code, out = run(db_url, "findings", "--flagged", "--json")
    rows = json.loads(out)
    assert rows and {r["status"] for r in rows} <= {
        "controlled",
        "generic",
        "precursor",
        "analogue",
        "unresolved",
    }
    assert all(r["data_version"] for r in rows)
    code, out = run(db_url, "findings", "--case", "24-01873", "--status", "controlled", "--csv")
    lines = list(csv.DictReader(io.StringIO(out)))
    assert {r["name"] for r in lines} >= {"MDMA", "Cocaine"}
    code, out = run(db_url, "findings", "--limit", "3", "--json")
    assert len(json.loads(out)) == 3
    code, out = run(db_url, "show", "24-01873")
    assert code == 0 and "Levamisole" in out and "Opiumwet List I" in out
    code, out = run(db_url, "show", "no-such-case")
    assert code == 1 and "no case" in out


def test_csv_output_neutralises_formulas(db_url, tmp_path):
    path = tmp_path / "evil.csv"
    evil = lims_row('=HYPERLINK("x")', "=cmd|' /C calc'!A0")
    path.write_text(lims_rows(1, [evil]), encoding="utf-8")
    run(db_url, "ingest", str(path))
    code, out = run(db_url, "findings", "--csv")
    assert code == 0
    assert "'=cmd" in out and "\n=" not in out and ",=" not in out


def test_killed_ingest_leaves_nothing_of_that_file(db_url, tmp_path):
    kill_an_ingest_midway(db_url, tmp_path)


@pytest.mark.shared
def test_real_nist_samples_ingest_with_every_line_accounted_for(shared, db_url):
    samples = sorted((shared / "formats" / "chemclipse" / "nist_ms_search").glob("SRCRESLT-*"))
    code, out = run(db_url, "ingest", *map(str, samples), "--json")
    assert code == 0, out
    summaries = json.loads(out)
    assert [s["status"] for s in summaries] == ["new"] * len(samples)
    assert all(s["rejections"] == 0 and s["findings"] == s["rows_read"] > 0 for s in summaries)
    assert counts(db_url)["findings"] == sum(s["findings"] for s in summaries)


def test_resolution_ids_are_the_same_in_every_run(tmp_path):
    """Resolutions are stored in the order their queries were first met, whatever the
    process's string hashing: two runs of one file give the same ids."""
    stored = []
    for seed in ("1", "2"):
        db_url = f"sqlite:///{tmp_path / f'run{seed}.sqlite'}"
        env = {**os.environ, "SUBSMATCH_DB": db_url, "PYTHONHASHSEED": seed}
        subprocess.run(
            [sys.executable, "-m", "subsmatch.cli", "ingest", str(LIMS)],
            env=env,
            check=True,
            capture_output=True,
        )
        with create_engine(db_url).connect() as connection:
            rows = connection.execute(text("select id, query from resolutions order by id"))
            stored.append(rows.all())
    assert len(stored[0]) > 5 and stored[0] == stored[1]


def test_summary_keeps_the_most_severe_flagged_findings(db_url, tmp_path):
    """A controlled finding after more unresolved ones than the summary keeps is still shown."""
    with LIMS.open(encoding="utf-8-sig", newline="") as handle:
        header = next(csv.reader(handle))
    rows = [lims_row(f"C-{i}", f"unknown compound {i}") for i in range(250)]
    rows.append(lims_row("C-last", "Cocaine"))
    path = tmp_path / "late_cocaine.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([header, *rows])
    code, out = run(db_url, "ingest", str(path), "--json")
    assert code == 0, out
    summary = json.loads(out)[0]
    assert summary["flagged_count"] == 251 and len(summary["flagged"]) == 200
    first = summary["flagged"][0]
    assert (first["status"], first["name"], first["case_id"]) == ("controlled", "Cocaine", "C-last")
    assert {f["status"] for f in summary["flagged"][1:]} == {"unresolved"}


def test_already_ingested_file_whose_rows_were_all_rejected_says_how_to_read_it_again(db_url):
    def summary(*args: str) -> dict:
        code, out = run(db_url, "ingest", str(LIMS), *args, "--json")
        assert code == 0, out
        return json.loads(out)[0]

    first = summary("--format", "nist")
    assert first["findings"] == 0 and first["rejections"] == first["rows_read"] > 0
    again = summary()
    assert again["status"] == "already_ingested"
    assert "all" in again["notes"][0] and "--force" in again["notes"][0]
    assert "note: version 1 kept no finding" in run(db_url, "ingest", str(LIMS))[1]
    assert summary("--force")["findings"] > 0
    kept = summary()["notes"]  # the newest version kept findings: only how to read it again
    assert len(kept) == 1 and "kept no finding" not in kept[0] and "--force" in kept[0]


def test_rejections_are_listed_after_an_ingest_and_by_the_rejections_command(db_url, tmp_path):
    path = tmp_path / "extract.csv"
    bad = [lims_row(f"C-{i}", "MDMA", analysed="31/02/2024") for i in range(5)]
    path.write_text(lims_rows(3, bad), encoding="utf-8")
    code, out = run(db_url, "ingest", str(path))
    assert code == 0
    listed = [line for line in out.splitlines() if line.strip().startswith("rejected ")]
    assert len(listed) == 3 and all("31/02/2024" in line for line in listed)
    assert f"2 more rejections: subsmatch --db {db_url} rejections --file {path}" in out
    code, out = run(db_url, "rejections", "--file", "extract.csv", "--json")
    rows = json.loads(out)
    assert code == 0 and len(rows) == 5
    assert {"file", "file_version", "locator", "reason", "raw"} <= set(rows[0])
    code, out = run(db_url, "rejections", "--limit", "2")
    assert code == 0 and out.count("column 'Analysis Date'") == 2


def test_show_gives_the_time_as_printed_and_in_utc(db_url, tmp_path):
    path = tmp_path / "extract.csv"
    path.write_text(lims_rows(0, [lims_row("C-T", "MDMA", analysed="14/03/2024")]), "utf-8")
    run(db_url, "ingest", str(path))
    code, out = run(db_url, "show", "C-T")
    assert code == 0 and "measured 14/03/2024 (2024-03-13T23:00:00+00:00)" in out
    code, out = run(db_url, "findings", "--case", "C-T", "--json")
    assert json.loads(out)[0]["measured_at"] == "2024-03-13T23:00:00+00:00"


def test_rejections_of_one_file_match_its_name_literally(db_url, tmp_path):
    bad = [lims_row("C-X", "MDMA", analysed="31/02/2024")]
    for rows, name in enumerate(("a_b.csv", "axb.csv"), start=2):  # other content each
        (tmp_path / name).write_text(lims_rows(rows, bad), encoding="utf-8")
        assert run(db_url, "ingest", str(tmp_path / name), "--json")[1].count('"new"') == 1
    code, out = run(db_url, "rejections", "--file", "a_b.csv", "--json")
    assert code == 0 and [r["file"].rsplit("/", 1)[-1] for r in json.loads(out)] == ["a_b.csv"]


def test_a_forced_version_that_keeps_fewer_findings_says_so(db_url):
    code, out = run(db_url, "ingest", str(LIMS), "--json")
    kept = json.loads(out)[0]["findings"]
    code, out = run(db_url, "ingest", str(LIMS), "--force", "--format", "nist", "--json")
    notes = json.loads(out)[0]["notes"]
    assert code == 0 and any(f"version 1 kept {kept}" in note for note in notes)
    code, out = run(db_url, "ingest", str(LIMS), "--force", "--json")
    assert not any("kept" in note for note in json.loads(out)[0]["notes"])


def test_stdin_name_empty_or_without_standard_input(db_url):
    code, out = run(db_url, "ingest", "-", "--stdin-name", "", "--json", input=LIMS.read_bytes())
    assert code == 0 and json.loads(out)[0]["source"] == "<stdin>"
    code, out = run(db_url, "ingest", str(LIMS), "--stdin-name", "x.csv")
    assert code == 0 and 'note: --stdin-name names "-" (standard input), which is not read' in out
