"""The words every layer shares: statuses, the flagged set, contexts, the shape of a verdict.

This module is the ground floor: it imports nothing of subsmatch (and nothing slow), so that
the command line, the service, the readers and the matchers can all use it at start-up.

Statuses are ordered by severity, most severe first: the order of :class:`Status` is the
order in which a headline is chosen and flagged findings are listed.

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
    Status.UNRESOLVED,
)
"""Findings a person should look at: controlled or possibly so, and what could not be named."""

ALERTING: tuple[Status, ...] = tuple(s for s in FLAGGED if s is not Status.UNRESOLVED)
"""Flagged statuses that speak of a substance's control (alerts and trends count these)."""


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


class EntryJSON(TypedDict):
    """One list entry that applies, with the source row it comes from."""

    list: str
    name: str | None
    since: str | None
    until: str | None
    kind: str | None
    act: str | None
    match: str
    substance_id: str | None
    source: str


class JurisdictionJSON(TypedDict):
    code: str
    status: Status
    entries: list[EntryJSON]


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
    status: Status
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
