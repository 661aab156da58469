"""Luxembourg: the three lists of the loi du 19 février 1973 as consolidated on Legilux
(github.com/SFHAJJI/lex-corpus-lu-legilux, CC BY 4.0), with their dated changes.

An entry added between two consolidated versions has the in-force date of the version that first
holds it (``luxembourg_list_changes.csv``): its ``since``. Any other entry is only known to be in
force from the earliest consolidated version the mirror holds (``raw/<work>_<date>.fr.xml``): its
``evidence``. For the 1974 lists that is the 2023 block re-enactment, which is evidence of 2023,
not the date the substance was first listed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from subsmatch.compile.read.dates import between
from subsmatch.compile.read.text import cas_numbers, csv_rows, name_and_aliases, split_names
from subsmatch.compile.records import Listing, Name, Row

SOURCE = "luxembourg_legilux"
_LISTS = {  # list as the source names it -> (work, kind, our list name per section)
    "RGD 26.03.1974 liste des stupéfiants": (
        "rgd-1974-03-26-n1",
        "narcotic",
        "LU stupéfiants (RGD 26.03.1974)",
    ),
    "RGD 20.03.1974 substances psychotropes - annexe": (
        "rgd-1974-03-20-n1",
        "psychotropic",
        "LU psychotropes (RGD 20.03.1974)",
    ),
    "RGD 06.02.1997 substances tableaux III/IV Convention 1971 - annexe": (
        "rgd-1997-02-06-n1",
        "psychotropic",
        "LU tableaux III et IV 1971 (RGD 06.02.1997)",
    ),
}
_ITEM_NUMBER = re.compile(r"^\d+[a-z]?\.\s*")
# a name glued to a chemical description by a dash or a space: "DICLAZEPAM-7-chloro-5-(2-...)"
_DESCRIPTION = r"(?P<rest>(?=.*\d)(?=.*\().+)"  # holds a locant and a bracket
_DASHED = re.compile(rf"^(?P<name>[^\W\d_]+)\s*-\s*(?=\d){_DESCRIPTION}$")
_GLUED = re.compile(r"^(?P<name>[^\W\d_][\w'’-]{3,})\s+(?=\d|[NO]-|\()" + _DESCRIPTION + "$")
# "4-Fluoroamphétamine (4-FA) 1-(4-Fluorophényl)propan-2-amine": name, aliases, then the description
_ALIASED = re.compile(
    r"^(?P<name>(?:\([+-]\)-)?[^()]+?)\s*\((?P<aliases>[^()]+)\)\s+(?P<rest>.{8,})$"
)


def list_name(source_list: str, section: str) -> str:
    """Our name of a Luxembourg list (and article or part).

    >>> list_name("RGD 26.03.1974 liste des stupéfiants", "Art. 2")
    'LU stupéfiants (RGD 26.03.1974), art. 2'
    >>> list_name("RGD 20.03.1974 substances psychotropes - annexe", "Annexe")
    'LU psychotropes (RGD 20.03.1974)'
    """
    base = _LISTS[source_list][2]
    if section.startswith("Art."):
        return f"{base}, art. {section.removeprefix('Art.').strip()}"
    if section.startswith("Partie"):
        return f"{base}, partie {section.removeprefix('Partie').strip()}"
    return base


def entry_names(name: str, others: str, description: str) -> list[Name]:
    """The names of an entry: its name (an item number, a glued chemical name and stray
    brackets split off), other names, and the chemical description.

    >>> [n.text for n in entry_names("62. DICLAZEPAM-7-chloro-5-(2-chlorophényl)-1-méthyl", "", "")]
    ['DICLAZEPAM', '7-chloro-5-(2-chlorophényl)-1-méthyl']
    >>> entry = "Acryloylfentanyl N-(1-phénéthylpipéridine-4-yl) -N-x)"
    >>> [n.text for n in entry_names(entry, "", "")]
    ['Acryloylfentanyl', 'N-(1-phénéthylpipéridine-4-yl) -N-x)']
    >>> [n.text for n in entry_names("N-éthylhexédrone (", "", "2-(étylamino)-1-phénylhexan-1-one")]
    ['N-éthylhexédrone', '2-(étylamino)-1-phénylhexan-1-one']
    >>> entry = "4-Fluoroamphétamine (4-FA) 1-(4-Fluorophényl)propan-2-amine"
    >>> [n.text for n in entry_names(entry, "", "")]
    ['4-Fluoroamphétamine', '4-FA', '1-(4-Fluorophényl)propan-2-amine']
    """
    name = _ITEM_NUMBER.sub("", name).strip().rstrip("( ").strip()
    if name.count("(") > name.count(")"):  # "Anileridinum (ester éthylique de l’acide": cut off
        name = name[: name.index("(")].strip()
    systematic = [description] if description else []
    if match := _ALIASED.match(name):
        name, systematic = f"{match['name']} ({match['aliases']})", [match["rest"], *systematic]
    for pattern in (_DASHED, _GLUED):
        if match := pattern.match(name):
            name, systematic = match["name"], [match["rest"], *systematic]
            break
    heads = [n for cell in split_names(name) for n in name_and_aliases(cell)]
    names = [Name(n, "preferred" if i == 0 else "other", "fr") for i, n in enumerate(heads)]
    names += [
        Name(n, "other", "fr") for cell in split_names(others) for n in name_and_aliases(cell)
    ]
    names += [Name(s, "systematic", "fr") for s in systematic]
    return names


def versions(folder: Path) -> dict[str, list[str]]:
    """The consolidated versions the mirror holds, per work: {work: [ISO dates, oldest first]}."""
    found: dict[str, list[str]] = {}
    for path in sorted((folder / "raw").glob("*.fr.xml")):
        work, version = path.name.removesuffix(".fr.xml").rsplit("_", 1)
        found.setdefault(work, []).append(version)
    return found


def _changes(folder: Path) -> dict[tuple[str, str, str], dict[str, str]]:
    return {
        (row["list"], row["section"], row["name_as_listed"]): row
        for _line, row in csv_rows(folder / "luxembourg_list_changes.csv")
    }


def entry_listing(
    row: dict[str, str], change: dict[str, str] | None, first_version: str
) -> Listing:
    """The listing of one current-list entry, dated by its change row or the earliest version."""
    _work, kind, _name = _LISTS[row["list"]]
    listing = Listing(
        "LU", list_name(row["list"], row["section"]), kind, act=f"RGD {row['list'][4:14]}"
    )
    if row["change"].startswith("removed"):
        act = (change or row)["act"]
        until, precision = between((change or row).get("act_date") or None, first_version)
        return listing.dated(
            change="remove",
            until=until,
            until_precision=precision,
            # a struck line does not say whether the substance left control or moved
            until_kind="destination_unknown",
            until_act=act,
            act=act,
            note=f"struck through in every consolidated version held (from {first_version})",
        )
    if change and change["in_force"]:
        return listing.dated(
            since=change["in_force"],
            act=change["act"],
            act_date=change["act_date"] or None,
            note=change["evidence"],
        )
    note = f"evidence: earliest consolidated version held ({first_version})"
    if row["act"].startswith("RGD"):  # entry-specific amendment markup without a date of its own
        return listing.dated(
            evidence=first_version,
            note=f"{note}; added or amended by {row['act']}",
        )
    if row["block_markup_act"]:
        note += f"; re-enacted as a block by {row['block_markup_act'].split(' [')[0]}"
    return listing.dated(evidence=first_version, note=note)


def read(folder: Path) -> Iterator[Row]:
    held = versions(folder)
    changes = _changes(folder)
    for line, row in csv_rows(folder / "luxembourg_current_lists.csv"):
        work = _LISTS[row["list"]][0]
        change = changes.get((row["list"], row["section"], row["name_as_listed"]))
        names = entry_names(row["name_as_listed"], row["other_names"], row["description"])
        if not names:
            continue
        yield Row(
            SOURCE,
            line,
            names,
            cas=cas_numbers(row["cas"]),
            listings=[entry_listing(row, change, held[work][0])],
        )
