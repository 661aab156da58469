"""How often the verdicts match the law: the statuses of benchmarks/data/law_expectations.csv.

    .venv/bin/python benchmarks/law_eval.py [--show 40] [--no-opsin] [--json]

The table (written by hand from ../shared, each row with its source line) gives the expected status
of about a hundred substances (narcotics, NPS, medicines, precursors, cutting agents) in UN, EU, BE,
NL, LU, DE, US and CN, today and on some past dates. Each substance is checked once per date with
every jurisdiction evaluated. Figures: the share of verdicts right (target >= 97%), per jurisdiction
and per group, and the *missed controls*: rows where the loaded law controls the substance
(expected controlled, generic or precursor, and the expectation rests on law the tool loads:
column ``loaded``) and the verdict says not_listed (target: none).
A jurisdiction missing from a verdict counts as not_listed. Exit code 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import date
from pathlib import Path

from subsmatch.matchers.checker import Checker

TABLE = Path(__file__).resolve().parent / "data" / "law_expectations.csv"
TARGET = 0.97
CONTROLS = ("controlled", "generic", "precursor")


def read_table(path: Path = TABLE) -> list[dict]:
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(line for line in handle if not line.startswith("#")))


def query_of(row: dict) -> str:
    return row["smiles"] or row["query"]


def verdicts(rows: Iterable[dict], checker: Checker) -> dict[tuple[str, str], dict]:
    """The check --json object of each (query, as_of) of the table, every jurisdiction evaluated."""
    by_date: dict[str, list[str]] = defaultdict(list)
    for row in rows:
        by_date[row["as_of"]].append(query_of(row))
    out = {}
    for day, queries in by_date.items():
        distinct = list(dict.fromkeys(queries))
        as_of = date.fromisoformat(day) if day else None
        for query, verdict in zip(distinct, checker.check_json(distinct, None, as_of), strict=True):
            out[query, day] = verdict
    return out


def status_in(verdict: dict, code: str) -> str:
    if verdict["status"] == "unresolved":
        return "unresolved"
    return next((j["status"] for j in verdict["jurisdictions"] if j["code"] == code), "not_listed")


def evaluate(rows: list[dict], checker: Checker) -> dict:
    """Per row the status found; the figures."""
    found = verdicts(rows, checker)
    results = []
    for row in rows:
        got = str(status_in(found[query_of(row), row["as_of"]], row["jurisdiction"]))
        results.append({**row, "got": got, "right": got == row["expected"]})
    by_code: dict[str, Counter] = defaultdict(Counter)
    by_group: dict[str, Counter] = defaultdict(Counter)
    for r in results:
        by_code[r["jurisdiction"]][r["right"]] += 1
        by_group[r["group"]][r["right"]] += 1
    right = sum(r["right"] for r in results)
    return {
        "rows": len(results),
        "substances": len({r["query"] for r in results}),
        "right": right,
        "share": right / len(results) if results else 0.0,
        "by_jurisdiction": {k: v[True] / sum(v.values()) for k, v in sorted(by_code.items())},
        "by_group": {k: v[True] / sum(v.values()) for k, v in sorted(by_group.items())},
        "transitions": Counter(
            f"{r['expected']} -> {r['got']}" for r in results if not r["right"]
        ).most_common(),
        "missed_controls": [
            r
            for r in results
            if r["expected"] in CONTROLS and r["got"] == "not_listed" and r["loaded"] == "yes"
        ],
        "wrong": [r for r in results if not r["right"]],
    }


def report(figures: dict, show: int) -> str:
    lines = [
        f"{figures['rows']} verdicts of {figures['substances']} substances: "
        f"{figures['right']} right = {figures['share']:.1%} (target >= {TARGET:.0%})",
        "per jurisdiction: "
        + ", ".join(f"{k} {v:.0%}" for k, v in figures["by_jurisdiction"].items()),
        "per group: " + ", ".join(f"{k} {v:.0%}" for k, v in figures["by_group"].items()),
        f"missed controls (controlled/generic/precursor reported not_listed): "
        f"{len(figures['missed_controls'])} (target 0)",
    ]
    if figures["transitions"]:
        lines.append(
            "wrong, by transition: " + ", ".join(f"{t}: {n}" for t, n in figures["transitions"])
        )
    for r in figures["wrong"][:show]:
        when = f" on {r['as_of']}" if r["as_of"] else ""
        lines.append(
            f"  {r['query']}{when} {r['jurisdiction']}: expected {r['expected']}, "
            f"got {r['got']}  [{r['source']}]"
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--show", type=int, default=40, help="wrong rows to list")
    parser.add_argument("--no-opsin", action="store_true", help="do not convert names with OPSIN")
    parser.add_argument("--json", action="store_true", help="the figures as JSON")
    args = parser.parse_args()
    figures = evaluate(read_table(), Checker(use_opsin=not args.no_opsin))
    if args.json:
        print(json.dumps({k: v for k, v in figures.items() if k != "wrong"}, indent=2))
    else:
        print(report(figures, args.show))
    return 0 if figures["share"] >= TARGET and not figures["missed_controls"] else 1


if __name__ == "__main__":
    sys.exit(main())
