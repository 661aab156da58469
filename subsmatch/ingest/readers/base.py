"""What every reader shares: read options, the per-read context and the Report it feeds."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, NamedTuple

from subsmatch.ingest.limits import (
    DEFAULT_LIMITS,
    Limits,
    analysis_within,
    finding_within,
    rejection_within,
)
from subsmatch.ingest.records import (
    Analysis,
    Finding,
    Locator,
    Provenance,
    Record,
    Rejection,
    Role,
)
from subsmatch.ingest.rows import FindingValues, finding_values
from subsmatch.ingest.textio import decoded_lines

if TYPE_CHECKING:
    from subsmatch.ingest.profile import Profile


@dataclass(frozen=True, slots=True)
class ReadOptions:
    """How to read a report; every field None means "detect".

    ``profile`` is a :class:`~subsmatch.ingest.profile.Profile`, a profile file path or the
    name of a shipped profile. ``timezone`` (IANA name) is given to timestamps printed
    without one when the profile declares none; with neither they stay raw only.
    """

    format: str | None = None
    profile: Profile | str | Path | None = None
    encoding: str | None = None
    sheet: str | None = None
    delimiter: str | None = None
    timezone: str | None = None
    limits: Limits = DEFAULT_LIMITS
    """The bounds of what one report may hold (see :mod:`subsmatch.ingest.limits`)."""


@dataclass(slots=True)
class ReadContext:
    """Mutable state of one read: source identity, options, notes and the row count."""

    source_name: str
    sha256: str
    options: ReadOptions
    format: str = ""
    notes: list[str] = field(default_factory=list)
    rows_read: int = 0
    profile_name: str | None = None
    analyses: int = 0

    @property
    def limits(self) -> Limits:
        return self.options.limits

    def provenance(self, reader: str, version: str) -> Provenance:
        return Provenance(self.source_name, self.sha256, reader, version)

    def locator(self, **where: int | str | None) -> Locator:
        return Locator(self.source_name, **where)  # type: ignore[arg-type]

    def plain_within(self, added: int) -> int:
        """The length up to which a line's text holds only a name and values within the
        limits, ``added`` characters the limits count besides (labels of extras, names and
        scales of scores): a reader making a finding's stored values from such a line, when
        it holds no NUL or lone surrogate, needs no record to check."""
        limits = self.limits
        return min(limits.max_name_length, limits.max_field_length - added)

    def next_analysis_id(self) -> str:
        """A new analysis id, unique within this read: A1, A2, ..."""
        self.analyses += 1
        return f"A{self.analyses}"

    def lines(
        self, stream: BinaryIO, fallback: str, *, expected_fallback: bool = False
    ) -> Iterator[str]:
        """The stream's text lines, decoded as the options say (see ``decoded_lines``)."""
        return decoded_lines(
            stream,
            encoding=self.options.encoding,
            fallback=fallback,
            notes=self.notes,
            expected_fallback=expected_fallback,
        )

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)


@dataclass(slots=True)
class ReadStats:
    """Row accounting of one read: ``rows_read == findings + rejections`` once it is done."""

    rows_read: int = 0
    analyses: int = 0
    findings: int = 0
    rejections: int = 0


class Chunk(NamedTuple):
    """Consecutive rows of one file, by kind, each kind in reading order; its findings as
    they are stored (:data:`~subsmatch.ingest.rows.FindingValues`)."""

    analyses: list[Analysis]
    findings: list[FindingValues]
    rejections: list[Rejection]


