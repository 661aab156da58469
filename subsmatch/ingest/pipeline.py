"""read -> resolve -> match -> store, one transaction per file.

Records stream from the reader in chunks; each chunk's distinct names and CAS numbers are
resolved together (cached across chunks and files), judged once per distinct query, and
written with bulk inserts. A file is committed whole or not at all: a reader error or a killed
process leaves nothing of it. The same content again (same sha256) changes nothing, unless
forced, which stores it as a new version beside the old one.
"""

from __future__ import annotations

import gc
import json
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import BinaryIO, NamedTuple

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from subsmatch import __version__
from subsmatch.errors import UserError, Wording, word
from subsmatch.ingest.errors import UnreadableReport
from subsmatch.ingest.readers import ReadOptions, open_report
from subsmatch.ingest.records import Analysis, Finding, Provenance, Rejection, Role, Score
from subsmatch.matchers.checker import Checker
from subsmatch.matchers.verdict import listed_on
from subsmatch.store.engine import is_locked, writer
from subsmatch.store.ingests import FileWriter, latest_version, stored_counts
from subsmatch.store.models import AnalysisRow, FindingRow, RejectionRow
from subsmatch.substances.opsin import start_opsin
from subsmatch.vocabulary import FLAGGED, NO_HIT, IngestSummaryJSON, severity

FLAGGED_KEPT = 200  # flagged findings kept per file for the summary (all are counted)
REJECTIONS_SHOWN = 5  # rejections (where and why) in a file's summary; all are stored
LOCK_RETRIES = 8  # whole-file retries when the database stays locked (backoff up to 30 s)


class RefusedReport(UserError):
    """A readable report that the uploader may not store (its analyses' context)."""


@dataclass(frozen=True)
class FlaggedFinding:
    """A finding to show first: controlled, precursor or unresolved."""

    case_id: str | None
    item_id: str | None
    name: str | None  # as printed
    status: str
    resolved: str | None
    lists: tuple[str, ...]
    locator: str


@dataclass
class FileSummary:
    """What happened to one input file."""

    source: str
    status: str  # new | already_ingested | error | refused
    sha256: str | None = None
    version: int = 0
    format: str | None = None
    profile: str | None = None
    rows_read: int = 0
    analyses: int = 0
    findings: int = 0
    rejections: int = 0
    statuses: Counter = field(default_factory=Counter)
    flagged: list[FlaggedFinding] = field(default_factory=list)
    rejected: list[tuple[str, str]] = field(default_factory=list)  # the first few: where, why
    notes: list[str] = field(default_factory=list)
    error: str | None = None

    @property
    def flagged_count(self) -> int:
        return sum(self.statuses[s] for s in FLAGGED)

    def worded(self, wording: Wording) -> FileSummary:
        """The summary with the options its error, notes and rejections point to worded as a
        front end names them (they are kept unworded: see :mod:`subsmatch.errors`)."""
        return replace(
            self,
            error=word(self.error, wording) if self.error else None,
            notes=[word(note, wording) for note in self.notes],
            rejected=[(where, word(why, wording)) for where, why in self.rejected],
        )

    def to_dict(self) -> IngestSummaryJSON:
        data = asdict(self)
        data["statuses"] = dict(sorted(self.statuses.items()))
        data["flagged_count"] = self.flagged_count
        return data


ANALYSIS_COLUMNS = (
    "file_id",
    "analysis_key",
    "locator",
    "reader_version",
    "case_id",
    "item_id",
    "label",
    "context",
    "technique",
    "vendor",
    "model",
    "serial",
    "library",
    "library_version",
    "operator",
    "measured_at",
    "measured_at_raw",
    "location",
    "country",
    "verdict",
    "verdict_raw",
    "extras",
)


