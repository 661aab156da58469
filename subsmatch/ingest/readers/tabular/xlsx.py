"""XLSX workbooks, read with openpyxl's read-only mode: the sheet, its header, its rows."""

from __future__ import annotations

import zipfile
import zlib
from collections.abc import Iterator, Sequence
from datetime import date, datetime, time
from itertools import islice
from typing import Any, BinaryIO
from xml.etree.ElementTree import ParseError

from subsmatch.ingest.errors import UnreadableReport
from subsmatch.ingest.profile import (
    Profile,
)
from subsmatch.ingest.readers.base import ReadContext
from subsmatch.ingest.readers.tabular.header import (
    HEADER_SEARCH_ROWS,
    Row,
    Table,
    find_header,
    no_header,
)

_SHEET_DAMAGE = (ParseError, zipfile.BadZipFile, zlib.error, EOFError)
"""What reading a damaged sheet's XML raises (the workbook opened, its rows do not parse)."""


def open_xlsx(stream: BinaryIO, ctx: ReadContext, explicit: Profile | None) -> Table:
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
                as_texts(r)
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
    return Table(profile, head[index], _xlsx_rows(book, name, index, ctx))


def _xlsx_rows(book: Any, sheet: str, header_index: int, ctx: ReadContext) -> Iterator[Row]:
    try:
        rows = book[sheet].iter_rows(min_row=header_index + 2, values_only=True)
        for excel_row, values in enumerate(rows, start=header_index + 2):
            cells = as_texts(values)
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


def as_texts(values: Sequence[object]) -> list[str]:
    """Spreadsheet values as text: integral floats without '.0', datetimes in ISO 8601.

    >>> as_texts((1.0, 0.93, None, datetime(2024, 3, 14, 10, 22), "MDMA"))
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
