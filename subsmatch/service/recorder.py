"""The audit trail and the check records, written by one background thread.

A request hands its records over and goes on: it never waits behind another writer (an
ingest holding SQLite's write lock). The writer thread wakes every :data:`FLUSH_EVERY` seconds
and stores what has queued, one transaction per kind (it is not woken per record: under load
that cost a thread switch and a transaction per request); when the database is busy or
failing (locked, disk full) it keeps the records and tries again with backoff, so nothing is
dropped. The queue is bounded: when it is full (the database has refused writes for a long
while) a request waits for room rather than lose its record. Closing the recorder (the app's
shutdown) writes what is left; what still cannot be written then is printed to the log, one
JSON line each, never silently lost.

Requests without a valid token are aggregated (:class:`Unauthenticated`): per client and
window the first is recorded in full, the rest as one row with their count and targets, so
that a flood of them does not fill the database.
"""

from __future__ import annotations

import json
import logging
import queue
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError

from subsmatch.operations.access import Event, record_events
from subsmatch.operations.recording import record

LOG = logging.getLogger("subsmatch.audit")
CAPACITY = 10_000  # records waiting at most; beyond, requests wait for room
BATCH = 500  # records per transaction
FLUSH_EVERY = 0.25  # seconds between the writer's rounds (records and aggregates to close)
BACKOFF = (0.05, 5.0)  # first and longest pause between tries of a failing write
CLOSE_WITHIN = 30.0  # seconds the shutdown keeps trying before it logs what is left
WINDOW = timedelta(seconds=60)  # unauthenticated requests of a client are aggregated per window
MAX_CLIENTS = 1000  # clients aggregated apart per window; the rest together
TARGETS_NAMED = 5  # targets named in an aggregate row


def printable(text: str | None) -> str | None:
    """Text a database takes: a NUL (refused by PostgreSQL) or a lone surrogate (refused by
    any UTF-8 encoder) is written as its escape.

    >>> printable("a\\x00b\\udce9")
    'a\\\\x00b\\\\udce9'
    """
    if text is None:
        return None
    text = text.replace("\x00", "\\x00")
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


@dataclass
class _Tally:
    started: datetime
    count: int = 0
    targets: Counter = field(default_factory=Counter)


class Unauthenticated:
    """Aggregates the audit events of requests without a valid token, per client and window.

    >>> tally, t0 = Unauthenticated(), datetime(2026, 12, 1, 9, tzinfo=UTC)
    >>> event = Event("read", 401, target="GET /findings", client="10.0.0.9")
    >>> tally.add(event, t0) == [event], tally.add(event, t0), tally.add(event, t0)
    (True, [], [])
    >>> tally.due(t0 + timedelta(seconds=30))
    []
    >>> [(e.target, e.detail[:40]) for e in tally.due(t0 + timedelta(seconds=61))]
    [('GET /findings ×2', '2 more requests without a valid token fr')]
    """

    def __init__(self, window: timedelta = WINDOW, max_clients: int = MAX_CLIENTS) -> None:
        self.window = window
        self.max_clients = max_clients
        self._tallies: dict[str | None, _Tally] = {}
        self._lock = threading.Lock()

    def add(self, event: Event, now: datetime) -> list[Event]:
        """The events to write now: the first of its client's window (with the aggregate of
        the client's window that has just ended, if any); none when it is counted."""
        with self._lock:
            key = event.client
            if key not in self._tallies and len(self._tallies) >= self.max_clients:
                key = "*"  # too many clients at once: the rest together
            tally = self._tallies.get(key)
            ended = []
            if tally is not None and now - tally.started >= self.window:
                del self._tallies[key]
                ended = [_aggregate(key, tally, now)] if tally.count else []
                tally = None
            if tally is None:
                self._tallies[key] = _Tally(now)
                return [*ended, event if key != "*" else replace(event, client="*")]
            tally.count += 1
            tally.targets[event.target or "-"] += 1
            return []

    def due(self, now: datetime, everything: bool = False) -> list[Event]:
        """One event per window that has ended (all of them with ``everything``) and that
        counted more than its first request."""
        with self._lock:
            ended = [
                key
                for key, tally in self._tallies.items()
                if everything or now - tally.started >= self.window
            ]
            tallies = [(key, self._tallies.pop(key)) for key in ended]
        return [_aggregate(key, tally, now) for key, tally in tallies if tally.count]


def _aggregate(client: str | None, tally: _Tally, now: datetime) -> Event:
    named = tally.targets.most_common(TARGETS_NAMED)
    rest = len(tally.targets) - len(named)
    who = "from many clients" if client == "*" else f"from {client or 'an unknown client'}"
    return Event(
        action="unauthenticated",
        status=401,
        client=client,
        target="; ".join(f"{target} ×{n}" for target, n in named)
        + (f"; {rest} more targets" if rest else ""),
        detail=f"{tally.count} more requests without a valid token {who} between "
        f"{tally.started:%H:%M:%S} and {now:%H:%M:%S} UTC (aggregated; the first is recorded "
        "in full)",
        at=now,
    )


