"""Identifier syntax: CAS registry numbers and the kind of a free-text query.

>>> normalise_cas("000058-08-2")
'58-08-2'
>>> is_cas("50-36-2"), is_cas("50-36-3")
(True, False)
>>> query_kind("InChI=1S/CH4/h1H4"), query_kind("50-36-2"), query_kind("CN1CCC[C@H]1c1cccnc1")
('inchi', 'cas', 'smiles')
>>> query_kind("MDMA"), query_kind("XLYOFNOQVPJJNP-UHFFFAOYSA-N"), query_kind("Ethanol")
('name', 'inchikey', 'name')
"""

from __future__ import annotations

import re
from typing import Literal

QueryKind = Literal["inchi", "inchikey", "cas", "molfile", "smiles", "name"]

_CAS = re.compile(r"^0*(\d{2,7})-(\d{2})-(\d)$")
_INCHIKEY = re.compile(r"^[A-Z]{14}-[A-Z]{10}-[A-Z]$")
# Characters that only occur in SMILES, never in names: ring-bond digits glued to atoms,
# brackets, '=' and '#' bonds, '@' stereo, aromatic lower-case atoms after uppercase ones.
_SMILES_CHARS = re.compile(r"^[A-Za-z0-9@+\-\[\]()=#$/\\%.:*]+$")
_SMILES_HINT = re.compile(r"[=#@\[\]()]|[cnosp]1|C\d|c\d|N\d|O\d|^C+$")
# Outside bracket atoms, SMILES has lower-case letters only for aromatic atoms and in Cl, Br.
_NON_SMILES_LOWER = re.compile(r"[adefghijklmqrtuvwxyz]")


def cas_check_digit_ok(body: str, check: str) -> bool:
    """The CAS check digit: the digits right to left, weighted 1, 2, 3 ..., sum mod 10."""
    digits = body[::-1]
    return sum((i + 1) * int(d) for i, d in enumerate(digits)) % 10 == int(check)


def normalise_cas(text: str) -> str | None:
    """The canonical CAS number (leading zeros stripped), or None when it is no valid CAS."""
    match = _CAS.match(text.strip())
    if not match:
        return None
    first, second, check = match.groups()
    if not cas_check_digit_ok(first + second, check):
        return None
    return f"{int(first)}-{second}-{check}"


def is_cas(text: str) -> bool:
    """True for a syntactically valid CAS number whose check digit is right."""
    return normalise_cas(text) is not None


def looks_like_cas(text: str) -> bool:
    """True when the text has the shape of a CAS number, whether or not its check digit is right."""
    return bool(_CAS.match(text.strip()))


def looks_like_smiles(text: str) -> bool:
    """A heuristic that errs towards 'name': SMILES has no spaces and uses SMILES-only syntax.

    >>> looks_like_smiles("CC(=O)Oc1ccccc1C(=O)O"), looks_like_smiles("2C-B")
    (True, False)
    >>> looks_like_smiles("CCO")
    False
    >>> looks_like_smiles("(S)-amphetamine"), looks_like_smiles("ClC(Br)c1ccccc1")
    (False, True)
    >>> looks_like_smiles("p12p3p1p23")  # white phosphorus, as RDKit writes it
    True
    """
    text = text.strip()
    if not text or " " in text or not _SMILES_CHARS.match(text):
        return False
    bare = re.sub(r"\[[^\]]*\]|Cl|Br", "", text)
    if _NON_SMILES_LOWER.search(bare):
        return False
    return bool(_SMILES_HINT.search(text)) and not text.isalpha()


_ORGANIC_ATOMS_ONLY = re.compile(r"(?:Cl|Br|[BCNOPSFI]|[bcnops])+")


def organic_atoms_only(text: str) -> bool:
    """True when the text is nothing but organic-subset atom symbols, so it may be a SMILES of
    letters only that :func:`looks_like_smiles` leaves to the names ('CCCCCCCCCO').

    >>> organic_atoms_only("CCCCCCCCCO"), organic_atoms_only("ClCCBr"), organic_atoms_only("Kokain")
    (True, True, False)
    """
    return bool(_ORGANIC_ATOMS_ONLY.fullmatch(text))


def query_kind(text: str) -> QueryKind:
    """Classify a query by its syntax alone (no lookup)."""
    stripped = text.strip()
    if stripped.startswith("InChI="):
        return "inchi"
    if "\n" in stripped and "M  END" in stripped:
        return "molfile"
    if _INCHIKEY.match(stripped):
        return "inchikey"
    if looks_like_cas(stripped):
        return "cas"
    if looks_like_smiles(stripped):
        return "smiles"
    return "name"
