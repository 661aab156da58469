"""Removals: the curated table read like any source, a removal closing its listing with the
precision of its day and what it did, and the shipped reference saying what the sources do not
know of the Belgian AR of 2026 (numac 2026000055)."""

from __future__ import annotations

from datetime import date

import pytest

from subsmatch.compile.dating import DatingReport, combine
from subsmatch.compile.read.curated import REMOVALS, CuratedTableError, read_removals
from subsmatch.compile.read.netherlands import change_listing
from subsmatch.compile.records import Listing, Name, Row
from subsmatch.reference.law import State
from subsmatch.reference.lists import load

HEADER = (
    "jurisdiction,list,kind,name,other_names,cas,until,until_precision,until_kind,act,citation,"
    "note\n"
)


def test_a_curated_removal_is_a_row_with_its_day_precision_kind_act_and_citation(tmp_path):
    (tmp_path / "removals.csv").write_text(
        HEADER + "XX,XX Annex 4,NPS,alphaol,AO,96-48-0,2026-01-01,year,destination_unknown,"
        '"Decree 9 (numac 1)",laws/xx.md line 62,closes line 7\n',
        encoding="utf-8",
    )
    (row,) = read_removals(tmp_path)
    assert (row.source, row.row, row.cas) == (REMOVALS, 2, ["96-48-0"])
    assert [n.text for n in row.names] == ["alphaol", "AO"]
    (removal,) = row.listings
    assert (removal.change, removal.until, removal.until_precision) == (
        "remove",
        "2026-01-01",
        "year",
    )
    assert (removal.until_kind, removal.until_act) == ("destination_unknown", "Decree 9 (numac 1)")
    assert removal.note == "closes line 7 (source: laws/xx.md line 62)"


def test_a_curated_removal_of_an_unknown_kind_is_a_clear_error(tmp_path):
    (tmp_path / "removals.csv").write_text(
        HEADER + "XX,XX Annex 4,NPS,alphaol,,,2026-01-01,year,vanished,Decree 9,x,y\n",
        encoding="utf-8",
    )
    with pytest.raises(CuratedTableError, match=r"removals\.csv line 2: until_kind must be"):
        list(read_removals(tmp_path))


def row(source: str, line: int) -> Row:
    return Row(source, line, [Name("alphaol")])


def test_a_removal_closes_its_listing_with_its_precision_kind_and_act():
    added = Listing("XX", "XX Annex 4", "NPS", evidence="2021-12-27", act="Decree 1")
    removed = Listing(
        "XX",
        "XX Annex 4",
        "NPS",
        change="remove",
        until="2026-01-01",
        until_precision="year",
        until_kind="destination_unknown",
        until_act="Decree 9 (numac 1)",
    )
    report = DatingReport()
    listing, kept = combine([(added, row("a", 2))], [(removed, row("b", 3))], report, "sid")
    assert kept.ref == "a:2" and listing.act == "Decree 1"
    assert (listing.until, listing.until_precision, listing.until_kind) == (
        "2026-01-01",
        "year",
        "destination_unknown",
    )
    assert "removed 2026-01-01 by Decree 9 (numac 1)" in listing.note
    # a removal that does not say what it did is a plain removal, by the act of its row
    plain = Listing("XX", "XX Annex 4", "NPS", change="remove", until="2026-03-01", act="D 2")
    listing, _ = combine([(added, row("a", 2))], [(plain, row("b", 3))], report, "sid")
    assert (listing.until_kind, listing.until_precision, listing.until_act) == (
        "removed",
        "day",
        "D 2",
    )


def test_a_dutch_move_to_another_list_is_a_move():
    moved = change_listing(
        {"list": "II", "change": "removed (moved to List I)", "in_force": "2024-04-16"}
        | {"act": "Stb. 2024, 90", "act_date": "2024-04-10", "notes": ""}
    )
    assert (moved.until, moved.until_kind, moved.until_act) == (
        "2024-04-16",
        "moved",
        "Stb. 2024, 90",
    )


@pytest.mark.parametrize("name", ["BROMAZOLAM", "BUTONITAZENE", "D9-THCP", "D9-THCjd"])
def test_the_belgian_ivb_lines_repealed_in_2026_are_unknown_after_it(name):
    reference = load()
    (entry,) = [
        e
        for entries in reference.listings.values()
        for e in entries
        if e.list == "BE Annex IVb" and e.name_in_list == name
    ]
    assert (entry.until, entry.until_precision, entry.until_kind) == (
        "2026-01-01",
        "year",
        "destination_unknown",
    )
    assert "numac 2026000055" in entry.until_act
    assert entry.state(date(2025, 6, 1)) is State.IN_FORCE
    assert entry.state(date(2026, 6, 1)) is State.UNKNOWN
    assert entry.state(date(2028, 1, 1)) is State.UNKNOWN  # never a confident end
