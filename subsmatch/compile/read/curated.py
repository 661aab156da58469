"""The compiler's own curated tables: cutting agents, adulterants and medicines met in seized
drugs (by their systematic names), stereoisomers the law excludes, and listings a person
transcribed from a legal regime that the sources describe in words but do not tabulate."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from subsmatch.compile.read.text import csv_rows
from subsmatch.compile.records import Listing, Name, Row

COMMON = "curated:common_substances"
EXCLUSIONS = "curated:stereo_exclusions"
DESCRIBED = "curated:described_listings"


def _other_names(cell: str) -> list[Name]:
    """The names of a "; "-separated cell."""
    return [Name(n.strip(), "other", "en") for n in cell.split(";") if n.strip()]


def read_common(folder: Path) -> Iterator[Row]:
    for line, row in csv_rows(folder / "common_substances.csv"):
        names = [Name(row["name"], "preferred", "en")]
        names += _other_names(row["synonyms"])
        if row["systematic_name"]:  # else the row joins the substance its name is known for
            names.append(Name(row["systematic_name"], "systematic", "en"))
        yield Row(COMMON, line, names, note=row["role"])


def read_exclusions(folder: Path) -> Iterator[Row]:
    for line, row in csv_rows(folder / "stereo_exclusions.csv"):
        yield Row(EXCLUSIONS, line, [Name(row["name"], "preferred", "en")], structure=row["smiles"])


def read_described_listings(folder: Path) -> Iterator[Row]:
    """Listings of a regime that a source describes in words (an act, its date and the substances
    it covers) without a table: each row cites the file and lines it rests on and names the
    substance by name and CAS number, so that the row is identified like any other.

    Example: Belgium's Royal Decree of 6 September 2017, Title 5, subjects GBL and 1,4-butanediol
    to a holding authorisation; ../shared has its act, dates and subject, not its article text.
    """
    for line, row in csv_rows(folder / "described_listings.csv"):
        names = [Name(row["name"], "preferred", "en")]
        names += _other_names(row["other_names"])
        listing = Listing(
            row["jurisdiction"],
            row["list"],
            row["kind"],
            since=row["since"] or None,
            act=row["act"],
            act_date=row["act_date"] or None,
            note=f"{row['note']} (source: {row['citation']})",
        )
        yield Row(DESCRIBED, line, names, cas=[row["cas"]], listings=[listing])
