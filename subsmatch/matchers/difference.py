"""Say in words how a structure differs from its nearest controlled neighbour.

The maximum common substructure (rdFMCS: rings match rings only, whole rings, 20 ms) is the shared
core; the atoms outside it are grouped into substituents, named (methyl, methoxy, Cl ...) and
placed on ring positions numbered from the side chain, as chemists number cathinones and
amfetamines. Each sentence reads from the neighbour to the query.

>>> from rdkit import Chem
>>> def diff(query, neighbour):
...     return describe_difference(Chem.MolFromSmiles(query), Chem.MolFromSmiles(neighbour))
>>> diff("CNC(C)C(=O)c1cccc(Cl)c1", "CNC(C)C(=O)c1ccc(Cl)cc1")  # 3-CMC against 4-CMC
'Cl moved from position 4 to 3'
>>> diff("CCNC(C)C(=O)c1ccccc1", "CNC(C)C(=O)c1ccccc1")  # ethcathinone against methcathinone
'N-methyl replaced by N-ethyl'
>>> diff("CCCCC(C(=O)c1ccccc1)N1CCCC1", "CCCC(C(=O)c1ccccc1)N1CCCC1")  # alpha-PHP against alpha-PVP
'butyl chain instead of propyl'
>>> diff("CNC(C)C(=O)c1ccc(F)cc1", "CNC(C)C(=O)c1ccc(Cl)cc1")  # 4-FMC against 4-CMC
'F instead of Cl at position 4'
>>> diff("COc1ccc(CC(C)NC)cc1", "CNC(C)Cc1ccccc1")  # PMMA against methamfetamine
'adds a methoxy group at position 4'
>>> diff("CN(C)C(C)C(=O)c1ccc(Cl)cc1", "CNC(C)C(=O)c1ccc(Cl)cc1")
'adds an N-methyl group'
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from rdkit import Chem
from rdkit.Chem import rdFMCS

MCS_BUDGET_STEPS = 600
"""Progress steps of one MCS search (about 20 ms; most pairs need far fewer). A count, not a
clock, so that a pair gets the same answer however loaded the machine is; a search cut short
keeps its best."""
HALOGENS = frozenset({"F", "Cl", "Br", "I"})

_GROUPS = {
    "methyl": "*C",
    "ethyl": "*CC",
    "propyl": "*CCC",
    "isopropyl": "*C(C)C",
    "butyl": "*CCCC",
    "sec-butyl": "*C(C)CC",
    "isobutyl": "*CC(C)C",
    "tert-butyl": "*C(C)(C)C",
    "pentyl": "*CCCCC",
    "hexyl": "*CCCCCC",
    "heptyl": "*CCCCCCC",
    "octyl": "*CCCCCCCC",
    "cyclopropyl": "*C1CC1",
    "cyclohexyl": "*C1CCCCC1",
    "allyl": "*CC=C",
    "benzyl": "*Cc1ccccc1",
    "phenyl": "*c1ccccc1",
    "hydroxy": "*O",
    "methoxy": "*OC",
    "ethoxy": "*OCC",
    "propoxy": "*OCCC",
    "isopropoxy": "*OC(C)C",
    "amino": "*N",
    "methylamino": "*NC",
    "dimethylamino": "*N(C)C",
    "nitro": "*[N+](=O)[O-]",
    "cyano": "*C#N",
    "trifluoromethyl": "*C(F)(F)F",
    "methylthio": "*SC",
    "acetyl": "*C(C)=O",
    "oxo": "*=O",
    "fluoroethyl": "*CCF",
    "fluoropentyl": "*CCCCCF",
    "pyridin-2-yl": "*c1ccccn1",
    "pyridin-3-yl": "*c1cccnc1",
    "thiophen-2-yl": "*c1cccs1",
    "pyrrolidin-1-yl": "*N1CCCC1",
    "piperidin-1-yl": "*N1CCCCC1",
    "morpholin-4-yl": "*N1CCOCC1",
    "diethylamino": "*N(CC)CC",
    "methylenedioxy": "*OCO*",
    "dihydrofuran": "*CCO*",
    "ethylenedioxy": "*OCCO*",
    "F": "*F",
    "Cl": "*Cl",
    "Br": "*Br",
    "I": "*I",
}
_ALKOXY = {"methyl": "methoxy", "ethyl": "ethoxy", "propyl": "propoxy", "isopropyl": "isopropoxy"}
_ACYL = {
    "methyl": "acetyl",
    "ethyl": "propionyl",
    "propyl": "butyryl",
    "isopropyl": "isobutyryl",
    "butyl": "valeryl",
}
GROUP_NAMES = {Chem.MolToSmiles(Chem.MolFromSmiles(smi)): name for name, smi in _GROUPS.items()}


@dataclass(frozen=True)
class Substituent:
    """Atoms outside the common core, attached to it at ``anchors``."""

    atoms: frozenset[int]
    anchors: tuple[int, ...]  # core atoms bonded to the substituent
    name: str  # "methoxy", "Cl", or the formula when there is no common name
    positions: tuple[int, ...]  # ring locants counted from the side chain, on a simple ring
    on: str  # element of the (first) anchor atom: "N" for N-alkyl groups

    def label(self) -> str:
        """'Cl' for halogens, 'a methoxy group' for named groups, else the formula."""
        if self.name in HALOGENS:
            return self.name
        if self.name in GROUP_NAMES.values():
            return f"{_article(self.name)} {self.name} group"
        return f"a {self.name} fragment"

    def where(self) -> str:
        if len(self.positions) != len(self.anchors):
            return ""
        plural = "s" if len(self.positions) > 1 else ""
        return f" at position{plural} {','.join(map(str, self.positions))}"


def describe_difference(query: Chem.Mol, neighbour: Chem.Mol) -> str:
    """One line saying what turns ``neighbour`` into ``query`` (see the module examples)."""
    mcs = rdFMCS.FindMCS([query, neighbour], _mcs_parameters(MCS_BUDGET_STEPS))
    if not mcs.numAtoms:
        return "no common core"
    core = Chem.MolFromSmarts(mcs.smartsString)
    q_match = query.GetSubstructMatch(core)
    n_match = neighbour.GetSubstructMatch(core)
    if not q_match or not n_match:
        return f"differs outside a common core of {mcs.numAtoms} atoms"
    to_neighbour = _whole_rings(query, neighbour, dict(zip(q_match, n_match, strict=True)))
    if not to_neighbour:
        return "no common core"
    q_match, n_match = tuple(to_neighbour), tuple(to_neighbour.values())
    phrases = _chain_change(query, neighbour, set(q_match), set(n_match), to_neighbour)
    if phrases is None:
        phrases = _substituent_changes(
            substituents(query, set(q_match)),
            substituents(neighbour, set(n_match)),
            _same_place(neighbour, to_neighbour),
        )
    if phrases is None:
        return _fallback(query, neighbour, set(q_match), set(n_match), mcs.numAtoms)
    return "; ".join(phrases) if phrases else "same atoms; bonds or stereo differ"


class _StepBudget(rdFMCS.MCSProgress):
    """Stops the MCS search after a number of progress steps."""

    def __init__(self, steps: int) -> None:
        super().__init__()
        self.left = steps

    def __call__(self, stat: rdFMCS.MCSProgressData, params: rdFMCS.MCSParameters) -> bool:
        self.left -= 1
        return self.left > 0


def _mcs_parameters(steps: int) -> rdFMCS.MCSParameters:
    """Elements and bond orders compared; rings match rings only, and only whole rings."""
    params = rdFMCS.MCSParameters()
    for compare in (params.AtomCompareParameters, params.BondCompareParameters):
        compare.RingMatchesRingOnly = True
        compare.CompleteRingsOnly = True
    params.Timeout = 2  # a backstop only: the step budget ends a search long before
    params.ProgressCallback = _StepBudget(steps)
    return params


def _whole_rings(query: Chem.Mol, neighbour: Chem.Mol, pairs: dict[int, int]) -> dict[int, int]:
    """Drop matched ring atoms whose ring is only partly matched (rdFMCS keeps a lone ipso)."""

    def partial(mol: Chem.Mol, atom: int, matched: set[int]) -> bool:
        rings = [r for r in mol.GetRingInfo().AtomRings() if atom in r]
        return bool(rings) and all(not set(r) <= matched for r in rings)

    q_matched, n_matched = set(pairs), set(pairs.values())
    return {
        q: n
        for q, n in pairs.items()
        if not partial(query, q, q_matched) and not partial(neighbour, n, n_matched)
    }


def substituents(mol: Chem.Mol, core: set[int]) -> list[Substituent]:
    """The connected groups of atoms outside ``core``, named and placed."""
    found = []
    for atoms in _components(mol, set(range(mol.GetNumAtoms())) - core):
        anchors = tuple(
            sorted({n.GetIdx() for a in atoms for n in mol.GetAtomWithIdx(a).GetNeighbors()} & core)
        )
        name = _group_name(mol, atoms, anchors) if anchors else None
        positions = tuple(sorted(p for a in anchors if (p := ring_position(mol, a, core))))
        on = mol.GetAtomWithIdx(anchors[0]).GetSymbol() if anchors else ""
        found.append(
            Substituent(frozenset(atoms), anchors, name or _formula(mol, atoms), positions, on)
        )
    return found


def ring_position(mol: Chem.Mol, atom: int, core: set[int]) -> int | None:
    """Locant of ``atom`` on its (unfused) ring, 1 being where the side chain is attached.

    The side chain is the largest branch leaving the ring; the direction of numbering gives the
    lowest locants to the substituted ring atoms.

    >>> mol = Chem.MolFromSmiles("CNC(C)C(=O)c1cccc(Cl)c1")
    >>> ring_position(mol, 10, set(range(13)) - {11})  # the ring carbon carrying Cl
    3
    """
    core_rings = [r for r in mol.GetRingInfo().AtomRings() if set(r) <= core]
    rings = [r for r in core_rings if atom in r and len(r) in (5, 6)]
    if len(rings) != 1 or any(a in r for a in rings[0] for r in core_rings if r != rings[0]):
        return None
    ring = rings[0]
    branches = {a: _branch_size(mol, a, set(ring)) for a in ring}
    ipso = max(ring, key=lambda a: (branches[a], a in core))
    if not branches[ipso] or ipso == atom:
        return None
    start = ring.index(ipso)
    orders = [ring[start:] + ring[:start], (ring[start::-1] + ring[:start:-1])]
    substituted = [a for a in ring if branches[a] and a != ipso]

    def locants(order: tuple[int, ...]) -> list[int]:
        return sorted(order.index(a) + 1 for a in substituted)

    best = min(orders, key=locants)
    return best.index(atom) + 1


def _branch_size(mol: Chem.Mol, atom: int, ring: set[int]) -> int:
    """Heavy atoms reachable from a ring atom without passing through the ring."""
    seen = set(ring)
    stack = [n.GetIdx() for n in mol.GetAtomWithIdx(atom).GetNeighbors() if n.GetIdx() not in ring]
    while stack:
        a = stack.pop()
        if a not in seen:
            seen.add(a)
            stack.extend(n.GetIdx() for n in mol.GetAtomWithIdx(a).GetNeighbors())
    return len(seen) - len(ring)


def _chain_change(
    query: Chem.Mol,
    neighbour: Chem.Mol,
    q_core: set[int],
    n_core: set[int],
    to_neighbour: dict[int, int],
) -> list[str] | None:
    """'N-methyl replaced by N-ethyl', 'butyl chain instead of propyl', or None.

    Applies when the only difference is a longer or more branched alkyl group: the MCS maps the
    smaller group onto part of the larger, so the extra carbons hang off core chain atoms.
    """
    q_extra, n_extra = substituents(query, q_core), substituents(neighbour, n_core)
    if not q_extra and not n_extra:
        return None
    if not q_extra:  # the neighbour has the larger group: read it the other way round
        flipped = _chain_change(neighbour, query, n_core, q_core, _invert(to_neighbour))
        return flipped and [_swap(flipped[0])]
    if n_extra or not all(len(x.anchors) == 1 and _is_alkyl(query, x.atoms) for x in q_extra):
        return None
    extra_atoms = set().union(*(x.atoms for x in q_extra))
    climbs = {_climb(query, x.anchors[0], extra_atoms) for x in q_extra}
    if len({anchor for _, anchor in climbs}) != 1:
        return None
    anchor = next(iter(climbs))[1]
    group = set().union(*(c for c, _ in climbs))
    if anchor is None or anchor not in to_neighbour or not group - extra_atoms:
        return None
    kept = {to_neighbour[a] for a in group if a in to_neighbour}
    larger = _group_name(query, group, [anchor])
    smaller = _group_name(neighbour, kept, [to_neighbour[anchor]])
    if not larger or not smaller:
        return None
    anchor_atom = query.GetAtomWithIdx(anchor)
    if anchor_atom.GetSymbol() == "N":
        return [f"N-{smaller} replaced by N-{larger}"]
    if anchor_atom.GetSymbol() == "O" and anchor_atom.GetDegree() == 2:
        return [f"{_ALKOXY.get(larger, larger + 'oxy')} instead of {_ALKOXY.get(smaller, smaller)}"]
    if _is_carbonyl(anchor_atom):
        return [f"{_ACYL.get(larger, larger)} instead of {_ACYL.get(smaller, smaller)}"]
    return [f"{larger} chain instead of {smaller}"]


def _climb(mol: Chem.Mol, start: int, group: set[int]) -> tuple[frozenset[int], int | None]:
    """Walk up acyclic sp3 carbons from ``start`` to the atom the alkyl group hangs on.

    Terminal methyls met on the way belong to the group (isopropyl, tert-butyl); the walk stops
    at a heteroatom, a ring, an sp2 carbon or a carbon where the skeleton branches.
    """
    group = set(group)
    atom = mol.GetAtomWithIdx(start)
    while _is_chain_carbon(atom):
        others = [n for n in atom.GetNeighbors() if n.GetIdx() not in group]
        methyls = [n for n in others if n.GetDegree() == 1 and n.GetSymbol() == "C"]
        up = [n for n in others if n not in methyls]
        if len(up) != 1:
            break
        group |= {atom.GetIdx(), *(m.GetIdx() for m in methyls)}
        atom = up[0]
    return frozenset(group), (atom.GetIdx() if atom.GetIdx() in _neighbours(mol, group) else None)


def _neighbours(mol: Chem.Mol, atoms: set[int]) -> set[int]:
    return {n.GetIdx() for a in atoms for n in mol.GetAtomWithIdx(a).GetNeighbors()} - atoms


def _is_carbonyl(atom: Chem.Atom) -> bool:
    return atom.GetSymbol() == "C" and any(
        b.GetBondType() == Chem.BondType.DOUBLE and b.GetOtherAtom(atom).GetSymbol() == "O"
        for b in atom.GetBonds()
    )


def _is_chain_carbon(atom: Chem.Atom) -> bool:
    return (
        atom.GetSymbol() == "C"
        and not atom.IsInRing()
        and atom.GetHybridization() == Chem.HybridizationType.SP3
    )


def _is_alkyl(mol: Chem.Mol, atoms: Iterable[int]) -> bool:
    return all(
        mol.GetAtomWithIdx(a).GetSymbol() == "C"
        and mol.GetAtomWithIdx(a).GetHybridization() == Chem.HybridizationType.SP3
        for a in atoms
    )


def _substituent_changes(
    q_extra: list[Substituent],
    n_extra: list[Substituent],
    same_place: Callable[[Substituent, Substituent], bool],
) -> list[str] | None:
    """Pair the groups of both sides: moved, replaced, added, removed; None when unnamed."""
    if any(s.name not in GROUP_NAMES.values() for s in (*q_extra, *n_extra)):
        return None
    phrases = []
    q_left, n_left = list(q_extra), list(n_extra)
    for q in list(q_left):  # another group at the same place
        n = next((n for n in n_left if same_place(q, n)), None)
        if n:
            phrases.append(f"{_short(q)} instead of {_short(n)}{q.where()}")
            q_left.remove(q)
            n_left.remove(n)
    for q in list(q_left):  # the same group at another place
        n = next((n for n in n_left if n.name == q.name), None)
        if n:
            if q.positions and n.positions and q.positions != n.positions:
                phrases.append(
                    f"{_short(q)} moved from {n.where().removeprefix(' at ')} to "
                    f"{q.where().removeprefix(' at position ').removeprefix('s ')}"
                )
            else:
                phrases.append(f"{_short(q)} moved to another ring{q.where()}")
            q_left.remove(q)
            n_left.remove(n)
    phrases += [f"adds {_added(q, query_side=True)}{q.where()}" for q in q_left]
    phrases += [f"lacks {_added(n, query_side=False)}{n.where()}" for n in n_left]
    return phrases


def _same_place(
    neighbour: Chem.Mol, to_neighbour: dict[int, int]
) -> Callable[[Substituent, Substituent], bool]:
    """Whether two groups sit on corresponding atoms (a ring may be matched flipped over)."""
    rings = neighbour.GetRingInfo().AtomRings()

    def same(q: Substituent, n: Substituent) -> bool:
        mapped = tuple(sorted(to_neighbour[a] for a in q.anchors))
        if mapped == n.anchors:
            return True
        return (
            bool(q.positions)
            and q.positions == n.positions
            and any(mapped[0] in r and n.anchors[0] in r for r in rings)
        )

    return same


def _short(s: Substituent) -> str:
    return s.name if s.name in HALOGENS or s.name in GROUP_NAMES.values() else s.label()


def _added(s: Substituent, query_side: bool) -> str:
    if s.on == "N" and s.name.endswith("yl") and s.name in GROUP_NAMES.values():
        return f"an N-{s.name} group"
    return s.label() if query_side or s.name not in HALOGENS else f"the {s.name}"


def _fallback(
    query: Chem.Mol, neighbour: Chem.Mol, q_core: set[int], n_core: set[int], size: int
) -> str:
    gained = _formula(query, set(range(query.GetNumAtoms())) - q_core)
    lost = _formula(neighbour, set(range(neighbour.GetNumAtoms())) - n_core)
    parts = [f"adds {gained}" if gained else "", f"lacks {lost}" if lost else ""]
    return f"differs outside the common core of {size} atoms: " + ", ".join(filter(None, parts))


def _group_name(
    mol: Chem.Mol, atoms: set[int] | frozenset[int], anchors: Iterable[int]
) -> str | None:
    """The common name of ``atoms`` seen as a group on ``anchors`` ('methoxy'), if any."""
    editable = Chem.RWMol(mol)
    anchors = set(anchors)
    for a in anchors:
        dummy = editable.GetAtomWithIdx(a)
        dummy.SetAtomicNum(0)
        dummy.SetIsAromatic(False)
        dummy.SetFormalCharge(0)
        dummy.SetNoImplicit(True)
        dummy.SetNumExplicitHs(0)
    bonds = [
        b.GetIdx()
        for b in editable.GetBonds()
        if {b.GetBeginAtomIdx(), b.GetEndAtomIdx()} & set(atoms)
    ]
    smiles = Chem.MolFragmentToSmiles(
        editable,
        atomsToUse=sorted(set(atoms) | anchors),
        bondsToUse=bonds,
        isomericSmiles=False,
        canonical=True,
    )
    return GROUP_NAMES.get(Chem.MolToSmiles(Chem.MolFromSmiles(smiles, sanitize=False)))


def _formula(mol: Chem.Mol, atoms: Iterable[int]) -> str:
    """Hill formula of some atoms with their hydrogens ('CH2O' for a CH2 and an OH).

    >>> _formula(Chem.MolFromSmiles("COc1ccccc1"), [0, 1])
    'CH3O'
    """
    counts: Counter[str] = Counter()
    for a in atoms:
        atom = mol.GetAtomWithIdx(a)
        counts[atom.GetSymbol()] += 1
        counts["H"] += atom.GetTotalNumHs()
    order = ["C", "H"] if counts["C"] else []
    order += sorted(set(counts) - set(order))
    return "".join(f"{e}{counts[e] if counts[e] > 1 else ''}" for e in order if counts[e])


def _components(mol: Chem.Mol, atoms: set[int]) -> list[set[int]]:
    left, groups = set(atoms), []
    while left:
        stack, group = [left.pop()], set()
        while stack:
            a = stack.pop()
            group.add(a)
            for n in mol.GetAtomWithIdx(a).GetNeighbors():
                if n.GetIdx() in left:
                    left.discard(n.GetIdx())
                    stack.append(n.GetIdx())
        groups.append(group)
    return sorted(groups, key=min)


def _invert(mapping: dict[int, int]) -> dict[int, int]:
    return {v: k for k, v in mapping.items()}


def _swap(phrase: str) -> str:
    """Turn 'X replaced by Y' / 'X instead of Y' around (the neighbour had the larger group)."""
    if " replaced by " in phrase:
        a, b = phrase.split(" replaced by ")
        return f"{b} replaced by {a}"
    if " chain instead of " in phrase:
        a, b = phrase.split(" chain instead of ")
        return f"{b} chain instead of {a}"
    a, b = phrase.split(" instead of ")
    return f"{b} instead of {a}"


def _article(word: str) -> str:
    return "an" if word[0].lower() in "aeio" else "a"
