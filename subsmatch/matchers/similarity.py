"""Nearest controlled neighbours of a structure, and the `analogue` flag.

The index holds every reference structure with a controlling listing (narcotic, psychotropic,
NPS) in force on a date, fingerprinted once with two count fingerprints: Morgan radius 2 and
atom pairs. The score of a neighbour is the mean of both Tanimoto similarities. A structure is an
analogue when its nearest neighbour scores at least the threshold of the query's structural
class (cathinone, tryptamine, fentanyl ...); the classes (SMARTS) and thresholds are data,
calibrated on a time split by ``benchmarks/analogues.py --calibrate``.

A structure that carries a labile acyl group where its controlled parent has an N-H on an
aromatic ring or a phenolic O-H (1-propionyl-LSD, 4-acetoxy-DMT: the "prodrug" pattern) is also
compared as that parent, the acyl group cleaved; a neighbour found so says ``via``. The
difference in words is still from the neighbour to the query as given.

Known non-controlled look-alikes (licensed medicines, cutting agents, adulterants:
``reference/curated/lookalikes.csv``) are reported as such and never flagged.

Beside the NEIGHBOURS nearest overall, an assessment keeps the nearest structure controlled in
each jurisdiction that they leave out (``nearest_elsewhere``), when it is at or above the
threshold of the query's class and of its own (:meth:`AnalogueIndex.bar`): whether a structure
is an analogue for a user's jurisdictions rests on the nearest structure controlled there, not
on whichever three are nearest anywhere (three US-only neighbours must not hide a Dutch one
nearly as close).

>>> from subsmatch.reference.lists import load
>>> index = AnalogueIndex(load(), as_of=date(2020, 12, 31))
>>> finding = index.assess(keys_of("CNC(C)C(=O)c1ccc(Br)c(C)c1"))  # a bromo-methylcathinone
>>> finding.is_analogue, finding.structure_class
(True, 'cathinone')
>>> index.assess(keys_of("CC(NC(C)(C)C)C(=O)c1cccc(Cl)c1")).lookalike
'licensed medicine bupropion'
>>> lsd_1p = index.assess(keys_of("CCC(=O)n1cc2CC3N(C)CC(C(=O)N(CC)CC)C=C3c3cccc1c23"))
>>> lsd_1p.is_analogue, lsd_1p.neighbours[0].similarity, lsd_1p.neighbours[0].via  # LSD
(True, 1.0, 'compared as its deacylated parent')
"""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache, cached_property, lru_cache, partial
from pathlib import Path
from typing import TYPE_CHECKING

import rdkit  # the version only (rdkit.Chem is imported when first used)

from subsmatch import startup
from subsmatch.lazy import lazy
from subsmatch.matchers import classes as classes_module
from subsmatch.matchers.classes import CLASSES_FILE, drug_classes, read_curated
from subsmatch.reference.lists import CONTROLLING_KINDS, Reference
from subsmatch.substances import structures
from subsmatch.substances.structures import StructureKeys, keys_of

if TYPE_CHECKING:
    import numpy as np
    from rdkit import Chem, DataStructs
    from rdkit.Chem import rdFingerprintGenerator

    from subsmatch.matchers import difference
else:  # imported when first used: an index whose assessments are stored searches nothing
    np = lazy("numpy")
    Chem = lazy("rdkit.Chem")
    DataStructs = lazy("rdkit.DataStructs")
    rdFingerprintGenerator = lazy("rdkit.Chem.rdFingerprintGenerator")
    difference = lazy("subsmatch.matchers.difference")

CURATED = Path(__file__).resolve().parents[1] / "reference" / "curated"
THRESHOLDS_CSV = CURATED / "analogue_thresholds.csv"
LOOKALIKES_CSV = CURATED / "lookalikes.csv"
SCORE = "mean Tanimoto of Morgan-2 and atom-pair counts"
DESCRIBE_FROM = 0.5  # below this similarity the MCS is slow and its wording says little
NEIGHBOURS = 3  # neighbours a verdict names

