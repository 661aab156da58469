"""Round law8: which lists are no sign of a drug (data per list, with a reason); a treaty body's
listing makes a bound jurisdiction's list that vouches for no date say 'unknown'; a listing on a
temporary scheduling order alone never reaches positional isomers; the UN decisions' wording
("and its esters", "including its optical isomers"); the treaty-consistency benchmark. Tiny
tables written here, the shipped law.toml and reference."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest

from benchmarks import treaty_eval
from subsmatch.compile.dating import placement
from subsmatch.compile.read import federal_register, un
from subsmatch.compile.records import Listing, Row
from subsmatch.reference import law as law_module
from subsmatch.reference.law import LawFileError, State
from subsmatch.reference.lists import load as load_reference
from tests import lawdata
from tests.lawdata import a_list, listing
from tests.test_law7 import _entry


def _in(verdict: dict, code: str) -> dict | None:
    return next((j for j in verdict["jurisdictions"] if j["code"] == code), None)


# --- 1. quiet lists: data per list, with a reason -------------------------------------------------


def test_every_list_of_the_shipped_reference_is_classified_with_a_reason():
    book = law_module.load()
    shipped = {f"{i.jurisdiction}: {i.list}" for i in load_reference().lists}
    assert shipped <= set(book.list_signals), sorted(shipped - set(book.list_signals))
    assert all(reason for _signals, reason in book.list_signals.values())
    # precursor lists, the medicine schedules of the CSA and the 1961 Schedule II are quiet
    quiet = book.quiet_lists
    assert {"US: CSA Schedule III", "EU: EU precursor Category 1", "UN: 1961 Schedule II"} <= quiet
    assert {"US: US List I chemicals", "CN: CN precursor catalogue Category 1"} <= quiet
    # lists that also hold new psychoactive substances are not
    assert not {"UN: 1971 Schedule IV", "BE: BE Annex III", "US: CSA Schedule I"} & quiet


def _law(lists: list[dict]) -> dict:
    return {
        "version": "t",
        "jurisdictions": {"US": {"name": "United States"}},
        "precursors": {"flagged": {}, "basis": "b"},
        "gaps": {"basis": "b", "text_unknown": "u", "text_not_listed": "n"},
        "start_unknown": {"basis": "b", "text": "t"},
        "removal_unknown": {"basis": "b", "text_window": "w", "text_destination": "d"},
        "structure_unknown": {"basis": "b", "text": "t", "quiet_text": "q {lists}", "lists": lists},
        "national": {"missing": "m", "start_unknown": "s", "removal_unknown": "r", "later": "l"},
    }


def test_a_list_classified_twice_or_without_a_reason_is_refused():
    ok = [{"lists": ["US: CSA Schedule V"], "signals": False, "reason": "medicines"}]
    book = law_module.parse(_law(ok))
    assert book.quiet_lists == {"US: CSA Schedule V"}
    entry = SimpleNamespace(jurisdiction="US", list="CSA Schedule V", kind="psychotropic")
    assert not book.signals_a_drug(entry)
    assert book.quiet_note([entry]) == "q US: CSA Schedule V (medicines)"
    with pytest.raises(LawFileError, match="twice"):
        law_module.parse(_law(ok + ok))
    with pytest.raises(LawFileError, match="reason"):
        law_module.parse(_law([{"lists": ["US: CSA Schedule V"], "signals": False, "reason": ""}]))
    with pytest.raises(LawFileError, match="CODE: list"):
        law_module.parse(_law([{"lists": ["CSA Schedule V"], "signals": False, "reason": "r"}]))


def test_a_name_known_only_on_a_quiet_list_gets_a_note_naming_the_list_and_its_reason(tmp_path):
    steroid = listing("bolandiol-x", "US", "CSA Schedule III", "psychotropic")
    lists = [*lawdata.LISTS, a_list("US", "CSA Schedule III", "psychotropic", "2026-01-20")]
    checker = lawdata.checker(tmp_path, ["bolandiol-x"], [steroid], lists)
    verdict = checker.check_json(["bolandiol-x"], None, None)[0]
    be = _in(verdict, "BE")
    assert be is not None and be["status"] != "unknown"
    notes = [d for d in be["derived"] if d["rule_id"] == "structure-unknown"]
    assert notes and not notes[0]["applies"]
    assert "US: CSA Schedule III (" in notes[0]["text"] and "anabolic" in notes[0]["text"]


# --- 2. a treaty body's listing and a bound jurisdiction's list that vouches for no date ----------


def _precursor_world(tmp_path: Path, us_complete_to: str | None) -> dict:
    lists = [
        *lawdata.LISTS,
        a_list("US", "US List I chemicals", "precursor", us_complete_to),
    ]
    listings = [
        listing("P2P", "UN", "1988 Table I", "precursor", category="I", since="1988-12-20"),
        listing("ephedrine", "US", "US List I chemicals", "precursor", since="1988-11-18"),
    ]
    checker = lawdata.checker(tmp_path, ["P2P", "ephedrine"], listings, lists)
    return checker.check_json(["P2P"], None, date(2026, 1, 1))[0]


def test_a_un_table_listing_makes_a_partial_national_precursor_list_unknown(tmp_path):
    us = _in(_precursor_world(tmp_path / "partial", None), "US")
    assert us is not None and us["status"] == "unknown"
    (gap,) = [d for d in us["derived"] if d["rule_id"] == "data-gap" and d["applies"]]
    assert "UN" in gap["text"] and "1988 Table I" in gap["text"]
    # a national list complete to a day after the UN listing says 'not listed' itself
    us = _in(_precursor_world(tmp_path / "complete", "2025-01-01"), "US")
    assert us is not None and us["status"] == "not_listed"


def test_the_binding_bodies_are_signal_sources():
    book = law_module.load()
    assert "UN" in book.signal_sources("US") and "UN" in book.signal_sources("CN")
    assert {"UN", "EU"} <= set(book.signal_sources("BE"))


# --- 3. a temporary scheduling order alone never reaches positional isomers -----------------------


def _notice(act: str, day: str, note: str) -> Listing:
    """A Federal Register notice's listing in Schedule I."""
    return Listing(
        "US", "CSA Schedule I", "psychotropic", evidence=day, act=act, act_date=day, note=note
    )


