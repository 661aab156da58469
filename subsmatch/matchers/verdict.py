"""Combine the evidence on one query into one verdict per jurisdiction.

Status per jurisdiction: ``controlled`` when a narcotic, psychotropic or NPS listing applies,
``precursor`` when only precursor listings apply, else ``not_listed``; overall, the strongest
of them, or ``unresolved`` when the query named no known substance or structure.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from subsmatch import __version__
from subsmatch.matchers.exact import StructureMatch, structure_matches
from subsmatch.reference.lists import CONTROLLING_KINDS, JURISDICTIONS, ListEntry, Reference
from subsmatch.substances.resolve import Resolution

STATUS_ORDER = ("controlled", "generic", "precursor", "analogue", "not_listed", "unresolved")


@dataclass(frozen=True)
class Evidence:
    """One list entry that applies to the query, and why it applies."""

    entry: ListEntry
    substance_id: str
    match: str  # identical | stereoisomer | stereo_unspecified | name
    reason: str


@dataclass(frozen=True)
class JurisdictionVerdict:
    code: str
    status: str
    evidence: tuple[Evidence, ...]


@dataclass(frozen=True)
class Verdict:
    query: str
    resolution: Resolution
    status: str
    jurisdictions: tuple[JurisdictionVerdict, ...]
    related: tuple[StructureMatch, ...]  # structure relations that did not apply, with reasons
    data_version: str
    as_of: date | None


def jurisdiction_status(entries: list[ListEntry]) -> str:
    kinds = {e.kind for e in entries}
    if kinds & CONTROLLING_KINDS:
        return "controlled"
    if "precursor" in kinds:
        return "precursor"
    return "not_listed"


def _candidates(resolution: Resolution, reference: Reference) -> list[StructureMatch]:
    """The reference substances the query is, or whose listings reach it."""
    if resolution.keys is not None:
        matches = structure_matches(resolution.keys, reference)
        if resolution.substance_id and all(
            m.substance_id != resolution.substance_id for m in matches
        ):
            matches.insert(
                0,
                StructureMatch(resolution.substance_id, "identical", True, "same parent structure"),
            )
        return matches
    if resolution.substance_id:
        return [
            StructureMatch(
                resolution.substance_id, "identical", True, "named substance (no structure known)"
            )
        ]
    return []


def evaluate(
    resolution: Resolution,
    reference: Reference,
    jurisdictions: tuple[str, ...] = JURISDICTIONS,
    as_of: date | None = None,
) -> Verdict:
    """The verdict on one resolved query."""
    if not resolution.resolved:
        return Verdict(resolution.query, resolution, "unresolved", (), (), reference.version, as_of)
    candidates = _candidates(resolution, reference)
    applying = [m for m in candidates if m.covered]
    per_code = []
    for code in jurisdictions:
        evidence = tuple(
            Evidence(
                entry, m.substance_id, "name" if resolution.keys is None else m.relation, m.reason
            )
            for m in applying
            for entry in reference.entries(m.substance_id, (code,), as_of)
        )
        listed = [e.entry for e in evidence]
        per_code.append(JurisdictionVerdict(code, jurisdiction_status(listed), evidence))
    statuses = {j.status for j in per_code}
    overall = next((s for s in STATUS_ORDER if s in statuses), "not_listed")
    related = tuple(m for m in candidates if not m.covered)
    return Verdict(
        resolution.query, resolution, overall, tuple(per_code), related, reference.version, as_of
    )


def verdict_to_dict(verdict: Verdict, reference: Reference) -> dict:
    """The JSON object of one query. Field names are a public contract: keep them stable."""
    r = verdict.resolution
    resolved = None
    if r.resolved:
        record = reference.substances.get(r.substance_id) if r.substance_id else None
        resolved = {
            "name": record.name if record else (r.matched_name or r.query.strip()),
            "substance_id": r.substance_id,
            "smiles": r.keys.smiles if r.keys else None,
            "inchikey": r.keys.inchikey if r.keys else None,
            "via": r.via,
            "confidence": r.confidence,
            "uncertain": r.uncertain,
            "matched_name": r.matched_name,
            "form": list(r.form),
            "stereo": r.stereo or None,
            "alternatives": [
                {"substance_id": a, "name": reference.substances[a].name} for a in r.alternatives
            ],
        }
    return {
        "query": verdict.query,
        "resolved": resolved,
        "status": verdict.status,
        "jurisdictions": [
            {
                "code": j.code,
                "status": j.status,
                "entries": [
                    {
                        "list": e.entry.list,
                        "name": e.entry.name_in_list,
                        "since": e.entry.since_display,
                        "until": e.entry.until,
                        "kind": e.entry.kind,
                        "act": e.entry.act or None,
                        "match": e.match,
                        "substance_id": e.substance_id,
                        "source": f"{e.entry.source}:{e.entry.source_row}",
                    }
                    for e in j.evidence
                ],
            }
            for j in verdict.jurisdictions
        ],
        "related": [
            {
                "substance_id": m.substance_id,
                "name": reference.substances[m.substance_id].name,
                "relation": m.relation,
                "applies": False,
                "reason": m.reason,
            }
            for m in verdict.related
        ],
        "notes": list(r.notes),
        "error": r.error,
        "as_of": verdict.as_of.isoformat() if verdict.as_of else None,
        "data_version": verdict.data_version,
        "tool_version": __version__,
    }


def listed_on(verdict: dict) -> tuple[str, ...]:
    """The lists that make a `check --json` verdict, per jurisdiction: ("NL: Opiumwet List I",)."""
    return tuple(
        f"{j['code']}: " + "; ".join(sorted({e["list"] for e in j["entries"]}))
        for j in verdict["jurisdictions"]
        if j["status"] in ("controlled", "precursor")
    )
