"""Load the shipped reference tables; filter list memberships by jurisdiction and date.

The tables are Parquet files read with pyarrow (no pandas on the start-up path): loading all
of them takes a few tens of milliseconds.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

import pyarrow.parquet as pq

from subsmatch.reference.law import CONTROLLING_KINDS as CONTROLLING_KINDS  # law, re-exported
from subsmatch.reference.law import State, listing_state

DATA_DIR = Path(__file__).parent / "data"

LIST_JURISDICTIONS = ("UN", "EU", "BE", "NL", "LU", "DE", "US", "CN")  # lists are loaded for these
RULE_ONLY_JURISDICTIONS = ("UK",)  # generic clauses only: no list data to say "not listed"
JURISDICTIONS = LIST_JURISDICTIONS + RULE_ONLY_JURISDICTIONS


@dataclass(frozen=True)
class SubstanceRecord:
    """A reference substance: a structure when one is known, always a name."""

    substance_id: str
    name: str
    smiles: str | None
    inchikey: str | None
    connectivity: str | None
    formula: str | None
    mass: float | None
    labelled: bool
    has_stereo: bool
    cas: str
    structure_source: str


@dataclass(frozen=True)
class ListEntry:
    """One membership of a substance in a list, with where the fact comes from."""

    substance_id: str
    jurisdiction: str
    list: str
    kind: str
    since: str | None
    since_precision: str
    until: str | None
    act: str
    name_in_list: str
    source: str
    source_row: int
    category: str = ""  # the precursor category as the law names it ("1", "2A", "I" ...)
    evidence: str | None = None  # without a start date: earliest date a source shows it in force
    act_date: str | None = None
    note: str = ""

    def state(self, as_of: date | None) -> State:
        """Where the listing stands on ``as_of`` (None: now); the rule is law's."""
        return listing_state(self.since, self.since_precision, self.evidence, self.until, as_of)

    def in_force(self, as_of: date | None) -> bool:
        """True when the listing surely applies on ``as_of`` (None: now).

        A listing without a start date is in force from its earliest evidence; a year- or
        month-precise start counts from the end of its year or month
        (:func:`subsmatch.reference.law.listing_state`).
        """
        return self.state(as_of) is State.IN_FORCE

    @property
    def since_display(self) -> str | None:
        if not self.since:
            return None
        return self.since[:4] if self.since_precision == "year" else self.since


@dataclass(frozen=True)
class StereoExclusion:
    """A stereoisomer that the law excludes although a related isomer or racemate is listed."""

    name: str
    inchikey: str
    jurisdictions: str  # "*" or codes separated by ";"
    excluded_from: str
    citation: str

    def applies_to(self, jurisdiction: str) -> bool:
        return self.jurisdictions == "*" or jurisdiction in self.jurisdictions.split(";")


@dataclass(frozen=True)
class ListInfo:
    jurisdiction: str
    list: str
    kind: str
    entries: int
    complete_to: str | None
    note: str
    coverage: str = ""  # "complete" (to complete_to) or "partial"
    with_structure: int = 0
    name_only: int = 0
    name_only_excepted: int = 0


class Reference:
    """The reference data in memory, indexed for the matchers."""

    def __init__(self, data_dir: Path = DATA_DIR) -> None:
        self.data_dir = data_dir
        version = json.loads((data_dir / "VERSION.json").read_text())
        self.version: str = version["data_version"]
        self.name_key_version: str | None = version.get("name_key_version")
        self.substances = {
            r["substance_id"]: SubstanceRecord(**r) for r in _rows(data_dir / "substances.parquet")
        }
        self.listings: dict[str, list[ListEntry]] = defaultdict(list)
        for row in _rows(data_dir / "listings.parquet"):
            self.listings[row["substance_id"]].append(ListEntry(**row))
        names = pq.ParquetFile(data_dir / "names.parquet").read()
        self.names: list[tuple[str, str]] = list(
            zip(
                names.column("name").to_pylist(),
                names.column("substance_id").to_pylist(),
                strict=True,
            )
        )
        self._name_columns = {  # read by the name index: the region of a street name, the key
            c: names.column(c).to_pylist() for c in ("region", "key") if c in names.column_names
        }
        self.lists = [ListInfo(**r) for r in _rows(data_dir / "lists.parquet")]
        self.exclusions = [StereoExclusion(**r) for r in _rows(data_dir / "exclusions.parquet")]
        self.by_inchikey: dict[str, str] = {}
        self.by_connectivity: dict[str, list[str]] = defaultdict(list)
        self.by_cas: dict[str, list[str]] = defaultdict(list)
        for record in self.substances.values():
            if record.inchikey:
                self.by_inchikey[record.inchikey] = record.substance_id
                self.by_connectivity[record.connectivity].append(record.substance_id)
            for cas in filter(None, record.cas.split(";")):
                self.by_cas[cas].append(record.substance_id)

    def name_rows(self) -> list[tuple[str, str, str]]:
        """(name, substance id, region) of every name; region "" where the table has none."""
        regions = self._name_columns.get("region") or [""] * len(self.names)
        return [(n, sid, r or "") for (n, sid), r in zip(self.names, regions, strict=True)]

    def name_keys(self, key_version: str) -> list[str] | None:
        """The stored lookup keys of the names, aligned with :attr:`names`, when the table was
        written by the normaliser ``key_version`` (``name_key_version`` in VERSION.json);
        None otherwise (the keys must then be made again)."""
        if self.name_key_version != key_version:
            return None
        return self._name_columns.get("key")

    def entries(
        self,
        substance_id: str,
        jurisdictions: tuple[str, ...] | None = None,
        as_of: date | None = None,
    ) -> list[ListEntry]:
        """The listings of a substance in force on ``as_of`` in the given jurisdictions."""
        return [
            e
            for e in self.listings.get(substance_id, ())
            if (jurisdictions is None or e.jurisdiction in jurisdictions) and e.in_force(as_of)
        ]

    def first_listed(self, substance_id: str) -> date | None:
        """The earliest dated controlling listing of a substance (any jurisdiction)."""
        dates = [
            date.fromisoformat(e.since)
            for e in self.listings.get(substance_id, ())
            if e.since and e.kind in CONTROLLING_KINDS
        ]
        return min(dates, default=None)

    def exclusions_for(self, inchikey: str) -> list[StereoExclusion]:
        return [x for x in self.exclusions if x.inchikey == inchikey]


def _rows(path: Path) -> list[dict]:
    return pq.ParquetFile(path).read().to_pylist()  # read_table would import pandas (0.15 s)


@cache
def load(data_dir: Path = DATA_DIR) -> Reference:
    """The shipped reference data, loaded once per process."""
    return Reference(data_dir)