def analysis_row(analysis: Analysis, file_id: int) -> tuple:
    """The values of an ``analyses`` row, in ANALYSIS_COLUMNS order."""
    instrument = analysis.instrument
    return (
        file_id,
        analysis.id,
        str(analysis.locator),
        reader_version(analysis.provenance),
        analysis.case_id,
        analysis.item_id,
        analysis.label,
        analysis.context.value if analysis.context else None,
        analysis.technique,
        instrument.vendor,
        instrument.model,
        instrument.serial,
        analysis.library,
        analysis.library_version,
        analysis.operator,
        in_utc(analysis.measured_at),
        analysis.measured_at_raw,
        analysis.location,
        analysis.country,
        analysis.verdict.value,
        analysis.verdict_raw,
        as_json_object(analysis.extras),
    )


@lru_cache(maxsize=16)
def reader_version(provenance: Provenance) -> str:
    return f"{provenance.reader} {provenance.reader_version}"


def in_utc(moment: datetime | None) -> datetime | None:
    """Timestamps are stored in UTC (SQLite keeps no zone); the printed text is kept too."""
    return moment.astimezone(UTC) if moment else None


@lru_cache(maxsize=4096)  # exports repeat their extras (units, purities) row after row
def as_json_object(pairs: tuple[tuple[str, str], ...]) -> str:
    return json.dumps(dict(pairs), ensure_ascii=False) if pairs else "{}"


FINDING_COLUMNS = (
    "file_id",
    "analysis_key",
    "locator",
    "rank",
    "role",
    "name",
    "cas",
    "cas_raw",
    "formula",
    "scores",
    "asserted_identified",
    "extras",
    "resolution_id",
    "status",
)


def finding_row(finding: Finding, file_id: int, resolution_id: int | None, status: str) -> tuple:
    """The values of a ``findings`` row, in FINDING_COLUMNS order."""
    return (
        file_id,
        finding.analysis_id,
        str(finding.locator),
        finding.rank,
        finding.role.value,
        finding.name,
        finding.cas,
        finding.cas_raw,
        finding.formula,
        scores_json(finding.scores),
        finding.asserted_identified,
        as_json_object(finding.extras),
        resolution_id,
        status,
    )


@lru_cache(maxsize=4096)
def scores_json(scores: tuple[Score, ...]) -> str:
    return json.dumps([asdict(s) for s in scores]) if scores else "[]"


REJECTION_COLUMNS = ("file_id", "analysis_key", "locator", "reason", "raw")


def rejection_row(rejection: Rejection, file_id: int) -> tuple:
    """The values of a ``rejections`` row, in REJECTION_COLUMNS order."""
    return (file_id, rejection.analysis_id, str(rejection.locator), rejection.reason, rejection.raw)


def queries_of(finding: Finding) -> tuple[str, ...]:
    """The texts that may identify a finding: its name as printed, then its CAS number."""
    if finding.role is Role.NO_HIT:
        return ()
    return tuple(q for q in (finding.name, finding.cas) if q)


def resolution_values(verdict: dict) -> dict:
    """The columns of a stored resolution, from the `check --json` object."""
    resolved = verdict["resolved"] or {}
    return {
        "status": verdict["status"],
        "substance_id": resolved.get("substance_id"),
        "name": resolved.get("name"),
        "smiles": resolved.get("smiles"),
        "inchikey": resolved.get("inchikey"),
        "via": resolved.get("via"),
        "confidence": resolved.get("confidence") or 0.0,
        "uncertain": bool(resolved.get("uncertain")),
        "verdict": json.dumps(verdict, ensure_ascii=False),
    }


