"""The law's semantics (reference/curated/law.toml), each rule on a small reference written for it.

Every test states the listings it needs; none depends on what the shipped reference holds.
"""

from __future__ import annotations

from datetime import date

import pytest

from subsmatch.matchers.verdict import rehead
from subsmatch.reference import law
from subsmatch.reference.law import State, listing_state
from subsmatch.substances.structures import keys_of
from tests import lawdata
from tests.lawdata import listing

BOOK = law.load()
CAFFEINE_CN = listing(  # China's Class II psychotropics, 2013 edition
    "caffeine",
    "CN",
    "CN Psychotropic Substances Class II (2013)",
    "psychotropic",
    since="2014-01-01",
)


def scheduled(name: str, schedule: str, kind: str, year: int) -> dict:
    """A UN listing known to the year only (a CND session's year)."""
    return listing(name, "UN", schedule, kind, since=f"{year}-01-01", since_precision="year")


def by_code(verdict: dict) -> dict[str, dict]:
    return {j["code"]: j for j in verdict["jurisdictions"]}


def derived(verdict: dict, code: str, rule_id: str) -> dict:
    (found,) = [d for d in by_code(verdict)[code]["derived"] if d["rule_id"] == rule_id]
    return found


def check(tmp_path, substances, listings, query, jurisdictions=None, as_of=None) -> dict:
    checker = lawdata.checker(tmp_path, substances, listings)
    return checker.check_json([query], jurisdictions, as_of)[0]


# --- the file itself ------------------------------------------------------------------------------


def test_every_rule_states_its_basis_and_the_bodies_bind_their_members():
    assert BOOK.bound("EU") == ("BE", "NL", "LU", "DE")
    assert set(BOOK.bound("UN")) == {"BE", "NL", "LU", "DE", "US", "CN", "UK"}
    for rule in (*BOOK.derivations, *BOOK.exclusions, *BOOK.precedence.values()):
        assert len(rule.basis) > 40, rule
    acts = {d.id: d.act for d in BOOK.derivations}
    assert "2004/757/JHA" in acts["EU-drug"]
    assert "273/2004" in acts["EU-precursor-regulation"]
    assert "111/2005" in acts["EU-precursor-regulation"]
    assert "§ 1 Abs. 2 Nr. 2" in next(x.basis for x in BOOK.exclusions if x.listed_in == "DE")


def test_a_broken_law_file_is_a_clear_error(tmp_path):
    raw = {"version": "x", "jurisdictions": {"BE": {"name": "Belgium", "peers": ["XX"]}}}
    with pytest.raises(law.LawFileError, match=r"BE.*unknown codes \['XX'\]"):
        law.parse(raw)
    with pytest.raises(law.LawFileError, match="missing 'precursors'"):
        law.parse({"version": "x", "jurisdictions": {}})
    path = tmp_path / "law.toml"
    path.write_text("version = ", encoding="utf-8")
    with pytest.raises(law.LawFileError, match=r"law\.toml: not valid TOML"):
        law.load.__wrapped__(path)


# --- dates ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("since", "precision", "evidence", "until", "on", "state"),
    [
        ("2017-05-25", "day", None, None, date(2017, 5, 24), State.NOT_YET),
        ("2017-05-25", "day", None, None, date(2017, 5, 25), State.IN_FORCE),
        ("2021-10-01", "month", None, None, date(2021, 10, 15), State.UNKNOWN),
        ("2021-10-01", "month", None, None, date(2021, 11, 1), State.IN_FORCE),
        ("2023-01-01", "year", None, None, date(2023, 12, 31), State.IN_FORCE),
        (None, "", "2023-07-21", None, date(2023, 7, 20), State.UNKNOWN),
        (None, "", "2023-07-21", None, date(2023, 7, 21), State.IN_FORCE),
        (None, "", None, None, date(2020, 1, 1), State.UNKNOWN),
        (None, "", None, None, None, State.IN_FORCE),
        ("2010-01-01", "day", None, "2020-01-01", date(2020, 1, 1), State.ENDED),
        ("2030-01-01", "day", None, None, None, State.NOT_YET),
    ],
)
def test_the_date_rule_of_a_listing(since, precision, evidence, until, on, state):
    assert listing_state(since, precision, evidence, until, on) is state


