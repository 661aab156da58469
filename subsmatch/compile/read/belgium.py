"""Belgium (legal_GUI dataset): the annexes of the Royal Decree of 6 September 2017, with the
UN schedules, EU NPS decisions and EU precursor categories the same rows carry.

The "RD modification" cell dates the amending decree(s): one date, or several
("13/06/2010 + 25/11/2015": a first listing and later amendments). A decree date is evidence,
not an in-force date (the decrees come into force on or after their publication).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from subsmatch.compile.read.dates import all_dmy
from subsmatch.compile.read.text import cas_numbers, csv_rows, listed_names
from subsmatch.compile.records import Listing, Name, Row

SOURCE = "belgium_legal_gui"
FILE = "belgium_un_eu_controlled_substances_clean.csv"

_UN_SCHEDULE = re.compile(r"(?:schedule|scheduel)\s+(I{1,3}V?|IV|V)\b(?:\s*\(?\+\s*(IV)\)?)?", re.I)
_UN_TABLE = re.compile(r"table\s+(I{1,2})", re.I)
_CONVENTION_KIND = {"1961": "narcotic", "1971": "psychotropic", "1988": "precursor"}
_BE_KIND = {"I": "narcotic", "II": "psychotropic", "III": "psychotropic", "IV": "NPS"}
_EU_PRECURSOR = re.compile(r"(?:Sub)?[Cc]ategory[ _]?(\d[AB]?)")
_EU_PRECURSOR_ACTS = ("273/2004", "111/2005")


def un_listings(schedule_text: str, convention: str) -> list[Listing]:
    """UN convention listings from the UNO and Convention columns.

    >>> [(x.list, x.category) for x in un_listings("Schedule I + IV", "1961")]
    [('1961 Schedule I', ''), ('1961 Schedule IV', '')]
    >>> [(x.list, x.category) for x in un_listings("Table I", "1988")]
    [('1988 Table I', 'I')]
    >>> [x.list for x in un_listings("Scheduel I", "1971")]
    ['1971 Schedule I']
    """
    kind = _CONVENTION_KIND.get(convention)
    if not kind:
        return []
    if match := _UN_TABLE.search(schedule_text):
        table = match[1].upper()
        return [Listing("UN", f"{convention} Table {table}", kind, category=table)]
    match = _UN_SCHEDULE.search(schedule_text)
    if not match:
        return []
    schedules = [match[1].upper()] + ([match[2].upper()] if match[2] else [])
    return [Listing("UN", f"{convention} Schedule {s}", kind) for s in schedules]


def be_listing(annex_text: str) -> Listing | None:
    """The Belgian annex listing; generic groups of Annex IVa keep their group label.

    >>> be_listing("Annex IVa - cathinone").list, be_listing("annex Ib").kind
    ('BE Annex IVa (cathinone)', 'narcotic')
    """
    match = re.match(r"annex\s+(I{1,3}|IV)([abc])?\b\s*(?:-\s*(.+))?$", annex_text, re.I)
    if not match:
        return None
    roman, letter, group = match[1].upper(), (match[2] or "").lower(), match[3]
    name = f"BE Annex {roman}{letter}" + (f" ({group.strip()})" if group else "")
    return Listing("BE", name, _BE_KIND[roman], act="KB 6 September 2017")


def eu_listings(decision: str, cat273: str, cat111: str) -> list[Listing]:
    """EU NPS control decisions (the decision's year, year precision) and precursor categories.

    >>> [(x.list, x.since, x.act) for x in eu_listings("2013/129/EU + 2015/1874", "", "")]
    [('EU NPS control', '2013-01-01', '2013/129/EU + 2015/1874')]
    >>> [(x.list, x.category) for x in eu_listings("273/2004 + 111/2005", "Category_1", "")]
    [('EU precursor Category 1', '1')]
    """
    out = []
    acts = [a.strip() for a in decision.split("+") if a.strip()]
    nps_acts = [a for a in acts if a not in _EU_PRECURSOR_ACTS]
    if nps_acts:
        year = re.search(r"((?:19|20)\d\d)", nps_acts[0])
        out.append(
            Listing(
                "EU",
                "EU NPS control",
                "NPS",
                since=f"{year[1]}-01-01" if year else None,
                since_precision="year",
                act=" + ".join(nps_acts),
                note="year of the EU decision" if year else "",
            )
        )
    for text, act in ((cat273, "Reg. (EC) 273/2004"), (cat111, "Reg. (EC) 111/2005")):
        if match := _EU_PRECURSOR.search(text):
            category = match[1]
            out.append(
                Listing("EU", f"EU precursor Category {category}", "precursor", category, act=act)
            )
            break
    return out


def dated(listing: Listing, decrees: list[str]) -> Listing:
    """A Belgian listing with the decree dates of its row: the first as evidence and act date,
    later ones as amendments in the note."""
    if not decrees:
        return listing
    later = ", ".join(decrees[1:])
    note = "date of the listing decree (in-force date not in the source)"
    return listing.dated(
        evidence=decrees[0],
        act=f"KB {decrees[0]}",
        act_date=decrees[0],
        note=note + (f"; amended by KB {later}" if later else ""),
    )


def read(folder: Path) -> Iterator[Row]:
    for line, row in csv_rows(folder / FILE):
        placeholder = row["smiles_is_placeholder"].lower() == "true"
        listings = un_listings(row["UNO"], row["Convention"].split(".")[0])
        listings += eu_listings(
            row["EU"], row["EU_Annex_Category_273_2004"], row["EU_Annex_Category_111_2005"]
        )
        if be := be_listing(row["Belgian annex"]):
            listings.append(dated(be, all_dmy(row["RD modification"])))
        names = listed_names(row["NAME"])
        iupac = row["IUPAC"].strip().rstrip(",").rstrip()  # a few cells end in " ,"
        if iupac and iupac.lower() != row["NAME"].lower():
            names.append(Name(iupac, "systematic", "en"))
        yield Row(
            SOURCE,
            line,
            names,
            cas=cas_numbers(row["CAS"]),
            structure=None if placeholder else (row["SMILES"] or None),
            listings=listings,
            note="placeholder SMILES (N-acetylneuraminic acid) ignored" if placeholder else "",
        )
