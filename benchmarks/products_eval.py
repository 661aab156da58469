"""Products, mixtures and plant material: the names users type, each with its expected answer
and the source line behind it.

    .venv/bin/python benchmarks/products_eval.py [--show]

Each case is a query (with the region a user of it would ask from), what a customs officer or a
forensic chemist should get, and where the sources say so:

- ``product``: a product whose contents vary ('Spice', 'tusi'): right when the answer is
  ``unresolved``, its error says it names a product and a note lists the typical contents
  (and each content of ``contents`` is shown controlled in the jurisdiction a list row says);
  wrong when it is answered as one substance (a single structure's verdict).
- ``entry``: listed plant material or a street name of one substance: right when it resolves to
  the entry (its name contains the expected text) and each expected jurisdiction says
  ``controlled``; wrong when it resolves to anything else.
- ``unresolved``: what no source names, or a street name the region leaves open: right when
  unresolved; wrong when answered as a substance.

A miss that is ``unresolved`` is honest (counted apart from wrong); a street row held out of
the reference for the name evaluation (``compile/holdout.py``) is marked "held out": the
reference never saw it, so a miss there is by design. The source column points to
the source file and line (``street_names.csv`` lines are found by name and label, so they stay
right when the file is reordered) or to the list rows behind the expectation.
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from subsmatch.compile.holdout import STREET_NAMES, is_held_out, street_key  # noqa: E402
from subsmatch.matchers.checker import Checker  # noqa: E402

SHARED = next(
    (p for p in (ROOT.parent / "shared", ROOT.parent.parent / "shared") if p.is_dir()),
    ROOT.parent / "shared",
)
STREET_CSV = Path("sources") / "names_street_and_precursor" / "street_names.csv"
PINK = "mixture sold as 'pink cocaine'"
SCRA = "synthetic cannabinoid receptor agonists (product class)"
CATH = "synthetic cathinones"
NL_LIST = "netherlands_opiumwet/opiumwet_lijst_I_II_2015-10-02.csv"
DOPE = "dea_dope/dope_dea_street_names.csv"
BE_LIST = "belgium_legal_gui/belgium_un_eu_controlled_substances_clean.csv"
DOD = "dod_prohibited/dod_prohibited_names_synonyms_dea.csv"
LU_LIST = "luxembourg_legilux/luxembourg_current_lists.csv"
DEA_ALPHA = "dea_dope/dea_controlled_substances_alpha_c_cs_alpha.csv"
UN_1961 = "UN 1961 Schedule I 'Cannabis and Cannabis Resin and Extracts and Tinctures of Cannabis'"


@dataclass(frozen=True)
class Case:
    query: str
    expect: str  # product | entry | unresolved
    entry: str = ""  # entry: text the resolved name contains ("|": any of them)
    controlled: tuple[str, ...] = ()  # entry: jurisdictions that must say controlled
    region: str = "Europe"
    street: tuple[str, str] = ("", "")  # (name, label prefix) of the street_names.csv row
    source: str = ""  # else: where the expectation rests
    # product: (content, jurisdiction) pairs the note must show controlled, each from a list row
    contents: tuple[tuple[str, str], ...] = ()


CASES = (
    Case("Spice", "product", street=("spice", SCRA)),
    Case("K2", "product", street=("K2", SCRA)),
    Case("black mamba", "product", street=("black mamba", SCRA)),
    Case("tusi", "product", street=("tusi", PINK)),
    Case("pink cocaine", "product", street=("pink cocaine", PINK)),
    Case("roze cocaïne", "product", street=("roze cocaïne", PINK)),
    Case("cocaïne rose", "product", region="FR", street=("cocaïne rose", PINK)),
    Case("bath salts", "product", street=("bath salts", CATH)),
    Case("research chemical", "product", street=("research chemical", CATH)),
    Case("Lean", "product", region="US", street=("Lean", "promethazine + codeine")),
    Case("Percs", "product", region="US", street=("Percs", "oxycodone + paracetamol")),
    Case("plant food", "unresolved", street=("plant food", CATH),
         source="note: mephedrone (UK) vs synthetic cathinones (EU): contested in Europe"),
    Case("Kush", "unresolved", region="US", street=("Kush", "cannabis"),
         source="note: cannabis (US) vs synthetic cannabinoids (US): contested in the US"),
    Case("paddos", "entry", "mushroom", ("NL",), source=f"{NL_LIST}: List II 'Paddo's A'"),
    Case("paddo's", "entry", "mushroom", ("NL",), source=f"{NL_LIST}: List II 'Paddo's A'"),
    Case("psilocybin mushrooms", "entry", "mushroom", ("NL", "BE"),
         source=f"{NL_LIST}: List II; belgium_legal_gui Annex IVb 'All parts of fungi'"),
    Case("Shrooms", "entry", "mushroom", ("NL", "BE"), region="US",
         street=("Shrooms", "psilocybin mushrooms")),
    Case("hashish", "entry", "cannabis", ("UN", "NL"), street=("hasj", "cannabis resin"),
         source="label 'cannabis resin (hashish)'; UN 1961 I 'Cannabis and cannabis resin'"),
    Case("hasj", "entry", "cannabis", ("UN", "NL"), street=("hasj", "cannabis resin")),
    Case("hasjiesj", "entry", "cannabis", ("NL",), source=f"{NL_LIST}: List II 'hasjiesj'"),
    Case("cannabis resin", "entry", "cannabis", ("UN", "NL"),
         source="UN 1961 Schedule I; Opiumwet List II 'hasjiesj'"),
    Case("wiet", "entry", "cannabis", ("UN", "NL", "BE"), street=("wiet", "cannabis")),
    Case("khat", "entry", "khat", ("NL", "BE"), source=f"{NL_LIST}: List II 'Qat'; BE IVb 'KHAT'"),
    Case("qat", "entry", "khat", ("NL", "BE"), source=f"{NL_LIST}: List II 'Qat'"),
    Case("coca leaf", "entry", "coca", ("UN", "NL", "BE"),
         source="UN 1961 Schedule I 'COCAE FOLIUM'; Opiumwet List I 'cocablad'"),
    Case("cocablad", "entry", "coca", ("UN", "NL"), source=f"{NL_LIST}: List I 'cocablad'"),
    Case("opium", "entry", "opium", ("UN", "NL", "BE"), source="UN 1961 Schedule I 'OPIUM'"),
    Case("poppy straw", "entry", "poppy straw", ("BE",), source="BE Annex IVb 'POPPY STRAW'"),
    Case("bolkaf", "entry", "poppy straw|bolkaf", ("NL",), source=f"{NL_LIST}: List I 'bolkaf'"),
    Case("salvia", "entry", "salvia", ("BE",), source="BE Annex IVb 'SALVIA DIVINORUM'"),
    Case("kratom", "entry", "kratom", ("BE", "LU"),
         source="BE Annex IVb 'KRATOM'; LU psychotropes"),
    Case("Molly", "entry", "MDMA", ("NL",), street=("molly", "MDMA")),
    Case("ecstasy", "entry", "MDMA", ("NL",),
         source="street_names.csv 'XTC': ecstasy tablets (MDMA)"),
    Case("crack", "entry", "cocaine", ("NL",), street=("crack", "cocaine (base/crack form)")),
    Case("Tylenol with codeine", "entry", "codeine", ("US",), region="US",
         source="dea_orange_book: 'Empirin,Fiorinal,Tylenol,ASA or APAP w/codeine' (CSA III)"),
    Case("ayahuasca", "unresolved", source="no source names it (its DMT is listed, not the brew)"),
    # round street11: products and plant entries the street tables and lists name
    Case("Wax", "product", region="US", contents=(("THC", "US"), ("cannabis oil", "NL"),
         ("cannabis", "UN")),
         source=f"{DOPE}:1249 'Marijuana Concentrates','Wax'; {NL_LIST}: List I 'hennepolie'; "
                f"{UN_1961}; {DEA_ALPHA}:490 'Tetrahydrocannabinols' (I)"),
    Case("BHO", "product", region="US", contents=(("cannabis oil", "NL"),),
         source=f"{DOPE}:1239 'Marijuana Concentrates','BHO'; {NL_LIST}: List I 'hennepolie'"),
    Case("Dabs", "product", region="US", source=f"{DOPE}:1243 'Marijuana Concentrates','Dabs'"),
    Case("benzo fury", "product", street=("benzo fury", "6-APB (product name"),
         contents=(("6-APB", "BE"),), source=f"{BE_LIST}:101 '6-APB' (Annex IVb)"),
    Case("Catha edulis", "entry", "khat", ("NL", "BE"),
         source=f"{DOD}:156 'Catha edulis' (khat); {NL_LIST}: List II 'Qat' (Catha Edulis "
                f"Forsk); {BE_LIST}:365 'KHAT (QAT)'"),
    Case("Abyssinian tea", "entry", "khat", ("NL", "BE"),
         source=f"{DOD}:156 'Catha edulis': 'Abyssinian tea'; {BE_LIST}:365 'KHAT (QAT)'"),
    Case("Salvia divinorum", "entry", "salvia", ("BE", "DE"),
         source=f"{BE_LIST}:538 'SALVIA DIVINORUM'; germany_btmg_npsg: Anlage I 'Salvia "
                "divinorum (Pflanzen und Pflanzenteile)'"),
    Case("Mitragyna speciosa", "entry", "kratom", ("BE", "LU"),
         source=f"{BE_LIST}:366 'KRATOM'; {LU_LIST}:46 'Mytragyna Speciosa, Kratom'"),
    Case("peyote", "entry", "peyote", ("BE", "US"),
         source=f"{BE_LIST}:498 'PEYOTE (PEYOTL)'; {DEA_ALPHA}:436 'Peyote' (I)"),
    Case("Shatter", "unresolved", region="US",
         source=f"{DOPE}:1248 'Marijuana Concentrates' and :1375 'Methamphetamine': contested"),
    Case("Honey Oil", "unresolved", region="US",
         source=f"{DOPE}:1246 'Marijuana Concentrates' and :791 'Ketamine': contested"),
    Case("yaba", "unresolved", street=("yaba", "amphetamine tablets per Unity"),
         source="note: amphetamine tablets (Unity, NL) vs methamphetamine (FR, SE): contested"),
    Case("magic truffles", "unresolved",
         source=f"no source names it ({NL_LIST}: List II 'Paddo's A' names mushroom species)"),
)  # fmt: skip


def street_lines(shared: Path) -> dict[tuple[str, str], int]:
    """(name casefolded, label) -> the line of street_names.csv (header = line 1)."""
    if not (shared / STREET_CSV).is_file():
        return {}
    with (shared / STREET_CSV).open(encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        return {(row["name"].casefold(), row["substance"]): reader.line_num for row in reader}


def source_of(case: Case, lines: dict[tuple[str, str], int]) -> str:
    name, label = case.street
    found = [
        f"street_names.csv:{line} ({n}: {lab[:40]}"
        + (", held out)" if is_held_out(STREET_NAMES, street_key(n, lab)) else ")")
        for (n, lab), line in lines.items()
        if name and n.casefold() == name.casefold() and lab.startswith(label)
    ]
    return "; ".join([*found[:2], case.source] if case.source else found[:2]) or "(not found)"


def controlled_in(note: str, content: str, code: str) -> bool:
    """Whether a product's note shows ``content`` controlled in ``code`` ("THC (...):
    controlled (US, NL), unknown (LU); ...")."""
    for part in note.partition(": ")[2].split("; "):
        if part.startswith((f"{content} (", f"{content}:")):
            groups = dict(re.findall(r"(\w+) \(([A-Z]{2}(?:, [A-Z]{2})*)\)", part))
            return code in groups.get("controlled", "").split(", ")
    return False


