"""XLSX workbooks: the sheet, its header, its rows (read by :mod:`.workbook`, streamed)."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import chain
from typing import BinaryIO

from subsmatch.ingest.errors import UnreadableReport
from subsmatch.ingest.profile import Profile
from subsmatch.ingest.readers.base import ReadContext
from subsmatch.ingest.readers.tabular.header import (
    HEADER_SEARCH_ROWS,
    Row,
    Table,
    find_header,
    no_header,
)
from subsmatch.ingest.readers.tabular.workbook import Damaged, TooLarge, Workbook

_RESAVE = "open and re-save it in Excel, or export the sheet as CSV and pass {format=csv}"


def open_xlsx(stream: BinaryIO, ctx: ReadContext, explicit: Profile | None) -> Table:
    """The table of the sheet asked for, else of the first sheet whose header fits a profile;
    raises UnreadableReport."""
    try:
        book = Workbook(stream, ctx.limits)
    except (Damaged, TooLarge) as error:
        raise _refusal(ctx, error, "damaged or truncated XLSX workbook") from None
    try:
        return _table(book, ctx, explicit)
    except BaseException:
        book.close()
        raise


def _table(book: Workbook, ctx: ReadContext, explicit: Profile | None) -> Table:
    names = book.sheets
    wanted = ctx.options.sheet or (explicit.sheet if explicit else None)
    if wanted and wanted not in names:
        raise UnreadableReport(
            ctx.source_name, f"no sheet {wanted!r}; sheets: {names}", "pass {sheet=NAME}"
        )
    first_header: list[str] = []
    for name in [wanted] if wanted else names:
        rows = _checked(book.rows(name), ctx, name)
        read = list(_first_rows(rows))
        head = _by_number(read)
        if not any(any(r) for r in head):
            continue
        first_header = first_header or next(r for r in head if any(r))
        if found := find_header(head, explicit, "xlsx"):
            break
    else:
        book.close()
        raise no_header(ctx, explicit, first_header)
    index, profile = found
    if len(names) > 1:
        ctx.note(f"read sheet {name!r} of {len(names)} sheets ({', '.join(names)})")
    if index:
        ctx.note(f"skipped {index} row(s) above the header")
    after = ((n, cells) for n, cells in read if n > index + 1)
    return Table(profile, head[index], _data_rows(chain(after, rows), book, ctx, name))


def _first_rows(rows: Iterator[tuple[int, list[str]]]) -> Iterator[tuple[int, list[str]]]:
    """The rows up to where the header is looked for, and the first row after."""
    for number, cells in rows:
        yield number, cells
        if number >= HEADER_SEARCH_ROWS:
            return


def _by_number(rows: list[tuple[int, list[str]]]) -> list[list[str]]:
    """The first rows by number: a row the sheet does not store is an empty one.

    >>> _by_number([(2, ["a"]), (4, ["b"])])
    [[], ['a'], [], ['b']]
    """
    head: list[list[str]] = []
    for number, cells in rows:
        if number <= HEADER_SEARCH_ROWS:
            head += [[] for _ in range(number - 1 - len(head))]
            head.append(cells)
    return head


def _data_rows(
    rows: Iterator[tuple[int, list[str]]], book: Workbook, ctx: ReadContext, sheet: str
) -> Iterator[Row]:
    try:
        for number, cells in rows:
            if "".join(cells).strip():
                yield ctx.locator(sheet=sheet, row=number), cells, "", ""
    finally:
        book.close()


def _checked(
    rows: Iterator[tuple[int, list[str]]], ctx: ReadContext, sheet: str
) -> Iterator[tuple[int, list[str]]]:
    """The rows of a sheet; a damaged or oversized sheet raises UnreadableReport."""
    try:
        yield from rows
    except (Damaged, TooLarge) as error:
        raise _refusal(ctx, error, f"damaged XLSX sheet {sheet!r}") from None


def _refusal(ctx: ReadContext, error: Damaged | TooLarge, damaged: str) -> UnreadableReport:
    """The refusal of a workbook over a limit, or of a ``damaged`` one (saying what is)."""
    if isinstance(error, TooLarge):
        return UnreadableReport(
            ctx.source_name, str(error), "split the workbook, or export the sheet as CSV"
        )
    return UnreadableReport(ctx.source_name, f"{damaged}: {error}", _RESAVE)
