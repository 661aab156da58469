"""Time-split evaluation of the `analogue` flag, and calibration of its class thresholds.

    .venv/bin/python benchmarks/analogues.py               # evaluate the shipped thresholds
    .venv/bin/python benchmarks/analogues.py --calibrate   # recalibrate and rewrite the CSV

Evaluation: the index holds the structures with a controlling listing in force on the cut-off
(2020-12-31, lists taken with as-of). Positives are the structures whose first controlling
listing is dated after the cut-off, that had none in force on it and whose skeleton is not in
the index (a stereoisomer of a listed substance is an exact match, not an analogue).
Negatives are the curated look-alikes (licensed medicines, cutting agents, adulterants),
scored by similarity alone (the look-alike list itself is switched off), so the false-alarm
rate measures the thresholds, not the list. Undated listings count as in force always, so a
substance listed after the cut-off in an undated list (US, DE, NL mostly) falls in the index,
not among the positives.

The recall is also split by whether a positive's generic Murcko framework occurs among the
controlled structures: similarity can see a new substituent on a known framework far better
than a new scaffold (a diagnostic beside the target figure, not a replacement for it).

Calibration uses an earlier, disjoint split, so that the evaluation stays out of sample:
index on 2016-12-31, positives first listed 2017-01-01..2020-12-31. Per class, the threshold
is the highest one that keeps the class recall on these positives at or above the target, but
never above the threshold pooled over all classes (a class of a handful of positives would
otherwise set it at its weakest positive and miss the next, slightly more distant analogue);
then it is raised where a look-alike of the same class would otherwise be flagged. Classes
with fewer than MIN_CLASS_POSITIVES calibration positives use the pooled threshold.
`--calibrate` also prints the recall and false alarms of a leave-one-out run inside the
calibration split, the figure by which calibration choices are made (not the evaluation).
"""

from __future__ import annotations

import argparse
import csv
import statistics
import sys
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
from rdkit import Chem
from rdkit.Chem.Scaffolds import MurckoScaffold

from subsmatch.matchers.classes import drug_classes
from subsmatch.matchers.generic import RuleBook
from subsmatch.matchers.similarity import (
    THRESHOLDS_CSV,
    AnalogueIndex,
    classify,
    load_classes,
    load_lookalikes,
)
from subsmatch.reference import law
from subsmatch.reference.lists import CONTROLLING_KINDS, Reference, SubstanceRecord, load
from subsmatch.settings import DEFAULT_HOME
from subsmatch.substances.structures import keys_of

CUT = date(2020, 12, 31)
CALIBRATION_CUT = date(2016, 12, 31)
GRID = np.round(np.arange(0.30, 0.901, 0.01), 2)
TARGET_RECALL = 0.90
MIN_CLASS_POSITIVES = 3
SCORES = ("morgan2", "atompair", "mean")
CAP = 0.85  # above this nothing would be flagged that an exact match does not already catch


@dataclass(frozen=True)
class Scored:
    name: str
    structure_class: str
    best: dict[str, float]  # nearest-neighbour similarity per fingerprint and combined
    nearest: str


def controlled_on(reference: Reference, substance_id: str, as_of: date) -> bool:
    return any(
        e.kind in CONTROLLING_KINDS and e.in_force(as_of)
        for e in reference.listings.get(substance_id, ())
    )


def first_listed(reference: Reference, substance_id: str) -> str | None:
    dates = [
        e.since
        for e in reference.listings.get(substance_id, ())
        if e.kind in CONTROLLING_KINDS and e.since
    ]
    return min(dates, default=None)


def later_listed(
    reference: Reference, index: AnalogueIndex, cut: date, end: date | None
) -> list[SubstanceRecord]:
    """Structures first controlled after ``cut`` (up to ``end``), one per skeleton."""
    known = set(index.connectivity.tolist())
    found: dict[str, SubstanceRecord] = {}
    for record in reference.substances.values():
        if not record.smiles or record.connectivity in known | found.keys():
            continue
        first = first_listed(reference, record.substance_id)
        if (
            first
            and first > cut.isoformat()
            and (end is None or first <= end.isoformat())
            and not controlled_on(reference, record.substance_id, cut)
        ):
            found[record.connectivity] = record
    return sorted(found.values(), key=lambda r: r.name.lower())


