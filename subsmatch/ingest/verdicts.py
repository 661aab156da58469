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
from functools import cached_property
from typing import NamedTuple

from subsmatch import __version__
from subsmatch.matchers.checker import Checker
from subsmatch.matchers.verdict import at_home, listed_on
from subsmatch.store.ingests import FileWriter
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


class Verdicts:
    """What each query was judged (:class:`Judged`), the whole verdicts (``check --json``
    objects) not stored yet, and the ids of the stored resolutions."""

    def __init__(self, checker: Checker) -> None:
        self.checker = checker
        self.of: dict[str, Judged] = {}  # query -> what it was judged, for every query seen
        self.unstored: dict[str, dict] = {}  # query -> check JSON of a chosen query not stored
        self.stored_ids: dict[str, int] = {}  # query -> committed resolution id

    @cached_property
    def versions(self) -> dict[str, str]:
        """The versions a stored verdict must have to be reused; asked for when a file is
        written, so that one already stored does not load the rules (about a second)."""
        return judged_by(self.checker)

    def choose(self, keys: list[Key], store: FileWriter) -> dict[Key, str | None]:
        """For each distinct key, the query whose verdict it takes (None: no query).

        Queries met before, in this process or in the database (same versions), are not
        judged again.
        """
        distinct = list(dict.fromkeys(keys))
        new = list(dict.fromkeys(q for key in distinct for q in key if q not in self.of))
        for query, (rid, verdict) in store.stored(new, self.versions).items():
            self.of[query] = Judged.of(at_home(json.loads(verdict), self.checker.home))
            self.stored_ids[query] = rid  # stored elsewhere
        new = [q for q in new if q not in self.of]
        if new:  # else the checker's indexes need not be built
            verdicts = dict(zip(new, self.checker.check_json(new), strict=True))
            self.of.update((query, Judged.of(verdict)) for query, verdict in verdicts.items())
        else:
            verdicts = {}
        chosen = {key: surest(key, self.of) for key in distinct}
        unstored = self.unstored  # whole verdicts are kept only for what will be stored
        for query in dict.fromkeys(chosen.values()):
            if query and query not in self.stored_ids and query not in unstored:
                unstored[query] = verdicts.get(query) or self.checker.check_json([query])[0]
        return chosen

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
