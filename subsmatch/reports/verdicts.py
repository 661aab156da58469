"""Verdicts as JSON-ready dictionaries: the stable `check --json` contract."""

from __future__ import annotations

from subsmatch import __version__
from subsmatch.matchers.verdict import Verdict
from subsmatch.reference.lists import Reference


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
