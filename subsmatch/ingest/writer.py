"""Writing one report, chunk by chunk, inside the transaction of its file.

A :class:`ReportWriter` holds what the chunks of one file share: the stored file row, the
summary, the resolutions this file stored (committed with it, or not at all), the case and
item of the analysis a chunk's first findings may belong to, the flagged findings kept.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from typing import NamedTuple

from sqlalchemy.orm import Session

from subsmatch import __version__
from subsmatch.errors import UserError
from subsmatch.ingest.readers import Report
from subsmatch.ingest.records import Analysis, Finding, Rejection
from subsmatch.ingest.rows import (
    ANALYSIS_COLUMNS,
    FINDING_COLUMNS,
    REJECTION_COLUMNS,
    analysis_row,
    finding_row,
    queries_of,
    rejection_row,
    resolution_values,
)
from subsmatch.ingest.summary import (
    FLAGGED_KEPT,
    REJECTIONS_SHOWN,
    FileSummary,
    FlaggedFinding,
    most_severe,
)
from subsmatch.ingest.verdicts import Verdicts
from subsmatch.matchers.verdict import listed_on
from subsmatch.store.ingests import FileWriter
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


class Chunk(NamedTuple):
    """Consecutive records of one file, by kind, each kind in reading order."""

    analyses: list[Analysis]
    findings: list[Finding]
    rejections: list[Rejection]


class ReportWriter:
    """Stores one report's records as they come, chunk by chunk, in ``session``'s transaction.

    ``allowed_contexts``: the analysis contexts the uploader may store (None: any); a chunk
    holding another raises :class:`RefusedReport`, and the transaction stores nothing.
    """

    def __init__(
        self,
        session: Session,
        report: Report,
        summary: FileSummary,
        verdicts: Verdicts,
        allowed_contexts: frozenset[str] | None = None,
    ) -> None:
        self.store = FileWriter(
            session,
            {
                "source_name": report.source_name,
                "sha256": report.sha256,
                "version": summary.version,
                "format": report.format,
                "reader": report.reader,
                "profile": None,
                "data_version": verdicts.versions["data_version"],
                "tool_version": __version__,
            },
        )
        self.summary = summary
        self.verdicts = verdicts
        self.allowed_contexts = allowed_contexts
        self.new_ids: dict[str, int] = {}  # query -> resolution id stored with this file
        self.cases: dict[str, tuple[str | None, str | None]] = {}  # analysis -> case, item
        self.kept: Counter = Counter()  # flagged findings kept, per status

    def write(self, chunk: Chunk) -> None:
        """Store one chunk's records."""
        analyses, findings, rejections = chunk
        self._check_contexts(analyses)
        file_id = self.store.file_id
        # findings may follow an analysis of the previous chunk: its ids are still here
        self.cases |= {a.id: (a.case_id, a.item_id) for a in analyses}
        self.store.add(AnalysisRow, ANALYSIS_COLUMNS, (analysis_row(a, file_id) for a in analyses))
        self.store.add(FindingRow, FINDING_COLUMNS, self._finding_rows(findings))
        self.store.add(
            RejectionRow, REJECTION_COLUMNS, (rejection_row(r, file_id) for r in rejections)
        )
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

    def _finding_rows(self, findings: list[Finding]) -> list[tuple]:
        verdicts, summary = self.verdicts, self.summary
        keys = [queries_of(f) for f in findings]
        chosen = verdicts.choose(keys, self.store)
        needed = {
            q: resolution_values(verdicts.of[q])
            for q in dict.fromkeys(chosen.values())  # first seen first: ids are reproducible
            if q and q not in verdicts.stored_ids and q not in self.new_ids
        }
        if needed:
            self.new_ids.update(self.store.resolution_ids(needed, verdicts.versions))
        outcome = {  # per distinct key: resolution id, status, and the verdict when flagged
            key: (None, NO_HIT, None)
            if query is None
            else (
                verdicts.stored_ids.get(query) or self.new_ids[query],
                verdicts.of[query]["status"],
                verdicts.of[query],
            )
            for key, query in chosen.items()
        }
        summary.statuses.update(outcome[key][1] for key in keys)
        rows = []
        file_id = self.store.file_id
        for finding, key in zip(findings, keys, strict=True):
            resolution_id, status, verdict = outcome[key]
            flagged = is_flagged(status, verdict.get("flagged") if verdict else None)
            summary.quiet += status in FLAGGED and not flagged  # a precursor not flagged
            if flagged and self.kept[status] < FLAGGED_KEPT:
                self.kept[status] += 1
                case, item = self.cases.get(finding.analysis_id, (None, None))
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