@pytest.mark.parametrize(
    ("until", "precision", "kind", "on", "state"),
    [
        ("2026-01-01", "year", "removed", date(2025, 12, 31), State.IN_FORCE),
        ("2026-01-01", "year", "removed", date(2026, 1, 1), State.UNKNOWN),
        ("2026-01-01", "year", "removed", date(2026, 12, 30), State.UNKNOWN),
        ("2026-01-01", "year", "removed", date(2026, 12, 31), State.ENDED),
        ("2023-08-01", "month", "moved", date(2023, 8, 20), State.UNKNOWN),
        ("2023-08-01", "month", "moved", date(2023, 9, 1), State.ENDED),
        ("2024-04-16", "day", "moved", date(2024, 4, 16), State.ENDED),
        # a repeal whose destination the sources do not give is never a confident end
        ("2024-04-16", "day", "destination_unknown", date(2024, 4, 15), State.IN_FORCE),
        ("2024-04-16", "day", "destination_unknown", date(2030, 1, 1), State.UNKNOWN),
        ("2026-01-01", "year", "destination_unknown", date(2027, 6, 1), State.UNKNOWN),
    ],
)
def test_a_removal_known_to_its_year_or_month_or_of_unknown_destination(
    until, precision, kind, on, state
):
    assert listing_state("2021-12-27", "day", None, until, on, None, precision, kind) is state


def repealed_in_2026(name: str, kind: str = "destination_unknown") -> dict:
    """A Belgian Annex IVb line repealed by an act whose year alone the sources give."""
    return listing(
        name,
        "BE",
        "BE Annex IVb",
        "NPS",
        evidence="2021-12-27",
        until="2026-01-01",
        until_precision="year",
        until_kind=kind,
        until_act="AR 2026 (numac 2026000055)",
        act="KB 2021-12-27",
    )


def test_a_repeal_whose_day_and_destination_are_not_in_the_sources_is_unknown(tmp_path):
    listings = [repealed_in_2026("3-MeO-PCP")]
    checker = lawdata.checker(tmp_path, ["3-MeO-PCP"], listings)
    before, within, after = (
        checker.check_json(["3-MeO-PCP"], ("BE",), date(y, 6, 1))[0] for y in (2025, 2026, 2027)
    )
    assert by_code(before)["BE"]["status"] == "controlled"
    for verdict in (within, after):  # never a confident "not listed"
        be = by_code(verdict)["BE"]
        assert be["status"] == "unknown" and be["entries"][0]["state"] == "unknown"
        text = derived(verdict, "BE", "removal-unknown")["text"]
        assert "BE Annex IVb from 2021-12-27" in text and "numac 2026000055" in text
        assert "2026, the day not in the sources" in text and "where the substance went" in text
        assert not [d for d in be["derived"] if d["rule_id"] == "start-unknown"]


def test_a_plain_removal_known_to_its_year_ends_after_that_year(tmp_path):
    checker = lawdata.checker(tmp_path, ["3-MeO-PCP"], [repealed_in_2026("3-MeO-PCP", "removed")])
    within = checker.check_json(["3-MeO-PCP"], ("BE",), date(2026, 6, 1))[0]
    assert by_code(within)["BE"]["status"] == "unknown"
    assert "it may still have been in force" in derived(within, "BE", "removal-unknown")["text"]
    after = checker.check_json(["3-MeO-PCP"], ("BE",), date(2027, 6, 1))[0]
    assert by_code(after)["BE"]["status"] == "not_listed"


def test_a_repealed_line_of_a_substance_the_un_schedules_is_controlled_by_treaty(tmp_path):
    listings = [
        scheduled("isotonitazene", "1961 Schedule I", "narcotic", 2021),
        repealed_in_2026("isotonitazene"),
    ]
    verdict = check(
        tmp_path, ["isotonitazene"], listings, "isotonitazene", ("BE",), date(2027, 1, 1)
    )
    assert verdict["status"] == "controlled"
    rule = derived(verdict, "BE", "UN-obligation")
    assert rule["applies"] and "BE listing was repealed" in rule["text"]