# Acyl groups that prodrugs carry on a controlled parent: (SMARTS, index of the atom that keeps
# the bond's parent side, index of the acyl carbon). An N-acyl on an aromatic nitrogen (indole
# N1 of 1P-LSD) and an O-acyl on a phenol (4-AcO-DMT); amides of aliphatic amines are not
# cleaved (melatonin is not a prodrug of a controlled amine).
PRODRUG_ACYLS = (
    ("[n]-[CX3](=[OX1])[#6]", 0, 1),
    ("c-[OX2]-[CX3](=[OX1])[#6]", 1, 2),
)
VIA_PARENT = "compared as its deacylated parent"

FINGERPRINT_BITS = 2048
FINGERPRINTS = ("morgan2", "atompair")  # the count fingerprints of a score, in this order


@cache
def _generators() -> dict[str, Callable[[Chem.Mol], DataStructs.UIntSparseIntVect]]:
    """Each fingerprint's maker (made when a structure is first fingerprinted)."""
    morgan = rdFingerprintGenerator.GetMorganGenerator(radius=2, fpSize=FINGERPRINT_BITS)
    pairs = rdFingerprintGenerator.GetAtomPairGenerator(fpSize=FINGERPRINT_BITS)
    return {"morgan2": morgan.GetCountFingerprint, "atompair": pairs.GetCountFingerprint}


@cache
def _prodrug_acyls() -> tuple[tuple[Chem.Mol, int, int], ...]:
    return tuple((Chem.MolFromSmarts(s), keep, acyl) for s, keep, acyl in PRODRUG_ACYLS)


@dataclass(frozen=True)
class StructureClass:
    """A coarse drug class: SMARTS patterns (any may match) and its calibrated threshold."""

    name: str
    patterns: tuple[Chem.Mol, ...]
    threshold: float

    def matches(self, mol: Chem.Mol) -> bool:
        return not self.patterns or any(mol.HasSubstructMatch(p) for p in self.patterns)


@dataclass(frozen=True)
class Lookalike:
    """A known non-controlled substance that resembles controlled ones."""

    name: str
    smiles: str
    inchikey: str
    connectivity: str
    flat: bool  # drawn without stereo: covers its stereoisomers
    category: str
    note: str

    def __str__(self) -> str:
        return f"{self.category} {self.name}"


@dataclass(frozen=True)
class Neighbour:
    """A controlled reference structure close to the query.

    ``difference`` runs an MCS (a few milliseconds, at most 20) the first time it is read.
    """

    substance_id: str
    name: str
    smiles: str
    similarity: float  # the score: mean of the per-fingerprint similarities
    by_fingerprint: tuple[tuple[str, float], ...]
    lists: tuple[str, ...]  # "NL: Opiumwet List I", in force on the index date
    structure_class: str
    query_smiles: str
    via: str = ""  # how the query was compared when not as given (VIA_PARENT)

    @property
    def jurisdictions(self) -> frozenset[str]:
        """Where it is controlled (of the index's jurisdictions, on its date)."""
        return frozenset(item.split(":")[0] for item in self.lists)

    @cached_property
    def difference(self) -> str:
        """From the neighbour to the query, in words ("" below DESCRIBE_FROM)."""
        if self.similarity < DESCRIBE_FROM:
            return ""
        return _difference(self.query_smiles, self.smiles)


@dataclass(frozen=True)
class AnalogueFinding:
    """The similarity evidence for one structure.

    ``is_analogue`` and ``reason`` speak of the nearest neighbour in any jurisdiction of the
    index; whether the structure is an analogue for given jurisdictions is
    :meth:`analogue_in`.
    """

    is_analogue: bool
    structure_class: str
    threshold: float
    neighbours: tuple[Neighbour, ...]  # the NEIGHBOURS nearest, nearest first
    lookalike: str | None  # why it is a known non-controlled look-alike
    reason: str
    fingerprint: str = SCORE
    # the nearest structure controlled in each jurisdiction whose nearest is not among
    # ``neighbours``, when at or above the threshold (and that of its own class: below, it
    # makes no analogue anywhere), nearest first; one may be the nearest of several
    nearest_elsewhere: tuple[Neighbour, ...] = ()

    @property
    def compared(self) -> tuple[Neighbour, ...]:
        """Every neighbour kept: the nearest, then the nearest of the other jurisdictions."""
        return self.neighbours + self.nearest_elsewhere

    def analogue_in(self, reach: Collection[str]) -> bool:
        """Whether the structure is an analogue for these jurisdictions: the nearest structure
        controlled in one of them is at or above the threshold (a look-alike never is)."""
        return self.lookalike is None and any(
            n.similarity >= self.threshold and not reach.isdisjoint(n.jurisdictions)
            for n in self.compared
        )


