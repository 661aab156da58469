"""Reading stored findings back: which ones (the selection rules), cases, rejections, search,
export.

The rules both front ends follow:

- ``flagged`` is a set of statuses (:data:`~subsmatch.vocabulary.FLAGGED`), not a filter on
  one: with explicit statuses it would be ambiguous (all of both, or only those flagged?), so
  the two together are refused (:class:`~subsmatch.errors.InvalidRequest`), on the command line
  and in the API alike.
- A window of days (:mod:`~subsmatch.operations.window`) is over when a finding was made:
  measured, else ingested.
- Only the newest version of each file content is read.
- A finding's status is its verdict's headline at the user's home (``home``): a verdict stored
  for another home is re-headed (:func:`~subsmatch.matchers.verdict.rehead`), and ``flagged``
  keeps only flagged verdicts (a precursor of a category that is not flagged is not).

>>> selection(flagged=True).statuses == tuple(FLAGGED)
True
>>> selection(since=date(2024, 3, 1)).window
(datetime.datetime(2024, 3, 1, 0, 0), None)
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from itertools import islice
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy import Engine

from subsmatch.errors import InvalidRequest, NotFound, UserError
from subsmatch.matchers.structure_search import (
    SearchError,
    query_molecule,
    query_pattern,
    similar_hits,
    substructure_hits,
)
from subsmatch.matchers.verdict import at_home, listed_on
from subsmatch.operations.window import midnight
from subsmatch.reports import export as exporter
from subsmatch.reports.export import spreadsheet_safe, utc_text
from subsmatch.store import queries
from subsmatch.store import search as in_database
from subsmatch.store.models import as_utc
from subsmatch.vocabulary import FINDING_STATUSES, FLAGGED, Status, is_flagged

__all__ = [
    "EXPORT_FORMATS",
    "FINDING_STATUSES",
    "FLAGGED",
    "Selection",
    "brief",
    "case",
    "check_search",
    "export",
    "findings",
    "json_safe",
    "rejections",
    "search",
    "selection",
    "spreadsheet_safe",
    "utc_text",
]

EXPORT_FORMATS = exporter.FORMATS
SEARCH_ENGINES = ("auto", "database", "python")
BRIEF_FIELDS = (
    "file",
    "case_id",
    "item_id",
    "technique",
    "measured_at",
    "rank",
    "name",
    "cas",
    "status",
    "resolved_name",
    "via",
    "confidence",
    "lists",
    "locator",
)


KEPT_STATUSES = frozenset({"no_hit", Status.UNRESOLVED})
"""Stored statuses no home changes (no substance to judge)."""


@dataclass(frozen=True)
class Selection:
    """Which stored findings: these statuses (none: all) or the flagged ones, one case, a
    window of days; their statuses as headlines at ``home`` (None: as stored)."""

    statuses: tuple[str, ...] = ()
    case: str | None = None
    since: date | None = None
    until: date | None = None
    flagged: bool = False
    home: tuple[str, ...] | None = None

    @property
    def window(self) -> tuple[datetime | None, datetime | None]:
        """From ``since`` to before ``until``, each at 00:00 UTC."""
        return midnight(self.since), midnight(self.until)

    @property
    def stored_statuses(self) -> tuple[str, ...]:
        """The stored statuses that may have a status chosen at home (none: all)."""
        if self.home is None or not self.statuses:
            return self.statuses
        return tuple(s for s in FINDING_STATUSES if s not in KEPT_STATUSES or s in self.statuses)

    def takes(self, row: dict) -> bool:
        """Whether a finding (its status at home) is selected."""
        if self.flagged:
            return is_flagged(row["status"], (row["verdict"] or {}).get("flagged"))
        return not self.statuses or row["status"] in self.statuses


def selection(
    *,
    flagged: bool = False,
    statuses: tuple[str, ...] = (),
    case: str | None = None,
    since: date | None = None,
    until: date | None = None,
    home: Sequence[str] | None = None,
) -> Selection:
    """The selection asked for; raises :class:`InvalidRequest` for ``flagged`` with
    ``statuses``, and for a status no finding can have. ``home``: the jurisdictions statuses
    speak for (the front end's setting)."""
    if flagged and statuses:
        raise InvalidRequest(
            "{flagged} cannot be combined with {status}: {flagged} means "
            + " ".join(f"{{status={s}}}" for s in FLAGGED)
            + "; give the {status} options you want instead"
        )
    unknown = [s for s in statuses if s not in FINDING_STATUSES]
    if unknown:
        raise InvalidRequest(
            f"unknown status {', '.join(unknown)}; choose from {', '.join(FINDING_STATUSES)}",
            option="status",
        )
    wanted = tuple(FLAGGED) if flagged else tuple(dict.fromkeys(statuses))
    return Selection(wanted, case, since, until, flagged, tuple(home) if home else None)


def findings(
    engine: Engine, chosen: Selection = Selection(), limit: int | None = None
) -> Iterator[dict]:
    """Stored findings with their resolution and verdict, newest files first (streamed), with
    their statuses at ``chosen.home``."""
    since, until = chosen.window
    exact = chosen.home is None and not chosen.flagged  # the database selects and counts alone
    rows = queries.findings(
        engine,
        statuses=chosen.stored_statuses,
        case=chosen.case,
        since=since,
        until=until,
        limit=limit if exact else None,
    )
    return islice((r for r in at_home_rows(rows, chosen.home) if chosen.takes(r)), limit)


def at_home_rows(rows: Iterable[dict], home: tuple[str, ...] | None) -> Iterator[dict]:
    """Stored findings with the headline of their verdict at ``home`` (None: as stored); each
    distinct verdict is re-headed once (findings share them)."""
    seen: dict[int, dict] = {}
    for row in rows:
        verdict = row["verdict"]
        if home is None or not verdict or row["status"] in KEPT_STATUSES:
            yield row
            continue
        if id(verdict) not in seen:
            seen[id(verdict)] = at_home(verdict, home)
        mine = seen[id(verdict)]
        yield row if mine is verdict else {**row, "verdict": mine, "status": mine["status"]}


def brief(row: dict) -> dict:
    """A stored finding in brief, JSON-safe: where, what was printed, what it resolved to, the
    lists that control it, the scores and the data version."""
    out = {key: row[key] for key in BRIEF_FIELDS if key in row}
    out["measured_at"] = utc_text(row["measured_at"])
    out["lists"] = list(listed_on(row["verdict"])) if row["verdict"] else []
    out["scores"] = row["scores"]
    out["data_version"] = row["data_version"]
    return out


@dataclass(frozen=True)
class Case:
    """What the database holds of one case: its findings in file and report order, and its
    rows that became no finding (a case may have only those: every row of it rejected)."""

    findings: list[dict]
    rejections: list[dict]


def case(engine: Engine, case_id: str) -> Case:
    """One case; :class:`NotFound` when the database holds neither a finding nor a rejected
    row of it. Rejection reasons keep their option fields for the front end to word."""
    found = Case(
        queries.case_findings(engine, case_id), list(queries.rejections(engine, case=case_id))
    )
    if not found.findings and not found.rejections:
        raise NotFound(
            f"no case {case_id!r} in the database",
            "give its number as the report prints it; the findings list the cases",
        )
    return found


def rejections(
    engine: Engine, source: str | None = None, limit: int | None = None, case: str | None = None
) -> list[dict]:
    """Stored rejections, newest files first; ``source``: one file, by its name or its end
    (:class:`NotFound` when no such file was ever ingested: "no rejections" would say that
    every row of it was read); ``case``: the rows of one case.

    Reasons keep their option fields (``{encoding}``) for the front end to word."""
    rows = list(queries.rejections(engine, source=source, limit=limit, case=case))
    if source and not rows and not queries.ingested(engine, source):
        raise NotFound(
            f"no file named {source!r} was ever ingested",
            "give its name as ingested, or the end of it (each finding names its file)",
        )
    return rows


def json_safe(value: Any) -> Any:
    """Datetimes and dates as ISO 8601 text (naive datetimes are UTC, as stored)."""
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    if isinstance(value, datetime):
        return as_utc(value).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def check_search(substructure: str | None, similar: str | None) -> str:
    """Which of the two a search asks for ("substructure" or "similar"); raises
    :class:`InvalidRequest` unless exactly one is given and it can be read (a front end may
    ask before it opens the database)."""
    if bool(substructure) == bool(similar):
        raise InvalidRequest("give exactly one of {substructure=SMARTS} or {similar=SMILES}")
    option = "substructure" if substructure else "similar"
    try:
        query_pattern(substructure) if substructure else query_molecule(similar)
    except SearchError as error:
        raise InvalidRequest(error.reason, error.hint, option=option) from None
    return option


@dataclass(frozen=True)
class Found:
    """What a structure search found: the findings in brief with their similarity (None for a
    substructure search), most similar first; where it searched; how many structures matched."""

    rows: list[dict]
    in_database: bool
    structures: int


def search(
    engine: Engine,
    *,
    substructure: str | None = None,
    similar: str | None = None,
    minimum: float = 0.6,
    where: str = "auto",
    limit: int | None = None,
) -> Found:
    """Findings whose structure holds the SMARTS ``substructure``, or is at least ``minimum``
    similar to the SMILES ``similar`` (exactly one of the two).

    ``where``: "database" searches inside PostgreSQL with the RDKit cartridge, "python" in this
    process, "auto" in the database when the cartridge is there. Both give the same answers.
    """
    option = check_search(substructure, similar)
    cartridge = where != "python" and in_database.cartridge_available(engine)
    if where == "database" and not cartridge:
        raise UserError(
            "no RDKit cartridge in this database (PostgreSQL with postgresql-15-rdkit); "
            "use {engine=python}"
        )
    try:
        if cartridge:
            scores = (
                dict.fromkeys(in_database.substructure_ids(engine, substructure), None)
                if substructure
                else in_database.similar_ids(engine, similar, minimum)
            )
        else:
            stored = in_database.structures(engine)
            scores = (
                dict.fromkeys(substructure_hits(stored, substructure), None)
                if substructure
                else similar_hits(stored, similar, minimum)
            )
    except SearchError as error:
        raise InvalidRequest(error.reason, error.hint, option=option) from None
    rows = []
    for row in queries.findings(engine, resolution_ids=scores, limit=limit):
        out = brief(row)
        out["similarity"] = scores[row["resolution_id"]]
        rows.append(out)
    rows.sort(key=lambda r: -(r["similarity"] or 0))
    return Found(rows, cartridge, len(scores))


def export(engine: Engine, chosen: Selection, fmt: str, out: TextIO | Path) -> int:
    """Write the selected findings with their verdicts as CSV, JSON, Parquet or SDF to ``out``
    (a file path, or an open text stream for the text formats); returns how many.

    CSV cells a spreadsheet would run as a formula are neutralised.
    """
    if fmt not in EXPORT_FORMATS:
        raise InvalidRequest(
            f"unknown export format {fmt!r}; choose from {', '.join(EXPORT_FORMATS)}",
            option="format",
        )
    if fmt == "parquet" and not isinstance(out, Path):
        raise InvalidRequest("{format=parquet} writes a binary file: give {out=FILE}")
    rows = findings(engine, chosen)
    if fmt == "parquet":
        return exporter.write_parquet(rows, out)
    writer = {"csv": exporter.write_csv, "json": exporter.write_json, "sdf": exporter.write_sdf}
    if isinstance(out, Path):
        with out.open("w", encoding="utf-8", newline="") as handle:
            return writer[fmt](rows, handle)
    return writer[fmt](rows, out)
