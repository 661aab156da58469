"""A sheet read by calamine (Rust, ``python-calamine``) when it gives what :mod:`.workbook` gives.

:mod:`.workbook` reads a sheet with expat, a Python call per XML element: 13-16 s of CPU for a
sheet of 200,000 rows. calamine reads the same sheet in about 2.5 s, but it holds the sheet whole
(about 100 bytes a cell, the rows times the columns it spans) and types each value by its own
rules. So it reads a sheet only when a scan of the sheet's part, piece by piece (bytes counted
and searched in C, nothing made per cell), shows nothing on which the two could differ or
calamine could cost more than the limits allow:

- every row and cell names its reference first (``<row r="..."``, ``<c r="..."``), rows in
  increasing order, and the rows times the columns the sheet spans are within
  ``max_sheet_cells`` and :data:`MOST_CELLS` (calamine makes every cell of that rectangle);
- no cell is styled with a number format other than the plain ones (General, numbers,
  percentages, fractions, text: calamine turns date formats into dates by its own list), and none
  is a date (``t="d"``), an error (``t="e"``) or an integer of 16 digits or more (a float's
  precision);
- no phonetic guide, escaped character (``_xHHHH_``), carriage return, CDATA, DTD or prefixed
  element, in the sheet or the shared strings.

Any other sheet, and any that calamine cannot read, is read by :mod:`.workbook` as before (its
errors and limits unchanged). The values are given as :mod:`.workbook` gives them: integral
numbers without ".0", booleans as True/False, text cut at ``max_field_length`` saying its size.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from collections.abc import Callable, Iterator
from typing import BinaryIO

from subsmatch.ingest.limits import Limits, cut

PIECE = 1 << 20
"""Bytes of a part inflated and scanned at a time."""
MOST_CELLS = 3_000_000
"""The most cells (rows times the columns spanned) calamine is given: it holds them all, about
100 bytes each (a sheet of 200,000 rows and 13 columns raised an ingest's peak from 226 to 350
MiB); a larger sheet is read by :mod:`.workbook`, slower, in pieces."""
PLAIN_FORMATS = frozenset((*range(0, 14), *range(37, 45), 48, 49))
"""Built-in number formats that show a number or text (no date, time or duration, whose ids
calamine and :mod:`.serials` list differently)."""

_ROW = re.compile(rb'<row r="(\d+)"')
_WIDE = re.compile(rb'r="([A-Z]{2,3})\d')
_STYLE = re.compile(rb'\ss="(\d+)"')
_REFUSED = (b"<rPh", b"\r", b"<![CDATA[", b't="d"', b't="e"')
_REFUSED_FIRST = (b"<!DOCTYPE", b"<!ENTITY", b":sheetData", b":sst", b":worksheet")
_ESCAPED = re.compile(rb"_x[0-9A-Fa-f]{4}_")
_LONG_INTEGER = re.compile(rb"<v>-?\d{16}")
_CELL_STARTS = (b"<c ", b"<c\t", b"<c\n", b"<c>", b"<c/>")
_ROW_STARTS = (b"<row ", b"<row\t", b"<row\n", b"<row>", b"<row/>")
_LETTER_AFTER = [re.compile(rb'r="[%c-Z]\d' % (65 + n)) for n in range(26)]
"""By the last column of one letter met (0 for none): a cell reference of a later one."""


class _Refused(Exception):
    """The part holds something calamine may read otherwise than :mod:`.workbook`."""


def plain_styles(formats: list[tuple[int, str | None]]) -> list[bool]:
    """Per cell style (``cellXfs``, by a cell's ``s``): True when its number format shows a
    number or text the same way to both readers: a plain built-in one, or a format code with no
    letter that could be a date part.

    >>> plain_styles([(0, None), (14, None), (164, "0.00"), (165, "yyyy-mm-dd"), (30, None)])
    [True, False, True, False, False]
    """
    return [
        (number in PLAIN_FORMATS and not code)
        or (code is not None and not re.search(r"[dmyhsDMYHSeE]", code))
        for number, code in formats
    ]


def _scan(archive: zipfile.ZipFile, path: str, plain: list[bool] | None, limits: Limits) -> None:
    """Raise :class:`_Refused` unless the part ``path`` is one calamine reads as :mod:`.workbook`
    does (the module's list); ``plain`` is None for a part of no cells (the shared strings)."""
    rows = cells = referenced_rows = referenced_cells = 0
    first = last = 0
    widest = 0
    styles: set[bytes] = set()
    carried = b""
    starting = True
    with archive.open(path) as part:
        while True:
            piece = part.read(PIECE)
            text = carried + piece
            if piece:  # scan up to the last element's start; it is scanned with what follows
                cut_at = text.rfind(b"<")
                text, carried = (text[:cut_at], text[cut_at:]) if cut_at > 0 else (text, b"")
            if (
                any(map(text.__contains__, _REFUSED))
                or (starting and any(map(text.__contains__, _REFUSED_FIRST)))
                or _ESCAPED.search(text)
                or _LONG_INTEGER.search(text)
            ):
                raise _Refused
            starting = False
            if plain is not None:
                numbers = _ROW.findall(text)
                referenced_rows += len(numbers)
                rows += _starts(text, b"<row", len(numbers), _ROW_STARTS)
                referenced = text.count(b'<c r="')
                referenced_cells += referenced
                cells += _starts(text, b"<c", referenced, _CELL_STARTS)
                for number in map(int, numbers):
                    if number <= last:
                        raise _Refused  # out of order, which calamine sorts
                    first, last = first or number, number
                for letters in set(_WIDE.findall(text)):
                    widest = max(widest, _column_number(letters))
                while widest < 26 and (found := _LETTER_AFTER[widest].search(text)):
                    widest = found[0][3] - 64
                if not all(plain):
                    styles.update(_STYLE.findall(text))
            if not piece:
                break
    if plain is None:
        return
    if rows != referenced_rows or cells != referenced_cells:
        raise _Refused  # a row or cell without its reference first
    if (last - first + 1) * widest > min(limits.max_sheet_cells, MOST_CELLS):
        raise _Refused
    for style in styles:
        index = int(style)
        if index < len(plain) and not plain[index]:
            raise _Refused


def _starts(text: bytes, prefix: bytes, referenced: int, starts: tuple[bytes, ...]) -> int:
    """How many elements of ``starts`` (a name and what may follow it) ``text`` holds, knowing
    that ``referenced`` of them name their reference first: counted one by one only when
    ``prefix`` is met more often (another element's name begins so: ``<cols>``).

    >>> _starts(b'<c r="A1"/><cols><c/>', b"<c", 1, _CELL_STARTS)
    2
    """
    if text.count(prefix) == referenced:
        return referenced
    return sum(map(text.count, starts))


def _column_number(letters: bytes) -> int:
    """
    >>> _column_number(b"AB"), _column_number(b"XFD")
    (28, 16384)
    """
    number = 0
    for char in letters:
        number = number * 26 + char - 64
    return number


def rows(
    stream: BinaryIO,
    archive: zipfile.ZipFile,
    sheet: str,
    path: str,
    strings_path: str | None,
    plain: list[bool],
    limits: Limits,
    too_large: Callable[[], Exception],
) -> Iterator[tuple[int, list[str]]] | None:
    """The rows of ``sheet`` (part ``path``) as :meth:`.workbook.Workbook.rows` gives them, read
    by calamine; None when the sheet is not one calamine reads the same (nothing read then).
    ``too_large`` makes the error of a sheet over ``max_sheet_cells``."""
    try:
        import python_calamine
    except ImportError:  # an installation without it reads as before
        return None
    try:
        _scan(archive, path, plain, limits)
        if strings_path and strings_path in archive.namelist():
            _scan(archive, strings_path, None, limits)
    except (_Refused, zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError, KeyError):
        return None  # read as before, which says what is damaged
    try:
        stream.seek(0)
        book = python_calamine.CalamineWorkbook.from_filelike(stream)
        read = book.get_sheet_by_name(sheet)
        book.close()
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException:  # any refusal of calamine's, a Rust panic too: read as before
        return None
    return _values(read, limits, too_large)


def _values(sheet, limits: Limits, too_large: Callable[[], Exception]) -> Iterator:
    """The rows of a calamine sheet that hold a value, numbered from 1, as text."""
    start = sheet.start
    if start is None:
        return
    pad = [""] * start[1]  # rows come from the sheet's first row, cells from its first column
    limit = limits.max_field_length
    counted, most = 0, limits.max_sheet_cells
    for number, values in enumerate(sheet.iter_rows(), start=1):
        cells = [value if type(value) is str else _text(value) for value in values]
        while cells and not cells[-1]:
            cells.pop()
        if not cells:
            continue
        if pad:
            cells = pad + cells
        counted += len(cells)
        if counted > most:
            raise too_large()
        if max(map(len, cells)) > limit:
            cells = [cut(cell, limit) for cell in cells]
        yield number, cells


def _text(value: object) -> str:
    """A value calamine typed, as :mod:`.workbook` prints it.

    >>> _text(2.0), _text(0.98), _text(True), _text(7)
    ('2', '0.98', 'True', '7')
    """
    if type(value) is float:
        return str(int(value)) if value.is_integer() else repr(value)
    if type(value) is bool or type(value) is int:
        return str(value)
    isoformat = getattr(value, "isoformat", None)  # not made by a plain style: kept readable
    return isoformat() if isoformat else str(value)
