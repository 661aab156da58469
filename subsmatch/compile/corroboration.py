"""Step 4b: whether a substance's structure rests on one unreviewed drawing alone.

An unreviewed list's drawing (Global-Chem's EU NPS table: structures a contributor looked up,
with known errors, "Spice" drawn as a terpene) stands alone when no other fact contradicts it
(:mod:`subsmatch.compile.identify`). It is still one source's word: a name or CAS number the
identified rows tie to it echoes that very drawing. A structure is *vouched for* when the rows
of its substance hold a fact independent of any one drawing:

- a trusted or curated structure, or an identity vocabulary's InChIKey;
- OPSIN's reading of one of its names;
- another source's own claim heard as a witness (:mod:`subsmatch.compile.witnesses`);
- drawings (unreviewed, or from knowledge) of two provenances that agree;
- or (in :func:`subsmatch.compile.merge.merge`) another stereo form of the same skeleton that is
  itself vouched for.

Otherwise the substance carries the reason its structure is in doubt, and an answer of it is
marked uncertain (``Lookups.structure_doubt`` in :mod:`subsmatch.substances.resolve`).
"""

from __future__ import annotations

from collections.abc import Iterable

from subsmatch.compile.identify import Fact
from subsmatch.compile.records import Row
from subsmatch.compile.roles import SourceRole

INDEPENDENT = frozenset({"given:trusted", "given:curated", "inchikey", "opsin", "witness"})
"""Kinds of fact that vouch for a structure on their own."""
DRAWINGS = frozenset({"given:unreviewed", "given:from_knowledge"})
"""Kinds of fact that vouch for a structure only with a drawing of another provenance."""


def structure_doubt(
    supported: Iterable[tuple[Row, Iterable[Fact]]], roles: dict[str, SourceRole]
) -> str:
    """Why a substance's structure is in doubt ("" when it is vouched for), from the facts that
    identified each of its rows.

    >>> from subsmatch.compile.identify import Ident
    >>> drawn = Fact("given:unreviewed", Ident("NDVASEGYNIMXJL-UHFFFAOYSA-N"), "given structure")
    >>> echo = Fact("name", drawn.ident, "name 'Spice'")
    >>> eu = SourceRole("eu_nps", "gc", "control", "unreviewed", True, "en", None, "", "GC")
    >>> be = SourceRole("be", "be", "control", "none", True, "en", None, "", "BE")
    >>> rows = [(Row("eu_nps", 353, []), [drawn]), (Row("be", 7, []), [echo])]
    >>> structure_doubt(rows, {"eu_nps": eu, "be": be})
    'its structure is drawn by one unreviewed source alone (eu_nps:353)'
    >>> read = Fact("opsin", drawn.ident, "OPSIN '1-isopropyl-4-methylenebicyclo[3.1.0]hexane'")
    >>> structure_doubt(rows + [(Row("be", 8, []), [read])], {"eu_nps": eu, "be": be})
    ''
    """
    drawn_by: dict[str, str] = {}
    for row, facts in supported:
        kinds = {f.kind for f in facts}
        if kinds & INDEPENDENT:
            return ""
        if kinds & DRAWINGS:
            drawn_by.setdefault(roles[row.source].origin, row.ref)
    if len(drawn_by) != 1:
        return ""
    (ref,) = drawn_by.values()
    return f"its structure is drawn by one unreviewed source alone ({ref})"
