"""The DEA's alphabetical list of controlled substances (about 2020, via CRAN DOPE), DOPE's
tidy synonyms of it, the DEA slang report, DOPE's drug-category lookup table, and the US DoD
list of prohibited supplement ingredients."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from subsmatch.compile.read.text import csv_rows, listed_names, name_and_aliases, split_names
from subsmatch.compile.records import Listing, Name, Row
from subsmatch.reference.law import POSITIONAL_ISOMER_NOTE

ORANGE_BOOK = "dea_orange_book"
DOPE_SYNONYMS = "dope_dea_controlled"
SLANG = "dea_slang_terms"
DOPE_LOOKUP = "dope_lookup"
DOD = "dod_prohibited"


_ISOMER_NOTE = re.compile(r"\)?\s*\(\s*Positional\s*Isomers?\s*:(?P<isomers>.*)$", re.I | re.S)


def without_isomer_note(text: str) -> str:
    """A DEA cell without its trailing "(Positional Isomers: ...)" list.

    >>> without_isomer_note("2-(methylamino)-1-phenylpentan-1-one)(PositionalIsomers:3-MEC, 4-EMC)")
    '2-(methylamino)-1-phenylpentan-1-one'
    """
    return _ISOMER_NOTE.sub("", text).strip()


def positional_isomers(text: str) -> list[list[str]]:
    """The positional isomers a DEA cell names (21 CFR 1300.01), each as its names: compounds
    controlled as isomers of the entry, other substances than the entry.

    >>> positional_isomers("N-ethyl MDA, MDE, MDEA (Positional Isomer:MDMB)")
    [['MDMB']]
    >>> positional_isomers("(Positional Isomers: 3-Methyl-methcathinone,Buphedrone, Ethcathinone)")
    [['3-Methyl-methcathinone'], ['Buphedrone'], ['Ethcathinone']]
    >>> positional_isomers("x)(Positional Isomers: 3,4-dimethylmethcathinone(3,4-DMMC),"
    ...     "N-ethylbuphedrone (NEB), and propylone(3',4'-methylenedioxy-N-propylcathinone, "
    ...     "1-(benzo[d][1,3]dioxol-5-yl)-2-(propylamino)propan-1-one))")[1:]
    [['N-ethylbuphedrone', 'NEB'], ['propylone', "3',4'-methylenedioxy-N-propylcathinone", \
'1-(benzo[d][1,3]dioxol-5-yl)-2-(propylamino)propan-1-one']]
    """
    found = _ISOMER_NOTE.search(text)
    if not found:
        return []
    listed = found["isomers"].replace("\ufffd", "").strip()
    if listed.count(")") > listed.count("("):  # the note's own closing bracket
        listed = listed[: listed.rindex(")")]
    listed = re.sub(r"\),(?=\S)", "), ", listed)  # "(3,4-DMMC),N-ethylbuphedrone"
    listed = re.sub(r"(?<=[a-z]{2}),(?=[A-Za-z]{2})", ", ", listed)  # "methcathinone,Buphedrone"
    listed = re.sub(r"(?<=[a-z]{3})\(", " (", listed)  # "propylone(3',4'-...)"
    return [
        [part for name in name_and_aliases(cell) for part in split_names(name, before_digits=True)]
        for cell in (re.sub(r"^and\s+", "", c) for c in split_names(listed, before_digits=True))
        if cell
    ]


_QUALIFIER = re.compile(r"\s+(?P<qualifier>(?:w/|with\s)\s*[^\W\d_][\w-]*)\s*$", re.I)
_ITEMS = re.compile(r"\s*,\s*|\s+or\s+", re.I)
ORANGE_BOOK_FILE = "dea_controlled_substances_alpha_c_cs_alpha.csv"


def distributed(cell: str, entry: str) -> list[str] | None:
    """The names of a cell listing product brands that share one qualifier at its end, the
    entry's own substance, each with the qualifier: "Empirin,Fiorinal,Tylenol,ASA or APAP
    w/codeine" of "Codeine combination product" lists the brands *with codeine*; a brand alone
    (Tylenol: paracetamol) names another product, so never the entry. None for any other cell
    (a qualifier naming another substance than the entry's describes one item: "Fiorinal,
    Butalbital with aspirin"). A qualifier printed "w/" is given as said too ("with codeine").

    >>> distributed("Empirin,Tylenol or APAP w/codeine", "Codeine combination product")
    ['Empirin w/codeine', 'Empirin with codeine', 'Tylenol w/codeine', 'Tylenol with codeine', \
'APAP w/codeine', 'APAP with codeine']
    >>> distributed("Fiorinal, Butalbital with aspirin", "Butalbital")
    >>> distributed("Synalgos-DC, Compal", "Dihydrocodeine combination product")
    """
    found = _QUALIFIER.search(cell)
    if not found or "(" in cell or ";" in cell:
        return None
    added = re.sub(r"(?i)^(?:w/|with\s)\s*", "", found["qualifier"]).casefold()
    if added not in re.findall(r"[\w-]+", entry.casefold()):
        return None
    items = [i.strip() for i in _ITEMS.split(cell[: found.start()]) if i.strip()]
    if len(items) < 2 or any(_QUALIFIER.search(f" {i}") or "/" in i for i in items):
        return None
    said = dict.fromkeys([found["qualifier"], f"with {added}"])  # 'w/' as printed, as said
    return [f"{item} {qualifier}" for item in items for qualifier in said]


def read_orange_book(folder: Path) -> Iterator[Row]:
    """Each entry, and each compound the entry names as its positional isomer: a row of its own,
    on the same schedule, "controlled as a positional isomer of" the entry. A cell of product
    brands sharing one qualifier gives each brand with it (:func:`distributed`)."""
    for line, row in csv_rows(folder / ORANGE_BOOK_FILE):
        isomers = positional_isomers(row["other_names"])
        row = {**row, "other_names": without_isomer_note(row["other_names"])}
        schedule = row["csa_schedule"].upper()
        kind = "narcotic" if row["narcotic"].upper() == "Y" else "psychotropic"
        code = row["dea_drug_code"].split(".")[0]
        substance, exception = except_clause(row["substance"])
        names = listed_names(substance, "en", "preferred", "other")
        cells = distributed(row["other_names"], substance) or split_names(
            row["other_names"], before_digits=True
        )
        names += [
            Name(n, "other", "en")
            for cell in cells
            for n in name_and_aliases(without_remarks(cell))
        ]
        act = f"DEA drug code {code}" if code else ""
        listing = Listing("US", f"CSA Schedule {schedule}", kind, act=act, note=exception)
        yield Row(
            ORANGE_BOOK, line, names, listings=[listing], isomers=[n for i in isomers for n in i]
        )
        entry = names[0].text
        for isomer in isomers:
            yield Row(
                ORANGE_BOOK,
                line,
                [Name(n, "other", "en") for n in isomer],
                listings=[listing.dated(note=f"{POSITIONAL_ISOMER_NOTE} {entry} (21 CFR 1300.01)")],
            )


_REMARK = re.compile(r"^(?:constituent of|cactus which contains|precursor of)\b|\bprecursor$", re.I)


def without_remarks(cell: str) -> str:
    """An "other names" cell without the DEA's remarks, which name no substance.

    >>> without_remarks('Constituent of "Khat" plant, (+)-norpseudoephedrine')
    '(+)-norpseudoephedrine'
    >>> without_remarks("LSD precursor"), without_remarks("Concentrate of Poppy Straw")
    ('', 'Concentrate of Poppy Straw')
    """
    return ", ".join(part for part in cell.split(", ") if not _REMARK.search(part.strip()))


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


def qualified_items(folder: Path) -> dict[tuple[str, str], str]:
    """(the DEA entry's text, an item of its cell, case-folded) -> the item with the qualifier
    its cell distributes (:func:`distributed`), from the DEA list of the same folder."""
    found = {}
    for _line, row in csv_rows(folder / ORANGE_BOOK_FILE):
        for name in distributed(row["other_names"], row["substance"]) or []:
            item = _QUALIFIER.sub("", name)
            found.setdefault((row["substance"].strip(), item.casefold()), name)  # as printed
    return found


def read_dope_synonyms(folder: Path) -> Iterator[Row]:
    """One synonym per row, keyed by the DEA list's own substance text. DOPE split the DEA's
    cells at every comma and "or", so the brands of a cell sharing one qualifier lost it
    ("Tylenol" of "Empirin,Fiorinal,Tylenol,ASA or APAP w/codeine"): each gets it back from
    the DEA list (:func:`qualified_items`); a brand alone names another product."""
    qualified = qualified_items(folder)
    for line, row in csv_rows(folder / "dope_dea_controlled.csv"):
        synonym = row["synonym"].strip()
        synonym = qualified.get((row["substance"].strip(), synonym.casefold()), synonym)
        names = [Name(n, "other", "en") for n in name_and_aliases(synonym)]
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
