"""Netherlands: Opiumwet lists I and II as of 2015-10-02 (statengeneraal/laws-markdown) and the
list changes 2015-2026 found in the Staatsblad.

The baseline's ``first_seen_version`` is the first consolidated version of the law (in the
mirror's history, from 2010-05-29) whose text holds the row: evidence, not an in-force date.
A change row gives the in-force date of its decree. Drafts and rows that were not retrieved
are not listings; :func:`read_changes` leaves them out (they are reported by the build).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from subsmatch.compile.read.text import (
    cas_numbers,
    csv_rows,
    name_and_aliases,
    split_names,
    strip_markdown,
)
from subsmatch.compile.records import Listing, Name, Row

BASELINE = "netherlands_opiumwet"
CHANGES = "netherlands_opiumwet_changes"
LIST_KIND = {"I": "narcotic", "II": "psychotropic"}


def opiumwet_list(lijst: str) -> str:
    return f"Opiumwet List {lijst}"


def _names(inn: str, others: str, description: str) -> list[Name]:
    names = [Name(n, "inn", "nl") for n in name_and_aliases(inn)] if inn not in ("", "–") else []
    for other in split_names(others, before_digits=True):
        if other != "–":
            names += [Name(n, "other", "nl") for n in name_and_aliases(other)]
    if description and "TRUNCATED" not in description:
        names.append(Name(description, "systematic", "nl"))
    return names


def read_baseline(folder: Path) -> Iterator[Row]:
    for line, row in csv_rows(folder / "opiumwet_lijst_I_II_2015-10-02.csv"):
        names = _names(
            strip_markdown(row["inn"]),
            strip_markdown(row["andere_benamingen"]),
            strip_markdown(row["nadere_omschrijving"]),
        )
        if not names:
            continue
        lijst = row["lijst"]
        listing = Listing(
            "NL",
            opiumwet_list(lijst),
            LIST_KIND[lijst],
            evidence=row["first_seen_version"] or None,
            act="Opiumwet",
            note="evidence: first consolidated version (from 2010-05-29) that holds the entry",
        )
        material = "plant" if row["subsection"] else ""
        if row["subsection"].lower().startswith(("paddo's", "paddo’s")):  # one plant entry: paddo's
            names.append(Name("paddo's", "other", "nl"))
        yield Row(
            BASELINE, line, names, listings=[listing], material=material, note=row["subsection"]
        )


def change_listing(row: dict[str, str]) -> Listing | None:
    """The listing a change row makes or ends; None for drafts and rows not retrieved.

    >>> change_listing({"list": "II", "change": "removed (moved to List I)",
    ...     "in_force": "2024-04-16",
    ...     "act": "Stb. 2024, 90", "act_date": "2024-04-10", "notes": ""}).until_kind
    'moved'
    >>> change_listing({"list": "I", "change": "added (per draft)", "in_force": "2021-10-28",
    ...     "act": "", "act_date": "", "notes": ""}) is None
    True
    """
    change = row["change"]
    if "draft" in change or "unknown" in change:
        return None
    listing = Listing(
        "NL",
        opiumwet_list(row["list"]),
        LIST_KIND[row["list"]],
        act=row["act"],
        act_date=row["act_date"] or None,
        note=row["notes"],
    )
    if change.startswith("removed"):
        moved = "moved to" in change  # "removed (moved to List I)": the destination is named
        return listing.dated(
            change="remove",
            until=row["in_force"] or None,
            until_kind="moved" if moved else "removed",
            until_act=row["act"],
        )
    return listing.dated(
        since=row["in_force"] or None, evidence=None if row["in_force"] else row["act_date"] or None
    )


def read_changes(folder: Path) -> Iterator[Row]:
    """One row per change; a draft or an item not retrieved comes with no listing and a note
    saying why (the audit lists it)."""
    for line, row in csv_rows(folder / "nl_opiumwet_list_changes_2015-2026.csv"):
        listing = change_listing(row)
        if row["name_as_listed"].startswith("["):
            yield Row(CHANGES, line, [], note=f"not loaded: {row['name_as_listed']}")
            continue
        if row["change"].startswith("removed"):
            names = [Name(n, "other", "nl") for n in name_and_aliases(row["name_as_listed"])]
        else:
            names = _names(
                row["inn"], row["other_names"] or row["name_as_listed"], row["description"]
            )
        if listing is None:
            yield Row(
                CHANGES,
                line,
                names,
                note=f"not loaded: change '{row['change']}' ({row['evidence']})",
            )
            continue
        yield Row(
            CHANGES,
            line,
            names,
            cas=cas_numbers(row["cas"]),
            listings=[listing],
            note=row["evidence"],
        )
