"""Small reference data sets written as real Parquet tables, for the law tests.

A test states the substances (name and SMILES), the listings and the lists it needs; this module
writes them in the shipped tables' shape and loads them with :class:`Reference`, so the law is
tested on data it can see whole, whatever the shipped reference holds.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from subsmatch.matchers.checker import Checker
from subsmatch.matchers.generic import RuleBook, load_laws
from subsmatch.reference.lists import (
    ListEntry,
    ListInfo,
    Reference,
    StereoExclusion,
    SubstanceRecord,
)
from subsmatch.substances.structures import keys_of

# structures the tests name
SMILES = {
    "heroin": "CC(=O)O[C@H]1C=C[C@H]2[C@H]3CC4=C5C(=C(OC(C)=O)C=C4)O[C@@H]1[C@]52CCN3C",
    "3-MMC": "CNC(C)C(=O)c1cccc(C)c1",
    "caffeine": "Cn1c(=O)c2c(ncn2C)n(C)c1=O",
    "ephedrine": "CN[C@@H](C)[C@H](O)c1ccccc1",
    "acetone": "CC(C)=O",
    "P2P": "CC(=O)Cc1ccccc1",
    "isotonitazene": "CCN(CC)CCn1c(Cc2ccc(OC(C)C)cc2)nc2cc([N+](=O)[O-])ccc21",
    "3-MeO-PCP": "COc1cccc(C2(N3CCCCC3)CCCCC2)c1",
    "5F-MDMB-PICA": "COC(=O)C(NC(=O)c1cn(CCCCCF)c2ccccc12)C(C)(C)C",
    "HHC": "CCCCCc1cc(O)c2c(c1)OC(C)(C)C1CCC(C)CC21",
    "pregabalin": "CC(C)C[C@H](CN)CC(=O)O",
    "ketamine": "CNC1(CCCCC1=O)c1ccccc1Cl",
    # a cyclohexylphenol and four made-up neighbours: three chain homologues, the phenol moved
    "CP-C7-C6": "CCCCCCC(C)(CCCCCC)c1ccc(C2CCCC(O)C2)c(O)c1",
    "CP-C7-C5": "CCCCCCC(C)(CCCCC)c1ccc(C2CCCC(O)C2)c(O)c1",
    "CP-C7-C7": "CCCCCCC(C)(CCCCCCC)c1ccc(C2CCCC(O)C2)c(O)c1",
    "CP-C7-C4": "CCCCCCC(C)(CCCC)c1ccc(C2CCCC(O)C2)c(O)c1",
    "CP-C7-C6 meta-phenol": "CCCCCCC(C)(CCCCCC)c1ccc(C2CCCC(O)C2)cc1O",
}

MATERIALS = {"kratom leaf": "plant"}  # entries without a structure that name no single one


def substance(name: str) -> dict:
    """A substances row: the structure of SMILES[name], or a name without a known structure."""
    if name not in SMILES:
        material = MATERIALS.get(name, "")
        return {"substance_id": name, "name": name, "cas": "", "structure_source": ""} | {
            "material": material
        }
    keys = keys_of(SMILES[name])
    return {
        "substance_id": name,
        "name": name,
        "smiles": keys.smiles,
        "inchikey": keys.inchikey,
        "connectivity": keys.connectivity,
        "formula": keys.formula,
        "mass": keys.mass,
        "labelled": keys.labelled,
        "has_stereo": keys.has_stereo,
        "cas": "",
        "structure_source": "test",
    }


def listing(name: str, code: str, list_: str, kind: str, **facts) -> dict:
    """A listings row; ``facts`` sets since, since_precision, evidence, until, category, act ..."""
    return {
        "substance_id": name,
        "jurisdiction": code,
        "list": list_,
        "kind": kind,
        "since": None,
        "since_precision": "day",
        "until": None,
        "act": "",
        "name_in_list": name,
        "source": "test",
        "source_row": 1,
    } | facts


def a_list(code: str, list_: str, kind: str, complete_to: str | None, coverage: str = "complete"):
    return {
        "jurisdiction": code,
        "list": list_,
        "kind": kind,
        "entries": 1,
        "complete_to": complete_to,
        "note": "test",
        "coverage": coverage if complete_to else "partial",
    }


# the lists of a small world: every jurisdiction complete to a date (NL, as in the data, to 2015)
LISTS = [
    a_list("UN", "1961 Schedule I", "narcotic", "2025-08-29"),
    a_list("UN", "1971 Schedule II", "psychotropic", "2025-08-29"),
    a_list("UN", "1988 Table I", "precursor", "2025-08-29"),
    a_list("EU", "EU NPS control", "NPS", "2025-08-29"),
    a_list("EU", "EU precursor Category 1", "precursor", "2025-08-29"),
    a_list("BE", "BE Annex Ia", "narcotic", "2025-08-29"),
    a_list("NL", "Opiumwet List I", "narcotic", "2015-10-02"),
    a_list("LU", "RGD 20.03.1974 psychotropes", "psychotropic", "2026-07-13"),
    a_list("DE", "BtMG Anlage I", "narcotic", "2026-07-05"),
    a_list("US", "CSA Schedule I", "narcotic", "2026-01-20"),
    a_list("CN", "CN Psychotropic Substances Class II (2013)", "psychotropic", "2025-07-01"),
]


def _table(rows: list[dict], cls: type) -> pa.Table:
    """Rows in the column order of the dataclass the reference reads them into."""
    names = [f.name for f in dataclasses.fields(cls)]
    defaults = {
        f.name: f.default for f in dataclasses.fields(cls) if f.default is not dataclasses.MISSING
    }
    full = [{n: row.get(n, defaults.get(n)) for n in names} for row in rows]
    if not full:
        return pa.table({n: pa.array([], pa.string()) for n in names})
    return pa.Table.from_pylist(full)


def write(folder: Path, substances: list[str], listings: list[dict], lists=LISTS) -> Reference:
    """Write a reference of these substances, listings and lists into ``folder``; load it."""
    folder.mkdir(parents=True, exist_ok=True)
    pq.write_table(
        _table([substance(n) for n in substances], SubstanceRecord), folder / "substances.parquet"
    )
    pq.write_table(_table(listings, ListEntry), folder / "listings.parquet")
    pq.write_table(_table(list(lists), ListInfo), folder / "lists.parquet")
    names = [
        {"substance_id": n, "name": n, "key": "", "kind": "name", "source": "test"}
        | {"source_row": 1, "region": "", "language": ""}
        for n in substances
    ]
    pq.write_table(pa.Table.from_pylist(names), folder / "names.parquet")
    pq.write_table(_table([], StereoExclusion), folder / "exclusions.parquet")
    (folder / "VERSION.json").write_text(json.dumps({"data_version": "test"}))
    return Reference(folder)


RULES = RuleBook(load_laws())


def checker(
    folder: Path, substances: list[str], listings: list[dict], lists=LISTS, **kw
) -> Checker:
    """A checker over a reference written for the test (OPSIN off, every rule file searched)."""
    return Checker(write(folder, substances, listings, lists), use_opsin=False, rules=RULES, **kw)
