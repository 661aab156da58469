"""Step 2b: a given structure checked against what other sources say of the same name or CAS.

A row's given structure is weighed in :mod:`subsmatch.compile.identify` against the facts the
identified rows teach; those can echo the row itself (a row teaches its name, another row learns
the structure under it and teaches it back). Here a given structure meets only *claims*: what
another row says on its own, never what it learnt:

- the structure that row gives (a SMILES, an InChI, a person's structure, an identity vocabulary's
  InChIKey), or
- when it gives none, OPSIN's sure reading of its own names (a list's printed chemical name),

under one of this row's names (exact, spacing and hyphens aside; at least
:data:`MIN_CLAIM_KEY` characters, since short codes name different things in different fields)
or CAS numbers, from a source of another *provenance* (``provenance`` in
``curated/source_roles.csv``: tables copied from one another are one witness).

A claim disputes the given structure when it names another skeleton (stereo aside; a positional
isomer is another skeleton) and is at least as trustworthy (:data:`RANK`: an unreviewed drawing
never puts a trusted one in doubt). A claim also disputes it when it gives the *same* skeleton
under a positional isomer's name of one of the row's names ("para-fluorobutyrylfentanyl" for
the structure this row calls "ortho-fluorobutyrylfentanyl"). A dispute is settled by
:func:`settle`: by a person, else by the majority of distinct provenances (OPSIN's sure reading
of one of the row's own names counts as one more), else not at all and the row stays off every
structure. Every dispute is listed in the audit with how it was settled.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

from rdkit import Chem

from subsmatch.compile.records import Row
from subsmatch.substances.structures import StructureError, parse

MIN_CLAIM_KEY = 5  # "MPPP", "MET", "4-AP", "PAA" name different substances in different fields
RANK = {
    "given:curated": 3,  # a person
    "given:trusted": 2,  # an identity list's drawing
    "inchikey": 2,  # an identity vocabulary's InChIKey
    "opsin": 2,  # a source's own printed chemical name, read surely by OPSIN
    "given:unreviewed": 1,  # an unreviewed list's drawing
    "given:from_knowledge": 0,  # a structure from knowledge: a second fact, never a witness
}
"""How far a claim is trusted: a claim disputes a given structure only when it ranks at least as
high, and only claims ranking at least 1 are counted in a majority."""
OWN_NAME = "OPSIN on the row's own name"
"""The provenance of OPSIN's sure reading of one of the disputed row's names."""

_POSITIONAL_WORD = re.compile(
    r"(?:^|(?<=[^a-z]))(ortho|meta|para|o|m|p)(?=(?:fluor|chlor|brom|iod|methyl|methoxy|ethyl|"
    r"ethoxy|hydroxy|nitro|amino|trifluoromethyl|propyl|isopropyl))"
    r"|(ortho|meta|para)(?=(?:fluor|chlor|brom|iod|methoxy|nitro|trifluoromethyl))"
)
_LOCANT_OF = {"ortho": "2", "o": "2", "meta": "3", "m": "3", "para": "4", "p": "4"}
_LONE_DIGIT = re.compile(r"(?<!\d)[234](?![\d,'′])")


def positional_form(key: str) -> str:
    """A compact name key with the words for ring positions written as locants, so that
    positional isomers' names differ by one digit.

    >>> positional_form("orthofluorobutyrylfentanyl"), positional_form("parafluorobutyrylfentanyl")
    ('2fluorobutyrylfentanyl', '4fluorobutyrylfentanyl')
    >>> positional_form("paracetamol")
    'paracetamol'
    """

    def locant(match: re.Match[str]) -> str:
        return _LOCANT_OF[match.group(1) or match.group(2)]

    return _POSITIONAL_WORD.sub(locant, key)


def positional_isomers(a: str, b: str) -> bool:
    """Two compact name keys that differ only in one ring locant (2, 3 or 4 standing alone):
    the names of two positional isomers.

    >>> positional_isomers("orthofluorobutyrylfentanyl", "parafluorobutyrylfentanyl")
    True
    >>> positional_isomers("3cmc", "4cmc"), positional_isomers("jwh203", "jwh204")
    (True, False)
    >>> positional_isomers("4fa", "4fa")
    False
    """
    a, b = positional_form(a), positional_form(b)
    if len(a) != len(b) or a == b:
        return False
    differing = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
    if len(differing) != 1:
        return False
    at = differing[0]
    return all(_LONE_DIGIT.match(text, at) for text in (a, b))


def whole_connectivity(structure: str) -> str:
    """The InChIKey skeleton of a structure as given, salts and charges kept (an identity
    vocabulary's InChIKey is of the whole compound), or "" when RDKit cannot read it."""
    try:
        return Chem.MolToInchiKey(parse(structure)).split("-", 1)[0]
    except StructureError:
        return ""


@dataclass(frozen=True)
class Claim:
    """What one row says on its own of the structure under its names: a skeleton, how, where."""

    position: int  # the row's position in the build
    ref: str
    provenance: str
    basis: str  # a key of RANK
    connectivity: str  # the standardised skeleton (InChIKey's first block)
    whole: str = ""  # the skeleton as given, salts kept ("" for an InChIKey or a reading)
    drawable: bool = True  # False for an InChIKey without a structure

    @property
    def rank(self) -> int:
        return RANK[self.basis]

    def agrees(self, other: Claim) -> bool:
        """Same skeleton; an InChIKey alone (often of a salt) also agrees with the skeleton of
        a structure as it was given, salts kept."""
        if self.connectivity == other.connectivity:
            return True
        if self.drawable and other.drawable:
            return False
        return bool({self.connectivity, self.whole} & {other.connectivity, other.whole} - {""})

    def __str__(self) -> str:
        return f"{self.ref} ({self.provenance}, {self.basis})"


@dataclass(frozen=True)
class Sibling:
    """A claim of the same skeleton under a positional isomer's name of the disputed row's."""

    claim: Claim
    their_name: str
    our_name: str


@dataclass(frozen=True)
class Dispute:
    """A given structure other sources contradict, the claims on each side, and the result."""

    given: Claim
    sides: tuple[tuple[Claim, ...], ...]  # the given structure's side first
    siblings: tuple[Sibling, ...]
    winner: Claim | None  # the strongest claim of the side that won, or None: unsettled
    reason: str

    @property
    def upholds(self) -> bool:
        """Settled for the given structure."""
        return self.winner is not None and self.winner in self.sides[0]


def _provenances(side: Iterable[Claim]) -> set[str]:
    return {c.provenance for c in side if c.rank >= 1}


def settle(
    given: Claim, sides: Sequence[Sequence[Claim]], siblings: Sequence[Sibling]
) -> tuple[int | None, str]:
    """Which side wins (its index in ``sides``, the given structure's being 0), and why.

    A person's structure settles alone. Positional-isomer names given to the given structure by
    at least as many provenances as back it refute it, and the other side with most
    provenances wins. Otherwise the side backed by strictly more distinct provenances than any
    other wins; with none, the dispute stays open.

    >>> g = Claim(0, "a:1", "A", "given:trusted", "P")
    >>> o = Claim(1, "b:2", "B", "opsin", "O")
    >>> settle(g, [[g], [o]], [])
    (None, 'no majority: 1 provenance(s) for the given structure, 1 for another')
    >>> settle(g, [[g], [o, Claim(2, "c:3", "C", "given:trusted", "O")]], [])
    (1, 'majority of provenances: 2 against 1')
    >>> refuter = Sibling(Claim(3, "d:4", "D", "given:trusted", "P"), "parax", "orthox")
    >>> settle(g, [[g], [o]], [refuter])[0]
    1
    """
    curated = [i for i, side in enumerate(sides) if any(c.basis == "given:curated" for c in side)]
    if len(curated) == 1:
        person = next(c for c in sides[curated[0]] if c.basis == "given:curated")
        return curated[0], f"settled by a person ({person.ref})"
    counts = [len(_provenances(side)) for side in sides]
    if refuted(given, sides[0], siblings):
        counts[0] = 0
        names = ", ".join(sorted({f"'{s.their_name}'" for s in siblings}))
        why = (
            f"{len(_refuters(given, siblings))} provenance(s) give the given structure under a "
            f"positional isomer's name ({names}); "
        )
    else:
        why = ""
    top = max(counts)
    leaders = [i for i, n in enumerate(counts) if n == top]
    if len(leaders) == 1 and top:
        rest = max(n for i, n in enumerate(counts) if i != leaders[0])
        return leaders[0], f"{why}majority of provenances: {top} against {rest}"
    for_given = counts[0]
    for_other = max(counts[1:], default=0)
    return None, (
        f"{why}no majority: {for_given} provenance(s) for the given structure, {for_other} "
        "for another"
    )


def _refuters(given: Claim, siblings: Iterable[Sibling]) -> set[str]:
    return {s.claim.provenance for s in siblings} - {given.provenance}


def refuted(given: Claim, side: Sequence[Claim], siblings: Sequence[Sibling]) -> bool:
    """At least as many provenances give the given skeleton a positional isomer's name as
    back it under the row's name."""
    found = _refuters(given, siblings)
    return bool(found) and len(found) >= len(_provenances(side))


class Claims:
    """Every row's own claim, by name key, CAS number and skeleton."""

    def __init__(self, claims: dict[int, Claim], keys: dict[int, set[str]]) -> None:
        self.claims = claims
        self.keys = keys
        self.by_key: dict[str, list[int]] = defaultdict(list)
        self.by_skeleton: dict[str, list[int]] = defaultdict(list)
        for i, claim in claims.items():
            for key in keys.get(i, ()):
                self.by_key[key].append(i)
            self.by_skeleton[claim.connectivity].append(i)

    def dispute(
        self,
        given: Claim,
        own_readings: Sequence[Claim] = (),
        rejected: Collection[int] = frozenset(),
    ) -> Dispute | None:
        """The dispute over a row's given structure, when there is one; claims of the rows in
        ``rejected`` (rows whose decision rejects their own claim) are not heard."""
        keys = self.keys.get(given.position, set())
        heard = sorted(
            {
                j
                for key in keys
                for j in self.by_key.get(key, ())
                if j != given.position and j not in rejected
            }
        )
        others = [self.claims[j] for j in heard if self.claims[j].provenance != given.provenance]
        against = [c for c in others if not c.agrees(given) and c.rank >= given.rank]
        sides: list[list[Claim]] = [[given]]
        for claim in [*others, *own_readings]:
            side = next((s for s in sides if s[0].agrees(claim)), None)
            if side is None:
                sides.append([claim])
            else:
                side.append(claim)
        sides = [s for i, s in enumerate(sides) if i == 0 or _provenances(s)]
        siblings = self._siblings(given, keys, rejected)
        if not against and not refuted(given, sides[0], siblings):
            return None
        won, reason = settle(given, sides, siblings)
        winner = None
        if won is not None:
            winner = max(sides[won], key=lambda c: (c.rank, c.drawable, c.basis != "opsin"))
        return Dispute(given, tuple(map(tuple, sides)), tuple(siblings), winner, reason)

    def _siblings(self, given: Claim, keys: set[str], rejected: Collection[int]) -> list[Sibling]:
        """Claims of the given skeleton, by other provenances, under a positional isomer's
        name of one of the row's names."""
        found = []
        names = [k for k in keys if not k.startswith("cas:")]
        for j in self.by_skeleton.get(given.connectivity, ()):
            claim = self.claims[j]
            if j in rejected or claim.provenance == given.provenance or claim.rank < given.rank:
                continue
            for theirs in self.keys.get(j, ()):
                ours = next((k for k in names if positional_isomers(k, theirs)), None)
                if ours and not theirs.startswith("cas:"):
                    found.append(Sibling(claim, theirs, ours))
        return found


def name_claim_keys(exact_keys: Iterable[str]) -> set[str]:
    """The keys a row's claim is filed under: its exact name keys long enough to be one
    substance's."""
    return {k for k in exact_keys if len(k) >= MIN_CLAIM_KEY}


def cas_keys(row: Row) -> set[str]:
    return {f"cas:{number}" for number in row.cas}
