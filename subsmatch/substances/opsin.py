"""Systematic names to structures with OPSIN (through py2opsin), one JVM per batch.

OPSIN needs Java. Where ``java`` is missing everything else still works: :func:`names_to_smiles`
returns no structures and warns once, naming the fix.

CAS index names are inverted ("Benzeneethanamine, 4-bromo-2,5-dimethoxy-"); OPSIN reads the
uninverted form:

>>> uninvert_cas_name("Benzeneethanamine, 4-bromo-2,5-dimethoxy-")
'4-bromo-2,5-dimethoxy-benzeneethanamine'
>>> uninvert_cas_name("1-Propanone, 2-(methylamino)-1-(3-methylphenyl)-, hydrochloride")
'2-(methylamino)-1-(3-methylphenyl)-1-propanone'
>>> uninvert_cas_name("Morphinan, 3-methoxy-17-methyl-, (9α,13α,14α)-")
'(9α,13α,14α)-3-methoxy-17-methyl-morphinan'
>>> uninvert_cas_name("Cocaine")
'Cocaine'
"""

from __future__ import annotations

import logging
import re
import shutil
import tempfile
import warnings
from collections.abc import Iterable, Sequence
from functools import cache
from pathlib import Path

log = logging.getLogger(__name__)

JAVA_MISSING_HINT = (
    "Java was not found, so systematic names are not converted to structures (OPSIN). "
    "Install a Java runtime (Debian/Ubuntu: apt-get install default-jre-headless) to enable it."
)

_INVERTED = re.compile(r"^(?P<parent>[^,]+?), (?P<prefix>.+?-)(?:, (?P<modifier>.+))?$")
_STEREO_MODIFIER = re.compile(r"^\(.+\)-$|^(?:cis|trans|[RSEZ]|[dl]|\([+-]\))-$")
_FIRST_CAPITAL = re.compile(r"^([^A-Za-z]*)([A-Z])")


def uninvert_cas_name(name: str) -> str:
    """Turn a CAS index name into an ordinary name.

    A stereo modifier moves to the front; any other modifier (a salt, "monohydrate") is dropped.
    """
    match = _INVERTED.match(name.strip())
    if not match:
        return name.strip()
    parent = _FIRST_CAPITAL.sub(lambda m: m[1] + m[2].lower(), match["parent"], count=1)
    modifier = match["modifier"] or ""
    stereo = modifier if _STEREO_MODIFIER.match(modifier) else ""
    return f"{stereo}{match['prefix']}{parent}"


@cache
def java_available() -> bool:
    """True when a Java runtime is on PATH; warns once when it is not."""
    if shutil.which("java"):
        return True
    warnings.warn(JAVA_MISSING_HINT, RuntimeWarning, stacklevel=2)
    return False


def _one_line(name: str) -> str:
    return " ".join(name.split())


def names_to_smiles(names: Sequence[str]) -> list[str | None]:
    """Convert names with one OPSIN run; None where OPSIN cannot parse a name.

    The result is aligned with ``names``. Without Java every entry is None.
    """
    if not names:
        return []
    if not java_available():
        return [None] * len(names)
    from py2opsin import py2opsin

    lines = [_one_line(name) or "-" for name in names]
    with tempfile.TemporaryDirectory(prefix="subsmatch-opsin-") as tmp, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = py2opsin(lines, tmp_fpath=str(Path(tmp) / "names.txt"))
    if not result or len(result) != len(lines):
        log.warning("OPSIN returned no usable output for a batch of %d names", len(lines))
        return [None] * len(names)
    return [smiles or None for smiles in result]


def first_parsable(candidates: Iterable[Sequence[str]]) -> list[tuple[str, str] | None]:
    """For each group of alternative spellings, the first (spelling, SMILES) OPSIN parses.

    All spellings of all groups go to OPSIN in one batch.
    """
    groups = [list(dict.fromkeys(group)) for group in candidates]
    flat = [spelling for group in groups for spelling in group]
    parsed = dict(zip(flat, names_to_smiles(flat), strict=True))
    return [
        next(((s, parsed[s]) for s in group if parsed.get(s)), None) for group in groups
    ]
