"""CSV and TSV text: the table's records, located by their first line, and the quote left
open by mistake, which rejects its own line only (the lines it swallowed are read again)."""

from __future__ import annotations

import csv
from collections import deque
from collections.abc import Iterator
from itertools import chain, islice
from typing import BinaryIO

from subsmatch.ingest.profile import (
    Profile,
)
from subsmatch.ingest.readers.base import ReadContext
from subsmatch.ingest.readers.tabular.header import (
    HEADER_SEARCH_ROWS,
    Row,
    Table,
    delimiter_candidates,
    find_header,
    no_header,
    parse_head,
)
from subsmatch.ingest.records import (
    Locator,
)

DEFAULT_ENCODING = "cp1252"
_BREAKS = ("\n", "\r")


def open_csv(stream: BinaryIO, ctx: ReadContext, explicit: Profile | None) -> Table:
    lines = ctx.lines(stream, DEFAULT_ENCODING)
    buffer = list(islice(lines, 4 * HEADER_SEARCH_ROWS))
    for delimiter in delimiter_candidates(buffer, ctx.options.delimiter, explicit):
        head = parse_head(buffer, delimiter)
        if found := find_header(head, explicit, "csv"):
            break
    else:
        sniffed = delimiter_candidates(buffer, None, None)[0]
        first = parse_head(buffer, sniffed)
        raise no_header(ctx, explicit, next((r for r in first if any(r)), []), sniffed)
    index, profile = found
    if profile.delimiter and profile.delimiter != delimiter:
        ctx.note(
            f"profile {profile.name} expects {profile.delimiter!r} but the file uses {delimiter!r}"
        )
    if index:
        ctx.note(f"skipped {index} line(s) above the header")
    rows = csv_rows(chain(buffer, lines), delimiter, index, len(head[index]), ctx)
    return Table(profile, head[index], rows, delimiter)


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


def csv_rows(
    lines: Iterator[str], delimiter: str, header_index: int, width: int, ctx: ReadContext
) -> Iterator[Row]:
    """The rows after the header record, located by their first physical line.

    A record whose quote was left open by mistake (see :func:`unmatched_quote`) is rejected
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
        if (
            len(taken) > 1  # one line whose quotes closed, not the last (the common case): none
            or not cells
            or cells[-1].endswith(_BREAKS)
            or not taken[-1].endswith(_BREAKS)
        ) and unmatched_quote(taken, cells, delimiter, width):
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


def unmatched_quote(taken: list[str], cells: list[str] | None, delimiter: str, width: int) -> bool:
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
