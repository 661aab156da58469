"""What a build could not settle, for a curator: gathered from every step into ``audit.json``
(read back by :mod:`subsmatch.reference.audit`) and summed up in ``BUILD_REPORT.md``."""

from __future__ import annotations

from collections import Counter

from subsmatch.compile.curate import Curation, load_plant_entries
from subsmatch.compile.dating import DatingReport
from subsmatch.compile.identify import CONTRADICTS, DISPUTED, Decision
from subsmatch.compile.merge import Merged
from subsmatch.compile.names import NameReport
from subsmatch.compile.read.curated import PRODUCTS
from subsmatch.compile.records import Row
from subsmatch.compile.roles import SourceRole

AUDIT_VERSION = 1


def conflicts(
    rows: list[Row], decisions: dict[int, Decision], by_row: dict[int, str]
) -> list[dict]:
    """Rows whose facts disagreed, and how that was settled."""
    found = []
    for i, decision in sorted(decisions.items()):
        if not decision.against:
            continue
        row = rows[i]
        settled = (
            f"joined to {by_row[i]}"
            if decision.ident
            else f"kept off every structure ({by_row.get(i, 'no substance')})"
        )
        found.append(
            {
                "row": row.ref,
                "name": row.first_name,
                "settled": settled,
                "reason": decision.reason,
                "support": [f"{f.what} -> {f.ident.inchikey}" for f in decision.support],
                "against": [f"{f.what} -> {f.ident.inchikey}" for f in decision.against],
            }
        )
    return found


def not_loaded(rows: list[Row]) -> list[dict]:
    """Rows read but carrying no listing on purpose: drafts, unverified items, notices that
    control nothing (each with the reader's reason)."""
    return [
        {"row": row.ref, "name": row.first_name, "reason": row.note}
        for row in rows
        if row.note.startswith(("not loaded", "not applied", "not placed"))
    ]


def notices_not_placed(
    rows: list[Row], by_row: dict[int, str], roles: dict[str, SourceRole]
) -> list[dict]:
    """Names in dated notices that no structure could be settled for: their listings stand on
    name-only substances and are reported here."""
    return [
        {
            "row": row.ref,
            "names": [n.text for n in row.names],
            "substance_id": by_row.get(i),
            "notice": row.note,
        }
        for i, row in enumerate(rows)
        if roles[row.source].role == "notices"
        and row.listings
        and not str(by_row.get(i, "")).startswith("ik:")
    ]


def assemble(
    version: dict,
    rows: list[Row],
    roles: dict[str, SourceRole],
    curation: Curation,
    decisions: dict[int, Decision],
    unparsable: list[str],
    merged: Merged,
    names: NameReport,
    dating: DatingReport,
    lists: list[dict],
    list_detail: dict,
) -> dict:
    return {
        "audit_version": AUDIT_VERSION,
        "data_version": version["data_version"],
        "lists": [{**row, **list_detail[f"{row['jurisdiction']}|{row['list']}"]} for row in lists],
        "conflicts": (found := conflicts(rows, decisions, merged.by_row)),
        "self_contradictions": [c for c in found if c["reason"].startswith(CONTRADICTS)],
        "disputed_structures": [c for c in found if c["reason"].startswith(DISPUTED)],
        "dropped": [
            {"row": d.ref, "what": d.what, "substance_id": d.substance, "reason": d.reason}
            for d in [*curation.dropped, *merged.dropped, *names.dropped]
        ],
        "contradicted_kept": names.contradicted_kept,
        "unconfirmed_structures": [
            {"substance_id": sid, "reason": s.structure_doubt}
            for sid, s in sorted(merged.substances.items())
            if s.structure_doubt
        ],
        "notices_not_placed": notices_not_placed(rows, merged.by_row, roles),
        "not_loaded": not_loaded(rows),
        "overrides": [
            {
                "row": f"{a.override.source}:{a.override.row}",
                "name": a.override.name,
                "decision": a.override.decision,
                "value": a.override.value,
                "reason": a.override.reason,
                "applied": a.applied,
                "detail": a.detail,
            }
            for a in curation.overrides
        ],
        "materials": {
            material: sorted(refs) for material, refs in sorted(curation.materials.items())
        },
        "products": [
            {"row": r.ref, "product": r.first_name, "contents": r.contents, "reason": r.note}
            for r in rows
            if r.source == PRODUCTS
        ],
        "plant_entries": [
            {
                "entry": e.entry,
                "rows": sorted(curation.plant_entries.get(e.entry, [])),
                "reason": e.reason,
                "source": e.source,
            }
            for e in load_plant_entries()
        ],
        "unparsable": unparsable,
        "labels_not_joined": {
            source: sorted(Counter(labels).items())
            for source, labels in sorted(names.unjoined.items())
        },
        "labels_joined": dict(sorted(names.joined.items())),
        "grouping_rows_unused": dict(sorted(names.grouping_rows.items())),
        "ambiguous_street_names": names.ambiguous_street,
        "removals": dating.removals,
        "removals_without_listing": dating.removals_without_listing,
        "evidence_after_removal": dating.evidence_after_removal,
        "vocabulary_rows_without_structure": merged.unidentified_vocabulary,
        "vocabulary_names_not_shipped": names.vocabulary_names_trimmed,
    }


