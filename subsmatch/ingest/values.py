"""Small pure parsers for values as instruments print them (CAS numbers, scores, timestamps)."""

from __future__ import annotations

import re
from datetime import datetime
from functools import lru_cache
from math import isfinite
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

_CAS = re.compile(r"^\s*(\d+)-(\d{2})-(\d)\s*$")
_SCALE = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*-\s*(-?\d+(?:\.\d+)?)\s*$")
_SPACES = re.compile(r"\s+")


def clean(text: object) -> str | None:
    """Stripped text, or None when empty.

    >>> clean("  MDMA "), clean("   "), clean(None)
    ('MDMA', None, None)
    """
    if text is None:
        return None
    stripped = str(text).strip()
    return stripped or None


def collapse(text: str) -> str:
    """Case-folded text with runs of whitespace made one space (for vocabulary lookups).

    >>> collapse("  No   Match ")
    'no match'
    """
    return _SPACES.sub(" ", text).strip().casefold()


@lru_cache(maxsize=65536)  # reports repeat their CAS numbers row after row
def normalise_cas(text: str | None) -> str | None:
    """A CAS registry number without zero padding, or None when absent or its check digit fails.

    ChemStation pads to six digits, NIST prints 0-00-0 for "no CAS".

    >>> normalise_cas("000058-08-2"), normalise_cas("58-08-2"), normalise_cas("000000-00-0")
    ('58-08-2', '58-08-2', None)
    >>> normalise_cas("58-08-3") is None  # wrong check digit: a typo is not guessed
    True
    """
    match = _CAS.match(text or "")
    if not match:
        return None
    head, middle, check = match.groups()
    head = head.lstrip("0")
    if not 2 <= len(head) <= 7:
        return None
    digits = (head + middle)[::-1]
    if sum(i * int(d) for i, d in enumerate(digits, start=1)) % 10 != int(check):
        return None
    return f"{head}-{middle}-{check}"


def cas_check_fails(text: str | None) -> bool:
    """True when ``text`` is written as a CAS number (not a zero placeholder) that is not one.

    >>> [cas_check_fails(t) for t in ("50-36-3", "50-36-2", "n/a", "000000-00-0", None)]
    [True, False, False, False, False]
    """
    match = _CAS.match(text or "")
    return bool(match and match[1].lstrip("0")) and normalise_cas(text) is None


def parse_number(text: str) -> float:
    """A number as printed, accepting a decimal comma and a trailing per cent sign.

    >>> parse_number("0,93"), parse_number("87.5 %"), parse_number("1,234.5")
    (0.93, 87.5, 1234.5)
    >>> parse_number("1e999")  # no report measures an infinity: a value that is not a number
    Traceback (most recent call last):
    ValueError: not a finite number: '1e999'
    """
    value = text.strip().removesuffix("%").strip()
    if "," in value:
        value = value.replace(",", "") if "." in value else value.replace(",", ".")
    number = float(value)
    if not isfinite(number):
        raise ValueError(f"not a finite number: {text!r}")
    return number


def parse_scale(scale: str) -> tuple[float, float]:
    """The bounds of a score scale written as ``low-high``, low below high.

    Raises ValueError naming the fault. A descending scale ("100-0") is refused rather than read
    as "lower is better": that is said by ``higher_is_better = false`` on a ``low-high`` scale.

    >>> parse_scale("0-999"), parse_scale("0-1")
    ((0.0, 999.0), (0.0, 1.0))
    >>> parse_scale("100-0")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ValueError: score scale '100-0': LOW must be below HIGH (for a score where lower is better ...
    """
    match = _SCALE.match(scale) if isinstance(scale, str) else None
    if not match:
        raise ValueError(f"score scale {scale!r} is not of the form LOW-HIGH, e.g. '0-100'")
    low, high = float(match[1]), float(match[2])
    if not (isfinite(low) and isfinite(high)):
        raise ValueError(f"score scale {scale!r}: the bounds are too large")
    if not low < high:
        raise ValueError(
            f"score scale {scale!r}: LOW must be below HIGH (for a score where lower is better "
            "write '0-100' and set higher_is_better to false)"
        )
    return low, high


_MIDNIGHT = re.compile(r"^(\d{4}-\d{2}-\d{2})[T ]00:00(?::00(?:\.0+)?)?$")
_DAY_ZERO = re.compile(
    r"^(?:1899-12-3[01]|1900-01-0[01]|1904-01-01)[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)$"
)


def day_and_time(day: str, hour: str) -> str:
    """The text of a timestamp printed as a date and a time apart (two columns, two cells).

    A spreadsheet's date cell may come as the date at midnight, and its time cell as the
    time on the day its dates count from: each gives only its own part.

    >>> day_and_time("2024-06-01T00:00:00", "09:30:00")
    '2024-06-01 09:30:00'
    >>> day_and_time("2024-06-01", "1899-12-30T09:30:00"), day_and_time("14.03.2024", "10:22")
    ('2024-06-01 09:30:00', '14.03.2024 10:22')
    >>> day_and_time("2024-06-01T00:00:00", "")
    '2024-06-01T00:00:00'
    """
    if not hour:
        return day.strip()
    if date_only := _MIDNIGHT.match(day.strip()):
        day = date_only[1]
    if time_only := _DAY_ZERO.match(hour.strip()):
        hour = time_only[1]
    return f"{day} {hour}".strip()


def zone(name: str) -> ZoneInfo:
    """An IANA time zone, with an error that says what a valid name looks like."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:  # OSError: a folder (Europe)
        raise ValueError(
            f"unknown time zone {name!r} (use an IANA name, e.g. 'Europe/Brussels')"
        ) from exc


def parse_timestamp(text: str, formats: tuple[str, ...] = (), tz: str | None = None) -> datetime:
    """A timestamp: ISO 8601 first, then each strptime format; naive results get ``tz``.

    Raises ValueError when nothing fits. The result is naive only when neither the text nor
    ``tz`` gives a zone.

    >>> parse_timestamp("2024-03-14T10:22:31+01:00").isoformat()
    '2024-03-14T10:22:31+01:00'
    >>> us = ("%m/%d/%Y %I:%M %p",)
    >>> parse_timestamp("03/14/2024 10:22 AM", us, "Europe/Brussels").isoformat()
    '2024-03-14T10:22:00+01:00'
    """
    collapsed = _SPACES.sub(" ", text.strip())
    parsed: datetime | None = None
    try:
        parsed = datetime.fromisoformat(collapsed)
    except ValueError:
        for fmt in formats:
            try:
                parsed = datetime.strptime(collapsed, fmt)
                break
            except ValueError:
                continue
    if parsed is None:
        expected = ", ".join(repr(f) for f in formats) or "none declared"
        raise ValueError(f"timestamp {text!r} is neither ISO 8601 nor of the formats {expected}")
    if parsed.tzinfo is None and tz:
        parsed = parsed.replace(tzinfo=zone(tz))
    return parsed