def test_a_listing_on_a_temporary_order_alone_is_recorded_and_reaches_no_positional_isomer():
    fr = Row(federal_register.SOURCE, 65, [])
    order = _notice(
        "Federal Register 2023-27243 (2023-12-12)", "2023-12-12", "temporary scheduling order"
    )
    extension = _notice(
        "Federal Register 2025-22960 (2025-12-16)",
        "2025-12-16",
        "temporary scheduling order extended",
    )
    own = Listing("US", "CSA Schedule I", "psychotropic", evidence="2021-06-18")
    placed, act = placement([(own, Row("dea", 1, [])), (order, fr), (extension, fr)], own)
    assert placed is None and act.startswith(law_module.TEMPORARY_ONLY)
    assert "2023-27243" in act and "2025-22960" in act
    entry = _entry(placed=placed, placed_act=act)
    rule = law_module.load().positional[0]
    assert rule.state(entry, date(2026, 12, 1)) is State.NOT_YET
    assert "2023-27243" in rule.start_text(entry) and "1308.11(h)" in rule.start_text(entry)
    # a later permanent placement is the start, as before
    final = _notice("Federal Register 2026-1 (2026-03-01)", "2026-03-01", "placement; evidence: x")
    both = [(own, Row("dea", 1, [])), (order, fr), (final, fr)]
    assert placement(both, own) == ("2026-03-01", "Federal Register 2026-1 (2026-03-01)")


# --- 4. the UN decisions' wording -----------------------------------------------------------------


def test_the_un_reader_names_each_substance_of_a_decision(tmp_path):
    header = (
        "cnd_session,year,convention,schedule_or_table,substance,action,cnd_decision_no,"
        "entry_into_force,evidence_type,source,notes\n"
    )
    rows = (
        '63,2020,1988,Table I,"methyl alpha-phenylacetoacetate (MAPA), including its optical '
        'isomers",added,,,UN document,s,\n'
        ",2024,1988,Table I,P-2-P methyl glycidic acid and its esters (acid and 8 esters),"
        "added/changed,,,SECONDARY compilation,s,\n"
    )
    (tmp_path / "un_scheduling_since_2010.csv").write_text(header + rows, encoding="utf-8")
    read = list(un.read(tmp_path))
    named = [([n.text for n in r.names], r.material) for r in read]
    assert named == [
        (["methyl alpha-phenylacetoacetate", "MAPA"], ""),
        (["P-2-P methyl glycidic acid"], ""),
        (["esters of P-2-P methyl glycidic acid"], "group"),
    ]
    assert all(r.listings and r.listings[0].list == "1988 Table I" for r in read)
    assert read[1].listings[0] is not read[2].listings[0]


# --- 5. the treaty-consistency benchmark on a small world -----------------------------------------


def test_treaty_eval_classifies_national_listings_treaty_obligations_and_gaps(tmp_path):
    listings = [
        listing("heroin", "UN", "1961 Schedule I", "narcotic", since="1961-03-30"),
        listing("heroin", "BE", "BE Annex Ia", "narcotic", since="1998-01-22"),
        listing("P2P", "UN", "1988 Table I", "precursor", category="I", since="1988-12-20"),
        listing(
            "P2P", "EU", "EU precursor Category 1", "precursor", category="1", since="2005-08-18"
        ),
    ]
    checker = lawdata.checker(tmp_path, ["heroin", "P2P"], listings)
    result = treaty_eval.evaluate(checker, date(2026, 1, 1), timedelta(days=730))
    drug, precursor = result["table"]["drug"], result["table"]["precursor"]
    # today and two years after the UN placement (1963, 1990): Belgium's own listing of 1998
    # shows national law did not list heroin in 1963 (a date finding), the EU's of 2005 P2P in 1990
    assert drug["BE"] == {"listed": 1, "not_listed": 1}
    assert result["traces"]["drug not_listed"] == {"date": 1}
    assert result["traces"]["precursor not_listed"] == {"date": 1, "gap": 4}
    assert drug["NL"] == {"treaty": 2}  # the obligation, no national row: traced as a gap
    assert result["traces"]["drug treaty"]["gap"] >= 2
    assert drug["EU"] == {"treaty": 1, "before_law": 1}  # the EU's 'drug' from 2004
    assert precursor["EU"] == {"listed": 1, "not_listed": 1}
    assert precursor["BE"] == {"treaty": 1, "before_law": 1}  # Reg. 273/2004 from 2005
    assert precursor["US"] == {"not_listed": 2}  # no US precursor row: a gap
    assert result["errors"] == 6 and not result["name_misses"]
    assert "UN-listed substances" in treaty_eval.report(result, 5)