def _section(title: str, lines: list[str], limit: int = 40) -> str:
    body = "\n".join(f"- {line}" for line in lines[:limit])
    more = f"\n- ... and {len(lines) - limit} more (audit.json)" if len(lines) > limit else ""
    return f"\n## {title} ({len(lines)})\n\n{body or '- none'}{more}\n"


def render_report(
    audit: dict, built_counts: dict, rows: list[Row], substances: list[dict], java: bool
) -> str:
    """BUILD_REPORT.md: the headline figures, rows per source, lists, and the audit's sections."""
    with_structure = sum(1 for s in substances if s["inchikey"])
    drawable = sum(1 for s in substances if s["smiles"])
    name_only = len(substances) - with_structure
    per_source = Counter(row.source for row in rows)
    lines = [
        "# Reference data build report",
        "",
        f"Data version: `{audit['data_version']}`  ",
        f"Substances: {len(substances)} ({with_structure} with a structure, {drawable} of them "
        f"drawable and {with_structure - drawable} known by InChIKey only; {name_only} name-only); "
        f"names: {built_counts['names']}; "
        f"listings: {built_counts['listings']}; conflicts recorded: {len(audit['conflicts'])}; "
        f"names and CAS numbers kept off a substance: {len(audit['dropped'])}.  ",
        "OPSIN: "
        + ("used." if java else "SKIPPED (no Java): rows identified without name-to-structure."),
        "",
        "## Rows per source",
        "",
        "| source | rows read |",
        "|---|---|",
        *[f"| {source} | {n} |" for source, n in sorted(per_source.items())],
        "",
        "## Lists",
        "",
        "| jurisdiction | list | entries | with structure | name-only"
        " | excepted (plant, preparation, group; unsettled) | coverage | complete to |",
        "|---|---|---|---|---|---|---|---|",
        *[
            f"| {r['jurisdiction']} | {r['list']} | {r['entries']} | {r['with_structure']} "
            f"| {r['name_only']} ({100 * r['name_only'] / r['entries']:.1f}%) "
            f"| {r['name_only_excepted']} | {r['coverage']} | {r['complete_to'] or '-'} |"
            for r in audit["lists"]
        ],
        _section(
            "Overrides (curated/overrides.csv)",
            [
                f"{o['row']} {o['name']}: {o['decision']} {o['value']} — "
                + ("applied" if o["applied"] else f"NOT APPLIED: {o['detail']}")
                for o in audit["overrides"]
            ],
        ),
        _section(
            "Given structures their own row's systematic name contradicts (OPSIN, skeleton)",
            [
                f"{c['row']} {c['name']}: {c['settled']} ({c['reason']})"
                for c in audit["self_contradictions"]
            ],
        ),
        _section(
            "Given structures other sources dispute under the same name or CAS "
            "(compile/witnesses.py)",
            [
                f"{c['row']} {c['name']}: {c['settled']} ({c['reason']})"
                for c in audit["disputed_structures"]
            ],
        ),
        _section(
            "Conflicts (facts of one row that disagree)",
            [
                f"{c['row']} {c['name']}: {c['settled']} ({c['reason']}); "
                f"against: {', '.join(c['against'])}"
                for c in audit["conflicts"]
            ],
        ),
        _section(
            "Names and CAS numbers kept off a substance",
            [
                f"{d['row']} {d['what']} ({d['substance_id']}): {d['reason']}"
                for d in audit["dropped"]
            ],
        ),
        _section("Names contradicted by their OPSIN reading, kept", audit["contradicted_kept"]),
        _section(
            "Structures one unreviewed drawing alone gives (answers of them are uncertain; "
            "compile/corroboration.py)",
            [f"{u['substance_id']}: {u['reason']}" for u in audit["unconfirmed_structures"]],
        ),
        _section(
            "Notice names not placed on a structure",
            [
                f"{n['row']} {', '.join(n['names'][:3])}: {n['notice']}"
                for n in audit["notices_not_placed"]
            ],
        ),
        _section(
            "Rows read but not loaded",
            [f"{n['row']} {n['name']}: {n['reason']}" for n in audit["not_loaded"]],
        ),
        _section("Unparsable or contradicted given structures", audit["unparsable"]),
        _section(
            "Street and synonym labels no substance carries",
            [
                f"{source}: {label} ({n} rows)"
                for source, labels in audit["labels_not_joined"].items()
                for label, n in labels
            ],
        ),
        _section(
            "Ambiguous street names (kept on each substance with its region)",
            audit["ambiguous_street_names"],
        ),
        _section("Removals (the day as precisely as known; what they did)", audit["removals"]),
        _section("Removals of listings no source adds", audit["removals_without_listing"]),
        "",
    ]
    return "\n".join(lines)
