"""Build the reference tables in ``reference/data`` from the public sources in ``../shared``.

    python -m subsmatch.reference.build --shared ../shared

Steps: read every source row (:mod:`subsmatch.reference.sources`); standardise the structures
it gives; convert systematic names without a structure with OPSIN (German and Dutch names
after spelling fixes); merge rows into substances (same parent InChIKey, else same CAS number,
else same normalised name); join synonyms and street names; apply dated changes (US Federal
Register placements and removals, Dutch list changes); write the tables, a data version and
``BUILD_REPORT.md``; evaluate the generic rules once on every structure
(:mod:`subsmatch.matchers.reference_matches`). The build is deterministic: the same sources
give the same tables.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from subsmatch.matchers import reference_matches
from subsmatch.matchers.generic import RuleBook
from subsmatch.reference import sources as src
from subsmatch.reference.lists import Reference
from subsmatch.reference.sources import Listing, SourceEntry
from subsmatch.substances.names import normalise
from subsmatch.substances.opsin import first_parsable, java_available, uninvert_cas_name
from subsmatch.substances.structures import (
    StructureError,
    StructureKeys,
    keys_of,
    without_stereo,
)

OPSIN_ORIGIN = "opsin:"
HERE = Path(__file__).parent
DATA = HERE / "data"
CURATED = HERE / "curated"

# Lists: what each source covers and to which date it is complete.
LISTS_COMPLETENESS = {
    "UN": ("2025-08-29", "lower bound: UN-scheduled rows of the Belgian dataset (not exhaustive)"),
    "EU": ("2025-08-29", "EU NPS decisions and precursor categories of the Belgian dataset"),
    "BE": ("2025-08-29", "legal_GUI dataset; the author says it is not exhaustive"),
    "NL": (
        "2015-10-02",
        "lists I and II as of 2015-10-02 plus Stb. 2017/206 and the part of "
        "Stb. 2024/90 that was retrieved; list IA (2025) is generic",
    ),
    "DE": ("2026-07-05", "BtMG Anlagen I-III as of 2026-07-05"),
    "US": (
        "2026-01-20",
        "DEA list (about 2020) plus Federal Register placements and removals "
        "2020-01 to 2026-01 whose names resolve",
    ),
    "CN": ("2025-07-01", "narcotic and psychotropic lists (2013) and NPS batches to 2025-07-01"),
}

# Structures these sources give are taken as they are; structures from OPSIN and from the
# unreviewed EU NPS list are candidates that yield to a trusted structure of the same name.
TRUSTED_STRUCTURE_SOURCES = frozenset({"belgium_legal_gui", "globalchem_us"})

SOURCE_PRIORITY = (
    "belgium_legal_gui",
    "dea_orange_book",
    "globalchem_us",
    "china_lists",
    "globalchem_eu_nps",
    "germany_btmg",
    "netherlands_opiumwet",
)


@dataclass
class Substance:
    """A merged substance while the build runs."""

    id: str
    keys: StructureKeys | None
    structure_source: str = ""
    names: dict[str, tuple[str, str, int]] = field(default_factory=dict)  # name -> kind, src, row
    mentions: dict[str, set[str]] = field(default_factory=dict)  # name key -> sources using it
    cas: dict[str, str] = field(default_factory=dict)  # cas -> source
    listings: list[tuple[Listing, str, int, str]] = field(default_factory=list)

    def add_names(self, names: Iterable[tuple[str, str]], source: str, row: int) -> None:
        for name, kind in names:
            name = " ".join(name.split())
            if not name:
                continue
            self.mentions.setdefault(name_key(name), set()).add(source)
            if name not in self.names:
                self.names[name] = (kind, source, row)


@dataclass
class Report:
    """Counts and findings of one build, rendered as BUILD_REPORT.md."""

    rows_read: Counter = field(default_factory=Counter)
    structures_given: Counter = field(default_factory=Counter)
    structures_parsed: Counter = field(default_factory=Counter)
    structures_from_opsin: Counter = field(default_factory=Counter)
    unparsable: list[str] = field(default_factory=list)
    placeholders: list[str] = field(default_factory=list)
    name_conflicts: list[str] = field(default_factory=list)
    opsin_disagreements: list[str] = field(default_factory=list)
    stereo_refined: list[str] = field(default_factory=list)
    smiles_contradicted: list[str] = field(default_factory=list)
    names_dropped: list[str] = field(default_factory=list)
    absorbed: list[str] = field(default_factory=list)
    corrected: list[str] = field(default_factory=list)
    merged_rows: int = 0
    street_joined: Counter = field(default_factory=Counter)
    street_unjoined: Counter = field(default_factory=Counter)
    notices_applied: list[str] = field(default_factory=list)
    notices_unresolved: list[str] = field(default_factory=list)
    nl_changes: list[str] = field(default_factory=list)
    java: bool = True


def name_key(name: str) -> str:
    return normalise(name).key


# --- structures -------------------------------------------------------------------------------


def _spelling_rules() -> dict[str, list[tuple[re.Pattern, str]]]:
    rules: dict[str, list[tuple[re.Pattern, str]]] = defaultdict(list)
    with (CURATED / "spelling.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            rules[row["language"]].append((re.compile(row["pattern"]), row["replacement"]))
    return rules


def opsin_spellings(name: str, rules: list[tuple[re.Pattern, str]]) -> list[str]:
    """The name as written, uninverted, and with the language's spelling fixes applied."""
    name = " ".join(name.replace("*", "").split())
    fixed = name
    for pattern, replacement in rules:
        fixed = pattern.sub(replacement, fixed)
    return list(dict.fromkeys([name, uninvert_cas_name(name), fixed]))


