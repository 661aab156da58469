"""CSV, TSV and XLSX exports read through mapping profiles (see :mod:`subsmatch.ingest.profile`).

Rows are streamed (CSV line by line, XLSX with openpyxl's read-only mode), so memory stays
bounded whatever the file size. Consecutive rows with the same analysis-level values (case,
item, device, time, verdict ...) form one :class:`Analysis`; every data row becomes exactly one
:class:`Finding` or :class:`Rejection`. The header is looked for in the first rows (exports
often carry a preamble), the delimiter is sniffed over ``, ; TAB |`` and checked against the
profile's columns, and text is UTF-8 (BOM or not), UTF-16 with a BOM, or cp1252 line by line.
A quote left open by mistake rejects its own line only: the lines after it are still rows.
"""

from __future__ import annotations

import contextlib
import csv
import zipfile
import zlib
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from functools import partial
from itertools import chain, compress, islice
from operator import itemgetter
from typing import Any, BinaryIO, NamedTuple
from xml.etree.ElementTree import ParseError

from subsmatch.caching import Memo
from subsmatch.ingest.errors import ProfileError, UnreadableReport
from subsmatch.ingest.profile import (
    ANALYSIS_FIELDS,
    FINDING_FIELDS,
    Profile,
    ScoreColumn,
    header_key,
    match_profile,
    resolve_profile,
    shipped_profiles,
)
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
from subsmatch.ingest.values import (
    cas_check_fails,
    collapse,
    normalise_cas,
    parse_number,
    parse_timestamp,
)
from subsmatch.vocabulary import Context

NAME = "tabular"
VERSION = "1.0"
DEFAULT_ENCODING = "cp1252"
DELIMITERS = ",;\t|"
HEADER_SEARCH_ROWS = 20
_SHEET_DAMAGE = (ParseError, zipfile.BadZipFile, zlib.error, EOFError)
"""What reading a damaged sheet's XML raises (the workbook opened, its rows do not parse)."""
_ASSERTING = {SourceVerdict.POSITIVE, SourceVerdict.MIXTURE}

Row = tuple[Locator, list[str] | None, str, str]
"""Where a row is, its cells (None when it could not be split), why it could not, the raw text."""


def sniff(head: str) -> bool:
    """True when the first non-blank line has a candidate delimiter.

    >>> sniff("Case;Item;Substance\\n"), sniff("just text\\n")
    (True, False)
    """
    first = next((line for line in head.splitlines() if line.strip()), "")
    return any(d in first for d in DELIMITERS)


@dataclass(slots=True)
class _Table:
    profile: Profile
    header: list[str]
    rows: Iterator[Row]
    delimiter: str | None = None


def read(stream: BinaryIO, ctx: ReadContext) -> Iterator[Record]:
    """Open the table, match its header to a profile (raising UnreadableReport), then stream."""
    try:
        explicit = resolve_profile(ctx.options.profile) if ctx.options.profile else None
    except ProfileError as exc:
        raise UnreadableReport(
            ctx.source_name, str(exc), "fix the profile or pass another one"
        ) from None
    table = (
        _open_xlsx(stream, ctx, explicit)
        if ctx.format == "xlsx"
        else _open_csv(stream, ctx, explicit)
    )
    ctx.profile_name = table.profile.name
    mapper = _Mapper(table.profile, table.header, ctx, table.delimiter)
    return _records(table.rows, mapper, ctx)


# --- containers -------------------------------------------------------------------------------


def _open_csv(stream: BinaryIO, ctx: ReadContext, explicit: Profile | None) -> _Table:
    lines = ctx.lines(stream, DEFAULT_ENCODING)
    buffer = list(islice(lines, 4 * HEADER_SEARCH_ROWS))
    for delimiter in _delimiter_candidates(buffer, ctx.options.delimiter, explicit):
        head = _parse_head(buffer, delimiter)
        if found := _find_header(head, explicit, "csv"):
            break
    else:
        sniffed = _delimiter_candidates(buffer, None, None)[0]
        first = _parse_head(buffer, sniffed)
        raise _no_header(ctx, explicit, next((r for r in first if any(r)), []), sniffed)
    index, profile = found
    if profile.delimiter and profile.delimiter != delimiter:
        ctx.note(
            f"profile {profile.name} expects {profile.delimiter!r} but the file uses {delimiter!r}"
        )
    if index:
        ctx.note(f"skipped {index} line(s) above the header")
    rows = _csv_rows(chain(buffer, lines), delimiter, index, len(head[index]), ctx)
    return _Table(profile, head[index], rows, delimiter)


