"""The held-out evaluation rows: read into the shipped reference, left out of the evaluation
build.

Like a model fitted on all data after validation, the shipped reference
(``python -m subsmatch.compile``, written to ``reference/data``) reads every row. A deterministic
20% of two vocabularies is held out of the *evaluation build*
(``python -m subsmatch.compile --hold-out``, written to :data:`EVALUATION_DATA`), on which
``benchmarks/names_eval.py`` measures name resolution on names that build never saw:

- the DrugBank open vocabulary (``source="drugbank"``), one key per entry: its DrugBank ID;
- ``street_names.csv`` (``source="street_names"``), one key per (name, substance label) pair:
  :func:`street_key`. All rows of one pair (several regions, several sources) fall on the same
  side, so a held-out street name never leaks in through a sister row.

The split depends only on the source and the key (a SHA-256 of both), never on the order of the
file or on the code that normalises names at query time.

>>> is_held_out(DRUGBANK, "DB00001") == is_held_out(DRUGBANK, "DB00001")
True
>>> street_key("  Pink  Cocaine ", "mixture sold as 'pink cocaine'")
"pink cocaine|mixture sold as 'pink cocaine'"
>>> is_held_out("belgium_legal_gui", "anything")  # other sources are never held out
False
"""

from __future__ import annotations

import hashlib
import unicodedata
from pathlib import Path

DRUGBANK = "drugbank"
STREET_NAMES = "street_names"
HELD_OUT_SOURCES = frozenset({DRUGBANK, STREET_NAMES})
HELD_OUT_PERCENT = 20
# where the evaluation build goes by default (``build/`` of the checkout; never shipped)
EVALUATION_DATA = Path(__file__).resolve().parents[2] / "build" / "reference-held-out"


def street_key(name: str, substance: str) -> str:
    """The key of a street-name row: its name normalised (NFKC, case-folded, single spaces)
    joined by ``|`` to the substance label as the file writes it."""
    normalised = " ".join(unicodedata.normalize("NFKC", name).casefold().split())
    return f"{normalised}|{substance.strip()}"


def is_held_out(source: str, key: str) -> bool:
    """True when the row with this key is held out of the reference (20% of each held-out
    source; rows of any other source are never held out)."""
    if source not in HELD_OUT_SOURCES:
        return False
    digest = hashlib.sha256(f"{source}\x00{key}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % 100 < HELD_OUT_PERCENT
