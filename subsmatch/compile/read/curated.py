"""The compiler's own curated tables: cutting agents, adulterants and medicines met in seized
drugs (by their systematic names), stereoisomers the law excludes, and listings and removals a
person transcribed from a legal regime that the sources describe in words but do not tabulate."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from subsmatch.compile.read.text import csv_rows
from subsmatch.compile.records import UNTIL_KINDS, Listing, Name, Row
from subsmatch.compile.roles import read_csv_comments

COMMON = "curated:common_substances"
EXCLUSIONS = "curated:stereo_exclusions"
DESCRIBED = "curated:described_listings"
PRECISIONS = ("day", "month", "year")
REMOVALS = "curated:removals"
PRODUCTS = "curated:products"


def _split(cell: str, sep: str = "|") -> list[str]:
    return [part.strip() for part in cell.split(sep) if part.strip()]


def read_products(folder: Path) -> Iterator[Row]:
    """Products and mixtures (``products.csv``): what is sold under a name whose contents vary
    from batch to batch ('Spice', 'pink cocaine'). Each is an entry of its own (material
    ``product``) with its typical contents as the sources give them; the street names of its
    labels join it (:func:`subsmatch.compile.curate.relabel`), and a list row that names it (an
    override makes the row a product) joins it by a shared name.

    >>> rows = list(read_products(Path(__file__).parents[1] / "curated"))
    >>> pink = next(r for r in rows if r.names[0].text == "pink cocaine mixture")
    >>> pink.material, pink.contents[:3]
    ('product', ['ketamine', 'MDMA', 'caffeine'])
    """
    for line, row in enumerate(read_csv_comments(folder / "products.csv"), start=2):
        names = [Name(row["product"], "preferred", "en")]
        names += [Name(n, "other", "en") for n in _split(row["names"])]
        contents = _split(row["contents"], ";")
        if any(c.count("(") != c.count(")") for c in contents):
            raise CuratedTableError(
                f"products.csv data row {line}: a content's qualifier holds a ';' "
                "(the contents are ';'-separated)"
            )
        yield Row(
            PRODUCTS,
            line,
            names,
            material="product",
            contents=contents,
            note=f"{row['reason']} (source: {row['source']})",
        )


def _other_names(cell: str) -> list[Name]:
    """The names of a "; "-separated cell."""
    return [Name(n.strip(), "other", "en") for n in cell.split(";") if n.strip()]


def _transcribed(source: str, line: int, row: dict[str, str], listing: Listing) -> Row:
    """A row a person transcribed from a regime described in words: its names, its CAS number
    and one listing whose note cites the file and lines it rests on."""
    names = [Name(row["name"], "preferred", "en"), *_other_names(row["other_names"])]
    cited = listing.dated(note=f"{row['note']} (source: {row['citation']})")
    return Row(source, line, names, cas=[c for c in [row["cas"]] if c], listings=[cited])


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
        listing = Listing(
            row["jurisdiction"],
            row["list"],
            row["kind"],
            since=row["since"] or None,
            act=row["act"],
            act_date=row["act_date"] or None,
        )
        yield _transcribed(DESCRIBED, line, row, listing)


class CuratedTableError(ValueError):
    """A curated table holds a value its header does not allow; the message names the line."""


def read_removals(folder: Path) -> Iterator[Row]:
    """Removals an amending act's summary describes in words: each row names the substance as its
    list does (and its CAS number), the list it leaves, when (as precisely as the source gives
    it), what the removal did and the file and lines it rests on. The row is identified like any
    other; the removal closes the listing of the same substance on the same list.

    Example: the Belgian AR of 2026 (numac 2026000055) repealed the Annex IVB lines of
    butonitazene, bromazolam and four D9-THC homologues, in a year the source gives without the
    day, while inserting substances in Annexes IA, IIB and III without saying which.
    """
    path = folder / "removals.csv"
    for line, row in csv_rows(path):
        if row["until_kind"] not in UNTIL_KINDS or row["until_precision"] not in PRECISIONS:
            raise CuratedTableError(
                f"{path.name} line {line}: until_kind must be one of {', '.join(UNTIL_KINDS)} "
                f"and until_precision one of {', '.join(PRECISIONS)}"
            )
        listing = Listing(
            row["jurisdiction"],
            row["list"],
            row["kind"],
            change="remove",
            until=row["until"],
            until_precision=row["until_precision"],
            until_kind=row["until_kind"],
            until_act=row["act"],
            act=row["act"],
        )
        yield _transcribed(REMOVALS, line, row, listing)
