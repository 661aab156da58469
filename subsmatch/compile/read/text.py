"""Text helpers the readers share: CSV rows with their line numbers, name cells split into names.

>>> split_names("MDMA; Ecstasy, XTC|Adam")
['MDMA', 'Ecstasy', 'XTC', 'Adam']
>>> split_names("2,5-Dimethoxy-4-methylamphetamine")
['2,5-Dimethoxy-4-methylamphetamine']
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from pathlib import Path

from subsmatch.compile.records import Name
from subsmatch.substances.identifiers import normalise_cas


def csv_rows(path: Path, **reader_args) -> Iterator[tuple[int, dict[str, str]]]:
    """Each record of a CSV file with the line it starts on (the header is line 1), cells
    stripped, empty cells as ""."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle, **reader_args)
        start = 2
        for row in reader:
            yield start, {k: (v or "").strip() for k, v in row.items() if k}
            start = reader.line_num + 1


def cas_numbers(text: str) -> list[str]:
    """The valid CAS numbers in a cell (check digit tested); anything else is ignored.

    >>> cas_numbers("5650-44-2 (右旋体)，49656-78-2(右旋体盐酸盐)"), cas_numbers("50-36-3; n/a")
    (['5650-44-2', '49656-78-2'], [])
    """
    found = (normalise_cas(part) for part in re.findall(r"\d{2,7}-\d{2}-\d", text))
    return list(dict.fromkeys(cas for cas in found if cas))


_SPLIT_NAMES = r"\s*[;|]\s*|(?<!\b\w),\s+(?=[^\W\d_])"
_SPLIT_NAMES_AND_CODES = r"\s*[;|]\s*|(?<!\b\w),\s+(?=[^\W_])"


def split_names(text: str, before_digits: bool = False) -> list[str]:
    """Split a free-text "other names" cell at top level: commas inside chemical names, after a
    one-letter locant ("N, N-dimethyl") and inside brackets are kept. A comma before a digit
    separates names only when ``before_digits`` (a CAS index name "Benzeneethanamine,
    4-bromo-" stays whole otherwise).

    >>> split_names("Heroin (Diacetylmorphin, Diamorphin), H")
    ['Heroin (Diacetylmorphin, Diamorphin)', 'H']
    >>> split_names("N, N-Dimethylpentylon, Dipentylon")
    ['N, N-Dimethylpentylon', 'Dipentylon']
    >>> split_names("2H-tetrazole-2-ethanol, alpha-(2-chlorophenyl)-,carbamate, (alphaR)-; X")
    ['2H-tetrazole-2-ethanol, alpha-(2-chlorophenyl)-,carbamate, (alphaR)-', 'X']
    >>> split_names("4-methylamfetamine, 4-MA"), split_names("4-methylamfetamine, 4-MA", True)
    (['4-methylamfetamine, 4-MA'], ['4-methylamfetamine', '4-MA'])
    """
    separators = _SPLIT_NAMES_AND_CODES if before_digits else _SPLIT_NAMES
    parts, depth, start = [], 0, 0
    for match in re.finditer(r"[(\[]|[)\]]|" + separators, text):
        token = match[0]
        if token in "([":
            depth += 1
        elif token in ")]":
            depth = max(0, depth - 1)
        elif depth == 0:
            parts.append(text[start : match.start()])
            start = match.end()
    parts.append(text[start:])
    names: list[str] = []
    for part in (p.strip() for p in parts if p.strip()):
        if names and part.endswith("-"):
            names[-1] += ", " + part  # a CAS index name's inverted substituents ("X, alpha-(...)-")
        else:
            names.append(part)
    return [_balanced(name) for name in names]


def _balanced(name: str) -> str:
    """A name without the closing brackets it never opened ("...propan-1-one)").

    >>> _balanced("1-(4-methylphenyl)-2-(pyrrolidin-1-yl)-propan-1-one)"), _balanced("X (Y)")
    ('1-(4-methylphenyl)-2-(pyrrolidin-1-yl)-propan-1-one', 'X (Y)')
    """
    while name.endswith(")") and name.count(")") > name.count("("):
        name = name[:-1].rstrip()
    return name


def _trailing_group(text: str) -> tuple[str, str] | None:
    """Split "name (inner)" at its last top-level bracket group; None when there is none."""
    if not text.endswith((")", "]")):
        return None
    close = text[-1]
    opening = "(" if close == ")" else "["
    depth = 0
    # only the closing kind counts: "X [a-(b-(c)d]" is X and a-(b-(c)d
    for i in range(len(text) - 1, -1, -1):
        depth += {close: 1, opening: -1}.get(text[i], 0)
        if depth == 0:
            head = text[:i].rstrip()
            if not head or head[-1] in "-,([" or not text[i - 1].isspace():
                return None  # "1-(2-chlorophenyl)", "pent-4-en(yl)": one name
            return head, text[i + 1 : -1].strip()
    return None


_SLASH = re.compile(r"\s+/\s+")
NOT_NAMES = frozenset({"ester", "esters", "salt", "salts", "base", "isomer", "isomers", "racemate"})
"""Words lists put in brackets after a name that are no name of their own ("X (ester)")."""