def test_3mmc_scheduled_by_the_un_in_2023_is_not_controlled_by_the_un_in_2014(tmp_path):
    listings = [
        scheduled("3-MMC", "1971 Schedule II", "psychotropic", 2023),
        listing("3-MMC", "NL", "Opiumwet List I", "narcotic", since="2021-10-28"),
    ]
    checker = lawdata.checker(tmp_path, ["3-MMC"], listings)
    for as_of, un, eu, nl in [
        (date(2014, 6, 1), "not_listed", "not_listed", "not_listed"),
        (date(2023, 6, 1), "unknown", "unknown", "controlled"),
        (date(2024, 1, 1), "controlled", "controlled", "controlled"),
    ]:
        verdict = checker.check_json(["3-MMC"], ("UN", "EU", "NL"), as_of)[0]
        statuses = {j["code"]: j["status"] for j in verdict["jurisdictions"]}
        assert statuses == {"UN": un, "EU": eu, "NL": nl}, as_of
    early = checker.check_json(["3-MMC"], ("UN",), date(2014, 6, 1))[0]
    assert early["status"] == "not_listed" and not by_code(early)["UN"]["entries"]


def test_a_listing_without_start_date_is_unknown_before_its_evidence(tmp_path):
    listings = [
        listing(
            "3-MeO-PCP",
            "LU",
            "RGD 20.03.1974 psychotropes",
            "psychotropic",
            evidence="2023-08-06",
            act="RGD du 29.07.2023 (block re-enactment)",
        )
    ]
    checker = lawdata.checker(tmp_path, ["3-MeO-PCP"], listings)
    before = checker.check_json(["3-MeO-PCP"], ("LU",), date(2020, 1, 1))[0]
    lu = by_code(before)["LU"]
    assert before["status"] == "unknown" and lu["status"] == "unknown" and lu["flagged"]
    assert lu["entries"][0]["state"] == "unknown" and not lu["entries"][0]["start_known"]
    assert (
        "start date unknown: in force by 2023-08-06"
        in derived(before, "LU", "start-unknown")["text"]
    )
    after = checker.check_json(["3-MeO-PCP"], ("LU",), date(2023, 8, 6))[0]
    assert after["status"] == "controlled"
    assert by_code(after)["LU"]["entries"][0]["in_force_from"] == "2023-08-06"


# --- statuses derived from other jurisdictions ----------------------------------------------------


def test_an_eu_drug_is_a_substance_of_the_1961_and_1971_conventions(tmp_path):
    listings = [listing("heroin", "UN", "1961 Schedule I", "narcotic", since="1961-03-30")]
    verdict = check(tmp_path, ["heroin"], listings, "heroin", ("EU",))
    assert verdict["status"] == "controlled"
    rule = derived(verdict, "EU", "EU-drug")
    assert rule["applies"] and "2004/757/JHA" in rule["basis"] + rule["act"]
    assert rule["source"] == "UN: 1961 Schedule I since 1961-03-30"
    # before the Framework Decision there was no EU definition of "drug"
    early = check(tmp_path / "b", ["heroin"], listings, "heroin", ("EU",), as_of=date(2000, 1, 1))
    assert early["status"] == "not_listed"


def test_a_un_decision_binds_every_party_where_the_national_list_is_held_in_part(tmp_path):
    listings = [
        scheduled("isotonitazene", "1961 Schedule I", "narcotic", 2021),
        listing("isotonitazene", "BE", "BE Annex Ia", "narcotic", since="2020-11-17"),
    ]
    verdict = check(tmp_path, ["isotonitazene"], listings, "isotonitazene")
    nl = by_code(verdict)["NL"]
    assert nl["status"] == "controlled" and not nl["entries"]
    rule = derived(verdict, "NL", "UN-obligation")
    assert rule["text"] == (
        "controlled by treaty: UN: 1961 Schedule I since 2021; NL national listing not in the "
        "loaded data"
    )
    assert "art. 3(7)" in rule["act"]
    # Belgium lists it itself: its own listing decides, no obligation is needed
    assert [d["rule_id"] for d in by_code(verdict)["BE"]["derived"]] == []
    assert by_code(verdict)["UK"]["status"] == "controlled"  # a Party without loaded lists


