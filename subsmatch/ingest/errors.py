"""The one exception a reader raises: the whole file cannot be read."""

from __future__ import annotations


class UnreadableReport(Exception):
    """A report file that cannot be read at all; the message names the file and the fix.

    Row-level problems never raise: they become :class:`~subsmatch.ingest.records.Rejection`.

    >>> str(UnreadableReport("x.csv", "the file is empty", "export the report again"))
    'cannot read x.csv: the file is empty (export the report again)'
    """

    def __init__(self, path: str, reason: str, hint: str = "") -> None:
        self.path = path
        self.reason = reason
        self.hint = hint
        text = f"cannot read {path}: {reason}"
        super().__init__(f"{text} ({hint})" if hint else text)


class ProfileError(ValueError):
    """A mapping profile that is not valid; the message names the profile file and the key."""
