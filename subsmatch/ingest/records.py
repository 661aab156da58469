"""The normalised records every reader yields: plain frozen data, no database, no chemistry.

A reader turns one report file into a stream of three kinds of record:

- :class:`Analysis`: one thing that was analysed (a GC-MS peak, a handheld scan, a LIMS item),
  with where and how; yielded before any of its findings.
- :class:`Finding`: one reported substance (or an explicit "nothing found") belonging to an
  analysis by :attr:`Finding.analysis_id`.
- :class:`Rejection`: an input row or line that could not be read, with an actionable reason.

Every input data row becomes exactly one :class:`Finding` or one :class:`Rejection`. The three
records and their scores are named tuples, immutable like the frozen dataclasses of their other
parts, and three times quicker to build: an ingest builds two per row.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from enum import StrEnum
from typing import NamedTuple

from subsmatch.vocabulary import Context


class SourceVerdict(StrEnum):
    """What the source itself concluded about the analysed item."""

    POSITIVE = "positive"
    MIXTURE = "mixture"
    NEGATIVE = "negative"
    INCONCLUSIVE = "inconclusive"
    ERROR = "error"
    NOT_REPORTED = "not_reported"


NO_SUBSTANCE_VERDICTS = frozenset(
    {SourceVerdict.NEGATIVE, SourceVerdict.INCONCLUSIVE, SourceVerdict.ERROR}
)
"""Verdicts that say nothing was found: under them a row naming no substance is a no-hit row."""


def nameless_fault(cas_written_wrong: bool, verdict: SourceVerdict) -> str | None:
    """Why a finding with neither a name nor a valid CAS number is rejected, or None when it is
    a no-hit row: "cas" when a CAS number was written but is not one (something was meant),
    "empty" when its analysis's verdict says something was found.

    >>> nameless_fault(False, SourceVerdict.NEGATIVE), nameless_fault(False, SourceVerdict.POSITIVE)
    (None, 'empty')
    >>> nameless_fault(True, SourceVerdict.NEGATIVE)
    'cas'
    """
    if cas_written_wrong:
        return "cas"
    return None if verdict in NO_SUBSTANCE_VERDICTS else "empty"


class Role(StrEnum):
    """What a finding is within its analysis.

    ``NO_HIT`` marks a row that reports an analysis with no substance (a "No match" scan): it
    keeps the row accounted for; its :attr:`Finding.name` is None.
    """

    HIT_CANDIDATE = "hit_candidate"
    IDENTIFIED = "identified"
    MIXTURE_COMPONENT = "mixture_component"
    NO_HIT = "no_hit"


Extras = tuple[tuple[str, str], ...]
"""Source fields kept as printed that the schema has no slot for (RT, Area%, purity ...)."""


class Locator(NamedTuple):
    """Where in the source a record came from (1-based numbers); a named tuple like the records
    (one is made per row).

    >>> str(Locator("LIBRPT.TXT", line=31, page=2))
    'LIBRPT.TXT page 2 line 31'
    >>> str(Locator("scan.xlsx", sheet="Results", row=4, column="HQI"))
    "scan.xlsx sheet 'Results' row 4 column 'HQI'"
    """

    file: str
    line: int | None = None
    row: int | None = None
    page: int | None = None
    sheet: str | None = None
    column: str | None = None

    def __str__(self) -> str:  # called twice per ingested row: kept lean
        text = self.file
        if self.sheet is not None:
            text += f" sheet {self.sheet!r}"
        if self.page is not None:
            text += f" page {self.page}"
        if self.row is not None:
            text += f" row {self.row}"
        if self.line is not None:
            text += f" line {self.line}"
        if self.column is not None:
            text += f" column {self.column!r}"
        return text

    def at_column(self, column: str | None) -> Locator:
        """The same place, narrowed to one column."""
        return self._replace(column=column)


@dataclass(frozen=True, slots=True)
class Provenance:
    """Which file (by name and content hash) and which reader produced a record."""

    source_file: str
    sha256: str
    reader: str
    reader_version: str


@dataclass(frozen=True, slots=True)
class Instrument:
    vendor: str | None = None
    model: str | None = None
    serial: str | None = None


class Score(NamedTuple):
    """One score as the source printed it; a named tuple (hashed in C: a file's scores are
    cached by value when they are stored).

    Scores of different algorithms (NIST MF, ChemStation Qual, HQI, correlation) are never
    compared with each other: ``name`` and ``scale`` say which one this is.
    """

    name: str
    value: float
    scale: str
    higher_is_better: bool = True


class Analysis(NamedTuple):
    """One analysed thing (peak, spectrum, scan, LIMS item) and its circumstances.

    ``id`` is unique within one read of one file; findings refer to it. ``label`` is the
    analysis's own name in the source (NIST "Unknown:" name, peak number, scan id).
    ``measured_at`` is timezone-aware or None; ``measured_at_raw`` keeps the text as printed.
    """

    id: str
    provenance: Provenance
    locator: Locator
    case_id: str | None = None
    item_id: str | None = None
    label: str | None = None
    context: Context | None = None
    technique: str | None = None
    instrument: Instrument = Instrument()
    library: str | None = None
    library_version: str | None = None
    operator: str | None = None
    measured_at: datetime | None = None
    measured_at_raw: str | None = None
    location: str | None = None
    country: str | None = None
    verdict: SourceVerdict = SourceVerdict.NOT_REPORTED
    verdict_raw: str | None = None
    extras: Extras = ()


INSTRUMENT_FIELDS = tuple(f.name for f in fields(Instrument))
"""What identifies a device: vendor, model, serial."""
ANALYSIS_FIELDS: tuple[str, ...] = tuple(
    name
    for field in Analysis._fields
    if field not in ("id", "provenance", "locator", "extras")
    for name in (INSTRUMENT_FIELDS if field == "instrument" else (field,))
)
"""An analysis's own values, flat (its instrument as vendor, model, serial), in order: the one
list the ``analyses`` table, the profiles' columns and defaults and the tabular reader derive
theirs from. A field ending in ``_raw`` keeps, as printed, the text the field before it was
read from.

>>> ANALYSIS_FIELDS[:6]
('case_id', 'item_id', 'label', 'context', 'technique', 'vendor')
>>> ANALYSIS_FIELDS[-3:]
('country', 'verdict', 'verdict_raw')
"""


class Finding(NamedTuple):
    """One substance reported for an analysis, as printed.

    ``cas`` is the checked, unpadded CAS number (None when absent or invalid); ``cas_raw`` is
    the text as printed. ``asserted_identified`` is True only when the source itself claims
    identity (a LIMS "identified" substance, a device verdict "Match" on its top hit).
    """

    analysis_id: str
    locator: Locator
    role: Role
    name: str | None
    rank: int | None = None
    cas: str | None = None
    cas_raw: str | None = None
    formula: str | None = None
    scores: tuple[Score, ...] = ()
    asserted_identified: bool = False
    extras: Extras = ()


class Rejection(NamedTuple):
    """An input row or line that became no finding: what is wrong, how to fix it, the raw text."""

    locator: Locator
    reason: str
    raw: str
    analysis_id: str | None = None


Record = Analysis | Finding | Rejection
