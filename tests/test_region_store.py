"""A stored resolution is reused only for the region it was judged for: 'big h' is heroin for a
user in the US and unresolved (its US meaning named) for one in Europe, so an ingest for one
region never takes the other's stored verdict; resolutions stored before regions were recorded
(migration 0006) are never reused, and `rematch` judges them again."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import create_engine, text

from subsmatch.settings import CONFIG_ENV, ENVIRONMENT
from tests.helpers import run


@pytest.fixture(autouse=True)
def no_user_settings(monkeypatch, tmp_path):
    monkeypatch.setenv(CONFIG_ENV, str(tmp_path / "absent.toml"))
    for name in ENVIRONMENT.values():
        monkeypatch.delenv(name, raising=False)


def report(path, item: str) -> str:
    """A field report (JSON Lines) naming 'big h', one per file (the item makes it new)."""
    path.write_text(
        json.dumps(
            {
                "item_id": item,
                "technique": "colour test",
                "findings": [{"name": "big h", "rank": 1}],
            }
        )
        + "\n",
        encoding="utf-8",
    )
    return str(path)


def statuses(db_url: str) -> list[tuple[str, str]]:
    with create_engine(db_url).connect() as connection:
        return list(
            connection.execute(
                text(
                    "select f.name, r.status from findings f join resolutions r"
                    " on r.id = f.resolution_id order by f.id"
                )
            )
        )


def regions(db_url: str) -> list[str]:
    with create_engine(db_url).connect() as connection:
        return [
            r for (r,) in connection.execute(text("select region from resolutions order by id"))
        ]


def test_an_ingest_for_the_us_does_not_reuse_europes_stored_verdict(db_url, tmp_path):
    code, out = run(db_url, "ingest", report(tmp_path / "a.jsonl", "1"))
    assert code == 0, out
    code, out = run(db_url, "ingest", "--region", "US", report(tmp_path / "b.jsonl", "2"))
    assert code == 0, out
    code, out = run(db_url, "ingest", report(tmp_path / "c.jsonl", "3"))
    assert code == 0, out
    assert statuses(db_url) == [
        ("big h", "unresolved"),
        ("big h", "controlled"),
        ("big h", "unresolved"),
    ]
    assert regions(db_url) == ["Europe", "US"]  # the third file reused Europe's


def test_rematch_judges_again_what_another_region_stored(db_url, tmp_path):
    assert run(db_url, "ingest", "--region", "US", report(tmp_path / "a.jsonl", "1"))[0] == 0
    code, out = run(db_url, "rematch", "--json")
    assert code == 0, out
    done = json.loads(out)
    assert done["rejudged"] == 1
    (change,) = done["changed"]
    assert (change["old_status"], change["new_status"]) == ("controlled", "unresolved")
    assert change["old_versions"].endswith("region US")
    assert change["new_versions"].endswith("region Europe")
    assert statuses(db_url) == [("big h", "unresolved")]
