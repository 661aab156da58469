"""Check and explain: which substance a query names, whether and where it is controlled.

The rules both front ends follow: no jurisdiction given means all of them, codes in any case,
each once; a check is recorded with the versions that made it; the drawing of a query puts it
beside its nearest controlled neighbour, the first of its verdict's analogues, else the one
:meth:`~subsmatch.matchers.checker.Checker.nearest` finds on the verdict's date.

>>> jurisdictions(["nl", "DE", "NL"])
('NL', 'DE')
>>> jurisdictions([]) == JURISDICTIONS
True
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import date

from sqlalchemy import Engine

from subsmatch.errors import InvalidRequest
from subsmatch.matchers.checker import Checker
from subsmatch.matchers.verdict import Verdict, verdict_to_dict
from subsmatch.reference.lists import JURISDICTIONS, load
from subsmatch.reports.depict import pair_svg, svg
from subsmatch.store.checks import record_checks
from subsmatch.vocabulary import Status, VerdictJSON

__all__ = [
    "JURISDICTIONS",
    "Checked",
    "Checker",
    "Explanation",
    "check",
    "data_version",
    "explain",
    "jurisdictions",
    "record",
    "reference_lists",
]

LEGEND_UNSAFE = re.compile(r"[<>&\"'\x00-\x1f]")


def jurisdictions(codes: Iterable[str]) -> tuple[str, ...]:
    """The jurisdictions asked for: all when none is given; raises :class:`InvalidRequest`."""
    chosen = tuple(dict.fromkeys(code.upper() for code in codes))
    if not chosen:
        return JURISDICTIONS
    unknown = [code for code in chosen if code not in JURISDICTIONS]
    if unknown:
        raise InvalidRequest(
            f"unknown jurisdiction {', '.join(unknown)}; choose from {', '.join(JURISDICTIONS)}",
            option="jurisdiction",
        )
    return chosen


@dataclass(frozen=True)
class Checked:
    """The verdicts of some queries, and their ``check --json`` objects, in query order."""

    verdicts: list[Verdict]
    rows: list[VerdictJSON]

    @property
    def invalid(self) -> bool:
        """Some query was malformed (a structure that cannot be read, a wrong CAS number)."""
        return any(v.resolution.invalid_input for v in self.verdicts)

    @property
    def unresolved(self) -> bool:
        """Some query named no known substance."""
        return any(row["status"] == Status.UNRESOLVED for row in self.rows)


def check(
    checker: Checker, texts: list[str], codes: Iterable[str] = (), as_of: date | None = None
) -> Checked:
    """Resolve and judge ``texts`` in the jurisdictions ``codes`` (all when empty) on ``as_of``."""
    verdicts = checker.check(texts, jurisdictions(codes), as_of)
    return Checked(verdicts, [verdict_to_dict(v, checker.reference) for v in verdicts])


def record(engine: Engine, rows: list[VerdictJSON]) -> None:
    """Store the checks (query, answer, versions) in the database."""
    record_checks(engine, rows)


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


def data_version() -> str:
    """The version of the shipped reference data."""
    return load().version


def reference_lists() -> tuple[str, list[dict]]:
    """The reference data's version, and per list: jurisdiction, list, kind, entries, the date
    it is complete to."""
    reference = load()
    return reference.version, [asdict(info) for info in reference.lists]
