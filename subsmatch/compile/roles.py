"""Source roles as data: what each source table is and how far its structures are trusted
(``curated/source_roles.csv``; the columns are explained at the top of that file)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

CURATED = Path(__file__).with_name("curated")
ROLES = ("identity", "control", "notices", "synonyms", "grouping", "street", "vocabulary")
TRUST = ("trusted", "unreviewed", "from_knowledge", "none")


@dataclass(frozen=True)
class SourceRole:
    source: str
    folder: str
    role: str
    structures: str
    names_are_identity: bool
    language: str
    snapshot: str | None
    note: str
    provenance: str = ""  # who compiled the table: tables copied from one another share it

    @property
    def origin(self) -> str:
        """The table's provenance (its folder when none is given): one witness per origin."""
        return self.provenance or self.folder

    @property
    def makes_substances(self) -> bool:
        """Rows of identity, control and notice tables stand for substances of their own; the
        names of the other tables belong to a substance found elsewhere."""
        return self.role in ("identity", "control", "notices")


def read_csv_comments(path: Path) -> list[dict[str, str]]:
    """Rows of a curated CSV; lines starting with '#' are comments."""
    with path.open(encoding="utf-8", newline="") as handle:
        lines = [line for line in handle if not line.startswith("#")]
    rows = []
    for number, row in enumerate(csv.DictReader(lines, restkey="__extra__"), start=2):
        if "__extra__" in row or None in row.values():
            raise ValueError(
                f"{path.name}: data row {number} does not have the header's {len(row) - 1} "
                "columns (quote cells holding commas)"
            )
        rows.append({k: (v or "").strip() for k, v in row.items()})
    return rows


def load_roles(path: Path = CURATED / "source_roles.csv") -> dict[str, SourceRole]:
    """Every source table's role, checked: an unknown role or trust level is an error."""
    roles = {}
    for row in read_csv_comments(path):
        if row["role"] not in ROLES or row["structures"] not in TRUST:
            raise ValueError(
                f"{path.name}: {row['source']}: role {row['role']!r} "
                f"or structures {row['structures']!r} unknown"
            )
        roles[row["source"]] = SourceRole(
            row["source"],
            row["folder"],
            row["role"],
            row["structures"],
            row["names_are_identity"] == "yes",
            row["language"],
            row["snapshot"] or None,
            row["note"],
            row["provenance"],
        )
    return roles