def score(index: AnalogueIndex, name: str, smiles: str) -> Scored:
    keys = keys_of(smiles)
    mol = Chem.MolFromSmiles(keys.smiles)
    found = index.similarities(mol)
    per_fp = {**found.per_fingerprint, "mean": found.combined}
    same = index.connectivity == keys.connectivity
    best = {}
    for fp, values in per_fp.items():
        values = np.where(same, -1.0, values)
        best[fp] = float(values.max())
    nearest = index.members[int(np.argmax(np.where(same, -1.0, per_fp["mean"])))].name
    return Scored(name, classify(mol, index.classes).name, best, nearest)


def recall(scored: list[Scored], thresholds: dict[str, float], fp: str = "mean") -> float:
    if not scored:
        return float("nan")
    return sum(s.best[fp] >= thresholds[s.structure_class] for s in scored) / len(scored)


def grid_table(positives: list[Scored], negatives: list[Scored]) -> None:
    """Recall and false alarms with one threshold for every class, per fingerprint."""
    print(f"{'threshold':>9} " + " ".join(f"{fp + ' rec/FA':>17}" for fp in SCORES))
    for t in GRID[::5]:
        cells = []
        for fp in SCORES:
            r = sum(s.best[fp] >= t for s in positives) / len(positives)
            fa = sum(s.best[fp] >= t for s in negatives) / len(negatives)
            cells.append(f"{r:8.0%} /{fa:6.0%}")
        print(f"{t:9.2f} " + " ".join(f"{c:>17}" for c in cells))


def calibrate(
    positives: list[Scored], negatives: list[Scored], counts: dict[str, int] | None = None
) -> dict[str, float]:
    """Per class: the highest threshold keeping recall >= target (at most the pooled one),
    then lifted past the look-alikes of the class."""
    pooled = _highest_keeping_recall([s.best["mean"] for s in positives])
    by_class: dict[str, list[float]] = defaultdict(list)
    for s in positives:
        by_class[s.structure_class].append(s.best["mean"])
    chosen = {}
    for cls in (c.name for c in load_classes()):
        values = by_class.get(cls, [])
        own = _highest_keeping_recall(values) if len(values) >= MIN_CLASS_POSITIVES else pooled
        t = min(own, pooled)
        lookalikes = [s.best["mean"] for s in negatives if s.structure_class == cls]
        chosen[cls] = round(min(max([t, *(v + 0.01 for v in lookalikes)]), CAP), 2)
    return chosen


def leave_one_out_alarms(
    positives: list[Scored], negatives: list[Scored]
) -> list[tuple[Scored, float]]:
    """Look-alikes flagged when the thresholds are calibrated without them."""
    alarms = []
    for i, s in enumerate(negatives):
        thresholds = calibrate(positives, negatives[:i] + negatives[i + 1 :])
        if s.best["mean"] >= thresholds[s.structure_class]:
            alarms.append((s, thresholds[s.structure_class]))
    return alarms


def calibration_cross_check(positives: list[Scored], negatives: list[Scored]) -> tuple[int, int]:
    """Inside the calibration split: positives flagged, and look-alikes flagged, each scored with
    thresholds calibrated without it (the out-of-sample estimate calibration choices rest on)."""
    hits = 0
    for i, s in enumerate(positives):
        thresholds = calibrate(positives[:i] + positives[i + 1 :], negatives)
        hits += s.best["mean"] >= thresholds[s.structure_class]
    return hits, len(leave_one_out_alarms(positives, negatives))


def _highest_keeping_recall(values: list[float]) -> float:
    ok = [t for t in GRID if np.mean([v >= t for v in values]) >= TARGET_RECALL]
    return float(max(ok, default=GRID[0]))