def judge(case: Case, verdict: dict) -> str:
    """right | wrong | miss (an honest unresolved)."""
    resolved = verdict["resolved"]
    error = verdict["error"] or ""
    if case.expect == "product":
        if resolved:
            return "wrong"
        named = "names a product" in error
        notes = [n for n in verdict["notes"] if n.startswith("typical contents")]
        shown = all(controlled_in(notes[0], *pair) for pair in case.contents) if notes else False
        return "right" if named and notes and shown else "miss"
    if case.expect == "unresolved":
        return "wrong" if resolved else "right"
    if not resolved:
        return "miss"
    if not any(e.casefold() in resolved["name"].casefold() for e in case.entry.split("|")):
        return "wrong"
    codes = {j["code"]: j["status"] for j in verdict["jurisdictions"]}
    return "right" if all(codes.get(c) == "controlled" for c in case.controlled) else "miss"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--show", action="store_true", help="every case with its answer")
    parser.add_argument("--shared", type=Path, default=SHARED, help="the folder holding sources/")
    args = parser.parse_args()
    lines = street_lines(args.shared)
    start, cpu = time.perf_counter(), time.process_time()
    checkers: dict[str, Checker] = {}
    results = []
    for case in CASES:
        checker = checkers.setdefault(case.region, Checker(region=case.region))
        (verdict,) = checker.check_json([case.query])
        results.append((case, verdict, judge(case, verdict)))
    by_kind: dict[str, dict[str, int]] = {}
    for case, _verdict, outcome in results:
        counts = by_kind.setdefault(case.expect, {"right": 0, "miss": 0, "wrong": 0})
        counts[outcome] += 1
    print(f"{'set':<11} {'cases':>5} {'right':>6} {'miss (unresolved)':>18} {'wrong':>6}")
    for kind, counts in sorted(by_kind.items()):
        total = sum(counts.values())
        print(
            f"{kind:<11} {total:>5} {counts['right']:>6} {counts['miss']:>18} {counts['wrong']:>6}"
        )
    total = len(results)
    right = sum(1 for *_, o in results if o == "right")
    wrong = sum(1 for *_, o in results if o == "wrong")
    print(f"{'all':<11} {total:>5} {right:>6} {total - right - wrong:>18} {wrong:>6}")
    print(
        f"({time.perf_counter() - start:.1f} s wall, {time.process_time() - cpu:.1f} s CPU; "
        f"data {next(iter(checkers.values())).reference.version})"
    )
    for case, verdict, outcome in results:
        if args.show or outcome != "right":
            resolved = verdict["resolved"]
            got = resolved["name"] if resolved else (verdict["error"] or "")[:90]
            print(
                f"  {outcome:<5} {case.query!r} ({case.region}, expect {case.expect}"
                f"{' ' + case.entry if case.entry else ''}): {verdict['status']} {got!r}"
                f"  [source: {source_of(case, lines)}]"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
