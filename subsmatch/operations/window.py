"""The one window rule: days given by a user run from 00:00 UTC.

A window of days runs from ``since`` at 00:00 UTC to before ``until`` at 00:00 UTC. Stored
times are UTC, and a naive time is read as UTC.

>>> midnight(date(2024, 3, 1)), midnight(None)
(datetime.datetime(2024, 3, 1, 0, 0), None)
"""

from __future__ import annotations

from datetime import date, datetime


def midnight(day: date | None) -> datetime | None:
    """The start of a day, 00:00 UTC."""
    return datetime.combine(day, datetime.min.time()) if day else None