def write_thresholds(chosen: dict[str, float], counts: dict[str, int], path: Path) -> None:
    classes = [c.name for c in drug_classes()]
    header = [
        "# Class-aware thresholds of the analogue flag: mean Tanimoto of Morgan-2 and atom-pair",
        "# count fingerprints to the nearest controlled structure. Written by",
        "# `benchmarks/analogues.py --calibrate`. Calibration split: index = lists in force on",
        f"# {CALIBRATION_CUT}; positives = structures first controlled after it, up to {CUT}.",
        f"# Per class the highest threshold keeping recall >= {TARGET_RECALL:.0%}, at most the one",
        f"# pooled over all classes (classes with fewer than {MIN_CLASS_POSITIVES} positives: the",
        "# pooled one), then raised just above",
        f"# every same-class look-alike of lookalikes.csv (capped at {CAP}).",
        "# The classes and their patterns are reference/curated/drug_classes.csv.",
    ]
    with path.open("w", newline="", encoding="utf-8") as handle:
        handle.write("\n".join(header) + "\n")
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["class", "threshold", "calibration_positives"])
        for cls in classes:
            writer.writerow([cls, f"{chosen[cls]:.2f}", counts.get(cls, 0)])


def warm_timing(index: AnalogueIndex, smiles: list[str]) -> tuple[list[float], list[float]]:
    """Milliseconds per new query: `assess` alone, and reading the 3 neighbours' differences."""
    assess, describe = [], []
    for smi in smiles:
        keys = keys_of(smi)
        start = time.perf_counter()
        finding = index.assess(keys)
        middle = time.perf_counter()
        for neighbour in finding.neighbours:
            _ = neighbour.difference
        assess.append((middle - start) * 1000)
        describe.append((time.perf_counter() - middle) * 1000)
    return sorted(assess), sorted(describe)


def _percentiles(times: list[float]) -> str:
    p95 = times[int(0.95 * (len(times) - 1))]
    return f"median {statistics.median(times):.1f} ms, p95 {p95:.1f} ms"


def rolling_recall(reference: Reference, records: list[SubstanceRecord]) -> tuple[int, int]:
    """Positives flagged by an index as it stood the day before each one was first listed."""
    by_date: dict[str, list[SubstanceRecord]] = defaultdict(list)
    for record in records:
        by_date[first_listed(reference, record.substance_id)].append(record)
    hits = 0
    for first, group in by_date.items():
        day_before = date.fromordinal(date.fromisoformat(first).toordinal() - 1)
        index = AnalogueIndex(reference, as_of=day_before, lookalikes=())
        hits += sum(index.assess(keys_of(r.smiles), k=1).is_analogue for r in group)
    return hits, len(records)


def generic_flags(
    records: list[SubstanceRecord], lookalikes, as_of: date | None
) -> tuple[set[str], list[str]]:
    """Positives covered by a generic rule in force on ``as_of``; look-alikes a rule covers."""
    book = RuleBook()
    covered = {
        r.substance_id
        for r in records
        if any(m.matched for m in book.evaluate(Chem.MolFromSmiles(r.smiles), None, as_of))
    }
    alarms = []
    for x in lookalikes:
        matched = [
            m
            for m in book.evaluate(Chem.MolFromSmiles(x.smiles), None, as_of)
            if m.matched
            and not (m.rule.law.exempts_medicines and x.category == "licensed medicine")
        ]
        if matched:
            alarms.append(f"{x.name} ({', '.join(m.rule.id for m in matched)})")
    return covered, alarms


def print_generic(
    records: list[SubstanceRecord], positives: list[Scored], thresholds, lookalikes
) -> None:
    """Recall of `generic`, and of `generic or analogue`, with rules as of the cut-off and now."""
    flagged_analogue = {
        r.substance_id
        for r, s in zip(records, positives, strict=True)
        if s.best["mean"] >= thresholds[s.structure_class]
    }
    for label, as_of in ((f"rules in force on {CUT}", CUT), ("rules in force today", None)):
        covered, alarms = generic_flags(records, lookalikes, as_of)
        either = covered | flagged_analogue
        print(
            f"generic ({label}): recall {len(covered)}/{len(records)} = "
            f"{len(covered) / len(records):.1%}; generic or analogue: {len(either)}/"
            f"{len(records)} = {len(either) / len(records):.1%}; look-alikes a rule covers: "
            f"{len(alarms)}/{len(lookalikes)}" + (f" ({'; '.join(alarms)})" if alarms else "")
        )


