"""Writing one report, chunk by chunk, each chunk in a short transaction of its own.

A :class:`ReportWriter` holds what the chunks of one file share: the stored file row (invisible
until the file is complete), the summary, the case and item of the analysis a chunk's first
findings may belong to, the flagged findings kept. A chunk is judged before its transaction
begins, so that the write lock is held only while its rows are inserted.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable

from sqlalchemy import Engine

from subsmatch import __version__
from subsmatch.errors import UserError
from subsmatch.ingest.readers import Report
from subsmatch.ingest.readers.base import Chunk
from subsmatch.ingest.records import Analysis
from subsmatch.ingest.rows import (
    ANALYSIS_COLUMNS,
    FINDING_COLUMNS,
    REJECTION_COLUMNS,
    FindingValues,
    analysis_columns,
    finding_columns,
    keys_of,
    rejection_columns,
)
from subsmatch.ingest.summary import (
    FLAGGED_KEPT,
    REJECTIONS_SHOWN,
    FileSummary,
    FlaggedFinding,
    most_severe,
)
from subsmatch.ingest.verdicts import Judged, Key, Verdicts
from subsmatch.store.ingests import ChunkWriter, FileWriter
from subsmatch.store.models import AnalysisRow, FindingRow, RejectionRow
from subsmatch.vocabulary import FLAGGED, NO_HIT, is_flagged


class RefusedReport(UserError):
    """A readable report that the uploader may not store (its analyses' context)."""


def check_contexts(
    source: str, analyses: Iterable[Analysis], allowed: frozenset[str] | None
) -> None:
    """Raise :class:`RefusedReport` for the first analysis whose context is not ``allowed``
    (None: any is)."""
    if allowed is None:
        return
    for analysis in analyses:
        context = analysis.context.value if analysis.context else "unspecified"
        if context not in allowed:
            raise RefusedReport(
                f"{source}: holds a {context} analysis ({analysis.locator}); "
                f"this upload may contain only {', '.join(sorted(allowed))} results"
            )


class ReportWriter:
    """Stores one report's records as they come, chunk by chunk, one transaction each.

    ``allowed_contexts``: the analysis contexts the uploader may store (None: any); a chunk
    holding another raises :class:`RefusedReport` (the caller discards the file).
    """

    def __init__(
        self,
        engine: Engine,
        report: Report,
        summary: FileSummary,
        verdicts: Verdicts,
        allowed_contexts: frozenset[str] | None = None,
    ) -> None:
        self.store = FileWriter(
            engine,
            {
                "source_name": report.source_name,
                "sha256": report.sha256,
                "format": report.format,
                "reader": report.reader,
                "profile": None,
                "data_version": verdicts.versions["data_version"],
                "tool_version": __version__,
            },
        )
        summary.version = self.store.version
        self.summary = summary
        self.verdicts = verdicts
        self.allowed_contexts = allowed_contexts
        self.cases: dict[str, tuple[str | None, str | None]] = {}  # analysis -> case, item
        self.kept: Counter = Counter()  # flagged findings kept, per status
        # per distinct key met in this file: resolution id, status, and its judgement if any
        self.outcomes: dict[Key, tuple[int | None, str, Judged | None]] = {}

    def ask(self, chunk: Chunk) -> list[Key]:
        """Start judging a chunk's new queries (in the judging workers, if any, while earlier
        chunks are written); its findings' keys, for :meth:`write`."""
        keys = keys_of(chunk.findings)
        outcomes = self.outcomes  # keys of earlier chunks are not chosen again
        self.verdicts.ask([k for k in keys if k not in outcomes], self.store)
        return keys

    def write(self, chunk: Chunk, keys: list[Key] | None = None) -> None:
        """Store one chunk's records: judged first, then written in one short transaction.
        ``keys``: what :meth:`ask` gave for it (None: the chunk was not asked for)."""
        analyses, findings, rejections = chunk
        self._check_contexts(analyses)
        file_id = self.store.file_id
        # findings may follow an analysis of the previous chunk: its ids are still here
        self.cases |= {a.id: (a.case_id, a.item_id) for a in analyses}
        if keys is None:
            keys = keys_of(findings)
        outcomes = self.outcomes  # keys of earlier chunks are not chosen again
        chosen = self.verdicts.choose([k for k in keys if k not in outcomes], self.store)
        with self.store.transaction() as into:
            new_ids = self._new_resolutions(chosen, into)
            into.add(AnalysisRow, ANALYSIS_COLUMNS, analysis_columns(analyses, file_id))
            found = self._finding_columns(findings, keys, chosen, new_ids)
            into.add(FindingRow, FINDING_COLUMNS, found)
            into.add(RejectionRow, REJECTION_COLUMNS, rejection_columns(rejections, file_id))
        self.verdicts.committed(new_ids)  # later chunks and files reuse them
        summary = self.summary
        room = max(0, REJECTIONS_SHOWN - len(summary.rejected))
        summary.rejected += [(str(r.locator), r.reason) for r in rejections[:room]]
        self.cases = dict(list(self.cases.items())[-1:])

    def finish(self, report: Report) -> None:
        """Record the file's counts and notes, once its records are all written."""
        summary, stats = self.summary, report.stats
        summary.flagged = most_severe(summary.flagged)
        summary.profile = report.profile
        summary.notes = list(report.notes)
        summary.rows_read, summary.analyses = stats.rows_read, stats.analyses
        summary.findings, summary.rejections = stats.findings, stats.rejections
        self.store.finish(
            profile=report.profile,
            rows_read=stats.rows_read,
            analyses=stats.analyses,
            findings=stats.findings,
            rejections=stats.rejections,
            notes=json.dumps(report.notes),
        )

    def _check_contexts(self, analyses: list[Analysis]) -> None:
        check_contexts(self.summary.source, analyses, self.allowed_contexts)

    def _new_resolutions(self, chosen: dict[Key, str | None], into: ChunkWriter) -> dict[str, int]:
        """Store the resolutions of the chosen queries not stored yet: query -> id."""
        verdicts = self.verdicts
        needed = {
            q: verdicts.unstored[q]
            for q in dict.fromkeys(chosen.values())
            if q and q not in verdicts.stored_ids
        }
        return into.resolution_ids(needed, verdicts.versions) if needed else {}

    def _finding_columns(
        self,
        findings: list[FindingValues],
        keys: list[Key],
        chosen: dict[Key, str | None],
        new_ids: dict[str, int],
    ) -> list:
        verdicts, summary = self.verdicts, self.summary
        outcome = self.outcomes
        outcome.update(
            (key, (None, NO_HIT, None))
            if query is None
            else (
                key,
                (
                    verdicts.stored_ids.get(query) or new_ids[query],
                    verdicts.of[query].status,
                    verdicts.of[query],
                ),
            )
            for key, query in chosen.items()
        )
        outcomes = list(map(outcome.__getitem__, keys))
        resolution_ids = [o[0] for o in outcomes]
        statuses = [o[1] for o in outcomes]
        summary.statuses.update(statuses)
        kept = self.kept
        flagged = set()  # keys whose findings are flagged, while their status has room
        for key, count in Counter(keys).items():
            _rid, status, judged = outcome[key]
            on = judged.flagged if judged else is_flagged(status)
            summary.quiet += count * (status in FLAGGED and not on)  # a precursor not flagged
            if on and kept[status] < FLAGGED_KEPT:
                flagged.add(key)
        for finding, key in zip(findings, keys, strict=True) if flagged else ():
            if key not in flagged:
                continue
            _rid, status, judged = outcome[key]
            if kept[status] >= FLAGGED_KEPT:
                continue
            kept[status] += 1
            analysis_id, where, _role, name, _rank, cas, *_rest = finding
            case, item = self.cases.get(analysis_id, (None, None))
            summary.flagged.append(
                FlaggedFinding(
                    case, item, name or cas, status, judged.name, judged.listed_on, where
                )
            )
        return finding_columns(findings, self.store.file_id, resolution_ids, statuses)