def _tapped(lines: Iterator[str], replay: deque[str], taken: list[str]) -> Iterator[str]:
    """The lines of ``replay`` (taken from it), then ``lines``; each is appended to ``taken``."""
    append = taken.append
    while replay:
        line = replay.popleft()
        append(line)
        yield line
    for line in lines:
        append(line)
        yield line


def _csv_rows(
    lines: Iterator[str], delimiter: str, header_index: int, width: int, ctx: ReadContext
) -> Iterator[Row]:
    """The rows after the header record, located by their first physical line.

    A record whose quote was left open by mistake (see :func:`_unmatched_quote`) is rejected
    as its first line alone, and the lines it swallowed are read again as rows.
    """
    source = ctx.source_name
    replay: deque[str] = deque()
    taken: list[str] = []
    reader = csv.reader(_tapped(lines, replay, taken), delimiter=delimiter)
    line = 1
    number = records = 0
    while True:
        taken.clear()
        error: csv.Error | None = None
        try:
            cells: list[str] | None = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            cells, error = None, exc
        start, line = line, line + len(taken)
        records += 1
        if records <= header_index + 1:
            continue
        reason = raw = ""
        if _unmatched_quote(taken, cells, delimiter, width):
            raw = taken[0].rstrip("\r\n")
            cells, reason = None, _unmatched_reason(raw, start, delimiter)
            replay.extendleft(reversed(taken[1:]))
            line = start + 1
            reader = csv.reader(_tapped(lines, replay, taken), delimiter=delimiter)
        elif error is not None:
            raw = str(error)
            reason = f"the row could not be split into fields ({error}); check quoting"
        elif cells is not None and not "".join(cells).strip():
            continue
        number += 1
        yield Locator(source, line=start, row=number), cells, reason, raw


def _unmatched_quote(taken: list[str], cells: list[str] | None, delimiter: str, width: int) -> bool:
    """True when a record's first line opened a quote by mistake, ``taken`` being its lines.

    ``cells`` is None when csv refused the record (a field over its size limit). A record that
    runs to the end of the file inside a quote is one. A well-formed record (csv's strict mode
    accepts it and it fits the header) is read as CSV says, whatever its lines look like: a
    note with line breaks in a narrow table can look like rows. A record over several lines
    that is malformed, too wide or refused is one when a line it swallowed is, by itself, a
    row of exactly the header's width (see :func:`_a_row`). A stray quote closed by chance so
    that the record is well formed (by a second stray quote) stays one row.
    """
    at_end = cells and (cells[-1].endswith(("\n", "\r")) or not taken[-1].endswith(("\n", "\r")))
    if len(taken) < 2 and not at_end:  # one line, its quotes closed: the common case
        return False
    error = _strict_error(taken, delimiter)
    if at_end and "unexpected end of data" in error:
        return True
    if len(taken) < 2 or width < 2:
        return False
    if cells is not None and _fits(cells, width) and not error:
        return False
    return any(_a_row(line, delimiter, width) for line in islice(taken, 1, None) if line.strip())


def _a_row(line: str, delimiter: str, width: int) -> bool:
    """True when one line by itself is a row of the header's width, read as CSV or with its
    quotes as plain characters (a line with a stray quote of its own)."""
    return width in (_fields(line, delimiter), _plain_fields(line, delimiter))


def _plain_fields(line: str, delimiter: str) -> int:
    return line.rstrip("\r\n").count(delimiter) + 1


def _fields(line: str, delimiter: str) -> int:
    """How many fields one line has when read as a record by itself.

    >>> _fields('second bag",C-1,MDMA\\n', ","), _fields('a,"b,c",d\\n', ",")
    (3, 3)
    """
    return len(next(csv.reader([line], delimiter=delimiter), []))


def _fits(cells: list[str], width: int) -> bool:
    """True when a record has at most the header's fields, or more that are all blank.

    >>> _fits(["a", "b"], 3), _fits(["a", "b", "c", " "], 3), _fits(["a", "b", "c", "d"], 3)
    (True, True, False)
    """
    return len(cells) <= width or not "".join(cells[width:]).strip()


