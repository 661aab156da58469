"""Bounds on what one report may hold, and the values a database can store.

A report is data from outside: a 40 MB "name", a workbook whose few kilobytes inflate to
gigabytes, JSON nested a million deep, a NUL that PostgreSQL text cannot hold. :class:`Limits`
holds the bounds, one settings object for the whole ingest layer (the project's user settings
module does not exist yet; these are its defaults). A value over a bound never stops the file:

- a finding whose name is too long, or whose text holds a NUL or a lone surrogate, becomes a
  rejection that names the limit or the character;
- an analysis's own values (case, item, device, place ...) over the bound are cut, and NULs and
  lone surrogates in them replaced, with a note saying so: its findings still count;
- the raw text and the reason of a rejection are cut and made storable the same way, and the
  reason says what was replaced.

Bounds on a file's structure (cells of a sheet, a workbook's inflated size and parts, JSON
depth) are applied by the readers and name the same settings.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain
from operator import attrgetter

from subsmatch.ingest.records import (
    INSTRUMENT_FIELDS,
    Analysis,
    Finding,
    Instrument,
    Rejection,
    Score,
)

NUL_SHOWN_AS = "\u2400"
"""NUL (U+0000) is stored as SYMBOL FOR NUL: PostgreSQL text cannot hold NUL."""
SURROGATE_SHOWN_AS = "\ufffd"
"""A lone surrogate (no character: JSON's "\\ud800", a file name's undecodable byte) is
stored as the replacement character."""


@dataclass(frozen=True, slots=True)
class Limits:
    """The bounds of one ingest; each refusal names the field it hits (``max_name_length``).

    ``max_name_length``: characters of a substance name (systematic names of real reports stay
    under 300); ``max_field_length``: characters of any other value kept from a report (a cell,
    a JSON string, a line's raw text); ``max_sheet_cells``: cells read from one sheet (a
    workbook's rows as they are stored, never padded to the sheet's declared dimension: 200,000
    hits of 25 columns; the inflated-size bound keeps its shared strings within memory);
    ``max_xlsx_inflated_bytes`` and ``max_xlsx_entries``: the size of a workbook's parts once
    inflated, and how many parts it has; ``max_json_depth``: nesting of objects and arrays in
    one JSON value (an analysis, its findings, one finding, its scores, one score: 5 deep).
    """

    max_name_length: int = 1_000
    max_field_length: int = 10_000
    max_sheet_cells: int = 5_000_000
    max_xlsx_inflated_bytes: int = 400 * 2**20
    max_xlsx_entries: int = 1_000
    max_json_depth: int = 32


DEFAULT_LIMITS = Limits()


def over(what: str, size: int, limit: int, setting: str, unit: str = "characters") -> str:
    """A refusal that names the limit.

    >>> over("the name", 40_000_000, 1_000, "max_name_length")
    'the name is 40,000,000 characters long, over the limit of 1,000 (setting max_name_length)'
    """
    return f"{what} is {size:,} {unit} long, over the limit of {limit:,} (setting {setting})"


def unstorable(text: str) -> str | None:
    """What in ``text`` is not text a database can store: a NUL or a lone surrogate; else None.

    >>> unstorable("MDMA"), unstorable("MD\\x00MA"), unstorable("caf\\udce9"), unstorable("α-PVP")
    (None, 'a NUL character (U+0000)', 'a lone surrogate (U+DCE9)', None)
    """
    if "\x00" in text:
        return "a NUL character (U+0000)"
    if text.isascii():
        return None
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        return f"a lone surrogate (U+{ord(text[error.start]):04X})"
    return None


def storable(text: str) -> str:
    """``text`` with NULs and lone surrogates replaced by what shows them (see above).

    >>> storable("MD\\x00MA"), storable("caf\\udce9")
    ('MD␀MA', 'caf�')
    """
    if unstorable(text) is None:
        return text
    return _SURROGATE.sub(SURROGATE_SHOWN_AS, text.replace("\x00", NUL_SHOWN_AS))


_SURROGATE = re.compile("[\ud800-\udfff]")


def cut(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, saying how long it was.

    >>> cut("abcdef", 3)
    'abc… (cut: 6 characters)'
    """
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… (cut: {len(text):,} characters)"


