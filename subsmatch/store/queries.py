"""Reading stored findings back: filters for `findings`, one case for `show`."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import datetime

from sqlalchemy import Engine, and_, func, select
from sqlalchemy.orm import Session, aliased

from subsmatch.store.models import (
    AnalysisRow,
    FindingRow,
    IngestedFile,
    RejectionRow,
    ResolutionRow,
    as_utc,
)

_COLUMNS = (
    IngestedFile.source_name.label("file"),
    IngestedFile.version.label("file_version"),
    AnalysisRow.case_id,
    AnalysisRow.item_id,
    AnalysisRow.context,
    AnalysisRow.technique,
    AnalysisRow.vendor,
    AnalysisRow.model,
    AnalysisRow.measured_at,
    AnalysisRow.measured_at_raw,
    AnalysisRow.country,
    AnalysisRow.location,
    AnalysisRow.verdict.label("device_verdict"),
    AnalysisRow.verdict_raw,
    FindingRow.id.label("finding_id"),
    FindingRow.locator,
    FindingRow.rank,
    FindingRow.role,
    FindingRow.name,
    FindingRow.cas,
    FindingRow.formula,
    FindingRow.scores,
    FindingRow.asserted_identified,
    FindingRow.status,
    FindingRow.resolution_id,
    ResolutionRow.substance_id,
    ResolutionRow.name.label("resolved_name"),
    ResolutionRow.smiles,
    ResolutionRow.inchikey,
    ResolutionRow.via,
    ResolutionRow.confidence,
    ResolutionRow.uncertain,
    ResolutionRow.verdict,
    ResolutionRow.data_version,
    IngestedFile.ingested_at,
)


_made_at = func.coalesce(AnalysisRow.measured_at, IngestedFile.ingested_at)
"""When a finding was made: measured, else ingested."""


def _within(query, since: datetime | None, until: datetime | None):
    """``query`` kept to findings made from ``since`` to before ``until`` (either may be None)."""
    if since:
        query = query.where(_made_at >= as_utc(since))
    if until:
        query = query.where(_made_at < as_utc(until))
    return query


def _newest_version():
    """The condition that a file row is the newest complete version of its content (a file
    being written is invisible, and hides no older version until it is complete)."""
    newer = aliased(IngestedFile)
    return and_(
        IngestedFile.writing_since.is_(None),
        ~(
            select(newer.id)
            .where(
                newer.sha256 == IngestedFile.sha256,
                newer.version > IngestedFile.version,
                newer.writing_since.is_(None),
            )
            .exists()
        ),
    )


def _joined(query):
    """A select over findings joined to their file, analysis and resolution.

    Only the newest version of each file content counts: a forced re-ingest keeps the old
    version stored, but it is neither listed nor counted again.
    """
    return (
        query.join(IngestedFile, FindingRow.file_id == IngestedFile.id)
        .join(
            AnalysisRow,
            and_(
                AnalysisRow.file_id == FindingRow.file_id,
                AnalysisRow.analysis_key == FindingRow.analysis_key,
            ),
        )
        .outerjoin(ResolutionRow, FindingRow.resolution_id == ResolutionRow.id)
        .where(_newest_version())
    )


def _base():
    return _joined(select(*_COLUMNS))


def _rows(engine: Engine, query) -> Iterator[dict]:
    """Result rows as dicts; each distinct verdict JSON is parsed once (findings share them)."""
    verdicts: dict[int, dict] = {}
    with Session(engine) as session:
        for row in session.execute(query.execution_options(yield_per=5000)):
            data = dict(row._mapping)
            data["scores"] = json.loads(data["scores"])
            rid = data["resolution_id"]
            if rid is not None and rid not in verdicts:
                verdicts[rid] = json.loads(data["verdict"])
            data["verdict"] = verdicts.get(rid) if rid is not None else None
            yield data


def findings(
    engine: Engine,
    *,
    statuses: tuple[str, ...] = (),
    case: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int | None = None,
    resolution_ids: Iterable[int] | None = None,
) -> Iterator[dict]:
    """Stored findings with their resolution and verdict, newest files first (streamed)."""
    query = _base()
    if resolution_ids is not None:
        query = query.where(FindingRow.resolution_id.in_(sorted(set(resolution_ids))))
    if statuses:
        query = query.where(FindingRow.status.in_(statuses))
    if case:
        query = query.where(AnalysisRow.case_id == case)
    query = _within(query, since, until)
    query = query.order_by(IngestedFile.id.desc(), FindingRow.id).limit(limit)
    return _rows(engine, query)


def case_findings(engine: Engine, case: str) -> list[dict]:
    """Every finding of one case, in file and report order."""
    query = (
        _base()
        .where(AnalysisRow.case_id == case)
        .order_by(IngestedFile.id, AnalysisRow.id, FindingRow.id)
    )
    return list(_rows(engine, query))


def finding_frame(
    engine: Engine,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    country: str | None = None,
    contexts: tuple[str, ...] = (),
):
    """Findings as a pandas DataFrame for analysis (one row per finding, no verdict JSON).

    Columns: when, dated (the analysis was measured at a time its report gives; else
    ``when`` is the ingest's), file_id, source, case_id, item_id, context, country, name,
    status, resolution_id, substance_id, resolved_name, smiles.
    """
    import pandas as pd

    query = _joined(
        select(
            _made_at.label("when"),
            AnalysisRow.measured_at.is_not(None).label("dated"),
            FindingRow.file_id,
            IngestedFile.source_name.label("source"),
            AnalysisRow.case_id,
            AnalysisRow.item_id,
            AnalysisRow.context,
            AnalysisRow.country,
            FindingRow.name,
            FindingRow.status,
            FindingRow.resolution_id,
            ResolutionRow.substance_id,
            ResolutionRow.name.label("resolved_name"),
            ResolutionRow.smiles,
        )
    ).where(FindingRow.status != "no_hit")
    query = _within(query, since, until)
    if country:
        query = query.where(AnalysisRow.country == country)
    if contexts:
        query = query.where(AnalysisRow.context.in_(contexts))
    with engine.connect() as connection:
        frame = pd.read_sql(query, connection)
    # naive UTC everywhere: SQLite returns naive UTC times, PostgreSQL zone-aware ones
    frame["when"] = pd.to_datetime(frame["when"], format="mixed", utc=True).dt.tz_localize(None)
    frame["dated"] = frame["dated"].astype(bool)
    return frame


def resolution_verdicts(engine: Engine, ids: Iterable[int]) -> dict[int, str]:
    """The stored verdict (``check --json`` text) of each resolution id."""
    wanted = sorted({int(i) for i in ids})  # plain ints: a driver may not bind numpy's
    out: dict[int, str] = {}
    with engine.connect() as connection:
        for start in range(0, len(wanted), 5000):  # within any database's parameter limit
            chunk = wanted[start : start + 5000]
            query = select(ResolutionRow.id, ResolutionRow.verdict)
            out.update(connection.execute(query.where(ResolutionRow.id.in_(chunk))).all())
    return out


def rejections(
    engine: Engine,
    *,
    source: str | None = None,
    limit: int | None = None,
    case: str | None = None,
) -> Iterator[dict]:
    """Stored rejections (rows that became no finding), newest files first, in file order.

    ``source`` keeps one file: its name as ingested, or the end of it after a ``/`` or ``\\``.
    ``case`` keeps the rows of one case's analyses (a row rejected for a value of its finding
    still belongs to its analysis). Only the newest version of each file content is read, as
    for findings.
    """
    query = (
        select(
            IngestedFile.source_name.label("file"),
            IngestedFile.version.label("file_version"),
            RejectionRow.locator,
            RejectionRow.reason,
            RejectionRow.raw,
        )
        .join(IngestedFile, RejectionRow.file_id == IngestedFile.id)
        .where(_newest_version())
    )
    if case is not None:
        query = query.join(
            AnalysisRow,
            and_(
                AnalysisRow.file_id == RejectionRow.file_id,
                AnalysisRow.analysis_key == RejectionRow.analysis_key,
            ),
        ).where(AnalysisRow.case_id == case)
    if source:
        query = query.where(_named(source))
    query = query.order_by(IngestedFile.id.desc(), RejectionRow.id).limit(limit)
    with Session(engine) as session:
        yield from (dict(row._mapping) for row in session.execute(query))


def _named(source: str):
    """The condition that a file row is ``source``: its name as ingested, or its end after a
    ``/`` or ``\\``."""
    name = IngestedFile.source_name
    return (
        (name == source)
        | name.endswith(f"/{source}", autoescape=True)
        | name.endswith(f"\\{source}", autoescape=True)
    )


def ingested(engine: Engine, source: str) -> bool:
    """Whether a file ``source`` (as :func:`rejections` names it) was ever ingested."""
    with Session(engine) as session:
        return session.scalar(select(IngestedFile.id).where(_named(source)).limit(1)) is not None


def verdicts(engine: Engine, resolution_ids: Iterable[int]) -> dict[int, dict]:
    """The stored verdict JSON of these resolutions, parsed."""
    ids = sorted(set(resolution_ids))
    out: dict[int, dict] = {}
    with Session(engine) as session:
        for start in range(0, len(ids), 500):
            rows = session.execute(
                select(ResolutionRow.id, ResolutionRow.verdict).where(
                    ResolutionRow.id.in_(ids[start : start + 500])
                )
            )
            out.update((rid, json.loads(text)) for rid, text in rows)
    return out
