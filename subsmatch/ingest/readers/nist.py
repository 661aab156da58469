"""NIST MS Search results (SRCRESLT.TXT) and MSPepSearch hit lists.

The files are code page 437 ("α" is byte 0xE0) with NIST's own Greek letters: beta is 0xE1,
which cp437 calls "ß", and gamma is 0xE7, which cp437 calls "τ", so hit names get "β" and "γ"
back (MS Search and MSPepSearch alike). One "Unknown:" line per searched spectrum is
followed by its ranked "Hit N :" lines. Fields after the name and formula are ``Key: value``
pairs whose order and set vary with the program version and its column options, so they are
parsed by key. Every line is parsed or becomes a Rejection.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import BinaryIO

from subsmatch.ingest.readers.base import ReadContext
from subsmatch.ingest.records import (
    Analysis,
    Finding,
    Record,
    Rejection,
    Role,
    Score,
)
from subsmatch.ingest.values import normalise_cas, parse_number, parse_scale
from subsmatch.vocabulary import Context

NAME = "nist"
VERSION = "1.0"
DEFAULT_ENCODING = "cp437"

_UNKNOWN = re.compile(
    r"^Unknown:\s?(?P<label>.*?)\s*(?:Compound in Library Factor\s*=\s*(?P<factor>\S+))?\s*$"
)
_HIT = re.compile(
    r"^Hit\s+(?P<rank>\d+)\s*:\s*<<(?P<name>.*?)>>(?:\s*\((?P<paren>[^)]*)\))?\s*;"
    r"\s*<<(?P<formula>.*?)>>\s*;(?P<fields>.*)$"
)
_FIELD = re.compile(r"^\s*(?P<key>[^:]+?)\s*:\s*(?P<value>.*?)\s*$")

# cp437 has no small beta or gamma: NIST prints "ß" (0xE1) for beta, as in "(3ß,5α)-", and
# "τ" (0xE7) for gamma, as in "τ-lactone" and "τ-Hydroxybutyric acid" (GHB).
_NIST_GREEK = str.maketrans({"ß": "β", "τ": "γ"})
# key (case-folded) -> (score name, scale, higher is better)
_SCORES = {
    "mf": ("MF", "0-999", True),
    "rmf": ("RMF", "0-999", True),
    "prob": ("Prob", "0-100", True),
    "prob(%)": ("Prob", "0-100", True),
    "dot product": ("Dot Product", "0-999", True),
    "rev-dot": ("Rev-Dot", "0-999", True),
}
# key (case-folded) -> extras label
_EXTRAS = {"mw": "mw", "lib": "library", "id": "library_id", "ri": "ri"}


def sniff(head: str) -> bool:
    """True when the text starts like NIST MS Search or MSPepSearch output.

    >>> sniff("Unknown: ID-1     Compound in Library Factor = 107\\nHit 1  : <<x>>")
    True
    >>> sniff("> MSPepSearch ver. 0.9\\n>\\nUnknown: a")
    True
    """
    for line in head.splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        if stripped.startswith(">"):
            return "MSPepSearch" in stripped or stripped == ">"
        return stripped.startswith("Unknown:") or bool(re.match(r"Hit\s+\d+\s*:", stripped))
    return False


def read(stream: BinaryIO, ctx: ReadContext) -> Iterator[Record]:
    """Analyses (one per "Unknown:") and their hit candidates, cp437 unless told otherwise."""
    return _records(ctx.lines(stream, DEFAULT_ENCODING, expected_fallback=True), ctx)


def _records(lines: Iterator[str], ctx: ReadContext) -> Iterator[Record]:
    provenance = ctx.provenance(NAME, VERSION)
    program: list[tuple[str, str]] = []
    analysis_id: str | None = None
    for number, line in enumerate(lines, start=1):
        text = line.rstrip("\r\n")
        where = ctx.locator(line=number)
        if not text.strip():
            continue
        if text.startswith(">"):
            if comment := text[1:].strip():
                program.append(("search_command" if program else "search_program", comment))
            continue
        if unknown := _UNKNOWN.match(text):
            analysis_id = ctx.next_analysis_id()
            extras = tuple(program)
            if unknown["factor"] is not None:
                extras += (("in_library_factor", unknown["factor"]),)
            yield Analysis(
                id=analysis_id,
                provenance=provenance,
                locator=where,
                label=unknown["label"] or None,
                context=Context.LAB_SCREENING,
                technique="GC-MS",
                extras=extras,
            )
            continue
        ctx.rows_read += 1
        hit = _HIT.match(text)
        if hit is None:
            yield Rejection(
                where,
                "line is neither 'Unknown:' nor 'Hit N :'; check that the file is a NIST MS "
                "Search SRCRESLT.TXT or MSPepSearch output and was not edited",
                text,
                analysis_id,
            )
        elif analysis_id is None:
            yield Rejection(where, "hit before any 'Unknown:' line; the file is truncated", text)
        else:
            yield _finding(hit, analysis_id, where, text)


def _finding(hit: re.Match[str], analysis_id: str, where, text: str) -> Finding | Rejection:
    name = hit["name"].strip().translate(_NIST_GREEK)
    if not name:
        return Rejection(where, "hit has an empty name between << >>", text, analysis_id)
    scores: list[Score] = []
    extras: list[tuple[str, str]] = []
    if hit["paren"] is not None:
        extras.append(("name_annotation", hit["paren"].strip()))
    cas_raw: str | None = None
    body = hit["fields"].strip().removesuffix(".")
    for part in filter(str.strip, body.split(";")):
        field = _FIELD.match(part)
        if field is None:
            return Rejection(where, f"field {part.strip()!r} has no 'Key:'", text, analysis_id)
        key, value = field["key"], field["value"].removeprefix("<<").removesuffix(">>")
        folded = key.casefold()
        if folded in _SCORES:
            score_name, scale, higher = _SCORES[folded]
            try:
                number = parse_number(value)
            except ValueError:
                return Rejection(where, f"{key} {value!r} is not a number", text, analysis_id)
            low, high = parse_scale(scale)
            if not low <= number <= high:
                return Rejection(where, f"{key} {value} is outside {scale}", text, analysis_id)
            scores.append(Score(score_name, number, scale, higher))
        elif folded == "cas":
            cas_raw = value
        else:
            extras.append((_EXTRAS.get(folded, folded), value))
    return Finding(
        analysis_id=analysis_id,
        locator=where,
        role=Role.HIT_CANDIDATE,
        name=name,
        rank=int(hit["rank"]),
        cas=normalise_cas(cas_raw),
        cas_raw=cas_raw,
        formula=hit["formula"].strip() or None,
        scores=tuple(scores),
        extras=tuple(extras),
    )
