"""Names in German, Dutch and French (with Latin INNs) spelt the English way, for OPSIN and
for matching names across languages; and the features of a name OPSIN is known to misread.

The rules are data (``curated/spelling.csv``, each with an example); so are the misreading risks
(``curated/opsin_risks.csv``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from subsmatch.compile.roles import CURATED, read_csv_comments
from subsmatch.substances.opsin import uninvert_cas_name


@dataclass(frozen=True)
class Rule:
    language: str
    pattern: re.Pattern[str]
    replacement: str
    example: str
    expected: str


@cache
def spelling_rules(path: Path = CURATED / "spelling.csv") -> dict[str, tuple[Rule, ...]]:
    rules: dict[str, list[Rule]] = {}
    for row in read_csv_comments(path):
        rule = Rule(
            row["language"],
            re.compile(row["pattern"]),
            row["replacement"],
            row["example"],
            row["expected"],
        )
        rules.setdefault(rule.language, []).append(rule)
    return {language: tuple(found) for language, found in rules.items()}


def respell(name: str, language: str) -> str:
    """The name with the language's spelling rules applied in order (unchanged for English).

    >>> respell("4-fluoramfetamine", "nl"), respell("Codeinum", "fr")
    ('4-fluoroamphetamine', 'Codeine')
    """
    for rule in spelling_rules().get(language, ()):
        name = rule.pattern.sub(rule.replacement, name)
    return name


_PARENT_STEREO = re.compile(
    r"\b\d+a?(?:α|β|alpha|beta)-(?=(?:androst|estr|pregn|cholest|gon|homo))", re.I
)
_LOCANT_STEREO = re.compile(r"(\d+)(?:α|β|alpha|beta)\b", re.I)


def without_stereo_locants(name: str) -> str:
    """A steroid-style name without its α/β descriptors, which OPSIN cannot read: the skeleton
    it then gives has no stereo (a flat structure covers every stereoisomer).

    >>> without_stereo_locants("17α-Methyl-5α-androstan-17β-ol")
    '17-Methyl-androstan-17-ol'
    """
    return _LOCANT_STEREO.sub(r"\1", _PARENT_STEREO.sub("", name))


def opsin_spellings(name: str, language: str) -> list[str]:
    """The spellings OPSIN is tried on, in order: as written and uninverted (CAS index names);
    for a name in another language, its English respelling first (OPSIN may read a German
    "-at" or "-on" name as written, and wrongly).

    >>> opsin_spellings("(1-Ethyl-3-piperidyl)benzilat", "de")[0]
    '1-Ethyl-3-piperidyl benzilate'
    """
    name = " ".join(name.replace("*", "").split())
    written = [name, uninvert_cas_name(name)]
    respelt = respell(name, language)
    spellings = [respelt, *written] if language not in ("", "en") else [*written, respelt]
    return list(dict.fromkeys([*spellings, without_stereo_locants(respelt)]))


@dataclass(frozen=True)
class Risk:
    pattern: re.Pattern[str]
    risk: str
    note: str


@cache
def opsin_risks(path: Path = CURATED / "opsin_risks.csv") -> tuple[Risk, ...]:
    return tuple(
        Risk(re.compile(row["pattern"], re.I), row["risk"], row["note"])
        for row in read_csv_comments(path)
    )


def name_risks(name: str) -> list[str]:
    """The features of a name OPSIN is known to misread (empty: none known).

    >>> name_risks("3,6-diacetylmorphine"), name_risks("d-amphetamine")
    (['substituent on a trivial alkaloid parent'], ['d-/l- prefix'])
    >>> name_risks("4-fluoroamphetamine")
    []
    """
    return [risk.risk for risk in opsin_risks() if risk.pattern.search(name)]