Item = tuple[str, object]  # ("event", Event) or ("checks", list of check --json objects)


class Recorder:
    """Writes audit events and check records from a queue, in the background (see above)."""

    def __init__(
        self,
        engine: Engine,
        *,
        capacity: int = CAPACITY,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.engine = engine
        self.clock = clock
        self.unauthenticated = Unauthenticated()
        self._queue: queue.Queue[Item] = queue.Queue(maxsize=capacity)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="subsmatch-recorder", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def event(self, event: Event) -> None:
        """Record an audit event (one without a valid token: aggregated per client)."""
        now = self.clock()
        written = [event]
        if event.status == 401 and event.who is None:
            written = self.unauthenticated.add(event, now)
        for one in written:
            self._queue.put(("event", replace(one, at=one.at or now)))

    def checks(self, rows: list) -> None:
        """Record the checks of a request (their ``check --json`` objects)."""
        self._queue.put(("checks", rows))

    def close(self, within: float = CLOSE_WITHIN) -> None:
        """Write what is queued and the open aggregates, then stop (the app's shutdown)."""
        self._stop.set()
        self._thread.join(within)
        left = self._drain()
        left += [("event", e) for e in self.unauthenticated.due(self.clock(), everything=True)]
        self._log(self._write(left, give_up_after=within))

    def _run(self) -> None:
        while not self._stop.wait(FLUSH_EVERY):
            batch = [("event", e) for e in self.unauthenticated.due(self.clock())]
            while True:
                drained = self._drain(BATCH)
                self._log(self._write(batch + drained))
                if len(drained) < BATCH or self._stop.is_set():
                    break
                batch = []

    @staticmethod
    def _log(left: list[Item]) -> None:
        for kind, value in left:
            LOG.error("record not stored: %s", json.dumps(_loggable(kind, value)))

    def _drain(self, limit: int = CAPACITY) -> list[Item]:
        items: list[Item] = []
        while len(items) < limit:
            try:
                items.append(self._queue.get_nowait())
            except queue.Empty:
                break
        return items

    def _write(self, batch: list[Item], give_up_after: float | None = None) -> list[Item]:
        """Store a batch, trying again with backoff while the database refuses writes
        (while running, until the recorder closes; ``give_up_after`` seconds on closing),
        then the records left are returned. A record that fails for itself, not for the
        database, is logged and the others are stored."""
        deadline = None if give_up_after is None else time.monotonic() + give_up_after
        pause, pending = BACKOFF[0], batch
        while pending:
            try:
                self._store(pending)
                return []
            except OperationalError as error:  # locked, disk full, gone: wait and try again
                LOG.warning("%d audit and check records wait: %s", len(pending), error.orig)
            except Exception:  # something in a record: store the others one by one
                pending = self._one_by_one(pending)
                if not pending:
                    return []
            if deadline is None and self._stop.is_set():  # closing: the shutdown's time
                deadline = time.monotonic() + CLOSE_WITHIN
            if deadline is not None and time.monotonic() + pause > deadline:
                return pending
            time.sleep(pause)
            pause = min(pause * 2, BACKOFF[1])
        return []

    def _one_by_one(self, batch: list[Item]) -> list[Item]:
        """Store each record alone; the ones the database refused for now are returned."""
        waiting = []
        for item in batch:
            try:
                self._store([item])
            except OperationalError:
                waiting.append(item)
            except Exception as error:
                LOG.error("record not stored (%s): %s", error, json.dumps(_loggable(*item)))
        return waiting

    def _store(self, batch: list[Item]) -> None:
        events = [_clean(e) for kind, e in batch if kind == "event"]
        checks = [row for kind, rows in batch if kind == "checks" for row in rows]
        if events:
            record_events(self.engine, events)
        if checks:
            record(self.engine, [{**row, "query": printable(row["query"])} for row in checks])


def _clean(event: Event) -> Event:
    return replace(
        event,
        target=printable(event.target),
        detail=printable(event.detail),
        client=printable(event.client),
    )


def _loggable(kind: str, value: object) -> dict:
    if kind == "event":
        data = asdict(value)  # type: ignore[call-overload]
        data["who"] = data["who"]["name"] if data["who"] else None
        data["at"] = str(data["at"])
        return {"event": {k: printable(v) if isinstance(v, str) else v for k, v in data.items()}}
    return {"checks": [printable(row["query"]) for row in value]}  # type: ignore[attr-defined]
