"""Structures: parse SMILES, InChI and molfiles; standardise to the parent; compute keys.

The standardiser follows the ChEMBL structure pipeline: small Mol -> Mol steps composed
into one :func:`standardise`. Stereo and isotopes are kept (a deuterated internal standard has
its own InChIKey; :func:`unlabelled` gives the structure without its labels, which the matchers
judge it as); salts, solvents and charges are removed because the law covers the salts of a
listed substance.

>>> keys_of("COC(=O)C1C(OC(=O)c2ccccc2)CC2CCC1N2C.Cl").inchikey == keys_of(
...     "COC(=O)C1C(OC(=O)c2ccccc2)CC2CCC1N2C").inchikey
True
>>> mdma_d3 = keys_of("[2H]C([2H])([2H])NC(C)Cc1ccc2OCOc2c1")
>>> mdma_d3.labelled, mdma_d3.inchikey == keys_of("CNC(C)Cc1ccc2OCOc2c1").inchikey
(True, False)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache
from types import SimpleNamespace
from typing import TYPE_CHECKING

from rdkit import RDLogger

from subsmatch.errors import UserError
from subsmatch.lazy import lazy

if TYPE_CHECKING:
    from rdkit import Chem
    from rdkit.Chem import Descriptors, rdMolDescriptors
    from rdkit.Chem.MolStandardize import rdMolStandardize
else:  # imported when first used: a check of a known name makes no structure (subsmatch.lazy)
    Chem = lazy("rdkit.Chem")
    Descriptors = lazy("rdkit.Chem.Descriptors")
    rdMolDescriptors = lazy("rdkit.Chem.rdMolDescriptors")
    rdMolStandardize = lazy("rdkit.Chem.MolStandardize.rdMolStandardize")

RDLogger.DisableLog("rdApp.*")  # before RDKit reads anything (RDLogger alone loads no chemistry)


class StructureError(UserError, ValueError):
    """A structure text that RDKit cannot read; the message says what and how to fix it."""


@dataclass(frozen=True)
class StructureKeys:
    """Identity keys of a standardised parent structure."""

    smiles: str
    inchikey: str
    connectivity: str  # first InChIKey block: the skeleton, without stereo and isotopes layers
    formula: str
    mass: float
    labelled: bool  # isotope labels (deuterium ...): its own InChIKey, a form of the unlabelled

    @property
    def has_stereo(self) -> bool:
        """True when the parent has defined stereocentres or double-bond stereo."""
        return "@" in self.smiles or "/" in self.smiles or "\\" in self.smiles


_INCHI_PREFIX = "InChI="
_MOLBLOCK_END = re.compile(r"^M\s+END\s*$", re.MULTILINE)


def looks_like_molblock(text: str) -> bool:
    """A V2000/V3000 molfile or SD record."""
    return bool(_MOLBLOCK_END.search(text)) and "\n" in text


def parse(text: str) -> Chem.Mol:
    """Read SMILES, InChI or a molfile into an RDKit molecule.

    >>> parse("CC(=O)Oc1ccccc1C(=O)O").GetNumAtoms()
    13
    >>> parse("C1CC")
    Traceback (most recent call last):
    ...
    subsmatch.substances.structures.StructureError: cannot read SMILES 'C1CC': unclosed ring ...
    """
    text = text.strip()
    if text.startswith(_INCHI_PREFIX):
        mol = Chem.MolFromInchi(text, sanitize=True, removeHs=True)
        kind = "InChI"
    elif looks_like_molblock(text):
        mol = Chem.MolFromMolBlock(text, sanitize=True, removeHs=True)
        kind = "molfile"
    else:
        mol = Chem.MolFromSmiles(text)
        kind = "SMILES"
    if mol is None or mol.GetNumAtoms() == 0:
        raise StructureError(f"cannot read {kind} {_shorten(text)!r}: {_diagnose(text, kind)}")
    return mol


def _shorten(text: str, width: int = 60) -> str:
    return text if len(text) <= width else text[: width - 3] + "..."


def _diagnose(text: str, kind: str) -> str:
    """A human hint on why a structure did not parse (RDKit logs are silenced)."""
    if kind != "SMILES":
        return f"the {kind} is malformed; check it was copied whole"
    if text.count("(") != text.count(")"):
        return "unbalanced parentheses; check the branches"
    if text.count("[") != text.count("]"):
        return "unbalanced square brackets; check the bracket atoms"
    ring_digits = re.sub(r"\[[^\]]*\]", "", text)
    if any(ring_digits.count(d) % 2 for d in "123456789"):
        return "unclosed ring bond; every ring digit must appear twice"
    return "invalid atom, valence or aromaticity; check it with a structure editor"


@cache
def _standardisers() -> SimpleNamespace:
    """The RDKit standardisers, made when a structure is first standardised."""
    cleanup = rdMolStandardize.CleanupParameters()
    cleanup.preferOrganic = True
    return SimpleNamespace(
        normalizer=rdMolStandardize.NormalizerFromParams(cleanup),
        fragment_chooser=rdMolStandardize.LargestFragmentChooser(cleanup),
        uncharger=rdMolStandardize.Uncharger(canonicalOrder=True),
        metal_disconnector=rdMolStandardize.MetalDisconnector(),
    )


def disconnect_metals(mol: Chem.Mol) -> Chem.Mol:
    """Break bonds to metals so that sodium or potassium salts fall apart."""
    return _standardisers().metal_disconnector.Disconnect(mol)


def normalise_groups(mol: Chem.Mol) -> Chem.Mol:
    """Rewrite functional groups to one form (nitro, N-oxides, sulfoxides ...)."""
    return _standardisers().normalizer.normalize(mol)


def keep_parent_fragment(mol: Chem.Mol) -> Chem.Mol:
    """Keep the largest organic fragment: strips counter-ions, salts and solvents.

    >>> Chem.MolToSmiles(keep_parent_fragment(Chem.MolFromSmiles("CNC(C)Cc1ccccc1.Cl")))
    'CNC(C)Cc1ccccc1'
    """
    return _standardisers().fragment_chooser.choose(mol)


def neutralise(mol: Chem.Mol) -> Chem.Mol:
    """Neutralise charges where a neutral form exists (protonated amines, carboxylates).

    >>> Chem.MolToSmiles(neutralise(Chem.MolFromSmiles("C[NH2+]C(C)Cc1ccccc1")))
    'CNC(C)Cc1ccccc1'
    """
    return _standardisers().uncharger.uncharge(mol)


def assign_stereo(mol: Chem.Mol) -> Chem.Mol:
    """Recompute CIP-relevant stereo flags after the edits, keeping what was specified."""
    mol = Chem.Mol(mol)
    Chem.AssignStereochemistry(mol, cleanIt=True, force=True)
    return mol


STANDARDISATION_STEPS = (
    disconnect_metals,
    normalise_groups,
    keep_parent_fragment,
    neutralise,
    assign_stereo,
)


def standardise(mol: Chem.Mol) -> Chem.Mol:
    """Run every standardisation step in order and return the parent molecule."""
    for step in STANDARDISATION_STEPS:
        mol = step(mol)
    return mol


def keys(mol: Chem.Mol) -> StructureKeys:
    """Keys of an already standardised molecule."""
    inchikey = Chem.MolToInchiKey(mol)
    if not inchikey:
        raise StructureError("no InChIKey could be computed for this structure")
    return StructureKeys(
        smiles=Chem.MolToSmiles(mol),
        inchikey=inchikey,
        connectivity=inchikey.split("-", 1)[0],
        formula=rdMolDescriptors.CalcMolFormula(mol),
        mass=round(Descriptors.ExactMolWt(mol), 4),
        labelled=any(atom.GetIsotope() for atom in mol.GetAtoms()),
    )


@lru_cache(maxsize=65536)
def keys_of(text: str) -> StructureKeys:
    """Parse, standardise and key a structure text; cached per distinct text."""
    return keys(standardise(parse(text)))


def unlabelled(keys: StructureKeys) -> StructureKeys:
    """The keys of the structure without its isotope labels (the keys themselves when it has
    none), as the unlabelled structure given as text would be keyed: stereo kept.

    >>> d3 = keys_of("[2H]C([2H])([2H])N[C@@H](C)Cc1ccc2OCOc2c1")
    >>> unlabelled(d3) == keys_of("CN[C@@H](C)Cc1ccc2OCOc2c1")
    True
    """
    if not keys.labelled:
        return keys
    mol = parse(keys.smiles)
    for atom in mol.GetAtoms():
        atom.SetIsotope(0)
    return keys_of(Chem.MolToSmiles(Chem.RemoveHs(mol)))


def isotope_labels(keys: StructureKeys) -> str:
    """The isotope labels of a structure in words ("" for none), as :mod:`labels` names them.

    >>> isotope_labels(keys_of("[2H]C([2H])([2H])NC(C)Cc1ccc2OCOc2c1"))
    'H-2 (3 atoms)'
    >>> isotope_labels(keys_of("[13CH3]N[11CH](C)C"))
    'C-11 (1 atom), C-13 (1 atom)'
    """
    if not keys.labelled:
        return ""
    counts: dict[str, int] = {}
    for atom in parse(keys.smiles).GetAtoms():
        if mass := atom.GetIsotope():
            label = f"{atom.GetSymbol()}-{mass}"
            counts[label] = counts.get(label, 0) + 1
    return ", ".join(
        f"{label} ({n} atom{'s' if n > 1 else ''})" for label, n in sorted(counts.items())
    )


def without_stereo(smiles: str) -> str:
    """The same structure with every stereo mark removed (a racemate drawn flat).

    >>> without_stereo("C[C@H](N)Cc1ccccc1")
    'CC(N)Cc1ccccc1'
    """
    mol = parse(smiles)
    Chem.RemoveStereochemistry(mol)
    return Chem.MolToSmiles(mol)
