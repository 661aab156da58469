"""Generic (group) definitions of drug laws as executable rules.

A rule file (``reference/rules/<jurisdiction>-<law>-<version>.toml``) states the law, its
citation and dates, and rules. A rule is a core structure (one or more SMARTS; atom map numbers
name the positions where the law allows substituents) and the constraints the law states:

- ``max_mass``: the largest molecular mass (parent, without counter-ion);
- ``elements``: the elements the whole molecule may contain;
- ``[[rules.sites]]``: for the core atoms with the given map numbers, what may hang on them:
  ``elements``, ``max_chain`` (longest continuous chain of non-hydrogen atoms of one
  substituent, ring atoms counted unless ``count_ring_atoms = false``), ``max_atoms``,
  ``rings`` (may a substituent contain a ring), ``fused`` (may a substituent close a ring back
  onto the core: an annulated ring);
- core atoms without a map number carry nothing but hydrogen;
- ``exclude_smarts``: substructures that take a molecule out of the group (named reason);
- ``exclude_rules``: other rules whose core, when present, takes precedence;
- ``exempt``: named substances the law exempts (by InChIKey skeleton).

A law may exempt medicinal products as a class (``exempts_medicines`` in ``[law]``, naming the
provision); the verdict applies it to the curated licensed medicines. A law whose start date is not
known gives ``evidence_from``, the earliest date a source shows it in force: from
``effective_from`` (the earliest it can have started) to that date its rules answer ``unknown``.

A rule may take its structure from a rule of another file (``same_as = "DE-NpSG-2.1"``): its own
``id`` and ``clause``, the other's cores, constraints, exclusions and examples. This is how an
effect-based clause is read structurally, through a structural definition of another law.

The engine answers which rule matched on which atoms, or, for rules whose core is present but
that do not match, the first constraint that failed, in words.
"""

from __future__ import annotations

import hashlib
import tomllib
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cached_property, partial
from pathlib import Path
from typing import TYPE_CHECKING

from subsmatch import startup
from subsmatch.caching import BoundedCache
from subsmatch.errors import UserError
from subsmatch.lazy import lazy
from subsmatch.reference.law import State

if TYPE_CHECKING:
    from rdkit import Chem, DataStructs
    from rdkit.Chem import Descriptors, rdMolDescriptors
    from rdkit.DataStructs import ExplicitBitVect
else:  # imported when first used: rules read from the stored matches search nothing
    Chem = lazy("rdkit.Chem")
    DataStructs = lazy("rdkit.DataStructs")
    Descriptors = lazy("rdkit.Chem.Descriptors")
    rdMolDescriptors = lazy("rdkit.Chem.rdMolDescriptors")

RULES_DIR = Path(__file__).resolve().parents[1] / "reference" / "rules"
ORGANIC = ("C", "H", "N", "O", "S", "F", "Cl", "Br", "I")
SCREEN_BITS = 2048


class RuleFileError(UserError, ValueError):
    """A rule file that cannot be loaded; the message names the file, the rule and the key."""


@dataclass(frozen=True)
class Site:
    """What the law allows on a set of core positions."""

    atoms: tuple[int, ...]  # core atom map numbers
    elements: frozenset[str] = frozenset(ORGANIC)
    max_chain: int | None = None
    max_atoms: int | None = None
    rings: bool = True
    fused: bool = False
    count_ring_atoms: bool = True
    note: str = ""