def _strict_error(lines: list[str], delimiter: str) -> str:
    """Why csv's strict mode refuses the text of ``lines``, empty when it does not.

    >>> _strict_error(['a,"b\\n'], ","), _strict_error(['a,"b\\n', 'c"\\n'], ",")
    ('unexpected end of data', '')
    >>> _strict_error(['a,"b\\n', '"c,d\\n'], ",").startswith("',' expected")
    True
    """
    try:
        for _ in csv.reader(lines, delimiter=delimiter, strict=True):
            pass
    except csv.Error as exc:
        return str(exc)
    return ""


def _unmatched_reason(text: str, line: int, delimiter: str) -> str:
    """The rejection reason of a line whose quote is not closed, quoting it from the quote.

    >>> _unmatched_reason('1,"MDMA,97', 4, ",")
    'unmatched quote on line 4: "MDMA,97; close the quote or re-export the file'
    """
    excerpt = text[text.rfind(delimiter + '"') + 1 :]
    if len(excerpt) > 40:
        excerpt = excerpt[:40] + "..."
    return f"unmatched quote on line {line}: {excerpt}; close the quote or re-export the file"


def _open_xlsx(stream: BinaryIO, ctx: ReadContext, explicit: Profile | None) -> _Table:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = openpyxl.load_workbook(stream, read_only=True, data_only=True)
    except (
        zipfile.BadZipFile,
        InvalidFileException,
        KeyError,
        OSError,
        EOFError,
        ValueError,
    ) as exc:
        raise UnreadableReport(
            ctx.source_name,
            f"damaged or truncated XLSX workbook ({exc})",
            "open and re-save it in Excel, or export the sheet as CSV and pass {format=csv}",
        ) from None
    names = list(book.sheetnames)
    wanted = ctx.options.sheet or (explicit.sheet if explicit else None)
    if wanted and wanted not in names:
        raise UnreadableReport(
            ctx.source_name, f"no sheet {wanted!r}; sheets: {names}", "pass {sheet=NAME}"
        )
    first_header: list[str] = []
    for name in [wanted] if wanted else names:
        try:
            head = [
                _cells(r)
                for r in islice(
                    book[name].iter_rows(min_row=1, values_only=True), HEADER_SEARCH_ROWS
                )
            ]
        except _SHEET_DAMAGE as exc:
            book.close()
            raise _damaged_sheet(ctx, name, exc) from None
        if not any(any(r) for r in head):
            continue
        first_header = first_header or next(r for r in head if any(r))
        if found := _find_header(head, explicit, "xlsx"):
            break
    else:
        book.close()
        raise _no_header(ctx, explicit, first_header)
    index, profile = found
    if len(names) > 1:
        ctx.note(f"read sheet {name!r} of {len(names)} sheets ({', '.join(names)})")
    if index:
        ctx.note(f"skipped {index} row(s) above the header")
    return _Table(profile, head[index], _xlsx_rows(book, name, index, ctx))


def _xlsx_rows(book: Any, sheet: str, header_index: int, ctx: ReadContext) -> Iterator[Row]:
    try:
        rows = book[sheet].iter_rows(min_row=header_index + 2, values_only=True)
        for excel_row, values in enumerate(rows, start=header_index + 2):
            cells = _cells(values)
            if not "".join(cells).strip():
                continue
            yield ctx.locator(sheet=sheet, row=excel_row), cells, "", ""
    except _SHEET_DAMAGE as exc:
        raise _damaged_sheet(ctx, sheet, exc) from None
    finally:
        book.close()


def _damaged_sheet(ctx: ReadContext, sheet: str, exc: Exception) -> UnreadableReport:
    return UnreadableReport(
        ctx.source_name,
        f"damaged XLSX sheet {sheet!r} ({exc})",
        "open and re-save it in Excel, or export the sheet as CSV and pass {format=csv}",
    )


