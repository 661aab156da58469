"""Substructure and similarity search over structures, in process (RDKit).

The same searches run inside PostgreSQL when the RDKit cartridge is installed
(:mod:`subsmatch.store.search`); both give the same answers: Morgan radius-2 bit vectors of
2048 bits and Tanimoto similarity.

>>> sorted(substructure_hits({1: "CNC(C)Cc1ccccc1", 2: "CCO"}, "c1ccccc1CC(C)N"))
[1]
>>> similar_hits({1: "CNC(C)Cc1ccccc1", 2: "CCO"}, "CNC(C)Cc1ccccc1", 0.9)
{1: 1.0}
"""

from __future__ import annotations

from collections.abc import Mapping

from rdkit import Chem, DataStructs
from rdkit.Chem import rdFingerprintGenerator

from subsmatch.errors import UserError

FP_RADIUS = 2
FP_BITS = 2048
_MORGAN = rdFingerprintGenerator.GetMorganGenerator(radius=FP_RADIUS, fpSize=FP_BITS)


class SearchError(UserError, ValueError):
    """A search pattern or structure that cannot be read."""


def query_pattern(smarts: str) -> Chem.Mol:
    pattern = Chem.MolFromSmarts(smarts)
    if pattern is None:
        raise SearchError(f"cannot read SMARTS {smarts!r}; check brackets and atom syntax")
    return pattern


def query_molecule(smiles: str) -> Chem.Mol:
    mol = Chem.MolFromSmiles(smiles)
    if mol is None:
        raise SearchError(f"cannot read SMILES {smiles!r}")
    return mol


def substructure_hits(structures: Mapping[int, str], smarts: str) -> set[int]:
    """Ids whose structure holds the SMARTS pattern."""
    pattern = query_pattern(smarts)
    hits = set()
    for key, smiles in structures.items():
        mol = Chem.MolFromSmiles(smiles)
        if mol is not None and mol.HasSubstructMatch(pattern):
            hits.add(key)
    return hits


def similar_hits(structures: Mapping[int, str], smiles: str, minimum: float) -> dict[int, float]:
    """Ids whose Tanimoto similarity to the query is at least ``minimum``, with it."""
    query = _MORGAN.GetFingerprint(query_molecule(smiles))
    keys, fps = [], []
    for key, text in structures.items():
        mol = Chem.MolFromSmiles(text)
        if mol is not None:
            keys.append(key)
            fps.append(_MORGAN.GetFingerprint(mol))
    scores = DataStructs.BulkTanimotoSimilarity(query, fps) if fps else []
    return {k: round(s, 4) for k, s in zip(keys, scores, strict=True) if s >= minimum}