@dataclass(frozen=True)
class Rule:
    """One generic definition (a group or clause of a law)."""

    id: str
    clause: str
    cores: tuple[str, ...]
    sites: tuple[Site, ...] = ()
    max_mass: float | None = None
    elements: frozenset[str] = frozenset(ORGANIC)
    exclude_smarts: tuple[tuple[str, str], ...] = ()  # (SMARTS, reason)
    exclude_rules: tuple[str, ...] = ()
    exempt: tuple[tuple[str, str], ...] = ()  # (name, InChIKey first block)
    examples: tuple[str, ...] = ()  # SMILES the law or its sources name as members
    near_misses: tuple[tuple[str, str], ...] = ()  # (SMILES, why it is not a member)
    law: Law | None = field(default=None, compare=False)
    same_as: str = ""  # the rule whose structure this one takes (resolved when laws are loaded)

    @cached_property
    def core_queries(self) -> tuple[Chem.Mol, ...]:
        return tuple(_smarts(s, self.id) for s in self.cores)

    @cached_property
    def core_screens(self) -> tuple[ExplicitBitVect, ...]:
        """Pattern fingerprints of the cores: a molecule lacking a bit cannot hold the core."""
        return tuple(Chem.PatternFingerprint(q, fpSize=SCREEN_BITS) for q in self.core_queries)

    @cached_property
    def exclusion_queries(self) -> tuple[tuple[Chem.Mol, str], ...]:
        return tuple((_smarts(s, self.id), why) for s, why in self.exclude_smarts)

    @cached_property
    def site_of(self) -> dict[int, Site]:
        return {m: site for site in self.sites for m in site.atoms}

    def __getstate__(self) -> dict:
        """The rule without what it works out (RDKit queries): the start-up cache keeps rules,
        and reading them back must not need RDKit."""
        return {k: v for k, v in self.__dict__.items() if k not in _WORKED_OUT}


_WORKED_OUT = frozenset({"core_queries", "core_screens", "exclusion_queries", "site_of"})


@dataclass(frozen=True)
class Law:
    """A law (one version of it) with its generic rules."""

    jurisdiction: str
    name: str
    version: str
    citation: str
    effective_from: str
    effective_to: str | None
    provisional: bool
    source: str
    path: str
    exempts_medicines: str | None = None  # the provision exempting medicinal products, if any
    digest: str = ""  # SHA-256 of the rule file: the rules version is made of these
    rules: tuple[Rule, ...] = ()
    evidence_from: str | None = None  # start unknown: shown in force from this date on

    def state(self, as_of: date | None) -> State:
        """Where the law stands on ``as_of`` (None: today).

        >>> law = Law("LU", "n", "1", "c", "2009-04-20", None, True, "s", "p",
        ...           evidence_from="2023-08-06")
        >>> [str(law.state(date(y, 1, 1))) for y in (2008, 2015, 2024)]
        ['not_yet', 'unknown', 'in_force']
        """
        day = as_of or date.today()
        if self.effective_to and day >= date.fromisoformat(self.effective_to):
            return State.ENDED
        if day < date.fromisoformat(self.effective_from):
            return State.NOT_YET
        if self.evidence_from and day < date.fromisoformat(self.evidence_from):
            return State.UNKNOWN
        return State.IN_FORCE

    def in_force(self, as_of: date | None) -> bool:
        return self.state(as_of) is State.IN_FORCE


@dataclass(frozen=True)
class RuleMatch:
    """A rule evaluated on a molecule: matched (with the core atoms) or the first failure."""

    rule: Rule
    matched: bool
    atoms: tuple[int, ...] = ()
    failure: str | None = None


def _smarts(text: str, rule_id: str) -> Chem.Mol:
    query = Chem.MolFromSmarts(text)
    if query is None:
        raise RuleFileError(f"rule {rule_id}: cannot read SMARTS {text!r}")
    return query


# --- loading ------------------------------------------------------------------------------------


def _site(raw: dict, where: str) -> Site:
    known = {
        "atoms",
        "elements",
        "max_chain",
        "max_atoms",
        "rings",
        "fused",
        "count_ring_atoms",
        "note",
    }
    if unknown := set(raw) - known:
        raise RuleFileError(f"{where}: unknown site keys {sorted(unknown)}")
    if "atoms" not in raw:
        raise RuleFileError(f"{where}: a site needs 'atoms' (core map numbers)")
    return Site(
        atoms=tuple(raw["atoms"]),
        elements=frozenset(raw.get("elements", ORGANIC)),
        max_chain=raw.get("max_chain"),
        max_atoms=raw.get("max_atoms"),
        rings=raw.get("rings", True),
        fused=raw.get("fused", False),
        count_ring_atoms=raw.get("count_ring_atoms", True),
        note=raw.get("note", ""),
    )


