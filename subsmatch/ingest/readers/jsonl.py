"""JSON and JSON Lines in the normalised schema (``subsmatch/ingest/schema/report.schema.json``).

For colour-test results, transcribed field results and other systems. JSON Lines holds one
analysis object per line and is streamed; a JSON document holds one analysis, a list of them or
``{"analyses": [...]}`` and is loaded whole. Each finding object is one row: it becomes a
Finding or a Rejection; an analysis whose own fields are invalid is rejected as one row, and so
is one nested deeper than ``max_json_depth``. An analysis with no finding is one row too: a
no-hit when its verdict says nothing was found, else a rejection.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any, BinaryIO

from subsmatch.ingest.errors import UnreadableReport
from subsmatch.ingest.limits import unstorable
from subsmatch.ingest.readers.base import ReadContext
from subsmatch.ingest.records import (
    NO_SUBSTANCE_VERDICTS,
    Analysis,
    Finding,
    Instrument,
    Locator,
    Record,
    Rejection,
    Role,
    Score,
    SourceVerdict,
    nameless_fault,
)
from subsmatch.ingest.rows import FindingValues, stored_part
from subsmatch.ingest.validation import report_validator
from subsmatch.ingest.values import cas_check_fails, normalise_cas, parse_scale
from subsmatch.vocabulary import Context

NAME = "json"
VERSION = "1.0"


def sniff_lines(head: str) -> bool:
    """True when the first non-blank line is a whole JSON object.

    >>> sniff_lines('{"technique": "colour test", "findings": []}\\n{"technique"')
    True
    >>> sniff_lines('{\\n  "technique": "colour test"\\n}')
    False
    """
    first = next((line for line in head.splitlines() if line.strip()), "")
    try:
        return isinstance(json.loads(first), dict)
    except (ValueError, RecursionError):  # not JSON, or nested past what the parser follows
        return False


def sniff_document(head: str) -> bool:
    """True when the text starts like a JSON object or array."""
    return head.lstrip()[:1] in ("{", "[")


def read(stream: BinaryIO, ctx: ReadContext) -> Iterator[Record]:
    """Records of a JSON Lines stream, or of a JSON document (parsed before returning)."""
    return read_both(stream, ctx)[0]


def read_both(
    stream: BinaryIO, ctx: ReadContext
) -> tuple[Iterator[Record], Callable[[], Iterator[Record | FindingValues]]]:
    """The records of :func:`read`, and how to read them instead with the findings of each
    analysis whose JSON text is within the limits as a whole given as their stored values (no
    :class:`Finding`; see :func:`_plain`). A JSON document is parsed once, before returning;
    either is read, not both."""
    lines = ctx.lines(stream, "cp1252")
    if ctx.format == "jsonl":
        return _lines(lines, ctx), lambda: _lines(lines, ctx, stored=True)
    try:
        document = _parsed("".join(lines), ctx.limits.max_json_depth)
    except json.JSONDecodeError as exc:
        raise UnreadableReport(
            ctx.source_name,
            f"not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})",
            "fix the JSON; for one object per line pass {format=jsonl}",
        ) from None
    except TooDeep as exc:
        raise UnreadableReport(
            ctx.source_name, str(exc), "flatten the JSON to the report schema"
        ) from None
    if isinstance(document, dict) and isinstance(document.get("analyses"), list):
        document = document["analyses"]
    items = document if isinstance(document, list) else [document]
    return _items(items, ctx), lambda: _items(items, ctx, stored=True)


def _plain(raw: str, ctx: ReadContext, stored: bool) -> bool:
    """True when ``stored`` and the JSON text ``raw`` holds only values within the limits: a
    text no longer than the limits, holding no NUL, lone surrogate or ``\\u`` escape (which
    may stand for either), holds its names, keys and values as at least as many characters
    as they have once parsed."""
    return (
        stored and len(raw) <= ctx.plain_within(0) and "\\u" not in raw and unstorable(raw) is None
    )


def _lines(lines: Iterator[str], ctx: ReadContext, stored: bool = False) -> Iterator:
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = ctx.locator(line=number)
        try:
            item = _parsed(line, ctx.limits.max_json_depth)
        except json.JSONDecodeError as exc:
            ctx.rows_read += 1
            yield Rejection(
                where,
                f"not valid JSON ({exc.msg} at column {exc.colno}); each line must be one object",
                line.rstrip("\r\n"),
            )
            continue
        except TooDeep as exc:
            ctx.rows_read += 1
            yield Rejection(where, f"{exc}; flatten it to the report schema", line.rstrip("\r\n"))
            continue
        raw = line.rstrip("\r\n")
        yield from _analysis(item, where, raw, ctx, _plain(raw, ctx, stored))


def _items(items: list[Any], ctx: ReadContext, stored: bool = False) -> Iterator:
    for number, item in enumerate(items, start=1):
        raw = json.dumps(item, ensure_ascii=False)
        yield from _analysis(item, ctx.locator(row=number), raw, ctx, _plain(raw, ctx, stored))


def _analysis(
    item: Any, where: Locator, raw: str, ctx: ReadContext, plain: bool = False
) -> Iterator[Record | FindingValues]:
    """The analysis of one JSON object and its findings' records; with ``plain`` (its text
    within the limits, :func:`_plain`), its findings as their stored values."""
    errors = report_validator()(item) if isinstance(item, dict) else [("", "not an object")]
    own = [(p, m) for p, m in errors if not p.startswith("/findings/")]
    if own:
        ctx.rows_read += 1
        yield Rejection(where, "invalid analysis: " + _describe(own), raw)
        return
    analysis_id = ctx.next_analysis_id()
    instrument = item.get("instrument", {})
    library = item.get("library", {})
    measured_raw = item.get("measured_at")
    verdict = SourceVerdict(item.get("verdict", SourceVerdict.NOT_REPORTED))
    yield Analysis(
        id=analysis_id,
        provenance=ctx.provenance(NAME, VERSION),
        locator=where,
        case_id=item.get("case_id"),
        item_id=item.get("item_id"),
        label=item.get("label"),
        context=Context(item["context"]) if "context" in item else None,
        technique=item["technique"],
        instrument=Instrument(
            instrument.get("vendor"), instrument.get("model"), instrument.get("serial")
        ),
        library=library.get("name"),
        library_version=library.get("version"),
        operator=item.get("operator"),
        measured_at=datetime.fromisoformat(measured_raw) if measured_raw else None,
        measured_at_raw=measured_raw,
        location=item.get("location"),
        country=item.get("country"),
        verdict=verdict,
        verdict_raw=item.get("verdict_text"),
        extras=tuple(item.get("extras", {}).items()),
    )
    for index, finding in enumerate(item["findings"]):
        ctx.rows_read += 1
        prefix = f"/findings/{index}"
        mine = [
            (p[len(prefix) :], m) for p, m in errors if p == prefix or p.startswith(prefix + "/")
        ]
        at = where.at_column(f"findings[{index}]")
        fields = _finding(finding, mine, verdict, analysis_id, at, raw)
        if type(fields) is Rejection:
            yield fields
        elif plain:
            yield (analysis_id, str(at), *stored_part(*fields))
        else:
            yield Finding(analysis_id, at, *fields)
    if not item["findings"] and nameless_fault(False, verdict) == "empty":
        # nothing found, said by a verdict of nothing found, is the no-hit row the report
        # gives every analysis without rows; said by any other verdict, it is a contradiction
        ctx.rows_read += 1
        yield Rejection(
            where.at_column("findings"),
            f"the analysis lists no finding, but its verdict is {verdict.value}; list what was "
            "found, or give it a verdict that says nothing was found (negative, inconclusive "
            "or error)",
            raw,
            analysis_id,
        )


def _finding(
    item: dict[str, Any],
    errors: list[tuple[str, str]],
    verdict: SourceVerdict,
    analysis_id: str,
    where: Locator,
    raw: str,
) -> tuple | Rejection:
    """A finding's fields after its analysis and locator, in :class:`Finding`'s order, or its
    rejection."""
    if errors:
        return Rejection(where, "invalid finding: " + _describe(errors), raw, analysis_id)
    scores = []
    for score in item.get("scores", ()):
        checked = _score(score)
        if isinstance(checked, str):
            return Rejection(where, checked, raw, analysis_id)
        scores.append(checked)
    role = Role(item.get("role", Role.HIT_CANDIDATE))
    name = item.get("name") if (item.get("name") or "").strip() else None
    formula = item.get("formula") if (item.get("formula") or "").strip() else None
    cas_raw = item.get("cas")
    cas = normalise_cas(cas_raw)
    if name is None and cas is None:
        # identified by its name or CAS number (a formula alone names no substance, as in the
        # tabular reader); with neither, a no-hit row or rejected
        fault = nameless_fault(cas_check_fails(cas_raw), verdict)
        if fault == "cas":
            reason = (
                f"the CAS number {cas_raw} is not a valid one (check digit or length) and the "
                "finding has no name; "
                "correct the CAS number or fill in the substance name"
            )
            return Rejection(where, reason, raw, analysis_id)
        if fault == "empty":
            reason = (
                "the substance name is missing or blank and there is no CAS number"
                + (" (a formula alone names no substance)" if formula else "")
                + "; fill one in, or give the analysis a verdict that says nothing was found "
                "(negative, inconclusive or error)"
            )
            return Rejection(where, reason, raw, analysis_id)
        role = Role.NO_HIT
    return (
        role,
        name,
        item.get("rank"),
        cas,
        cas_raw,
        formula,
        tuple(scores),
        role is not Role.NO_HIT
        and verdict not in NO_SUBSTANCE_VERDICTS
        and item.get("asserted_identified", role is Role.IDENTIFIED),
        tuple(item.get("extras", {}).items()),
    )


class TooDeep(ValueError):
    """A JSON value nested deeper than the limit."""


def _parsed(text: str, limit: int) -> Any:
    """The JSON value of ``text``; raises JSONDecodeError, or TooDeep when objects and arrays
    nest more than ``limit`` deep (here 4: an object, an array, an object, an array).

    >>> _parsed('{"a": [1, {"b": []}]}', 4)
    {'a': [1, {'b': []}]}
    >>> _parsed('[[[[]]]]', 3)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    subsmatch.ingest.readers.jsonl.TooDeep: the JSON is nested more than 3 levels deep, ...
    """
    try:
        value = json.loads(text)
    except RecursionError:  # deeper than the parser can follow: far past any limit
        raise TooDeep(_too_deep(limit)) from None
    if text.count("{") + text.count("[") <= limit:
        return value  # each level opens with one of them: no deeper than the limit
    level: list[Any] = [value]
    for _ in range(limit):
        level = [
            child
            for node in level
            if isinstance(node, dict | list)
            for child in (node.values() if isinstance(node, dict) else node)
        ]
        if not level:
            return value
    if any(isinstance(node, dict | list) for node in level):
        raise TooDeep(_too_deep(limit))
    return value


def _too_deep(limit: int) -> str:
    return (
        f"the JSON is nested more than {limit} levels deep, over the limit (setting max_json_depth)"
    )


def _score(score: dict[str, Any]) -> Score | str:
    """A schema-valid score object as a Score, or why it is rejected.

    >>> _score({"name": "HQI", "value": 97, "scale": "0-100"})
    Score(name='HQI', value=97.0, scale='0-100', higher_is_better=True)
    >>> _score({"name": "HQI", "value": 3, "scale": "100-0"})[:43]
    "score HQI: score scale '100-0': LOW must be"
    """
    try:
        low, high = parse_scale(score["scale"])
    except ValueError as exc:
        return f"score {score['name']}: {exc}"
    if not low <= score["value"] <= high:
        return f"score {score['name']} {score['value']} is outside its scale {score['scale']}"
    return Score(
        score["name"], float(score["value"]), score["scale"], score.get("higher_is_better", True)
    )


def _describe(errors: list[tuple[str, str]]) -> str:
    """Schema errors as one sentence, each with where it is.

    >>> _describe([("/measured_at", "'x' is not a date-time"), ("", "'findings' is required")])
    "at /measured_at: 'x' is not a date-time; 'findings' is required (see report.schema.json)"
    """
    parts = [f"at {path}: {message}" if path else message for path, message in errors]
    return "; ".join(parts) + " (see report.schema.json)"
