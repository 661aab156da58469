"""read -> resolve -> match -> store, a file whole or not at all, in short transactions.

Records stream from the reader in chunks; each chunk's distinct names and CAS numbers are
resolved together (cached across chunks and files), judged once per distinct query, and
written with bulk inserts in a transaction of its own, so that no other writer (a check's
record, another ingest) waits behind a whole file. The file stays invisible to every query
until its last transaction makes it complete: a reader error removes what was written, and
what a killed process wrote stays invisible until a later ingest removes it. The same content
again (same sha256) changes nothing, unless forced, which stores it as a new version beside the
old one.
"""

from __future__ import annotations

import gc
import time
from collections import deque
from collections.abc import Callable
from contextlib import suppress
from datetime import timedelta
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm import Session

from subsmatch.ingest.errors import UnreadableReport
from subsmatch.ingest.readers import ReadOptions, Report, open_report
from subsmatch.ingest.readers.base import Chunk
from subsmatch.ingest.records import Analysis
from subsmatch.ingest.summary import FileSummary
from subsmatch.ingest.verdicts import Verdicts
from subsmatch.ingest.writer import RefusedReport, ReportWriter, check_contexts
from subsmatch.matchers.checker import BATCH_KEPT, Checker, collection_paused
from subsmatch.store.engine import failure, is_locked
from subsmatch.store.ingests import STALE_AFTER, latest_version, remove_stale, stored_counts
from subsmatch.substances.opsin import start_opsin

__all__ = ["FileSummary", "Pipeline", "RefusedReport"]

LOCK_RETRIES = 8  # whole-file retries when the database stays locked (backoff up to 30 s)
START_AHEAD = 4  # chunks read ahead at a file's start, while the judging workers start (see
# Pipeline._write): 5 MiB each at most (a chunk of 5,000 CSV rows' records), for a few seconds
COLLECT_EVERY = 8  # chunks between two collections of the young generations: each scans the
# objects alive since the last, the chunk read ahead among them (5,000 findings' records), to
# free a few dozen objects in cycles per chunk (a transaction's)