def _rule(raw: dict, path: Path) -> Rule:
    where = f"{path.name} rule {raw.get('id', '?')}"
    if "same_as" in raw:
        if unknown := set(raw) - {"id", "clause", "same_as"}:
            raise RuleFileError(
                f"{where}: a same_as rule takes only id and clause, not {sorted(unknown)}"
            )
        for key in ("id", "clause"):
            if key not in raw:
                raise RuleFileError(f"{where}: missing '{key}'")
        return Rule(id=raw["id"], clause=raw["clause"], cores=(), same_as=raw["same_as"])
    for key in ("id", "clause", "cores"):
        if key not in raw:
            raise RuleFileError(f"{where}: missing '{key}'")
    rule = Rule(
        id=raw["id"],
        clause=raw["clause"],
        cores=tuple(raw["cores"]),
        sites=tuple(_site(s, where) for s in raw.get("sites", ())),
        max_mass=raw.get("max_mass"),
        elements=frozenset(raw.get("elements", ORGANIC)),
        exclude_smarts=tuple((x["smarts"], x["reason"]) for x in raw.get("exclude_smarts", ())),
        exclude_rules=tuple(raw.get("exclude_rules", ())),
        exempt=tuple((x["name"], x["inchikey"][:14]) for x in raw.get("exempt", ())),
        examples=tuple(raw.get("examples", ())),
        near_misses=tuple((x["smiles"], x["why"]) for x in raw.get("near_misses", ())),
    )
    rule.core_queries  # noqa: B018 - fail at load time on a bad SMARTS
    rule.exclusion_queries  # noqa: B018
    return rule


