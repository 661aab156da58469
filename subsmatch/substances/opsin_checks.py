"""Why a structure OPSIN read from a name may be wrong: checks on the name and on the reading.

OPSIN parses what it is given and answers without a doubt, also where the name leaves room:
it reads a lowercase d- (dextrorotatory) as a D- configuration or as deuterium, fills a
missing locant by its own rules (fluoroamphetamine becomes N-fluoroamphetamine), numbers a
trivial parent its own way (3,6-diacetylmorphine gets C-acetyl groups where heroin has
O-acetyl), reads a code as a chemical name (HexEn as hexene) and keeps the largest of several
components it read. Each check is a small class with a key and an explanation, gathered in
one registry list (in the manner of the ChEMBL structure checker); a check that applies does
not change the reading, it makes it uncertain and says why. The word lists the checks use
are kept in ``data/opsin_risks.csv``.

>>> doubts("4-fluoroamphetamine", "CC(N)Cc1ccc(F)cc1")
()
>>> doubts("fluoroamphetamine", "CC(NF)Cc1ccccc1")
('missing locant: OPSIN placed fluoro by its own rules',)
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from rdkit import Chem

from subsmatch.substances.names import casefold, greek_letters, nfkc, unify_punctuation

_DATA = Path(__file__).with_name("data")


def _words() -> dict[str, tuple[str, ...]]:
    with (_DATA / "opsin_risks.csv").open(encoding="utf-8", newline="") as fh:
        return {row["kind"]: tuple(row["words"].split()) for row in csv.DictReader(fh)}


WORDS = _words()


def _alternation(words: tuple[str, ...]) -> str:
    """Longest first; an -oxy prefix never as the start of -oxyl (carboxylic, hydroxyl)."""
    return "|".join(
        f"{w}(?!l)" if w.endswith("oxy") else w for w in sorted(words, key=len, reverse=True)
    )


def _plain(name: str) -> str:
    """The name as the checks read it: one case, plain dashes, Greek letters as words."""
    return greek_letters(casefold(unify_punctuation(nfkc(name))))


class Check(Protocol):
    key: str
    explanation: str

    def found(self, name: str, smiles: str) -> str | None:
        """A note when the check applies to this name and reading, else None."""
        ...


class _Noting:
    key: str
    explanation: str

    def note(self, **values: str) -> str:
        """The note of this check: its key and its explanation, filled in."""
        return f"{self.key}: {self.explanation.format(**values)}"


@dataclass(frozen=True)
class StereoLetter(_Noting):
    """A lowercase d-, l- or dl- prefix: an optical rotation, not a configuration."""

    key: str = "stereo letter"
    explanation: str = (
        "OPSIN reads d-/l- as D/L configurations or ignores them; d (dextrorotatory) is not D"
    )
    pattern: re.Pattern[str] = re.compile(r"(?<![A-Za-z0-9])(?:dl|d,l|d|l)-(?=[A-Za-z0-9(\[])")

    def found(self, name: str, smiles: str) -> str | None:
        return self.note() if self.pattern.search(name) else None


_MULTIPLIER = r"(?:mono|di|tri|tetra|penta|hexa|hepta|octa|bis|tris)"
_LOCANT_TOKEN = (
    r"(?:\d+[a-z]?'*(?:alpha|beta)?(?:\(\d+\))?|[a-z]\d*'*|alpha|beta|gamma|delta|epsilon|omega"
    r"|ortho|meta|para)"
)
_LOCANTS = re.compile(rf"{_LOCANT_TOKEN}(?:,{_LOCANT_TOKEN})*")
_TRANSPARENT = frozenset({"sec", "tert", "iso", "neo", "cis", "trans"})
_TOKEN_BEFORE_HYPHEN = re.compile(r"([0-9a-z',]+(?:\(\d+\))?)-$")  # 2, n,n, 4', 8(14)


def _locanted(before: str) -> bool:
    """True when the text before a prefix ends in a locant and a hyphen (4-, N,N-, 4'-, o-)."""
    while m := _TOKEN_BEFORE_HYPHEN.search(before):
        token = m[1]
        if token not in _TRANSPARENT:
            return bool(_LOCANTS.fullmatch(token))
        before = before[: m.start()]
    return False


@dataclass(frozen=True)
class MissingLocant(_Noting):
    """A substituent prefix without a locant where its place is not obvious."""

    key: str = "missing locant"
    explanation: str = "OPSIN placed {prefix} by its own rules"
    prefix: re.Pattern[str] = re.compile(  # not inside another word (nitrogen, chloroform,
        rf"({_MULTIPLIER}?)({_alternation(WORDS['substituent'])})"  # ethylene)
        r"(?!gen|us|form|ene|idene|idyne)"
    )
    single_site: re.Pattern[str] = re.compile(rf"(?:{_alternation(WORDS['single_site'])})")
    symmetric: re.Pattern[str] = re.compile(rf"(?:{_alternation(WORDS['symmetric_parent'])})")
    term_start: re.Pattern[str] = re.compile(r"(?<![a-z)\]}])(?=[a-z])")

    def found(self, name: str, smiles: str) -> str | None:
        """The first prefix of each term needs a locant before it unless what follows places
        it; when it has none, so does each prefix glued after it (dimethylaminophenyl...)."""
        text = _plain(name)
        for start in self.term_start.finditer(text):
            if _locanted(text[: start.start()]):  # a term after a bracket carries its
                continue  # substituent, whose locant is outside ([(2-chlorophenyl)carbonyl]amino)
            position = start.start()
            while m := self.prefix.match(text, position):
                if not self._placed(m, text[m.end() :]):
                    return self.note(prefix=m[2])
                position = m.end()
        return None

    def _placed(self, m: re.Match[str], rest: str) -> bool:
        """Whether what follows the prefix leaves it one place: nothing (an ester's alkyl
        word; a bracketed substituent's end), a one-site group or parent (methylamino,
        dimethylamine), or one substituent on a parent whose positions are all alike
        (chlorobenzene)."""
        if not rest or rest[0] in " ([)]}":
            return True
        rest = rest[1:] if rest[:1] == "-" and rest[1:2].isalpha() else rest  # hexyl-benzene
        if self.single_site.match(rest):
            return True
        return not m[1] and bool(self.symmetric.match(rest))


@dataclass(frozen=True)
class UnplacedAcidDerivative(_Noting):
    """ "X acid amide" of an acid with several acid groups, without a locant: OPSIN chooses
    which group the amide (hydrazide, ester) is made of (glutamic acid amide: glutamine or
    isoglutamine)."""

    key: str = "unplaced acid derivative"
    explanation: str = "no locant says which acid group the {word} is made of; OPSIN chose one"
    word: re.Pattern[str] = re.compile(r"\bacid,?\s+(?:mono)?(amide|hydrazide|ester)\b")

    def found(self, name: str, smiles: str) -> str | None:
        m = self.word.search(_plain(name))
        if m is None or not (mol := Chem.MolFromSmiles(smiles)):
            return None
        return self.note(word=m[1]) if mol.HasSubstructMatch(_SALT_ACID) else None


@dataclass(frozen=True)
class TrivialParent(_Noting):
    """Prefixes or locants on a trivial parent that OPSIN numbers its own way."""

    key: str = "trivial parent"
    explanation: str = "substituents on '{parent}' are placed by OPSIN's numbering of it"
    pattern: re.Pattern[str] = re.compile(  # a prefix before the parent, a locant after it
        rf"[a-z0-9)\]]-?({_alternation(WORDS['trivial_parent'])})(?![a-z])"
        rf"|(?<![a-z])({_alternation(WORDS['trivial_parent'])})-(?=[a-z0-9])"
    )
    unprimed: re.Pattern[str] = re.compile(
        rf"(?<![0-9'])\d+(?![0-9'a-z]).*?({_alternation(WORDS['primed_parent'])})(?![a-z])"
    )

    def found(self, name: str, smiles: str) -> str | None:
        text = _plain(name)
        if m := self.pattern.search(text) or self.unprimed.search(text):
            return self.note(parent=m[m.lastindex or 1])
        return None


@dataclass(frozen=True)
class TrivialPrefix(_Noting):
    """A trivial substituent name: sulfanilamido (OPSIN reads another isomer), anisyl."""

    key: str = "trivial prefix"
    explanation: str = "'{prefix}' is a trivial substituent name; OPSIN often reads another isomer"
    pattern: re.Pattern[str] = re.compile(rf"({_alternation(WORDS['trivial_prefix'])})")

    def found(self, name: str, smiles: str) -> str | None:
        if m := self.pattern.search(_plain(name)):
            return self.note(prefix=m[1])
        return None


def _components(smiles: str) -> list[Chem.Mol]:
    """The components of a reading of several, largest first; [] for a reading of one."""
    mol = Chem.MolFromSmiles(smiles) if "." in smiles else None
    if mol is None:
        return []
    return sorted(Chem.GetMolFrags(mol, asMols=True), key=lambda p: -p.GetNumHeavyAtoms())


_HYDROXY = Chem.MolFromSmarts("[OX2H][#6]")
_ACID = Chem.MolFromSmarts("[CX3](=O)[OX2H1,OX1-]")
ESTER_FORMS = frozenset(
    {"phosphate", "succinate", "salicylate", "sulfate", "hemisulfate", "nitrate", "fumarate"}
)
"""Form words of acids that also make esters (alpha-tocopherol succinate, pyridoxal phosphate)."""
ESTER_WORDS = ESTER_FORMS | frozenset(WORDS["ester_acid"])
"""Acid words that after an alcohol's name make the name of its ester: the form words above and
the carboxylates that are no salt words (testosterone undecanoate, drostanolone propionate)."""
_BASIC_N = Chem.MolFromSmarts("[NX3;!$(N-[C,S,P]=[O,S,N]);!$(N-a);!$(N#*);!$(N=*)]")
_SALT_ACID = Chem.MolFromSmarts("[$([CX3](=O)[OX2H1,OX1-]),$([P,S](=O)[OX2H1,OX1-])]")


_ALCOHOL = Chem.MolFromSmarts("[OX2H][#6;!$([#6]=[O,S,N])]")  # not an acid's own OH


def _salt_base(mol: Chem.Mol) -> bool:
    """An amine that makes salts with an acid word: a basic nitrogen, unless the molecule
    has an acid group of its own and an alcohol (a hydroxy amino acid's amine is taken by
    its own acid: "serine phosphate" is phosphoserine, an ester, as often as a salt; an amino
    acid without an alcohol has nothing to esterify: tianeptine sulfate is a salt).

    >>> [_salt_base(Chem.MolFromSmiles(s)) for s in ("CNC(C)Cc1ccccc1", "NC(CO)C(=O)O")]
    [True, False]
    >>> _salt_base(Chem.MolFromSmiles("NC(C)C(=O)O"))
    True
    """
    if not mol.HasSubstructMatch(_BASIC_N):
        return False
    return not (mol.HasSubstructMatch(_SALT_ACID) and mol.HasSubstructMatch(_ALCOHOL))


@dataclass(frozen=True)
class EsterOrSalt(_Noting):
    """An "X acetate" of an alcohol names an ester; OPSIN reads the salt of two components. An
    acid that also makes ordinary salts (phosphate, sulfate) names an ester only of an alcohol
    without an amine (thiamine's hydroxyethylthiazole phosphate; not morphine sulfate)."""

    key: str = "ester or salt"
    explanation: str = "'{word}' may name an ester of the alcohol; OPSIN read a salt of two parts"
    word: re.Pattern[str] = re.compile(  # or any carboxylate named -oate (10-undecenoate)
        rf"\s(?:di|tri)?({_alternation(tuple(ESTER_WORDS))}|[a-z0-9,-]*oate)$"
    )

    def found(self, name: str, smiles: str) -> str | None:
        m = self.word.search(_plain(name))
        if m is None or not (parts := _components(smiles)):
            return None
        kept, others = parts[0], parts[1:]
        if not kept.HasSubstructMatch(_HYDROXY):
            return None
        salt_word = m[1] in ESTER_FORMS
        if salt_word and _salt_base(kept):
            return None
        acid = _SALT_ACID if salt_word else _ACID
        return self.note(word=m[1]) if any(p.HasSubstructMatch(acid) for p in others) else None


_CLASS_GROUPS = {
    "alcohol": Chem.MolFromSmarts("[CX4][OX2H1]"),
    "aldehyde": Chem.MolFromSmarts("[CX3H1](=O)[#6,#1]"),
    "ketone": Chem.MolFromSmarts("[#6][CX3](=O)[#6]"),
    "ester": Chem.MolFromSmarts(  # of any oxo acid (carboxylic, carbamic, phosphoric, sulfonic)
        "[!#1][OX2][$([#6X3]=[O,S]),$([#15]=[O,S]),$([#16](=O)=O),$([#7+](=O)[O-])]"
    ),  # and any alcohol, silanols too (trimethylsilyl esters)
    "ether": Chem.MolFromSmarts("[#6][OX2][#6]"),
}


@dataclass(frozen=True)
class FunctionalClassMissing(_Noting):
    """A functional class name ("lauroyl alcohol", "methyl ethyl ketone") whose class the
    reading lacks: OPSIN read the words another way (lauroyl alcohol as lauric acid)."""

    key: str = "functional class"
    explanation: str = "the name says {word}, OPSIN's reading has none"
    word: re.Pattern[str] = re.compile(rf"\s({'|'.join(_CLASS_GROUPS)})$")

    def found(self, name: str, smiles: str) -> str | None:
        m = self.word.search(_plain(name).strip())
        if m is None or not (mol := Chem.MolFromSmiles(smiles)):
            return None
        return None if mol.HasSubstructMatch(_CLASS_GROUPS[m[1]]) else self.note(word=m[1])


@dataclass(frozen=True)
class UnstatedEsterCount(_Noting):
    """An ester of an acid with several acid groups named without saying how many carry the
    alkyl ("ethyl phosphate": mono-, di- or triethyl phosphate); OPSIN chose one."""

    key: str = "ester count"
    explanation: str = "'{name}' does not say how many of the acid's groups are esterified"
    pattern: re.Pattern[str] = re.compile(
        r"^([a-z]+yl)\s(phosphate|phosphite|sulfate|sulphate|carbonate|borate|silicate)$"
    )

    def found(self, name: str, smiles: str) -> str | None:
        text = _plain(name).strip()
        m = self.pattern.match(text)
        if m is None or re.match(rf"{_MULTIPLIER}", m[1]):
            return None
        return self.note(name=text)


_HYPERVALENT_SH = Chem.MolFromSmarts("[#16;H1,H2;v4,v6]")


@dataclass(frozen=True)
class HypervalentSulfurHydride(_Noting):
    """A sulfur with hydrogen at valence 4 or 6 ([SH](=O)=O): no isolable substance, OPSIN's
    reading of an anion or radical name it could not build ("dioxidosulfanyl")."""

    key: str = "sulfur valence"
    explanation: str = "OPSIN drew a sulfur with hydrogen at valence 4 or 6, which no substance has"

    def found(self, name: str, smiles: str) -> str | None:
        mol = Chem.MolFromSmiles(smiles)
        return self.note() if mol is not None and mol.HasSubstructMatch(_HYPERVALENT_SH) else None


@dataclass(frozen=True)
class CodeLike(_Noting):
    """A word with a capital inside (HexEn, 4-HO-MiPT): a code, not a systematic name."""

    key: str = "code"
    explanation: str = (
        "the name looks like a code (a capital inside a word); OPSIN read it as a chemical name"
    )
    pattern: re.Pattern[str] = re.compile(r"(?<![A-Za-z0-9])[A-Z]?[a-z]+[A-Z]")  # not 4aS

    def found(self, name: str, smiles: str) -> str | None:
        return self.note() if self.pattern.search(name) else None


SALT_CATIONS = frozenset({"Li", "Na", "K", "Rb", "Cs", "Mg", "Ca", "Sr", "Ba"})
"""Metals whose salts are ordinary salts of the other part (naproxen sodium); any other metal in
a name (iron, zinc, antimony, gadolinium) is part of what the substance is."""
_NON_METALS = frozenset(
    {"H", "He", "B", "C", "N", "O", "F", "Ne", "Si", "P", "S", "Cl", "Ar", "As", "Se", "Br",
     "Kr", "Te", "I", "Xe", "At", "Rn"}
)  # fmt: skip


def _salt_partner(part: Chem.Mol) -> bool:
    """A part that can make a salt with another: an acid, a base, or an ion."""
    return (
        part.HasSubstructMatch(_SALT_ACID)
        or part.HasSubstructMatch(_BASIC_N)
        or any(atom.GetFormalCharge() for atom in part.GetAtoms())
    )


def _lone_metal(parts: list[Chem.Mol]) -> bool:
    """A metal read as an uncharged atom of its own ("vitamin C sodium": ascorbic acid and
    sodium metal): the salt or compound the name means was not built."""
    return any(
        p.GetNumAtoms() == 1
        and (atom := p.GetAtomWithIdx(0)).GetSymbol() not in _NON_METALS
        and not atom.GetFormalCharge()
        for p in parts
    )


@dataclass(frozen=True)
class LostComponents(_Noting):
    """Several components read, one kept, where the lost ones are more than a salt's
    counter-ion: charges that do not balance, an organic part lost for an inorganic one, a metal
    other than a salt's cation (iron, zinc, antimony: the metal is part of the substance), a
    metal read as an uncharged atom (no salt was built), an
    inorganic anion kept for a metal, or an organic part that is neither acid nor base (no salt:
    a part of the name read as a molecule of its own, as in
    "uridine-5'-diphosphate-xylopyranose")."""

    key: str = "components"
    explanation: str = "OPSIN read several components ({parts}); only the largest is kept"

    def found(self, name: str, smiles: str) -> str | None:
        if not (parts := _components(smiles)):
            return None
        charge = sum(atom.GetFormalCharge() for part in parts for atom in part.GetAtoms())
        organic = [any(a.GetSymbol() == "C" for a in p.GetAtoms()) for p in parts]
        metals = {a.GetSymbol() for p in parts[1:] for a in p.GetAtoms()} - _NON_METALS
        balanced = charge == 0 and (organic[0] or not any(organic))
        metal_kept_apart = bool(metals - SALT_CATIONS) or (bool(metals) and not organic[0])
        no_salt = any(
            o and not _salt_partner(p) for p, o in zip(parts[1:], organic[1:], strict=True)
        )
        if balanced and not metal_kept_apart and not no_salt and not _lone_metal(parts[1:]):
            return None
        shown = ", ".join(Chem.MolToSmiles(p) for p in parts[:3])
        return self.note(parts=shown)


_OPEN_SUGAR = (  # an aldose or a ketose drawn as its open chain
    Chem.MolFromSmarts("[CX3H1](=O)[CX4H1]([OX2H1])[CX4H1][OX2H1]"),
    Chem.MolFromSmarts("[CX3](=O)([CX4H2][OX2H1])[CX4H1]([OX2H1])[CX4H1][OX2H1]"),
)
_FREE_ANOMER = Chem.MolFromSmarts("[CX4;R]([OX2H1])[OX2;R][#6;R]")  # a ring hemiacetal


@dataclass(frozen=True)
class OpenChainSugar(_Noting):
    """A sugar's trivial name read as its open chain, which a substance rarely is."""

    key: str = "open-chain sugar"
    explanation: str = (
        "OPSIN drew the sugar as its open chain; the substance is usually a ring form"
    )
    said: re.Pattern[str] = re.compile(r"aldehydo|keto-|open|linear|acyclic")

    def found(self, name: str, smiles: str) -> str | None:
        if self.said.search(_plain(name)) or not (mol := Chem.MolFromSmiles(smiles)):
            return None
        return self.note() if any(mol.HasSubstructMatch(p) for p in _OPEN_SUGAR) else None


@dataclass(frozen=True)
class GlycosideWithoutAglycone(_Noting):
    """A glycoside ("-oside") read with a free anomeric hydroxy: what it is bound to is lost."""

    key: str = "glycoside"
    explanation: str = (
        "the name is a glycoside, the reading a free sugar: OPSIN lost what it is bound to"
    )
    word: re.Pattern[str] = re.compile(r"osides?\b")

    def found(self, name: str, smiles: str) -> str | None:
        if not self.word.search(_plain(name)) or not (mol := Chem.MolFromSmiles(smiles)):
            return None
        return self.note() if mol.HasSubstructMatch(_FREE_ANOMER) else None


def ester_or_salt(forms: tuple[str, ...], smiles: str) -> str | None:
    """A note when a name's salt word may name an ester of the answer instead: the word is an
    acid that makes esters, and the answer has a hydroxy group and no amine to make a salt.

    >>> ester_or_salt(("succinate",), "Cc1c(C)c2c(c(C)c1O)CCC(C)(CCCC(C)C)O2") is not None
    True
    >>> codeine = "COc1ccc2C[C@H]3N(C)CC[C@@]45[C@@H](Oc1c24)[C@@H](O)C=C[C@@H]35"
    >>> ester_or_salt(("phosphate",), codeine)  # an amine: a salt
    >>> ester_or_salt(("phosphate",), "N[C@@H](CO)C(=O)O") is not None  # phosphoserine?
    True
    >>> ester_or_salt(("hydrochloride",), "OCCc1ccccc1")
    """
    words = ESTER_WORDS.intersection(forms)
    if not words or not (mol := Chem.MolFromSmiles(smiles)):
        return None
    if not mol.HasSubstructMatch(_HYDROXY) or _salt_base(mol):
        return None
    return (
        f"ester or salt: '{sorted(words)[0]}' may name an ester of this substance (it has a "
        "hydroxy group and no amine free to make a salt); the answer is the substance itself"
    )


CHECKS: list[Check] = [
    StereoLetter(),
    MissingLocant(),
    UnplacedAcidDerivative(),
    TrivialParent(),
    TrivialPrefix(),
    CodeLike(),
    LostComponents(),
    EsterOrSalt(),
    OpenChainSugar(),
    GlycosideWithoutAglycone(),
    FunctionalClassMissing(),
    UnstatedEsterCount(),
    HypervalentSulfurHydride(),
]


def doubts(name: str, smiles: str) -> tuple[str, ...]:
    """Why OPSIN's reading ``smiles`` of ``name`` may be wrong: one note per check that
    applies; () when none does."""
    return tuple(note for check in CHECKS if (note := check.found(name, smiles)))
