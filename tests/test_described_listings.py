"""Listings a person transcribed from a regime the sources describe in words (curated
described_listings.csv): read into rows like any source, and on the shipped reference GBL and
1,4-butanediol are under Belgium's holding authorisation (Royal Decree 2017, Title 5)."""

from __future__ import annotations

import json

import pytest

from subsmatch.compile.read.curated import DESCRIBED, read_described_listings
from subsmatch.settings import CONFIG_ENV, ENVIRONMENT
from tests.helpers import run

HEADER = "jurisdiction,list,kind,name,other_names,cas,act,act_date,since,citation,note\n"


def test_a_described_listing_is_a_row_with_its_names_cas_act_and_citation(tmp_path):
    (tmp_path / "described_listings.csv").write_text(
        HEADER + 'XX,XX Title 9,precursor,alphaol,"AO; alpha-ol",96-48-0,Decree 1,2001-01-01,'
        "2001-02-01,laws/xx.csv line 3,holding needs a licence\n",
        encoding="utf-8",
    )
    (row,) = read_described_listings(tmp_path)
    assert (row.source, row.row, row.cas) == (DESCRIBED, 2, ["96-48-0"])
    assert [(n.text, n.kind) for n in row.names] == [
        ("alphaol", "preferred"),
        ("AO", "other"),
        ("alpha-ol", "other"),
    ]
    (listing,) = row.listings
    assert (listing.jurisdiction, listing.list, listing.kind) == ("XX", "XX Title 9", "precursor")
    assert (listing.since, listing.act_date) == ("2001-02-01", "2001-01-01")
    assert listing.act == "Decree 1"
    assert listing.note == "holding needs a licence (source: laws/xx.csv line 3)"


@pytest.fixture
def no_user_settings(monkeypatch, tmp_path):
    monkeypatch.setenv(CONFIG_ENV, str(tmp_path / "absent.toml"))
    for name in ENVIRONMENT.values():
        monkeypatch.delenv(name, raising=False)


@pytest.mark.parametrize("query", ["GBL", "gamma-butyrolactone", "1,4-butanediol"])
def test_gbl_and_butanediol_need_a_holding_authorisation_in_belgium(
    db_url, no_user_settings, query
):
    code, out = run(db_url, "check", "--no-record", "--json", query)
    assert code == 0, out
    belgium = next(j for j in json.loads(out)["jurisdictions"] if j["code"] == "BE")
    assert belgium["status"] == "precursor"
    (entry,) = belgium["entries"]
    assert entry["list"].startswith("BE KB 2017 Title 5")
    assert (entry["since"], entry["act_date"]) == ("2017-09-26", "2017-09-06")
    assert "numac 2017031231" in entry["act"]
