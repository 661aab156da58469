"""Germany: BtMG Anlagen I-III (gesetze-im-internet.de via github.com/kmein/gesetze), with German
INNs, trivial names and German IUPAC-style names.

``first_seen_in_repo_history`` is the day the scraped repository first showed a row: evidence
that the listing was in force then, not its in-force date (and 2025-01-20, when the table format
began, for most rows).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from subsmatch.compile.read.text import csv_rows, listed_names, name_and_aliases, split_names
from subsmatch.compile.records import Listing, Name, Row

SOURCE = "germany_btmg"
_QUALIFIER = re.compile(r"\s+[–-]\s+(?:ausgenommen|sofern|soweit|mit Ausnahme)\b.*$", re.I)


def without_qualifier(text: str) -> str:
    """A name without the exception clause the Anlagen append to it.

    >>> without_qualifier("Heroin (Diacetylmorphin, Diamorphin) – ausgenommen Diamorphin zu X –")
    'Heroin (Diacetylmorphin, Diamorphin)'
    """
    return _QUALIFIER.sub("", text).strip().rstrip("* ").strip()


def read(folder: Path) -> Iterator[Row]:
    for line, row in csv_rows(folder / "btmg_anlagen_I_II_III_2026-07.csv"):
        names = listed_names(without_qualifier(row["inn"]), "de", "inn", "code")
        for other in split_names(without_qualifier(row["other_names"])):
            names += [Name(n, "other", "de") for n in name_and_aliases(other)]
        if row["iupac_name_de"]:
            names.append(Name(row["iupac_name_de"], "systematic", "de"))
        if not names:
            continue
        first_seen = row["first_seen_in_repo_history"] or None
        listing = Listing(
            "DE",
            f"BtMG Anlage {row['anlage']}",
            "narcotic",
            evidence=first_seen,
            act="BtMG",
            note="evidence: first seen in the scraped BtMG (gesetze-im-internet.de)"
            if first_seen
            else "",
        )
        yield Row(SOURCE, line, names, listings=[listing])
