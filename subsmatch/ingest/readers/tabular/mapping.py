"""A profile applied to a header: each row to an analysis and a finding, or a rejection.

Consecutive rows with the same analysis-level values (case, item, device, time, verdict ...)
form one :class:`~subsmatch.ingest.records.Analysis`; every data row becomes exactly one
:class:`~subsmatch.ingest.records.Finding` or :class:`~subsmatch.ingest.records.Rejection`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from functools import partial
from itertools import compress
from operator import itemgetter
from typing import Any, NamedTuple

from subsmatch.caching import Memo
from subsmatch.ingest.errors import UnreadableReport
from subsmatch.ingest.limits import unstorable
from subsmatch.ingest.profile import (
    MAPPABLE_ANALYSIS_FIELDS,
    MAPPABLE_FINDING_FIELDS,
    TIMESTAMP_PARTS,
    Profile,
    ScoreColumn,
    header_key,
)
from subsmatch.ingest.readers.base import ReadContext
from subsmatch.ingest.readers.tabular.header import DELIMITERS, Row
from subsmatch.ingest.records import (
    ANALYSIS_FIELDS,
    INSTRUMENT_FIELDS,
    NO_SUBSTANCE_VERDICTS,
    Analysis,
    Finding,
    Instrument,
    Locator,
    Provenance,
    Record,
    Rejection,
    Role,
    Score,
    SourceVerdict,
    nameless_fault,
)
from subsmatch.ingest.rows import FindingValues, stored_part
from subsmatch.ingest.values import (
    cas_check_fails,
    collapse,
    day_and_time,
    normalise_cas,
    parse_number,
    parse_timestamp,
)
from subsmatch.vocabulary import Context

_ASSERTING = {SourceVerdict.POSITIVE, SourceVerdict.MIXTURE}


PARSED_FIELDS = ("context", *INSTRUMENT_FIELDS, "measured_at", "verdict")
"""Analysis values whose text is looked up (context, verdict), combined (the instrument) or
parsed (the time)."""
TEXT_FIELDS = tuple(f for f in ANALYSIS_FIELDS if f not in PARSED_FIELDS and not f.endswith("_raw"))
"""Analysis fields kept as printed (the cell text, else the profile's default).

>>> TEXT_FIELDS[:3], TEXT_FIELDS[-2:]
(('case_id', 'item_id', 'label'), ('location', 'country'))
"""
CONVERTED_FIELDS = tuple(
    name for field in PARSED_FIELDS for name in (field, *TIMESTAMP_PARTS.get(field, ()))
)
"""The columns :func:`_circumstances` reads: the parsed values, the time also as its parts."""


MEMO_SIZE = 1024
"""Distinct values a memo keeps; exports repeat a few values (days, devices, ranks) a lot."""


def _picker(positions: Sequence[int]) -> Callable[[Sequence[str]], tuple[str, ...]]:
    """A function returning a row's cells at ``positions`` as a tuple, in that order.

    >>> _picker([2, 0])(["a", "b", "c"]), _picker([1])(["a", "b"]), _picker([])(["a"])
    (('c', 'a'), ('b',), ())
    """
    if not positions:
        return lambda cells: ()
    if len(positions) == 1:
        at = positions[0]
        return lambda cells: (cells[at],)
    return itemgetter(*positions)


class Mapper:
    """One profile applied to one header: column positions and value converters, made once.

    Rows are read through :meth:`texts`, so every position is in range: a field whose column
    is missing reads the blank column just past the header.
    """

    def __init__(
        self, profile: Profile, header: list[str], ctx: ReadContext, delimiter: str | None = None
    ) -> None:
        position: dict[str, int] = {}
        for i, cell in enumerate(header):
            position.setdefault(header_key(cell), i)
        self.profile = profile
        self.width = len(header)
        self.delimiter = delimiter
        self.ctx = ctx
        # A profile's zone states how its export prints times (ResQ: "Acquired (UTC)"), so it
        # wins; the timezone option is for exports whose profile declares none.
        self.tz = profile.timezone or ctx.options.timezone
        if profile.timezone and ctx.options.timezone and ctx.options.timezone != profile.timezone:
            ctx.note(
                f"times are read in {profile.timezone}, the zone profile {profile.name} declares "
                f"for this export, not in {{timezone={ctx.options.timezone}}}"
            )

        def find(column: str, what: str) -> int | None:
            at = position.get(header_key(column))
            if at is None:
                ctx.note(f"profile {profile.name}: column {column!r} ({what}) is not in the header")
            return at

        columns = {f: find(c, f) for f, c in profile.columns.items()}
        if columns.get("name") is None and "name" in profile.columns:
            raise UnreadableReport(
                ctx.source_name,
                f"profile {profile.name}'s substance column {profile.columns['name']!r} is missing",
                "check the profile's [columns] name",
            )

        def blank_if_none(at: int | None) -> int:
            return self.width if at is None else at

        def picker(fields: Sequence[str]) -> Callable[[Sequence[str]], tuple[str, ...]]:
            return _picker([blank_if_none(columns.get(f)) for f in fields])

        self.analysis_key = _picker(
            [at for f in MAPPABLE_ANALYSIS_FIELDS if (at := columns.get(f)) is not None]
        )
        self.converted_texts = picker(CONVERTED_FIELDS)
        self.plain_texts = picker(TEXT_FIELDS)
        self.text_defaults = {f: d for f in TEXT_FIELDS if (d := profile.defaults.get(f))}
        self.finding_texts = picker(MAPPABLE_FINDING_FIELDS)
        self.default_role = Role(profile.defaults.get("role", Role.HIT_CANDIDATE))
        self.scores = [
            (s, blank_if_none(find(s.column, "score")), Memo(partial(_score, s), MEMO_SIZE))
            for s in profile.scores
        ]
        self.score_columns = {s.column for s in profile.scores}
        extras = [(label, find(c, label)) for label, c in profile.extras.items()]
        self.extra_labels = tuple(label for label, at in extras if at is not None)
        self.extra_texts = _picker([at for _, at in extras if at is not None])
        self.circumstances = Memo(lambda texts: _circumstances(texts, self), MEMO_SIZE)
        self.roles = Memo(lambda text: profile.roles.get(collapse(text)), MEMO_SIZE)
        self.ranks = Memo(_whole_number, MEMO_SIZE)
        self.cas = Memo(normalise_cas, MEMO_SIZE)

    def texts(self, cells: list[str]) -> list[str]:
        """The row's cells stripped, with blank cells up to one past the header's width."""
        texts = list(map(str.strip, cells))
        if (missing := self.width + 1 - len(texts)) > 0:
            texts += [""] * missing
        return texts

    def where(self, where: Locator, field: str | None) -> Locator:
        return where.at_column(self.profile.columns.get(field) if field else None)

    def plain_within(self) -> int:
        """The length up to which a row's cells joined hold only finding values within the
        limits (:meth:`ReadContext.plain_within`), when that text holds no NUL or lone
        surrogate; -1 when no row's can (a label of the profile that is no storable text).

        A finding keeps its name, CAS number, formula and extras as their cells stripped, and
        the limits count each extra's value with its label and each score as its name and
        scale (:func:`~subsmatch.ingest.limits.finding_within`): a cell no longer than the
        limits less all those labels, names and scales is within them whatever it holds.
        """
        labels = "".join([*self.extra_labels, *(s.name + s.scale for s, _at, _memo in self.scores)])
        if unstorable(labels) is not None:
            return -1
        return self.ctx.plain_within(len(labels))


def _whole_number(text: str) -> int | None:
    """A rank as printed ("2", "2.0"), None when it is not a number."""
    try:
        return int(parse_number(text))
    except ValueError:
        return None


class Problem(NamedTuple):
    """Why a row is rejected: the field at fault (None for the whole row) and the reason."""

    field: str | None
    reason: str


FindingPart = tuple
"""A :class:`Finding`'s fields after ``analysis_id`` and ``locator``, in its order."""


def records(
    rows: Iterator[Row],
    m: Mapper,
    ctx: ReadContext,
    provenance: Provenance,
    stored: bool = False,
) -> Iterator[Record | FindingValues]:
    """The records of a table's rows, each analysis before its findings.

    A row rejected for a value of its finding still yields its analysis (and one rejected for
    a value of its analysis yields the analysis as far as it reads: its case, item, label ...),
    so that the rejection belongs to its case: a case whose only row was rejected is there.

    With ``stored``, the finding of a row whose cells are within :meth:`Mapper.plain_within`
    comes as its stored values (no :class:`Finding`; the limits checked on the row whole);
    any other row's as a record, which the report checks.
    """
    within = m.plain_within() if stored else -1
    width = m.width
    yielded_key: tuple[str, ...] | None = None
    parsed_key: tuple[str, ...] | None = None
    analysis: dict[str, Any] = {}
    analysis_id = ""
    for where, cells, reason, raw in rows:
        ctx.rows_read += 1
        if cells is None:
            yield Rejection(where, reason, raw)
            continue
        joined = "".join(cells)
        if (len(cells) != width or "\ufffd" in joined) and (
            reason := _row_problem(cells, joined, m)
        ):  # a row of the header's width with no undecodable byte has none
            yield Rejection(where, reason, _join(cells))
            continue
        texts = m.texts(cells)
        key = m.analysis_key(texts)
        problem: Problem | None = None
        at = where
        if key != parsed_key:
            part = _analysis_part(texts, m)
            if isinstance(part, Problem):
                problem, at = part, m.where(where, part.field)
                parsed_key, analysis = None, _plain_part(texts, m)
            else:
                parsed_key, analysis = key, part
        if problem is None:
            finding = _finding_part(texts, analysis["verdict"], m)
            if isinstance(finding, Problem):
                problem = finding
                in_score = finding.field and finding.field in m.score_columns
                at = where.at_column(finding.field) if in_score else m.where(where, finding.field)
        if key != yielded_key:
            yielded_key, analysis_id = key, ctx.next_analysis_id()
            yield Analysis(id=analysis_id, provenance=provenance, locator=where, **analysis)
        if problem is None:
            if len(joined) <= within and unstorable(joined) is None:
                yield (analysis_id, str(where), *stored_part(*finding))
            else:
                yield Finding(analysis_id, where, *finding)
        else:
            yield Rejection(at, problem.reason, _join(cells), analysis_id)


def _row_problem(cells: Sequence[str], joined: str, m: Mapper) -> str | None:
    """Why a whole row is rejected before its fields are read, or None (``joined``: the
    cells joined)."""
    if len(cells) == 1 and m.width > 1 and m.delimiter and _splits_otherwise(cells[0], m):
        return (
            f"the row has 1 field but the header has {m.width}; is the delimiter right? "
            f"(the header uses {m.delimiter!r})"
        )
    if len(cells) > m.width and "".join(cells[m.width :]).strip():
        return (
            f"the row has {len(cells)} fields but the header has {m.width}; an unquoted "
            "delimiter inside a value? quote the value or re-export the file"
        )
    if "\ufffd" in joined:
        return "the row has bytes that are not valid text in the file's encoding; pass {encoding}"
    return None


def _splits_otherwise(text: str, m: Mapper) -> bool:
    """True when a one-field row has another candidate delimiter, so it would split in fields.

    Without one, it is a short row (its other cells blank), like any row with fewer fields.
    """
    return any(d in text for d in DELIMITERS if d != m.delimiter)


def _analysis_part(texts: list[str], m: Mapper) -> dict[str, Any] | Problem:
    """The analysis fields of a row's texts (shared by the rows of one analysis), or a problem.

    Fields that are empty and have no default are left out (the :class:`Analysis` default).
    """
    circumstances = m.circumstances[m.converted_texts(texts)]
    if isinstance(circumstances, Problem):
        return circumstances
    part = _plain_part(texts, m)
    part.update(circumstances)
    return part


def _plain_part(texts: list[str], m: Mapper) -> dict[str, Any]:
    """The analysis fields kept as printed (case, item, label ...), else their defaults."""
    plain = m.plain_texts(texts)
    part: dict[str, Any] = dict(m.text_defaults)
    part.update(compress(zip(TEXT_FIELDS, plain, strict=False), plain))
    return part


def _circumstances(texts: tuple[str, ...], m: Mapper) -> dict[str, Any] | Problem:
    """The analysis fields parsed from the texts of ``CONVERTED_FIELDS``, or a problem.

    Memoised per distinct texts by the mapper (analyses share a few devices, days and
    verdicts); its one side effect, a note, is idempotent.
    """
    profile, defaults = m.profile, m.profile.defaults
    text = dict(zip(CONVERTED_FIELDS, texts, strict=True))
    verdict_raw, measured_raw, context_text = text["verdict"], text["measured_at"], text["context"]
    day, hour = (text[part] for part in TIMESTAMP_PARTS["measured_at"])
    verdict = SourceVerdict.NOT_REPORTED
    if verdict_raw:
        found = profile.verdicts.get(collapse(verdict_raw))
        if found is None:
            return Problem(
                "verdict",
                f"verdict {verdict_raw!r} is not in profile {profile.name}'s [verdicts]; add it",
            )
        verdict = found
    if not measured_raw and day:
        measured_raw = day_and_time(day, hour)
    measured_at = None
    if measured_raw:
        try:
            measured_at = parse_timestamp(measured_raw, profile.timestamp_formats, m.tz)
        except ValueError as exc:
            field = "measured_at" if "measured_at" in profile.columns else "measured_date"
            return Problem(field, f"{exc}; fix the value or add its format to [timestamps] formats")
        if measured_at.tzinfo is None:
            measured_at = None
            m.ctx.note(
                f"timestamps have no time zone and profile {profile.name} declares none: "
                "measured_at is left empty (raw text kept); set [timestamps] timezone or the "
                "timezone option"
            )
    context_text = context_text or defaults.get("context")
    try:
        context = Context(context_text.lower()) if context_text else None
    except ValueError:
        return Problem(
            "context", f"context {context_text!r} is not one of {[c.value for c in Context]}"
        )
    return {
        "context": context,
        "instrument": Instrument(
            *(text[f] or defaults.get(f) for f in INSTRUMENT_FIELDS),
        ),
        "measured_at": measured_at,
        "measured_at_raw": measured_raw or None,
        "verdict": verdict,
        "verdict_raw": verdict_raw or None,
    }


def _finding_part(texts: list[str], verdict: SourceVerdict, m: Mapper) -> FindingPart | Problem:
    """The finding fields of a row's texts, or a problem (score problems name the score column)."""
    profile = m.profile
    name, cas_raw, formula, rank_text, role_text, component = m.finding_texts(texts)
    role = m.default_role
    if role_text:
        if (mapped := m.roles[role_text]) is None:
            return Problem(
                "role", f"role {role_text!r} is not in profile {profile.name}'s [roles]; add it"
            )
        role = mapped
    elif component:
        role = Role.MIXTURE_COMPONENT
    rank = None
    if rank_text:
        if (rank := m.ranks[rank_text]) is None:
            return Problem("rank", f"rank {rank_text!r} is not a whole number")
    elif component.isdecimal():  # what int() reads ("1³" is a digit, not a number)
        rank = int(component)
    scores = []
    for column, at, memo in m.scores:
        score = memo[texts[at]]
        if isinstance(score, str):
            return Problem(column.column, score)
        if score is not None:
            scores.append(score)
    cas = m.cas[cas_raw] if cas_raw else None
    if not name and cas is None:  # a name or a CAS number identifies the finding
        fault = nameless_fault(cas_check_fails(cas_raw), verdict)
        if fault == "cas":
            return Problem(
                "cas",
                f"the substance name is empty and CAS {cas_raw!r} is not a valid CAS "
                "number (check digit or length); fill in the name or fix the number",
            )
        if fault == "empty":
            empty = "name and CAS number are" if "cas" in profile.columns else "name is"
            return Problem(
                "name",
                f"the substance {empty} empty; fill it in, or record the row's verdict "
                "(e.g. 'No match') in the verdict column",
            )
        role = Role.NO_HIT
    asserted = (role is Role.IDENTIFIED and verdict not in NO_SUBSTANCE_VERDICTS) or (
        profile.verdict_asserts_identity
        and verdict in _ASSERTING
        and (role is Role.MIXTURE_COMPONENT or (role is Role.HIT_CANDIDATE and rank in (None, 1)))
    )
    extras = m.extra_texts(texts)
    return (
        role,
        name or None,
        rank,
        cas,
        cas_raw or None,
        formula or None,
        tuple(scores),
        asserted,
        tuple(compress(zip(m.extra_labels, extras, strict=False), extras)),
    )


def _score(column: ScoreColumn, text: str) -> Score | str | None:
    """The score of one cell, None when empty and optional, or why it is rejected.

    >>> col = ScoreColumn("HQI", "HQI", "0-100", 0.0, 100.0)
    >>> _score(col, "97.4")
    Score(name='HQI', value=97.4, scale='0-100', higher_is_better=True)
    >>> _score(col, "") is None, _score(col, "104")[:43]
    (True, 'HQI 104 is outside the declared scale 0-100')
    """
    if not text:
        return f"the required score {column.column!r} is empty" if column.required else None
    try:
        number = parse_number(text)
    except ValueError:
        return f"score {column.column} {text!r} is not a number"
    if not column.low <= number <= column.high:
        return (
            f"{column.column} {text} is outside the declared scale {column.scale}; "
            "check the column or the profile's [[scores]] scale"
        )
    return Score(column.name, number, column.scale, column.higher_is_better)


def _join(cells: Sequence[str]) -> str:
    return "\t".join(cells)
