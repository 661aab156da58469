"""An XLSX workbook read part by part, streamed and bounded: its sheets and their rows as text.

Read with the standard library's zip and expat parsers, so that what a workbook costs is what it
holds, within :class:`~subsmatch.ingest.limits.Limits`:

- a row is the cells it stores, never padded to the sheet's declared dimension (which may say
  A1:XFD1048576 of a one-cell sheet), and rows the sheet does not store are not made;
- the parts and the sizes they inflate to are checked against the limits before any is read,
  and each part is inflated and parsed in small pieces (a part of compressed whitespace costs
  time, not memory); a cell's text is kept up to ``max_field_length``, the rest counted;
- a part that is not well-formed XML, that declares a DTD (entity expansion) or whose zip
  checksum fails raises :class:`Damaged`, naming the part.

Values are given as text the way a spreadsheet shows them to a reader: integral numbers without
".0", dates by their number format as ISO 8601 (a date cell "2024-06-01", a time cell
"09:30:00", a date and time "2024-06-01T09:30:00"), booleans as True/False, errors as printed.
"""

from __future__ import annotations

import posixpath
import zipfile
import zlib
from collections.abc import Iterator
from datetime import datetime
from functools import lru_cache
from xml.parsers import expat

from subsmatch.ingest.limits import Limits, cut, over
from subsmatch.ingest.readers.tabular import calamine
from subsmatch.ingest.readers.tabular.serials import (
    BUILTIN_DATE_FORMATS,
    EPOCH_1900,
    EPOCH_1904,
    date_kind,
    serial_text,
)

PIECE = 1 << 16
"""Bytes of a part inflated and parsed at a time."""
LAST_COLUMN = 16_384
"""Excel's last column, XFD."""
ELEMENTS_PER_CELL = 4
"""XML elements a part may hold per cell of the limit (a cell, its value, its row ...)."""


class Damaged(Exception):
    """The workbook, or one of its parts, cannot be read; the message says which and why."""


class TooLarge(Exception):
    """The workbook is over a limit; the message names it."""


