"""The verdict of every query an ingest meets, judged once across chunks and files.

Real reports repeat the same hundred substances: each distinct query is judged once in a
process, and not at all when the database holds its verdict for the same versions of the
reference data, rules and tool.
"""

from __future__ import annotations

import json

from subsmatch import __version__
from subsmatch.matchers.checker import Checker
from subsmatch.matchers.verdict import at_home
from subsmatch.store.ingests import FileWriter

Key = tuple[str, ...]
"""The texts that may identify a finding (its name, its CAS number)."""


class Verdicts:
    """Verdicts (``check --json`` objects) per query, and the ids of their stored resolutions."""

    def __init__(self, checker: Checker) -> None:
        self.checker = checker
        self.versions = {
            "data_version": checker.reference.version,
            "rules_version": checker.rules.version,
            "tool_version": __version__,
        }
        self.of: dict[str, dict] = {}  # query -> check JSON, for every query seen
        self.stored_ids: dict[str, int] = {}  # query -> committed resolution id

    def choose(self, keys: list[Key], store: FileWriter) -> dict[Key, str | None]:
        """For each distinct key, the query whose verdict it takes (None: no query).

        Queries met before, in this process or in the database (same versions), are not
        judged again.
        """
        distinct = list(dict.fromkeys(keys))
        new = list(dict.fromkeys(q for key in distinct for q in key if q not in self.of))
        for query, (rid, verdict) in store.stored(new, self.versions).items():
            self.of[query] = at_home(json.loads(verdict), self.checker.home)  # stored elsewhere
            self.stored_ids[query] = rid
        new = [q for q in new if q not in self.of]
        if new:  # else the checker's indexes need not be built
            self.of.update(zip(new, self.checker.check_json(new), strict=True))
        return {key: surest(key, self.of) for key in distinct}

    def committed(self, ids: dict[str, int]) -> None:
        """Resolutions a file stored and committed: later files reuse them."""
        self.stored_ids.update(ids)


def surest(queries: Key, verdicts: dict[str, dict]) -> str | None:
    """The resolved query with the highest confidence (the name on a tie), else the first."""
    if not queries:
        return None
    resolved = [q for q in queries if verdicts[q]["resolved"]]
    if not resolved:
        return queries[0]
    return max(resolved, key=lambda q: (verdicts[q]["resolved"]["confidence"], q == queries[0]))
