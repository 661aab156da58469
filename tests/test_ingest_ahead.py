"""The first chunks of a file read ahead while the judging workers start: the same rows stored,
resolutions in the same order (the same ids), the same summary, however many are ahead."""

from __future__ import annotations

from sqlalchemy import text

from subsmatch.ingest.pipeline import Pipeline
from subsmatch.operations.database import make_engine
from tests.helpers import EXAMPLES, lims_rows

RESQ = EXAMPLES / "resq_cn_raman.csv"  # several ranked hits per scan


def _stored(engine) -> list[list[tuple]]:
    with engine.connect() as connection:
        return [
            connection.execute(text(query)).all()
            for query in (
                "select id, query, status, verdict from resolutions order by id",
                "select id, analysis_key, locator, name, cas, resolution_id, status, scores, "
                "extras from findings order by id",
                "select id, analysis_key, locator, case_id, item_id, measured_at, extras "
                "from analyses order by id",
                "select id, locator, reason, raw from rejections order by id",
            )
        ]


def test_chunks_read_ahead_at_the_start_store_what_one_ahead_stores(tmp_path, checker, monkeypatch):
    monkeypatch.setattr("subsmatch.ingest.judging.FORK_FROM", 1)
    export = tmp_path / "lims.csv"
    export.write_text(lims_rows(60, [["C-9", "x"]]), encoding="utf-8")  # and a short row
    results = {}
    for ahead in (1, 3, 20):
        engine = make_engine(f"sqlite:///{tmp_path / f'{ahead}.sqlite'}")
        pipeline = Pipeline(engine, checker, chunk_rows=4, workers=1, start_ahead=ahead)
        summaries = [pipeline.ingest(path).to_dict() for path in (export, RESQ)]
        assert pipeline.start_ahead == ahead
        results[ahead] = ([{**s, "source": ""} for s in summaries], _stored(engine))
    assert results[3] == results[1]
    assert results[20] == results[1]  # more chunks ahead than the file has
    summaries, (resolutions, findings, _analyses, rejections) = results[1]
    assert len(findings) > 60 and rejections and resolutions


def test_an_ingest_judged_here_reads_no_chunk_ahead(tmp_path, checker):
    engine = make_engine(f"sqlite:///{tmp_path / 'here.sqlite'}")
    assert Pipeline(engine, checker, workers=0, start_ahead=4).start_ahead == 1
