"""Re-judging stored findings after a reference change, as a library operation."""

from __future__ import annotations

import json

from sqlalchemy import text

from subsmatch.operations.database import make_engine
from subsmatch.operations.ingest import ingest, read_options
from subsmatch.operations.rematch import rematch
from tests.helpers import EXAMPLES

LIMS = EXAMPLES / "lims_case_extract.csv"


def stored(db_url: str, checker):
    engine = make_engine(db_url)
    (summary,) = ingest(engine, [LIMS], read_options(), checker=checker)
    assert summary.status == "new"
    return engine


def as_if_an_older_tool_said_not_listed(engine) -> None:
    with engine.begin() as connection:
        connection.execute(
            text(
                "update resolutions set tool_version = '0', status = 'not_listed' "
                "where query in ('MDMA', 'Cocaine')"
            )
        )
        connection.execute(  # and stored it on their findings
            text(
                "update findings set status = 'not_listed' where resolution_id in "
                "(select id from resolutions where query in ('MDMA', 'Cocaine'))"
            )
        )


def test_a_verdict_whose_evidence_changed_is_counted_apart_from_status_changes(db_url, checker):
    engine = stored(db_url, checker)
    with engine.begin() as connection:
        mdma = text("select verdict from resolutions where query = 'MDMA'")
        verdict = json.loads(connection.execute(mdma).scalar())
        verdict["jurisdictions"][0]["entries"][0]["since"] = "1900-01-01"  # an older reference
        connection.execute(
            text(
                "update resolutions set rules_version = 'older', verdict = :v where query = 'MDMA'"
            ),
            {"v": json.dumps(verdict)},
        )
        connection.execute(
            text("update resolutions set data_version = 'older' where query = 'Cocaine'")
        )
    done = rematch(engine, checker)
    assert (done.rejudged, done.changed, done.evidence_changed) == (2, [], 1)
    assert done.findings_moved >= 2 and done.transitions == {}
    assert rematch(engine, checker).rejudged == 0  # all judged with the current versions now


def test_status_changes_are_counted_per_transition(db_url, checker):
    engine = stored(db_url, checker)
    as_if_an_older_tool_said_not_listed(engine)
    done = rematch(engine, checker)
    assert sorted(c.query for c in done.changed) == ["Cocaine", "MDMA"]
    moved = sum(c.findings for c in done.changed)
    assert done.transitions == {"not_listed -> controlled": {"verdicts": 2, "findings": moved}}
    assert done.to_dict()["transitions"] == done.transitions
    with engine.begin() as connection:
        statuses = connection.execute(
            text(
                "select r.query, f.status, count(*) from findings f "
                "join resolutions r on r.id = f.resolution_id "
                "where r.query in ('MDMA', 'Cocaine') group by r.query, f.status order by 1"
            )
        ).all()
        recorded = connection.execute(
            text(
                "select query, old_status, new_status, findings, old_versions, new_versions, "
                "old_resolution_id != new_resolution_id, at is not null from rematches "
                "order by query"
            )
        ).all()
    assert [(query, status) for query, status, _n in statuses] == [
        ("Cocaine", "controlled"),
        ("MDMA", "controlled"),
    ]
    assert sum(n for _q, _s, n in statuses) == moved
    by_query = {c.query: c for c in done.changed}
    assert [tuple(r) for r in recorded] == [
        (
            q,
            "not_listed",
            "controlled",
            by_query[q].findings,
            by_query[q].old_versions,
            by_query[q].new_versions,
            1,
            1,
        )
        for q in ("Cocaine", "MDMA")
    ]
    assert "tool 0" in recorded[0][4]


def test_verdicts_judged_in_batches_move_every_finding_to_its_new_verdict(db_url, checker):
    engine = stored(db_url, checker)
    as_if_an_older_tool_said_not_listed(engine)
    with engine.begin() as connection:
        connection.execute(text("update resolutions set data_version = 'older'"))
        used = connection.execute(
            text("select count(distinct resolution_id), count(resolution_id) from findings")
        ).one()
    done = rematch(engine, checker, batch=1)
    assert (done.rejudged, done.findings_moved) == tuple(used)
    assert {c.query for c in done.changed} == {"MDMA", "Cocaine"}
    with engine.begin() as connection:
        left = connection.execute(
            text(
                "select count(*) from findings f join resolutions r on r.id = f.resolution_id "
                "where r.data_version = 'older' or f.status != r.status"
            )
        ).scalar()
        records = connection.execute(text("select sum(findings) from rematches")).scalar()
    assert left == 0 and records == done.findings_moved
    assert rematch(engine, checker).rejudged == 0
