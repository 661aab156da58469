"""UN scheduling decisions since 2010 (CND sessions): a decision adopted at a session is a
listing dated by the session's year (year precision); WHO recommendations whose adoption the
retrieved text does not show are not listings (the audit lists them). Rows marked SECONDARY
are evidence only (the year, as its last day), never an in-force date."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

from subsmatch.compile.read.dates import end_of_year
from subsmatch.compile.read.text import csv_rows, listed_names
from subsmatch.compile.records import Listing, Row

SOURCE = "un_scheduling"
_ADOPTED = re.compile(r"\badded\b|transferred|\bvoted\b|adoption confirmed", re.I)
_NOT_ADOPTED = re.compile(r"not verified|result not in excerpt|not scheduled", re.I)
_KIND = {"1961": "narcotic", "1971": "psychotropic", "1988": "precursor"}
_SCHEDULE = re.compile(r"(?:->\s*)?\b(IV|I{1,3}|V)\s*$")
# what a decision's wording adds to the substance it names: its optical isomers (which the stereo
# rule covers anyway), a count in brackets ("(acid and 8 esters)")
_SCOPE_WORDS = re.compile(
    r",?\s*including its (?:optical |stereo)?isomers\b|\s*\((?:acid and )?\d+ esters\)", re.I
)
# "X and its esters", "X and its methyl ester": two things, the substance X and its esters
_ESTERS = re.compile(r"\besters\b", re.I)
_AND_ITS = re.compile(r"^(?P<base>.+?)\s+and its\s+(?P<rest>(?:\w+\s+)?esters?)$", re.I)


def substances_named(text: str) -> list[str]:
    """The substances a decision's cell names, each as a list cell of its own.

    A decision adding "X and its esters" names X and, as a group, its esters (no one structure);
    "X and its methyl ester" names X and the methyl ester of X. The words that say what a listing
    covers anyway ("including its optical isomers") are no part of a name.

    >>> substances_named("methyl alpha-phenylacetoacetate (MAPA), including its optical isomers")
    ['methyl alpha-phenylacetoacetate (MAPA)']
    >>> substances_named("P-2-P methyl glycidic acid and its esters (acid and 8 esters)")
    ['P-2-P methyl glycidic acid', 'esters of P-2-P methyl glycidic acid']
    >>> substances_named("3,4-MDP-2-P methyl glycidic acid and its methyl ester")
    ['3,4-MDP-2-P methyl glycidic acid', '3,4-MDP-2-P methyl glycidic acid methyl ester']
    >>> substances_named("4-Anilinopiperidine (4-AP)")
    ['4-Anilinopiperidine (4-AP)']
    """
    text = " ".join(_SCOPE_WORDS.sub("", text).split())
    match = _AND_ITS.match(text)
    if not match:
        return [text]
    base, rest = match["base"], match["rest"]
    if rest.lower().endswith("esters"):
        return [base, f"esters of {base}"]
    return [base, f"{base} {rest}"]


def adopted(action: str) -> bool:
    """True when the row says the CND adopted the decision.

    >>> adopted("added"), adopted("WHO recommendation; adoption not verified in retrieved text")
    (True, False)
    >>> adopted("voted: 49 in favour, none against"), adopted("WHO: surveillance (not scheduled)")
    (True, False)
    """
    return bool(_ADOPTED.search(action)) and not _NOT_ADOPTED.search(action)


def un_list(convention: str, schedule: str) -> tuple[str, str]:
    """The list and category a row names (the schedule a transfer ends in).

    >>> un_list("1971", "IV -> II"), un_list("1988", "Table I")
    (('1971 Schedule II', ''), ('1988 Table I', 'I'))
    >>> un_list("1971", "(schedule not stated in retrieved source)")
    ('1971 Convention (schedule not stated)', '')
    """
    if convention == "1988":
        match = re.search(r"Table\s+(I{1,2})\b", schedule)
        return (
            (f"1988 Table {match[1]}", match[1])
            if match
            else ("1988 Convention (table not stated)", "")
        )
    match = _SCHEDULE.search(schedule.strip())
    if match:
        return f"{convention} Schedule {match[1]}", ""
    return f"{convention} Convention (schedule not stated)", ""


def read(folder: Path) -> Iterator[Row]:
    for line, row in csv_rows(folder / "un_scheduling_since_2010.csv"):
        substance, convention = row["substance"], row["convention"]
        if substance.startswith("(none)") or convention not in _KIND:
            continue
        if not adopted(row["action"]):
            names = listed_names(substance)
            yield Row(SOURCE, line, names, note=f"not loaded: {row['action']} (CND {row['year']})")
            continue
        list_name, category = un_list(convention, row["schedule_or_table"])
        session = (
            f"CND {row['cnd_session']} ({row['year']})"
            if row["cnd_session"]
            else f"CND {row['year']}"
        )
        decision = f", decision {row['cnd_decision_no']}" if row["cnd_decision_no"] else ""
        secondary = "SECONDARY" in row["evidence_type"]
        listing = Listing(
            "UN",
            list_name,
            _KIND[convention],
            category,
            since=None if secondary else f"{row['year']}-01-01",
            since_precision="year",
            evidence=end_of_year(row["year"]) if secondary else None,
            act=session + decision,
            note="; ".join(
                p
                for p in (
                    row["action"],
                    f"entry into force: {row['entry_into_force']}"
                    if row["entry_into_force"]
                    else "",
                    f"evidence: {row['evidence_type']}",
                )
                if p
            ),
        )
        for named in substances_named(substance):
            # "esters of X", "six additional esters of X", "X: other 7 esters": no one structure
            group = "group" if _ESTERS.search(named) else ""
            yield Row(
                SOURCE, line, listed_names(named), listings=[replace(listing)], material=group
            )
