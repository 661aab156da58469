"""Coarse drug classes from substructure patterns, for trends and class-aware thresholds.

The patterns live in ``reference/curated/drug_classes.csv``; the first that matches wins, so
the file orders specific classes (fentanyls) before the general ones they contain
(phenethylamines).

>>> drug_class("CNC(C)C(=O)c1ccc(Cl)cc1"), drug_class("CCC(=O)N(c1ccccc1)C1CCN(CCc2ccccc2)CC1")
('cathinone', 'fentanyl-type opioid')
>>> drug_class("CN(C)CCc1c[nH]c2ccccc12"), drug_class(None), drug_class("CCO")
('tryptamine', 'unknown', 'other')
"""

from __future__ import annotations

import csv
from functools import cache, lru_cache
from pathlib import Path

from rdkit import Chem

CLASSES_FILE = Path(__file__).resolve().parents[1] / "reference" / "curated" / "drug_classes.csv"


@cache
def class_patterns() -> tuple[tuple[str, Chem.Mol], ...]:
    with CLASSES_FILE.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    patterns = []
    for row in rows:
        query = Chem.MolFromSmarts(row["smarts"])
        if query is None:
            raise ValueError(f"{CLASSES_FILE.name}: cannot read SMARTS of {row['class']!r}")
        patterns.append((row["class"], query))
    return tuple(patterns)


@lru_cache(maxsize=65536)
def drug_class(smiles: str | None) -> str:
    """The first class whose pattern the structure holds; 'other', or 'unknown' without one."""
    if not smiles:
        return "unknown"
    mol = Chem.MolFromSmiles(smiles)
    if mol is None:
        return "unknown"
    return next((name for name, query in class_patterns() if mol.HasSubstructMatch(query)),
                "other")
