"""Re-judge stored findings after a change of the reference data, the rules or the tool.

Every stored resolution that findings still use and that was made with other versions, or for
another region than the checker's (whose street names it followed), is judged again; the
findings move to the new resolution (the old one is kept), and each re-judgement is recorded
with both versions. One transaction. The answer says how many
verdicts were judged again, which changed status and how (``not_listed -> controlled``: so
many verdicts, so many findings), and how many kept their status but not their evidence (a
listing's date, another list, another rule).
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict, dataclass, field

from sqlalchemy import Engine, Row
from sqlalchemy.orm import Session

from subsmatch.ingest.rows import resolution_values
from subsmatch.ingest.verdicts import judged_by
from subsmatch.matchers.checker import BATCH_KEPT, Checker, collection_paused
from subsmatch.store.engine import writer
from subsmatch.store.ingests import resolution_ids
from subsmatch.store.rematches import (
    move_findings,
    record_rematches,
    stale_resolutions,
    stored_verdicts,
)

VERSION_KEYS = ("data_version", "rules_version", "tool_version")


@dataclass(frozen=True)
class Change:
    """One re-judged verdict whose status changed."""

    query: str
    old_status: str
    new_status: str
    findings: int
    old_versions: str
    new_versions: str


@dataclass(frozen=True)
class Rematched:
    """What a re-judgement did."""

    rejudged: int = 0  # stored verdicts judged again
    changed: list[Change] = field(default_factory=list)  # those whose status changed
    evidence_changed: int = 0  # status kept, evidence not (dates, lists, rules, neighbours)
    findings_moved: int = 0  # findings now on a new verdict

    @property
    def transitions(self) -> dict[str, dict[str, int]]:
        """Per status change ("not_listed -> controlled"): verdicts and findings, most first."""
        verdicts = Counter(f"{c.old_status} -> {c.new_status}" for c in self.changed)
        findings = Counter()
        for c in self.changed:
            findings[f"{c.old_status} -> {c.new_status}"] += c.findings
        return {
            move: {"verdicts": n, "findings": findings[move]}
            for move, n in sorted(verdicts.items(), key=lambda item: (-item[1], item[0]))
        }

    def to_dict(self) -> dict:
        return {
            "rejudged": self.rejudged,
            "changed": [asdict(c) for c in self.changed],
            "transitions": self.transitions,
            "evidence_changed": self.evidence_changed,
            "findings_moved": self.findings_moved,
        }


def _versions_text(data: str, rules: str, tool: str, region: str) -> str:
    return f"data {data}, rules {rules}, tool {tool}, region {region or 'not recorded'}"


def _evidence(verdict: dict) -> dict:
    """A verdict without the versions that made it."""
    return {key: value for key, value in verdict.items() if key not in VERSION_KEYS}


BATCH = 5000
"""Verdicts judged and stored at a time: what is held in memory stays bounded."""


def rematch(engine: Engine, checker: Checker | None = None, batch: int = BATCH) -> Rematched:
    """Judge again, with ``checker``'s reference and rules, the stored verdicts that findings
    use and that other versions made; move the findings to the new verdicts."""
    checker = checker or Checker(kept=BATCH_KEPT)
    versions = judged_by(checker)
    now = _versions_text(*versions.values())
    with collection_paused(), Session(writer(engine)) as session, session.begin():
        stale = stale_resolutions(session, versions)
        if not stale:
            return Rematched()
        rows_of: dict[str, list[Row]] = {}  # query -> its stale resolutions
        for row in stale:
            rows_of.setdefault(row.query, []).append(row)
        queries = list(rows_of)
        new: dict[str, tuple[int, str]] = {}  # query -> new resolution id and status
        evidence_changed = 0
        for start in range(0, len(queries), batch):
            part = queries[start : start + batch]
            verdicts = dict(zip(part, checker.check_json(part), strict=True))
            ids = resolution_ids(
                session, {q: resolution_values(v) for q, v in verdicts.items()}, versions
            )
            old = stored_verdicts(session, [row.id for q in part for row in rows_of[q]])
            for query, verdict in verdicts.items():
                new[query] = ids[query], verdict["status"]
                evidence_changed += sum(
                    verdict["status"] == row.status
                    and _evidence(json.loads(old[row.id])) != _evidence(verdict)
                    for row in rows_of[query]
                )
        moved = move_findings(session, [(row.id, *new[row.query]) for row in stale])
        changed, records = [], []
        for row in stale:
            new_id, new_status = new[row.query]
            before = _versions_text(
                row.data_version, row.rules_version, row.tool_version, row.region
            )
            found = moved[row.id]
            records.append((row.query, row.id, new_id, row.status, new_status, found, before, now))
            if new_status != row.status:
                changed.append(Change(row.query, row.status, new_status, found, before, now))
        record_rematches(session, records)
        return Rematched(len(stale), changed, evidence_changed, sum(moved.values()))
