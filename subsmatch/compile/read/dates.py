"""Dates as the sources write them, read into ISO dates.

Sources write day-month-year with dashes or slashes, several dates in one cell
("13/06/2010 + 25/11/2015": a first listing and a later change), ISO dates followed by a
comment ("2005-08-18 (application)"), year-months ("2017-02") and English prose dates
("controlled ... since March 7, 2014").

>>> dmy("6-9-2017"), dmy("08/02/2023"), dmy("isomeer van")
('2017-09-06', '2023-02-08', None)
>>> all_dmy("25/11/2015 + 8/02/2023+24/04/2024")
['2015-11-25', '2023-02-08', '2024-04-24']
>>> all_dmy("22/10/2006 + 18/10/2004")
['2004-10-18', '2006-10-22']
>>> leading_iso("2005-08-18 (application)"), leading_iso("2017-02"), leading_iso("")
('2005-08-18', None, None)
>>> year_month("2017-02"), year_month("2024")
(('2017-02-01', 'month'), ('2024-01-01', 'year'))
>>> english_dates("controlled in the United States since March 7, 2014, as a positional isomer")
['2014-03-07']
"""

from __future__ import annotations

import re
from datetime import date

_DMY = re.compile(r"(?<!\d)(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})(?!\d)")
_ISO = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})\b")
_YEAR_MONTH = re.compile(r"^\s*(\d{4})(?:-(\d{2}))?(?![-\d])")
_MONTHS = {
    m: i + 1
    for i, m in enumerate(
        (
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        )
    )
}
_ENGLISH = re.compile(
    r"\b(" + "|".join(name.capitalize() for name in _MONTHS) + r")\s+(\d{1,2}),\s+(\d{4})\b"
)


def _iso(year: int, month: int, day: int) -> str | None:
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


def dmy(text: str) -> str | None:
    """A cell holding one day-month-year date (dashes, slashes or dots), else None."""
    match = _DMY.fullmatch(text.strip())
    return _iso(int(match[3]), int(match[2]), int(match[1])) if match else None


def all_dmy(text: str) -> list[str]:
    """Every day-month-year date in a cell, oldest first (duplicates once)."""
    found = (_iso(int(m[3]), int(m[2]), int(m[1])) for m in _DMY.finditer(text))
    return sorted({d for d in found if d})


def leading_iso(text: str) -> str | None:
    """The ISO date a cell starts with ("2020-12-13 (certain points apply ...)"), else None."""
    match = _ISO.match(text)
    return _iso(int(match[1]), int(match[2]), int(match[3])) if match else None


def first_iso(text: str) -> str | None:
    """The first ISO date anywhere in a cell ("announced 2025-06-19 (...)"), else None.

    >>> first_iso("announced 2025-06-19 (press)"), first_iso("2017-02")
    ('2025-06-19', None)
    """
    match = re.search(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)", text)
    return _iso(int(match[1]), int(match[2]), int(match[3])) if match else None


def year_month(text: str) -> tuple[str, str] | None:
    """A cell starting with a year or a year-month: (first day, precision), else None."""
    match = _YEAR_MONTH.match(text)
    if not match:
        return None
    if match[2]:
        return f"{match[1]}-{match[2]}-01", "month"
    return f"{match[1]}-01-01", "year"


def english_dates(text: str) -> list[str]:
    """Dates written "March 7, 2014" in English prose, in order of appearance."""
    found = (_iso(int(m[3]), _MONTHS[m[1].lower()], int(m[2])) for m in _ENGLISH.finditer(text))
    return [d for d in found if d]


def end_of_year(year: int | str) -> str:
    """The last day of a year: the earliest date a "listed in <year>" statement guarantees."""
    return f"{int(year):04d}-12-31"


def between(earliest: str | None, latest: str) -> tuple[str, str]:
    """A change known to have taken effect between two days (an act's date and the first
    consolidated version that shows it), as a date and its precision: the month or year that
    holds both, else the latest day alone (a bound, not the day).

    >>> between("2003-08-12", "2003-08-26"), between("2003-02-12", "2003-08-26")
    (('2003-08-01', 'month'), ('2003-01-01', 'year'))
    >>> between(None, "2003-08-26"), between("2001-12-01", "2003-08-26")
    (('2003-08-26', 'day'), ('2003-08-26', 'day'))
    """
    if not earliest or earliest == latest:
        return latest, "day"
    if earliest[:7] == latest[:7]:
        return f"{latest[:7]}-01", "month"
    if earliest[:4] == latest[:4]:
        return f"{latest[:4]}-01-01", "year"
    return latest, "day"
