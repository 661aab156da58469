"""`check --as-of` on the shipped reference, per jurisdiction: before, on and after a dated listing;
a listing without a start date is `unknown` before its earliest evidence (never "controlled",
never "not listed"); after a list's complete-to date a missing listing is `unknown`, with the
reason. Each case names the listing of the committed data it rests on."""

from __future__ import annotations

import json

import pytest

from tests.helpers import run

NOT_CONTROLLED = {"not_listed", "unknown"}
UNLISTED = {"not_listed", "analogue"}  # on no list in force: the similarity flag may be raised


def status_on(db_url: str, query: str, code: str, day: str) -> dict:
    code_, out = run(db_url, "check", "--no-record", "--json", query, "-j", code, "--as-of", day)
    assert code_ == 0, out
    row = json.loads(out)
    assert row["headline_scope"] == [code]
    return row


@pytest.mark.parametrize(
    ("query", "code", "dates"),
    [
        # UN 1961 Schedule I, CND 2022 (a year): not yet, within the year, in force
        (
            "brorphine",
            "UN",
            {"2021-06-01": "not_listed", "2022-06-01": "unknown", "2023-01-01": "controlled"},
        ),
        # EU NPS control, Commission Delegated Directive of 2022
        ("3-MMC", "EU", {"2023-06-01": "controlled"}),
        # BE Annex IIb, KB 2015-11-25 (in-force date not in the source): not before the
        # decree that listed it (law.toml [listing_acts]), in force by its evidence
        ("3-MMC", "BE", {"2014-06-01": UNLISTED, "2016-01-01": "controlled"}),
        # NL Opiumwet List II from 2021-10-28, List I from 2024-04-16 (after the complete-to date)
        (
            "3-MMC",
            "NL",
            {"2021-10-27": UNLISTED, "2021-10-28": "controlled", "2024-04-16": "controlled"},
        ),
        # LU tableaux III et IV 1971, partie B: flualprazolam in force 2020-12-08
        ("flualprazolam", "LU", {"2020-12-07": UNLISTED, "2020-12-08": "controlled"}),
        # BtMG Anlage III: diazepam, first seen in the consolidated BtMG of 2025-01-20
        ("diazepam", "DE", {"2024-01-01": "unknown", "2025-06-01": "controlled"}),
        # CSA Schedule I: eutylone controlled since 2014-03-07 (effective date, FR 2023-07335);
        # the day before, its own listing not yet in force, it is a positional isomer of
        # pentylone, whose DEA listing gives no start: unknown, never controlled
        ("eutylone", "US", {"2014-03-06": UNLISTED | {"unknown"}, "2014-03-07": "controlled"}),
        # CN Non-medical NPS Supplementary List, in force 2015-10-01
        ("3-MMC", "CN", {"2015-09-30": UNLISTED, "2015-10-01": "controlled"}),
    ],
)
def test_as_of_before_on_and_after(db_url, query, code, dates):
    for day, expected in dates.items():
        wanted = expected if isinstance(expected, set) else {expected}
        assert status_on(db_url, query, code, day)["status"] in wanted, (query, code, day)


def test_the_un_did_not_control_3mmc_in_2014(db_url):
    """UN 1971 Schedule II since 2023 (CND 66): never controlled before."""
    assert status_on(db_url, "3-MMC", "UN", "2014-06-01")["status"] in NOT_CONTROLLED


def test_after_the_dutch_lists_end_a_missing_listing_is_unknown_with_the_reason(db_url):
    row = status_on(db_url, "ketamine", "NL", "2026-01-01")
    (nl,) = row["jurisdictions"]
    assert (row["status"], nl["status"], nl["flagged"]) == ("unknown", "unknown", True)
    gap = next(d for d in nl["derived"] if d["rule_id"] == "data-gap" and d["applies"])
    assert gap["text"].startswith("NL lists loaded complete to 2015-10-02")
    # on a date the Dutch data covers, "not listed" is an answer
    assert status_on(db_url, "ketamine", "NL", "2015-01-01")["status"] == "not_listed"
