"""The verdict of every query an ingest meets, judged once across chunks and files.

Real reports repeat the same hundred substances: each distinct query is judged once in a
process, and not at all when the database holds its verdict for the same versions of the
reference data, rules and tool, judged for the same region. A whole verdict (several
kilobytes) is kept only until its resolution is stored; after that a query keeps what its later
findings need (:class:`Judged`), so that memory grows by a few hundred bytes per distinct name,
not by its verdict.
"""

from __future__ import annotations

import json
from collections import deque
from functools import cached_property, partial
from typing import NamedTuple

from subsmatch import __version__
from subsmatch.ingest.judging import Forked, Pending
from subsmatch.ingest.rows import resolution_values
from subsmatch.matchers.checker import Checker
from subsmatch.matchers.verdict import at_home, listed_on
from subsmatch.store.ingests import FileWriter
from subsmatch.substances.opsin import start_opsin
from subsmatch.vocabulary import is_flagged

Key = tuple[str, ...]
"""The texts that may identify a finding (its name, its CAS number)."""


class Judged(NamedTuple):
    """What the findings of a query need of its verdict: its status, whether it is flagged,
    whether it resolved and how surely, the substance it resolved to, and, when
    flagged, what makes it so (:func:`listed_on`)."""

    status: str
    flagged: bool
    resolved: bool
    confidence: float | None
    name: str | None
    listed_on: tuple[str, ...]

    @classmethod
    def of(cls, verdict: dict) -> Judged:
        resolved = verdict["resolved"]
        status = verdict["status"]
        flagged = is_flagged(status, verdict.get("flagged"))
        return cls(
            status,
            flagged,
            bool(resolved),
            resolved["confidence"] if resolved else None,
            (resolved or {}).get("name"),
            listed_on(verdict) if flagged else (),
        )


def judged_by(checker: Checker) -> dict[str, str]:
    """What made a checker's verdicts, as a stored resolution's key holds it: the versions of
    the reference data, rules and tool, and the region whose street names it follows."""
    return {
        "data_version": checker.reference.version,
        "rules_version": checker.rules.version,
        "tool_version": __version__,
        "region": checker.region,
    }


def judge(checker: Checker, queries: list[str]) -> list[tuple[Judged, dict]]:
    """What each query was judged, and the columns its stored resolution would have (its
    verdict's JSON made where it was judged, once per evaluation: see
    :meth:`Checker.check_texts`)."""
    return [
        (Judged.of(verdict), stored_values(verdict, text))
        for verdict, text in checker.check_texts(queries)
    ]


def stored_values(verdict: dict, text: str) -> dict:
    """The columns of a stored resolution (:func:`resolution_values`) of a verdict whose JSON
    text is made: the rest of the verdict is not written again."""
    said = {"status": verdict["status"], "resolved": verdict["resolved"]}
    return resolution_values(said) | {"verdict": text}


def prepared(checker: Checker) -> None:
    """A judging worker's start: its OPSIN JVM started, then, while the JVM starts, what
    judging its first batch will need built (:meth:`Checker.prepare`): the batch's first name
    that misses every table finds the JVM further along, often ready (it waited for it, idle,
    a third of a second of the 1.3 s the first batch of a 200,000-hit NIST file took)."""
    if checker.use_opsin:
        start_opsin()
    checker.prepare()


FRESH_KEPT = 4096
"""Resolutions (a verdict's JSON each, a few kilobytes) judged but not chosen in their chunk,
kept for later chunks that may choose them (a name's CAS number, met alone further on)."""