def test_a_national_listing_that_starts_later_shows_national_law_did_not_list_it_yet(tmp_path):
    listings = [
        listing("3-MMC", "UN", "1971 Schedule II", "psychotropic", since="2020-11-01"),
        listing("3-MMC", "NL", "Opiumwet List II", "psychotropic", since="2021-10-28"),
    ]
    verdict = check(tmp_path, ["3-MMC"], listings, "3-MMC", ("NL",), as_of=date(2021, 1, 1))
    assert verdict["status"] == "not_listed"
    rule = derived(verdict, "NL", "UN-obligation")
    assert not rule["applies"] and "NL listing in force from 2021-10-28" in rule["text"]


def test_a_removal_alone_does_not_undo_a_treaty_obligation(tmp_path):
    """Luxembourg struck flunitrazepam from its 1997 list in 2003; UN 1971 Schedule III stands."""
    listings = [
        listing("3-MMC", "UN", "1971 Schedule II", "psychotropic", since="1990-01-01"),
        listing(
            "3-MMC", "LU", "RGD 06.02.1997", "psychotropic", since="1997-02-06", until="2003-08-26"
        ),
    ]
    verdict = check(tmp_path, ["3-MMC"], listings, "3-MMC", ("LU",), date(2020, 1, 1))
    assert verdict["status"] == "controlled"
    assert derived(verdict, "LU", "UN-obligation")["applies"]


def test_an_eu_nps_decision_binds_every_member_state(tmp_path):
    listings = [
        listing(
            "3-MMC",
            "EU",
            "EU NPS control",
            "NPS",
            since="2022-11-22",
            act="Commission Delegated Directive (EU) 2022/1326",
        )
    ]
    verdict = check(tmp_path, ["3-MMC"], listings, "3-MMC")
    for code in ("BE", "NL", "LU", "DE"):
        assert by_code(verdict)[code]["status"] == "controlled", code
        assert derived(verdict, code, "EU-NPS-obligation")["since"] == "2022-11-22"
    assert "US" not in by_code(verdict) or by_code(verdict)["US"]["status"] != "controlled"


def test_the_eu_precursor_regulations_apply_in_every_member_state(tmp_path):
    listings = [
        listing(
            "P2P", "EU", "EU precursor Category 1", "precursor", category="1", since="2005-08-18"
        ),
        listing("P2P", "UN", "1988 Table I", "precursor", category="I", since="1990-11-11"),
        listing(
            "acetone",
            "EU",
            "EU precursor Category 3",
            "precursor",
            category="3",
            since="2005-08-18",
        ),
    ]
    checker = lawdata.checker(tmp_path, ["P2P", "acetone"], listings)
    p2p, acetone = checker.check_json(["P2P", "acetone"])
    for code in ("BE", "NL", "LU", "DE"):
        assert by_code(p2p)[code]["status"] == "precursor" and by_code(p2p)[code]["flagged"]
        rule = derived(p2p, code, "EU-precursor-regulation")
        assert rule["category"] == "1" and "TFEU art. 288" in rule["basis"]
        assert by_code(acetone)[code]["status"] == "precursor"
        assert not by_code(acetone)[code]["flagged"]
    assert by_code(p2p)["UN"]["flagged"]  # UN Table I
    assert (p2p["status"], p2p["flagged"]) == ("precursor", True)
    # acetone (Category 3): shown as a precursor, not on the flagged lists
    assert (acetone["status"], acetone["flagged"]) == ("precursor", False)
    assert "US" not in {j["code"] for j in p2p["jurisdictions"] if j["status"] == "precursor"}


