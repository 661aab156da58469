"""The hand-written alternative a lab data scientist would write instead of subsmatch.

    .venv/bin/python benchmarks/diy.py SRCRESLT.TXT OUT.sqlite [--shared ../shared]

Written honestly and well, as the ingest-speed issue asks: a regular expression parses the NIST
MS Search hit lines; a synonym dictionary is built from the same public lists subsmatch reads
(the DEA's alphabetical list with its other names, the Belgian annexes with their IUPAC names),
keyed by the lower-cased name; each distinct name is looked up exactly first, and only names that
miss go to ``rapidfuzz.process.extractOne`` (WRatio, cutoff 90) over the dictionary's keys, cached
per distinct name; the hits with the matched substance and its schedule go to SQLite with pandas
``to_sql``. No structures, no rules, no analogues, no evidence, no rejections: what the script
does not do is what subsmatch adds. ``benchmarks/ingest_formats.py --diy`` runs both on the same
file in the same run.
"""

from __future__ import annotations

import argparse
import csv
import re
import sqlite3
import sys
import time
from pathlib import Path

import pandas as pd
from rapidfuzz import fuzz, process

HIT = re.compile(
    r"^Hit\s+(?P<rank>\d+)\s*:\s*<<(?P<name>.*?)>>;\s*<<(?P<formula>.*?)>>;"
    r".*?CAS:(?P<cas>[\d-]+)",
    re.M,
)
UNKNOWN = re.compile(r"^Unknown:\s*(?P<label>.*?)\s{2,}", re.M)


def synonyms(shared: Path) -> dict[str, tuple[str, str]]:
    """lower-cased name -> (substance, schedule or list) from the DEA and Belgian lists."""
    table: dict[str, tuple[str, str]] = {}
    dea = shared / "sources/dea_dope/dea_controlled_substances_alpha_c_cs_alpha.csv"
    with dea.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            entry = (row["substance"], f"US CSA {row['csa_schedule']}")
            for name in [row["substance"], *row["other_names"].split(";")]:
                if name.strip():
                    table.setdefault(name.strip().lower(), entry)
    belgium = shared / "sources/belgium_legal_gui/belgium_un_eu_controlled_substances_clean.csv"
    with belgium.open(encoding="utf-8-sig") as handle:
        for row in csv.DictReader(handle):
            entry = (row["NAME"], row["Belgian annex"] or row["UNO"])
            for name in (row["NAME"], row["IUPAC"]):
                if name.strip():
                    table.setdefault(name.strip().lower(), entry)
    return table


def parse(path: Path) -> pd.DataFrame:
    """One row per hit line, with the unknown (peak) it belongs to."""
    text = path.read_text(encoding="cp437")
    rows, label = [], None
    for line in text.splitlines():
        if line.startswith("Unknown:"):
            found = UNKNOWN.match(line + "  ")
            label = found["label"] if found else line[8:].strip()
        elif match := HIT.match(line):
            rows.append((label, int(match["rank"]), match["name"], match["formula"], match["cas"]))
    return pd.DataFrame(rows, columns=["unknown", "rank", "name", "formula", "cas"])


def match_names(names: pd.Series, table: dict[str, tuple[str, str]]) -> pd.DataFrame:
    """Exact lookup first, then extractOne (WRatio >= 90) on the misses, once per distinct name."""
    keys = list(table)
    matched: dict[str, tuple[str | None, str | None, float]] = {}
    for name in names.unique():
        key = name.strip().lower()
        if key in table:
            matched[name] = (*table[key], 100.0)
            continue
        best = process.extractOne(key, keys, scorer=fuzz.WRatio, score_cutoff=90)
        matched[name] = (*table[best[0]], best[1]) if best else (None, None, 0.0)
    frame = pd.DataFrame.from_dict(matched, orient="index", columns=["substance", "list", "score"])
    return frame.loc[names].reset_index(drop=True)


def run(source: Path, database: Path, shared: Path) -> int:
    hits = parse(source)
    hits = pd.concat([hits, match_names(hits["name"], synonyms(shared))], axis=1)
    with sqlite3.connect(database) as connection:
        hits.to_sql("hits", connection, index=False, if_exists="replace")
    return len(hits)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path)
    parser.add_argument("database", type=Path)
    # ../shared beside the checkout (/work/main) or beside the worktrees' folder (/work/wt/x)
    beside = [parent / "shared" for parent in Path(__file__).resolve().parents[2:4]]
    shared = next((folder for folder in beside if folder.is_dir()), beside[0])
    parser.add_argument("--shared", type=Path, default=shared)
    args = parser.parse_args()
    start = time.perf_counter()
    rows = run(args.source, args.database, args.shared)
    print(f"{rows} hits in {time.perf_counter() - start:.2f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