def load_law(path: Path) -> Law:
    """Load one rule file; raises RuleFileError naming the file and key on any problem."""
    content = path.read_bytes()
    try:
        raw = tomllib.loads(content.decode("utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise RuleFileError(f"{path.name}: not valid TOML: {error}") from None
    law_raw = raw.get("law")
    if not isinstance(law_raw, dict):
        raise RuleFileError(f"{path.name}: missing [law] table")
    for key in ("jurisdiction", "name", "version", "citation", "effective_from", "source"):
        if key not in law_raw:
            raise RuleFileError(f"{path.name}: [law] needs '{key}'")
    rules = tuple(_rule(r, path) for r in raw.get("rules", ()))
    law = Law(
        jurisdiction=law_raw["jurisdiction"],
        name=law_raw["name"],
        version=law_raw["version"],
        citation=law_raw["citation"],
        effective_from=str(law_raw["effective_from"]),
        effective_to=str(law_raw["effective_to"]) if law_raw.get("effective_to") else None,
        provisional=bool(law_raw.get("provisional", False)),
        source=law_raw["source"],
        path=path.name,
        exempts_medicines=law_raw.get("exempts_medicines"),
        digest=hashlib.sha256(content).hexdigest(),
        evidence_from=str(law_raw["evidence_from"]) if law_raw.get("evidence_from") else None,
    )
    return replace(law, rules=tuple(replace(r, law=law) for r in rules))


def load_laws(folder: Path = RULES_DIR) -> tuple[Law, ...]:
    """Every rule file of the folder, in file-name order; rule ids are unique across them.
    Kept in the start-up cache (:mod:`subsmatch.startup`): a process that finds the same files
    there neither parses them nor compiles their SMARTS (the first process did, to check
    them)."""
    files = sorted(folder.glob("*.toml"))
    make = partial(_load_laws, folder, files)
    return startup.kept("laws", [*files, Path(__file__)], make, extra=[str(folder.resolve())])


def _load_laws(folder: Path, files: list[Path]) -> tuple[Law, ...]:
    laws = tuple(load_law(p) for p in files)
    ids = Counter(rule.id for law in laws for rule in law.rules)
    if repeated := sorted(rule_id for rule_id, n in ids.items() if n > 1):
        raise RuleFileError(f"{folder}: rule ids used more than once: {', '.join(repeated)}")
    return tuple(_resolve_same_as(law, laws) for law in laws)


def _resolve_same_as(law: Law, laws: tuple[Law, ...]) -> Law:
    """``law`` with each ``same_as`` rule given the structure of the rule it names."""
    if not any(r.same_as for r in law.rules):
        return law
    by_id = {r.id: r for other in laws for r in other.rules if not r.same_as}
    rules = []
    for rule in law.rules:
        if rule.same_as:
            if rule.same_as not in by_id:
                raise RuleFileError(
                    f"{law.path} rule {rule.id}: same_as names no rule with a structure: "
                    f"{rule.same_as!r}"
                )
            rule = replace(
                by_id[rule.same_as], id=rule.id, clause=rule.clause, same_as=rule.same_as
            )
        rules.append(replace(rule, law=law))
    return replace(law, rules=tuple(rules))


# --- evaluation ---------------------------------------------------------------------------------


def _substituent(mol: Chem.Mol, start: int, core: set[int]) -> set[int]:
    """Heavy atoms reachable from ``start`` without crossing the core."""
    seen = {start}
    stack = [start]
    while stack:
        atom = mol.GetAtomWithIdx(stack.pop())
        for neighbour in atom.GetNeighbors():
            index = neighbour.GetIdx()
            if index not in core and index not in seen:
                seen.add(index)
                stack.append(index)
    return seen


def longest_chain(mol: Chem.Mol, start: int, atoms: set[int], count_rings: bool) -> int:
    """Atoms on the longest simple path from ``start`` within ``atoms``.

    >>> m = Chem.MolFromSmiles("NCCCCC")
    >>> longest_chain(m, 1, {1, 2, 3, 4, 5}, True)
    5
    """
    ring_info = mol.GetRingInfo()

    def walk(index: int, visited: frozenset[int]) -> int:
        here = 0 if (not count_rings and ring_info.NumAtomRings(index)) else 1
        best = 0
        for neighbour in mol.GetAtomWithIdx(index).GetNeighbors():
            other = neighbour.GetIdx()
            if other in atoms and other not in visited:
                best = max(best, walk(other, visited | {other}))
        return here + best

    if len(atoms) > 40:  # a pathological substituent: bound the search
        return len(atoms)
    return walk(start, frozenset({start}))


def _check_sites(mol: Chem.Mol, rule: Rule, match: Sequence[int], query: Chem.Mol) -> str | None:
    core = set(match)
    for query_atom, mol_index in zip(query.GetAtoms(), match, strict=True):
        site = rule.site_of.get(query_atom.GetAtomMapNum())
        for neighbour in mol.GetAtomWithIdx(mol_index).GetNeighbors():
            start = neighbour.GetIdx()
            if start in core:
                continue
            symbol = mol.GetAtomWithIdx(mol_index).GetSymbol()
            if site is None:
                return (
                    f"a substituent on core atom {symbol}{mol_index} where the definition "
                    "allows only hydrogen"
                )
            failure = _check_substituent(mol, site, mol_index, start, core)
            if failure:
                return failure
    return None


def _check_substituent(
    mol: Chem.Mol, site: Site, anchor: int, start: int, core: set[int]
) -> str | None:
    atoms = _substituent(mol, start, core)
    where = f"substituent at core atom {anchor} (site {','.join(map(str, site.atoms))})"
    elements = {mol.GetAtomWithIdx(i).GetSymbol() for i in atoms}
    if bad := elements - site.elements:
        return f"{where} contains {', '.join(sorted(bad))}, not allowed there"
    touches = {n.GetIdx() for i in atoms for n in mol.GetAtomWithIdx(i).GetNeighbors()} & core
    if len(touches - {anchor}) and not site.fused:
        return f"{where} closes a ring onto the core (an annulated ring), which is excluded"
    ring_info = mol.GetRingInfo()
    if not site.rings and any(ring_info.NumAtomRings(i) for i in atoms):
        return f"{where} contains a ring, which is not allowed there"
    if site.max_atoms is not None and len(atoms) > site.max_atoms:
        return f"{where} has {len(atoms)} atoms, more than {site.max_atoms}"
    if site.max_chain is not None:
        chain = longest_chain(mol, start, atoms, site.count_ring_atoms)
        if chain > site.max_chain:
            return (
                f"{where} has a continuous chain of {chain} atoms, longer than the "
                f"{site.max_chain} allowed"
            )
    return None


def core_matches(
    mol: Chem.Mol, rule: Rule, screen: ExplicitBitVect | None = None
) -> list[tuple[Chem.Mol, tuple[int, ...]]]:
    """Every match of every core of the rule (cores the pattern screen rules out are skipped)."""
    return [
        (q, m)
        for q, fp in zip(rule.core_queries, rule.core_screens, strict=True)
        if screen is None or DataStructs.AllProbeBitsMatch(fp, screen)
        for m in mol.GetSubstructMatches(q, uniquify=False, maxMatches=200)
    ]


def element_symbols(mol: Chem.Mol) -> set[str]:
    return {a.GetSymbol() for a in mol.GetAtoms()}


def evaluate_rule(
    mol: Chem.Mol,
    rule: Rule,
    cores_present: set[str],
    matches: list[tuple[Chem.Mol, tuple[int, ...]]] | None = None,
    skeleton: str | None = None,
    elements: set[str] | None = None,
) -> RuleMatch | None:
    """Match one rule; None when its core is absent (the rule says nothing then).

    ``skeleton`` (first InChIKey block) and ``elements`` (symbols present) are the caller's
    when it evaluates several rules on one molecule; else they are computed here.
    """
    matches = core_matches(mol, rule) if matches is None else matches
    if not matches:
        return None
    if rule.max_mass is not None:
        mass = Descriptors.MolWt(mol)
        if mass > rule.max_mass:
            return RuleMatch(
                rule,
                False,
                failure=f"molecular mass {mass:.1f} u exceeds the {rule.max_mass:g} u limit",
            )
    if elements is None:
        elements = element_symbols(mol)
    if bad := elements - rule.elements:
        return RuleMatch(
            rule,
            False,
            failure=f"contains {', '.join(sorted(bad))}, an element the definition does not allow",
        )
    for other in rule.exclude_rules:
        if other in cores_present:
            return RuleMatch(
                rule, False, failure=f"has the core of {other}, which takes precedence"
            )
    for query, reason in rule.exclusion_queries:
        if mol.HasSubstructMatch(query):
            return RuleMatch(rule, False, failure=f"excluded: {reason}")
    if rule.exempt and skeleton is None:
        skeleton = Chem.MolToInchiKey(mol)[:14]
    for name, key in rule.exempt:
        if key == skeleton:
            return RuleMatch(rule, False, failure=f"{name} is exempted by name")
    failures = []
    for query, match in matches:
        failure = _check_sites(mol, rule, match, query)
        if failure is None:
            return RuleMatch(rule, True, tuple(match))
        failures.append(failure)
    return RuleMatch(rule, False, failure=failures[0])


class RuleBook:
    """All loaded laws; evaluates a molecule against the rules in force.

    ``known`` holds, per standardised SMILES, the matches of every rule worked out before
    (the reference structures', see :mod:`subsmatch.matchers.reference_matches`); a structure
    found there is not searched again.
    """

    def __init__(
        self,
        laws: Iterable[Law] | None = None,
        known: Mapping[str, tuple[RuleMatch, ...]] | None = None,
    ) -> None:
        self.laws = tuple(laws) if laws is not None else load_laws()
        self.known = known or {}
        # the rules in force per jurisdictions and day, and their ids (asked for every verdict)
        self._in_force: BoundedCache[tuple, tuple[list[Rule], frozenset[str]]] = BoundedCache(256)

    @cached_property
    def version(self) -> str:
        """A short hash of the rule files: every verdict names the rules that produced it."""
        digest = hashlib.sha256()
        for law in sorted(self.laws, key=lambda x: x.path):
            digest.update(f"{law.path}:{law.digest}\n".encode())
        return digest.hexdigest()[:12]

    @property
    def rules(self) -> tuple[Rule, ...]:
        return tuple(r for law in self.laws for r in law.rules)

    def knowing(self, known: Mapping[str, tuple[RuleMatch, ...]]) -> RuleBook:
        """The same laws, with these matches worked out before."""
        return RuleBook(self.laws, known)

    def _wanted(self, jurisdictions: Sequence[str] | None, as_of: date | None) -> list[Rule]:
        return self._wanted_ids(jurisdictions, as_of)[0]

    def _wanted_ids(
        self, jurisdictions: Sequence[str] | None, as_of: date | None
    ) -> tuple[list[Rule], frozenset[str]]:
        """The rules in force (or of unknown start) on ``as_of`` in ``jurisdictions``, and
        their ids; worked out once per jurisdictions and day."""
        day = as_of or date.today()
        key = (None if jurisdictions is None else tuple(jurisdictions), day)
        return self._in_force.get_or_make(key, lambda: self._find_wanted(jurisdictions, day))

    def _find_wanted(
        self, jurisdictions: Sequence[str] | None, day: date
    ) -> tuple[list[Rule], frozenset[str]]:
        wanted = [
            rule
            for law in self.laws
            if law.state(day) in (State.IN_FORCE, State.UNKNOWN)
            and (jurisdictions is None or law.jurisdiction in jurisdictions)
            for rule in law.rules
        ]
        return wanted, frozenset(rule.id for rule in wanted)

    def evaluate(
        self,
        mol: Chem.Mol,
        jurisdictions: Sequence[str] | None = None,
        as_of: date | None = None,
        skeleton: str | None = None,
    ) -> list[RuleMatch]:
        """Rules in force (or whose start is unknown on ``as_of``) whose core is present, matched
        or with their first failing constraint.

        ``skeleton`` is the molecule's first InChIKey block (for exemptions by name), when the
        caller knows it. Only the cores of the rules in force in
        ``jurisdictions``, and of the rules these defer to, are searched.
        """
        return self._evaluate(mol, self._wanted(jurisdictions, as_of), skeleton)

    def evaluate_all(self, mol: Chem.Mol, skeleton: str | None = None) -> list[RuleMatch]:
        """Every rule whose core is present, whatever its dates and jurisdiction."""
        return self._evaluate(mol, list(self.rules), skeleton)

    def evaluate_smiles(
        self,
        smiles: str,
        jurisdictions: Sequence[str] | None = None,
        as_of: date | None = None,
        skeleton: str | None = None,
    ) -> list[RuleMatch]:
        """:meth:`evaluate` of a standardised SMILES, from ``known`` when it is there."""
        wanted, ids = self._wanted_ids(jurisdictions, as_of)
        if (known := self.known.get(smiles)) is not None:
            return [m for m in known if m.rule.id in ids]
        mol = Chem.MolFromSmiles(smiles)
        return [] if mol is None else self._evaluate(mol, wanted, skeleton)

    def _evaluate(self, mol: Chem.Mol, wanted: list[Rule], skeleton: str | None) -> list[RuleMatch]:
        if not wanted:
            return []
        searched = {r.id for r in wanted} | {other for r in wanted for other in r.exclude_rules}
        screen = Chem.PatternFingerprint(mol, fpSize=SCREEN_BITS)
        matches = {r.id: core_matches(mol, r, screen) for r in self.rules if r.id in searched}
        present = {rule_id for rule_id, found in matches.items() if found}
        elements = element_symbols(mol) if present else set()
        results = (
            evaluate_rule(mol, rule, present, matches[rule.id], skeleton, elements)
            for rule in wanted
            if rule.id in present
        )
        return [r for r in results if r is not None]


# --- positional isomers ---------------------------------------------------------------------------


def _ring_systems(mol: Chem.Mol) -> list[set[int]]:
    """The atoms of each ring system (rings sharing an atom: fused, bridged or spiro)."""
    systems: list[set[int]] = []
    for ring in mol.GetRingInfo().AtomRings():
        atoms = set(ring)
        for other in [s for s in systems if s & atoms]:
            atoms |= other
            systems.remove(other)
        systems.append(atoms)
    return systems


def _functional(atom: Chem.Atom) -> bool:
    """An atom of a functional group outside the rings: a heteroatom, or a carbon of a multiple
    bond (C=O, C=C, C#N)."""
    if atom.IsInRing():
        return False
    if atom.GetAtomicNum() != 6:
        return True
    return any(b.GetBondType() != Chem.BondType.SINGLE for b in atom.GetBonds())


def _fragment_label(mol: Chem.Mol, atoms: set[int]) -> str:
    """The canonical SMILES of a ring system or functional group, its hydrogens left out (which
    alkyls an amine carries is no functionality), except that an O or S outside a ring says
    whether it bears one (a hydroxy is not an ether)."""
    fragment = Chem.RWMol()
    index = {}
    for i in sorted(atoms):
        atom = mol.GetAtomWithIdx(i)
        copy = Chem.Atom(atom.GetAtomicNum())
        copy.SetIsAromatic(atom.GetIsAromatic())
        copy.SetFormalCharge(atom.GetFormalCharge())
        copy.SetNoImplicit(True)
        if atom.GetSymbol() in ("O", "S") and not atom.IsInRing() and atom.GetTotalNumHs():
            copy.SetNumExplicitHs(1)
        index[i] = fragment.AddAtom(copy)
    for bond in mol.GetBonds():
        begin, end = bond.GetBeginAtomIdx(), bond.GetEndAtomIdx()
        if begin in index and end in index:
            fragment.AddBond(index[begin], index[end], bond.GetBondType())
    out = fragment.GetMol()
    out.UpdatePropertyCache(strict=False)
    return Chem.MolToSmiles(out)


def positional_signature(mol: Chem.Mol) -> tuple:
    """What a positional isomer (21 CFR 1300.01(b)) keeps of a structure: its formula, its
    ring systems (the core), its functional groups, and how many bonds apart along the skeleton
    each pair of them is. Where substituents sit on a ring, and how the alkyl carbons are
    arranged (moved, divided or combined), are left out.

    >>> sig = lambda s: positional_signature(Chem.MolFromSmiles(s))
    >>> sig("CNC(C)C(=O)c1ccc(C)cc1") == sig("CNC(C)C(=O)c1ccccc1C")  # 4-MMC, 2-MMC
    True
    >>> sig("CNC(C)C(=O)c1ccc(C)cc1") == sig("CNCCC(=O)c1ccc(C)cc1")  # amine moved off alpha
    False
    >>> sig("CCCCC(C(=O)c1ccccc1)N1CCCC1") == sig("CC(C)CC(C(=O)c1ccccc1)N1CCCC1")  # a-PHP, a-PiHP
    True
    """
    rings = _ring_systems(mol)
    node_of: dict[int, int] = {}
    nodes: list[set[int]] = []
    for system in rings:
        node_of.update(dict.fromkeys(system, len(nodes)))
        nodes.append(system)
    for atom in mol.GetAtoms():
        if atom.GetIdx() in node_of or not _functional(atom):
            continue
        group, stack = {atom.GetIdx()}, [atom.GetIdx()]
        while stack:
            for neighbour in mol.GetAtomWithIdx(stack.pop()).GetNeighbors():
                i = neighbour.GetIdx()
                if i not in group and i not in node_of and _functional(neighbour):
                    group.add(i)
                    stack.append(i)
        node_of.update(dict.fromkeys(group, len(nodes)))
        nodes.append(group)
    labels = [_fragment_label(mol, group) for group in nodes]
    edges: Counter = Counter()
    for k, group in enumerate(nodes):
        seen = set(group)
        frontier = {n.GetIdx() for i in group for n in mol.GetAtomWithIdx(i).GetNeighbors()}
        frontier -= seen
        distance = 1
        while frontier:
            following = set()
            for i in frontier:
                seen.add(i)
                if i in node_of:  # another group or ring system: the walk stops there
                    if node_of[i] > k:
                        pair = tuple(sorted((labels[k], labels[node_of[i]])))
                        edges[pair, distance] += 1
                    continue
                following.update(n.GetIdx() for n in mol.GetAtomWithIdx(i).GetNeighbors())
            frontier = following - seen
            distance += 1
    formula = rdMolDescriptors.CalcMolFormula(mol)
    return formula, tuple(sorted(labels)), tuple(sorted(edges.items()))
