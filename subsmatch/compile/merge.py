"""Step 3, merge: rows that are the same substance become one substance.

Rows identified as the same structure (same InChIKey) are one substance, with a drawable structure
when any fact gave one (else it is known only by its InChIKey). Rows that stay unidentified are
name-only substances; those sharing a name are one (the NL, BE and CN rows of khat). A row brings
its names, CAS numbers and listings to its substance, except the CAS numbers and names that lost
its identification: those belong to another substance and are reported (an abbreviation an
identity source gives to a row settled by its structure, InChIKey or CAS number stays: sources
that disagree on it leave it ambiguous).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

from subsmatch.compile.corroboration import structure_doubt
from subsmatch.compile.identify import Decision, Fact, Ident
from subsmatch.compile.records import Listing, Name, Row
from subsmatch.compile.roles import SourceRole
from subsmatch.substances.names import compact_key, name_key, normalise
from subsmatch.substances.structures import StructureKeys

_ABBREVIATION = re.compile(r"[A-Z]{2,5}")


def abbreviation(text: str) -> bool:
    """Whether a name is a short abbreviation: two to five capital letters, nothing else (a
    code with a digit, 2C-B or 4-MMC, names one structure).

    >>> abbreviation("MPA"), abbreviation("MPPP"), abbreviation("2C-B"), abbreviation("Met")
    (True, True, False, False)
    """
    return _ABBREVIATION.fullmatch(text.strip()) is not None


@dataclass(frozen=True)
class NameEntry:
    """A name of a substance, with the row it comes from."""

    name: Name
    source: str
    row: int
    # a target of near-spelling (fuzzy) matching; False: found only by its own spelling (case,
    # spaces and hyphens aside), as a vocabulary's synonyms of substances only it knows
    fuzzy: bool = True


@dataclass
class Substance:
    id: str
    ident: Ident | None
    structure_source: str = ""
    material: str = ""
    unsettled: str = ""  # why a person could not settle it (a row's curated reason)
    structure_doubt: str = ""  # why its structure is in doubt (compile/corroboration.py)
    names: list[NameEntry] = field(default_factory=list)
    unindexed: list[NameEntry] = field(default_factory=list)  # a display name, not a key
    cas: dict[str, str] = field(default_factory=dict)  # CAS -> the row that gave it
    listings: list[tuple[Listing, Row]] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)

    @property
    def keys(self) -> StructureKeys | None:
        return self.ident.keys if self.ident else None

    def add_names(self, names: list[Name], row: Row) -> None:
        for name in names:
            text = " ".join(name.text.split())
            if text:
                self.names.append(
                    NameEntry(
                        Name(text, name.kind, name.language, name.region), row.source, row.row
                    )
                )


@dataclass(frozen=True)
class Dropped:
    """A name or CAS number kept off a substance, and why."""

    ref: str
    what: str  # name 'X' | CAS n
    substance: str
    reason: str


@dataclass
class Merged:
    substances: dict[str, Substance]
    by_row: dict[int, str]  # row position -> substance id
    dropped: list[Dropped]
    unidentified_vocabulary: int


def drawable(decisions: dict[int, Decision], given: dict[int, Fact]) -> dict[str, StructureKeys]:
    """A drawable structure for each InChIKey any fact gave one for (given structures first)."""
    found: dict[str, StructureKeys] = {}
    facts = [f for f in given.values()] + [
        f for d in decisions.values() for f in (*d.support, *d.against)
    ]
    for fact in sorted(facts, key=lambda f: (not f.kind.startswith("given"), f.what)):
        if fact.ident.keys is not None:
            found.setdefault(fact.ident.inchikey, fact.ident.keys)
    return found


def _lost(decision: Decision | None) -> tuple[set[str], set[str], set[str]]:
    """The names, OPSIN-read names and CAS numbers of a row that lost its identification."""
    if decision is None or decision.ident is None:
        return set(), set(), set()
    names = {
        f.what.removeprefix("name '")[:-1] for f in decision.against if f.kind.startswith("name")
    }
    read = {f.what for f in decision.against if f.kind.startswith("opsin")}
    cas = {f.what.removeprefix("CAS ") for f in decision.against if f.kind == "cas"}
    return names, read, cas


def _union_find(groups: list[list[str]]) -> dict[str, str]:
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for group in groups:
        for other in group[1:]:
            a, b = find(group[0]), find(other)
            if a != b:
                parent[max(a, b)] = min(a, b)
    return {x: find(x) for x in parent}


def merge(
    rows: list[Row],
    roles: dict[str, SourceRole],
    decisions: dict[int, Decision],
    given: dict[int, Fact],
) -> Merged:
    """Substances from identified rows (by InChIKey) and unidentified ones (by shared names)."""
    keys = drawable(decisions, given)
    substances: dict[str, Substance] = {}
    by_row: dict[int, str] = {}
    dropped: list[Dropped] = []
    unidentified_vocabulary = 0
    name_only: list[int] = []
    for i, row in enumerate(rows):
        decision = decisions.get(i)
        if decision is None and not (row.material and roles[row.source].makes_substances):
            continue
        if decision is not None and decision.ident is not None:
            inchikey = decision.ident.inchikey
            sid = f"ik:{inchikey}"
            if sid not in substances:
                ident = Ident(inchikey, keys.get(inchikey))
                substances[sid] = Substance(sid, ident)
            by_row[i] = sid
        elif roles[row.source].role == "vocabulary":
            unidentified_vocabulary += 1
        elif roles[row.source].makes_substances and (row.names or row.listings):
            name_only.append(i)
    # name-only rows sharing a name (spaces and hyphens aside) are one substance, named by the
    # first row's first name
    keys_of_row = {
        i: [
            normalise(n.text).key
            for n in rows[i].names
            if n.kind != "systematic" and normalise(n.text).key
        ]
        or [f"row:{rows[i].ref}"]
        for i in name_only
    }
    roots = _union_find(
        [[f"row:{i}", *(f"key:{compact_key(k)}" for k in keys_of_row[i])] for i in name_only]
    )
    group_name: dict[str, str] = {}
    for i in name_only:
        root = roots[f"row:{i}"]
        group_name.setdefault(root, keys_of_row[i][0])
        sid = f"name:{group_name[root]}"
        substances.setdefault(sid, Substance(sid, None, material=rows[i].material))
        by_row[i] = sid
    for i, sid in sorted(by_row.items()):
        row, substance = rows[i], substances[sid]
        decision = decisions.get(i)
        lost_names, _read, lost_cas = _lost(decision)
        substance.rows.append(row)
        substance.material = substance.material or row.material
        substance.unsettled = substance.unsettled or row.unsettled
        if decision and decision.ident and not substance.structure_source:
            given_fact = given.get(i)
            if given_fact and given_fact.ident.inchikey == decision.ident.inchikey:
                substance.structure_source = row.ref
        kept = []
        for name in row.names:
            # an abbreviation an identity source gives to a row its structure, InChIKey or CAS
            # number settles stays, though the identified rows tie it to another structure:
            # sources that disagree on it leave it ambiguous (MPA; names.drop_loose_names keeps
            # it on each such substance)
            claimed = (
                abbreviation(name.text)
                and roles[row.source].names_are_identity
                and decision is not None
                and decision.settled_by_structure_or_cas
            )
            if name.text in lost_names and not claimed:
                dropped.append(
                    Dropped(
                        row.ref,
                        f"name '{name.text}'",
                        sid,
                        "the identified rows tie this name to another structure",
                    )
                )
            else:
                kept.append(name)
        substance.add_names(kept, row)
        for number in row.cas:
            if number in lost_cas:
                dropped.append(
                    Dropped(
                        row.ref,
                        f"CAS {number}",
                        sid,
                        "the identified rows tie this CAS number to another structure",
                    )
                )
            else:
                substance.cas.setdefault(number, row.ref)
        substance.listings += [(listing, row) for listing in row.listings]
    for substance in substances.values():
        if not substance.structure_source and substance.ident is not None:
            support = [
                f.what
                for i in sorted(by_row)
                if by_row[i] == substance.id and decisions.get(i)
                for f in decisions[i].support
            ]
            substance.structure_source = "agreement: " + "; ".join(sorted(set(support))[:4])
    identified: dict[str, list[int]] = defaultdict(list)
    for i, sid in sorted(by_row.items()):
        if i in decisions:
            identified[sid].append(i)
    for substance in substances.values():
        if substance.keys is not None:
            substance.structure_doubt = structure_doubt(
                ((rows[i], decisions[i].support) for i in identified[substance.id]), roles
            )
    # a skeleton vouched for in another stereo form (DrugBank's armodafinil) vouches for the
    # drawing's skeleton too: what stays in doubt is only which stereoisomer, which the
    # stereo rule already weighs
    vouched = {
        s.ident.connectivity for s in substances.values() if s.keys and not s.structure_doubt
    }
    for substance in substances.values():
        if substance.structure_doubt and substance.ident.connectivity in vouched:
            substance.structure_doubt = ""
    return Merged(substances, by_row, dropped, unidentified_vocabulary)


def unplace_unnamed_listings(substances: dict[str, Substance]) -> list[Dropped]:
    """Listings left on a structure none of whose names stayed (each went to a substance that
    carries it more strongly): a list lists what it names, so such a listing is not placed on
    the drawing (Global-Chem draws the CSA's 'mppp' as another opioid; MPPP keeps the DEA's
    own listing). Returns what was taken off, for the audit."""
    dropped = []
    for sid, substance in substances.items():
        if (
            substance.ident is None
            or substance.names
            or substance.unindexed
            or not substance.listings
        ):
            continue
        for listing, row in substance.listings:
            what = f"listing {listing.jurisdiction}: {listing.list}"
            why = "none of the names of this structure stayed on it: the listing names nothing here"
            dropped.append(Dropped(row.ref, what, sid, why))
        substance.listings = []
    return dropped


def index_names(
    substances: dict[str, Substance], kinds_excluded: tuple[str, ...] = ("street",)
) -> dict[str, set[str]]:
    """Name key (separator-blind, :func:`name_key`) -> substance ids, over names of the given
    kinds."""
    found: dict[str, set[str]] = defaultdict(set)
    for sid, substance in substances.items():
        for entry in substance.names:
            if entry.name.kind not in kinds_excluded:
                found[name_key(entry.name.text)].add(sid)
    return found
