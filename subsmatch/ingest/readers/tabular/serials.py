"""Spreadsheet date serial numbers: which number formats show a date or a time, and the value.

A workbook stores a date as a number of days since its epoch (1899-12-30, or 1904-01-01 for
workbooks from old Macs) and says by the cell's number format that it is one. Kept here rather
than taken from openpyxl, whose import costs a second of every ingest's start-up (it loads numpy)
for four small functions.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

EPOCH_1900 = datetime(1899, 12, 30)
"""Day 0 of a workbook's dates (Excel's 1900 system, counted with its 29 February 1900)."""
EPOCH_1904 = datetime(1904, 1, 1)
"""Day 0 of a workbook whose ``date1904`` is set."""

BUILTIN_DATE_FORMATS = {
    14: "mm-dd-yy",
    15: "d-mmm-yy",
    16: "d-mmm",
    17: "mmm-yy",
    18: "h:mm AM/PM",
    19: "h:mm:ss AM/PM",
    20: "h:mm",
    21: "h:mm:ss",
    22: "m/d/yy h:mm",
    45: "mm:ss",
    46: "[h]:mm:ss",
    47: "mmss.0",
}
"""The built-in number formats (by id) that show a date, a time or a duration."""

_LITERALS = re.compile(r'".*?"|\[(?!hh?\]|mm?\]|ss?\])[^\]]*\]')
_ELAPSED = re.compile(r"\[hh?\](:mm(:ss(\.0*)?)?)?|\[mm?\](:ss(\.0*)?)?|\[ss?\](\.0*)?")
_DATE_PART = re.compile(r"(?<![_\\])[dmhysDMHYS]")


def date_kind(code: str | None) -> str | None:
    """What a number format shows: "date", "time", "datetime", "timedelta", or None.

    >>> [date_kind(c) for c in ("0.00", "yyyy-mm-dd", "hh:mm", "dd/mm/yyyy hh:mm", "[h]:mm")]
    [None, 'date', 'time', 'datetime', 'timedelta']
    >>> date_kind('"day "0')  # a letter in quotes is text, not a date part
    """
    if not code:
        return None
    first = code.split(";")[0]
    if _ELAPSED.search(first):
        return "timedelta"
    if not _DATE_PART.search(_LITERALS.sub("", first)):
        return None
    has_date = "d" in first or "y" in first
    has_time = "h" in first or "s" in first
    return "datetime" if has_date and has_time else "date" if has_date else "time"


def serial_text(number: float, kind: str, epoch: datetime) -> str | None:
    """A serial number as ISO 8601 text of its kind; None when out of range.

    >>> serial_text(45444, "date", EPOCH_1900), serial_text(9.5 / 24, "time", EPOCH_1900)
    ('2024-06-01', '09:30:00')
    >>> serial_text(45444.3958333333, "datetime", EPOCH_1900)
    '2024-06-01T09:30:00'
    >>> serial_text(1.5, "timedelta", EPOCH_1900)
    '1 day, 12:00:00'
    >>> serial_text(1e20, "date", EPOCH_1900)
    """
    try:
        if kind == "timedelta":
            return str(timedelta(milliseconds=round(number * 86_400_000)))
        day, fraction = divmod(number, 1)
        part = timedelta(milliseconds=round(fraction * 86_400_000))
        if 0 <= number < 1 and part.days == 0:
            return (datetime.min + part).time().isoformat()
        if 0 < number < 60 and epoch == EPOCH_1900:
            day += 1  # before Excel's 29 February 1900, which never was
        value = epoch + timedelta(days=day) + part
    except (OverflowError, ValueError):
        return None
    return value.date().isoformat() if kind == "date" else value.isoformat()
