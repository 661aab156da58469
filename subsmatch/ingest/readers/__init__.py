"""The reader registry: detect a report's format by content and open it as a stream of records.

>>> detect_format(b"Unknown: ID-1   Compound in Library Factor = 107\\r\\nHit 1  : <<a>>")
'nist'
>>> detect_format(b"Case,Item,Substance\\r\\n24-1,1,MDMA\\r\\n")
'csv'
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import shutil
import tempfile
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import BinaryIO

from subsmatch.ingest.errors import UnreadableReport
from subsmatch.ingest.readers import chemstation, jsonl, nist, tabular
from subsmatch.ingest.readers.base import ReadContext, ReadOptions, ReadStats, Report
from subsmatch.ingest.textio import (
    BYTE_ORDER_FROM_BOM,
    ENCODING_EXAMPLES,
    bom_encoding,
    text_encoding,
)

__all__ = [
    "FORMATS",
    "ReadOptions",
    "ReadStats",
    "Report",
    "UnreadableReport",
    "detect_format",
    "open_report",
]

_MODULES = {
    "nist": nist,
    "chemstation": chemstation,
    "csv": tabular,
    "xlsx": tabular,
    "json": jsonl,
    "jsonl": jsonl,
}
FORMATS = tuple(_MODULES)
_ALIASES = {
    "tsv": "csv",
    "txt": "csv",
    "srcreslt": "nist",
    "mspepsearch": "nist",
    "librpt": "chemstation",
    "ndjson": "jsonl",
}
_HEAD_BYTES = 65536
_FORMAT_HINT = "pass {format} with one of " + ", ".join(FORMATS)
_ZIP = b"PK\x03\x04"  # an XLSX workbook is a zip file


def detect_format(head: bytes, name: str = "<stream>", encoding: str | None = None) -> str:
    """The format name of a report from its first bytes; raises UnreadableReport.

    ``name`` is only used in messages and to recognise a damaged ``.xlsx``; ``encoding``
    decodes the text when there is no byte-order mark (default UTF-8).
    """
    if head.startswith(_ZIP):
        return "xlsx"
    if name.lower().endswith((".xlsx", ".xlsm")):
        raise UnreadableReport(
            name,
            "not a valid XLSX workbook (no zip signature)",
            "re-export it from Excel or as CSV",
        )
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise UnreadableReport(
            name, "legacy Excel .xls files are not supported", "save it as .xlsx or CSV"
        )
    if head.startswith(b"%PDF"):
        raise UnreadableReport(name, "PDF reports are not supported", "export the results as CSV")
    text = head.decode(bom_encoding(head) or encoding or "utf-8", errors="replace")
    if "\x00" in text[:4096]:
        raise UnreadableReport(
            name,
            "the file contains NUL bytes: binary, or UTF-16 without a byte-order mark",
            "if it is UTF-16 text, pass {encoding=utf-16-le} or {encoding=utf-16-be}",
        )
    text = text.lstrip("\ufeff")
    if not text.strip():
        raise UnreadableReport(name, "the file is empty", "export the report again")
    for fmt, sniff in (
        ("nist", nist.sniff),
        ("chemstation", chemstation.sniff),
        ("jsonl", jsonl.sniff_lines),
        ("json", jsonl.sniff_document),
        ("csv", tabular.sniff),
    ):
        if sniff(text):
            return fmt
    raise UnreadableReport(
        name,
        "the report format was not recognised",
        f"{_FORMAT_HINT} (for a spreadsheet export: {{format=csv}} {{profile=FILE}})",
    )


def open_report(
    source: str | Path | BinaryIO,
    format: str | None = None,
    profile: object = None,
    encoding: str | None = None,
    *,
    source_name: str | None = None,
    options: ReadOptions | None = None,
) -> Report:
    """Open a report file (or binary stream) for reading; raises UnreadableReport.

    ``format``, ``profile`` and ``encoding`` override the same fields of ``options``.
    ``source_name`` names the file in locators and provenance (default: the path).
    The returned :class:`Report` is iterated once for its records.
    """
    options = options or ReadOptions()
    overrides = {"format": format, "profile": profile, "encoding": encoding}
    options = dataclasses.replace(options, **{k: v for k, v in overrides.items() if v is not None})
    stream, default_name, close = _open_source(source)
    name = source_name or default_name
    try:
        sha256 = _hash(stream)
        size = stream.seek(0, io.SEEK_END)
        stream.seek(0)
        head = stream.read(_HEAD_BYTES)
        stream.seek(0)
        codec = _text_codec(options.encoding, name) if options.encoding else None
        fmt = _format_name(options, head, name)
        if codec and fmt != "xlsx":  # a workbook is no text: the encoding does not apply
            _check_byte_order(codec, options.encoding, head, name)
        if fmt == "csv" and options.format and options.format.lower() == "tsv":
            options = dataclasses.replace(options, delimiter=options.delimiter or "\t")
        context = ReadContext(source_name=name, sha256=sha256, options=options, format=fmt)
        module = _MODULES[fmt]
        values: Callable[[], Iterator] | None = None
        if both := getattr(module, "read_both", None):  # a reader opening the file at once
            records, values = both(stream, context)
        else:
            records = module.read(stream, context)
            if by_values := getattr(module, "read_values", None):
                values = partial(by_values, stream, context)
    except BaseException:
        close()
        raise
    return Report(
        path=name,
        format=fmt,
        reader=module.NAME,
        context=context,
        records=records,
        close=close,
        size=size,
        position=stream.tell,
        values=values,
    )


def _format_name(options: ReadOptions, head: bytes, name: str) -> str:
    if not options.format:
        return detect_format(head, name, options.encoding)
    wanted = _ALIASES.get(options.format.lower(), options.format.lower())
    if wanted not in _MODULES:
        raise UnreadableReport(name, f"unknown format {options.format!r}", _FORMAT_HINT)
    if not head.strip(b"\xef\xbb\xbf\xff\xfe\x00 \t\r\n"):
        raise UnreadableReport(name, "the file is empty", "export the report again")
    if wanted != "xlsx" and head.startswith(_ZIP):
        raise UnreadableReport(
            name,
            f"it looks like an XLSX workbook (a zip file), not {options.format}",
            "drop {format}, or pass {format=xlsx}",
        )
    return wanted


def _text_codec(encoding: str, name: str) -> str:
    """The codec of a text encoding; anything else (rot13, hex, a typo) is refused."""
    try:
        return text_encoding(encoding)
    except LookupError as error:
        raise UnreadableReport(name, str(error), f"use e.g. {ENCODING_EXAMPLES}") from None


def _check_byte_order(codec: str, encoding: str, head: bytes, name: str) -> None:
    """Refuse UTF-16/32 without a byte-order mark: the byte order would be a guess."""
    if codec in BYTE_ORDER_FROM_BOM and bom_encoding(head) is None:
        raise UnreadableReport(
            name,
            f"no byte-order mark, which {{encoding={encoding}}} needs to know the byte order",
            f"pass {{encoding={codec}-le}} or {{encoding={codec}-be}}",
        )


def _open_source(source: str | Path | BinaryIO) -> tuple[BinaryIO, str, Callable[[], None]]:
    """A seekable binary stream, its default name, and how to release it."""
    if isinstance(source, str | Path):
        try:
            handle = open(source, "rb")  # noqa: SIM115 (closed by the Report)
        except OSError as exc:
            raise UnreadableReport(
                str(source), exc.strerror or str(exc), "check the path"
            ) from None
        return handle, str(source), handle.close
    name = str(getattr(source, "name", "<stream>"))
    if source.seekable():
        return source, name, lambda: None
    spool = tempfile.SpooledTemporaryFile(max_size=16 * 2**20)  # noqa: SIM115
    shutil.copyfileobj(source, spool)
    spool.seek(0)
    return spool, name, spool.close  # type: ignore[return-value]


def _hash(stream: BinaryIO) -> str:
    digest = hashlib.sha256()
    start = stream.tell()
    while chunk := stream.read(2**20):
        digest.update(chunk)
    stream.seek(start)
    return digest.hexdigest()
