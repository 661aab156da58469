"""Step 1, read: one reader per source family, each yielding
:class:`~subsmatch.compile.records.Row`.

``READERS`` names every source table with its reader; each table has a role in
``curated/source_roles.csv`` (checked by :func:`read_all`). The readers of the held-out sources
(:mod:`subsmatch.compile.holdout`) read every row by default and leave the held-out rows out
when asked (``hold_out``: the evaluation build).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from subsmatch.compile.read import (
    belgium,
    china,
    curated,
    dea,
    federal_register,
    germany,
    globalchem,
    luxembourg,
    netherlands,
    precursors,
    un,
    us_chemicals,
    vocabulary,
)
from subsmatch.compile.records import Row
from subsmatch.compile.roles import CURATED, SourceRole

Reader = Callable[[Path], Iterator[Row]]

READERS: tuple[tuple[str, Reader], ...] = (
    (belgium.SOURCE, belgium.read),
    (globalchem.US, globalchem.read_us),
    (globalchem.EU_NPS, globalchem.read_eu_nps),
    (dea.ORANGE_BOOK, dea.read_orange_book),
    (dea.DOPE_SYNONYMS, dea.read_dope_synonyms),
    (dea.SLANG, dea.read_slang),
    (dea.DOPE_LOOKUP, dea.read_dope_lookup),
    (dea.DOD, dea.read_dod),
    (germany.SOURCE, germany.read),
    (netherlands.BASELINE, netherlands.read_baseline),
    (netherlands.CHANGES, netherlands.read_changes),
    (luxembourg.SOURCE, luxembourg.read),
    (china.LISTS, china.read_lists),
    (china.PRECURSORS, china.read_precursors),
    (china.CHANGES, china.read_changes),
    (precursors.EU_ANNEX, precursors.read_eu_annex),
    (precursors.EU_DESIGNER, precursors.read_eu_designer),
    (precursors.UN_TABLES, precursors.read_un_tables),
    (un.SOURCE, un.read),
    (us_chemicals.SOURCE, us_chemicals.read),
    (federal_register.SOURCE, federal_register.read),
    (vocabulary.DRUGBANK_SOURCE, vocabulary.read_drugbank),
    (vocabulary.STREET_SOURCE, vocabulary.read_street_names),
    (vocabulary.PRECURSOR_NAMES, vocabulary.read_precursor_names),
    (vocabulary.LABEL_STRUCTURES, vocabulary.read_label_structures),
    (curated.COMMON, curated.read_common),
    (curated.EXCLUSIONS, curated.read_exclusions),
    (curated.DESCRIBED, curated.read_described_listings),
    (curated.REMOVALS, curated.read_removals),
    (curated.PRODUCTS, curated.read_products),
)


# the readers that take ``hold_out`` (the sources of :data:`holdout.HELD_OUT_SOURCES`)
HOLDING_OUT: dict[str, Callable[..., Iterator[Row]]] = {
    vocabulary.DRUGBANK_SOURCE: vocabulary.read_drugbank,
    vocabulary.STREET_SOURCE: vocabulary.read_street_names,
}


class MissingSource(ValueError):
    """A source table the build needs is not where the roles file says."""


def folder_of(role: SourceRole, sources: Path) -> Path:
    return CURATED if role.folder == "curated" else sources / role.folder


def read_all(sources: Path, roles: dict[str, SourceRole], hold_out: bool = False) -> list[Row]:
    """Every row of every source table, in the order of ``READERS``; with ``hold_out``, without
    the held-out rows (the evaluation build, :mod:`subsmatch.compile.holdout`)."""
    known = {source for source, _reader in READERS}
    if missing := sorted(known - roles.keys()):
        raise MissingSource(f"no role in source_roles.csv for: {', '.join(missing)}")
    if extra := sorted(roles.keys() - known):
        raise MissingSource(f"source_roles.csv names tables no reader reads: {', '.join(extra)}")
    rows: list[Row] = []
    for source, reader in READERS:
        folder = folder_of(roles[source], sources)
        if not folder.is_dir():
            raise MissingSource(
                f"{folder} not found (source {source}); pass the folder holding sources/"
            )
        if source in HOLDING_OUT:
            rows.extend(HOLDING_OUT[source](folder, hold_out=hold_out))
        else:
            rows.extend(reader(folder))
    return rows
