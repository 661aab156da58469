"""Combine the evidence on one query into one verdict per jurisdiction.

Status per jurisdiction: ``controlled`` when a narcotic, psychotropic or NPS listing applies;
``generic`` when no listing does but a generic (group) definition of that jurisdiction in force
covers the structure; ``precursor`` when only precursor listings apply; else ``not_listed``.
Overall: the strongest of them; ``analogue`` when a structure is on no list and under no rule
but close to a controlled one (class-aware similarity, never for known look-alikes); or
``unresolved`` when the query named no known substance or structure.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date

from subsmatch import __version__
from subsmatch.matchers.exact import StructureMatch, structure_matches
from subsmatch.matchers.generic import RuleBook, RuleMatch
from subsmatch.matchers.similarity import AnalogueFinding, AnalogueIndex
from subsmatch.reference.lists import (
    CONTROLLING_KINDS,
    JURISDICTIONS,
    LIST_JURISDICTIONS,
    ListEntry,
    Reference,
)
from subsmatch.substances.resolve import Resolution
from subsmatch.vocabulary import Status, strongest


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
    status: Status
    evidence: tuple[Evidence, ...]


@dataclass(frozen=True)
class Verdict:
    query: str
    resolution: Resolution
    status: Status
    jurisdictions: tuple[JurisdictionVerdict, ...]
    related: tuple[StructureMatch, ...]  # structure relations that did not apply, with reasons
    data_version: str
    as_of: date | None
    generic: tuple[RuleMatch, ...] = ()  # generic definitions that cover the structure
    rules_failed: tuple[RuleMatch, ...] = ()  # definitions whose core is present, not matched
    rules_version: str | None = None
    analogue: AnalogueFinding | None = None  # similarity evidence, for structures on no list


def jurisdiction_status(entries: list[ListEntry]) -> Status:
    kinds = {e.kind for e in entries}
    if kinds & CONTROLLING_KINDS:
        return Status.CONTROLLED
    if "precursor" in kinds:
        return Status.PRECURSOR
    return Status.NOT_LISTED


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


def rule_matches(
    resolution: Resolution,
    rules: RuleBook | None,
    jurisdictions: tuple[str, ...],
    as_of: date | None,
) -> list[RuleMatch]:
    """Generic definitions evaluated on the query's parent structure (none without one)."""
    if rules is None or resolution.keys is None:
        return []
    keys = resolution.keys
    return rules.evaluate_smiles(keys.smiles, jurisdictions, as_of, skeleton=keys.connectivity)


AnalogueSource = Callable[[], AnalogueIndex] | None
"""Gives the similarity index when a verdict needs it (None: no similarity assessment)."""


def exempt_medicines(
    matches: list[RuleMatch], resolution: Resolution, analogues: AnalogueSource
) -> list[RuleMatch]:
    """Rules of laws that exempt medicinal products do not cover a licensed medicine."""
    if (
        analogues is None
        or resolution.keys is None
        or not any(m.matched and m.rule.law.exempts_medicines for m in matches)
    ):
        return matches
    lookalike = analogues().lookalike_of(resolution.keys)
    if lookalike is None or lookalike.category != "licensed medicine":
        return matches
    return [
        replace(
            m,
            matched=False,
            failure=f"{lookalike.name} is a licensed medicine: {m.rule.law.exempts_medicines}",
        )
        if m.matched and m.rule.law.exempts_medicines
        else m
        for m in matches
    ]


