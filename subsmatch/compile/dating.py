"""Step 5, date: one listing per (substance, list), dated by every source that dates it.

A listing's ``since`` is the earliest in-force date a source gives; without one, its
``evidence`` is the earliest date a source shows it in force (a consolidated version, a dated
decree, a notice), and when a source says nothing about time, the date its snapshot speaks of
(``snapshot`` in ``curated/source_roles.csv``). A removal closes the listing (``until``); a
removal of a schedule the notice does not name ("CSA Schedule ?") closes every schedule of its
jurisdiction. The other sources of the same listing are named in its note.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field, replace

from subsmatch.compile.merge import Substance
from subsmatch.compile.read import federal_register
from subsmatch.compile.records import Listing, Row
from subsmatch.compile.roles import CURATED, SourceRole, read_csv_comments
from subsmatch.reference import law

ANY_SCHEDULE = "?"


@dataclass(frozen=True)
class Dated:
    """A listing as written to the reference, with the row it rests on."""

    substance_id: str
    listing: Listing
    name_in_list: str
    source: str
    source_row: int
    # a permanent placement a source dates after the listing's own start (the listing was a
    # temporary order before it): its day and act (see :func:`placement`)
    placed: str | None = None
    placed_act: str = ""


@dataclass
class DatingReport:
    removals: list[str] = field(default_factory=list)  # every listing a removal closes
    removals_without_listing: list[str] = field(default_factory=list)
    evidence_after_removal: list[str] = field(default_factory=list)


def _date(listing: Listing) -> str:
    return listing.since or listing.evidence or "9999"


def with_snapshot(
    listing: Listing,
    row: Row,
    roles: dict[str, SourceRole],
    table: list[ListCoverage] | None = None,
) -> Listing:
    """A listing no source dates gets, as evidence, the date from which its whole list is known
    in force (a re-enactment, ``in_force_from`` in curated/lists.csv), else the date its
    source's snapshot speaks of."""
    if listing.since or listing.evidence or listing.change != "add":
        return listing
    coverage = coverage_of(listing.jurisdiction, listing.list, table or [])
    if coverage and coverage.in_force_from:
        date, why = coverage.in_force_from, f"evidence: {coverage.in_force_from_note}"
    elif snapshot := roles[row.source].snapshot:
        date, why = snapshot, f"evidence: the source's snapshot ({snapshot})"
    else:
        return listing
    return replace(listing, evidence=date, note="; ".join(p for p in (listing.note, why) if p))


def closed_by(listing: Listing, removal: Listing, row: Row) -> Listing:
    """``listing`` closed by ``removal``: its day, how precisely it is known, what it did (a
    removal that does not say is a plain removal) and the act that made it."""
    return replace(
        listing,
        until=removal.until,
        until_precision=removal.until_precision,
        until_kind=removal.until_kind or "removed",
        until_act=removal.until_act or removal.act or row.ref,
    )


def removal_line(sid: str, listing: Listing) -> str:
    """How the audit lists a removal.

    >>> removal_line("ik:X", Listing("BE", "BE Annex IVb", "NPS", until="2026-01-01",
    ...     until_precision="year", until_kind="destination_unknown", until_act="AR 2026"))
    'ik:X BE BE Annex IVb: until 2026 (year), destination_unknown, by AR 2026'
    """
    precision = listing.until_precision
    until = listing.until or ""
    shown = until[:4] if precision == "year" else until[:7] if precision == "month" else until
    return (
        f"{sid} {listing.jurisdiction} {listing.list}: until {shown} ({precision}), "
        f"{listing.until_kind}, by {listing.until_act}"
    )