RACEMIC_NAME = re.compile(r"\d\s*RS\b|\(±\)|\brac-|\(RS\)|\d\s*SR\b")


def _language(source: str) -> str:
    return {"germany_btmg": "de", "netherlands_opiumwet": "nl"}.get(source, "en")


def structure_keys(
    entries: list[SourceEntry], report: Report
) -> dict[int, tuple[StructureKeys, str]]:
    """Keys for every entry with a structure, given or from OPSIN; indexed by position.

    OPSIN reads all systematic names of the rows without a structure in one batch.
    """
    found: dict[int, tuple[StructureKeys, str]] = {}
    for i, entry in enumerate(entries):
        if entry.note.startswith("placeholder"):
            report.placeholders.append(f"{entry.source}:{entry.row} {entry.names[0][0]}")
        if not entry.smiles:
            continue
        report.structures_given[entry.source] += 1
        try:
            found[i] = (keys_of(entry.smiles), f"{entry.source}:{entry.row}")
            report.structures_parsed[entry.source] += 1
        except StructureError as error:
            report.unparsable.append(f"{entry.source}:{entry.row} {entry.names[0][0]}: {error}")
    report.java = java_available()
    rules = _spelling_rules()
    pending = [i for i, e in enumerate(entries) if e.systematic]
    contradicted: dict[int, tuple[StructureKeys, str]] = {}
    spellings = [
        [
            s
            for name in entries[i].systematic
            for s in opsin_spellings(name, rules.get(_language(entries[i].source), []))
        ]
        for i in pending
    ]
    for i, parsed in zip(pending, first_parsable(spellings), strict=True):
        if not parsed:
            continue
        try:
            keys = keys_of(
                without_stereo(parsed[1]) if RACEMIC_NAME.search(parsed[0]) else parsed[1]
            )
        except StructureError:
            continue
        entry = entries[i]
        origin = f"{OPSIN_ORIGIN}{entry.source}:{entry.row} ({parsed[0]})"
        if i in found:
            if found[i][0].connectivity != keys.connectivity:
                contradicted[i] = (keys, origin)
            continue
        found[i] = (keys, origin)
        report.structures_from_opsin[entry.source] += 1
    settle_contradictions(entries, found, contradicted, report)
    return found


