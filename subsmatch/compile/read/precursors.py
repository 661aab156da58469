"""Drug precursors: the EU Annex (Reg. (EC) 273/2004 Annex I / Reg. (EC) 111/2005 Annex) with
categories, CN codes and the in-force date of the act that listed each entry; the designer
precursors with their EU listing dates; the UN 1988 Convention Tables I and II.

The annex tables were assembled from national authorities' reproductions (see PROVENANCE):
confidence below "high" and computed dates are kept in the listing's note.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from pathlib import Path

from subsmatch.compile.read.dates import end_of_year, leading_iso
from subsmatch.compile.read.text import cas_numbers, csv_rows, listed_names, name_and_aliases
from subsmatch.compile.records import Listing, Name, Row

EU_ANNEX = "eu_precursors_annex"
EU_DESIGNER = "eu_designer_precursors"
UN_TABLES = "un_1988_tables"

_CATEGORY = re.compile(r"Category\s+(\d)(?:\s*\(subcategory\s+(\d[AB])\))?")
_DESIGNATION = re.compile(r"^(?:CN designation(?: for [^:]+)?|incl\.|including)\s*:?\s*", re.I)


def eu_category(text: str) -> str | None:
    """The category as the Regulations name it.

    >>> eu_category("Category 2 (subcategory 2A)")
    '2A'
    >>> eu_category("Category 4 (Reg. 111/2005 Annex only)")
    '4'
    """
    match = _CATEGORY.search(text)
    return (match[2] or match[1]) if match else None


def eu_list(category: str) -> str:
    return f"EU precursor Category {category}"


def other_names(text: str, own: Sequence[str] = ()) -> list[str]:
    """Names in an "other names" cell: "CN designation: X; A, B", "MEK = butanone".

    An equation ("MEK = butanone") says which substance it is about: a cell the file repeats
    on neighbouring rows ('CN designation for HCl: hydrogen chloride; MEK = butanone' on both
    hydrochloric acid and methylethylketone) gives its names to the row only when one side is
    one of the row's ``own`` names as listed (spaces, hyphens and case aside).

    >>> other_names("CN designation: Phenylacetone; BMK, P2P")
    ['Phenylacetone', 'BMK', 'P2P']
    >>> other_names("MEK = butanone", own=["Butanone"])
    ['MEK', 'butanone']
    >>> other_names("CN designation for HCl: HCl gas; MEK = butanone", own=["Hydrochloric acid"])
    ['HCl gas']
    """
    mine = {_bare(n) for n in own}
    names = []
    for part in re.split(r";\s*", text):
        part = _DESIGNATION.sub("", part.strip())
        sides = re.split(r"\s+=\s+", part)
        if len(sides) > 1 and not mine & {_bare(side) for side in sides}:
            continue  # an equation about another row's substance
        for piece in re.split(r",\s+(?=[^\d\s])|\s+=\s+", part):
            names += name_and_aliases(piece)
    return [n for n in names if n and not n.startswith(("cis", "trans"))]


def _bare(name: str) -> str:
    return re.sub(r"[\s-]", "", name).casefold()


def _listing_note(*parts: str) -> str:
    return "; ".join(p for p in parts if p)


def eu_listing(
    category: str, act: str, act_date: str, in_force: str, confidence: str, cn: str
) -> Listing:
    since = leading_iso(in_force)
    comment = in_force[len(since) :].strip(" ()") if since else in_force
    return Listing(
        "EU",
        eu_list(category),
        "precursor",
        category,
        since=since,
        act=act,
        act_date=act_date or None,
        note=_listing_note(
            f"CN {cn}" if cn else "",
            f"in force: {comment}" if comment else "",
            f"listing act confidence: {confidence}"
            if confidence and not confidence.startswith("high")
            else "",
        ),
    )


def read_eu_annex(folder: Path) -> Iterator[Row]:
    for line, row in csv_rows(folder / "eu_precursors_annex_I_273_2004.csv"):
        category = eu_category(row["category"])
        names = listed_names(row["name_as_listed"], "en", "preferred", "other")
        own = [n.text for n in names]
        names += [Name(n, "other", "en") for n in other_names(row["other_names"], own)]
        listing = eu_listing(
            category or "",
            row["act"],
            row["act_date"],
            row["in_force"],
            row["listing_act_confidence"],
            row["cn_code"],
        )
        yield Row(
            EU_ANNEX,
            line,
            names,
            cas=cas_numbers(row["cas"]) if row["cas_checksum_ok"] == "yes" else [],
            listings=[listing] if category else [],
            material="preparation" if category == "4" else "",
            note=row["notes"],
        )


def read_eu_designer(folder: Path) -> Iterator[Row]:
    for line, row in csv_rows(folder / "designer_precursors_listing_dates.csv"):
        category = eu_category(row["eu_category"])
        names = [Name(n, "preferred", "en") for n in name_and_aliases(row["name_as_listed_eu"])]
        group = "esters" in row["substance"] or "isomers" in row["substance"]
        if not group:
            names.append(Name(row["substance"], "code", "en"))
        listing = eu_listing(
            category or "",
            row["eu_listing_act"],
            row["eu_act_date"],
            row["eu_in_force"],
            row["eu_listing_confidence"],
            row["cn_code"],
        )
        yield Row(
            EU_DESIGNER,
            line,
            names,
            cas=cas_numbers(row["cas"]),
            listings=[listing] if category else [],
            note=row["notes"],
        )


def un_table_evidence(text: str) -> tuple[str | None, str]:
    """Evidence for a 1988 Table listing from a "year under control" cell (a secondary source):
    the end of the year the substance entered its current table.

    >>> un_table_evidence("1988 (Table II); moved to Table I in 2001")[0]
    '2001-12-31'
    >>> un_table_evidence("")
    (None, '')
    """
    years = re.findall(r"(?:moved to Table I+ in )?((?:19|20)\d\d)", text)
    moved = re.search(r"moved to Table I+ in ((?:19|20)\d\d)", text)
    year = moved[1] if moved else (years[0] if years else None)
    note = f"year under control (secondary source): {text}" if text else ""
    return (end_of_year(year) if year else None), note


def read_un_tables(folder: Path) -> Iterator[Row]:
    for line, row in csv_rows(folder / "un_1988_tables.csv"):
        table = re.fullmatch(r"1988 Convention Table (I{1,2})", row["list"])
        name = re.sub(r"\s+and its (?:esters|salts)$", "", row["name_as_listed"])
        group = name != row["name_as_listed"]
        names = listed_names(name)
        if not group:
            own = [n.text for n in names]
            names += [Name(n, "other", "en") for n in other_names(row["other_names"], own)]
        listings = []
        if table:
            evidence, note = un_table_evidence(row["year_under_control_secondary"])
            listings.append(
                Listing(
                    "UN",
                    f"1988 Table {table[1]}",
                    "precursor",
                    table[1],
                    evidence=evidence,
                    act="1988 Convention",
                    note=_listing_note(note, "and its esters" if group else "", row["notes"]),
                )
            )
        yield Row(
            UN_TABLES,
            line,
            names,
            cas=cas_numbers(row["cas"]) if row["cas_checksum_ok"] == "yes" else [],
            listings=listings,
            note="" if table else f"not loaded: {row['list']} ({row['notes']})",
        )