def combine(
    adds: list[tuple[Listing, Row]],
    removes: list[tuple[Listing, Row]],
    report: DatingReport,
    sid: str,
) -> tuple[Listing, Row] | None:
    """One listing from every source's statement of it: the earliest in-force date, else the
    earliest evidence; closed by the first removal after it."""
    if not adds:
        listing, row = min(removes, key=lambda item: item[0].until or "")
        report.removals_without_listing.append(
            f"{sid} {listing.jurisdiction} {listing.list}: removal {row.ref} ({listing.until})"
        )
        return replace(
            closed_by(listing, listing, row),
            change="add",
            since=None,
            evidence=None,
            note=f"start date unknown; {listing.note}".strip("; "),
        ), row
    dated = [item for item in adds if item[0].since]
    primary, row = min(
        dated or adds, key=lambda item: (_date(item[0]), item[1].source, item[1].row)
    )
    others = sorted({f"{r.ref}" for lst, r in adds if r is not row})
    note_parts = [primary.note] if primary.note else []
    earlier = [
        lst.evidence
        for lst, _r in adds
        if lst.evidence and primary.since and lst.evidence < primary.since
    ]
    if earlier:
        note_parts.append(f"a source shows it in force on {min(earlier)}, before this date")
    listing = primary
    start = primary.since or primary.evidence or ""
    closing = sorted(
        ((lst, r) for lst, r in removes if lst.until and lst.until > start),
        key=lambda item: (item[0].until or "", item[1].ref),
    )
    if closing:
        removal, ref = closing[0]
        listing = closed_by(listing, removal, ref)
        note_parts.append(f"removed {listing.until} by {listing.until_act}")
    elif (
        removes
        and not primary.since
        and all((lst.until or "") <= (primary.evidence or "") for lst, _r in removes)
    ):
        lst, r = removes[0]
        report.evidence_after_removal.append(
            f"{sid} {primary.list}: evidence {primary.evidence} from {row.ref} "
            f"after removal {lst.until} ({r.ref})"
        )
        listing = replace(closed_by(listing, lst, r), evidence=None)
        note_parts.append(
            f"removed {lst.until} by {listing.until_act}; "
            "the source listing it speaks of a time before that"
        )
    if others:
        note_parts.append(
            "also: "
            + ", ".join(others[:5])
            + (f" and {len(others) - 5} more" if len(others) > 5 else "")
        )
    if listing.since:
        listing = replace(listing, evidence=None)
    return replace(listing, note="; ".join(note_parts)), row


PLACEMENT_NOTE = "placement;"
"""How the note of a Federal Register final rule placing a substance begins
(``compile/read/federal_register.py``: a placement, not a temporary order or its extension)."""


TEMPORARY_NOTES = ("temporary scheduling order",)
"""How the notes of a temporary scheduling order and of its extension begin
(``compile/read/federal_register.py``)."""


def placement(adds: list[tuple[Listing, Row]], listing: Listing) -> tuple[str | None, str]:
    """The earliest permanent placement (a Federal Register final rule) among a listing's
    sources, when it is later than the listing's own start: the day and act from which the
    listing stands on the placement and not on what came before it (a temporary scheduling
    order, 21 CFR 1308.11(h)). (None, "") when no source gives one.

    A listing whose sources show a temporary scheduling order (or its extension) and no later
    placement stands on that order alone: (None, the order's act and its extensions, after
    :data:`subsmatch.reference.law.TEMPORARY_ONLY`), so that its reach is the order's (the
    optical isomers of 21 CFR 1300.01(b) 'isomer' (1)), not the hallucinogens' of 1308.11(d).

    >>> fr = Row(federal_register.SOURCE, 34, [])
    >>> placed = Listing("US", "CSA Schedule I", "psychotropic", evidence="2022-06-01",
    ...     act="Federal Register 2022-11740 (2022-06-01)", act_date="2022-06-01",
    ...     note="placement; evidence: publication date")
    >>> own = Listing("US", "CSA Schedule I", "psychotropic", evidence="2021-06-18")
    >>> placement([(own, Row("dea_orange_book", 381, [])), (placed, fr)], own)
    ('2022-06-01', 'Federal Register 2022-11740 (2022-06-01)')
    >>> placement([(placed, fr)], placed)
    (None, '')
    >>> order = Listing("US", "CSA Schedule I", "psychotropic", evidence="2023-12-12",
    ...     act="Federal Register 2023-27243 (2023-12-12)", act_date="2023-12-12",
    ...     note="temporary scheduling order; evidence: publication date")
    >>> placement([(own, Row("dea_orange_book", 381, [])), (order, fr)], own)
    (None, 'temporary scheduling order only: Federal Register 2023-27243 (2023-12-12)')
    """
    start = listing.since or listing.evidence or ""
    fr = [(lst, row) for lst, row in adds if row.source == federal_register.SOURCE and lst.act_date]
    placements = sorted(
        (lst.act_date, lst.act)
        for lst, _row in fr
        if lst.note.startswith(PLACEMENT_NOTE) and lst.act_date > start  # type: ignore[operator]
    )
    if placements:
        return placements[0]
    orders = sorted(
        (lst.act_date, lst.act) for lst, _row in fr if lst.note.startswith(TEMPORARY_NOTES)
    )
    if orders and not any(lst.note.startswith(PLACEMENT_NOTE) for lst, _row in fr):
        return None, law.TEMPORARY_ONLY + "; ".join(dict.fromkeys(act for _day, act in orders))
    return None, ""


