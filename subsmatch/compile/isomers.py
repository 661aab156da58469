"""Step 1c, keep isomers apart: a name a control list gives as a positional isomer of an entry
names another substance, whatever table binds it to the entry.

The DEA list prints, after an entry's other names, "(Positional Isomers: ...)": compounds
controlled as its positional isomers (21 CFR 1300.01). Tables derived from it took these for names
of the entry (DOPE's tidy synonyms put MDMB under MDE, Aleph-2 under 2C-T-4, 4-MeO-DMT under
5-MeO-DMT; the DoD list MDMB under MDEA). A row that names the entry, by one of its names or by its
label, keeps none of the entry's isomers' names; each name taken off is reported.
"""

from __future__ import annotations

from collections import defaultdict

from subsmatch.compile.merge import Dropped
from subsmatch.compile.read.text import name_and_aliases
from subsmatch.compile.records import Row
from subsmatch.substances.names import name_key


def _own_keys(row: Row) -> set[str]:
    """The keys of what a row calls its substance: its names and its label's names."""
    label = name_and_aliases(row.label) if row.label else []
    return {name_key(text) for text in [*(n.text for n in row.names), *label]}


def keep_isomers_apart(rows: list[Row]) -> tuple[list[Row], list[Dropped]]:
    """The rows without the names of their substance's listed isomers, and what was taken off.

    A row left with no name, listing or note says nothing more and is not kept.

    >>> from subsmatch.compile.records import Name
    >>> entry = Row("dea", 17, [Name("MDE"), Name("MDEA")], isomers=["MDMB"])
    >>> derived = Row("dod", 191, [Name("MDMB"), Name("N-ethyl MDA")], label="MDEA")
    >>> isomer = Row("dea", 17, [Name("MDMB")])
    >>> kept, dropped = keep_isomers_apart([entry, derived, isomer])
    >>> [n.text for n in kept[1].names], [n.text for n in kept[2].names]
    (['N-ethyl MDA'], ['MDMB'])
    >>> dropped[0].reason
    'dea:17 gives it as a positional isomer of MDE: another substance'
    """
    isomers_of: dict[str, set[str]] = defaultdict(set)
    entry_of: dict[str, Row] = {}
    for entry in (r for r in rows if r.isomers):
        for key in _own_keys(entry):
            isomers_of[key] |= {name_key(n) for n in entry.isomers}
            entry_of[key] = entry
    dropped: list[Dropped] = []
    for row in rows:
        own = _own_keys(row) & isomers_of.keys()
        banned = {isomer: key for key in own for isomer in isomers_of[key]}
        taken = [n for n in row.names if name_key(n.text) in banned]
        if not taken:
            continue
        row.names = [n for n in row.names if n not in taken]
        for name in taken:
            entry = entry_of[banned[name_key(name.text)]]
            dropped.append(
                Dropped(
                    row.ref,
                    f"name {name.text!r}",
                    entry.first_name,
                    f"{entry.ref} gives it as a positional isomer of {entry.first_name}: "
                    "another substance",
                )
            )
    return [r for r in rows if r.names or r.listings or r.note], dropped