def settle_contradictions(
    entries: list[SourceEntry],
    found: dict[int, tuple[StructureKeys, str]],
    contradicted: dict[int, tuple[StructureKeys, str]],
    report: Report,
) -> None:
    """A row whose SMILES and systematic name disagree: a second source decides.

    The Belgian file gives DOC the SMILES of deoxycorticosterone while its systematic name is
    4-chloro-2,5-dimethoxyamfetamine; Global-Chem draws DOC as the amfetamine, so the name
    wins. Without a second witness the given SMILES stays and the row is reported.
    """
    witnesses: dict[str, set[str]] = defaultdict(set)
    for i, (keys, _origin) in found.items():
        for name, kind in entries[i].names:
            if not kind.startswith("systematic"):
                witnesses[name_key(name)].add(f"{entries[i].source}|{keys.connectivity}")
    for i, (keys, origin) in sorted(contradicted.items()):
        entry, given = entries[i], found[i][0]
        others = set().union(
            *(
                witnesses.get(name_key(n), set())
                for n, k in entry.names
                if not k.startswith("systematic")
            )
        ) - {f"{entry.source}|{given.connectivity}"}
        confirmed = any(
            w.endswith(f"|{keys.connectivity}") and not w.startswith(entry.source) for w in others
        )
        verdict = (
            "the name's structure, confirmed by another source, was used"
            if confirmed
            else "the given SMILES was kept (no second source); please review"
        )
        report.smiles_contradicted.append(
            f"{entry.source}:{entry.row} {entry.names[0][0]}: given {given.smiles}, systematic "
            f"name gives {keys.smiles}; {verdict}"
        )
        if confirmed:
            found[i] = (keys, origin)


def refine_stereo(
    entries: list[SourceEntry], found: dict[int, tuple[StructureKeys, str]], report: Report
) -> None:
    """Give a flat structure the stereo that another source gives the same name.

    Global-Chem draws levomethorphan without stereo (the racemethorphan skeleton); the Belgian
    file gives (-)-levomethorphan. The flat drawing is underspecified, not a second substance.
    """
    specific: dict[tuple[str, str], set[StructureKeys]] = defaultdict(set)
    for i, (keys, origin) in found.items():
        if keys.has_stereo and not origin.startswith(OPSIN_ORIGIN):
            for name, _kind in entries[i].names:
                specific[(name_key(name), keys.connectivity)].add(keys)
    for i, (keys, origin) in list(found.items()):
        if keys.has_stereo:
            continue
        name = entries[i].names[0][0]
        candidates = specific.get((name_key(name), keys.connectivity), set())
        if len(candidates) == 1:
            refined = next(iter(candidates))
            found[i] = (refined, origin + " (stereo from another source)")
            report.stereo_refined.append(f"{entries[i].source}:{entries[i].row} {name}")


# --- merging ------------------------------------------------------------------------------------


class Merger:
    """Groups source entries into substances: InChIKey, then CAS, then normalised name."""

    def __init__(self, report: Report) -> None:
        self.report = report
        self.substances: dict[str, Substance] = {}
        self.by_cas: dict[str, set[str]] = defaultdict(set)
        self.by_name: dict[str, set[str]] = defaultdict(set)

    def _index(self, substance: Substance) -> None:
        for cas in substance.cas:
            self.by_cas[cas].add(substance.id)
        for name in substance.names:
            self.by_name[name_key(name)].add(substance.id)

    def reindex(self) -> None:
        """Rebuild the CAS and name indexes after names or substances were edited in place."""
        self.by_cas.clear()
        self.by_name.clear()
        for substance in self.substances.values():
            self._index(substance)

    def _get(self, sid: str, keys: StructureKeys | None, origin: str) -> Substance:
        if sid not in self.substances:
            self.substances[sid] = Substance(sid, keys, origin)
        return self.substances[sid]

    def add(
        self, entry: SourceEntry, structure: tuple[StructureKeys, str] | None, trusted: bool = True
    ) -> None:
        """Merge one entry; an untrusted structure yields to the substance its name joins."""
        target = self._find(entry, structure, trusted)
        self.report.merged_rows += bool(target.names or target.listings)
        target.add_names(entry.names, entry.source, entry.row)
        for cas in entry.cas:
            target.cas.setdefault(cas, entry.source)
        name_in_list = entry.names[0][0]
        target.listings += [(lst, entry.source, entry.row, name_in_list) for lst in entry.listings]
        self._index(target)

    def _find(
        self, entry: SourceEntry, structure: tuple[StructureKeys, str] | None, trusted: bool
    ) -> Substance:
        if structure and trusted:
            return self._get(f"ik:{structure[0].inchikey}", *structure)
        joined = self._join(entry)
        if joined and structure and joined.keys:
            if joined.keys.connectivity != structure[0].connectivity:
                self.report.opsin_disagreements.append(
                    f"{entry.source}:{entry.row} '{entry.names[0][0]}': {structure[1]} gives "
                    f"{structure[0].smiles}, but the name joins {joined.id} ({joined.keys.smiles})"
                )
            return joined
        if structure:
            return self._get(f"ik:{structure[0].inchikey}", *structure)
        return joined or self._get(f"name:{name_key(entry.names[0][0])}", None, "")

    def _join(self, entry: SourceEntry) -> Substance | None:
        """The one substance that the entry's CAS numbers or names point to."""
        for cas in entry.cas:
            if len(self.by_cas.get(cas, ())) == 1:
                return self.substances[next(iter(self.by_cas[cas]))]
        for name, kind in entry.names:
            if kind.startswith("systematic"):
                continue
            ids = self.by_name.get(name_key(name), set())
            if len(ids) == 1:
                return self.substances[next(iter(ids))]
            if len(ids) > 1:
                self.report.name_conflicts.append(
                    f"{entry.source}:{entry.row} '{name}' names {len(ids)} substances: "
                    + ", ".join(sorted(ids))
                )
                return None
        return None

    def lookup(self, name: str) -> str | None:
        ids = self.by_name.get(name_key(name), set())
        return next(iter(ids)) if len(ids) == 1 else None


