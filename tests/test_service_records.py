"""The service's records as library APIs: the recorder (audit events and checks written in the
background, never lost, never waited for), the aggregation of requests without a valid token,
the time budget of a /check batch. On real SQLite files, and the recorder and page sessions on
a real PostgreSQL server too."""

from __future__ import annotations

import sqlite3
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, text, update

from subsmatch.operations.check import SLICE, OverBudget, check
from subsmatch.service.recorder import Recorder, Unauthenticated
from subsmatch.store.access import (
    Event,
    TokenCache,
    audit_events,
    authenticate,
    create_token,
    end_session,
    revoke_token,
    session_holder,
    start_session,
)
from subsmatch.store.engine import make_engine, sqlite_path
from subsmatch.store.models import ApiToken


@pytest.fixture
def engine(db_url: str) -> Engine:
    return make_engine(db_url)


def stored_checks(engine: Engine) -> list[str]:
    with engine.connect() as connection:
        return connection.execute(text("SELECT query FROM checks ORDER BY id")).scalars().all()


def test_records_wait_for_a_locked_database_without_making_requests_wait(
    engine: Engine, checker
) -> None:
    """Another writer (an ingest) holds SQLite's write lock: handing records over returns at
    once, and they are stored once the lock is released, none lost."""
    rows = check(checker, ["MDMA", "4-CMC"]).rows
    blocker = sqlite3.connect(sqlite_path(engine.url), isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")  # the write lock, as an ingest's transaction holds it
    recorder = Recorder(engine)
    recorder.start()
    for n in range(50):
        recorder.event(Event("check", 200, target=f"query {n}", client="10.0.0.1"))
    recorder.checks(rows)
    assert audit_events(engine) == [] and stored_checks(engine) == []  # nothing got through
    blocker.execute("COMMIT")
    blocker.close()
    recorder.close()
    assert len(audit_events(engine)) == 50
    assert stored_checks(engine) == ["MDMA", "4-CMC"]


def test_a_remembered_token_is_forgotten_by_a_revocation_here_and_ends_with_its_expiry(
    engine: Engine,
) -> None:
    """The service's token cache: a revocation in this process is seen at once; a change
    written by another process (here: straight into the database) once the entry is older
    than its ttl; an expiry on time, remembered or not."""
    now = [0.0]
    cache = TokenCache(ttl=5.0, clock=lambda: now[0])
    token = create_token(engine, "lab-1", "lab")
    other = create_token(engine, "lab-2", "lab")
    assert authenticate(engine, token, cache).name == "lab-1"
    assert authenticate(engine, other, cache).name == "lab-2"
    revoke_token(engine, "lab-1")
    assert authenticate(engine, token, cache) is None  # at once, not after the ttl
    assert authenticate(engine, other, cache).name == "lab-2"  # asked again, still valid
    past = datetime.now(UTC) - timedelta(minutes=1)
    with engine.begin() as connection:  # as another process would expire or revoke it
        connection.execute(update(ApiToken).where(ApiToken.name == "lab-2").values(expires_at=past))
    assert authenticate(engine, other, cache).name == "lab-2"  # remembered ...
    now[0] = 5.0
    assert authenticate(engine, other, cache) is None  # ... for the ttl at most
    soon = create_token(engine, "lab-3", "lab", datetime.now(UTC) + timedelta(seconds=1))
    assert authenticate(engine, soon, cache).name == "lab-3"
    time.sleep(1.1)  # its entry stays fresh (the cache's clock stands still), the token expires
    assert authenticate(engine, soon, cache) is None
    assert authenticate(engine, "smt_unknown", cache) is None


def test_unwritable_text_is_escaped_not_lost(engine: Engine) -> None:
    recorder = Recorder(engine)
    recorder.start()
    recorder.event(Event("check", 422, target="Caf\udce9ine\x00", client="10.0.0.1"))
    recorder.close()
    (event,) = audit_events(engine)
    assert event["target"] == "Caf\\udce9ine\\x00"


def test_requests_without_a_token_are_aggregated_per_client_and_window(engine: Engine) -> None:
    """345 requests a second from one client: its first request in full, the rest in one row
    per window; another client apart."""
    now = [datetime(2026, 12, 1, 9, tzinfo=UTC)]
    recorder = Recorder(engine, clock=lambda: now[0])
    recorder.start()
    for n in range(345):
        path = "/findings" if n % 3 else "/check"
        recorder.event(Event("read", 401, target=f"GET {path}", client="10.0.0.9"))
    recorder.event(Event("read", 401, target="GET /trends", client="10.0.0.7"))
    now[0] += timedelta(seconds=61)  # the window ends
    recorder.event(Event("read", 401, target="GET /findings", client="10.0.0.9"))
    recorder.close()
    events = audit_events(engine)[::-1]  # in the order written
    flood = [e for e in events if e["client"] == "10.0.0.9"]
    assert len(events) <= 5 and len(flood) == 3  # first, aggregate, the next window's first
    first, aggregate, next_first = flood
    assert first["target"] == "GET /check" and next_first["target"] == "GET /findings"
    assert aggregate["action"] == "unauthenticated" and aggregate["detail"].startswith(
        "344 more requests without a valid token from 10.0.0.9"
    )
    assert aggregate["target"] == "GET /findings ×230; GET /check ×114"
    assert [e["target"] for e in events if e["client"] == "10.0.0.7"] == ["GET /trends"]


def test_too_many_clients_at_once_are_aggregated_together() -> None:
    tally = Unauthenticated(max_clients=2)
    t0 = datetime(2026, 12, 1, 9, tzinfo=UTC)
    written = [
        event
        for n in range(6)
        for event in tally.add(Event("read", 401, target="GET /", client=f"10.0.0.{n}"), t0)
    ]
    assert [e.client for e in written] == ["10.0.0.0", "10.0.0.1", "*"]
    (rest,) = tally.due(t0 + timedelta(minutes=2))
    assert (
        rest.client == "*" and rest.detail.startswith("3 more requests") and "many" in rest.detail
    )


def test_a_batch_over_its_budget_is_refused_after_the_slice_that_crossed_it(checker) -> None:
    queries = ["MDMA", "4-CMC", "3-MMC"] * SLICE
    with pytest.raises(OverBudget, match=rf"{SLICE} of its {len(queries)} queries were judged"):
        check(checker, queries, budget=0)
    assert len(check(checker, queries[:SLICE], budget=0).rows) == SLICE  # the first slice
    sliced = check(checker, queries, budget=3600).rows
    assert sliced == check(checker, queries).rows  # judged a few at a time, the same verdicts


# --- the same on PostgreSQL (a real server started by the test setup) -----------------------


def test_records_on_postgresql_wait_for_a_locked_table_and_are_all_stored(pg_url, checker) -> None:
    """An exclusive lock on the audit trail (as a long transaction would hold it): handing
    records over returns at once; once the lock goes they are stored, text PostgreSQL refuses
    (NUL) escaped, and the checks beside them."""
    engine = make_engine(pg_url)
    rows = check(checker, ["MDMA", "4-CMC"]).rows
    recorder = Recorder(engine)
    recorder.start()
    with engine.connect() as blocker:
        blocker.execute(text("LOCK TABLE audit IN ACCESS EXCLUSIVE MODE"))
        for n in range(50):
            recorder.event(Event("check", 200, target=f"query {n}", client="10.0.0.1"))
        recorder.event(Event("check", 422, target="Caf\udce9ine\x00", client="10.0.0.1"))
        recorder.checks(rows)
        blocker.rollback()  # the lock goes
    recorder.close()
    events = audit_events(engine)
    assert len(events) == 51
    assert "Caf\\udce9ine\\x00" in {e["target"] for e in events}
    assert stored_checks(engine) == ["MDMA", "4-CMC"]


def test_page_sessions_on_postgresql_end_with_their_time_their_token_and_logout(pg_url) -> None:
    engine = make_engine(pg_url)
    token = create_token(engine, "lab-pg", "lab")
    session_id, who, ends = start_session(engine, token, timedelta(hours=8))
    assert who.name == "lab-pg" and session_holder(engine, session_id).role == "lab"
    assert ends > datetime.now(UTC) + timedelta(hours=7)
    ended, _, _ = start_session(engine, token, timedelta(0))  # ends as it starts
    assert session_holder(engine, ended) is None
    end_session(engine, session_id)
    assert session_holder(engine, session_id) is None
    again, _, _ = start_session(engine, token, timedelta(hours=8))
    revoke_token(engine, "lab-pg")
    assert session_holder(engine, again) is None and authenticate(engine, token) is None
    assert start_session(engine, token, timedelta(hours=8)) is None
    soon = create_token(
        engine, "short-pg", "analyst", expires_at=datetime.now(UTC) + timedelta(hours=1)
    )
    _, _, capped = start_session(engine, soon, timedelta(hours=8))
    assert capped <= datetime.now(UTC) + timedelta(hours=1)  # the token's expiry comes first
