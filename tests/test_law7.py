"""Round law7: a positional isomer counts from its base's permanent placement; listing acts shown;
preparations read from the compiled table; stereo notes and stereo-word ambiguity; a substance
known by its InChIKey only judged on a drawing of its skeleton. Real RDKit; the shipped reference
or tables written here."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest

from subsmatch.compile.dating import placement
from subsmatch.compile.read import federal_register
from subsmatch.compile.records import Listing, Row
from subsmatch.reference import law as law_module
from subsmatch.reference.law import State
from tests.helpers import table_resolver

ALPHA_PIHP = "CC(C)CCC(N1CCCC1)C(=O)c1ccccc1"  # a positional isomer of alpha-PHP and PV8


def _in(verdict: dict, code: str) -> dict:
    return next(j for j in verdict["jurisdictions"] if j["code"] == code)


# --- 1. positional isomers from the day the base listing reaches them ---------------------------


def _entry(**kw: object) -> SimpleNamespace:
    base = dict(
        since=None,
        since_precision="day",
        evidence="2021-06-18",
        until=None,
        until_precision="",
        until_kind="",
        placed=None,
        placed_act="",
    )
    return SimpleNamespace(**{**base, **kw})


def test_a_listing_placed_after_a_temporary_order_reaches_isomers_from_the_placement():
    rule = law_module.load().positional[0]
    placed = _entry(placed="2022-06-01", placed_act="Federal Register 2022-11740 (2022-06-01)")
    assert rule.state(placed, date(2021, 12, 1)) is State.NOT_YET  # the listing itself in force
    assert rule.state(placed, date(2022, 6, 1)) is State.IN_FORCE
    assert rule.reaches_from(placed) == date(2022, 6, 1)
    text = rule.start_text(placed)
    assert "2022-06-01" in text and "2022-11740" in text and "1308.11(h)" in text
    # without a placement: the listing's own dates, never before the definition (2008-01-02)
    own = _entry()
    assert rule.state(own, date(2021, 1, 1)) is State.UNKNOWN
    assert rule.state(own, date(2021, 7, 1)) is State.IN_FORCE
    assert rule.state(_entry(since="1990-01-01"), date(2007, 1, 1)) is State.NOT_YET
    assert "earliest evidence" in rule.start_text(own)


def test_the_compiler_keeps_a_placement_later_than_the_listing_start():
    fr = Row(federal_register.SOURCE, 34, [])
    temporary = Listing(
        "US",
        "CSA Schedule I",
        "psychotropic",
        evidence="2019-07-18",
        act="Federal Register 2019-1 (2019-07-18)",
        act_date="2019-07-18",
        note="temporary scheduling order; evidence: publication date",
    )
    placed = Listing(
        "US",
        "CSA Schedule I",
        "psychotropic",
        evidence="2022-06-01",
        act="Federal Register 2022-11740 (2022-06-01)",
        act_date="2022-06-01",
        note="placement; evidence: publication date",
    )
    own = Listing("US", "CSA Schedule I", "psychotropic", evidence="2021-06-18")
    adds = [(own, Row("dea_orange_book", 381, [])), (temporary, fr), (placed, fr)]
    assert placement(adds, own) == ("2022-06-01", "Federal Register 2022-11740 (2022-06-01)")
    assert placement(adds, temporary) == ("2022-06-01", "Federal Register 2022-11740 (2022-06-01)")
    assert placement([(own, Row("dea_orange_book", 1, []))], own) == (None, "")
    # a placement no later than the listing's start says nothing more
    dated = Listing("US", "CSA Schedule I", "psychotropic", since="2023-01-01")
    assert placement([(dated, Row("x", 1, [])), (placed, fr)], dated) == (None, "")


def test_an_isomer_of_a_temporarily_listed_cathinone_is_not_controlled_before_its_placement(
    checker,
):
    """alpha-PHP and PV8 were under a temporary order (2019) when the DEA's list showed them
    (2021-06-18); their permanent placement is Federal Register 2022-11740 (2022-06-01)."""
    before = _in(checker.check_json([ALPHA_PIHP], ["US"], date(2021, 12, 1))[0], "US")
    assert before["status"] != "controlled"
    assert all(e["match"] != "positional_isomer" for e in before["entries"])
    after = _in(checker.check_json([ALPHA_PIHP], ["US"], date(2022, 7, 1))[0], "US")
    assert after["status"] == "controlled"
    assert {e["match"] for e in after["entries"]} == {"positional_isomer"}
    (rule,) = [d for d in after["derived"] if d["rule_id"] == "US-positional-isomer"]
    assert rule["since"] == "2022-06-01"
    assert "2022-11740" in rule["act"] and "2022-11740" in rule["text"]
    # without a placement, the day the note names is the listing's evidence (after 2008)
    mephedrone = _in(checker.check_json(["CNC(C)C(=O)c1ccccc1C"], ["US"], None)[0], "US")
    (note,) = [d for d in mephedrone["derived"] if d["rule_id"] == "US-positional-isomer"]
    assert note["since"] and note["since"] > "2008-01-02" and note["since"] in note["text"]


def test_the_reference_holds_the_placements_of_the_six_cathinones(checker):
    placed = {
        e.name_in_list
        for entries in checker.reference.listings.values()
        for e in entries
        if e.placed == "2022-06-01"
    }
    assert {"N-ethylhexedrone", "alpha-pyrrolidinohexanophenone"} <= placed


# --- 2. preparations: the drug is in the compiled table -------------------------------------------


def test_the_drug_of_a_preparation_is_compiled_and_no_name_is_looked_up(checker, monkeypatch):
    opium = [r for r in checker.reference.substances.values() if r.name == "Opium tincture"]
    assert opium and checker.reference.substances[opium[0].made_of].name == "Opium"

    def refuse(*_args: object) -> None:
        raise AssertionError("a query must not read the preparation's name")

    book = law_module.load()
    assert book.preparations is not None
    monkeypatch.setattr(type(book.preparations), "base_name", refuse)
    verdict = checker.check_json(["Opium tincture"], ["UN"], None)[0]
    assert _in(verdict, "UN")["status"] == "controlled"


def test_made_of_takes_one_substance_or_none():
    preparations = law_module.Preparations(("extract", "of"), "", "", "")
    rows = [
        {"substance_id": "x", "name": "Coca extract", "smiles": None, "material": "preparation"},
        {"substance_id": "y", "name": "Extract of khat", "smiles": None, "material": "plant"},
        {"substance_id": "z", "name": "extract", "smiles": "C", "material": "preparation"},
    ]
    names = [
        {"name": "coca", "substance_id": "c"},
        {"name": "Khat", "substance_id": "k1"},
        {"name": "khat", "substance_id": "k2"},
    ]
    assert preparations.made_of(rows, names) == {"x": "c"}  # khat: two substances


# --- 3. the listing act a verdict rests on ------------------------------------------------------


def test_a_listing_act_is_shown_in_the_verdict_and_in_check_text(checker):
    """Methoxpropamine: BE Annex IVb by KB 2022-03-23; before that act, not listed in BE."""
    verdict = checker.check_json(["Methoxpropamine"], ["BE"], date(2022, 1, 1))[0]
    be = _in(verdict, "BE")
    (act,) = [d for d in be["derived"] if d["rule_id"] == "listing-act"]
    assert be["status"] == "not_listed" and act["applies"] and act["status"] == "not_listed"
    assert act["act"] == "KB 2022-03-23" and act["since"] == "2022-03-23"
    assert "ECHR art. 7" in act["basis"] and "KB 2022-03-23" in act["text"]
    from subsmatch.cli.check import basis

    assert "KB 2022-03-23" in basis(be)
    later = _in(checker.check_json(["Methoxpropamine"], ["BE"], date(2023, 1, 1))[0], "BE")
    assert later["status"] == "controlled"
    assert all(d["rule_id"] != "listing-act" for d in later["derived"])


# --- 4. and 7. stereo notes; a name stereo words complete several ways ---------------------------

STEREO = {
    "dlys": "NCCCC[C@@H](N)C(=O)O",  # D-lysine
    "dxm": "COc1ccc2c(c1)[C@]13CCCC[C@@H]1[C@H](C2)N(C)CC3",  # dextromethorphan
    "lvm": "COc1ccc2c(c1)[C@@]13CCCC[C@H]1[C@@H](C2)N(C)CC3",  # levomethorphan
    "levobupi": "CCCCN1CCCC[C@H]1C(=O)Nc1c(C)cccc1C",
}
STEREO_NAMES = [
    ("d-lysine", "dlys", ""),
    ("dextromethorphan", "dxm", ""),
    ("levomethorphan", "lvm", ""),
    ("levobupivacaine", "levobupi", ""),
]


@pytest.fixture(scope="module")
def stereo() -> object:
    return table_resolver(STEREO, STEREO_NAMES)


def test_a_name_without_stereo_is_not_said_to_state_one(stereo):
    r = stereo.resolve("lysine")
    assert r.substance_id == "dlys" and r.uncertain
    assert not any("(±)" in note for note in r.notes), r.notes
    assert any("no stereo stated" in note for note in r.notes)


def test_a_name_that_stereo_words_complete_several_ways_is_ambiguous(stereo):
    r = stereo.resolve("methorphan")
    assert r.uncertain and {r.substance_id, *r.alternatives} == {"dxm", "lvm"}
    assert any("which one it names is not known" in note for note in r.notes)


def test_one_stereo_word_relative_stays_one_answer(stereo):
    r = stereo.resolve("bupivacaine")
    assert (r.substance_id, r.alternatives, r.uncertain) == ("levobupi", (), True)


def test_methorphan_is_ambiguous_in_the_shipped_reference(checker):
    verdict = checker.check_json(["methorphan"], None, None)[0]
    names = {verdict["resolved"]["name"], *(a["name"] for a in verdict["resolved"]["alternatives"])}
    assert {"Dextromethorphan", "Levomethorphan"} <= names
    assert verdict["resolved"]["uncertain"]


# --- 5. a substance known by its InChIKey only, judged on a drawing of its skeleton --------------


def test_an_inchikey_only_substance_is_judged_on_a_drawing_of_its_skeleton(checker):
    verdict = checker.check_json(["(+)-rolipram"], None, None)[0]
    assert verdict["resolved"]["smiles"] is None  # known by its InChIKey only
    assert any("known by its InChIKey only" in n and "Rolipram" in n for n in verdict["notes"])
    drawn = checker.check_json(["rolipram"], None, None)[0]
    assert _in(verdict, "DE")["status"] == _in(drawn, "DE")["status"] == "generic"
    # the other enantiomer, drawn with its stereo, is not applied: it covers only itself
    assert any(r["relation"] == "other_stereoisomer" for r in verdict["related"])


# --- 6. a structure not known: unknown only where a listing is a sign of a drug -------------------


def _check(tmp_path, listings, query):
    from tests import lawdata

    checker = lawdata.checker(tmp_path, ["heroin", "4-MePBP", "lacosamide"], listings)
    return {j["code"]: j for j in checker.check_json([query], None, None)[0]["jurisdictions"]}


def test_a_structure_not_known_is_unknown_only_where_a_listing_signals_a_drug(tmp_path):
    from tests.lawdata import listing

    schedule_v = listing("lacosamide", "US", "CSA Schedule V", "psychotropic")
    schedule_i = listing("4-MePBP", "US", "CSA Schedule I", "narcotic")
    medicine = _check(tmp_path / "v", [schedule_v, schedule_i], "lacosamide")
    assert medicine["US"]["status"] == "controlled"
    for code in ("BE", "NL", "DE"):
        assert medicine[code]["status"] == "not_listed", code
        (note,) = [d for d in medicine[code]["derived"] if d["rule_id"] == "structure-unknown"]
        assert not note["applies"] and "accepted medical use" in note["text"]
    drug = _check(tmp_path / "i", [schedule_v, schedule_i], "4-MePBP")
    assert all(drug[code]["status"] == "unknown" for code in ("BE", "NL", "DE"))


def test_the_quiet_lists_are_law_toml_data():
    book = law_module.load()
    assert "US: CSA Schedule V" in book.quiet_lists and "US: CSA Schedule I" not in book.quiet_lists


def test_an_ion_known_by_its_inchikey_is_not_judged_as_its_acid(checker):
    """Chloride (...-M) and hydrochloric acid (...-N, an EU category 3 precursor) share the
    skeleton block of their InChIKeys: a drawing of the acid is no drawing of the ion."""
    verdict = checker.check_json(["chloride ion"], None, None)[0]
    assert all(j["status"] != "precursor" for j in verdict["jurisdictions"])
    assert not any("known by its InChIKey only" in n for n in verdict["notes"])