@pytest.mark.parametrize("code", ["UN", "EU", "BE", "NL", "LU", "DE", "US", "CN"])
def test_as_of_before_on_and_after_the_in_force_date(tmp_path, code):
    kind = "precursor" if code == "EU" else "psychotropic"
    dated = [listing("pregabalin", code, "a list", kind, since="2019-03-01", category="1")]
    checker = lawdata.checker(tmp_path, ["pregabalin"], dated)
    expected = "precursor" if code == "EU" else "controlled"
    for day, status in [(date(2019, 2, 28), "not_listed"), (date(2019, 3, 1), expected)]:
        verdict = checker.check_json(["pregabalin"], (code,), day)[0]
        assert by_code(verdict)[code]["status"] == status, (code, day)
    after = checker.check_json(["pregabalin"], (code,), date(2024, 1, 1))[0]
    (entry,) = by_code(after)[code]["entries"]
    assert (entry["in_force_from"], entry["start_known"], entry["state"]) == (
        "2019-03-01",
        True,
        "in_force",
    )


# --- generic rules: exclusions and precedence -----------------------------------------------------


def test_a_btmg_substance_is_not_an_npsg_generic(tmp_path):
    """NpSG § 1 Abs. 2 Nr. 2: heroin's BtMG listing (start unknown on the date) excludes NpSG 1."""
    listings = [listing("heroin", "DE", "BtMG Anlage I", "narcotic", evidence="2026-01-04")]
    verdict = check(tmp_path, ["heroin"], listings, "heroin", ("DE",), as_of=date(2025, 12, 10))
    assert by_code(verdict)["DE"]["status"] == "unknown"
    assert not [g for g in verdict["generic"] if g["jurisdiction"] == "DE"]
    failures = {r["rule_id"]: r["failure"] for r in verdict["rules_not_matched"]}
    assert "NpSG § 1 Abs. 2 Nr. 2" in failures["DE-NpSG-1"]
    # without the BtMG listing, the same structure is a member of NpSG group 1
    bare = check(tmp_path / "b", ["heroin"], [], "heroin", ("DE",), as_of=date(2025, 12, 10))
    assert "DE-NpSG-1" in {g["rule_id"] for g in bare["generic"]}


def test_a_scheduled_precursor_is_a_precursor_before_a_generic_group(tmp_path):
    listings = [
        listing(
            "ephedrine",
            "EU",
            "EU precursor Category 1",
            "precursor",
            category="1",
            since="2005-08-18",
        )
    ]
    verdict = check(tmp_path, ["ephedrine"], listings, "ephedrine", ("DE", "NL"))
    de, nl = by_code(verdict)["DE"], by_code(verdict)["NL"]
    assert de["status"] == "precursor" and de["flagged"]
    assert "DE-NpSG-1" in {g["rule_id"] for g in verdict["generic"]}  # still shown
    assert "lex specialis" in derived(verdict, "DE", "precedence")["basis"]
    assert nl["status"] == "precursor"  # NL Lijst IA has no group that describes ephedrine


def test_the_opiumwet_takes_scheduled_precursors_out_of_lijst_ia(tmp_path):
    """Art. 2a(2)(h)-(i), on a constructed listing: 3-MMC (a Lijst IA group 1 member) made an EU
    Category 1 precursor for the test."""
    precursor = listing(
        "3-MMC", "EU", "EU precursor Category 1", "precursor", category="1", since="2005-08-18"
    )
    verdict = check(tmp_path, ["3-MMC"], [precursor], "3-MMC", ("NL",), date(2026, 1, 1))
    assert by_code(verdict)["NL"]["status"] == "precursor"
    failures = {r["rule_id"]: r["failure"] for r in verdict["rules_not_matched"]}
    assert "art. 2a(2)(h)-(i)" in failures["NL-IA-1"]
    plain = check(tmp_path / "b", ["3-MMC"], [], "3-MMC", ("NL",), date(2026, 1, 1))
    assert plain["status"] == "generic"


