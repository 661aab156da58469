"""US List I and List II chemicals: 21 CFR 1310.02(a) items (1)-(28), the statutory lists of
21 U.S.C. 802(34)-(35), and later List I designations with their effective dates."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from subsmatch.compile.read.text import cas_numbers, csv_rows, name_and_aliases
from subsmatch.compile.records import Listing, Name, Row

SOURCE = "us_dea_chemicals"
_NOT_AN_ENTRY = re.compile(r"^(?:Any salt|Repealed|N-p\[|.* listing modified to)", re.I)
_TAIL = re.compile(
    r"(?:,?\s+(?:and |including )?its\s+(?:salts|esters|acetals|amides|carbamates|optical).*"
    r"|\s+—\s+.*|,\s+including\s+.*)$",
    re.I,
)
_OTHER_NAMES = re.compile(
    r"\s*\((?:Other names(?: include)?|or)\s*:?\s*([^()]*(?:\([^()]*\)[^()]*)*)\)", re.I
)
_INCLUDING = re.compile(r"\s*\(Including [^)]*\)", re.I)
_SINCE = re.compile(r"since (\d{4}-\d{2}-\d{2})")


def chemical_names(text: str) -> list[str]:
    """The names of a List I/II item, its qualifiers (salts, isomers, examples) cut off.

    >>> chemical_names("Gamma-Butyrolactone (Other names include: GBL; Dihydro-2 (3H)-furanone)")
    ['Gamma-Butyrolactone', 'GBL', 'Dihydro-2 (3H)-furanone']
    >>> chemical_names("2-Butanone (or Methyl Ethyl Ketone).")
    ['2-Butanone', 'Methyl Ethyl Ketone']
    >>> chemical_names("Ephedrine, its salts, optical isomers, and salts of optical isomers.")
    ['Ephedrine']
    >>> chemical_names("tert-butyl 4-oxopiperidine-1-carboxylate "
    ...     "(1-boc-4-piperidone; CAS 79099-07-3) and its salts — specific listing")
    ['tert-butyl 4-oxopiperidine-1-carboxylate', '1-boc-4-piperidone']
    """
    text = text.strip().rstrip(".")
    others: list[str] = []
    if match := _OTHER_NAMES.search(text):
        others = [n.strip() for n in match[1].split(";") if n.strip()]
        text = text[: match.start()] + text[match.end() :]
    text = _INCLUDING.sub("", text)
    text = _TAIL.sub("", text).strip()
    names = name_and_aliases(text) + others
    return [n for n in names if not n.upper().startswith("CAS ")]


def read(folder: Path) -> Iterator[Row]:
    for line, row in csv_rows(folder / "us_dea_list_I_II_chemicals.csv"):
        chemical = row["chemical"]
        if _NOT_AN_ENTRY.match(chemical):
            yield Row(SOURCE, line, [], note=f"not loaded: {chemical[:80]}")
            continue
        table = "II" if row["list"].startswith("List II") else "I"
        since = row["effective_date"] or None
        note = row["completeness"] if row["completeness"] != "complete" else ""
        if (earlier := _SINCE.search(chemical)) and since:
            note = f"specific listing effective {since}; regulated as List I since {earlier[1]}"
            since = earlier[1]
        names = [
            Name(n, "preferred" if i == 0 else "other", "en")
            for i, n in enumerate(chemical_names(chemical))
        ]
        listing = Listing(
            "US",
            f"US List {table} chemicals",
            "precursor",
            table,
            since=since,
            act=row["authority"],
            act_date=row["effective_date"] or None,
            note=note,
        )
        yield Row(SOURCE, line, names, cas=cas_numbers(chemical), listings=[listing])
