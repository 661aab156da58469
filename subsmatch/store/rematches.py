"""Storage side of re-matching: stale resolutions, moving findings, the record of changes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

from sqlalchemy import (
    Column,
    Integer,
    MetaData,
    Row,
    String,
    Table,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Session

from subsmatch.store.ingests import bulk_insert
from subsmatch.store.models import FindingRow, RematchRow, ResolutionRow

_MOVES = Table(
    "rematch_moves",
    MetaData(),
    Column("old_id", Integer, primary_key=True),
    Column("new_id", Integer, nullable=False),
    Column("status", String(20), nullable=False),
    prefixes=["TEMPORARY"],
)
"""Old resolution -> new resolution and status, for one re-judgement (dropped after it)."""


def stale_resolutions(session: Session, versions: Mapping[str, str]) -> list[Row]:
    """Resolutions that findings use and that other data, rules or tool versions made, or
    for another region
    (without their verdicts: :func:`stored_verdicts` reads them a few at a time)."""
    used = select(FindingRow.resolution_id).where(FindingRow.resolution_id.is_not(None))
    return list(
        session.execute(
            select(
                ResolutionRow.id,
                ResolutionRow.query,
                ResolutionRow.status,
                ResolutionRow.data_version,
                ResolutionRow.rules_version,
                ResolutionRow.tool_version,
                ResolutionRow.region,
            ).where(
                ResolutionRow.id.in_(used),
                or_(*(getattr(ResolutionRow, k) != v for k, v in versions.items())),
            )
        ).all()
    )


def stored_verdicts(session: Session, ids: Sequence[int]) -> dict[int, str]:
    """The verdict JSON of these resolutions, by id."""
    found: dict[int, str] = {}
    for start in range(0, len(ids), 500):
        part = ids[start : start + 500]
        query = select(ResolutionRow.id, ResolutionRow.verdict).where(ResolutionRow.id.in_(part))
        found.update(session.execute(query).all())
    return found


def move_findings(session: Session, moves: Sequence[tuple[int, int, str]]) -> dict[int, int]:
    """Point the findings of each old resolution at its new one, with the new status:
    ``moves`` holds (old id, new id, new status); returns how many findings moved per old id.

    Set-based: the moves go into a temporary table, the findings are counted and updated
    by joining it, each in one pass over the findings (which have no index on their
    resolution: an UPDATE per resolution would scan them all each time). A status is
    written only where it changes: rewriting an unchanged one still rewrites its index entry,
    a million of them after an upgrade.
    """
    connection = session.connection()
    _MOVES.create(connection)
    try:
        bulk_insert(session, _MOVES, ("old_id", "new_id", "status"), list(moves))
        counted = select(FindingRow.resolution_id, func.count()).join(
            _MOVES, _MOVES.c.old_id == FindingRow.resolution_id
        )
        moved = dict(session.execute(counted.group_by(FindingRow.resolution_id)).all())
        unsynchronised = {"synchronize_session": False}
        session.execute(  # first the few whose status changes (the status has an index)
            update(FindingRow)
            .where(
                FindingRow.resolution_id == _MOVES.c.old_id, FindingRow.status != _MOVES.c.status
            )
            .values(status=_MOVES.c.status),
            execution_options=unsynchronised,
        )
        session.execute(
            update(FindingRow)
            .where(FindingRow.resolution_id == _MOVES.c.old_id)
            .values(resolution_id=_MOVES.c.new_id),
            execution_options=unsynchronised,
        )
    finally:
        _MOVES.drop(connection)
    return {old: moved.get(old, 0) for old, _new, _status in moves}


REMATCH_COLUMNS = (
    "query",
    "old_resolution_id",
    "new_resolution_id",
    "old_status",
    "new_status",
    "findings",
    "old_versions",
    "new_versions",
)
"""The columns of a re-judgement's record, in the order :func:`record_rematches` takes them."""


def record_rematches(session: Session, records: list[tuple]) -> None:
    """Record re-judgements, tuples in REMATCH_COLUMNS order, all at this moment (one bulk
    insert: a re-judgement after an upgrade records one per stored verdict)."""
    if records:
        now = datetime.now(UTC)
        rows = [(now, *record) for record in records]
        bulk_insert(session, RematchRow.__table__, ("at", *REMATCH_COLUMNS), rows)
