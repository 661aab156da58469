"""Recording checks: one transaction per command."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from sqlalchemy import Engine, insert
from sqlalchemy.orm import Session

from subsmatch.store.engine import writer
from subsmatch.store.models import CheckRecord


def record_checks(engine: Engine, rows: Iterable[dict]) -> int:
    """Store check results (dicts of the JSON contract); returns how many were stored."""
    now = datetime.now(UTC)
    records = [
        {
            "checked_at": now,
            "query": row["query"],
            "status": row["status"],
            "substance_id": (row["resolved"] or {}).get("substance_id"),
            "via": (row["resolved"] or {}).get("via"),
            "confidence": (row["resolved"] or {}).get("confidence") or 0.0,
            "as_of": row["as_of"],
            "data_version": row["data_version"],
            "tool_version": row["tool_version"],
        }
        for row in rows
    ]
    if records:  # one bulk insert, no ORM objects (the service writes hundreds at a time)
        with Session(writer(engine)) as session, session.begin():
            session.execute(insert(CheckRecord), records)
    return len(records)