def _cells(values: Sequence[object]) -> list[str]:
    """Spreadsheet values as text: integral floats without '.0', datetimes in ISO 8601.

    >>> _cells((1.0, 0.93, None, datetime(2024, 3, 14, 10, 22), "MDMA"))
    ['1', '0.93', '', '2024-03-14T10:22:00', 'MDMA']
    """
    out = []
    for value in values:
        if value is None:
            out.append("")
        elif isinstance(value, float) and value.is_integer():
            out.append(str(int(value)))
        elif isinstance(value, datetime | date | time):
            out.append(value.isoformat())
        else:
            out.append(str(value))
    return out


def _join(cells: Sequence[str]) -> str:
    return "\t".join(cells)


# --- header and delimiter ---------------------------------------------------------------------


def _delimiter_candidates(
    buffer: list[str], forced: str | None, profile: Profile | None
) -> list[str]:
    """Delimiters to try, most likely first: forced; else sniffed, the profile's, by count.

    >>> _delimiter_candidates(["a;b;c\\n", "1;2;3\\n"], None, None)[0]
    ';'
    """
    if forced:
        return [forced]
    sample = "".join(buffer)
    first = next((line for line in buffer if line.strip()), "")
    order: list[str] = []
    with contextlib.suppress(csv.Error):
        order.append(csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter)
    if profile and profile.delimiter:
        order.append(profile.delimiter)
    order += sorted(DELIMITERS, key=lambda d: -first.count(d))
    return list(dict.fromkeys(order))


def _parse_head(buffer: list[str], delimiter: str) -> list[list[str]]:
    rows: list[list[str]] = []
    reader = csv.reader(buffer, delimiter=delimiter)
    while len(rows) < HEADER_SEARCH_ROWS:
        try:
            rows.append(next(reader))
        except StopIteration:
            break
        except csv.Error:
            rows.append([])
    return rows


def _find_header(
    rows: list[list[str]], explicit: Profile | None, fmt: str
) -> tuple[int, Profile] | None:
    for index, cells in enumerate(rows):
        if explicit is not None:
            if explicit.matches(cells):
                return index, explicit
        elif profile := match_profile(cells, shipped_profiles(), fmt):
            return index, profile
    return None


def _no_header(
    ctx: ReadContext, explicit: Profile | None, header: list[str], split: str | None = None
) -> UnreadableReport:
    """Why no header was found; ``header`` is the first row, split on ``split`` (CSV)."""
    seen = [c for c in header if c.strip()][:12]
    if explicit is not None:
        lacking = [
            c
            for c in explicit.detection_columns()
            if header_key(c) not in {header_key(h) for h in header}
        ]
        if not lacking and split and ctx.options.delimiter:
            return _forced_delimiter(ctx, explicit.name, split)
        return UnreadableReport(
            ctx.source_name,
            f"no header row with the columns {lacking} that profile {explicit.name} needs "
            f"(first row: {seen})",
            "check the profile's columns and [profile] delimiter, or pass {encoding}",
        )
    forced = ctx.options.delimiter
    if (
        split
        and forced
        and split != forced
        and (profile := match_profile(header, shipped_profiles(), "csv"))
    ):
        return _forced_delimiter(ctx, profile.name, split)
    shipped = ", ".join(p.name for p in shipped_profiles())
    return UnreadableReport(
        ctx.source_name,
        f"the header matches no shipped profile (first row: {seen})",
        f"try {{format=csv}} {{profile=FILE}} with a profile for this export (shipped: {shipped})",
    )


def _forced_delimiter(ctx: ReadContext, profile: str, split: str) -> UnreadableReport:
    """Profile ``profile``'s header is found split on ``split``, not on the forced delimiter."""
    forced = ctx.options.delimiter
    by_format = (ctx.options.format or "").lower() == "tsv" and forced == "\t"
    return UnreadableReport(
        ctx.source_name,
        f"profile {profile}'s columns are in the header only when it is split on {split!r}, "
        f"not on the delimiter {forced!r}" + (" that {format=tsv} sets" if by_format else ""),
        "drop {format=tsv}, or pass {format=csv}"
        if by_format
        else "leave the delimiter unset so it is sniffed",
    )


# --- rows -------------------------------------------------------------------------------------

_TEXT_FIELDS = (
    "case_id",
    "item_id",
    "label",
    "technique",
    "library",
    "library_version",
    "operator",
    "location",
    "country",
)
"""Analysis fields kept as printed (the cell text, else the profile's default)."""
_CONVERTED_FIELDS = (
    "verdict",
    "measured_at",
    "measured_date",
    "measured_time",
    "context",
    "vendor",
    "model",
    "serial",
)
"""Analysis fields whose text is looked up, parsed or combined."""
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


