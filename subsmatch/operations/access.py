"""Who may use the service: tokens with roles, authentication, the audit trail.

Roles and what they may do: customs checks substances and uploads field-screening results;
lab checks and uploads lab reports too; analyst checks and reads everything; admin reads
everything and manages tokens. Tokens are stored hashed; the plain text is shown once.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Engine

from subsmatch.operations.window import midnight
from subsmatch.store.access import (
    ROLES,
    AccessError,
    TokenInfo,
    authenticate,
    create_token,
    list_tokens,
    record_event,
    revoke_token,
)
from subsmatch.store.access import audit_events as stored_events

__all__ = [
    "ROLES",
    "AccessError",
    "TokenInfo",
    "audit_events",
    "authenticate",
    "create_token",
    "list_tokens",
    "record_event",
    "revoke_token",
]


def audit_events(
    engine: Engine,
    since: date | None = None,
    until: date | None = None,
    limit: int | None = None,
) -> list[dict]:
    """The audit trail of a window of days, newest first."""
    return stored_events(engine, since=midnight(since), until=midnight(until), limit=limit)
