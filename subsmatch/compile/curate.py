"""Step 1b, curate: what a person settled (``curated/overrides.csv``), and which control-list
entries name no single structure (plant material, preparations, groups: ``curated/materials.csv``;
products: ``curated/products.csv``). The rows of one plant material that lists name in their own
words are given one entry's name (``curated/plant_entries.csv``), and street-name labels that
name a product or a plant entry are that entry's (:func:`relabel`).

Overrides are applied to the rows they name and each is reported, applied or not (a row that is
no longer where the override says is not silently skipped). A description of several sentences is
not a name: it is dropped from a row's names once materials are classified.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from subsmatch.compile.merge import Dropped
from subsmatch.compile.records import MATERIALS, Name, Row
from subsmatch.compile.roles import CURATED, SourceRole, read_csv_comments
from subsmatch.substances.names import normalise

DECISIONS = (
    "structure",
    "drop_cas",
    "drop_name",
    "add_name",
    "add_systematic_name",
    "material",
    "unsettled",
    "skip",
)
PROSE_WORDS = 12  # a "name" longer than this many words is a description
# a plant row's name made only of words for plants and their parts ("Pflanzen und Pflanzenteile")
# describes, it names no plant: it would join unrelated plants (name-only rows sharing a name are
# one substance: BtMG's Salvia divinorum and Papaver bracteatum)
PLANT_PARTS = re.compile(
    r"(?:(?:pflanzen(?:teile)?|teile|plant(?:e|es|s)?|parts?|leaves|bladeren|feuilles|planten"
    r"|und|and|et|en|of|de|des|der|die|van)[\s,;.]*)+",
    re.I,
)


@dataclass(frozen=True)
class Override:
    source: str
    row: int
    name: str
    decision: str
    value: str
    reason: str


@dataclass
class Applied:
    override: Override
    applied: bool
    detail: str = ""


@dataclass
class Curation:
    overrides: list[Applied] = field(default_factory=list)
    materials: dict[str, list[str]] = field(default_factory=dict)  # material -> row refs
    dropped: list[Dropped] = field(default_factory=list)  # names of listed isomers (isomers.py)
    plant_entries: dict[str, list[str]] = field(default_factory=dict)  # entry -> row refs
    relabelled: int = 0  # street and synonym rows whose label names a product or plant entry


def load_overrides(path: Path = CURATED / "overrides.csv") -> list[Override]:
    found = []
    for row in read_csv_comments(path):
        if row["decision"] not in DECISIONS:
            raise ValueError(
                f"{path.name}: {row['source']}:{row['row']}: unknown decision {row['decision']!r}"
            )
        found.append(
            Override(
                row["source"],
                int(row["row"]),
                row["name"],
                row["decision"],
                row["value"],
                row["reason"],
            )
        )
    return found


def _names_row(row: Row, name: str) -> bool:
    key = normalise(name).key
    return any(normalise(n.text).key == key for n in row.names)


def apply_override(row: Row, override: Override) -> str:
    """Apply one decision to the row it names; returns what was done."""
    if override.decision == "structure":
        row.structure = override.value or None
        row.inchikey = None
        row.trust = "curated"
        return f"structure set to {override.value}" if override.value else "structure withdrawn"
    if override.decision == "drop_cas":
        row.cas = [c for c in row.cas if c != override.value]
        return f"CAS {override.value} dropped"
    if override.decision == "drop_name":
        row.names = [n for n in row.names if normalise(n.text).key != normalise(override.value).key]
        return f"name {override.value!r} dropped"
    if override.decision in ("add_name", "add_systematic_name"):
        kind = "curated" if override.decision == "add_systematic_name" else "other"
        row.names.append(Name(override.value, kind, "en"))
        return f"{kind} name {override.value!r} added"
    if override.decision == "material":
        row.material = override.value
        return f"marked {override.value}"
    if override.decision == "unsettled":
        row.unsettled = override.reason
        return "left unsettled: excepted from the name-only share while it has no structure"
    row.listings, row.names = [], []  # skip: the row says nothing any more
    return "row not read into the reference"


def apply_overrides(rows: list[Row], overrides: list[Override], curation: Curation) -> list[Row]:
    by_ref: dict[tuple[str, int], list[Row]] = {}
    for row in rows:
        by_ref.setdefault((row.source, row.row), []).append(row)
    for override in overrides:
        targets = [
            r
            for r in by_ref.get((override.source, override.row), [])
            if _names_row(r, override.name)
        ]
        if len(targets) != 1:
            detail = "no such row" if not targets else f"{len(targets)} rows match"
            curation.overrides.append(Applied(override, False, detail))
            continue
        curation.overrides.append(Applied(override, True, apply_override(targets[0], override)))
    return [row for row in rows if row.names or row.listings or row.note]


@dataclass(frozen=True)
class MaterialPattern:
    pattern: re.Pattern[str]
    material: str


def load_materials(path: Path = CURATED / "materials.csv") -> list[MaterialPattern]:
    patterns = []
    for row in read_csv_comments(path):
        if row["material"] not in MATERIALS:
            raise ValueError(f"{path.name}: unknown material {row['material']!r}")
        patterns.append(MaterialPattern(re.compile(row["pattern"], re.I), row["material"]))
    return patterns


def material_of(row: Row, patterns: list[MaterialPattern]) -> str:
    """The material a control-list row names, judged by its first name (and, for plant material,
    by its descriptions too: "de bladeren van de plant Catha edulis"). A description's prose
    ("un médicament ... autorisé") does not make a substance a preparation.

    >>> pats = load_materials()
    >>> qat = Row("x", 2, [Name("Qat"), Name("de bladeren van Catha Edulis", "systematic")])
    >>> material_of(qat, pats)
    'plant'
    >>> heroin = Row("x", 2, [Name("Heroinum"), Name("Toutefois un médicament", "systematic")])
    >>> material_of(heroin, pats)
    ''
    >>> material_of(Row("x", 2, [Name("Cannabidiol")]), pats)
    ''
    >>> material_of(Row("x", 2, [Name("THC")]), pats)
    ''
    """
    first = [row.names[0].text] if row.names else []
    descriptions = [n.text for n in row.names[1:] if n.kind == "systematic"]
    for pattern in patterns:
        texts = first + descriptions if pattern.material == "plant" else first
        if any(pattern.pattern.search(text) for text in texts):
            return pattern.material
    return ""


def classify_materials(rows: list[Row], roles: dict[str, SourceRole], curation: Curation) -> None:
    """Mark plant material, preparations and groups among the rows of substance-making tables;
    their descriptions stop being names, and a group keeps only its own first name."""
    patterns = load_materials()
    for row in rows:
        if roles[row.source].makes_substances and not row.material:
            found = material_of(row, patterns)
            # a row that gives a structure names a substance, not a preparation or a group
            # ("JWH-018 adamantoyl derivative"); plant names win (BE gives peyote a structure)
            if found == "plant" or (found and not row.structure):
                row.material = found
        if row.material:
            curation.materials.setdefault(row.material, []).append(row.ref)
            kept = [n for n in row.names if n.kind != "systematic"]
            row.names = kept[:1] if row.material == "group" else kept
            row.structure = row.inchikey = None
        row.names = row.names[:1] + [
            n
            for n in row.names[1:]
            if len(n.text.split()) <= PROSE_WORDS
            and not (row.material == "plant" and PLANT_PARTS.fullmatch(n.text.strip()))
        ]


@dataclass(frozen=True)
class PlantEntry:
    """One plant material that lists name in different words (``curated/plant_entries.csv``)."""

    entry: str
    pattern: re.Pattern[str]
    names: tuple[Name, ...]
    labels: tuple[str, ...]
    reason: str
    source: str


def _cells(cell: str, sep: str = "|") -> list[str]:
    return [part.strip() for part in cell.split(sep) if part.strip()]


def load_plant_entries(path: Path = CURATED / "plant_entries.csv") -> list[PlantEntry]:
    """The plant entries, each name of ``names`` as ``language:name``."""
    found = []
    for row in read_csv_comments(path):
        names = []
        for cell in _cells(row["names"]):
            language, _, text = cell.partition(":")
            names.append(Name(text.strip(), "other", language.strip()))
        found.append(
            PlantEntry(
                row["entry"],
                re.compile(row["pattern"], re.I),
                tuple(names),
                tuple(_cells(row["labels"])),
                row["reason"],
                row["source"],
            )
        )
    return found


def plant_entry_of(row: Row, entries: list[PlantEntry]) -> PlantEntry | None:
    """The plant entry one of a plant row's names is (the whole name matches its pattern).

    >>> entries = load_plant_entries()
    >>> plant_entry_of(Row("x", 2, [Name("cocablad")], material="plant"), entries).entry
    'coca leaf'
    >>> plant_entry_of(Row("x", 2, [Name("concentraat van bolkaf")], material="plant"),
    ...                entries).entry
    'concentrate of poppy straw'
    >>> plant_entry_of(Row("x", 2, [Name("hennepolie")], material="plant"), entries) is None
    True
    """
    texts = [n.text.strip() for n in row.names if n.kind != "systematic"]
    for entry in entries:
        if any(entry.pattern.fullmatch(text) for text in texts):
            return entry
    return None


def join_plant_entries(rows: list[Row], curation: Curation) -> None:
    """Give each plant row its entry's name first (and the names a source gives the entry
    beside the lists), so that the rows of one plant material, named in each list's words,
    are one substance (name-only rows sharing a name are one: :mod:`merge`)."""
    entries = load_plant_entries()
    for row in rows:
        if row.material != "plant" or (entry := plant_entry_of(row, entries)) is None:
            continue
        given = {normalise(n.text).key for n in row.names}
        added = [Name(entry.entry, "preferred", "en"), *entry.names]
        row.names = [n for n in added if normalise(n.text).key not in given] + row.names
        curation.plant_entries.setdefault(entry.entry, []).append(row.ref)


def product_labels(path: Path = CURATED / "products.csv") -> dict[str, str]:
    """label -> the product it names (``curated/products.csv``)."""
    return {
        label: row["product"] for row in read_csv_comments(path) for label in _cells(row["labels"])
    }


def relabel(rows: list[Row], roles: dict[str, SourceRole]) -> int:
    """Street-name and synonym rows whose label names a product or a plant entry take that
    entry's name as their label, so that their names join it ("mixture sold as 'pink cocaine'
    (typically ketamine + MDMA + caffeine ...)" is the pink cocaine mixture, not ketamine or
    MDMA as alternatives); a name that states its substance in brackets keeps its label.
    Returns the number of rows relabelled.

    >>> roles = {"s": SourceRole("s", "s", "street", "none", False, "en", None, "")}
    >>> rows = [Row("s", 2, [Name("K2", "street")], label="Synthetic Cannabinoids"),
    ...         Row("s", 3, [Name("Flakka (Alpha-PVP)", "street")], label="Synthetic Cathinones")]
    >>> relabel(rows, roles), [r.label for r in rows]
    (1, ['synthetic cannabinoid smoking mixture', 'Synthetic Cathinones'])
    """
    targets = product_labels()
    targets |= {label: e.entry for e in load_plant_entries() for label in e.labels}
    done = 0
    for row in rows:
        # a slang that names its substance in brackets ('Flakka (Alpha-PVP)', under the DEA's
        # 'Synthetic Cathinones') says which member it is: it keeps its own label
        if any("(" in n.text for n in row.names):
            continue
        if roles[row.source].role in ("street", "synonyms") and row.label in targets:
            row.label = targets[row.label]
            done += 1
    return done
