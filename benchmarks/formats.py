"""Benchmark report files of every shipped format, generated reproducibly from one name mix.

    .venv/bin/python benchmarks/formats.py --rows 200000 --out /tmp/bench   # writes all formats

Each file holds about ``rows`` rows (a NIST hit line, a ChemStation hit line, a CSV/TSV/XLSX row,
a JSON Lines finding). Its names follow what a lab's exports hold:

- substances drawn Zipf-like (s = 1) over names of the reference's DEA and Belgian list rows
  (the sources of the shared DEA and Belgian lists); with the rest below, distinct names are
  about 12% of the rows at 100,000 rows, 10% at 200,000, 8% at 1,000,000;
- 10% unknown library compounds ("Unknown compound NPS-4471"), most seen once or twice;
- 5% misspelt (one letter changed), each misspelling its own text;
- 5% systematic names as spectral libraries print them (the reference's systematic names), which
  go to OPSIN;
- the formula and the CAS number where the reference knows them (NIST prints both).

The same seed gives the same files. ``benchmarks/ingest_formats.py`` ingests them and
``benchmarks/diy.py`` runs the hand-written alternative on the NIST file.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pyarrow.parquet as pq
from openpyxl import Workbook

from subsmatch.reference.lists import load

LIST_SOURCES = ("dea_orange_book", "belgium_legal_gui")


@dataclass(frozen=True)
class Hit:
    """One reported name with what a library prints beside it."""

    name: str
    formula: str
    cas: str  # "" when unknown


class NameMix:
    """Draws report names: Zipf over list names, unknowns, misspellings, systematic names."""

    def __init__(self, seed: int, substances: int = 6000) -> None:
        self.rng = random.Random(seed)
        reference = load()
        facts = {
            sid: (s.formula or "", s.cas.split(";")[0] if s.cas else "")
            for sid, s in reference.substances.items()
        }
        listed = {}
        systematic = []
        for row in _names_table(reference):
            if len(row["name"]) > 60 or row["substance_id"] not in facts:
                continue
            formula, cas = facts[row["substance_id"]]
            hit = Hit(row["name"], formula, cas)
            if row["kind"].startswith("systematic"):
                systematic.append(hit)
            elif row["source"] in LIST_SOURCES:
                listed[row["name"]] = hit
        names = sorted(listed.values(), key=lambda h: h.name)
        self.rng.shuffle(names)
        self.names = names[:substances]
        self.weights = [1 / (rank + 1) for rank in range(len(self.names))]
        self.systematic = sorted(systematic, key=lambda h: h.name)

    def draw(self, count: int) -> list[Hit]:
        drawn = self.rng.choices(self.names, self.weights, k=count)
        out = []
        for hit in drawn:
            roll = self.rng.random()
            if roll < 0.10:
                number = self.rng.randrange(count // 10 + 1)
                hit = Hit(f"Unknown compound NPS-{number}", "C14H19NO3", "")
            elif roll < 0.15 and len(hit.name) > 3:
                pos = self.rng.randrange(1, len(hit.name))
                hit = Hit(hit.name[:pos] + self.rng.choice("aeiou") + hit.name[pos + 1 :], "", "")
            elif roll < 0.20 and self.systematic:
                hit = self.rng.choice(self.systematic)
            out.append(hit)
        return out


def _names_table(reference) -> list[dict]:
    return pq.read_table(reference.data_dir / "names.parquet").to_pylist()


def _groups(hits: list[Hit], size: int) -> list[list[Hit]]:
    return [hits[i : i + size] for i in range(0, len(hits), size)]


def write_nist(path: Path, hits: list[Hit]) -> None:
    """NIST MS Search SRCRESLT.TXT: an Unknown line, then three Hit lines (cp437)."""
    with path.open("w", encoding="cp437", errors="replace", newline="\r\n") as out:
        for n, group in enumerate(_groups(hits, 3)):
            case, peak = divmod(n, 6)
            out.write(
                f"Unknown: 24-{case:05d}_{peak + 1:02d} RT {6 + peak * 0.7:.2f} min"
                f"{' ' * 30}Compound in Library Factor = {n % 400 - 200}\n"
            )
            for rank, hit in enumerate(group, start=1):
                out.write(
                    f"Hit {rank}  : <<{hit.name}>>;<<{hit.formula or 'C10H15N'}>>; "
                    f"MF: {900 - rank * 40}; RMF: {920 - rank * 30}; Prob: {80 / rank:.2f}; "
                    f"CAS:{hit.cas or '0-00-0'}; Mw: 200; Lib: <<mainlib>>; Id: {n * 3 + rank}.\n"
                )


def write_chemstation(path: Path, hits: list[Hit]) -> None:
    """Agilent ChemStation LIBRPT.TXT: a header per sample, peaks with two hits each."""
    with path.open("w", encoding="cp1252", errors="replace", newline="\r\n") as out:
        for sample, block in enumerate(_groups(hits, 20)):
            out.write(
                "\n                          Library Search Report\n\n"
                "  Data Path : C:\\msdchem\\1\\data\\2024\\CASES\\\n"
                f"  Data File : 24-{sample:05d}_01.D\n"
                "  Acq On    : 14 Mar 2024  10:22\n"
                "  Operator  : JdV\n"
                f"  Sample    : 24-{sample:05d} item 1 powder\n"
                "  Misc      : MeOH extract\n"
                "  ALS Vial  : 12   Sample Multiplier: 1\n\n"
                "  Search Libraries:   C:\\Database\\SWGDRUG 3.13.L   Minimum Quality:  80\n\n"
                "  Unknown Spectrum:   Apex\n"
                "  Integration Events: ChemStation Integrator - autoint1.e\n\n"
                "Pk#     RT  Area%          Library/ID                  Ref#    CAS#  Qual\n"
                + "_" * 77
                + "\n"
            )
            for peak, pair in enumerate(_groups(block, 2), start=1):
                out.write(
                    f"{peak:3d}  {5 + peak * 0.31:7.3f} {4.5:5.2f} C:\\Database\\SWGDRUG 3.13.L\n"
                )
                for rank, hit in enumerate(pair):
                    cas = _padded_cas(hit.cas)
                    out.write(
                        f"                 {hit.name:<38} {1000 + peak:5d} {cas} {95 - rank}\n"
                    )
                out.write("\n")
            out.write("\nLIBSRCH.M Thu Mar 14 10:47:05 2024\n\f")


def _padded_cas(cas: str) -> str:
    if not cas:
        return "000000-00-0"
    head, mid, tail = cas.split("-")
    return f"{head:0>6}-{mid}-{tail}"


LIMS_HEADER = [
    "Lab Case Number",
    "Agency Case Number",
    "Submitting Agency",
    "Laboratory",
    "Country",
    "Item Number",
    "Item Description",
    "Submission Date",
    "Analysis Date",
    "Analyst",
    "Method",
    "Result",
    "Substance Identified",
    "CAS Number",
    "Quantity",
    "Unit",
    "Purity (%)",
]


def write_lims_csv(path: Path, hits: list[Hit]) -> None:
    """The shipped LIMS case-extract profile: one identified substance per row."""
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(LIMS_HEADER)
        for i, hit in enumerate(hits):
            writer.writerow(
                [
                    f"24-{i // 4:06d}",
                    f"AG-{i // 40:05d}",
                    "Customs hub",
                    "Lab North",
                    "NL",
                    str(i % 4 + 1),
                    "white powder",
                    "11/03/2024",
                    "14/03/2024",
                    "J. Doe",
                    "GC-MS",
                    "Identified",
                    hit.name,
                    hit.cas,
                    "1.20",
                    "g",
                    "50",
                ]
            )


AMDIS_HEADER = (
    "FileName\tCAS\tName\tRT\tRI\tRI-RI(lib)\tNet\tWeighted\tSimple\tReverse\tCorrections\t(m/z)\t"
    "S/N (total)\tUncertain ions\tArea\tIntensity\tBase Peak\tMax. Amount\tAmount\tScan\tWidth\t"
    "Purity\tModel\tFrac. Good\tExpec. RT\tRT-RT(lib)"
)


def write_amdis_tsv(path: Path, hits: list[Hit]) -> None:
    """The shipped AMDIS batch-report profile (tab-separated)."""
    with path.open("w", encoding="utf-8", newline="\r\n") as out:
        out.write(AMDIS_HEADER + "\n")
        for i, hit in enumerate(hits):
            out.write(
                f"C:\\GCMSDATA\\2024\\24-{i // 12:05d}_01.D\\DATA.MS\t{hit.cas}\t{hit.name}\t"
                f"{6 + (i % 12) * 0.4:.4f}\t1842\t3\t93\t91\t89\t95\t\t\t1250\t\t1532004\t127667\t"
                "194\t\t\t1284\t14\t92\t194\t0.98\t\t\n"
            )


FTIR_HEADER = [
    "Sample ID",
    "Case",
    "Item",
    "Measured",
    "Analyst",
    "Manufacturer",
    "Instrument",
    "Serial No.",
    "Library",
    "Library Version",
    "Rank",
    "Compound",
    "Correlation",
]


def write_ftir_xlsx(path: Path, hits: list[Hit]) -> None:
    """The shipped FTIR hit-list profile: sheet 'Hit List', three ranked hits per sample."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Hit List")
    sheet.append(FTIR_HEADER)
    for i, hit in enumerate(hits):
        sample = i // 3
        sheet.append(
            [
                f"S-{sample:06d}",
                f"DOU-24-{sample // 5:05d}",
                str(sample % 5 + 1),
                "2024-03-14 09:30",
                "insp. Peeters",
                "Agilent",
                "4500a",
                "SN-1",
                "Drugs & Precursors",
                "2.1",
                i % 3 + 1,
                hit.name,
                round(0.98 - (i % 3) * 0.07, 2),
            ]
        )
    book.save(path)


