"""What an ingest stores in a real SQLite file: every line ending, empty and rejected analyses,
the way back to a file already ingested."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
import zipfile
from datetime import UTC, datetime

from sqlalchemy import event, text
from sqlalchemy.orm import Session

from subsmatch.operations.ingest import ingest, read_options
from subsmatch.store import queries
from subsmatch.store.engine import make_engine, step_writer, writer
from tests.helpers import EXAMPLES, counts, lims_rows, run, visible_files

NEGATIVE = {
    "case_id": "NEG-1",
    "technique": "colour test",
    "context": "field_screening",
    "measured_at": "2024-04-08T09:12:00+02:00",
    "verdict": "negative",
    "findings": [],
}


def _summary(db_url: str, *args: str) -> dict:
    code, out = run(db_url, "ingest", *args, "--json")
    assert code == 0, out
    return json.loads(out)[0]


def test_cr_only_and_mixed_files_store_every_row(db_url, tmp_path):
    for example in ("SRCRESLT.TXT", "lims_case_extract.csv"):
        lf = (EXAMPLES / example).read_bytes().replace(b"\r\n", b"\n")
        (tmp_path / f"lf_{example}").write_bytes(lf)
        (tmp_path / f"cr_{example}").write_bytes(lf.replace(b"\n", b"\r"))
        lines = lf.split(b"\n")
        mixed = b"".join(line + (b"\r", b"\r\n", b"\n")[i % 3] for i, line in enumerate(lines))
        (tmp_path / f"mixed_{example}").write_bytes(mixed)
        done = [_summary(db_url, str(tmp_path / f"{s}_{example}")) for s in ("lf", "cr", "mixed")]
        shown = {(d["rows_read"], d["findings"], d["rejections"]) for d in done}
        assert len(shown) == 1 and done[0]["findings"] > 0, done
    assert counts(db_url)["files"] == 6


def test_empty_and_rejected_analyses_are_stored_counted_and_shown(db_url, tmp_path):
    rejected = {**NEGATIVE, "case_id": "REJ-1", "verdict": "positive", "findings": [{"name": ""}]}
    path = tmp_path / "field.jsonl"
    path.write_text(f"{json.dumps(NEGATIVE)}\n{json.dumps(rejected)}\n", encoding="utf-8")
    done = _summary(db_url, str(path))
    assert (done["rows_read"], done["findings"], done["rejections"]) == (2, 1, 1)
    assert done["statuses"] == {"no_hit": 1}
    assert (counts(db_url)["findings"], counts(db_url)["rejections"]) == (1, 1)
    code, out = run(db_url, "show", "NEG-1")
    assert code == 0 and "no_hit" in out, out
    code, out = run(db_url, "show", "REJ-1")
    assert code == 0 and "rejected" in out and "line 2" in out, out
    code, out = run(db_url, "show", "NOPE-1")
    assert code != 0 and "no case" in out


def test_already_ingested_points_to_force(db_url):
    lims = str(EXAMPLES / "lims_case_extract.csv")
    _summary(db_url, lims)
    again = _summary(db_url, lims)
    assert again["status"] == "already_ingested" and "--force" in again["notes"][0]
    code, out = run(db_url, "ingest", lims)
    assert code == 0 and "note:" in out and "--force" in out


def test_an_ingest_writes_in_short_transactions_invisible_until_complete(db_url, tmp_path):
    """Another writer (a check's record) commits while a large file is being ingested, and
    no query sees the file's committed chunks until it is complete."""
    run(db_url, "ingest", str(EXAMPLES / "lims_case_extract.csv"))  # one complete file
    engine = make_engine(db_url)
    before = len(list(queries.findings(engine)))
    path = tmp_path / "big.csv"
    path.write_text(lims_rows(100_000), encoding="utf-8")
    process = subprocess.Popen(
        [sys.executable, "-m", "subsmatch.cli", "ingest", str(path)],
        env={**os.environ, "SUBSMATCH_DB": db_url},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    other = sqlite3.connect(db_url.removeprefix("sqlite:///"), timeout=5, isolation_level=None)
    writes = partial_seen = 0
    insert = (
        "insert into checks (checked_at, query, status, confidence, data_version, tool_version)"
        " values (?, 'MDMA', 'controlled', 1.0, '-', '-')"
    )
    while process.poll() is None:
        other.execute("BEGIN IMMEDIATE")  # waits at most 5 s for the write lock
        other.execute(insert, (datetime.now(UTC).isoformat(),))
        other.execute("COMMIT")
        writes += 1
        visible = len(list(queries.findings(engine)))
        if unfinished(other):  # still being written after the query: so during it too
            partial_seen += 1
            assert visible == before  # chunks committed, none visible
        time.sleep(0.2)
    assert process.returncode == 0
    assert writes > 1 and partial_seen > 0
    assert len(list(queries.findings(engine))) == before + 100_000
    assert visible_files(db_url) == 2 == counts(db_url)["files"]


def unfinished(connection: sqlite3.Connection) -> int:
    """Findings committed of files not complete."""
    return connection.execute(
        "select count(*) from findings join files on files.id = findings.file_id"
        " where files.writing_since is not null"
    ).fetchone()[0]


def test_undated_reports_are_stored_undated(db_url):
    """A NIST result file prints no date: its analyses keep none, and the analysis frame says
    which findings are undated, so that no report takes the ingest's date for the lab's."""
    for example in ("SRCRESLT.TXT", "lims_case_extract.csv"):
        _summary(db_url, str(EXAMPLES / example))
    with sqlite3.connect(db_url.removeprefix("sqlite:///")) as connection:
        dated = dict(
            connection.execute(
                "select files.format, count(analyses.measured_at) from analyses"
                " join files on files.id = analyses.file_id group by files.format"
            ).fetchall()
        )
    assert dated["nist"] == 0 and dated["csv"] > 0
    frame = queries.finding_frame(make_engine(db_url))
    nist = frame["source"].str.endswith("SRCRESLT.TXT")
    assert not frame[nist]["dated"].any() and frame[~nist]["dated"].all()


def test_damaged_and_oversized_files_are_refused_and_the_others_still_read(db_url, tmp_path):
    """A workbook with broken XML, one with an entity-expansion DTD, deeply nested JSON and a
    good file, in one ingest: three clear refusals, the good file stored, the summary printed."""
    good = tmp_path / "good.xlsx"
    good.write_bytes((EXAMPLES / "ftir_hitlist.xlsx").read_bytes())
    damaged = {
        "broken.xlsx": b"<worksheet><sheetData><row>",
        "entities.xlsx": b'<!DOCTYPE x [<!ENTITY a "aaaa">]><worksheet>&a;</worksheet>',
    }
    for name, sheet in damaged.items():
        with zipfile.ZipFile(good) as source, zipfile.ZipFile(tmp_path / name, "w") as copy:
            for item in source.infolist():
                part = source.read(item)
                copy.writestr(item, sheet if item.filename.startswith("xl/worksheets/") else part)
    (tmp_path / "deep.json").write_text("[" * 50_000 + "]" * 50_000, encoding="utf-8")
    paths = [str(tmp_path / n) for n in (*damaged, "deep.json")]
    code, out = run(db_url, "ingest", *paths, str(EXAMPLES / "lims_case_extract.csv"))
    assert "Traceback" not in out
    assert out.count("NOT INGESTED") == 3 and "lims_case_extract.csv: new" in out, out
    assert "not well-formed XML" in out and "DTD" in out and "max_json_depth" in out
    assert code != 0 and visible_files(db_url) == 1


def test_chunks_commit_without_waiting_for_the_disk_and_the_whole_file_with_it(db_url, checker):
    """An ingest's chunks are steps (``synchronous=NORMAL``: a power cut may lose them, and
    they are invisible until the file is complete); its last commit, and every other write,
    syncs the log, and with it the chunks before it (``FULL``)."""
    engine = make_engine(db_url)
    seen = []

    @event.listens_for(engine, "commit")
    def synchronous_at_commit(connection):
        seen.append(connection.exec_driver_sql("PRAGMA synchronous").scalar())

    with Session(step_writer(engine)) as session, session.begin():
        session.execute(text("select 1"))
    with Session(writer(engine)) as session, session.begin():
        session.execute(text("select 1"))
    with engine.begin() as connection:
        connection.execute(text("select 1"))
    assert seen == [1, 2, 2]  # NORMAL, FULL, FULL
    seen.clear()
    (summary,) = ingest(
        engine, [EXAMPLES / "lims_case_extract.csv"], read_options(), checker=checker
    )
    assert summary.status == "new"
    assert seen[-1] == 2 and 1 in seen  # the file made visible (and durable) last