def merge(
    entries: list[SourceEntry], found: dict[int, tuple[StructureKeys, str]], report: Report
) -> Merger:
    """Structured entries first, so that name-only rows can join them."""
    merger = Merger(report)

    def trusted(i: int) -> bool:
        return i in found and entries[i].source in TRUSTED_STRUCTURE_SOURCES

    order = sorted(range(len(entries)), key=lambda i: (not trusted(i), i not in found, i))
    for i in order:
        merger.add(entries[i], found.get(i), trusted(i))
    report_name_conflicts(merger, report)
    return merger


def report_name_conflicts(merger: Merger, report: Report) -> None:
    """One name that stands for two different structures (different skeletons)."""
    for key, ids in sorted(merger.by_name.items()):
        skeletons = {
            merger.substances[i].keys.connectivity for i in ids if merger.substances[i].keys
        }
        if len(skeletons) > 1:
            report.name_conflicts.append(
                f"'{key}' -> {len(skeletons)} structures: " + ", ".join(sorted(ids))
            )


KIND_RANK = {"preferred": 0, "inn": 0, "code": 1, "other": 2, "trade": 3, "street": 3}
SYNONYM_TABLES = frozenset(
    {"dope_dea_controlled", "dope_lookup", "dea_slang_terms", "dod_prohibited"}
)


def name_rank(kind: str, source: str) -> int:
    """How strongly a name belongs to a substance: a list's own name beats a synonym table's.

    Systematic names are not ranked (they are descriptions, never dropped).
    """
    return KIND_RANK.get(kind, 0) * 2 + (source in SYNONYM_TABLES)


def drop_loose_names(merger: Merger, report: Report) -> None:
    """A name stays only on the substances that carry it most strongly.

    The DEA list gives "fentanyl" as an other name of 3-methylfentanyl, and a synonym table
    gives "MDMA" for 2C-B; kept, they would make "fentanyl" and "MDMA" ambiguous.
    """
    best: dict[str, int] = {}
    for substance in merger.substances.values():
        for name, (kind, source, _row) in substance.names.items():
            key = name_key(name)
            best[key] = min(best.get(key, 99), name_rank(kind, source))
    for substance in merger.substances.values():
        for name, (kind, source, row) in list(substance.names.items()):
            if name_rank(kind, source) > best[name_key(name)] and not kind.startswith("systematic"):
                del substance.names[name]
                report.names_dropped.append(f"{source}:{row} '{name}' on {substance.id}")
    merger.reindex()


def absorb_name_only(merger: Merger, report: Report) -> None:
    """Fold a name-only substance into the one structured substance its names now point to.

    Rows that met an ambiguous name during the merge (before loose names were dropped) became
    name-only substances; once the name is unambiguous they join their structure.
    """
    for sid in sorted(s for s in merger.substances if s.startswith("name:")):
        substance = merger.substances[sid]
        targets = set().union(
            *(
                merger.by_name.get(name_key(n), set())
                for n, (kind, _s, _r) in substance.names.items()
                if not kind.startswith("systematic")
            )
        ) - {sid}
        structured = {t for t in targets if merger.substances[t].keys}
        if len(structured) != 1:
            continue
        target = merger.substances[structured.pop()]
        for name, origin in substance.names.items():
            target.names.setdefault(name, origin)
        for cas, source in substance.cas.items():
            target.cas.setdefault(cas, source)
        target.listings += substance.listings
        del merger.substances[sid]
        report.absorbed.append(f"{sid} -> {target.id}")
    merger.reindex()