class _Mapper:
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
            [at for f in ANALYSIS_FIELDS if (at := columns.get(f)) is not None]
        )
        self.converted_texts = picker(_CONVERTED_FIELDS)
        self.plain_texts = picker(_TEXT_FIELDS)
        self.text_defaults = {f: d for f in _TEXT_FIELDS if (d := profile.defaults.get(f))}
        self.finding_texts = picker(FINDING_FIELDS)
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


def _records(rows: Iterator[Row], m: _Mapper, ctx: ReadContext) -> Iterator[Record]:
    provenance = ctx.provenance(NAME, VERSION)
    yielded_key: tuple[str, ...] | None = None
    parsed_key: tuple[str, ...] | None = None
    analysis: dict[str, Any] = {}
    analysis_id = ""
    for where, cells, reason, raw in rows:
        ctx.rows_read += 1
        if cells is None:
            yield Rejection(where, reason, raw)
            continue
        if reason := _row_problem(cells, m):
            yield Rejection(where, reason, _join(cells))
            continue
        texts = m.texts(cells)
        key = m.analysis_key(texts)
        if key != parsed_key:
            part = _analysis_part(texts, m)
            if isinstance(part, Problem):
                yield Rejection(m.where(where, part.field), part.reason, _join(cells))
                continue
            parsed_key, analysis = key, part
        finding = _finding_part(texts, analysis["verdict"], m)
        if isinstance(finding, Problem):
            field, reason = finding
            in_score = field and field in m.score_columns
            at = where.at_column(field) if in_score else m.where(where, field)
            yield Rejection(at, reason, _join(cells))
            continue
        if key != yielded_key:
            yielded_key, analysis_id = key, ctx.next_analysis_id()
            yield Analysis(id=analysis_id, provenance=provenance, locator=where, **analysis)
        yield Finding(analysis_id, where, *finding)


def _row_problem(cells: Sequence[str], m: _Mapper) -> str | None:
    """Why a whole row is rejected before its fields are read, or None."""
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
    if "\ufffd" in "".join(cells):
        return "the row has bytes that are not valid text in the file's encoding; pass {encoding}"
    return None


def _splits_otherwise(text: str, m: _Mapper) -> bool:
    """True when a one-field row has another candidate delimiter, so it would split in fields.

    Without one, it is a short row (its other cells blank), like any row with fewer fields.
    """
    return any(d in text for d in DELIMITERS if d != m.delimiter)


def _analysis_part(texts: list[str], m: _Mapper) -> dict[str, Any] | Problem:
    """The analysis fields of a row's texts (shared by the rows of one analysis), or a problem.

    Fields that are empty and have no default are left out (the :class:`Analysis` default).
    """
    circumstances = m.circumstances[m.converted_texts(texts)]
    if isinstance(circumstances, Problem):
        return circumstances
    plain = m.plain_texts(texts)
    part = dict(m.text_defaults)
    part.update(compress(zip(_TEXT_FIELDS, plain, strict=False), plain))
    part.update(circumstances)
    return part


def _circumstances(texts: tuple[str, ...], m: _Mapper) -> dict[str, Any] | Problem:
    """The analysis fields parsed from the texts of ``_CONVERTED_FIELDS``, or a problem.

    Memoised per distinct texts by the mapper (analyses share a few devices, days and
    verdicts); its one side effect, a note, is idempotent.
    """
    profile, defaults = m.profile, m.profile.defaults
    verdict_raw, measured_raw, day, hour, context_text, vendor, model, serial = texts
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
        measured_raw = f"{day} {hour}".strip()
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
            vendor or defaults.get("vendor"),
            model or defaults.get("model"),
            serial or defaults.get("serial"),
        ),
        "measured_at": measured_at,
        "measured_at_raw": measured_raw or None,
        "verdict": verdict,
        "verdict_raw": verdict_raw or None,
    }


def _finding_part(texts: list[str], verdict: SourceVerdict, m: _Mapper) -> FindingPart | Problem:
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
    elif component.isdigit():
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