class Pipeline:
    """Ingests report files into a database; keeps its caches across files."""

    def __init__(
        self,
        engine: Engine,
        checker: Checker | None = None,
        options: ReadOptions | None = None,
        force: bool = False,
        chunk_rows: int = 5000,
        progress: Callable[[str, int], None] | None = None,
        allowed_contexts: frozenset[str] | None = None,
    ) -> None:
        self.engine = engine
        if checker is None or checker.use_opsin:
            start_opsin()  # its JVM starts while the reference loads and the first chunk is read
        self.checker = checker or Checker()
        self.options = options or ReadOptions()
        self.force = force
        self.chunk_rows = chunk_rows
        self.progress = progress
        self.allowed_contexts = allowed_contexts  # None: any; else a file outside is refused
        self.versions = {
            "data_version": self.checker.reference.version,
            "rules_version": self.checker.rules.version,
            "tool_version": __version__,
        }
        self._verdicts: dict[str, dict] = {}  # query -> check JSON, for every query seen
        self._stored_ids: dict[str, int] = {}  # query -> committed resolution id

    def ingest(self, source: str | Path | BinaryIO, source_name: str | None = None) -> FileSummary:
        """Ingest one file or binary stream; never raises for a bad file, reports it.

        When another process holds the database's write lock longer than the busy timeout,
        the whole file is tried again (nothing of it was written), a few times, with backoff.
        """
        name = source_name or str(source)
        reopenable = isinstance(source, str | Path) or source.seekable()
        for attempt in range(LOCK_RETRIES + 1):
            if attempt and not isinstance(source, str | Path):
                source.seek(0)
            try:
                return self._ingest_once(source, source_name, name)
            except (OperationalError, IntegrityError) as error:
                # locked (SQLite), or a concurrent writer stored the same resolution or file
                # version first (PostgreSQL): the whole file is rolled back and tried again
                retryable = isinstance(error, IntegrityError) or is_locked(error)
                if not retryable or not reopenable or attempt == LOCK_RETRIES:
                    return FileSummary(
                        name,
                        "error",
                        error=f"{name}: the database stayed "
                        f"busy ({error.orig}); nothing was written: try again",
                    )
                time.sleep(
                    min(2**attempt, 30)
                    if not isinstance(error, IntegrityError)
                    else 0.1 * (attempt + 1)
                )
        raise AssertionError("unreachable")

    def _ingest_once(
        self, source: str | Path | BinaryIO, source_name: str | None, name: str
    ) -> FileSummary:
        try:
            report = open_report(source, options=self.options, source_name=source_name)
        except UnreadableReport as error:
            return FileSummary(name, "error", error=error.text)
        summary = FileSummary(report.source_name, "new", report.sha256, format=report.format)
        try:
            with report, Session(writer(self.engine)) as session, session.begin():
                version = latest_version(session, report.sha256)
                if version and not self.force:
                    summary.status, summary.version = "already_ingested", version
                    summary.notes = _nothing_kept_note(session, report.sha256, version)
                    return summary
                summary.version = version + 1
                with _young_collections_only():
                    new_ids = self._write(report, session, summary)
                if version:
                    summary.notes += _fewer_kept_note(session, report.sha256, version, summary)
        except UnreadableReport as error:
            return FileSummary(name, "error", report.sha256, error=error.text)
        except RefusedReport as error:
            return FileSummary(name, "refused", report.sha256, error=error.text)
        self._stored_ids.update(new_ids)
        return summary

    def _write(self, report, session: Session, summary: FileSummary) -> dict[str, int]:
        writer = FileWriter(
            session,
            {
                "source_name": report.source_name,
                "sha256": report.sha256,
                "version": summary.version,
                "format": report.format,
                "reader": report.reader,
                "profile": None,
                "data_version": self.versions["data_version"],
                "tool_version": __version__,
            },
        )
        new_ids: dict[str, int] = {}
        cases: dict[str, tuple[str | None, str | None]] = {}
        for chunk in _chunks(report, self.chunk_rows):
            cases = self._write_chunk(chunk, writer, new_ids, cases, summary)
            if self.progress:
                self.progress(report.source_name, report.stats.rows_read)
            # the chunk's records die here, so the young collection need not scan them
            for records in chunk:
                records.clear()
            gc.collect(1)  # see _young_collections_only
        summary.flagged = most_severe(summary.flagged)
        stats = report.stats
        summary.profile = report.profile
        summary.notes = list(report.notes)
        summary.rows_read, summary.analyses = stats.rows_read, stats.analyses
        summary.findings, summary.rejections = stats.findings, stats.rejections
        writer.finish(
            profile=report.profile,
            rows_read=stats.rows_read,
            analyses=stats.analyses,
            findings=stats.findings,
            rejections=stats.rejections,
            notes=json.dumps(report.notes),
        )
        return new_ids

    def _write_chunk(
        self,
        chunk: Chunk,
        writer: FileWriter,
        new_ids: dict[str, int],
        cases: dict[str, tuple[str | None, str | None]],
        summary: FileSummary,
    ) -> dict[str, tuple[str | None, str | None]]:
        """Store one chunk's records; the case and item ids of its last analysis."""
        analyses, findings, rejections = chunk
        self._check_contexts(analyses, summary.source)
        # findings may follow an analysis of the previous chunk: its ids come in ``cases``
        cases = cases | {a.id: (a.case_id, a.item_id) for a in analyses}
        file_id = writer.file_id
        writer.add(AnalysisRow, ANALYSIS_COLUMNS, (analysis_row(a, file_id) for a in analyses))
        rows = self._finding_rows(findings, writer, new_ids, cases, summary)
        writer.add(FindingRow, FINDING_COLUMNS, rows)
        writer.add(RejectionRow, REJECTION_COLUMNS, (rejection_row(r, file_id) for r in rejections))
        room = max(0, REJECTIONS_SHOWN - len(summary.rejected))
        summary.rejected += [(str(r.locator), r.reason) for r in rejections[:room]]
        return dict(list(cases.items())[-1:])

    def _check_contexts(self, analyses: list[Analysis], source: str) -> None:
        if self.allowed_contexts is None:
            return
        for analysis in analyses:
            context = analysis.context.value if analysis.context else "unspecified"
            if context not in self.allowed_contexts:
                raise RefusedReport(
                    f"{source}: holds a {context} analysis ({analysis.locator}); this upload "
                    f"may contain only {', '.join(sorted(self.allowed_contexts))} results"
                )

    def _finding_rows(
        self,
        findings: list[Finding],
        writer: FileWriter,
        new_ids: dict[str, int],
        cases: dict,
        summary: FileSummary,
    ) -> list[tuple]:
        keys = [queries_of(f) for f in findings]
        chosen = self._judge(keys, writer)
        needed = {
            q: resolution_values(self._verdicts[q])
            for q in dict.fromkeys(chosen.values())  # first seen first: ids are reproducible
            if q and q not in self._stored_ids and q not in new_ids
        }
        if needed:
            new_ids.update(writer.resolution_ids(needed, self.versions))
        outcome = {  # per distinct key: resolution id, status, and the verdict when flagged
            key: (None, NO_HIT, None)
            if query is None
            else (
                self._stored_ids.get(query) or new_ids[query],
                self._verdicts[query]["status"],
                self._verdicts[query],
            )
            for key, query in chosen.items()
        }
        summary.statuses.update(outcome[key][1] for key in keys)
        rows = []
        file_id = writer.file_id
        kept = Counter(f.status for f in summary.flagged)
        for finding, key in zip(findings, keys, strict=True):
            resolution_id, status, verdict = outcome[key]
            if status in FLAGGED and kept[status] < FLAGGED_KEPT:
                kept[status] += 1
                case, item = cases.get(finding.analysis_id, (None, None))
                summary.flagged.append(
                    FlaggedFinding(
                        case,
                        item,
                        finding.name or finding.cas,
                        status,
                        (verdict["resolved"] or {}).get("name"),
                        listed_on(verdict),
                        str(finding.locator),
                    )
                )
            rows.append(finding_row(finding, file_id, resolution_id, status))
        return rows

    def _judge(
        self, keys: list[tuple[str, ...]], writer: FileWriter
    ) -> dict[tuple[str, ...], str | None]:
        """For each distinct (name, CAS) pair, the query whose resolution it takes.

        Queries met before, in this process or in the database (same versions), are not
        judged again.
        """
        distinct = list(dict.fromkeys(keys))
        new = list(dict.fromkeys(q for key in distinct for q in key if q not in self._verdicts))
        for query, (rid, verdict) in writer.stored(new, self.versions).items():
            self._verdicts[query] = json.loads(verdict)
            self._stored_ids[query] = rid
        new = [q for q in new if q not in self._verdicts]
        if new:  # else the checker's indexes need not be built
            self._verdicts.update(zip(new, self.checker.check_json(new), strict=True))
        return {key: _surest(key, self._verdicts) for key in distinct}


