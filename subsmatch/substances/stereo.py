"""Stereo descriptors a name states, and whether a structure or a name shows them.

A name may state a stereo form in many ways besides the prefixes the normaliser splits off:
"S-(+)-Citalopram", "R-Atenolol", "Flurbiprofen, (S)-" (a CAS index name), "9-X, R-Isomer",
"levo-carnitine", "cis-X", "trans X", "all-trans-retinol", "(2E,4Z)-X", "beta-D-X".
:func:`stated_stereo` splits such a name into what it states and the name of the skeleton.
The resolver then answers the substance of that skeleton (:mod:`resolve`), choosing among the
stereoisomers the reference holds by what can be shown:

- from a drawn structure: the CIP labels (RDKit's new labeller) of its specified centres and
  double bonds (:func:`shown_by_structure`): "(S)" on a structure with one centre, labelled S;
  "(R,R)" or "(1S,2S)" (all labels alike, as many as the structure has); "(E)", "all-trans";
- from the reference's own names of a stereoisomer (:func:`name_forms`): "(+)-x", "d-x",
  "dextro-x", "dex-x" state the sign + ("l", "levo", "lev" the sign -), "(s)-x" and the INN
  prefix "es-" state S ("ar-": R), "(±)-x" and "race-x" the racemate, "cis-x" and "trans-x".

A bare "R-" or "S-" may be a locant on sulfur ("S-methylcysteine"): it is read as a
descriptor only before a name that is not a substituent (no "...yl" word, no bracket).

>>> stated_stereo("S-(+)-Citalopram")
((Stated('cip', 's', 'S'), Stated('sign', '+', '(+)')), 'Citalopram')
>>> stated_stereo("Flurbiprofen, (s)-")
((Stated('cip', 's', '(s)'),), 'Flurbiprofen')
>>> stated_stereo("9-Hydroxypropyladenine, R-Isomer")
((Stated('cip', 'r', 'R'),), '9-Hydroxypropyladenine')
>>> stated_stereo("all-trans-Retinoic acid")
((Stated('all', 'e', 'all-trans'),), 'Retinoic acid')
>>> stated_stereo("levo carnitine")
((Stated('sign', '-', 'levo'),), 'carnitine')
>>> [stated_stereo(t) for t in ("S-methylcysteine", "dextromethorphan", "D-homo-x", "Prozac (R)")]
[None, None, None, None]
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import TYPE_CHECKING

from subsmatch.lazy import lazy
from subsmatch.substances.names import nfkc, unify_punctuation
from subsmatch.substances.structures import parse

if TYPE_CHECKING:
    from rdkit import Chem
    from rdkit.Chem import rdCIPLabeler
else:  # imported when a name first states a stereo form (see subsmatch.lazy)
    Chem = lazy("rdkit.Chem")
    rdCIPLabeler = lazy("rdkit.Chem.rdCIPLabeler")


@dataclass(frozen=True)
class StereoLabels:
    """The CIP labels of a structure's specified stereo, centres ("R"/"S") and double bonds
    ("E"/"Z"), and how many centres and stereo double bonds it may have, specified or not."""

    centres: tuple[str, ...]
    bonds: tuple[str, ...]
    possible_centres: int
    possible_bonds: int


@lru_cache(maxsize=4096)
def stereo_labels(smiles: str) -> StereoLabels:
    """CIP labels by RDKit's new labeller (the legacy one errs on some centres).

    >>> stereo_labels("C[C@H](N)Cc1ccccc1").centres, stereo_labels("CC(N)Cc1ccccc1")
    (('S',), StereoLabels(centres=(), bonds=(), possible_centres=1, possible_bonds=0))
    >>> stereo_labels("C/C=C/C(=O)O").bonds, stereo_labels("OC(=O)CCC(=O)O").possible_bonds
    (('E',), 0)
    """
    mol = parse(smiles)
    rdCIPLabeler.AssignCIPLabels(mol)
    centres = tuple(a.GetProp("_CIPCode") for a in mol.GetAtoms() if a.HasProp("_CIPCode"))
    bonds = tuple(b.GetProp("_CIPCode") for b in mol.GetBonds() if b.HasProp("_CIPCode"))
    kinds = [info.type for info in Chem.FindPotentialStereo(mol)]
    return StereoLabels(
        centres,
        bonds,
        sum(k != Chem.StereoType.Bond_Double for k in kinds),
        sum(k == Chem.StereoType.Bond_Double for k in kinds),
    )


@dataclass(frozen=True)
class Stated:
    """One stereo descriptor of a name: its kind, its value and the text it was written as.

    Kinds: ``cip`` (one R/S: value "r" or "s"), ``cips`` (R/S letters for several centres,
    "rs" for "(1R,2S)"), ``sign`` ("+" or "-": (+), d, dextro; (-), l, levo), ``racemic``,
    ``ez`` (one E/Z), ``ezs`` (several), ``all`` (every double bond: "e" or "z"), ``geometry``
    ("cis"/"trans" on a ring or a bond), ``anomer`` ("alpha"/"beta" before D/L).
    """

    kind: str
    value: str
    text: str

    def __repr__(self) -> str:
        return f"Stated({self.kind!r}, {self.value!r}, {self.text!r})"


_LOCANT_LETTERS = r"\d+[a-z]?'*[rsez]\*?(?:,\s?\d+[a-z]?'*[rsez]\*?)*"
_PAREN = re.compile(
    rf"(?i)^(?:[rs]\*?|rs|sr|r,s|s,r|r/s|±|\+|-|\+/-|\+-|-/\+|dl|[ez]|[rs](?:,[rs])+|{_LOCANT_LETTERS})$"
)
_LEAD = re.compile(
    r"(?i)^(?:\((?P<paren>[^()\s]{1,30})\)(?P<psep>[-\s]?)"
    r"|(?P<word>all-trans|all-cis|all-\([ez]\)|dextro|levo|racemic|rac|cis|trans|dl|d,l|d|l"
    r"|r|s|e|z|alpha|beta|α|β)(?P<sep>[-\s]+|(?=\([+\-±]\))))"
)
_TRAIL = re.compile(
    r"(?i)^(?P<rest>.*?[^\s,]),?\s+(?:\((?P<paren>[^()\s]{1,30})\)-"
    r"|(?P<iso>\(?(?:[rs]|\+|-|±)\)?|d|l|dl|cis|trans)[-\s]?(?:isomer|enantiomer|form))$"
)
# S-methylcysteine, S-adenosyl..., S-(2-aminoethyl)...: a substituent on sulfur
_SUBSTITUENT = re.compile(r"(?i)^(?:\((?![+\-±]\))|[a-z]*yl)")
_ANOMER_NEXT = re.compile(r"(?i)^[dl]-")
_SIGNS = {"+": "+", "d": "+", "dextro": "+", "-": "-", "l": "-", "levo": "-"}
_RACEMIC = frozenset({"rs", "sr", "r,s", "s,r", "r/s", "±", "+/-", "+-", "-/+", "dl", "d,l"})


def _stated(token: str) -> Stated | None:
    """The descriptor a token (without brackets) states, or None."""
    low = token.casefold().replace("*", "")
    if low in _SIGNS:
        return Stated("sign", _SIGNS[low], token)
    if low in _RACEMIC or low in ("rac", "racemic"):
        return Stated("racemic", "", token)
    if low in ("r", "s"):
        return Stated("cip", low, token)
    if low in ("e", "z"):
        return Stated("ez", low, token)
    if low in ("all-trans", "all-(e)"):
        return Stated("all", "e", token)
    if low in ("all-cis", "all-(z)"):
        return Stated("all", "z", token)
    if low in ("cis", "trans"):
        return Stated("geometry", low, token)
    if low in ("alpha", "α", "beta", "β"):
        return Stated("anomer", "alpha" if low in ("alpha", "α") else "beta", token)
    letters = "".join(c for c in re.sub(r"\d+[a-z]?'*(?=[rsez])", "", low) if c.isalpha())
    if set(letters) <= {"r", "s"} and len(letters) > 1:
        return Stated("cips", letters, token)
    if set(letters) <= {"e", "z"} and len(letters) > 1:
        return Stated("ezs", letters, token)
    if len(letters) == 1:
        return Stated("cip" if letters in "rs" else "ez", letters, token)
    return None


def _leading(text: str) -> tuple[Stated, str] | None:
    """The first descriptor of ``text`` and the rest, or None."""
    m = _LEAD.match(text)
    if not m:
        return None
    rest = text[m.end() :]
    if m["paren"] is not None:
        if not _PAREN.match(m["paren"]) or not rest:
            return None
        found = _stated(m["paren"])
        return (replace(found, text=f"({m['paren']})"), rest) if found else None
    word = m["word"].casefold()
    if word in ("r", "s") and _SUBSTITUENT.match(rest):
        return None  # a locant on sulfur or a bracketed group: S-methyl, S-(2-aminoethyl)
    if word in ("r", "s", "e", "z", "d", "l") and "-" not in m["sep"] and not rest.startswith("("):
        return None  # a lone letter as a word: "S atenolol" is no descriptor
    if word in ("d", "l") and re.match(r"(?i)(?:homo|nor)-", rest):
        return None  # steroid ring letters: D-homo-
    if word in ("alpha", "beta", "α", "β") and not _ANOMER_NEXT.match(rest):
        return None  # alpha-methyldopa: a locant, not an anomer
    found = _stated(m["word"])
    return (found, rest) if found else None


def stated_stereo(text: str) -> tuple[tuple[Stated, ...], str] | None:
    """What stereo ``text`` states and the name left without it, or None when it states none
    or nothing is left (see the module)."""
    text = " ".join(unify_punctuation(nfkc(text)).split())
    parts: list[Stated] = []
    while found := _leading(text):
        part, text = found
        parts.append(part)
    if m := _TRAIL.match(text):
        token = m["paren"] if m["paren"] is not None else m["iso"].strip("()")
        part = _stated(token) if m["paren"] is None or _PAREN.match(m["paren"]) else None
        if part:
            parts.append(replace(part, text=f"({token})") if m["paren"] else part)
            text = m["rest"]
    text = text.strip(" ,-")
    if not parts or not re.search(r"[^\W\d_]{2}", text):
        return None
    return tuple(parts), text


def shown_by_structure(stated: Stated, labels: StereoLabels) -> bool | None:
    """Whether a structure with these CIP labels has the stated form: True, False, or None when
    the structure cannot tell (signs, cis/trans, anomers; a label that may fall on any of
    several centres; stereo left unspecified). A racemate is drawn flat (the caller asks only
    of a skeleton that may have stereo, :func:`possible`).

    >>> one_s, two = StereoLabels(("S",), (), 1, 0), StereoLabels(("S", "S"), (), 2, 0)
    >>> s, r = Stated("cip", "s", "S"), Stated("cip", "r", "R")
    >>> shown_by_structure(s, one_s), shown_by_structure(r, one_s), shown_by_structure(s, two)
    (True, False, None)
    >>> [shown_by_structure(Stated("cips", v, v), two) for v in ("ss", "rs")]
    [True, False]
    >>> shown_by_structure(Stated("racemic", "", "±"), one_s)
    False
    >>> shown_by_structure(Stated("racemic", "", "±"), StereoLabels((), (), 1, 0))
    True
    >>> shown_by_structure(Stated("all", "e", "all-trans"), StereoLabels((), ("E", "E"), 0, 2))
    True
    """
    kind = stated.kind
    if kind in ("cip", "cips"):
        return _letters_shown(stated.value, labels.centres)
    if kind in ("ez", "ezs"):
        return _letters_shown(stated.value, labels.bonds)
    if kind == "all":
        if not labels.bonds:
            return None
        return all(b.casefold() == stated.value for b in labels.bonds)
    if kind == "racemic":  # sources draw a racemate flat
        return not labels.centres
    return None


def _letters_shown(letters: str, labels: tuple[str, ...]) -> bool | None:
    """R/S (or E/Z) letters stated against a structure's labels: as many, all alike, and the
    same is shown; a letter that none of the labels has, or another count of the same letters,
    is not; a mixed set (which centre is which is not known) cannot tell."""
    if not labels:
        return None
    stated = sorted(letters)
    held = sorted(label.casefold() for label in labels)
    if len(stated) == 1:
        if len(held) == 1 or set(held) == set(stated):
            return held == stated if len(held) == 1 else None
        return False if stated[0] not in held else None
    if len(stated) != len(held):
        return None
    if stated != held:
        return False
    return True if len(set(stated)) == 1 else None


_NAMED = {
    ("sign", "+"): (("(+)-{}", "d-{}", "dextro{}", "dex{}"), ("(-)-{}", "l-{}", "levo{}", "lev{}")),
    ("sign", "-"): (("(-)-{}", "l-{}", "levo{}", "lev{}"), ("(+)-{}", "d-{}", "dextro{}", "dex{}")),
    ("cip", "s"): (("(s)-{}", "es{}"), ("(r)-{}", "ar{}")),
    ("cip", "r"): (("(r)-{}", "ar{}"), ("(s)-{}", "es{}")),
    ("racemic", ""): (("(±)-{}", "race{}"), ()),
    ("geometry", "cis"): (("cis-{}",), ("trans-{}",)),
    ("geometry", "trans"): (("trans-{}",), ("cis-{}",)),
    ("ez", "e"): (("(e)-{}", "trans-{}"), ("(z)-{}", "cis-{}")),
    ("ez", "z"): (("(z)-{}", "cis-{}"), ("(e)-{}", "trans-{}")),
    ("all", "e"): (("all-trans-{}",), ("all-cis-{}",)),
    ("all", "z"): (("all-cis-{}",), ("all-trans-{}",)),
}


def possible(parts: tuple[Stated, ...], labels: StereoLabels) -> bool:
    """Whether a structure may have the stated parts at all: stereo of the kinds stated, as
    many centres or double bonds as the descriptors count ("trans-1,2-ethylenedicarboxylic
    acid" is no succinic acid, which has no stereo; "(5Z,13E)" needs two stereo double bonds).

    >>> flat, none = StereoLabels((), (), 1, 0), StereoLabels((), (), 0, 0)
    >>> possible((Stated("cip", "s", "S"),), flat), possible((Stated("geometry", "t", "t"),), none)
    (True, False)
    >>> possible((Stated("ezs", "ze", "(5Z,13E)"),), StereoLabels((), ("E",), 3, 1))
    False
    """
    centres, bonds = labels.possible_centres, labels.possible_bonds
    needed = {
        "cips": lambda part: centres >= len(part.value),
        "cip": lambda part: centres >= 1,
        "racemic": lambda part: centres >= 1,
        "anomer": lambda part: centres >= 1,
        "ezs": lambda part: bonds >= len(part.value),
        "ez": lambda part: bonds >= 1,
        "all": lambda part: bonds >= 1,
    }
    return all(needed.get(p.kind, lambda _: centres + bonds >= 1)(p) for p in parts)


def name_forms(stated: Stated, base: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Names that would state the same form of ``base`` and names that would state the other:
    the reference's names of a stereoisomer show its form. Glued INN words (dex-, lev-, es-,
    ar-, race-) only on a name that begins with a letter.

    >>> name_forms(Stated("sign", "-", "l"), "methamphetamine")[0]
    ('(-)-methamphetamine', 'l-methamphetamine', 'levomethamphetamine', 'levmethamphetamine')
    >>> name_forms(Stated("cip", "s", "S"), "4-mmc")
    (('(s)-4-mmc',), ('(r)-4-mmc',))
    """
    same, other = _NAMED.get((stated.kind, stated.value), ((), ()))

    def made(forms: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(f.format(base) for f in forms if "-" in f or base[:1].isalpha())

    return made(same), made(other)
