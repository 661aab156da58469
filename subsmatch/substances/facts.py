"""Facts that come with a query, and whether a structure agrees with them.

A report often says more than a name: a NIST MS Search hit line prints the library's formula
and CAS number beside the name. Such facts are independent of the name, so a structure read
from the name (OPSIN, the synonym table, a near-spelling) is checked against them: identity by
agreement, never by one fact alone.

The formula of a salt or hydrate names the same parent ("C17H21NO4.HCl", "C17H22ClNO4"), and a
derivatised analyte (a GC-MS TMS derivative) carries its derivative groups: both agree with
the parent structure.

>>> formula_agrees("C17H22ClNO4", "C17H21NO4"), formula_agrees("C4H6O2", "C4H8O3")
(True, False)
>>> formula_agrees("C10H20O4Si2", "C4H4O4", split_derivative("Fumaric acid, 2TMS derivative")[1])
True
"""

from __future__ import annotations

import csv
import itertools
import re
from collections import Counter
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

_DATA = Path(__file__).with_name("data")


@dataclass(frozen=True)
class QueryFacts:
    """What a report gives beside a name, as printed (either may be None)."""

    formula: str | None = None  # molecular formula, e.g. "C17H21NO4" (NIST hit lines)
    cas: str | None = None  # CAS registry number, e.g. "50-36-2"

    def __bool__(self) -> bool:
        return bool(self.formula or self.cas)


_ELEMENT = re.compile(r"([A-Z][a-z]?)(\d*)")
_PART = re.compile(r"^(\d*)((?:[A-Z][a-z]?\d*)+)$")


def parse_formula(text: str) -> Counter[str] | None:
    """Element counts of a formula such as "C17H21NO4", "C17H21NO4.HCl" or "2C2H4O2·Ca";
    None when the text is no formula.

    >>> parse_formula("cocaine") is None, dict(parse_formula("C17H21NO4·HCl"))
    (True, {'C': 17, 'H': 22, 'N': 1, 'O': 4, 'Cl': 1})
    """
    counts: Counter[str] = Counter()
    for part in re.split(r"[.·•*+]", text.replace(" ", "")):
        if not part:
            continue
        m = _PART.match(part)
        if m is None:
            return None
        times = int(m[1] or 1)
        for element, number in _ELEMENT.findall(m[2]):
            counts[element] += times * int(number or 1)
    return counts or None


# what a salt or solvate adds to its parent: an acid taken up, water
_SALT_FORMERS = tuple(
    Counter(parse_formula(f)) for f in ("HCl", "HBr", "HI", "H2O", "H2SO4", "H3PO4", "HNO3")
)
_MOST_OF_EACH = (3, 2, 2, 6, 1, 1, 1)


@cache  # made when first asked: 2,000 combinations are no work for start-up
def salt_differences() -> frozenset[frozenset[tuple[str, int]]]:
    """What a salt or solvate may add to its parent's formula (nothing included)."""
    differences = set()
    for times in itertools.product(*(range(n + 1) for n in _MOST_OF_EACH)):
        total: Counter[str] = Counter()
        for former, n in zip(_SALT_FORMERS, times, strict=True):
            for element, count in former.items():
                total[element] += n * count
        differences.add(frozenset((+total).items()))
    return frozenset(differences)


@dataclass(frozen=True)
class Derivative:
    """A derivatisation of an analyte (GC-MS): ``count`` groups, each in place of one H."""

    group: str
    count: int

    def delta(self) -> Counter[str]:
        """What the groups add to the parent's formula."""
        delta: Counter[str] = Counter()
        for element, n in _GROUP_ADDS[self.group].items():
            delta[element] += self.count * n
        delta["H"] -= self.count
        return delta

    def __str__(self) -> str:
        return f"{self.count if self.count > 1 else ''}{self.group} derivative"


def _read_groups() -> list[dict[str, str]]:
    with (_DATA / "derivatives.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


_GROUPS = _read_groups()
_GROUP_ADDS = {row["group"]: parse_formula(row["adds"]) or Counter() for row in _GROUPS}
_GROUP_OF = {spelling: row["group"] for row in _GROUPS for spelling in row["spellings"].split("|")}
_GROUP_WORD = re.compile("|".join(map(re.escape, _GROUP_OF)), re.IGNORECASE)
_SILYL = frozenset(row["group"] for row in _GROUPS if row["silyl"])
_MULTIPLIERS = {"mono": 1, "di": 2, "bis": 2, "tri": 3, "tris": 3, "tetra": 4, "tetrakis": 4,
                "penta": 5, "pentakis": 5, "hexa": 6, "hexakis": 6, "hepta": 7, "heptakis": 7,
                "octa": 8, "octakis": 8}  # fmt: skip
_DERIVATIVE = re.compile(
    r"^(?P<parent>.+?),?\s+(?:(?P<n>\d+)|(?P<mult>"
    + "|".join(sorted(_MULTIPLIERS, key=len, reverse=True))
    + r")\(?)?\s*(?P<on>(?:\d*-?O-)?)\(?(?P<group>"
    + "|".join(re.escape(s) for s in sorted(_GROUP_OF, key=len, reverse=True))
    + r")\)?-?(?:\s+(?P<word>deriv(?:ative|\.)?|ether|ester))?(?:,?\s*\(isomer\s*\d+\))?\s*$",
    re.IGNORECASE,
)


@lru_cache(maxsize=32_768)  # a query is split for its lookup, OPSIN, fuzzy and its facts
def split_derivative(name: str) -> tuple[str, Derivative | None]:
    """The analyte's own name and its derivative, for a derivatised GC-MS hit name.

    >>> split_derivative("Morphine, 2TMS derivative")
    ('Morphine', Derivative(group='TMS', count=2))
    >>> split_derivative("Glycerol, tris(trimethylsilyl) deriv.")[1]
    Derivative(group='TMS', count=3)
    >>> split_derivative("D-Ribofuranose, tetrakis(trimethylsilyl) ether (isomer 2)")[1]
    Derivative(group='TMS', count=4)
    >>> split_derivative("Benzoic acid, methyl ester")  # a compound, not a derivative
    ('Benzoic acid, methyl ester', None)
    """
    if not _GROUP_WORD.search(name):  # a cheap look before the full pattern
        return name, None
    m = _DERIVATIVE.match(name.strip())
    if m is None or not (m["n"] or m["mult"] or m["word"] or m["on"]):
        return name, None
    group = _GROUP_OF[m["group"].lower()]
    word = (m["word"] or "").lower()
    if word in ("ether", "ester") and group not in _SILYL:  # an acyl ester is a compound
        return name, None
    count = int(m["n"]) if m["n"] else _MULTIPLIERS[m["mult"].lower()] if m["mult"] else 1
    return m["parent"].rstrip(" ,"), Derivative(group, count)


def formula_agrees(given: str, parent: str, derivative: Derivative | None = None) -> bool | None:
    """True when ``given`` is the formula of the parent structure's formula ``parent`` (with
    its derivative groups), of a salt or of a hydrate of it; None when ``given`` is no
    formula."""
    stated = parse_formula(given)
    expected = parse_formula(parent)
    if stated is None or expected is None:
        return None
    if derivative is not None:
        expected.update(derivative.delta())
    parts = (parse_formula(p) for p in re.split(r"[.·•*+]", given.replace(" ", "")) if p)
    if any(part == expected for part in parts):
        return True
    if expected - stated:
        return False
    return frozenset((stated - expected).items()) in salt_differences()