def date_listings(
    substances: dict[str, Substance], roles: dict[str, SourceRole], report: DatingReport
) -> list[Dated]:
    table = load_coverage()
    dated: list[Dated] = []
    for sid in sorted(substances):
        groups: dict[tuple[str, str], dict[str, list[tuple[Listing, Row]]]] = defaultdict(
            lambda: {"add": [], "remove": []}
        )
        wildcard: list[tuple[Listing, Row]] = []
        for listing, row in substances[sid].listings:
            listing = with_snapshot(listing, row, roles, table)
            if listing.change == "remove" and listing.list.endswith(ANY_SCHEDULE):
                wildcard.append((listing, row))
                continue
            groups[(listing.jurisdiction, listing.list)][listing.change].append((listing, row))
        for (jurisdiction, list_name), found in groups.items():
            prefix = list_name.rsplit(" ", 1)[0]
            found["remove"] += [
                item
                for item in wildcard
                if item[0].jurisdiction == jurisdiction and item[0].list.startswith(prefix)
            ]
        for (_jurisdiction, _list), found in sorted(groups.items()):
            combined = combine(found["add"], found["remove"], report, sid)
            if combined:
                listing, row = combined
                placed, placed_act = placement(found["add"], listing)
                dated.append(
                    Dated(sid, listing, row.first_name, row.source, row.row, placed, placed_act)
                )
                if listing.until:
                    report.removals.append(removal_line(sid, listing))
        if wildcard and not groups:
            for listing, row in wildcard:
                report.removals_without_listing.append(
                    f"{sid} {listing.jurisdiction}: removal {row.ref} ({listing.until}) "
                    "of a substance on no loaded list"
                )
    return dated


@dataclass(frozen=True)
class ListCoverage:
    jurisdiction: str
    pattern: re.Pattern[str]
    coverage: str
    complete_to: str | None
    in_force_from: str | None  # every entry known in force from then (a re-enactment)
    in_force_from_note: str
    note: str


def contract_coverage(coverage: str, complete_to: str | None, note: str) -> tuple[str, str]:
    """The coverage and note a list is written with, under the listings contract: a list known
    complete to a date is "complete" (the list as it stood then is all there), whatever its
    later changes; "partial" never carries a date. A curated "partial" list with a date says
    so in its note.

    >>> contract_coverage("partial", "2015-10-02", "lists I and II")
    ('complete', 'lists I and II; later changes loaded in part')
    >>> contract_coverage("partial", None, "a lower bound")
    ('partial', 'a lower bound')
    >>> contract_coverage("complete", "2025-12-12", "x")
    ('complete', 'x')
    """
    if complete_to is None:
        return "partial", note
    if coverage == "partial":
        return "complete", f"{note}; later changes loaded in part"
    return coverage, note


def load_coverage() -> list[ListCoverage]:
    table = []
    for r in read_csv_comments(CURATED / "lists.csv"):
        complete_to = r["complete_to"] or None
        coverage, note = contract_coverage(r["coverage"], complete_to, r["note"])
        table.append(
            ListCoverage(
                r["jurisdiction"],
                re.compile(r["list"]),
                coverage,
                complete_to,
                r["in_force_from"] or None,
                r["in_force_from_note"],
                note,
            )
        )
    return table


def coverage_of(
    jurisdiction: str, list_name: str, table: list[ListCoverage]
) -> ListCoverage | None:
    return next(
        (c for c in table if c.jurisdiction == jurisdiction and c.pattern.fullmatch(list_name)),
        None,
    )