def test_a_licensed_medicine_is_outside_the_npsg_and_no_analogue(tmp_path):
    """NpSG § 1 Abs. 2: ketamine (and esketamine) is an Arzneimittel; NpSG Nr. 6 describes it."""
    verdict = check(tmp_path, ["ketamine"], [], "ketamine", ("DE",), date(2026, 1, 1))
    assert verdict["status"] == "not_listed"
    failures = {r["rule_id"]: r["failure"] for r in verdict["rules_not_matched"]}
    assert "ketamine is a licensed medicine: NpSG § 1 Abs. 2" in failures["DE-NpSG-6"]
    esketamine = "CN[C@@]1(CCCCC1=O)c1ccccc1Cl"
    assert BOOK.licensed_medicine(keys_of(esketamine).inchikey) == "ketamine"


# --- unknowns -------------------------------------------------------------------------------------


def test_a_gap_after_the_list_ends_is_unknown_when_a_peer_listed_the_substance_later(tmp_path):
    listings = [listing("3-MeO-PCP", "BE", "BE Annex Ia", "narcotic", since="2017-09-26")]
    verdict = check(tmp_path, ["3-MeO-PCP"], listings, "3-MeO-PCP", as_of=date(2026, 1, 1))
    nl = by_code(verdict)["NL"]
    assert nl["status"] == "unknown" and nl["flagged"]
    text = derived(verdict, "NL", "data-gap")["text"]
    assert text.startswith(
        "NL lists loaded complete to 2015-10-02; it is listed in BE (BE Annex Ia since 2017-09-26)"
    )
    assert verdict["status"] == "controlled"  # Belgium is home too
    # on a date the NL data covers, "not listed" is an answer
    early = check(
        tmp_path / "b", ["3-MeO-PCP"], listings, "3-MeO-PCP", ("NL",), as_of=date(2015, 1, 1)
    )
    assert early["status"] == "not_listed"


def test_a_gap_does_not_matter_for_what_no_peer_lists(tmp_path):
    listings = [CAFFEINE_CN]
    verdict = check(tmp_path, ["caffeine"], listings, "caffeine", as_of=date(2026, 12, 1))
    nl = by_code(verdict)["NL"]
    assert nl["status"] == "not_listed"
    note = derived(verdict, "NL", "data-gap")
    assert not note["applies"] and "no later listing is suggested" in note["text"]


def test_a_partial_un_list_is_vouched_for_by_a_complete_party_list(tmp_path):
    partial = [*lawdata.LISTS[:3], lawdata.a_list("UN", "1971 Schedule IV", "psychotropic", None)]
    lists = partial + lawdata.LISTS[3:]
    listings = [
        CAFFEINE_CN,
        listing("pregabalin", "US", "CSA Schedule V", "psychotropic", since="2026-08-01"),
    ]
    checker = lawdata.checker(tmp_path, ["caffeine", "pregabalin"], listings, lists)
    caffeine, pregabalin = checker.check_json(
        ["caffeine", "pregabalin"], ("UN",), date(2026, 10, 1)
    )
    assert caffeine["status"] == "not_listed"  # Germany's complete list shows no UN decision
    # a Party's listing after every complete Party list ends leaves the UN question open
    assert pregabalin["status"] == "unknown"
    assert (
        "listed in US (CSA Schedule V since 2026-08-01)"
        in derived(pregabalin, "UN", "data-gap")["text"]
    )


# --- the headline ---------------------------------------------------------------------------------


def test_the_headline_is_the_strongest_status_at_home(tmp_path):
    listings = [
        CAFFEINE_CN,
        listing("pregabalin", "US", "CSA Schedule V", "psychotropic", since="2005-07-28"),
    ]
    checker = lawdata.checker(tmp_path, ["caffeine", "pregabalin"], listings)
    for verdict, elsewhere in zip(
        checker.check_json(["caffeine", "pregabalin"]), ("CN", "US"), strict=True
    ):
        assert verdict["status"] == "not_listed" and not verdict["flagged"]
        assert verdict["headline_scope"] == ["BE", "NL", "LU", "EU", "UN"]
        assert by_code(verdict)[elsewhere]["status"] == "controlled"  # shown beneath
        assert rehead(verdict, ["CN", "US"])["status"] == "controlled"
        assert rehead(rehead(verdict, ["CN"]), ["BE", "NL"])["status"] == "not_listed"
    # named jurisdictions are evaluated and shown alone, and are the headline's scope
    caffeine = checker.check_json(["caffeine"], ("CN", "BE"))[0]
    assert caffeine["status"] == "controlled" and caffeine["headline_scope"] == ["CN", "BE"]
    assert {j["code"] for j in caffeine["jurisdictions"]} == {"CN", "BE"}
    # another home, given to the checker (a front end passes its setting)
    china = lawdata.checker(tmp_path / "cn", ["caffeine"], listings[:1], home=("CN",))
    assert china.check_json(["caffeine"])[0]["status"] == "controlled"