def finding_key(keys: StructureKeys) -> tuple[str, str, str]:
    """What an assessment reads of the query's keys: its structure, InChIKey and skeleton."""
    return keys.smiles, keys.inchikey, keys.connectivity


@cache
def load_classes(path: Path = THRESHOLDS_CSV) -> tuple[StructureClass, ...]:
    """The drug classes (``matchers.classes``) in priority order, with their thresholds."""
    thresholds = {row["class"]: float(row["threshold"]) for row in read_curated(path)}
    return tuple(StructureClass(c.name, c.patterns, thresholds[c.name]) for c in drug_classes())


def lookalike_of(
    keys: StructureKeys, lookalikes: tuple[Lookalike, ...] | None = None
) -> Lookalike | None:
    """The known look-alike the structure is (a flat entry covers its stereoisomers), if any."""
    return next(
        (
            x
            for x in (load_lookalikes() if lookalikes is None else lookalikes)
            if x.inchikey == keys.inchikey or (x.flat and x.connectivity == keys.connectivity)
        ),
        None,
    )


@cache
def load_lookalikes(path: Path = LOOKALIKES_CSV) -> tuple[Lookalike, ...]:
    """The curated look-alikes with their structure keys, kept in the start-up cache (their
    standardisation is a quarter of a second): made from the table, by this code and the
    standardiser's, with this RDKit."""
    return startup.kept(
        "lookalikes",
        [path, Path(__file__), Path(structures.__file__)],
        partial(_lookalikes, path),
        extra=[str(path.resolve()), rdkit.__version__],
    )


def _lookalikes(path: Path) -> tuple[Lookalike, ...]:
    found = []
    for row in read_curated(path):
        keys = keys_of(row["smiles"])
        found.append(
            Lookalike(
                row["name"],
                row["smiles"],
                keys.inchikey,
                keys.connectivity,
                not keys.has_stereo,
                row["category"],
                row["note"],
            )
        )
    return tuple(found)


def classify(mol: Chem.Mol, classes: Iterable[StructureClass]) -> StructureClass:
    """The first class whose patterns match.

    >>> classify(Chem.MolFromSmiles("CNC(C)C(=O)c1ccc(C)cc1"), load_classes()).name
    'cathinone'
    >>> classify(Chem.MolFromSmiles("CCC(=O)N(c1ccccc1)C1CCN(CCc2ccccc2)CC1"), load_classes()).name
    'fentanyl'
    """
    return next(c for c in classes if c.matches(mol))


def fingerprints(mol: Chem.Mol) -> dict[str, DataStructs.UIntSparseIntVect]:
    return {name: make(mol) for name, make in _generators().items()}


def deacylated(mol: Chem.Mol) -> Chem.Mol | None:
    """The parent a prodrug releases: every PRODRUG_ACYLS group cleaved (None: there is none).

    >>> Chem.MolToSmiles(deacylated(Chem.MolFromSmiles("CC(=O)Oc1cccc2[nH]cc(CCN(C)C)c12")))
    'CN(C)CCc1c[nH]c2cccc(O)c12'
    >>> deacylated(Chem.MolFromSmiles("COc1ccc2[nH]cc(CCNC(C)=O)c2c1")) is None  # melatonin
    True
    """
    bonds = {
        tuple(sorted((match[keep], match[acyl])))
        for pattern, keep, acyl in _prodrug_acyls()
        for match in mol.GetSubstructMatches(pattern)
    }
    if not bonds:
        return None
    edit = Chem.RWMol(mol)
    for a, b in bonds:
        edit.RemoveBond(a, b)
        for atom in (edit.GetAtomWithIdx(a), edit.GetAtomWithIdx(b)):
            if atom.GetIsAromatic() and atom.GetSymbol() == "N":
                atom.SetNumExplicitHs(atom.GetNumExplicitHs() + 1)
    parent = edit.GetMol()
    try:
        Chem.SanitizeMol(parent)
    except ValueError:  # RDKit's sanitisation errors: no parent rather than a failed check
        return None
    return max(Chem.GetMolFrags(parent, asMols=True), key=lambda m: m.GetNumHeavyAtoms())