def add_curated_substances(merger: Merger, report: Report) -> None:
    """Substances the law names by exclusion (dextromethorphan): known, structured, unlisted."""
    with (CURATED / "stereo_exclusions.csv").open(encoding="utf-8") as handle:
        for line, row in enumerate(csv.DictReader(handle), start=2):
            entry = SourceEntry(
                "curated:stereo_exclusions",
                line,
                [(row["name"], "preferred")],
                smiles=row["smiles"],
            )
            keys = keys_of(row["smiles"])
            merger.add(entry, (keys, f"curated:stereo_exclusions:{line}"))
            report.rows_read[entry.source] += 1


def add_common_substances(merger: Merger, report: Report) -> None:
    """Cutting agents, adulterants and medicines met in seized drugs: known, structured, unlisted.

    Their structures come from their systematic names through OPSIN, in one batch.
    """
    with (CURATED / "common_substances.csv").open(encoding="utf-8") as handle:
        rows = list(enumerate(csv.DictReader(handle), start=2))
    parsed = first_parsable([[row["systematic_name"]] for _line, row in rows])
    for (line, row), found in zip(rows, parsed, strict=True):
        names = [(row["name"], "preferred")] + [
            (n.strip(), "other") for n in row["synonyms"].split(";") if n.strip()
        ]
        entry = SourceEntry(
            "curated:common_substances",
            line,
            names,
            systematic=[row["systematic_name"]],
            note=row["role"],
        )
        report.rows_read[entry.source] += 1
        structure = None
        if found:
            structure = (keys_of(found[1]), f"{OPSIN_ORIGIN}curated:common_substances:{line}")
            report.structures_from_opsin[entry.source] += 1
        merger.add(entry, structure, trusted=False)


def join_street_names(merger: Merger, names: Iterable[src.StreetName], report: Report) -> None:
    for street in names:
        sid = merger.lookup(street.category)
        if sid is None:
            report.street_unjoined[street.source] += 1
            continue
        merger.substances[sid].add_names([(street.name, street.kind)], street.source, street.row)
        report.street_joined[street.source] += 1
    merger.reindex()


def apply_federal_register(
    merger: Merger, notices: Iterable[src.SchedulingNotice], report: Report
) -> None:
    """Dated US placements add listings; removals close the open US listings."""
    for notice in notices:
        for name in notice.names:
            sid = next(
                (
                    merger.lookup(alias)
                    for alias in src.name_and_aliases(name)
                    if merger.lookup(alias)
                ),
                None,
            )
            if sid is None:
                report.notices_unresolved.append(f"{notice.published} {notice.document}: {name}")
                continue
            substance = merger.substances[sid]
            act = f"Federal Register {notice.document}"
            if notice.action == "place":
                kind = "narcotic" if notice.schedule in ("I", "II") else "psychotropic"
                listing = Listing(
                    "US", f"CSA Schedule {notice.schedule}", kind, notice.published, act=act
                )
                substance.listings.append((listing, "us_federal_register", notice.row, name))
            else:
                substance.listings = [
                    (
                        _closed(lst, notice.published, act) if lst.jurisdiction == "US" else lst,
                        s,
                        r,
                        n,
                    )
                    for lst, s, r, n in substance.listings
                ]
            report.notices_applied.append(f"{notice.published} {notice.action} {name} -> {sid}")


def _closed(listing: Listing, until: str, act: str) -> Listing:
    return Listing(
        listing.jurisdiction,
        listing.list,
        listing.kind,
        listing.since,
        listing.since_precision,
        until,
        f"{listing.act}; removed by {act}".strip("; "),
    )