def print_home_scope(
    reference: Reference, index: AnalogueIndex, records: list[SubstanceRecord], lookalikes
) -> None:
    """The headline's analogue flag for the default home jurisdictions, as a verdict decides it:
    positives later controlled there, and look-alikes (list off), flagged when the nearest
    structure controlled there is at or above the threshold; beside it, what the NEIGHBOURS
    nearest anywhere alone decided (the rule before the nearest of each jurisdiction was kept)."""
    reach = law.load().reach(DEFAULT_HOME)
    home = [
        r
        for r in records
        if any(
            e.kind in CONTROLLING_KINDS and e.jurisdiction in reach
            for e in reference.listings.get(r.substance_id, ())
        )
    ]

    def flags(smiles: list[str]) -> tuple[int, int]:
        nearest_in_scope = three_nearest = 0
        for smi in smiles:
            finding = index.assess(keys_of(smi))
            nearest_in_scope += finding.analogue_in(reach)
            three_nearest += any(
                n.similarity >= finding.threshold and not reach.isdisjoint(n.jurisdictions)
                for n in finding.neighbours
            )
        return nearest_in_scope, three_nearest

    hits, before = flags([r.smiles for r in home])
    alarms, alarms_before = flags([x.smiles for x in lookalikes])
    print(
        f"home scope {', '.join(DEFAULT_HOME)} (headline analogue): recall {hits}/{len(home)} = "
        f"{hits / len(home):.1%} of positives later controlled there (three nearest anywhere: "
        f"{before}/{len(home)}); look-alikes flagged {alarms}/{len(lookalikes)} (three nearest: "
        f"{alarms_before}/{len(lookalikes)})"
    )


def framework(smiles: str) -> str:
    """The generic Murcko framework: ring systems and linkers, every atom carbon, bonds single."""
    core = MurckoScaffold.GetScaffoldForMol(Chem.MolFromSmiles(smiles))
    return Chem.MolToSmiles(MurckoScaffold.MakeScaffoldGeneric(core))