def finding_within(finding: Finding, limits: Limits) -> Finding | Rejection:
    """The finding, or its rejection when a value of it is too long or is not storable text.

    >>> from subsmatch.ingest.records import Locator, Role
    >>> at = Locator("x.csv", line=2)
    >>> long = Finding("A1", at, Role.HIT_CANDIDATE, "M" * 1001)
    >>> finding_within(long, Limits()).reason  # doctest: +ELLIPSIS
    'the substance name is 1,001 characters long, over the limit of 1,000 (setting max_name...'
    """
    name = finding.name or ""
    if len(name) > limits.max_name_length:
        reason = over("the substance name", len(name), limits.max_name_length, "max_name_length")
        return _rejected(finding, reason, name, limits)
    every = "".join(
        (
            name,
            finding.cas_raw or "",
            finding.formula or "",
            *chain.from_iterable(finding.extras),
            *map(_score_text, finding.scores),
        )
    )
    if len(every) <= limits.max_field_length and unstorable(every) is None:
        return finding  # all within together, so each is: the usual case, checked once
    for label, text in _finding_texts(finding):
        if len(text) > limits.max_field_length:
            reason = over(label, len(text), limits.max_field_length, "max_field_length")
            return _rejected(finding, reason, text, limits)
        if fault := unstorable(text):
            return _rejected(finding, f"{label} holds {fault}, which is not text", text, limits)
    return finding


@lru_cache(maxsize=4096)  # readers share their Score objects
def _score_text(score: Score) -> str:
    """The texts a score holds, as one (its value is a number)."""
    return f"{score.name}{score.scale}"


def _finding_texts(finding: Finding) -> list[tuple[str, str]]:
    texts = [("the substance name", finding.name or ""), ("the CAS number", finding.cas_raw or "")]
    texts.append(("the formula", finding.formula or ""))
    texts += [(f"the value of {key!r}", f"{key}{value}") for key, value in finding.extras]
    texts += [(f"the score {s.name!r}", _score_text(s)) for s in finding.scores]
    return texts


def _rejected(finding: Finding, reason: str, raw: str, limits: Limits) -> Rejection:
    return rejection_within(
        Rejection(finding.locator, f"{reason}; fix the export", raw, finding.analysis_id), limits
    )


def rejection_within(rejection: Rejection, limits: Limits) -> Rejection:
    r"""The rejection with its reason and raw text cut and made storable, saying what was.

    >>> from subsmatch.ingest.records import Locator
    >>> r = rejection_within(Rejection(Locator("x"), "bad row", "a\x00b"), Limits())
    >>> r.raw, r.reason
    ('a␀b', 'bad row (in the raw text, U+0000 is shown as ␀)')
    """
    reason, raw = rejection.reason, rejection.raw
    limit = limits.max_field_length
    if len(reason) <= limit and len(raw) <= limit and not unstorable(reason + raw):
        return rejection
    if "\x00" in raw:
        reason += f" (in the raw text, U+0000 is shown as {NUL_SHOWN_AS})"
    return rejection._replace(reason=storable(cut(reason, limit)), raw=storable(cut(raw, limit)))


_ANALYSIS_TEXTS = tuple(
    f
    for f in Analysis._fields
    if f not in ("id", "provenance", "locator", "context")
    and f not in ("instrument", "measured_at", "verdict", "extras")
)
"""The analysis fields that hold text as the report printed it."""
_analysis_texts = attrgetter(*_ANALYSIS_TEXTS)
_instrument_texts = attrgetter(*INSTRUMENT_FIELDS)


def analysis_within(analysis: Analysis, limits: Limits, note: Callable[[str], None]) -> Analysis:
    """The analysis with values over ``max_field_length`` cut and NULs and lone surrogates
    replaced; ``note`` is told what was changed. Its findings still belong to it."""
    device = _instrument_texts(analysis.instrument)
    every = "".join(
        (
            *filter(None, _analysis_texts(analysis)),  # texts, the absent ones None
            *filter(None, device),
            *chain.from_iterable(analysis.extras),
        )
    )
    limit = limits.max_field_length
    if len(every) <= limit and unstorable(every) is None:
        return analysis  # all within together, so each is

    def fixed(text: str | None) -> str | None:
        if text and len(text) > limit:
            note(
                f"a value of an analysis was cut to {limit:,} characters (setting "
                "max_field_length); its findings are kept"
            )
            text = cut(text, limit)
        if text and (fault := unstorable(text)):
            note(
                f"a value of an analysis held {fault}, which is not text: NUL is stored as "
                f"{NUL_SHOWN_AS}, a lone surrogate as {SURROGATE_SHOWN_AS}"
            )
            text = storable(text)
        return text

    return analysis._replace(
        **{f: fixed(getattr(analysis, f)) for f in _ANALYSIS_TEXTS},
        instrument=Instrument(*map(fixed, device)),
        extras=tuple((fixed(k), fixed(v)) for k, v in analysis.extras),
    )