@dataclass(frozen=True)
class Similarities:
    """A query against every member: per fingerprint, combined, and which used the parent."""

    per_fingerprint: dict[str, np.ndarray]
    combined: np.ndarray
    via_parent: np.ndarray  # bool: the score is that of the deacylated parent


class CountMatrix:
    """Count fingerprints as the rows of one matrix, for Tanimoto of a query against them all.

    The count Tanimoto, sum(min(a, b)) / (sum(a) + sum(b) - sum(min(a, b))), needs only the
    query's non-zero bits: the same value as RDKit's ``BulkTanimotoSimilarity`` on count
    vectors (integer sums, one division), without a Python object per comparison.

    >>> gen = rdFingerprintGenerator.GetMorganGenerator(radius=2, fpSize=2048)
    >>> fps = [gen.GetCountFingerprint(Chem.MolFromSmiles(s)) for s in ("CCO", "CCN", "c1ccccc1")]
    >>> query = gen.GetCountFingerprint(Chem.MolFromSmiles("CCCO"))
    >>> CountMatrix(fps).tanimoto(query).tolist() == DataStructs.BulkTanimotoSimilarity(query, fps)
    True
    >>> CountMatrix([]).tanimoto(query).tolist()  # nothing controlled to compare with
    []
    """

    def __init__(self, fingerprints: Sequence[DataStructs.UIntSparseIntVect]) -> None:
        self.counts = np.zeros((len(fingerprints), FINGERPRINT_BITS), dtype=np.uint32)
        for row, fp in enumerate(fingerprints):
            for bit, count in fp.GetNonzeroElements().items():
                self.counts[row, bit] = count
        self.totals = self.counts.sum(axis=1, dtype=np.int64)

    def tanimoto(self, fp: DataStructs.UIntSparseIntVect) -> np.ndarray:
        elements = fp.GetNonzeroElements()
        bits = np.fromiter(elements.keys(), dtype=np.intp, count=len(elements))
        counts = np.fromiter(elements.values(), dtype=np.int64, count=len(elements))
        common = np.minimum(self.counts[:, bits], counts).sum(axis=1, dtype=np.int64)
        union = self.totals + counts.sum() - common
        return np.divide(common, union, out=np.zeros(len(union)), where=union > 0)