def test_rehead_keeps_an_unresolved_verdict(tmp_path):
    checker = lawdata.checker(tmp_path, ["caffeine"], [])
    verdict = checker.check_json(["no such substance 123"])[0]
    assert rehead(verdict, ["US"]) | {"headline_scope": None} == verdict | {"headline_scope": None}


# --- Luxembourg's synthetic-cannabinoid clause, read structurally ---------------------------------


def test_the_luxembourg_cannabinoid_clause_is_a_provisional_structural_reading(tmp_path):
    checker = lawdata.checker(tmp_path, ["5F-MDMB-PICA", "HHC"], [])
    scra = checker.check_json(["5F-MDMB-PICA"], ("LU",), date(2024, 1, 1))[0]
    assert scra["status"] == "generic"
    (rule,) = [g for g in scra["generic"] if g["jurisdiction"] == "LU"]
    assert rule["provisional"] and "effect" in rule["citation"]
    # the clause dates from 2009, but the earliest source showing it is of 2023-08-06
    early = checker.check_json(["5F-MDMB-PICA"], ("LU",), date(2015, 1, 1))[0]
    assert early["status"] == "unknown"
    assert "not before 2009-04-20" in derived(early, "LU", "generic-start-unknown")["text"]
    assert (
        checker.check_json(["5F-MDMB-PICA"], ("LU",), date(2009, 1, 1))[0]["status"] == "not_listed"
    )
    # semi-synthetic cannabinoids (HHC) only from the 2023 wording
    assert checker.check_json(["HHC"], ("LU",), date(2024, 1, 1))[0]["status"] == "generic"
    hhc_2022 = checker.check_json(["HHC"], ("LU",), date(2023, 1, 1))[0]
    assert not [g for g in hhc_2022["generic"] if g["rule_id"] == "LU-SCRA-2.3"]


def test_a_drug_without_a_known_structure_is_unknown_where_generic_definitions_apply(tmp_path):
    # "4-MePBP": listed by the DEA by name only; BE, NL and DE define NPS groups by structure
    us = listing("4-MePBP", "US", "CSA Schedule I", "narcotic")
    verdict = check(tmp_path, ["heroin", "4-MePBP", "unlisted name"], [us], "4-MePBP")
    codes = by_code(verdict)
    assert codes["US"]["status"] == "controlled"
    for code in ("BE", "NL", "DE"):
        assert codes[code]["status"] == "unknown"
        note = derived(verdict, code, "structure-unknown")
        assert note["text"].startswith(f"no structure is known for it, so {code}'s generic")
        assert note["basis"].startswith("not law")
    assert codes["EU"]["status"] == "not_listed"  # no generic definitions there
    # before any generic law of BE was in force, its lists decide
    early = check(tmp_path, ["heroin", "4-MePBP"], [us], "4-MePBP", as_of=date(2010, 1, 1))
    assert by_code(early)["BE"]["status"] == "not_listed"
    # plant material names no structure that a generic definition could describe
    leaf = listing("kratom leaf", "US", "CSA Schedule I", "narcotic")
    plant = check(tmp_path, ["heroin", "kratom leaf"], [leaf], "kratom leaf")
    assert by_code(plant)["BE"]["status"] == "not_listed"
    # a name on no list anywhere is no drug of interest: its medicines-like "not listed" stays
    other = check(tmp_path, ["heroin", "4-MePBP", "unlisted name"], [us], "unlisted name")
    assert {j["status"] for j in other["jurisdictions"]} == {"not_listed"}
