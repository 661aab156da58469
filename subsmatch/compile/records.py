"""What the readers yield and the later steps pass on: source rows, their names and listings.

A :class:`Row` is what one row of one source table says: names, CAS numbers, a given structure
or InChIKey, list memberships with their dates. It says nothing about which substance it is:
that is settled by :mod:`subsmatch.compile.identify` from the row's facts.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

NAME_KINDS = (
    "preferred",  # the name the list prints first
    "inn",  # an international non-proprietary name
    "code",  # a code or abbreviation (2C-B, MDMB-4en-PINACA, BMK)
    "other",  # any other name the list gives
    "systematic",  # a chemical (IUPAC-style) name
    "trade",  # a brand or trade name
    "street",  # a street or slang name (with a region)
    "curated",  # a systematic name a person gave the row (curated/overrides.csv)
)

MATERIALS = ("plant", "preparation", "group", "product")
"""Entries that name no single structure: plant material (mushroom species, khat, coca leaf),
preparations (compound medicines, oils, extracts), groups (isomers, esters, a class defined by
its effect) and products (what is sold under a name whose contents vary from batch to batch:
'Spice', 'pink cocaine': ``curated/products.csv``, with their typical contents). They are listed
as such in the audit and excepted from the name-only share."""


UNTIL_KINDS = ("removed", "moved", "destination_unknown")
"""What a removal did: ``removed`` (the substance left this list and the source says it left
control with it, or where it went is loaded), ``moved`` (moved to another list the source names),
``destination_unknown`` (the line was repealed, and the sources do not say whether the substance
left control or moved to another list: an act that re-arranges the lists, a struck line)."""


@dataclass(frozen=True)
class Name:
    """One name a row gives, with its kind, language and (for street names) region."""

    text: str
    kind: str = "other"
    language: str = ""
    region: str = ""


@dataclass(frozen=True)
class Listing:
    """One membership of the row's substance in a control list, as the source states it.

    ``change`` says what the row does to the list: ``add`` (the substance is on the list),
    ``remove`` (a removal that took effect on ``until``, known to ``until_precision``).
    ``until_kind`` says what the removal did (:data:`UNTIL_KINDS`).
    """

    jurisdiction: str
    list: str
    kind: str  # narcotic | psychotropic | NPS | precursor | monitored
    category: str = ""
    since: str | None = None  # in-force date (ISO), when the source gives one
    since_precision: str = "day"  # day | month | year
    evidence: str | None = None  # earliest date a source shows it in force (when no since)
    until: str | None = None
    until_precision: str = "day"  # day | month | year: how precisely the removal's day is known
    until_kind: str = ""  # "" (no removal) or one of UNTIL_KINDS
    until_act: str = ""  # the instrument that made the removal
    act: str = ""
    act_date: str | None = None
    note: str = ""
    change: str = "add"  # add | remove

    def dated(self, **changes: object) -> Listing:
        return replace(self, **changes)


@dataclass
class Row:
    """What one source row says about one substance (or one notice about one substance)."""

    source: str  # the source table, as curated/source_roles.csv names it
    row: int  # line in the source file (header = line 1); notices: line of the notice
    names: list[Name]
    cas: list[str] = field(default_factory=list)
    structure: str | None = None  # a given SMILES, InChI or molfile
    inchikey: str | None = None  # a given InChIKey without a drawable structure (DrugBank)
    formula: str | None = None
    listings: list[Listing] = field(default_factory=list)
    label: str = ""  # street and synonym tables: the substance their names belong to
    material: str = ""  # "" or one of MATERIALS
    note: str = ""
    trust: str = ""  # overrides the source's trust in its structures ("curated": set by a person)
    # why a person could not settle what the row names (curated): when it stays name-only, it is
    # excepted from its list's name-only share and the audit gives this reason
    unsettled: str = ""
    # names the source gives as positional isomers of this row's substance: other substances
    # (see compile/isomers.py), never names of it
    isomers: list[str] = field(default_factory=list)
    # a product's typical contents as the sources give them ("ketamine", "2C-B (originally)")
    contents: list[str] = field(default_factory=list)

    @property
    def ref(self) -> str:
        """``source:row``, how the report and the audit point to a row."""
        return f"{self.source}:{self.row}"

    @property
    def first_name(self) -> str:
        return self.names[0].text if self.names else self.label