def _nothing_kept_note(session: Session, sha256: str, version: int) -> list[str]:
    """A note when the stored version kept no finding: its rows were all rejected.

    Typically it was read with the wrong format, profile, encoding or sheet; being
    the same content, it is not read again unless forced.
    """
    rows_read, findings, rejections = stored_counts(session, sha256, version)
    if findings or not rejections:
        return []
    return [
        f"version {version} kept no finding: all {rows_read} rows were rejected (see "
        "the rejections); to read it again with other options, add {force}"
    ]


def _fewer_kept_note(
    session: Session, sha256: str, previous: int, summary: FileSummary
) -> list[str]:
    """A note when a forced new version kept fewer findings than the one it supersedes
    (listings, trends and exports read the newest version only)."""
    _rows, kept, _rejections = stored_counts(session, sha256, previous)
    if summary.findings >= kept:
        return []
    return [
        f"this version kept {summary.findings} findings, version {previous} kept {kept}; "
        "listings and exports now read this version only (ingest again with {force} and "
        "the right options to supersede it)"
    ]


def most_severe(flagged: list[FlaggedFinding]) -> list[FlaggedFinding]:
    """The FLAGGED_KEPT most severe findings, controlled first, each status in reading order.

    While a file is read up to FLAGGED_KEPT findings of each status are kept, so that a
    controlled finding after hundreds of unresolved ones is still shown.
    """
    return sorted(flagged, key=lambda f: severity(f.status))[:FLAGGED_KEPT]


