"""Storage side of re-matching: stale resolutions, moving findings, the record of changes."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

from sqlalchemy import Row, or_, select, update
from sqlalchemy.orm import Session

from subsmatch.store.models import FindingRow, RematchRow, ResolutionRow


def stale_resolutions(session: Session, versions: Mapping[str, str]) -> list[Row]:
    """Resolutions that findings use and that other data, rules or tool versions made."""
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
                ResolutionRow.verdict,
            ).where(
                ResolutionRow.id.in_(used),
                or_(*(getattr(ResolutionRow, k) != v for k, v in versions.items())),
            )
        ).all()
    )


def move_findings(session: Session, old_id: int, new_id: int, new_status: str) -> int:
    """Point the findings of one resolution at another; returns how many moved."""
    return session.execute(
        update(FindingRow)
        .where(FindingRow.resolution_id == old_id)
        .values(resolution_id=new_id, status=new_status)
    ).rowcount


def record_rematch(session: Session, **values: object) -> None:
    session.add(RematchRow(at=datetime.now(UTC), **values))