def apply_nl_changes(merger: Merger, report: Report) -> None:
    """Dutch list changes after the 2015 baseline (curated from the Staatsblad decrees)."""
    with (CURATED / "nl_list_changes.csv").open(encoding="utf-8") as handle:
        for line, row in enumerate(csv.DictReader(handle), start=2):
            sid = merger.lookup(row["name"])
            if sid is None:
                report.nl_changes.append(f"unresolved: {row['name']} ({row['act']})")
                continue
            kind = "narcotic" if row["list"].endswith(" I") else "psychotropic"
            listing = Listing(
                "NL",
                row["list"],
                kind,
                row["since"] or None,
                row["since_precision"] or "day",
                row["until"] or None,
                row["act"],
            )
            substance = merger.substances[sid]
            substance.listings.append((listing, "curated:nl_list_changes", line, row["name"]))
            if row["description"]:
                substance.add_names(
                    [(row["description"], "systematic_nl")], "curated:nl_list_changes", line
                )
            report.nl_changes.append(
                f"{row['list']} {row['name']} since {row['since'] or '?'} -> {sid}"
            )
    merger.reindex()


# --- output -------------------------------------------------------------------------------------


SYSTEMATIC_LOOKING = re.compile(r"\d+(?:,\d+)*-\(?[A-Za-z]")  # "2-(ethylamino)-1-phenyl..."


def preferred_name(substance: Substance, ambiguous: frozenset[str] = frozenset()) -> str:
    """The short name most of the lists use (2C-B, not one list's trade name Nexus), then the
    most trusted source's; never a name that other substances carry too (China White)."""
    rank = {s: i for i, s in enumerate(SOURCE_PRIORITY)}
    lists = set(SOURCE_PRIORITY)

    def score(item: tuple[str, tuple[str, str, int]]) -> tuple:
        name, (kind, source, _row) = item
        odd = name.count("(") != name.count(")") or name.startswith(("(", "["))
        used_by = len(substance.mentions.get(name_key(name), set()) & lists)
        return (
            kind not in KIND_RANK,
            len(name) > 40,
            odd,
            bool(SYSTEMATIC_LOOKING.search(name)) and len(name) > 20,
            name_key(name) in ambiguous,
            -used_by,
            name_rank(kind, source),
            rank.get(source, 99),
            len(name),
            name,
        )

    best = min(substance.names.items(), key=score)[0]
    # the same name as the lists print it: "5F-MDMB-PINACA" rather than "5f-mdmb-pinaca"
    variants = [n for n in substance.names if name_key(n) == name_key(best) and n != n.lower()]
    return display_case(best if best != best.lower() or not variants else min(variants))


def display_case(name: str) -> str:
    """All-capital names from lists read better in title case; codes stay as written.

    >>> display_case("LEVOMETHORPHAN"), display_case("MDMA"), display_case("4-FIBF")
    ('Levomethorphan', 'MDMA', '4-FIBF')
    """
    letters = re.sub(r"[^A-Za-z]", "", name)
    if name.isupper() and len(letters) > 6 and not re.search(r"\d", name):
        return name.capitalize()
    return name