def write_jsonl(path: Path, hits: list[Hit]) -> None:
    """JSON Lines of the normalised schema: one analysis per line with two findings."""
    with path.open("w", encoding="utf-8") as out:
        for n, pair in enumerate(_groups(hits, 2)):
            analysis = {
                "context": "field_screening",
                "technique": "Raman",
                "country": "BE",
                "case_id": f"DOU-BE-24-{n // 4:05d}",
                "item_id": str(n % 4 + 1),
                "label": f"RS-{n:07d}",
                "measured_at": "2024-04-08T09:12:00+02:00",
                "verdict": "positive",
                "findings": [
                    {"name": h.name, "rank": r, "role": "hit_candidate", **_cas(h)}
                    for r, h in enumerate(pair, start=1)
                ],
            }
            out.write(json.dumps(analysis, ensure_ascii=False) + "\n")


def _cas(hit: Hit) -> dict:
    return {"cas": hit.cas} if hit.cas else {}


WRITERS: dict[str, tuple[str, Callable[[Path, list[Hit]], None], list[str]]] = {
    # format: (file name, writer, ingest options)
    "nist": ("SRCRESLT.TXT", write_nist, []),
    "chemstation": ("LIBRPT.TXT", write_chemstation, []),
    "csv": ("lims_export.csv", write_lims_csv, []),
    "tsv": ("amdis_batch.txt", write_amdis_tsv, []),
    "xlsx": ("ftir_hitlist.xlsx", write_ftir_xlsx, []),
    "jsonl": ("raman_results.jsonl", write_jsonl, []),
}


def write_all(out: Path, rows: int, seed: int, formats: list[str] | None = None) -> dict[str, Path]:
    """Every format's file for ``rows`` rows into ``out``; the same seed gives the same files."""
    out.mkdir(parents=True, exist_ok=True)
    written = {}
    for fmt in formats or list(WRITERS):
        name, writer, _options = WRITERS[fmt]
        path = out / name
        writer(path, NameMix(seed).draw(rows))
        written[fmt] = path
    return written


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--format", action="append", choices=list(WRITERS), dest="formats")
    args = parser.parse_args()
    for fmt, path in write_all(args.out, args.rows, args.seed, args.formats).items():
        print(f"{fmt}: {path} ({path.stat().st_size / 2**20:.1f} MiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
