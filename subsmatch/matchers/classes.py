"""Coarse drug classes from substructure patterns, for trends and class-aware thresholds.

The patterns live in ``reference/curated/drug_classes.csv`` (lines starting with '#' are
comments); the first class that matches wins, so the file orders specific classes (fentanyl)
before the general ones they contain (phenethylamine). The last class, 'other', has no pattern.

>>> drug_class("CNC(C)C(=O)c1ccc(Cl)cc1"), drug_class("CCC(=O)N(c1ccccc1)C1CCN(CCc2ccccc2)CC1")
('cathinone', 'fentanyl')
>>> drug_class("CN(C)CCc1c[nH]c2ccccc12"), drug_class(None), drug_class("CCO")
('tryptamine', 'unknown', 'other')

What a seizure holds beside the drug is named as a chemist would, not "other" or, for
levamisole, "phenethylamine" (cocaine, caffeine, levamisole, lidocaine, paracetamol):

>>> [drug_class(s) for s in ("COC(=O)C1C(OC(=O)c2ccccc2)CC2CCC1N2C",
...     "Cn1c(=O)c2c(ncn2C)n(C)c1=O", "C1CSC2=NC(CN21)c1ccccc1",
...     "CCN(CC)CC(=O)Nc1c(C)cccc1C", "CC(=O)Nc1ccc(O)cc1")]
['tropane', 'xanthine', 'imidazothiazole', 'local anaesthetic', 'anilide analgesic']
>>> [drug_class(s) for s in ("CCC1(CC)C(=O)NC(=O)NC1=O", "CC12CCC3C(CCC4=CC(=O)CCC34C)C1CCC2O",
...     "O=C1CCCO1", "CCC(=O)C(CC(C)N(C)C)(c1ccccc1)c1ccccc1", "COc1cccc(c1)C1(O)CCCCC1CN(C)C",
...     "CN(C)C1CCCCC1N(C)C(=O)c1ccc(Cl)c(Cl)c1")]
['barbiturate', 'steroid', 'GHB', 'opioid', 'opioid', 'opioid']
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from subsmatch.lazy import lazy

if TYPE_CHECKING:
    from rdkit import Chem
else:
    Chem = lazy("rdkit.Chem")  # imported when first used (see subsmatch.lazy)

CURATED = Path(__file__).resolve().parents[1] / "reference" / "curated"
CLASSES_FILE = CURATED / "drug_classes.csv"
FALLBACK = "other"


@dataclass(frozen=True)
class DrugClass:
    name: str
    patterns: tuple[Chem.Mol, ...]  # any may match; empty: the catch-all class

    def matches(self, mol: Chem.Mol) -> bool:
        return not self.patterns or any(mol.HasSubstructMatch(p) for p in self.patterns)


def read_curated(path: Path) -> list[dict[str, str]]:
    """Rows of a curated CSV; lines starting with '#' are comments."""
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(line for line in handle if not line.startswith("#")))


def _patterns(name: str, smarts: str) -> tuple[Chem.Mol, ...]:
    patterns = tuple(Chem.MolFromSmarts(s) for s in smarts.split())
    if any(p is None for p in patterns):
        raise ValueError(f"{CLASSES_FILE.name}: unreadable SMARTS in class {name!r}")
    return patterns


@cache
def drug_classes() -> tuple[DrugClass, ...]:
    """The classes in priority order."""
    return tuple(
        DrugClass(row["class"], _patterns(row["class"], row["smarts"]))
        for row in read_curated(CLASSES_FILE)
    )


def classify(mol: Chem.Mol) -> str:
    """The first class whose patterns the molecule holds."""
    return next((c.name for c in drug_classes() if c.matches(mol)), FALLBACK)


@lru_cache(maxsize=65536)
def drug_class(smiles: str | None) -> str:
    """The class of a structure; 'unknown' without one."""
    mol = Chem.MolFromSmiles(smiles) if smiles else None
    return classify(mol) if mol is not None else "unknown"
