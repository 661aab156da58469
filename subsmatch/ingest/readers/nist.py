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
from functools import lru_cache
from json.encoder import encode_basestring as _string  # ensure_ascii=False, in C
from typing import BinaryIO

from subsmatch.ingest.limits import unstorable
from subsmatch.ingest.readers.base import ReadContext
from subsmatch.ingest.records import (
    Analysis,
    Finding,
    Locator,
    Record,
    Rejection,
    Role,
    Score,
)
from subsmatch.ingest.rows import FindingValues, scores_json
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
# The layout MS Search writes by default, matched whole in one step: what it captures is what
# _HIT and _field would read from the same line (no "<" or ">" in the name or formula, so each
# ends at its first ">>"; ASCII digits; single spaces as printed); any other line, and any
# value _score refuses, takes the general path (tests compare the two on varied lines).
_CANONICAL = re.compile(
    r"Hit +([0-9]+) *: *<<([^<>]*)>>;<<([^<>]*)>>; MF: ([0-9.]+); RMF: ([0-9.]+); "
    r"Prob: ([0-9.]+); CAS:([0-9-]+); Mw: ([0-9]+); Lib: <<([^<>;]*)>>; Id: ([0-9]+)\."
)

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
_BOUNDS = {scale: parse_scale(scale) for _name, scale, _higher in _SCORES.values()}
_USUAL_SCORES = ("mf", "rmf", "prob")  # the scores of a default-layout hit (_CANONICAL)


_SCORE, _EXTRA, _CAS, _FAULT, _BLANK = "score", "extra", "cas", "fault", "blank"
"""What a hit's ``Key: value`` field is (:func:`_field`)."""


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


def read_values(stream: BinaryIO, ctx: ReadContext) -> Iterator[Record | FindingValues]:
    """The records of :func:`read`, each hit line in MS Search's default layout (nearly every
    line) given as its finding's stored values straight from the line's fields: no record,
    locator or score objects, and the limits checked on the line whole (a line within them
    holds only values within them; any other line is a record, checked as one)."""
    lines = ctx.lines(stream, DEFAULT_ENCODING, expected_fallback=True)
    return _records(lines, ctx, stored=True)


_ADDED = len("mwlibrarylibrary_id") + sum(
    len(name + scale) for key, (name, scale, _higher) in _SCORES.items() if key in _USUAL_SCORES
)
"""What the limits count of a default-layout hit beyond its line's text: its extras' labels
and its scores' names and scales (:func:`~subsmatch.ingest.limits.finding_within`)."""


def _records(lines: Iterator[str], ctx: ReadContext, stored: bool = False) -> Iterator:
    """The records of the lines; with ``stored``, default-layout hits as stored values."""
    provenance = ctx.provenance(NAME, VERSION)
    source = ctx.source_name
    program: list[tuple[str, str]] = []
    analysis_id: str | None = None
    hit_line, canonical = _HIT.match, _CANONICAL.fullmatch
    within = ctx.plain_within(_ADDED) if stored else -1
    for number, line in enumerate(lines, start=1):
        text = line.rstrip("\r\n")
        if not text.startswith("Hit"):  # a hit line (most lines) is none of these
            where = Locator(source, number)  # positional: the line
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
        usual = canonical(text) if analysis_id is not None else None
        if usual:
            groups = usual.groups()
            if (
                len(text) <= within
                and unstorable(text) is None
                and (values := _usual_values(groups, analysis_id, source, number))
            ):
                yield values
                continue
            if finding := _usual_finding(groups, analysis_id, Locator(source, number)):
                yield finding
                continue
        where = Locator(source, number)
        hit = hit_line(text)
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


def _finding(
    hit: re.Match[str],
    analysis_id: str,
    where: Locator,
    text: str,
    _score: str = _SCORE,  # the kinds of _field as locals (a finding per hit line)
    _extra: str = _EXTRA,
    _cas: str = _CAS,
    _fault: str = _FAULT,
) -> Record:
    name, paren, formula, body = hit.group("name", "paren", "formula", "fields")
    name = _name(name)
    if not name:
        return Rejection(where, "hit has an empty name between << >>", text, analysis_id)
    scores: list[Score] = []
    extras: list[tuple[str, str]] = []
    if paren is not None:
        extras.append(("name_annotation", paren.strip()))
    cas_raw: str | None = None
    for kind, value in map(_field, body.strip().removesuffix(".").split(";")):
        if kind is _score:
            scores.append(value)
        elif kind is _extra:
            extras.append(value)
        elif kind is _cas:
            cas_raw = value
        elif kind is _fault:
            return Rejection(where, value, text, analysis_id)
    return Finding(
        analysis_id,
        where,
        Role.HIT_CANDIDATE,
        name,
        int(hit["rank"]),
        normalise_cas(cas_raw),
        cas_raw,
        formula.strip() or None,
        tuple(scores),
        False,
        tuple(extras),
    )


