"""The ingest pipeline as a library: what one file's chunks share, versions, refusals."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from subsmatch.ingest.pipeline import Pipeline
from subsmatch.ingest.readers import ReadOptions
from subsmatch.operations.database import make_engine
from tests.helpers import EXAMPLES, LIMS, counts, lims_rows

FIELD_CSV = EXAMPLES / "trunarc_raman.csv"
RESQ = EXAMPLES / "resq_cn_raman.csv"  # several ranked hits per scan, with case ids


def stored(engine, query: str) -> list[tuple]:
    with engine.connect() as connection:
        return connection.execute(text(query)).all()


def stored_findings(engine) -> list[tuple]:
    """Every stored finding with its analysis's case and item and its resolution's query."""
    return stored(
        engine,
        "select f.locator, f.status, f.name, a.case_id, a.item_id, r.query "
        "from findings f join analyses a on a.file_id = f.file_id "
        "and a.analysis_key = f.analysis_key left join resolutions r "
        "on r.id = f.resolution_id order by f.locator",
    )


def stored_resolutions(engine) -> list[tuple]:
    """Every stored resolution, its verdict's JSON among its columns."""
    return stored(
        engine,
        "select query, status, substance_id, name, via, confidence, uncertain, verdict "
        "from resolutions order by query",
    )


def test_every_example_reconciles(db_url, checker):
    pipeline = Pipeline(make_engine(db_url), checker)
    summaries = [pipeline.ingest(path) for path in sorted(EXAMPLES.iterdir()) if path.is_file()]
    assert {s.status for s in summaries} == {"new"}
    assert all(s.rows_read == s.findings + s.rejections > 0 for s in summaries)
    stored = counts(db_url)
    assert stored["findings"] == sum(s.findings for s in summaries)
    assert stored["rejections"] == sum(s.rejections for s in summaries)
    assert stored["resolutions"] == len(pipeline.verdicts.stored_ids) < stored["findings"]


@pytest.mark.parametrize("chunk_rows", [1, 2, 7])
def test_small_chunks_store_and_summarise_what_one_chunk_does(tmp_path, checker, chunk_rows):
    """Hits whose analysis came in an earlier chunk (a ranked hit list) keep its case; the
    flagged findings, counts and first rejections of a file add up over its chunks."""
    export = tmp_path / "lims.csv"
    export.write_text(lims_rows(23, [["C-9", "x"]]), encoding="utf-8")  # and a short row
    results = {}
    for rows in (10_000, chunk_rows):
        engine = make_engine(f"sqlite:///{tmp_path / f'{rows}.sqlite'}")
        pipeline = Pipeline(engine, checker, chunk_rows=rows)
        summaries = [pipeline.ingest(path).to_dict() for path in (export, RESQ)]
        results[rows] = ([{**s, "source": ""} for s in summaries], stored_findings(engine))
    assert results[chunk_rows] == results[10_000]
    (lims, resq), rows = results[chunk_rows]
    assert lims["rejections"] == 1 and len(lims["rejected"]) == 1
    assert resq["analyses"] < resq["findings"]  # several hits per analysis
    assert len(resq["flagged"]) > resq["analyses"]  # flagged hits after each scan's first
    assert all(f["case_id"] and f["item_id"] for f in lims["flagged"] + resq["flagged"])
    assert all(case for _where, _status, _name, case, _item, _query in rows)


def test_names_judged_by_forked_workers_store_what_one_process_stores(
    tmp_path, checker, monkeypatch
):
    """Workers judge every chunk's new names (forked at the first, however few) while the
    ingest writes the chunk before: the same findings, resolutions and verdicts, summary."""
    monkeypatch.setattr("subsmatch.ingest.judging.FORK_FROM", 1)
    export = tmp_path / "lims.csv"
    export.write_text(lims_rows(60, [["C-9", "x"]]), encoding="utf-8")
    results = {}
    for workers in (0, 1, 2):
        engine = make_engine(f"sqlite:///{tmp_path / f'{workers}.sqlite'}")
        pipeline = Pipeline(engine, checker, chunk_rows=7, workers=workers)
        summaries = [pipeline.ingest(path).to_dict() for path in (export, RESQ, FIELD_CSV)]
        assert pipeline.verdicts.judge._pool is None  # the workers end with each file
        results[workers] = (
            [{**s, "source": ""} for s in summaries],
            stored_findings(engine),
            stored_resolutions(engine),
        )
    assert results[1] == results[0]
    assert results[2] == results[0]
    assert sum(s["findings"] for s in results[0][0]) > 60