def print_by_framework(
    index: AnalogueIndex,
    records: list[SubstanceRecord],
    positives: list[Scored],
    thresholds: dict[str, float],
) -> None:
    """Recall split by whether a positive's framework was among the controlled ones: a new
    framework (a new scaffold) is what similarity to controlled structures can least see."""
    known = {framework(m.smiles) for m in index.members}
    for label, wanted in (("a framework controlled on the cut-off", True), ("a new one", False)):
        group = [
            s
            for r, s in zip(records, positives, strict=True)
            if (framework(r.smiles) in known) == wanted
        ]
        hits = sum(s.best["mean"] >= thresholds[s.structure_class] for s in group)
        share = f"{hits}/{len(group)} = {hits / len(group):.1%}"
        print(f"analogue recall among positives with {label}: {share}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--calibrate", action="store_true", help="rewrite the thresholds CSV")
    parser.add_argument("--verbose", action="store_true", help="list every positive")
    args = parser.parse_args(argv)
    reference = load()
    lookalikes = load_lookalikes()

    early = AnalogueIndex(reference, as_of=CALIBRATION_CUT, lookalikes=())
    calibration = later_listed(reference, early, CALIBRATION_CUT, CUT)
    cal_pos = [score(early, r.name, r.smiles) for r in calibration]
    cal_neg = [score(early, x.name, x.smiles) for x in lookalikes]
    print(
        f"calibration: index of {len(early)} structures on {CALIBRATION_CUT}, "
        f"{len(cal_pos)} positives first listed up to {CUT}"
    )
    if args.calibrate:
        counts: dict[str, int] = defaultdict(int)
        for s in cal_pos:
            counts[s.structure_class] += 1
        hits, alarms = calibration_cross_check(cal_pos, cal_neg)
        print(
            f"calibration leave-one-out: recall {hits}/{len(cal_pos)} = {hits / len(cal_pos):.1%}"
            f", false alarms {alarms}/{len(cal_neg)} = {alarms / len(cal_neg):.1%}"
        )
        write_thresholds(calibrate(cal_pos, cal_neg), counts, THRESHOLDS_CSV)
        load_classes.cache_clear()
        print(f"wrote {THRESHOLDS_CSV}")

    start = time.perf_counter()
    index = AnalogueIndex(reference, as_of=CUT, lookalikes=())
    build = time.perf_counter() - start
    records = later_listed(reference, index, CUT, None)
    positives = [score(index, r.name, r.smiles) for r in records]
    negatives = [score(index, x.name, x.smiles) for x in lookalikes]
    thresholds = {c.name: c.threshold for c in index.classes}

    print(
        f"evaluation: index of {len(index)} structures on {CUT} (built in {build:.2f} s); "
        f"{len(positives)} positives first controlled later; {len(negatives)} look-alikes "
        "scored with the look-alike list off\n"
    )
    print("one threshold for all classes (recall on positives / false alarms on look-alikes):")
    grid_table(positives, negatives)

    print("\nclass-aware thresholds (analogue_thresholds.csv), combined score:")
    print(
        f"{'class':>20} {'threshold':>9} {'positives':>9} {'recall':>7} "
        f"{'look-alikes':>11} {'flagged':>7}"
    )
    for cls, t in thresholds.items():
        pos = [s for s in positives if s.structure_class == cls]
        neg = [s for s in negatives if s.structure_class == cls]
        flagged = sum(s.best["mean"] >= t for s in neg)
        print(
            f"{cls:>20} {t:9.2f} {len(pos):9d} {recall(pos, thresholds):7.0%} "
            f"{len(neg):11d} {flagged:7d}"
        )

    hits = sum(s.best["mean"] >= thresholds[s.structure_class] for s in positives)
    alarms = leave_one_out_alarms(cal_pos, cal_neg)
    precision = hits / (hits + len(alarms)) if hits + len(alarms) else float("nan")
    print(
        f"\nrecall {hits}/{len(positives)} = {hits / len(positives):.1%} on structures first "
        f"controlled after {CUT}"
    )
    print(
        f"false alarms {len(alarms)}/{len(negatives)} = {len(alarms) / len(negatives):.1%} "
        "(each look-alike scored with thresholds calibrated without it): "
        + ", ".join(f"{s.name} {s.best['mean']:.2f} >= {t:.2f}" for s, t in alarms)
    )
    print(f"precision {precision:.1%} (flagged positives against flagged look-alikes)")
    shipped = AnalogueIndex(reference, as_of=CUT)
    final = sum(shipped.assess(keys_of(x.smiles)).is_analogue for x in lookalikes)
    print(f"look-alikes flagged with the curated list on: {final}/{len(lookalikes)}")
    print_generic(records, positives, thresholds, lookalikes)
    print_home_scope(reference, index, records, lookalikes)
    rolled, total = rolling_recall(reference, records)
    print(
        f"rolling recall (index as of the day before each first listing): "
        f"{rolled}/{total} = {rolled / total:.1%}"
    )
    print_by_framework(index, records, positives, thresholds)
    misses = [s for s in positives if s.best["mean"] < thresholds[s.structure_class]]
    print(
        f"missed ({len(misses)}): "
        + "; ".join(
            f"{s.name} [{s.structure_class}] {s.best['mean']:.2f} to {s.nearest}" for s in misses
        )
    )
    if args.verbose:
        for s in positives:
            print(f"  {s.best['mean']:.2f} {s.structure_class:>20} {s.name} <- {s.nearest}")

    current = AnalogueIndex(reference)
    queries = [r.smiles for r in records] + [x.smiles for x in lookalikes]
    assess, describe = warm_timing(current, queries)
    print(
        f"\nindex of today's lists: {len(current)} structures; per new query in a warm process: "
        f"assess {_percentiles(assess)}; differences to 3 neighbours {_percentiles(describe)}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
