"""Record checks: what was asked, what was answered, with which versions."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError as DatabaseError

from subsmatch.store.checks import record_checks
from subsmatch.vocabulary import VerdictJSON

__all__ = ["DatabaseError", "record"]


def record(engine: Engine, rows: list[VerdictJSON]) -> None:
    """Store the checks in the database; raises DatabaseError when it cannot take them."""
    record_checks(engine, rows)
