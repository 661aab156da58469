"""Explain: one query's whole reasoning, and its drawing beside its nearest neighbour.

The drawing rule both front ends follow: the query's structure beside its nearest controlled
neighbour, the first of its verdict's analogues, else the one
:meth:`~subsmatch.matchers.checker.Checker.nearest` finds on the verdict's date; alone when
nothing is controlled to compare with; no drawing for a name without a structure.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from subsmatch.matchers.checker import Checker
from subsmatch.matchers.verdict import Verdict
from subsmatch.operations.check import check
from subsmatch.reports.depict import pair_svg, svg
from subsmatch.vocabulary import VerdictJSON

LEGEND_UNSAFE = re.compile(r"[<>&\"'\x00-\x1f]")


@dataclass(frozen=True)
class Explanation:
    """One query's verdict, its ``check --json`` object, and its drawing when asked for (None:
    not asked, or no structure to draw)."""

    verdict: Verdict
    row: VerdictJSON
    drawing: str | None = None


def explain(
    checker: Checker,
    query: str,
    codes: Iterable[str] = (),
    as_of: date | None = None,
    *,
    draw: bool = False,
) -> Explanation:
    """The whole reasoning for one query; ``draw``: with the query drawn beside its nearest
    controlled neighbour (which may build the similarity index: only when asked)."""
    checked = check(checker, [query], codes, as_of)
    verdict, row = checked.verdicts[0], checked.rows[0]
    return Explanation(verdict, row, drawing(checker, verdict, row) if draw else None)


def drawing(checker: Checker, verdict: Verdict, row: VerdictJSON) -> str | None:
    """The query's structure as SVG beside its nearest controlled neighbour (alone when there
    is none); None when the query resolved to a name without a structure."""
    resolved = row["resolved"]
    smiles = resolved["smiles"] if resolved else None
    if not smiles:
        return None
    label = legend(resolved["name"]) if resolved["substance_id"] else "query"
    nearest = next(
        ((n["name"], n["smiles"], n["similarity"]) for n in row["analogues"] if n["smiles"]), None
    )
    if nearest is None and (found := checker.nearest(verdict.resolution.keys, verdict.as_of)):
        nearest = (found.name, found.smiles, found.similarity)
    if nearest is None:
        return svg([smiles], [label])
    name, other, similarity = nearest
    return pair_svg(smiles, other, label, legend(f"{name[:28]} ({similarity:.2f})"))


def legend(text: str, width: int = 36) -> str:
    """Text safe to draw as an RDKit legend inside an SVG (RDKit does not escape it).

    >>> legend("<b>A & B</b>")
    'bA  B/b'
    """
    return LEGEND_UNSAFE.sub("", text)[:width]
