"""Who may use the service: tokens with roles and an optional expiry, page sessions, the audit
trail.

Roles and what they may do: customs checks substances and uploads field-screening results;
lab checks and uploads lab reports too; analyst checks and reads everything; admin reads
everything and manages tokens. Tokens and session ids are stored hashed; their plain text is
shown once.

>>> expiry("2027-01-31", now=datetime(2026, 12, 1, 9, tzinfo=UTC)).isoformat()
'2027-01-31T00:00:00+00:00'
>>> expiry("90d", now=datetime(2026, 12, 1, 9, tzinfo=UTC)).isoformat()
'2027-03-01T09:00:00+00:00'
>>> expiry("12h", now=datetime(2026, 12, 1, 9, tzinfo=UTC)).isoformat()
'2026-12-01T21:00:00+00:00'
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Engine

from subsmatch.errors import InvalidRequest
from subsmatch.operations.window import midnight
from subsmatch.store.access import (
    ROLES,
    AccessError,
    Event,
    TokenCache,
    TokenInfo,
    authenticate,
    create_token,
    end_session,
    list_tokens,
    record_event,
    record_events,
    revoke_token,
    session_holder,
    start_session,
)
from subsmatch.store.access import audit_events as stored_events

__all__ = [
    "ROLES",
    "AccessError",
    "Event",
    "TokenCache",
    "TokenInfo",
    "audit_events",
    "authenticate",
    "create_token",
    "end_session",
    "expiry",
    "list_tokens",
    "record_event",
    "record_events",
    "revoke_token",
    "session_holder",
    "start_session",
]

_DURATION = re.compile(r"(\d{1,5})\s*([dh])")
_UNITS = {"d": "days", "h": "hours"}


def expiry(text: str, now: datetime | None = None) -> datetime:
    """When a token given ``--expires``-style text stops working: a day (YYYY-MM-DD, at its
    00:00 UTC, as every "until" day) or a duration from now (``90d``, ``12h``); raises
    :class:`InvalidRequest`."""
    now = now or datetime.now(UTC)
    text = text.strip().lower()
    if match := _DURATION.fullmatch(text):
        return now + timedelta(**{_UNITS[match[2]]: int(match[1])})
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise InvalidRequest(
            f"{text!r} is neither a day (YYYY-MM-DD) nor a duration (such as 90d or 12h)",
            option="expires",
        ) from None
    return midnight(day).replace(tzinfo=UTC)


def audit_events(
    engine: Engine,
    since: date | None = None,
    until: date | None = None,
    limit: int | None = None,
) -> list[dict]:
    """The audit trail of a window of days, newest first."""
    return stored_events(engine, since=midnight(since), until=midnight(until), limit=limit)