class AnalogueIndex:
    """Controlled structures in force on ``as_of`` (None: today), fingerprinted once.

    ``exclude`` drops substances by id (for leave-one-out evaluation).
    """

    def __init__(
        self,
        reference: Reference,
        as_of: date | None = None,
        jurisdictions: tuple[str, ...] | None = None,
        exclude: Iterable[str] = (),
        classes: tuple[StructureClass, ...] | None = None,
        lookalikes: tuple[Lookalike, ...] | None = None,
    ) -> None:
        self.as_of = as_of
        self._given = (classes, lookalikes)  # None: the curated ones, loaded when first used
        excluded = set(exclude)
        self.members = []
        self.lists: list[tuple[str, ...]] = []
        for record in reference.substances.values():
            if not record.smiles or record.substance_id in excluded:
                continue
            entries = [
                e
                for e in reference.entries(record.substance_id, jurisdictions, as_of)
                if e.kind in CONTROLLING_KINDS
            ]
            if entries:
                self.members.append(record)
                self.lists.append(tuple(sorted({f"{e.jurisdiction}: {e.list}" for e in entries})))
        self.known: Mapping[tuple[str, str, str], AnalogueFinding] = {}

    def __len__(self) -> int:
        return len(self.members)

    def knowing(self, known: Mapping[tuple[str, str, str], AnalogueFinding]) -> AnalogueIndex:
        """The same index, with these assessments (of :data:`NEIGHBOURS` neighbours, keyed by
        :func:`finding_key`) worked out before: an assessment of one of them is read, not
        searched."""
        index = copy.copy(self)
        index.known = known
        return index

    @cached_property
    def classes(self) -> tuple[StructureClass, ...]:
        return self._given[0] if self._given[0] is not None else load_classes()

    @cached_property
    def lookalikes(self) -> tuple[Lookalike, ...]:
        return self._given[1] if self._given[1] is not None else load_lookalikes()

    def digest(self) -> str:
        """What the assessments depend on in the index: its members (in order: ties keep the
        first), their structures, names and lists on the index date, the classes and
        thresholds, the look-alikes. Equal digests give equal assessments.

        The curated classes and look-alikes count by what they are made from (their files,
        the code that reads them, the standardiser that keys the look-alikes), so that a
        digest needs neither made (a check's start-up standardises no look-alike).
        """
        classes, lookalikes = self._given
        parts = [
            *(
                f"{m.substance_id}\t{m.name}\t{m.smiles}\t{lists}"
                for m, lists in zip(self.members, self.lists, strict=True)
            ),
            *(
                (
                    _file_digest(f)
                    for f in (THRESHOLDS_CSV, CLASSES_FILE, Path(classes_module.__file__))
                )
                if classes is None
                else (
                    f"{c.name}\t{c.threshold!r}\t{[Chem.MolToSmarts(p) for p in c.patterns]}"
                    for c in classes
                )
            ),
            *(
                (_file_digest(f) for f in (LOOKALIKES_CSV, Path(structures.__file__)))
                if lookalikes is None
                else (repr(x) for x in lookalikes)
            ),
        ]
        return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]

    # the fingerprints are made when a structure is first searched: an index whose every
    # assessment is known never makes them
    @cached_property
    def mols(self) -> list[Chem.Mol]:
        return [Chem.MolFromSmiles(m.smiles) for m in self.members]

    @cached_property
    def fingerprints(self) -> dict[str, CountMatrix]:
        return {
            name: CountMatrix([make(mol) for mol in self.mols])
            for name, make in _generators().items()
        }

    @cached_property
    def connectivity(self) -> np.ndarray:
        return np.array([m.connectivity for m in self.members])

    @cached_property
    def tie_rank(self) -> np.ndarray:
        """Each member's place by name (then id): members of equal similarity are listed in
        this order, the same whatever else the reference holds."""
        order = sorted(
            range(len(self.members)),
            key=lambda i: (self.members[i].name.casefold(), self.members[i].substance_id),
        )
        rank = np.empty(len(order), dtype=np.int64)
        rank[order] = np.arange(len(order))
        return rank

    def nearest_first(self, score: np.ndarray) -> np.ndarray:
        """Member indices by ``score``, highest first, equal scores by :attr:`tie_rank`."""
        return np.lexsort((self.tie_rank, -score))

    @cached_property
    def member_class(self) -> list[str]:
        return [classify(mol, self.classes).name for mol in self.mols]

    @cached_property
    def controlled_in(self) -> dict[str, np.ndarray]:
        """Per jurisdiction (sorted), which members it controls (bool per member)."""
        codes = [{item.split(":")[0] for item in lists} for lists in self.lists]
        return {
            code: np.array([code in mine for mine in codes], dtype=bool)
            for code in sorted(set().union(*codes))
        }

    def scores(self, mol: Chem.Mol) -> dict[str, np.ndarray]:
        """Similarity of ``mol`` to every member, per fingerprint."""
        return {
            name: self.fingerprints[name].tanimoto(fp) for name, fp in fingerprints(mol).items()
        }

    def similarities(self, mol: Chem.Mol) -> Similarities:
        """Scores of ``mol``, or of its deacylated parent where that scores higher."""
        per_fp = self.scores(mol)
        combined = np.mean(list(per_fp.values()), axis=0)
        via = np.zeros(len(combined), dtype=bool)
        parent = deacylated(mol)
        if parent is not None:
            parent_fp = self.scores(parent)
            parent_combined = np.mean(list(parent_fp.values()), axis=0)
            via = parent_combined > combined
            combined = np.where(via, parent_combined, combined)
            per_fp = {n: np.where(via, parent_fp[n], v) for n, v in per_fp.items()}
        return Similarities(per_fp, combined, via)

    def lookalike_of(self, keys: StructureKeys) -> Lookalike | None:
        return lookalike_of(keys, self.lookalikes)

    def assess(self, keys: StructureKeys, k: int = NEIGHBOURS) -> AnalogueFinding:
        """Nearest ``k`` controlled neighbours (never the query's own skeleton) and the flag."""
        if k == NEIGHBOURS and (known := self.known.get(finding_key(keys))) is not None:
            return known
        mol = Chem.MolFromSmiles(keys.smiles)
        structure_class = classify(mol, self.classes)
        found = self.similarities(mol)
        per_fp, score = found.per_fingerprint, found.combined.copy()
        score[self.connectivity == keys.connectivity] = -1.0  # itself, stereoisomers, isotopes
        top = [int(i) for i in self.nearest_first(score)[:k] if score[i] >= 0]

        def neighbour(i: int) -> Neighbour:
            return Neighbour(
                substance_id=self.members[i].substance_id,
                name=self.members[i].name,
                smiles=self.members[i].smiles,
                similarity=round(float(score[i]), 3),
                by_fingerprint=tuple((n, round(float(s[i]), 3)) for n, s in per_fp.items()),
                lists=self.lists[i],
                structure_class=self.member_class[i],
                query_smiles=keys.smiles,
                via=VIA_PARENT if found.via_parent[i] else "",
            )

        neighbours = tuple(neighbour(i) for i in top)
        best = neighbours[0].similarity if neighbours else 0.0
        threshold = structure_class.threshold
        nearest = (neighbour(i) for i in self._nearest_elsewhere(score, top))
        elsewhere = tuple(n for n in nearest if n.similarity >= self.bar(n, threshold))
        lookalike = self.lookalike_of(keys)
        if lookalike:
            reason = f"known non-controlled look-alike: {lookalike} ({lookalike.note})"
        elif not neighbours:
            reason = "no controlled structure to compare with"
        else:
            relation = ">=" if best >= threshold else "<"
            via = f", {neighbours[0].via}" if neighbours[0].via else ""
            reason = (
                f"nearest controlled substance {neighbours[0].name}: similarity {best:.2f} "
                f"{relation} {threshold:.2f} ({structure_class.name} threshold{via})"
            )
        return AnalogueFinding(
            is_analogue=lookalike is None and bool(neighbours) and best >= threshold,
            structure_class=structure_class.name,
            threshold=threshold,
            neighbours=neighbours,
            lookalike=str(lookalike) if lookalike else None,
            reason=reason,
            nearest_elsewhere=elsewhere,
        )

    def bar(self, neighbour: Neighbour, threshold: float) -> float:
        """The similarity at which the nearest structure of another jurisdiction is kept: the
        query's class threshold and that of the neighbour's own class. A structure of another
        class says little at a low class threshold (estradiol is 0.43 like levorphanol, and
        the steroid threshold is 0.39; the opioid one 0.76)."""
        own = next(c.threshold for c in self.classes if c.name == neighbour.structure_class)
        return max(threshold, own)

    def _nearest_elsewhere(self, score: np.ndarray, top: list[int]) -> list[int]:
        """The member nearest by ``score`` (>= 0) in each jurisdiction none of ``top`` is
        controlled in (the first by :attr:`tie_rank` on a tie), nearest first: ``top``, the
        nearest overall, already holds the nearest of the others."""
        found: set[int] = set()
        for mask in self.controlled_in.values():
            if mask[top].any():
                continue
            scores = np.where(mask, score, -1.0)
            if (high := scores.max()) >= 0:
                ties = np.flatnonzero(scores == high)
                found.add(int(ties[np.argmin(self.tie_rank[ties])]))
        return sorted(found, key=lambda i: (-score[i], self.tie_rank[i]))


def _file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@lru_cache(maxsize=4096)
def _difference(query_smiles: str, neighbour_smiles: str) -> str:
    return difference.describe_difference(
        Chem.MolFromSmiles(query_smiles), Chem.MolFromSmiles(neighbour_smiles)
    )
