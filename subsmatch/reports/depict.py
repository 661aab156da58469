"""Depictions: a structure, or a query beside its nearest controlled neighbour with the common
substructure highlighted (SVG, self-contained)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from rdkit import Chem
from rdkit.Chem import rdFMCS
from rdkit.Chem.Draw import rdMolDraw2D

HIGHLIGHT = (0.55, 0.78, 1.0)
MCS_TIMEOUT = 1  # seconds


def _font_with_greek() -> str | None:
    """DejaVu Sans, shipped with matplotlib (found without importing it): RDKit's own font has
    no Greek letters, and α-PHP was drawn as "-PHP"."""
    spec = importlib.util.find_spec("matplotlib")
    for folder in spec.submodule_search_locations or () if spec else ():
        font = Path(folder) / "mpl-data" / "fonts" / "ttf" / "DejaVuSans.ttf"
        if font.is_file():
            return str(font)
    return None


LEGEND_FONT = _font_with_greek()


def common_atoms(first: Chem.Mol, second: Chem.Mol) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Atoms of the maximum common substructure in each molecule (rings match rings only)."""
    result = rdFMCS.FindMCS(
        [first, second], timeout=MCS_TIMEOUT, ringMatchesRingOnly=True, completeRingsOnly=True
    )
    if not result.numAtoms:
        return (), ()
    query = Chem.MolFromSmarts(result.smartsString)
    return first.GetSubstructMatch(query), second.GetSubstructMatch(query)


def svg(
    smiles_list: list[str],
    legends: list[str],
    highlights: list[tuple[int, ...]] | None = None,
    size: tuple[int, int] = (320, 240),
) -> str:
    """A grid of structures side by side; unreadable SMILES are drawn empty."""
    mols = [Chem.MolFromSmiles(s) or Chem.Mol() for s in smiles_list]
    drawer = rdMolDraw2D.MolDraw2DSVG(size[0] * len(mols), size[1], size[0], size[1])
    options = drawer.drawOptions()
    options.legendFontSize = 16
    if LEGEND_FONT:
        options.fontFile = LEGEND_FONT
    atoms = highlights or [()] * len(mols)
    drawer.DrawMolecules(
        mols,
        legends=legends,
        highlightAtoms=[list(a) for a in atoms],
        highlightAtomColors=[{i: HIGHLIGHT for i in a} for a in atoms],
    )
    drawer.FinishDrawing()
    text = drawer.GetDrawingText()
    return text[text.index("<svg") :]  # drop the XML declaration: the SVG is embedded in HTML


def pair_svg(
    query_smiles: str, neighbour_smiles: str, query_legend: str, neighbour_legend: str
) -> str:
    """The query beside its neighbour, their common substructure highlighted in both."""
    query, neighbour = Chem.MolFromSmiles(query_smiles), Chem.MolFromSmiles(neighbour_smiles)
    atoms = common_atoms(query, neighbour) if query and neighbour else ((), ())
    return svg([query_smiles, neighbour_smiles], [query_legend, neighbour_legend], list(atoms))