class Report:
    """An opened report: iterate it once for its records; stats and notes fill as it streams.

    Use it as a context manager (or call :meth:`close`) to release the file when not iterated
    to the end.
    """

    def __init__(
        self,
        *,
        path: str,
        format: str,
        reader: str,
        context: ReadContext,
        records: Iterator[Record],
        close: Callable[[], None],
        size: int = 0,
        position: Callable[[], int] | None = None,
        values: Callable[[], Iterator[Record | FindingValues]] | None = None,
    ) -> None:
        """``values``: the same records, where the reader can, with findings already as their
        stored values (a columnar reader's): what :meth:`chunks` reads."""
        self.path = path
        self.size = size  # bytes, 0 when unknown
        self._position = position
        self.format = format
        self.reader = reader
        self.context = context
        self.stats = ReadStats()
        self._records = records
        self._values = values
        self._close = close
        self._consumed = False
        self._read_all = False  # the records ran out (the file is closed then)

    @property
    def source_name(self) -> str:
        return self.context.source_name

    @property
    def sha256(self) -> str:
        return self.context.sha256

    @property
    def notes(self) -> list[str]:
        return self.context.notes

    @property
    def profile(self) -> str | None:
        return self.context.profile_name

    def fraction(self) -> float | None:
        """How much of the file was read so far, 0 to 1; None when that is not known."""
        if self._read_all:
            return 1.0
        if not self.size or self._position is None:
            return None
        return min(1.0, self._position() / self.size)

    def __iter__(self) -> Iterator[Record]:
        """The reader's records, counted, within the limits, every analysis with a row.

        An analysis the report gives no row for (a searched spectrum without hits, a peak
        without library matches) gets one no-hit finding: it was analysed and nothing was
        found, which is a result, and its row is counted like any other.
        """
        return self._accounted(self._records)  # type: ignore[return-value]

    def chunks(self, size: int) -> Iterator[Chunk]:
        """The records as :meth:`__iter__` gives them, in chunks of about ``size`` findings
        and rejections together, each finding as its stored values; a columnar reader's
        findings come so already (no record per row)."""
        chunk = Chunk([], [], [])
        analyses, findings, rejections = chunk
        rows = 0
        source = self._records if self._values is None else self._values()
        for item in self._accounted(source):
            kind = type(item)
            if kind is Analysis:
                analyses.append(item)
                continue
            if kind is tuple:
                findings.append(item)
            elif kind is Finding:
                findings.append(finding_values(item))
            else:
                rejections.append(item)
            rows += 1
            if rows >= size:
                yield chunk
                chunk, rows = Chunk([], [], []), 0
                analyses, findings, rejections = chunk
        if any(chunk):
            yield chunk

    def _accounted(
        self, records: Iterator[Record | FindingValues]
    ) -> Iterator[Record | FindingValues]:
        """The records (and findings given as stored values, within the limits already)
        counted, within the limits, every analysis with a row (see :meth:`__iter__`)."""
        if self._consumed:
            raise RuntimeError(f"{self.path} was already read; open it again")
        self._consumed = True
        stats, context = self.stats, self.context
        limits, note = context.limits, context.note
        rowless: Analysis | None = None  # the last analysis, until a row of it comes
        try:
            for record in records:
                kind = type(record)
                if kind is tuple:  # a finding's stored values: its analysis is first
                    if rowless is not None and record[0] == rowless.id:
                        rowless = None
                    stats.findings += 1
                elif kind is Analysis:
                    if rowless is not None:
                        yield self._no_hit(rowless)
                    rowless = record = analysis_within(record, limits, note)
                    stats.analyses += 1
                else:
                    if rowless is not None and record.analysis_id == rowless.id:
                        rowless = None
                    if kind is Finding:
                        record = finding_within(record, limits)
                    else:
                        record = rejection_within(record, limits)
                    if type(record) is Finding:
                        stats.findings += 1
                    else:
                        stats.rejections += 1
                stats.rows_read = context.rows_read
                yield record
            self._read_all = True  # the reader may have closed the file
            if rowless is not None:
                yield self._no_hit(rowless)
            stats.rows_read = context.rows_read
        finally:
            self.close()

    def _no_hit(self, analysis: Analysis) -> Finding:
        self.context.rows_read += 1
        self.stats.findings += 1
        self.stats.rows_read = self.context.rows_read
        return Finding(analysis.id, analysis.locator, Role.NO_HIT, None)

    def close(self) -> None:
        self._close()

    def __enter__(self) -> Report:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