def _usual_finding(groups: tuple[str, ...], analysis_id: str, where: Locator) -> Finding | None:
    """The finding of a hit line in MS Search's default layout (:data:`_CANONICAL`), or None
    when its name is empty or a score is refused (the general path says why)."""
    rank, name, formula, mf, rmf, prob, cas_raw, mw, library, library_id = groups
    name = _name(name)
    scores = _usual_scores(mf, rmf, prob)
    if not name or scores is None:
        return None
    return Finding(
        analysis_id,
        where,
        Role.HIT_CANDIDATE,
        name,
        int(rank),
        normalise_cas(cas_raw),
        cas_raw,
        formula.strip() or None,
        scores,
        False,
        (("mw", mw), ("library", library), ("library_id", library_id)),
    )


def _usual_values(
    groups: tuple[str, ...], analysis_id: str, source: str, number: int
) -> FindingValues | None:
    """The stored values of the finding :func:`_usual_finding` makes of the same line (its
    locator, scores and extras as their texts), or None where it makes none."""
    rank, name, formula, mf, rmf, prob, cas_raw, mw, library, library_id = groups
    name = _name(name)
    scores = _usual_scores_json(mf, rmf, prob)
    if not name or scores is None:
        return None
    return (
        analysis_id,
        f"{source} line {number}",  # str(Locator(source, number))
        _HIT_CANDIDATE,
        name,
        int(rank),
        normalise_cas(cas_raw),
        cas_raw,
        _formula(formula),
        scores,
        False,
        # as_json_object of the extras _usual_finding gives
        f'{{"mw": {_string(mw)}, "library": {_string(library)}, '
        f'"library_id": {_string(library_id)}}}',
    )


_HIT_CANDIDATE = Role.HIT_CANDIDATE.value


@lru_cache(maxsize=8192)
def _usual_scores_json(mf: str, rmf: str, prob: str) -> str | None:
    """The JSON of :func:`_usual_scores`, None when one is refused."""
    scores = _usual_scores(mf, rmf, prob)
    return None if scores is None else scores_json(scores)


@lru_cache(maxsize=65536)  # a report repeats its formulas
def _formula(printed: str) -> str | None:
    return printed.strip() or None


@lru_cache(maxsize=8192)  # a file repeats its score triples
def _usual_scores(mf: str, rmf: str, prob: str) -> tuple[Score, ...] | None:
    """MF, RMF and Prob as :func:`_score` reads them; None when one is refused."""
    scores = (_score("MF", "mf", mf), _score("RMF", "rmf", rmf), _score("Prob", "prob", prob))
    return None if any(isinstance(s, str) for s in scores) else scores


@lru_cache(maxsize=65536)  # a report repeats its names
def _name(printed: str) -> str:
    """A hit's name as stored: stripped, with NIST's Greek letters."""
    return printed.strip().translate(_NIST_GREEK)


@lru_cache(maxsize=16384)  # a file repeats most of its fields (MF: 860, Lib: <<mainlib>>)
def _field(part: str) -> tuple[str, object]:
    """What one ``Key: value`` field of a hit is: a score, an extra (label, value), the CAS
    number as printed, a fault (why the hit is rejected) or blank (nothing).

    >>> _field(" MF: 860"), _field(" Lib: <<mainlib>>"), _field(" CAS:58-08-2"), _field(" ")
    (('score', Score(name='MF', value=860.0, scale='0-999', higher_is_better=True)), \
('extra', ('library', 'mainlib')), ('cas', '58-08-2'), ('blank', None))
    >>> _field(" Prob 80")
    ('fault', "field 'Prob 80' has no 'Key:'")
    """
    key, colon, value = part.partition(":")
    key = key.strip()
    if not key:  # blank, or no key before the colon: the full pattern decides
        if not part.strip():
            return _BLANK, None
        field = _FIELD.match(part)
        if field is None:
            return _FAULT, f"field {part.strip()!r} has no 'Key:'"
        key, value = field["key"], field["value"]
    elif not colon:
        return _FAULT, f"field {part.strip()!r} has no 'Key:'"
    value = value.strip().removeprefix("<<").removesuffix(">>")
    folded = key.casefold()
    if folded in _SCORES:
        score = _score(key, folded, value)
        return (_FAULT, score) if isinstance(score, str) else (_SCORE, score)
    if folded == "cas":
        return _CAS, value
    return _EXTRA, (_EXTRAS.get(folded, folded), value)


@lru_cache(maxsize=8192)  # a file repeats its scores' values: one Score each, shared
def _score(key: str, folded: str, value: str) -> Score | str:
    """The score a ``key: value`` field gives, or why the hit is rejected.

    >>> _score("MF", "mf", "860"), _score("Prob", "prob", "80,5 %")
    (Score(name='MF', value=860.0, scale='0-999', higher_is_better=True), \
Score(name='Prob', value=80.5, scale='0-100', higher_is_better=True))
    >>> _score("RMF", "rmf", "1200")
    'RMF 1200 is outside 0-999'
    """
    score_name, scale, higher = _SCORES[folded]
    try:
        number = float(value)  # what parse_number gives for any text float() reads
    except ValueError:
        try:
            number = parse_number(value)
        except ValueError:
            return f"{key} {value!r} is not a number"
    low, high = _BOUNDS[scale]
    if not low <= number <= high:
        return f"{key} {value} is outside {scale}"
    return Score(score_name, number, scale, higher)
