"""Concurrent writers: four ingest processes on one SQLite file lose no rows and never fail."""

from __future__ import annotations

import json

from sqlalchemy import create_engine, text

from tests.helpers import counts, ingest_concurrently, lims_rows


def test_four_concurrent_ingests_into_one_sqlite_file(tmp_path):
    db_url = f"sqlite:///{tmp_path / 'shared.sqlite'}"
    paths = []
    for i in range(4):
        path = tmp_path / f"extract_{i}.csv"
        rows = lims_rows(6000).replace("C-0", f"F{i}-0")  # distinct content per file
        path.write_text(rows, encoding="utf-8")
        paths.append(path)
    for code, out, err in ingest_concurrently(paths, db_url):
        assert code == 0, err
        assert "locked" not in err
        summary = json.loads(out)[0]
        assert summary["status"] == "new"
        assert summary["rows_read"] == summary["findings"] + summary["rejections"] == 6000
    stored = counts(db_url)
    assert stored["files"] == 4 and stored["findings"] == 24_000
    with create_engine(db_url).connect() as connection:
        per_file = (
            connection.execute(text("select count(*) from findings group by file_id"))
            .scalars()
            .all()
        )
    assert per_file == [6000] * 4
