"""Load the shipped reference tables; filter list memberships by jurisdiction and date.

The tables are Parquet files read with pyarrow (no pandas on the start-up path). :func:`load`
keeps what it read in the start-up cache (:mod:`subsmatch.startup`): a process that finds it
there neither imports pyarrow nor makes the records again.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, fields
from datetime import date
from functools import cache, cached_property, partial
from itertools import starmap
from pathlib import Path
from typing import TYPE_CHECKING

from subsmatch import startup
from subsmatch.reference import law
from subsmatch.reference.law import CONTROLLING_KINDS as CONTROLLING_KINDS  # law, re-exported
from subsmatch.reference.law import State, listing_state
from subsmatch.substances.structures import StructureKeys

if TYPE_CHECKING:
    import pyarrow as pa

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
    inchikey_only: bool = False  # known only by its InChIKey (no drawable structure)
    material: str = ""  # plant, preparation or group: an entry that names no single structure
    structure_doubt: str = ""  # why its structure is in doubt: one unreviewed drawing alone
    # a product's typical contents as the sources give them, "; "-separated (material "product")
    contents: str = ""
    made_of: str = ""  # a preparation named without a structure: the drug it is made of (its id)
    # a product's contents as the compiler settled them: one substance id per content, in the
    # order of ``contents``, ";"-separated ("" for a content naming a class)
    content_ids: str = ""

    @property
    def keys(self) -> StructureKeys | None:
        """The stored keys of its structure (standardised at build time); None without one."""
        if not self.smiles:
            return None
        return StructureKeys(
            self.smiles,
            self.inchikey,  # type: ignore[arg-type]
            self.connectivity,  # type: ignore[arg-type]
            self.formula,  # type: ignore[arg-type]
            self.mass,  # type: ignore[arg-type]
            self.labelled,
        )


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
    category: str = ""  # precursor category ("1", "2A" ... for the EU; "I"/"II" for tables)
    evidence: str | None = None  # without since: the earliest date a source shows it in force
    act_date: str | None = None
    note: str = ""
    until_precision: str = "day"  # how precisely the removal's day is known: day | month | year
    until_kind: str = ""  # "" | removed | moved | destination_unknown
    until_act: str = ""  # the instrument that made the removal
    # a permanent placement later than the listing's start (it was a temporary order before):
    # its day and act (``compile.dating.placement``)
    placed: str | None = None
    placed_act: str = ""

    def state(self, as_of: date | None, today: date | None = None) -> State:
        """Where the listing stands on ``as_of`` (None: now); the rule is law's."""
        return listing_state(
            self.since,
            self.since_precision,
            self.evidence,
            self.until,
            as_of,
            today,
            self.until_precision,
            self.until_kind,
        )

    def removal_pending(self, as_of: date | None, today: date | None = None) -> bool:
        """Whether its removal (not its start) makes the listing ``unknown`` on ``as_of``."""
        day = as_of or today or date.today()
        return law.removal_pending(self.until, self.until_precision, self.until_kind, day)

    def in_force(self, as_of: date | None) -> bool:
        """True when the listing surely applies on ``as_of`` (None: now).

        A listing without a start date is in force from its earliest evidence; a year- or
        month-precise start counts from the end of its year or month; a removal ends it from its
        day, and leaves it unknown within a year or month, or after a repeal whose destination
        the sources do not give (:func:`subsmatch.reference.law.listing_state`).
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
    complete_to: str | None  # the date to which the loaded list is known complete
    note: str
    with_structure: int = 0
    name_only: int = 0  # entries without a structure, plant material and preparations aside
    name_only_excepted: int = 0  # plant material, preparations and groups (no single structure)
    coverage: str = "partial"  # complete | partial


@dataclass(frozen=True)
class NameRecord:
    """A name of a reference substance, as the names table gives it."""

    substance_id: str
    name: str
    key: str
    kind: str
    source: str
    source_row: int
    region: str  # street names: "" (any), "EU", "US", "global" or a country code
    language: str
    fuzzy: bool = True  # False: found by its own spelling only, never by a near-spelling


class Reference:
    """The reference data in memory, indexed for the matchers."""

    def __init__(self, data_dir: Path = DATA_DIR) -> None:
        self.data_dir = data_dir
        version = json.loads((data_dir / "VERSION.json").read_text())
        self.version: str = version["data_version"]
        self.name_key_version: str | None = version.get("name_key_version")
        self.substances = {
            r.substance_id: r for r in _records(data_dir / "substances.parquet", SubstanceRecord)
        }
        self.listings: dict[str, list[ListEntry]] = defaultdict(list)
        for entry in _records(data_dir / "listings.parquet", ListEntry):
            self.listings[entry.substance_id].append(entry)
        names = _table(data_dir / "names.parquet", ["name", "substance_id", "region", "key"])
        # the rows of names found by their own spelling only, never by a near-spelling
        self.exact_only_rows: list[int] = _unset_rows(data_dir / "names.parquet", "fuzzy")
        self.names: list[tuple[str, str]] = list(
            zip(
                names.column("name").to_pylist(),
                names.column("substance_id").to_pylist(),
                strict=True,
            )
        )
        self._name_columns = {c: names.column(c).to_pylist() for c in ("region", "key")}
        self.lists = _records(data_dir / "lists.parquet", ListInfo)
        self.exclusions = _records(data_dir / "exclusions.parquet", StereoExclusion)
        self.by_inchikey: dict[str, str] = {}
        self.by_connectivity: dict[str, list[str]] = defaultdict(list)
        self.by_cas: dict[str, list[str]] = defaultdict(list)
        for record in self.substances.values():
            if record.inchikey:
                self.by_inchikey[record.inchikey] = record.substance_id
                self.by_connectivity[record.connectivity].append(record.substance_id)
            if record.cas:
                for cas in record.cas.split(";"):
                    self.by_cas[cas].append(record.substance_id)

    def name_rows(self) -> list[tuple[str, str, str]]:
        """(name, substance id, region) of every name; region "" for names used anywhere."""
        return [
            (n, sid, r)
            for (n, sid), r in zip(self.names, self._name_columns["region"], strict=True)
        ]

    def name_keys(self, key_version: str) -> list[str] | None:
        """The stored lookup keys of the names, aligned with :attr:`names`, when the table was
        written by the normaliser ``key_version`` (``name_key_version`` in VERSION.json);
        None otherwise (the keys must then be made again)."""
        if self.name_key_version != key_version:
            return None
        return self._name_columns["key"]

    @cached_property
    def name_records(self) -> list[NameRecord]:
        """Every name with its kind, source, region and language (read when first asked)."""
        return [NameRecord(**r) for r in _rows(self.data_dir / "names.parquet")]

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


TABLES = ("substances", "listings", "names", "lists", "exclusions")  # what a Reference reads


def _table(path: Path, columns: list[str] | None = None) -> pa.Table:
    """The Parquet table at ``path`` (``read_table`` would import pandas: 0.15 s)."""
    # imported here: a start-up that finds the reference in the start-up cache reads no Parquet,
    # and importing pyarrow alone takes a fifth of a second
    import pyarrow.parquet as pq

    return pq.ParquetFile(path).read(columns=columns)


def _unset_rows(path: Path, column: str) -> list[int]:
    """The positions of the rows whose boolean ``column`` is false (none when the table has no
    such column: a table written before it)."""
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    source = pq.ParquetFile(path)
    if column not in source.schema_arrow.names:
        return []
    values = source.read(columns=[column]).column(column)
    return pc.indices_nonzero(pc.invert(values.fill_null(True))).to_pylist()


def _rows(path: Path) -> list[dict]:
    return _table(path).to_pylist()


def _records(path: Path, record: type) -> list:
    """The table's rows as ``record`` dataclasses, built from its columns (a column per field,
    read whole: several times faster than a dict per row)."""
    table = _table(path)
    names = [f.name for f in fields(record) if f.name in table.column_names]
    columns = [table.column(name).to_pylist() for name in names]
    if len(names) == len(fields(record)):  # every field stored: positional, in field order
        return list(starmap(record, zip(*columns, strict=True)))
    rows = zip(*columns, strict=True)
    return [record(**dict(zip(names, values, strict=True))) for values in rows]


def sources(data_dir: Path = DATA_DIR) -> list[Path]:
    """What a :class:`Reference` is made from: its tables, and the code that reads them."""
    tables = [data_dir / f"{name}.parquet" for name in TABLES]
    return [data_dir / "VERSION.json", *tables, Path(__file__), Path(law.__file__)]


@cache
def load(data_dir: Path = DATA_DIR) -> Reference:
    """The reference data of ``data_dir`` (default: the shipped one), loaded once per process,
    from the start-up cache when it was kept from the same files."""
    return startup.kept(
        "reference", sources(data_dir), partial(Reference, data_dir), extra=[str(data_dir)]
    )
