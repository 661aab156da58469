"""Re-evaluate stored findings against the current reference data and rules.

Every stored resolution that findings still use and that was made with other data, rules or
tool versions is judged again; the findings move to the new resolution (the old one is kept),
and each change is recorded with both versions. One transaction.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from subsmatch import __version__
from subsmatch.ingest.pipeline import resolution_values
from subsmatch.matchers.checker import Checker
from subsmatch.store.engine import writer
from subsmatch.store.ingests import resolution_ids
from subsmatch.store.rematches import move_findings, record_rematch, stale_resolutions


@dataclass(frozen=True)
class Change:
    query: str
    old_status: str
    new_status: str
    findings: int
    old_versions: str
    new_versions: str

    def to_dict(self) -> dict:
        return self.__dict__.copy()


def _versions_text(data: str, rules: str, tool: str) -> str:
    return f"data {data}, rules {rules}, tool {tool}"


def rematch(engine: Engine, checker: Checker | None = None) -> tuple[int, list[Change]]:
    """(resolutions re-judged, the ones whose status changed)."""
    checker = checker or Checker()
    versions = {
        "data_version": checker.reference.version,
        "rules_version": checker.rules.version,
        "tool_version": __version__,
    }
    now = _versions_text(*versions.values())
    with Session(writer(engine)) as session, session.begin():
        stale = stale_resolutions(session, versions)
        if not stale:
            return 0, []
        queries = list(dict.fromkeys(row.query for row in stale))
        verdicts = dict(zip(queries, checker.check_json(queries), strict=True))
        new_ids = resolution_ids(
            session, {q: resolution_values(v) for q, v in verdicts.items()}, versions
        )
        changes = []
        for row in stale:
            new_status = verdicts[row.query]["status"]
            moved = move_findings(session, row.id, new_ids[row.query], new_status)
            before = _versions_text(row.data_version, row.rules_version, row.tool_version)
            record_rematch(
                session,
                query=row.query,
                old_resolution_id=row.id,
                new_resolution_id=new_ids[row.query],
                old_status=row.status,
                new_status=new_status,
                findings=moved,
                old_versions=before,
                new_versions=now,
            )
            if new_status != row.status:
                changes.append(Change(row.query, row.status, new_status, moved, before, now))
        return len(stale), changes