def tables(merger: Merger) -> dict[str, pa.Table]:
    substances, names, listings = [], [], []
    ambiguous = frozenset(key for key, ids in merger.by_name.items() if len(ids) > 1)
    for sid in sorted(merger.substances):
        s = merger.substances[sid]
        k = s.keys
        substances.append(
            {
                "substance_id": sid,
                "name": preferred_name(s, ambiguous),
                "smiles": k.smiles if k else None,
                "inchikey": k.inchikey if k else None,
                "connectivity": k.connectivity if k else None,
                "formula": k.formula if k else None,
                "mass": k.mass if k else None,
                "labelled": k.labelled if k else False,
                "has_stereo": k.has_stereo if k else False,
                "cas": ";".join(sorted(s.cas)),
                "structure_source": s.structure_source,
            }
        )
        for name in sorted(s.names):
            kind, source, row = s.names[name]
            names.append(
                {
                    "substance_id": sid,
                    "name": name,
                    "key": name_key(name),
                    "kind": kind,
                    "source": source,
                    "source_row": row,
                }
            )
        for lst, source, row, name_in_list in sorted(
            s.listings, key=lambda x: (x[0].jurisdiction, x[0].list, x[0].since or "", x[1], x[2])
        ):
            listings.append(
                {
                    "substance_id": sid,
                    "jurisdiction": lst.jurisdiction,
                    "list": lst.list,
                    "kind": lst.kind,
                    "since": lst.since,
                    "since_precision": lst.since_precision,
                    "until": lst.until,
                    "act": lst.act,
                    "name_in_list": name_in_list,
                    "source": source,
                    "source_row": row,
                }
            )
    lists = []
    counts = Counter((r["jurisdiction"], r["list"], r["kind"]) for r in listings)
    for (jurisdiction, list_name, kind), n in sorted(counts.items()):
        complete_to, note = LISTS_COMPLETENESS.get(jurisdiction, (None, ""))
        lists.append(
            {
                "jurisdiction": jurisdiction,
                "list": list_name,
                "kind": kind,
                "entries": n,
                "complete_to": complete_to,
                "note": note,
            }
        )
    exclusions = []
    with (CURATED / "stereo_exclusions.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            keys = keys_of(row["smiles"])
            exclusions.append(
                {
                    "name": row["name"],
                    "inchikey": keys.inchikey,
                    "jurisdictions": row["jurisdictions"],
                    "excluded_from": row["excluded_from"],
                    "citation": row["citation"],
                }
            )
    return {
        name: pa.Table.from_pylist(rows)
        for name, rows in [
            ("substances", substances),
            ("names", names),
            ("listings", listings),
            ("lists", lists),
            ("exclusions", exclusions),
        ]
    }


def content_hash(built: dict[str, pa.Table]) -> str:
    digest = hashlib.sha256()
    for name in sorted(built):
        digest.update(name.encode())
        digest.update(json.dumps(built[name].to_pylist(), sort_keys=True, default=str).encode())
    return digest.hexdigest()


def data_date(built: dict[str, pa.Table]) -> str:
    """The newest date the data speak of: the date to which the data are current."""
    dates = [d for d in built["listings"].column("since").to_pylist() if d]
    dates += [d for d in built["lists"].column("complete_to").to_pylist() if d]
    return max(dates)


def write(built: dict[str, pa.Table], out: Path, report: Report) -> dict:
    out.mkdir(parents=True, exist_ok=True)
    for name, table in built.items():
        pq.write_table(table, out / f"{name}.parquet", compression="zstd")
    digest = content_hash(built)
    version = {
        "data_version": f"{data_date(built)}+{digest[:12]}",
        "content_sha256": digest,
        "tables": {n: t.num_rows for n, t in sorted(built.items())},
    }
    (out / "VERSION.json").write_text(json.dumps(version, indent=2) + "\n", encoding="utf-8")
    (out / "BUILD_REPORT.md").write_text(render_report(report, built, version), encoding="utf-8")
    return version


def _section(title: str, lines: list[str], limit: int = 60) -> str:
    body = "\n".join(f"- {line}" for line in lines[:limit])
    more = f"\n- ... and {len(lines) - limit} more" if len(lines) > limit else ""
    return f"\n## {title} ({len(lines)})\n\n{body or '- none'}{more}\n"


def render_report(report: Report, built: dict[str, pa.Table], version: dict) -> str:
    substances = built["substances"].to_pylist()
    with_structure = sum(1 for s in substances if s["inchikey"])
    rows = [
        "| source | rows read | structures given | parsed | from OPSIN |",
        "|---|---|---|---|---|",
    ]
    for source in sorted(report.rows_read):
        rows.append(
            f"| {source} | {report.rows_read[source]} | {report.structures_given[source]}"
            f" | {report.structures_parsed[source]} |"
            f" {report.structures_from_opsin[source]} |"
        )
    lists = [
        "| jurisdiction | list | kind | entries | complete to | note |",
        "|---|---|---|---|---|---|",
    ]
    lists += [
        f"| {r['jurisdiction']} | {r['list']} | {r['kind']} | {r['entries']} |"
        f" {r['complete_to']} | {r['note']} |"
        for r in built["lists"].to_pylist()
    ]
    street = [
        f"{s}: {report.street_joined[s]} joined, {report.street_unjoined[s]} not joined "
        "(category names no substance carries)"
        for s in sorted(set(report.street_joined) | set(report.street_unjoined))
    ]
    return "\n".join(
        [
            "# Reference data build report",
            "",
            f"Data version: `{version['data_version']}`  ",
            f"Substances: {len(substances)} ({with_structure} with a structure, "
            f"{len(substances) - with_structure} name-only); names: {built['names'].num_rows}; "
            f"listings: {built['listings'].num_rows}; rows merged into an existing substance: "
            f"{report.merged_rows}.  ",
            "OPSIN: "
            + ("used." if report.java else "SKIPPED (no Java): name-only rows stay name-only."),
            "",
            "## Rows per source",
            "",
            *rows,
            "",
            "## Lists and completeness",
            "",
            *lists,
            _section("Street and synonym tables", street),
            _section("Placeholder structures ignored", report.placeholders),
            _section("Structures corrected (curated/structure_corrections.csv)", report.corrected),
            _section("Unparsable structures", report.unparsable),
            _section(
                "Given SMILES contradicted by the row's own systematic name",
                report.smiles_contradicted,
            ),
            _section(
                "Loose names dropped (another substance's own name given as an 'other' name)",
                report.names_dropped,
            ),
            _section(
                "Name-only rows joined to a structure once their name was unambiguous",
                report.absorbed,
            ),
            _section("Flat structures given stereo from another source", report.stereo_refined),
            _section("Name conflicts (one name, several substances)", report.name_conflicts),
            _section(
                "Structures (OPSIN or unreviewed) that disagree with the substance their name "
                "joins; the joined substance was kept",
                report.opsin_disagreements,
            ),
            _section("US Federal Register actions applied", report.notices_applied),
            _section("US Federal Register names not resolved", report.notices_unresolved),
            _section("Dutch list changes", report.nl_changes),
        ]
    )


def apply_corrections(entries: list[SourceEntry], report: Report) -> None:
    """Replace structures that a source gets wrong (curated, with the reason).

    An empty SMILES withdraws the structure: the row stays a name-only entry.
    """
    with (CURATED / "structure_corrections.csv").open(encoding="utf-8") as handle:
        fixes = {(row["source"], int(row["row"])): row for row in csv.DictReader(handle)}
    for entry in entries:
        fix = fixes.pop((entry.source, entry.row), None)
        if fix is None:
            continue
        entry.smiles = fix["smiles"] or None
        entry.systematic = []
        report.corrected.append(f"{entry.source}:{entry.row} {fix['name']}: {fix['note']}")
    for (source, row), fix in fixes.items():
        report.corrected.append(f"NOT APPLIED (no such row): {source}:{row} {fix['name']}")


def read_all(shared: Path, report: Report) -> tuple[list[SourceEntry], list, list]:
    base = shared / "sources"
    entries: list[SourceEntry] = []
    for reader, folder in [
        (src.read_belgium, "belgium_legal_gui"),
        (src.read_globalchem, "globalchem_narcotics"),
        (src.read_dea, "dea_dope"),
        (src.read_china, "china_lists"),
        (src.read_btmg, "germany_btmg_npsg"),
        (src.read_opiumwet, "netherlands_opiumwet"),
    ]:
        for entry in reader(base / folder):
            entries.append(entry)
            report.rows_read[entry.source] += 1
    street = list(src.read_dea_synonyms(base / "dea_dope")) + list(
        src.read_dod(base / "dod_prohibited")
    )
    for s in street:
        report.rows_read[s.source] += 1
    apply_corrections(entries, report)
    notices = list(src.read_federal_register(base / "us_federal_register"))
    report.rows_read["us_federal_register (actions)"] = len(notices)
    return entries, street, notices


def build(shared: Path, out: Path = DATA) -> dict:
    report = Report()
    entries, street, notices = read_all(shared, report)
    found = structure_keys(entries, report)
    refine_stereo(entries, found, report)
    merger = merge(entries, found, report)
    add_curated_substances(merger, report)
    add_common_substances(merger, report)
    join_street_names(merger, street, report)
    drop_loose_names(merger, report)
    absorb_name_only(merger, report)
    apply_federal_register(merger, notices, report)
    apply_nl_changes(merger, report)
    version = write(tables(merger), out, report)
    # derived from the tables just written and the rule files (see its module)
    reference_matches.write(Reference(out), RuleBook())
    return version


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--shared",
        type=Path,
        default=Path("../shared"),
        help="the shared folder holding sources/ (default: ../shared)",
    )
    parser.add_argument("--out", type=Path, default=DATA, help="where to write the tables")
    args = parser.parse_args(argv)
    if not (args.shared / "sources").is_dir():
        print(f"error: {args.shared / 'sources'} not found; pass --shared PATH", file=sys.stderr)
        return 2
    version = build(args.shared, args.out)
    print(f"wrote {args.out} (data version {version['data_version']}): {version['tables']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
