"""The words every layer shares: statuses, the flagged set, contexts, the shape of a verdict,
and the shapes of what the store gives back (an ingest summary, a stored finding, a trend).

This module is the ground floor: it imports nothing of subsmatch (and nothing slow), so that
the command line, the service, the readers and the matchers can all use it at start-up.

Statuses are ordered by severity, most severe first: the order of :class:`Status` is the
order in which a headline is chosen and flagged findings are listed. ``unknown`` ranks below
``analogue`` (a structural finding outranks a gap in the data) and above ``not_listed``: it is
listed for review, and never a headline of control.

Whether a verdict is *flagged* is the verdict's own ``flagged`` field, not its status alone: a
precursor of a category that is shown but not flagged (EU Categories 2-4: acetone, toluene,
hydrochloric acid ...) has status ``precursor`` and ``flagged`` false. :data:`FLAGGED` is the
set of statuses that can be flagged; :func:`is_flagged` says which verdict is.

>>> strongest(["not_listed", "precursor", "controlled"])
<Status.CONTROLLED: 'controlled'>
>>> sorted(["not_listed", "generic", "analogue"], key=severity)
['generic', 'analogue', 'not_listed']
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from typing import Literal

from typing_extensions import TypedDict  # pydantic reads these shapes on Python 3.11 too


class Status(StrEnum):
    """What a verdict says of a substance, most severe first."""

    CONTROLLED = "controlled"  # a narcotic, psychotropic or NPS listing is in force
    GENERIC = "generic"  # no listing, but a generic (group) definition in force covers it
    PRECURSOR = "precursor"  # only precursor listings apply
    ANALOGUE = "analogue"  # on no list, under no rule, but close to a controlled structure
    UNKNOWN = "unknown"  # the loaded data cannot say: a list ends before the date, or its start
    NOT_LISTED = "not_listed"  # known, and on none of the loaded lists
    UNRESOLVED = "unresolved"  # the query named no known substance or structure


_RANK = {status.value: rank for rank, status in enumerate(Status)}


def severity(status: str) -> int:
    """A sort key: 0 for the most severe status (a finding's ``no_hit`` sorts last)."""
    return _RANK.get(status, len(_RANK))


STATUSES: tuple[Status, ...] = tuple(Status)

NO_HIT = "no_hit"
"""The status of a stored finding that reports an analysis with nothing found."""

FINDING_STATUSES: tuple[str, ...] = (*(s.value for s in STATUSES), NO_HIT)
"""The statuses a stored finding can have: a verdict's, or no_hit."""

FLAGGED: tuple[Status, ...] = (
    Status.CONTROLLED,
    Status.GENERIC,
    Status.PRECURSOR,
    Status.ANALOGUE,
    Status.UNKNOWN,
    Status.UNRESOLVED,
)
"""Statuses a person should look at: controlled or possibly so, what the data cannot say, and
what could not be named (a precursor only when its category is flagged: see :func:`is_flagged`)."""

ALERTING: tuple[Status, ...] = tuple(
    s for s in FLAGGED if s not in (Status.UNKNOWN, Status.UNRESOLVED)
)
"""Flagged statuses that speak of a substance's control (alerts and trends count these)."""


def is_flagged(status: str, flagged: bool | None = None) -> bool:
    """Whether a verdict (or finding) belongs on the flagged lists.

    ``flagged`` is the verdict's own field; a finding stored without it (None) is judged by
    its status alone.

    >>> is_flagged("precursor", False), is_flagged("precursor", True), is_flagged("not_listed")
    (False, True, False)
    """
    if status not in FLAGGED:
        return False
    return True if flagged is None else flagged


def strongest(statuses: Iterable[str], default: Status = Status.NOT_LISTED) -> Status:
    """The most severe of ``statuses`` (``default`` when there are none)."""
    return Status(min(statuses, key=severity, default=default))


class Context(StrEnum):
    """Where in the chain of evidence an analysis was made."""

    FIELD_SCREENING = "field_screening"
    LAB_SCREENING = "lab_screening"
    LAB_CONFIRMATION = "lab_confirmation"


CONTEXT_GROUPS: dict[str, tuple[Context, ...]] = {
    "field": (Context.FIELD_SCREENING,),
    "lab": (Context.LAB_SCREENING, Context.LAB_CONFIRMATION),
}
"""The groups a user filters on: field devices, or the laboratory."""


def counted(n: int, noun: str, nouns: str | None = None) -> str:
    """``n`` and the noun in its number: what every face says of a count.

    >>> counted(1, "finding"), counted(0, "case"), counted(2, "analysis", "analyses")
    ('1 finding', '0 cases', '2 analyses')
    """
    return f"{n:,} {noun if n == 1 else nouns or noun + 's'}"


# --- the typed shape of a verdict (the `check --json` object) ------------------------------------

Via = Literal["smiles", "inchi", "molfile", "inchikey", "cas", "synonym", "opsin", "fuzzy"]


class AlternativeJSON(TypedDict):
    substance_id: str
    name: str


class ResolvedJSON(TypedDict):
    """Which substance the query names, how that was decided and how sure it is."""

    name: str
    substance_id: str | None
    smiles: str | None
    inchikey: str | None
    via: Via | None
    confidence: float
    uncertain: bool
    matched_name: str | None
    form: list[str]
    stereo: str | None
    alternatives: list[AlternativeJSON]


ListingState = Literal["in_force", "unknown"]


class EntryJSON(TypedDict):
    """One list entry that applies (or may: its start is unknown), with the act that made it,
    its in-force date and the source row it comes from."""

    list: str
    name: str | None
    since: str | None  # the in-force date as the law gives it (year, month or day)
    until: str | None
    kind: str | None
    category: str | None  # the precursor category ("1", "2A", "I" ...)
    act: str | None
    act_date: str | None
    in_force_from: str | None  # since, or (start unknown) the earliest evidence of it in force
    start_known: bool
    state: ListingState
    note: str | None
    match: str
    substance_id: str | None
    source: str


class DerivedJSON(TypedDict):
    """A status a rule gives a jurisdiction, with its legal basis: an EU drug, a treaty or EU
    obligation, a precursor regulation, a precedence, or an unknown (a gap, an unknown start)."""

    rule_id: str
    status: Status
    applies: bool  # False: shown beside the status without deciding it
    text: str
    basis: str
    act: str | None
    source: str | None  # the listing it rests on: "UN: 1971 Schedule II since 2023"
    since: str | None
    category: str | None


class JurisdictionJSON(TypedDict):
    code: str
    status: Status
    flagged: bool
    entries: list[EntryJSON]
    derived: list[DerivedJSON]


class RelatedJSON(TypedDict):
    """A stereoisomer or isotopologue that does not apply, with the reason."""

    substance_id: str
    name: str
    relation: str
    applies: bool
    reason: str | None


class GenericJSON(TypedDict):
    """A generic (group) definition that covers the structure."""

    rule_id: str
    jurisdiction: str
    citation: str
    since: str | None
    state: ListingState  # unknown: the law's start date is not known on the date asked
    provisional: bool
    matched_atoms: list[int]


class RuleNotMatchedJSON(TypedDict):
    rule_id: str
    jurisdiction: str
    failure: str | None


AnalogueJSON = TypedDict(
    "AnalogueJSON",
    {
        "is_analogue": bool,
        "class": str | None,
        "threshold": float | None,
        "lookalike": str | None,
        "reason": str | None,
    },
)
"""The similarity assessment of a structure on no list ("class" is a keyword, hence this form)."""


class NeighbourJSON(TypedDict):
    """A controlled structure near the query."""

    name: str
    substance_id: str | None
    smiles: str | None
    similarity: float
    fingerprint: str | None
    by_fingerprint: dict[str, float]
    via: str | None
    lists: list[str]
    difference: str | None


class VerdictJSON(TypedDict):
    """The ``check --json`` object of one query; its field names are a public contract."""

    query: str
    resolved: ResolvedJSON | None
    status: Status  # the headline: the strongest status in headline_scope
    headline_scope: list[str]  # the home jurisdictions, or those asked for
    flagged: bool  # on the flagged lists (a precursor only of a flagged category)
    jurisdictions: list[JurisdictionJSON]
    related: list[RelatedJSON]
    generic: list[GenericJSON]
    rules_not_matched: list[RuleNotMatchedJSON]
    analogue: AnalogueJSON | None
    analogues: list[NeighbourJSON]
    notes: list[str]
    error: str | None
    as_of: str | None
    data_version: str
    rules_version: str | None
    tool_version: str


# --- the typed shapes of what the store gives back: ingest summaries, findings, trends -----------


class FlaggedFindingJSON(TypedDict):
    """A finding an ingest summary shows first: controlled or possibly so, or unnamed."""

    case_id: str | None
    item_id: str | None
    name: str | None  # as printed
    status: str
    resolved: str | None
    lists: list[str]
    locator: str


class IngestSummaryJSON(TypedDict):
    """What happened to one ingested file (``ingest --json``, the API's upload answer)."""

    source: str
    status: Literal["new", "already_ingested", "error", "refused"]
    sha256: str | None
    version: int
    format: str | None
    profile: str | None
    rows_read: int
    analyses: int
    findings: int
    rejections: int
    statuses: dict[str, int]
    flagged: list[FlaggedFindingJSON]
    rejected: list[tuple[str, str]]  # the first few rejections: where, why
    notes: list[str]
    error: str | None
    flagged_count: int


class ScoreJSON(TypedDict):
    """One score as the source printed it (scores of different algorithms never compare)."""

    name: str
    value: float
    scale: str
    higher_is_better: bool


class StoredFindingJSON(TypedDict):
    """One stored finding: where it came from, what was printed, its resolution and verdict
    (times in ISO 8601, UTC)."""

    file: str
    file_version: int
    case_id: str | None
    item_id: str | None
    context: Context | None
    technique: str | None
    vendor: str | None
    model: str | None
    measured_at: str | None
    measured_at_raw: str | None
    country: str | None
    location: str | None
    device_verdict: str
    verdict_raw: str | None
    finding_id: int
    locator: str
    rank: int | None
    role: str
    name: str | None
    cas: str | None
    formula: str | None
    scores: list[ScoreJSON]
    asserted_identified: bool
    status: str
    resolution_id: int | None
    substance_id: str | None
    resolved_name: str | None
    smiles: str | None
    inchikey: str | None
    via: Via | None
    confidence: float | None
    uncertain: bool | None
    verdict: VerdictJSON | None
    data_version: str | None
    ingested_at: str


TrendJSON = TypedDict(
    "TrendJSON",
    {
        "key": str,
        "name": str,
        "class": str,
        "status": str,
        "total": int,
        "undated": int,
        "cases": int,
        "first_seen": str | None,
        "flags": list[str],
        "counts": dict[str, int],
    },
)
"""One substance (or class) over a window: findings per period (``total`` of them), those
without a time (``undated``, whatever the window), first seen (None: never dated), flags."""


class TrendsJSON(TypedDict):
    periods: list[str]  # the window's time axis: every period from the first to the last
    substances: list[TrendJSON]
    classes: list[TrendJSON]