class Pipeline:
    """Ingests report files into a database; keeps its caches across files."""

    def __init__(
        self,
        engine: Engine,
        checker: Checker | None = None,
        options: ReadOptions | None = None,
        force: bool = False,
        chunk_rows: int = 5000,
        progress: Callable[[str, int, float | None], None] | None = None,
        allowed_contexts: frozenset[str] | None = None,
        stale_after: timedelta = STALE_AFTER,
        workers: int = 0,
        start_ahead: int = START_AHEAD,
    ) -> None:
        """``workers``: how many processes, forked while a file is written, judge its new
        names while this one reads and writes (0: this one judges them; see
        :class:`~subsmatch.ingest.judging.Forked`)."""
        self.engine = engine
        self.stale_after = stale_after  # a file not written for this long was left by a dead ingest
        self.checker = checker or Checker(kept=BATCH_KEPT)
        self.options = options or ReadOptions()
        self.force = force
        self.chunk_rows = chunk_rows
        self.start_ahead = start_ahead if workers else 1  # judged here: nothing to wait for
        self.progress = progress
        self.allowed_contexts = allowed_contexts  # None: any; else a file outside is refused
        self.verdicts = Verdicts(self.checker, workers)
        self._swept = False  # whether files left by killed ingests were removed

    def ingest(self, source: str | Path | BinaryIO, source_name: str | None = None) -> FileSummary:
        """Ingest one file or binary stream; never raises for a bad file, reports it.

        When another process holds the database's write lock longer than the busy timeout,
        the whole file is tried again (nothing of it was written), a few times, with backoff.
        """
        name = source_name or str(source)
        if not self._swept:
            self._swept = True
            with suppress(OperationalError):  # locked: the next ingest will
                remove_stale(self.engine, self.stale_after)
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
                    reason, fix = failure(error)
                    return FileSummary(
                        name, "error", error=f"{name}: {reason}; nothing was written: {fix}"
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
        if self.allowed_contexts is not None and (refused := self._refused(source, source_name)):
            return refused
        try:
            report = open_report(source, options=self.options, source_name=source_name)
        except UnreadableReport as error:
            return FileSummary(name, "error", error=error.text)
        summary = FileSummary(report.source_name, "new", report.sha256, format=report.format)
        with report:
            with Session(self.engine) as session:
                version = latest_version(session, report.sha256)
                if version and not self.force:
                    summary.status, summary.version = "already_ingested", version
                    summary.notes = _nothing_kept_note(session, report.sha256, version) or [
                        f"the same content is stored as version {version}; to read it again "
                        "(with another profile, format or other options) as a new version, "
                        "add {force}"
                    ]
                    return summary
            if self.checker.use_opsin and not self.verdicts.judge.forking:
                # its JVM starts while the rules load and the first chunk is read; not for
                # content stored already (a CPU second), nor where workers judge (their own)
                start_opsin()
            written = ReportWriter(
                self.engine, report, summary, self.verdicts, self.allowed_contexts
            )
            try:
                # the cyclic collector is off while the file is written: a full collection
                # scans the reference, the indexes and the caches (over 100 ms), and the
                # records triggered one every few thousand rows, a quarter of an ingest's
                # time; _write collects the two young generations every few chunks instead
                with collection_paused():
                    try:
                        self._write(report, written)
                    finally:
                        self.verdicts.close()  # the workers' memory is not kept between files
                if version:
                    with Session(self.engine) as session:
                        summary.notes += _fewer_kept_note(session, report.sha256, version, summary)
            except BaseException as error:
                _discard(written)
                if isinstance(error, UnreadableReport):
                    return FileSummary(name, "error", report.sha256, error=error.text)
                if isinstance(error, RefusedReport):
                    return FileSummary(name, "refused", report.sha256, error=error.text)
                raise
        return summary

    def _refused(
        self, source: str | Path | BinaryIO, source_name: str | None
    ) -> FileSummary | None:
        """The uploader's role, checked before anything is looked up: a report holding an
        analysis its role may not store is refused whole, whether or not its content is
        stored already (else "already ingested" would tell that it is). Its analyses are read
        once for that (a stream is rewound after)."""
        try:
            with open_report(source, options=self.options, source_name=source_name) as report:
                analyses = (r for r in report if type(r) is Analysis)
                try:
                    check_contexts(report.source_name, analyses, self.allowed_contexts)
                except RefusedReport as error:
                    name = report.source_name
                    return FileSummary(name, "refused", report.sha256, error=error.text)
        except UnreadableReport:
            pass  # the reading proper says why
        finally:
            if not isinstance(source, str | Path):
                source.seek(0)
        return None

    def _write(self, report: Report, written: ReportWriter) -> None:
        """Read the report chunk by chunk and write each; the records of a chunk die with it.

        Each chunk is read, and its judging asked for, before the one before it is written:
        where workers judge, a chunk's names are judged while the previous chunk is stored.
        The first chunks are read further ahead (:data:`START_AHEAD`), while the workers start
        and judge the first chunk's names, the most new ones of any chunk (this process waited
        for them, over a second), then written two per chunk read until one is ahead again."""
        ahead: deque[tuple[Chunk, list]] = deque()  # read, their judging asked, not written
        for number, chunk in enumerate(report.chunks(self.chunk_rows)):
            ahead.append((chunk, written.ask(chunk)))
            while len(ahead) > _kept_ahead(number, self.start_ahead):
                collect = number % COLLECT_EVERY == 0 and len(ahead) == 2
                self._write_chunk(report, written, *ahead.popleft(), collect=collect)
        while ahead:
            self._write_chunk(report, written, *ahead.popleft(), collect=False)
        written.finish(report)

    def _write_chunk(
        self, report: Report, written: ReportWriter, chunk: Chunk, keys: list, collect: bool
    ) -> None:
        written.write(chunk, keys)
        if self.progress:
            self.progress(report.source_name, report.stats.rows_read, report.fraction())
        # the chunk's records die here, so the young collection need not scan them
        for records in chunk:
            records.clear()
        if collect:
            gc.collect(1)  # the young generations only (see _ingest_once)


def _kept_ahead(number: int, start_ahead: int) -> int:
    """How many chunks are kept read ahead once chunk ``number`` (from 0) is read: the first
    ``start_ahead`` are, then one less per chunk read down to one.

    >>> [_kept_ahead(n, 4) for n in range(9)]
    [4, 4, 4, 4, 3, 2, 1, 1, 1]
    >>> [_kept_ahead(n, 1) for n in range(3)]
    [1, 1, 1]
    """
    return max(1, start_ahead - max(0, number + 1 - start_ahead))


def _discard(written: ReportWriter) -> None:
    """Delete what was written of a file that failed; when even that fails (the database is
    gone or locked), what was written stays invisible until :func:`remove_stale` takes it."""
    with suppress(DBAPIError):
        written.store.discard()


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
