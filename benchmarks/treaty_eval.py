"""Treaty consistency: is every UN-scheduled substance controlled where the treaty binds?

    .venv/bin/python benchmarks/treaty_eval.py [--as-of 2026-12-08] [--lag-days 730]
        [--show 30] [--no-opsin] [--json]

Every substance the reference holds on a UN list (1961 and 1971 schedules; 1988 Tables I/II,
compiled from the Belgian UN rows, the UN scheduling decisions since 2010 with their CND year,
../shared/sources/un_scheduling, and the 1988 tables) is checked through the real checker (the
path of ``subsmatch check --json``), all jurisdictions evaluated, by its structure (its SMILES;
its listed name where the reference has no structure) and, separately, by the name the UN list
gives it (the name-to-substance join). Per Party jurisdiction (BE, NL, LU, DE, US, CN; and the
EU, whose 'drug' is the UN schedules) the verdict is classified:

- ``listed``: controlled (or generic) with a national listing in force, the list named;
- ``treaty``: controlled only by the derived treaty obligation (no national listing in force in
  the loaded data: a data gap, traced below);
- ``unknown``: the tool says it does not know (a list that ends before the date, a start date
  not known);
- ``not_listed``: an error unless the UN placement is younger than the national lag; traced as
  ``identity`` (the check did not reach the UN-listed substance), ``date`` (a national listing
  of it exists, not in force on the date), ``join`` (a national list row of one of its names sits
  on another substance), ``gap`` (no national row: the country has not placed it, or the
  loaded list lacks it);
- ``unresolved``;
- ``before_law``: a date before the law that carries the UN (or EU) listing into the jurisdiction
  (the EU's 'drug' from 2004-11-12; the EU precursor Regulations from 2005-08-18, the earlier
  ones not loaded), the jurisdiction having no listing of its own of the substance.

Dates: ``--as-of`` (default today), and for a UN listing with a dated placement also the placement
plus ``--lag-days`` (when that is before ``--as-of``). A placement younger than the lag on the date
asked is reported apart (``within_lag``), never as an error.

The precursors likewise: every 1988 Table I/II substance must be a ``precursor`` in the EU and its
Member States (Reg. 273/2004 and 111/2005 implement the Tables), and in the US (Lists I/II) and
CN (the catalogue), where a national precursor list is loaded.

The name pass counts a name whose check reaches another substance (``name_join``): the UN list's
own spelling of a substance does not find it.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from subsmatch.matchers.checker import Checker
from subsmatch.reference import law as law_module
from subsmatch.reference.lists import ListEntry, Reference
from subsmatch.substances.names import name_key

PARTIES = ("EU", "BE", "NL", "LU", "DE", "US", "CN")
PRECURSOR_PARTIES = ("EU", "BE", "NL", "LU", "DE", "US", "CN")
DRUG_KINDS = frozenset({"narcotic", "psychotropic"})
CONTROLLED = frozenset({"controlled", "generic"})
NATIONAL_KINDS = frozenset({"narcotic", "psychotropic", "NPS"})


@dataclass
class UnSubstance:
    """One substance on the UN lists, with its earliest placement (None: not dated)."""

    substance_id: str
    names: list[str]
    lists: list[str]
    kind: str  # "drug" (1961/1971) or "precursor" (1988)
    placed: date | None
    query: str = ""


@dataclass
class Finding:
    substance: str
    names: str
    jurisdiction: str
    as_of: str
    status: str
    cls: str
    lists: list[str] = field(default_factory=list)
    trace: str = ""


def placement(entry: ListEntry) -> date | None:
    """The day a UN listing is known to be in force (year precision: the year's last day): its
    start, or for a decision dated by its year alone (a secondary source) that year's last day.
    The evidence of an undated row (a snapshot's day) says nothing of the placement: None."""
    if not entry.since and entry.since_precision == "year" and entry.evidence:
        return date.fromisoformat(entry.evidence)
    if not entry.since:
        return None
    day = date.fromisoformat(entry.since[:10] if len(entry.since) >= 10 else entry.since + "-01-01")
    if entry.since_precision == "year":
        return date(day.year, 12, 31)
    return day


def un_substances(reference: Reference) -> list[UnSubstance]:
    """The UN-listed substances of the reference, one per substance id."""
    out: dict[tuple[str, str], UnSubstance] = {}
    for sid, entries in reference.listings.items():
        for e in entries:
            if e.jurisdiction != "UN" or (e.kind not in DRUG_KINDS and e.kind != "precursor"):
                continue
            kind = "precursor" if e.kind == "precursor" else "drug"
            item = out.setdefault((sid, kind), UnSubstance(sid, [], [], kind, None))
            if e.name_in_list and e.name_in_list not in item.names:
                item.names.append(e.name_in_list)
            item.lists.append(e.list)
            day = placement(e)
            if day and (item.placed is None or day < item.placed):
                item.placed = day
    for item in out.values():
        record = reference.substances.get(item.substance_id)
        smiles = record.smiles if record else None
        item.query = smiles or (item.names[0] if item.names else record.name if record else "")
    return sorted(out.values(), key=lambda s: (s.kind, s.names[:1]))


def national_rows(reference: Reference, code: str, kinds: frozenset[str]) -> dict[str, set[str]]:
    """Name key -> substance ids of the national list rows of ``code`` of ``kinds``."""
    rows: dict[str, set[str]] = defaultdict(set)
    for sid, entries in reference.listings.items():
        for e in entries:
            if e.jurisdiction == code and e.kind in kinds and e.name_in_list:
                rows[name_key(e.name_in_list)].add(sid)
    return rows


def own_listing(reference: Reference, substance_id: str, code: str, kinds: frozenset[str]) -> bool:
    return any(
        e.jurisdiction == code and e.kind in kinds for e in reference.listings.get(substance_id, ())
    )


def names_by_substance(reference: Reference, wanted: set[str]) -> dict[str, set[str]]:
    """The name keys of the ``wanted`` substances."""
    out: dict[str, set[str]] = defaultdict(set)
    for name, sid in reference.names:
        if sid in wanted:
            out[sid].add(name_key(name))
    return out


def trace_not_listed(
    item: UnSubstance,
    verdict: dict,
    code: str,
    day: date,
    reference: Reference,
    rows: dict[str, set[str]],
    names: set[str],
    kinds: frozenset[str],
) -> str:
    """Why a UN-listed substance is not listed in ``code`` on ``day``."""
    resolved = (verdict.get("resolved") or {}).get("substance_id")
    if resolved != item.substance_id:
        return f"identity: the check reached {resolved}, not {item.substance_id}"
    own = [
        e
        for e in reference.listings.get(item.substance_id, ())
        if e.jurisdiction == code and e.kind in kinds
    ]
    if own:
        return "date: " + "; ".join(
            f"{e.list} since {e.since or e.evidence} until {e.until}" for e in own
        )
    elsewhere = {sid for n in names for sid in rows.get(n, ())} - {item.substance_id}
    if elsewhere:
        return "join: a national row of its name sits on " + ", ".join(sorted(elsewhere))
    return "gap: no national row of it"


def law_starts(code: str, kinds: frozenset[str]) -> date | None:
    """The day the law that carries UN (or EU) listings of ``kinds`` into ``code`` begins (the
    EU's 'drug' of Framework Decision 2004/757/JHA, the EU precursor Regulations), when every
    such law of law.toml has a start; None when one applies at all times."""
    starts = [
        d.in_force_from
        for d in law_module.load().derivations
        if code in d.applies_in and d.kinds & kinds
    ]
    if not starts or any(s is None for s in starts):
        return None
    return min(s for s in starts if s is not None)


def classify(
    jurisdiction: dict | None, expected: frozenset[str], kinds: frozenset[str]
) -> tuple[str, list[str]]:
    if jurisdiction is None:
        return "not_listed", []
    status = str(jurisdiction["status"])
    reach = kinds | (NATIONAL_KINDS if status in CONTROLLED else frozenset())
    lists = [
        e["list"]
        for e in jurisdiction["entries"]
        if e["kind"] in reach and e.get("state") == "in_force"
    ]
    if status in expected:
        return ("listed" if lists else "treaty"), lists
    if status in ("unknown", "not_listed", "unresolved"):
        return str(status), lists
    return f"other:{status}", lists


def evaluate(checker: Checker, as_of: date, lag: timedelta) -> dict:
    reference = checker.reference
    items = un_substances(reference)
    kinds_of = {"drug": NATIONAL_KINDS, "precursor": frozenset({"precursor"})}
    # a precursor may be controlled more strictly (US Schedule II immediate precursors: ANPP, P2P)
    expected_of = {"drug": CONTROLLED, "precursor": frozenset({"precursor", "controlled"})}
    parties_of = {"drug": PARTIES, "precursor": PRECURSOR_PARTIES}
    rows_of = {
        (kind, code): national_rows(reference, code, kinds)
        for kind, kinds in kinds_of.items()
        for code in parties_of[kind]
    }
    names_of = names_by_substance(reference, {i.substance_id for i in items})
    by_date: dict[date, list[UnSubstance]] = defaultdict(list)
    for item in items:
        by_date[as_of].append(item)
        if item.placed and item.placed + lag < as_of:
            by_date[item.placed + lag].append(item)
    findings: list[Finding] = []
    categories: Counter = Counter()
    for day, group in sorted(by_date.items()):
        queries = [i.query for i in group]
        for item, verdict in zip(group, checker.check_json(queries, None, day), strict=True):
            by_code = {j["code"]: j for j in verdict.get("jurisdictions", ())}
            kinds = kinds_of[item.kind]
            if item.kind == "precursor" and day == as_of:
                categories.update(category_pairs(by_code))
            for code in parties_of[item.kind]:
                if verdict["status"] == "unresolved":
                    cls, lists = "unresolved", []
                else:
                    cls, lists = classify(by_code.get(code), expected_of[item.kind], kinds)
                status = str(by_code[code]["status"]) if code in by_code else "not_listed"
                trace = ""
                if cls == "not_listed" and item.placed and item.placed + lag > day:
                    cls = "within_lag"
                start = law_starts(code, kinds)
                if (
                    cls == "not_listed"
                    and start
                    and day < start
                    and not own_listing(reference, item.substance_id, code, kinds)
                ):
                    cls, trace = "before_law", f"the law that carries it begins {start}"
                if cls in ("not_listed", "treaty", "unresolved"):
                    trace = trace_not_listed(
                        item,
                        verdict,
                        code,
                        day,
                        reference,
                        rows_of[item.kind, code],
                        names_of[item.substance_id],
                        kinds,
                    )
                findings.append(
                    Finding(
                        item.substance_id,
                        " / ".join(item.names[:2]),
                        code,
                        day.isoformat(),
                        status,
                        cls,
                        lists,
                        trace,
                    )
                )
    name_items = [(i, n) for i in items for n in i.names[:1]]
    name_verdicts = checker.check_json([n for _, n in name_items], ["UN"], as_of)
    name_misses = []
    for (item, name), verdict in zip(name_items, name_verdicts, strict=True):
        got = (verdict.get("resolved") or {}).get("substance_id")
        if got != item.substance_id and not same_skeleton(reference, got, item.substance_id):
            name_misses.append({"name": name, "expected": item.substance_id, "got": got})
    return figures(items, findings, name_misses) | {
        "categories": {" -> ".join(k): n for k, n in sorted(categories.items())}
    }


def category_pairs(by_code: dict[str, dict]) -> list[tuple[str, str]]:
    """(UN table, "<Party> <category>") of a precursor's verdict: where each Party's precursor
    listing (its own or derived) puts a substance of a UN Table (EU: Table I in Category 1, Table
    II in Categories 2-3, as Reg. 273/2004 Annex I follows the Convention)."""
    un = by_code.get("UN")
    tables = sorted(
        {f"Table {e['category']}" for e in (un or {}).get("entries", ()) if e.get("category")}
    ) or ["Table ?"]
    pairs = []
    for code in PRECURSOR_PARTIES:
        j = by_code.get(code)
        if j is None or str(j["status"]) != "precursor":
            continue
        own = {e.get("category") or "?" for e in j["entries"] if e["kind"] == "precursor"}
        derived = {
            d.get("category") or "?"
            for d in j["derived"]
            if d["applies"] and d["rule_id"] != "precedence"
        }
        for category in sorted(own or derived or {"?"}):
            pairs.append(("/".join(tables), f"{code} {category}"))
    return pairs


def same_skeleton(reference: Reference, a: str | None, b: str) -> bool:
    """Two ids of one connectivity (a salt, a stereoisomer the UN entry covers)."""
    ra, rb = reference.substances.get(a or ""), reference.substances.get(b)
    return bool(ra and rb and ra.connectivity and ra.connectivity == rb.connectivity)


def figures(items: list[UnSubstance], findings: list[Finding], name_misses: list[dict]) -> dict:
    table: dict[str, dict[str, Counter]] = defaultdict(lambda: defaultdict(Counter))
    traces: dict[str, Counter] = defaultdict(Counter)
    kind_of = {i.substance_id: i.kind for i in items}
    for f in findings:
        kind = kind_of.get(f.substance, "drug")
        table[kind][f.jurisdiction][f.cls] += 1
        if f.trace:
            traces[f"{kind} {f.cls}"][f.trace.split(":")[0]] += 1
    errors = [f for f in findings if f.cls in ("not_listed", "unresolved")]
    return {
        "substances": Counter(i.kind for i in items),
        "verdicts": len(findings),
        "table": {k: {c: dict(v) for c, v in t.items()} for k, t in table.items()},
        "traces": {k: dict(v) for k, v in traces.items()},
        "errors": len(errors),
        "error_rows": [f.__dict__ for f in errors],
        "treaty_rows": [f.__dict__ for f in findings if f.cls == "treaty"],
        "name_misses": name_misses,
    }


CLASSES = ("listed", "treaty", "unknown", "within_lag", "before_law", "not_listed", "unresolved")


def report(result: dict, show: int) -> str:
    lines = [
        f"UN-listed substances: {dict(result['substances'])}; {result['verdicts']} verdicts "
        f"(substance x jurisdiction x date); errors (not_listed, unresolved): {result['errors']}"
    ]
    for kind, table in result["table"].items():
        lines.append(f"{kind}: " + ", ".join(CLASSES) + ", other")
        for code, counts in table.items():
            other = sum(n for c, n in counts.items() if c not in CLASSES)
            lines.append(
                f"  {code}: " + " ".join(str(counts.get(c, 0)) for c in CLASSES) + f" {other}"
            )
    for key, counts in result["traces"].items():
        lines.append(f"traced {key}: " + ", ".join(f"{t} {n}" for t, n in counts.items()))
    if result.get("categories"):
        lines.append(
            "precursor categories (UN table -> Party category): "
            + ", ".join(f"{k}: {n}" for k, n in result["categories"].items())
        )
    lines.append(f"names of the UN lists reaching another substance: {len(result['name_misses'])}")
    for miss in result["name_misses"][:show]:
        lines.append(f"  name {miss['name']!r}: {miss['got']} (UN: {miss['expected']})")
    for row in result["error_rows"][:show]:
        lines.append(
            f"  {row['names']} {row['jurisdiction']} {row['as_of']}: {row['cls']} ({row['trace']})"
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--as-of", type=date.fromisoformat, default=date.today())
    parser.add_argument("--lag-days", type=int, default=730, help="national lag allowed")
    parser.add_argument("--show", type=int, default=30, help="errors to list")
    parser.add_argument("--no-opsin", action="store_true", help="do not convert names with OPSIN")
    parser.add_argument("--json", action="store_true", help="the figures as JSON")
    args = parser.parse_args()
    checker = Checker(use_opsin=not args.no_opsin)
    result = evaluate(checker, args.as_of, timedelta(days=args.lag_days))
    if args.json:
        print(json.dumps(result, indent=2, default=str))
    else:
        print(report(result, args.show))
    return 0 if not result["errors"] else 1


if __name__ == "__main__":
    sys.exit(main())