class Verdicts:
    """What each query was judged (:class:`Judged`), the resolutions (their columns, the
    verdict's JSON among them) chosen but not stored yet, and the ids of the stored ones.

    ``workers``: how many forked processes judge the new queries (0: this one), while this one
    reads and writes (see :class:`Forked`): :meth:`ask` starts a chunk's judging, :meth:`choose`
    waits for it. Call :meth:`close` when a file is done, to stop the workers.
    """

    def __init__(self, checker: Checker, workers: int = 0) -> None:
        self.checker = checker
        self.of: dict[str, Judged] = {}  # query -> what it was judged, for every query seen
        self.unstored: dict[str, dict] = {}  # query -> resolution columns, chosen, not stored
        self.stored_ids: dict[str, int] = {}  # query -> committed resolution id
        self.judge = Forked(partial(judge, checker), workers, started=partial(prepared, checker))
        self._asked: deque[tuple[list[str], Pending]] = deque()  # in the order asked
        self._asking: set[str] = set()  # the queries of those batches
        # query -> resolution columns of a batch collected, not chosen yet (FRESH_KEPT newest)
        self._fresh: dict[str, dict] = {}

    @cached_property
    def versions(self) -> dict[str, str]:
        """The versions a stored verdict must have to be reused; asked for when a file is
        written, so that one already stored does not load the rules (about a second)."""
        return judged_by(self.checker)

    def ask(self, keys: list[Key], store: FileWriter) -> None:
        """Start judging the queries of ``keys`` that are new: neither judged nor asked in
        this process, nor stored in the database for the same versions."""
        new = list(
            dict.fromkeys(
                q
                for key in dict.fromkeys(keys)
                for q in key
                if q not in self.of and q not in self._asking
            )
        )
        for query, (rid, verdict) in store.stored(new, self.versions).items():
            self.of[query] = Judged.of(at_home(json.loads(verdict), self.checker.home))
            self.stored_ids[query] = rid  # stored elsewhere
        new = [q for q in new if q not in self.of]
        if new:  # else the checker's indexes need not be built
            self._asked.append((new, self.judge.submit(new)))
            self._asking.update(new)

    def choose(self, keys: list[Key], store: FileWriter) -> dict[Key, str | None]:
        """For each distinct key, the query whose verdict it takes (None: no query).

        Queries met before, in this process or in the database (same versions), are not
        judged again.
        """
        distinct = list(dict.fromkeys(keys))
        self.ask(distinct, store)
        needed = {q for key in distinct for q in key if q not in self.of}
        while needed:  # the batches asked up to this chunk's, in order
            queries, pending = self._asked.popleft()
            for query, (judged, values) in zip(queries, pending.result(), strict=True):
                self.of[query] = judged
                self._fresh[query] = values
            self._asking.difference_update(queries)
            needed.difference_update(queries)
        chosen = {key: surest(key, self.of) for key in distinct}
        unstored, fresh = self.unstored, self._fresh
        wanted = [
            query
            for query in dict.fromkeys(chosen.values())
            if query and query not in self.stored_ids and query not in unstored
        ]
        if missing := [query for query in wanted if query not in fresh]:
            # judged in an earlier batch, not chosen then and no longer kept: judged again in
            # one batch (each query alone was a round trip to a worker, which waited behind
            # the batch of the chunk read ahead)
            judged = self.judge(missing)
            fresh.update(zip(missing, (values for _judged, values in judged), strict=True))
        for query in wanted:
            unstored[query] = fresh.pop(query)
        if len(fresh) > 2 * FRESH_KEPT:  # the newest kept, for the chunks that follow
            self._fresh = dict(list(fresh.items())[-FRESH_KEPT:])
        return chosen

    def close(self) -> None:
        """Stop the judging workers, if any, and forget what was asked and not chosen."""
        self.judge.close()
        for queries, _pending in self._asked:
            self._asking.difference_update(queries)
        self._asked.clear()
        self._fresh.clear()

    def committed(self, ids: dict[str, int]) -> None:
        """Resolutions a file stored and committed: later files reuse them."""
        self.stored_ids.update(ids)
        for query in ids:
            self.unstored.pop(query, None)


def surest(queries: Key, judged: dict[str, Judged]) -> str | None:
    """The resolved query with the highest confidence (the name on a tie), else the first."""
    if not queries:
        return None
    resolved = [q for q in queries if judged[q].resolved]
    if not resolved:
        return queries[0]
    return max(resolved, key=lambda q: (judged[q].confidence, q == queries[0]))