class Workbook:
    """An opened workbook: :attr:`sheets` by name, :meth:`rows` of one; close it when done."""

    def __init__(self, stream, limits: Limits) -> None:
        self.limits = limits
        self.stream = stream
        try:
            self.archive = zipfile.ZipFile(stream)
        except (
            zipfile.BadZipFile,
            zlib.error,
            OSError,
            EOFError,
            ValueError,
            NotImplementedError,  # a damaged header naming an unknown zip version or method
        ) as error:
            raise Damaged(f"not a readable zip file ({error})") from None
        try:
            self._check_size()
            self._paths = {info.filename for info in self.archive.infolist()}
            workbook = self._workbook_path()
            targets = self._relationships(workbook)
            self.date1904, sheets = _workbook(self._elements(workbook))
            self._sheet_paths = {name: targets[rid][1] for name, rid in sheets if rid in targets}
            kinds = {kind.rsplit("/", 1)[-1]: path for kind, path in targets.values()}
            self._styles_path = kinds.get("styles")
            self._strings_path = kinds.get("sharedStrings")
        except BaseException:
            self.archive.close()
            raise
        self.sheets = list(self._sheet_paths)
        """The sheets' names, in the workbook's order."""
        self._formats: list[str | None] | None = None
        self._strings: list[str] | None = None

    def close(self) -> None:
        self.archive.close()

    def rows(self, sheet: str) -> Iterator[tuple[int, list[str]]]:
        """The rows of ``sheet`` that hold a cell, each with its row number (1-based)."""
        formats = self._number_formats()
        strings = self._shared_strings()
        path = self._sheet_paths[sheet]
        if path not in self._paths:
            raise Damaged(f"sheet {sheet!r} names a part {path!r} the workbook does not hold")
        fast = calamine.rows(
            self.stream,
            self.archive,
            sheet,
            path,
            self._strings_path,
            self._plain_styles(),
            self.limits,
            lambda: _too_many_cells(sheet, self.limits),
        )
        if fast is not None:
            yield from fast
            return
        epoch = EPOCH_1904 if self.date1904 else EPOCH_1900
        cells = _Cells(self.limits, sheet, formats, strings, epoch)
        for events in self._pieces(path, cells):
            yield from events

    def _check_size(self) -> None:
        limits, infos = self.limits, self.archive.infolist()
        if len(infos) > limits.max_xlsx_entries:
            raise TooLarge(
                over(
                    "the workbook", len(infos), limits.max_xlsx_entries, "max_xlsx_entries", "parts"
                )
            )
        inflated = sum(info.file_size for info in infos)
        if inflated > limits.max_xlsx_inflated_bytes:
            raise TooLarge(
                over(
                    "the workbook inflated",
                    inflated,
                    limits.max_xlsx_inflated_bytes,
                    "max_xlsx_inflated_bytes",
                    "bytes",
                )
            )

    def _workbook_path(self) -> str:
        for kind, path in self._relationships("").values():
            if kind.endswith("/officeDocument"):
                return path
        if "xl/workbook.xml" in self._paths:
            return "xl/workbook.xml"
        raise Damaged("it holds no workbook part (xl/workbook.xml): is it a spreadsheet?")

    def _relationships(self, part: str) -> dict[str, tuple[str, str]]:
        """The relationships of ``part`` ("" for the package): id -> (type, part path)."""
        folder, name = posixpath.split(part)
        path = posixpath.join(folder, "_rels", f"{name}.rels")
        if path not in self._paths:
            return {}
        found = {}
        for tag, attributes, _text, _in in self._elements(path):
            if tag == "Relationship" and attributes.get("TargetMode") != "External":
                target = attributes.get("Target", "")
                if target.startswith("/"):
                    resolved = target.lstrip("/")
                else:
                    resolved = posixpath.normpath(posixpath.join(folder, target))
                found[attributes.get("Id", "")] = (attributes.get("Type", ""), resolved)
        return found

    def _number_formats(self) -> list[str | None]:
        """The kind of date each cell style shows (date, time, datetime, timedelta) or None."""
        if self._formats is None:
            self._formats = []
            if self._styles_path in self._paths:
                self._formats = _date_kinds(self._elements(self._styles_path))
        return self._formats

    def _plain_styles(self) -> list[bool]:
        """Per cell style: True when its number format shows plain numbers or text
        (:func:`.calamine.plain_styles`)."""
        if self._styles_path not in self._paths:
            return []
        return calamine.plain_styles(_format_codes(self._elements(self._styles_path)))

    def _shared_strings(self) -> list[str]:
        if self._strings is None:
            self._strings = []
            if self._strings_path in self._paths:
                self._strings = _shared_strings(self._elements(self._strings_path), self.limits)
        return self._strings

    def _elements(self, path: str) -> Iterator[Element]:
        """Each element of a part, when it ends (see :class:`_Elements`)."""
        collected = _Elements(self.limits.max_field_length)
        for events in self._pieces(path, collected):
            yield from events

    def _pieces(self, path: str, handler: _Handler) -> Iterator[list]:
        """Parse part ``path`` piece by piece; after each, the events ``handler`` completed."""
        limit = ELEMENTS_PER_CELL * self.limits.max_sheet_cells
        parser = expat.ParserCreate(namespace_separator="}")
        parser.buffer_text = True
        parser.buffer_size = PIECE
        handler.elements_left = limit
        handler.too_many = TooLarge(
            f"part {path} holds more than {limit:,} XML elements, over "
            f"{ELEMENTS_PER_CELL} per cell of the limit of {self.limits.max_sheet_cells:,} "
            "(setting max_sheet_cells)"
        )

        def refuse_dtd(*_args: object) -> None:
            raise Damaged(f"part {path} declares a DTD, which no workbook part has")

        parser.StartElementHandler = handler.start  # called per element: no wrapper between
        parser.EndElementHandler = handler.end
        parser.CharacterDataHandler = handler.text
        parser.StartDoctypeDeclHandler = refuse_dtd
        parser.EntityDeclHandler = refuse_dtd
        try:
            with self.archive.open(path) as part:
                while piece := part.read(PIECE):
                    parser.Parse(piece, False)
                    yield handler.done()
                parser.Parse(b"", True)
                yield handler.done()
        except expat.ExpatError as error:
            raise Damaged(f"part {path} is not well-formed XML ({error})") from None
        except (
            zipfile.BadZipFile,
            zlib.error,
            EOFError,
            OSError,
            NotImplementedError,
            RuntimeError,
        ) as error:
            raise Damaged(f"part {path} cannot be inflated ({error})") from None
        except KeyError:
            raise Damaged(f"the workbook has no part {path}") from None


