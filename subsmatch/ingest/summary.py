"""What happened to one input file: its counts, statuses, notes, and what to look at first."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field, replace

from subsmatch.errors import Wording, word
from subsmatch.vocabulary import FLAGGED, IngestSummaryJSON, severity

FLAGGED_KEPT = 200  # flagged findings kept per file for the summary (all are counted)
REJECTIONS_SHOWN = 5  # rejections (where and why) in a file's summary; all are stored


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
    quiet: int = 0  # findings of a flagged status whose verdict is not flagged (not in the JSON)

    @property
    def flagged_count(self) -> int:
        return sum(self.statuses[s] for s in FLAGGED) - self.quiet

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
        del data["quiet"]  # type: ignore[misc]
        return data


def most_severe(flagged: list[FlaggedFinding]) -> list[FlaggedFinding]:
    """The FLAGGED_KEPT most severe findings, controlled first, each status in reading order.

    While a file is read up to FLAGGED_KEPT findings of each status are kept, so that a
    controlled finding after hundreds of unresolved ones is still shown.
    """
    return sorted(flagged, key=lambda f: severity(f.status))[:FLAGGED_KEPT]