def evaluate(
    resolution: Resolution,
    reference: Reference,
    jurisdictions: tuple[str, ...] = JURISDICTIONS,
    as_of: date | None = None,
    rules: RuleBook | None = None,
    analogues: AnalogueSource = None,
) -> Verdict:
    """The verdict on one resolved query.

    ``rules`` adds the generic definitions; ``analogues`` (gives the index of the structures
    controlled on ``as_of`` in ``jurisdictions``, built only when a verdict needs it: most
    queries are listed substances) the similarity assessment of structures that nothing else
    covers.
    """
    if not resolution.resolved:
        return Verdict(
            resolution.query, resolution, Status.UNRESOLVED, (), (), reference.version, as_of
        )
    candidates = _candidates(resolution, reference)
    applying = [m for m in candidates if m.covered]
    evidence = {
        code: tuple(
            Evidence(
                entry, m.substance_id, "name" if resolution.keys is None else m.relation, m.reason
            )
            for m in applying
            for entry in reference.entries(m.substance_id, (code,), as_of)
        )
        for code in jurisdictions
    }
    listed = {
        code: jurisdiction_status([e.entry for e in found]) for code, found in evidence.items()
    }
    # a generic definition matters where no listing controls the substance already
    open_codes = tuple(code for code in jurisdictions if listed[code] is not Status.CONTROLLED)
    evaluated = (
        exempt_medicines(rule_matches(resolution, rules, open_codes, as_of), resolution, analogues)
        if open_codes
        else []
    )
    generic = tuple(m for m in evaluated if m.matched)
    generic_codes = {m.rule.law.jurisdiction for m in generic}
    per_code = [
        JurisdictionVerdict(
            code, Status.GENERIC if code in generic_codes else listed[code], evidence[code]
        )
        for code in jurisdictions
        # no lists loaded there: silence, not a "not listed" we cannot know
        if code in LIST_JURISDICTIONS or code in generic_codes
    ]
    statuses = {j.status for j in per_code}
    overall = strongest(statuses)
    related = tuple(m for m in candidates if not m.covered)
    analogue = None
    if overall is Status.NOT_LISTED and analogues is not None and resolution.keys is not None:
        analogue = analogues().assess(resolution.keys)
        if analogue.is_analogue:
            overall = Status.ANALOGUE
    return Verdict(
        resolution.query,
        resolution,
        overall,
        tuple(per_code),
        related,
        reference.version,
        as_of,
        generic,
        tuple(m for m in evaluated if not m.matched),
        rules.version if rules is not None else None,
        analogue,
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
        "generic": [
            {
                "rule_id": m.rule.id,
                "jurisdiction": m.rule.law.jurisdiction,
                "citation": f"{m.rule.law.citation}; {m.rule.clause}",
                "since": m.rule.law.effective_from,
                "provisional": m.rule.law.provisional,
                "matched_atoms": list(m.atoms),
            }
            for m in verdict.generic
        ],
        "rules_not_matched": [
            {"rule_id": m.rule.id, "jurisdiction": m.rule.law.jurisdiction, "failure": m.failure}
            for m in verdict.rules_failed
        ],
        "analogue": None
        if verdict.analogue is None
        else {
            "is_analogue": verdict.analogue.is_analogue,
            "class": verdict.analogue.structure_class,
            "threshold": verdict.analogue.threshold,
            "lookalike": verdict.analogue.lookalike,
            "reason": verdict.analogue.reason,
        },
        "analogues": []
        if verdict.analogue is None
        else [
            {
                "name": n.name,
                "substance_id": n.substance_id,
                "smiles": n.smiles,
                "similarity": n.similarity,
                "fingerprint": verdict.analogue.fingerprint,
                "by_fingerprint": dict(n.by_fingerprint),
                "via": n.via or None,
                "lists": list(n.lists),
                "difference": n.difference if rank == 0 or verdict.analogue.is_analogue else None,
            }
            for rank, n in enumerate(verdict.analogue.neighbours)
        ],
        "notes": list(r.notes),
        "error": r.error,
        "as_of": verdict.as_of.isoformat() if verdict.as_of else None,
        "data_version": verdict.data_version,
        "rules_version": verdict.rules_version,
        "tool_version": __version__,
    }


def listed_on(verdict: dict) -> tuple[str, ...]:
    """What makes a `check --json` verdict, per jurisdiction: ("NL: Opiumwet List I", ...).

    Lists for controlled and precursor jurisdictions, rule ids for generic ones.
    """
    rules: dict[str, list[str]] = {}
    for g in verdict.get("generic", ()):
        rules.setdefault(g["jurisdiction"], []).append(g["rule_id"])
    out = []
    for j in verdict["jurisdictions"]:
        if j["status"] in ("controlled", "precursor"):
            out.append(f"{j['code']}: " + "; ".join(sorted({e["list"] for e in j["entries"]})))
        elif j["status"] == "generic":
            out.append(f"{j['code']}: generic " + "; ".join(rules.get(j["code"], [])))
    return tuple(out)
