"""The errors of reading a report: the whole file cannot be read, or its profile is wrong."""

from __future__ import annotations

from subsmatch.errors import UserError


class UnreadableReport(UserError):
    """A report file that cannot be read at all; the message names the file and the fix.

    Row-level problems never raise: they become :class:`~subsmatch.ingest.records.Rejection`.

    >>> str(UnreadableReport("x.csv", "the file is empty", "export the report again"))
    'cannot read x.csv: the file is empty (export the report again)'
    """

    def __init__(self, path: str, reason: str, hint: str = "") -> None:
        self.path = path
        super().__init__(f"cannot read {path}: {reason}", hint)


class ProfileError(UserError, ValueError):
    """A mapping profile that is not valid; the message names the profile file and the key."""
