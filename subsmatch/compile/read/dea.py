"""The DEA's alphabetical list of controlled substances (about 2020, via CRAN DOPE), DOPE's
tidy synonyms of it, the DEA slang report, DOPE's drug-category lookup table, and the US DoD
list of prohibited supplement ingredients."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from subsmatch.compile.read.text import csv_rows, listed_names, name_and_aliases, split_names
from subsmatch.compile.records import Listing, Name, Row

ORANGE_BOOK = "dea_orange_book"
DOPE_SYNONYMS = "dope_dea_controlled"
SLANG = "dea_slang_terms"
DOPE_LOOKUP = "dope_lookup"
DOD = "dod_prohibited"


_ISOMER_NOTE = re.compile(r"\)?\s*\(\s*Positional\s*Isomers?\s*:.*$", re.I | re.S)


def without_isomer_note(text: str) -> str:
    """A DEA cell without its trailing "(Positional Isomers: ...)" list.

    >>> without_isomer_note("2-(methylamino)-1-phenylpentan-1-one)(PositionalIsomers:3-MEC, 4-EMC)")
    '2-(methylamino)-1-phenylpentan-1-one'
    """
    return _ISOMER_NOTE.sub("", text).strip()


def read_orange_book(folder: Path) -> Iterator[Row]:
    for line, row in csv_rows(folder / "dea_controlled_substances_alpha_c_cs_alpha.csv"):
        row = {**row, "other_names": without_isomer_note(row["other_names"])}
        schedule = row["csa_schedule"].upper()
        kind = "narcotic" if row["narcotic"].upper() == "Y" else "psychotropic"
        code = row["dea_drug_code"].split(".")[0]
        substance, exception = except_clause(row["substance"])
        names = listed_names(substance, "en", "preferred", "other")
        names += [
            Name(n, "other", "en")
            for cell in split_names(row["other_names"], before_digits=True)
            for n in name_and_aliases(cell)
        ]
        act = f"DEA drug code {code}" if code else ""
        listing = Listing("US", f"CSA Schedule {schedule}", kind, act=act, note=exception)
        yield Row(ORANGE_BOOK, line, names, listings=[listing])


_EXCEPT = re.compile(r"\s+(except\s+\S.*)$", re.I)


def except_clause(text: str) -> tuple[str, str]:
    """A DEA entry "X except Y" names X; the exception is a note of its listing.

    >>> except_clause("Alphacetylmethadol except levo-alphacetylmethadol")
    ('Alphacetylmethadol', 'except levo-alphacetylmethadol')
    >>> except_clause("Etorphine (except HCl)")
    ('Etorphine (except HCl)', '')
    """
    found = _EXCEPT.search(text)
    return (text[: found.start()], found[1]) if found else (text, "")


def read_dope_synonyms(folder: Path) -> Iterator[Row]:
    """One synonym per row, keyed by the DEA list's own substance text."""
    for line, row in csv_rows(folder / "dope_dea_controlled.csv"):
        names = [Name(n, "other", "en") for n in name_and_aliases(row["synonym"])]
        yield Row(DOPE_SYNONYMS, line, names, label=row["substance"])


def read_slang(folder: Path) -> Iterator[Row]:
    """DEA Intelligence Report "Drug Slang Code Words" (2017): slang and brands per drug."""
    for line, row in csv_rows(folder / "dope_dea_street_names.csv"):
        names = []
        if row["slang"]:
            names.append(Name(row["slang"], "street", "en", "US"))
        if row["brand"]:
            names.append(Name(row["brand"], "trade", "en", "US"))
        if names:
            yield Row(SLANG, line, names, label=row["category"])


def read_dope_lookup(folder: Path) -> Iterator[Row]:
    """DOPE's lookup table maps names to drug *categories* ("GBL" under GHB): a grouping table."""
    for line, row in csv_rows(folder / "dope_lookup_df.csv"):
        yield Row(DOPE_LOOKUP, line, [Name(row["synonym"], "other", "en")], label=row["category"])


def read_dod(folder: Path) -> Iterator[Row]:
    """Prohibited supplement ingredients: other names of each ingredient."""
    for line, row in csv_rows(folder / "dod_prohibited_names_synonyms_dea.csv"):
        names = [Name(n.strip(), "other", "en") for n in row["other_names"].split("|") if n.strip()]
        if names:
            yield Row(DOD, line, names, label=row["name"])