class _Handler:
    """What a part's parser calls; ``start`` and ``end`` get expat's namespaced tag ("ns}c"),
    and ``start`` counts the element against :attr:`elements_left` (raising
    :attr:`too_many` past it). Each is called a few times per cell, so each is one call."""

    elements_left = 0
    too_many: Exception = TooLarge()

    def start(self, tag: str, attributes: dict[str, str]) -> None: ...
    def end(self, tag: str) -> None: ...
    def text(self, data: str) -> None: ...
    def done(self) -> list: ...


class _Elements(_Handler):
    """Every element, when it ends: its local name, attributes, own text (cut at ``limit``
    characters, saying its size) and the names of the elements it is in."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.events: list[Element] = []
        self.open: list[tuple[str, dict[str, str], list[str], list[int]]] = []

    def start(self, tag: str, attributes: dict[str, str]) -> None:
        self.elements_left -= 1
        if self.elements_left < 0:
            raise self.too_many
        self.open.append((tag.rpartition("}")[2], attributes, [], [0]))

    def end(self, tag: str) -> None:
        name, attributes, parts, size = self.open.pop()
        text = "".join(parts)
        if size[0] > self.limit:
            text = f"{text[: self.limit]}… (cut: {size[0]:,} characters)"
        self.events.append((name, attributes, text, tuple(t for t, *_ in self.open)))

    def text(self, data: str) -> None:
        if self.open:
            _tag, _attributes, parts, size = self.open[-1]
            if size[0] <= self.limit:
                parts.append(data)
            size[0] += len(data)

    def done(self) -> list:
        events, self.events = self.events, []
        return events


Element = tuple[str, dict[str, str], str, tuple[str, ...]]
"""An element of a part: its local name, attributes, own text, and the elements it is in."""


def _workbook(elements: Iterator[Element]) -> tuple[bool, list[tuple[str, str]]]:
    """Whether dates count from 1904, and the sheets in order: (name, relationship id)."""
    date1904, sheets = False, []
    for tag, attributes, _text, _in in elements:
        if tag == "workbookPr":
            date1904 = attributes.get("date1904", "0").lower() in ("1", "true")
        elif tag == "sheet":
            rid = next((v for k, v in attributes.items() if k.endswith("}id")), "")
            sheets.append((attributes.get("name", ""), rid))
    return date1904, sheets


def _date_kinds(elements: Iterator[Element]) -> list[str | None]:
    """Per cell style (a cell's ``s``): "date", "time", "datetime", "timedelta" or None."""
    return [
        date_kind(code or BUILTIN_DATE_FORMATS.get(number))
        for number, code in _format_codes(elements)
    ]


def _format_codes(elements: Iterator[Element]) -> list[tuple[int, str | None]]:
    """Per cell style (a cell's ``s``): its number format's id and its custom code, if any."""
    custom: dict[int, str] = {}
    formats: list[tuple[int, str | None]] = []
    for tag, attributes, _text, inside in elements:
        if tag == "numFmt":
            custom[_int(attributes.get("numFmtId"))] = attributes.get("formatCode", "")
        elif tag == "xf" and inside[-1:] == ("cellXfs",):
            number = _int(attributes.get("numFmtId", "0"))
            formats.append((number, custom.get(number)))
    return formats


def _too_many_cells(sheet: str, limits: Limits) -> TooLarge:
    return TooLarge(
        f"sheet {sheet!r} holds more than {limits.max_sheet_cells:,} cells "
        "(setting max_sheet_cells)"
    )


def _shared_strings(elements: Iterator[Element], limits: Limits) -> list[str]:
    """The shared strings table: each string's text runs, without phonetic guides."""
    strings: list[str] = []
    parts: list[str] = []
    for tag, _attributes, text, inside in elements:
        if tag == "t" and "rPh" not in inside:
            parts.append(text)
        elif tag == "si":
            strings.append(cut("".join(parts), limits.max_field_length))
            parts = []
            if len(strings) > limits.max_sheet_cells:
                raise TooLarge(
                    f"the workbook's shared strings are more than {limits.max_sheet_cells:,}, "
                    "the cells a sheet may hold (setting max_sheet_cells)"
                )
    return strings


class _Cells(_Handler):
    """The rows of a sheet: (row number, cell texts by column) for each row holding a cell."""

    def __init__(
        self,
        limits: Limits,
        sheet: str,
        formats: list[str | None],
        strings: list[str],
        epoch: datetime,
    ) -> None:
        self.limits, self.sheet = limits, sheet
        self.formats, self.strings, self.epoch = formats, strings, epoch
        self.rows: list[tuple[int, list[str]]] = []
        self.row_number = 0
        self.cells: dict[int, str] = {}
        self.column = 0
        self.kind = self.style = ""
        self.collecting: list[str] | None = None  # while in a value or a text element
        self.parts: list[str] = []
        self.size = 0  # characters of the cell's text met, kept or not
        self.phonetic = False
        self.counted = 0

    def start(self, tag: str, attributes: dict[str, str]) -> None:
        self.elements_left -= 1
        if self.elements_left < 0:
            raise self.too_many
        tag = tag.rpartition("}")[2]
        if tag == "c":
            reference = attributes.get("r")
            self.column = _column(reference, self.sheet) if reference else self.column + 1
            self.kind, self.style = attributes.get("t", "n"), attributes.get("s", "")
            self.parts: list[str] = []
            self.size = 0
        elif tag == "row":
            number = _int(attributes.get("r"))  # rows out of order are read in file order
            self.row_number = max(number, self.row_number + 1)
            self.cells, self.column = {}, 0
        elif tag in ("v", "t") and not self.phonetic:
            self.collecting = self.parts
        elif tag == "rPh":
            self.phonetic = True

    def text(self, data: str) -> None:
        if self.collecting is not None:
            if self.size <= self.limits.max_field_length:
                self.collecting.append(data)
            self.size += len(data)

    def end(self, tag: str) -> None:
        tag = tag.rpartition("}")[2]
        if tag in ("v", "t"):
            self.collecting = None
        elif tag == "rPh":
            self.phonetic = False
        elif tag == "c":
            value = self._value("".join(self.parts))
            if value:
                self.cells[self.column] = value
        elif tag == "row" and self.cells:
            width = max(self.cells)
            self.counted += width
            if self.counted > self.limits.max_sheet_cells:
                raise _too_many_cells(self.sheet, self.limits)
            row = [""] * width
            for column, value in self.cells.items():
                row[column - 1] = value
            self.rows.append((self.row_number, row))

    def done(self) -> list:
        rows, self.rows = self.rows, []
        return rows

    def _value(self, text: str) -> str:
        if self.size > self.limits.max_field_length:
            text = f"{text[: self.limits.max_field_length]}… (cut: {self.size:,} characters)"
        kind = self.kind
        if kind == "s":
            index = _int(text)
            return self.strings[index] if 0 <= index < len(self.strings) else ""
        if kind == "b":
            return "True" if text.strip() in ("1", "true") else "False"
        if kind != "n" or not text:
            return text  # inlineStr, str (a formula's text), e (an error), d (ISO 8601)
        try:  # as a spreadsheet library reads it: a float when written with "." or "e"
            number = float(text) if "." in text or "e" in text or "E" in text else int(text)
        except ValueError:
            return text
        style = _int(self.style) if self.style else 0
        kind = self.formats[style] if 0 <= style < len(self.formats) else None
        if kind:
            return serial_text(number, kind, self.epoch) or text
        if isinstance(number, float) and number.is_integer():
            return str(int(number))
        return str(number)


def _column(reference: str, sheet: str) -> int:
    """The column number (1-based) of a cell reference such as "B12".

    >>> _column("B12", "s"), _column("XFD1", "s")
    (2, 16384)
    """
    number = _letters_column(reference.rstrip("0123456789"))  # rows differ, columns repeat
    if not number:
        raise Damaged(f"sheet {sheet!r} has a cell {reference[:20]!r} outside columns A to XFD")
    return number


@lru_cache(maxsize=4096)
def _letters_column(reference: str) -> int:
    """The column its leading letters name, 0 when none or past XFD.

    >>> _letters_column("AB"), _letters_column("1"), _letters_column("XFE")
    (28, 0, 0)
    """
    number = 0
    for char in reference:
        if "A" <= char <= "Z":
            number = number * 26 + ord(char) - 64
        elif "a" <= char <= "z":
            number = number * 26 + ord(char) - 96
        else:
            break
        if number > LAST_COLUMN:
            break
    return number if 1 <= number <= LAST_COLUMN else 0


def _int(text: str | None) -> int:
    try:
        return int(text or "")
    except ValueError:
        return -1