def name_and_aliases(text: str) -> list[str]:
    """A name followed by aliases or a systematic name in brackets, and names joined by " / ",
    as lists print them: each becomes a name of its own.

    >>> name_and_aliases("4-FLUOROISOBUTYRFENTANYL (4-FIBF, pFIBF)")
    ['4-FLUOROISOBUTYRFENTANYL', '4-FIBF', 'pFIBF']
    >>> name_and_aliases("ADB-FUBINACA (N-(1-amino-3,3-dimethyl-1-oxobutan-2-yl)-1H-indazole)")
    ['ADB-FUBINACA', 'N-(1-amino-3,3-dimethyl-1-oxobutan-2-yl)-1H-indazole']
    >>> name_and_aliases("MDMA (XTC) (3,4-MethyleneDioxyMethAmphetamine)")
    ['MDMA', 'XTC', '3,4-MethyleneDioxyMethAmphetamine']
    >>> name_and_aliases("2-Fluoroamphetamine (2-FA)")
    ['2-Fluoroamphetamine', '2-FA']
    >>> name_and_aliases("GHB (sodium oxybate / 4-hydroxybutanoic acid)")
    ['GHB', 'sodium oxybate', '4-hydroxybutanoic acid']
    >>> name_and_aliases("Lasmiditan [2-fluoro-N-(6-(piperidine-4-carbonyl)pyridin-2-yl-benzamide]")
    ['Lasmiditan', '2-fluoro-N-(6-(piperidine-4-carbonyl)pyridin-2-yl-benzamide']
    >>> name_and_aliases("Cenobamate [(1R)-1-(2-chlorophenyl)-2-(tetrazol-2-yl)ethyl]carbamate")
    ['Cenobamate', '[(1R)-1-(2-chlorophenyl)-2-(tetrazol-2-yl)ethyl]carbamate']
    >>> name_and_aliases("2-(4-Bromophenyl)ethanamine"), name_and_aliases("1-(2-chlorophenyl)")
    (['2-(4-Bromophenyl)ethanamine'], ['1-(2-chlorophenyl)'])

    A bracket the list never closed still holds an alias, and "also known as" is no name:

    >>> name_and_aliases("Norclostebol (4-chloro-17beta-hydroxyestr-4-en-3-one")
    ['Norclostebol', '4-chloro-17beta-hydroxyestr-4-en-3-one']
    >>> name_and_aliases("SR-19 (Also known as RCS-4) (1-Pentyl-3-[(4-methoxy)-benzoyl] indole")
    ['SR-19', 'RCS-4', '1-Pentyl-3-[(4-methoxy)-benzoyl] indole']
    >>> name_and_aliases("1-(4-chlorophenyl-2-aminopropane")
    ['1-(4-chlorophenyl-2-aminopropane']
    """
    text = _closed(" ".join(text.replace("–", "-").split()))
    aliases: list[str] = []
    while split := _trailing_group(text):
        text, inner = split
        if "(" in inner or "[" in inner:
            parts = [inner]
        else:
            parts = [p for part in re.split(r",\s+|;\s*", inner) for p in _SLASH.split(part)]
        aliases = [_AKA.sub("", a.strip()) for a in parts if a.strip()] + aliases
    if glued := _NAME_THEN_SYSTEMATIC.match(text):  # "Cenobamate [(1R)-...ethyl]carbamate"
        text, aliases = glued[1], [glued[2], *aliases]
    heads = [h.strip() for h in _SLASH.split(text) if h.strip()]
    return heads + [a for a in aliases if a.lower() not in NOT_NAMES]


_NAME_THEN_SYSTEMATIC = re.compile(r"^([A-Za-z][\w-]*)\s+(\[.*\][a-z].*)$")
_AKA = re.compile(r"^(?:also\s+known\s+as|a\.?k\.?a\.?)\s+", re.I)


def _closed(text: str) -> str:
    """The text with its one unclosed bracket closed at the end, when that bracket opens an
    alias (a space before it): "X (Y" is "X (Y)"; an unclosed bracket inside a name is left."""
    unclosed: list[int] = []
    for i, char in enumerate(text):
        if char == "(":
            unclosed.append(i)
        elif char == ")" and unclosed:
            unclosed.pop()
    if len(unclosed) == 1 and unclosed[0] > 0 and text[unclosed[0] - 1] == " ":
        return text + ")"
    return text


def listed_names(
    text: str, language: str = "en", first: str = "preferred", rest: str = "code"
) -> list[Name]:
    """The names a list cell gives (see :func:`name_and_aliases`): the first of kind ``first``,
    its aliases of kind ``rest``.

    >>> [(n.text, n.kind) for n in listed_names("MDMA (XTC)")]
    [('MDMA', 'preferred'), ('XTC', 'code')]
    """
    return [
        Name(n, first if i == 0 else rest, language) for i, n in enumerate(name_and_aliases(text))
    ]


def strip_markdown(text: str) -> str:
    """Markdown emphasis removed (the Dutch list prints *N*-ethyl, *alfa*)."""
    return " ".join(text.replace("*", "").split())