def _surest(queries: tuple[str, ...], verdicts: dict[str, dict]) -> str | None:
    """The resolved query with the highest confidence (the name on a tie), else the first."""
    if not queries:
        return None
    resolved = [q for q in queries if verdicts[q]["resolved"]]
    if not resolved:
        return queries[0]
    return max(resolved, key=lambda q: (verdicts[q]["resolved"]["confidence"], q == queries[0]))


class Chunk(NamedTuple):
    """Consecutive records of one file, by kind, each kind in reading order."""

    analyses: list[Analysis]
    findings: list[Finding]
    rejections: list[Rejection]


def _chunks(records: Iterable[Analysis | Finding | Rejection], size: int) -> Iterator[Chunk]:
    """Chunks of records holding about ``size`` findings and rejections together."""
    chunk = Chunk([], [], [])
    rows = 0
    for record in records:
        kind = type(record)
        if kind is Analysis:
            chunk.analyses.append(record)
            continue
        (chunk.findings if kind is Finding else chunk.rejections).append(record)
        rows += 1
        if rows >= size:
            yield chunk
            chunk, rows = Chunk([], [], []), 0
    if any(chunk):
        yield chunk


@contextmanager
def _young_collections_only() -> Iterator[None]:
    """Within: automatic cyclic garbage collection is off; the caller collects young objects.

    A full collection scans every object of the process: the reference, the resolver's
    indexes and the caches, over 100 ms each time. Allocating records triggers one every few
    thousand rows, which cost a quarter of an ingest's time. While a file is written the
    pipeline collects the two young generations after each chunk instead; the collector is
    restored afterwards, also when the file fails.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
