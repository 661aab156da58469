"""What the checker reads instead of working out, per reference structure, written in one go.

Rule matches (:mod:`reference_matches`), which SMILES are their own standard form
(:mod:`reference_parents`) and the analogue assessments (:mod:`reference_analogues`). Each table
records what it was made with and is not used when anything differs, so a stale table only
makes checks slower; this command makes them current again:

    .venv/bin/python -m subsmatch.matchers.precompute   # after a compile, or an edit of a rule
                                                        # file, a class, threshold or look-alike
"""

from __future__ import annotations

import sys

from subsmatch.matchers import reference_analogues, reference_matches, reference_parents
from subsmatch.matchers.generic import RuleBook
from subsmatch.reference.lists import Reference, load


def write(reference: Reference) -> dict[str, int]:
    """The tables derived from the reference structures alone (the compiler writes the rule
    matches itself); rows written per table."""
    return {
        reference_parents.FILE_NAME: reference_parents.write(reference),
        reference_analogues.FILE_NAME: reference_analogues.write(reference),
    }


def main() -> int:
    reference = load()
    written = {reference_matches.FILE_NAME: reference_matches.write(reference, RuleBook())}
    written.update(write(reference))
    for name, rows in written.items():
        print(f"wrote {reference.data_dir / name}: {rows} structures")
    return 0


if __name__ == "__main__":
    sys.exit(main())