def test_the_same_content_again_changes_nothing_unless_forced(db_url, checker):
    engine = make_engine(db_url)
    first = Pipeline(engine, checker).ingest(LIMS)
    before = counts(db_url)
    again = Pipeline(engine, checker).ingest(LIMS)
    assert (again.status, again.version) == ("already_ingested", 1)
    assert counts(db_url) == before
    forced = Pipeline(engine, checker, force=True).ingest(LIMS)
    assert (forced.status, forced.version, forced.findings) == ("new", 2, first.findings)
    after = counts(db_url)
    assert after["files"] == 2 and after["resolutions"] == before["resolutions"]  # reused


def test_a_refused_file_stores_nothing_and_lends_no_resolution(db_url, checker):
    engine = make_engine(db_url)
    pipeline = Pipeline(engine, checker, allowed_contexts=frozenset({"field_screening"}))
    refused = pipeline.ingest(LIMS)
    assert refused.status == "refused" and "lab_confirmation" in refused.error
    assert counts(db_url) == dict.fromkeys(counts(db_url), 0)
    assert pipeline.verdicts.stored_ids == {}  # its resolutions were rolled back with it
    accepted = pipeline.ingest(FIELD_CSV)
    assert accepted.status == "new"
    for _where, status, _name, _case, _item, query in stored_findings(engine):
        assert query or status == "no_hit"


def test_an_unreadable_file_is_a_summary_not_an_exception(db_url, checker, tmp_path):
    junk = tmp_path / "scan.pdf"
    junk.write_bytes(b"%PDF-1.7 not a report")
    options = ReadOptions(encoding="cp1252")
    summary = Pipeline(make_engine(db_url), checker, options=options).ingest(junk)
    assert summary.status == "error" and "PDF reports are not supported" in summary.error
    assert counts(db_url)["files"] == 0


@pytest.mark.parametrize("chunk_rows", [40, 50])  # 840 hits: the last chunk full, or not
def test_progress_reports_rows_and_how_much_of_the_file_was_read(tmp_path, checker, chunk_rows):
    """After each chunk: the rows read so far and the share of the file's bytes read, which
    grows to the whole file (the command line draws its progress bar from them), also after
    the last chunk, when the file is closed."""
    seen: list[tuple[str, int, float | None]] = []
    engine = make_engine(f"sqlite:///{tmp_path / 'p.sqlite'}")
    record = seen.append
    pipeline = Pipeline(engine, checker, chunk_rows=chunk_rows, progress=lambda *a: record(a))
    big = tmp_path / "SRCRESLT.TXT"  # larger than one read of the text reader
    big.write_bytes((EXAMPLES / "SRCRESLT.TXT").read_bytes() * 60)
    summary = pipeline.ingest(big)
    assert len(seen) > 2 and {name for name, _rows, _done in seen} == {summary.source}
    rows = [r for _name, r, _done in seen]
    done = [d for _name, _r, d in seen]
    assert rows == sorted(rows) and rows[-1] == summary.rows_read
    assert done == sorted(done) and 0 < done[0] < 1 and done[-1] == 1.0


def test_a_file_row_removed_between_chunks_makes_the_whole_file_read_again(
    db_url, checker, tmp_path
):
    """Chunks are inserted without SQLite checking each row's file (their writer checks it
    once per chunk): when another process takes the file for a dead ingest's and removes it
    between two chunks, the file is read again whole, and no row is left without its file."""
    path = tmp_path / "lims.csv"
    path.write_text(lims_rows(60), encoding="utf-8")
    engine = make_engine(db_url)
    removed = []

    def remove_the_file_once(_source, _rows, _fraction):
        if not removed:  # as remove_stale() of another process would, after the first chunk
            with engine.begin() as connection:
                connection.execute(text("pragma foreign_keys=on"))
                removed.append(connection.execute(text("delete from files")).rowcount)

    pipeline = Pipeline(engine, checker, chunk_rows=20, progress=remove_the_file_once)
    summary = pipeline.ingest(path)
    assert removed == [1] and summary.status == "new" and summary.rows_read == 60
    stored = counts(db_url)
    assert (stored["files"], stored["findings"]) == (1, summary.findings) and summary.findings
    with engine.connect() as connection:
        assert connection.execute(text("pragma foreign_key_check")).all() == []
