"""Decoding report text: line endings, byte-order marks, UTF-8 with a per-format legacy code
page fallback.

A line ends at LF, CRLF or a bare CR, and a file may mix them: Excel for Mac and old lab PCs
write bare CRs, and files edited on two systems carry both. Every reader takes its lines from
here, so that a record is a record under any line ending.

Lab PCs write reports in the Windows code page of the day (NIST MS Search: cp437, so that
0xE0 is "α"; ChemStation and spreadsheet exports: cp1252), re-saved files are UTF-8, and files
edited by hand mix both. Text is therefore decoded line by line: a line that is valid UTF-8 is
UTF-8 (a legacy byte such as cp437 "α" followed by ASCII never is), any other line is decoded
with the format's legacy code page, and the report notes how many lines needed it.
"""

from __future__ import annotations

import codecs
import io
from collections.abc import Iterator
from typing import BinaryIO

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


ENCODING_EXAMPLES = "utf-8, utf-16-le, cp1252, cp437"
BYTE_ORDER_FROM_BOM = ("utf-16", "utf-32")
"""Encodings that take the byte order from a byte-order mark (their -le/-be forms do not)."""


def text_encoding(name: str) -> str:
    """The codec name of a text encoding; LookupError for an unknown or non-text codec.

    >>> text_encoding("UTF8"), text_encoding("latin-1")
    ('utf-8', 'iso8859-1')
    >>> text_encoding("rot13")
    Traceback (most recent call last):
    LookupError: 'rot13' is not a text encoding
    >>> text_encoding("utf\\x008")
    Traceback (most recent call last):
    LookupError: unknown encoding 'utf\\x008'
    """
    try:
        codec = codecs.lookup(name).name
    except (LookupError, ValueError):  # ValueError: a NUL in the name (an uploaded form field)
        raise LookupError(f"unknown encoding {name!r}") from None
    try:
        b"a".decode(codec, "replace")  # not a bytes -> str codec (rot13, hex): LookupError
    except (LookupError, UnicodeError):  # or one that cannot decode leniently (idna, undefined)
        raise LookupError(f"{name!r} is not a text encoding") from None
    return codec


def bom_encoding(head: bytes) -> str | None:
    """The encoding a byte-order mark announces, or None.

    >>> bom_encoding(b"\\xef\\xbb\\xbfName"), bom_encoding(b"\\xff\\xfeN\\x00")
    ('utf-8-sig', 'utf-16')
    """
    for bom, encoding in _BOMS:
        if head.startswith(bom):
            return encoding
    return None


def decode_line(raw: bytes, primary: str, fallback: str) -> tuple[str, str | None]:
    """Decode one line; returns the text and, when the primary encoding failed, what was used.

    >>> decode_line(b"\\xe0-PVP", "utf-8", "cp437")
    ('α-PVP', 'cp437')
    >>> decode_line("α-PVP".encode(), "utf-8", "cp437")
    ('α-PVP', None)
    >>> decode_line(b"caf\\x81", "cp1252", "cp1252")
    ('caf\\ufffd', 'cp1252 with replacement characters')
    """
    try:
        return raw.decode(primary), None
    except UnicodeDecodeError:
        return _decode_fallback(raw, fallback)


def _decode_fallback(raw: bytes, fallback: str) -> tuple[str, str]:
    """Decode a line that the primary encoding failed on; returns the text and what was used."""
    try:
        return raw.decode(fallback), fallback
    except UnicodeDecodeError:
        return raw.decode(fallback, errors="replace"), f"{fallback} with replacement characters"


READ_SIZE = 1 << 16
"""Bytes read at a time when splitting a stream into lines."""


def physical_lines(stream: BinaryIO, size: int = READ_SIZE) -> Iterator[bytes]:
    r"""The stream's lines, each with its ending: LF, CRLF or a bare CR, mixed as they come.

    >>> import io
    >>> list(physical_lines(io.BytesIO(b"a\rb\r\nc\nd"), size=2))
    [b'a\r', b'b\r\n', b'c\n', b'd']
    >>> list(physical_lines(io.BytesIO(b"a\n\rb")))  # LF then CR: a blank line between
    [b'a\n', b'\r', b'b']
    """
    parts: list[bytes] = []  # the start of a line that goes on in the next read
    while chunk := stream.read(size):
        if parts and b"\n" not in chunk and b"\r" not in chunk:
            parts.append(chunk)  # a long line: joined once, when it ends
            continue
        parts.append(chunk)
        lines = b"".join(parts).splitlines(keepends=True)
        # the last line may go on: it has no ending yet, or its CR may be a CRLF's first half
        parts = [] if lines[-1].endswith(b"\n") else [lines.pop()]
        yield from lines
    if parts:
        yield b"".join(parts)


def decoded_lines(
    stream: BinaryIO,
    *,
    encoding: str | None,
    fallback: str,
    notes: list[str],
    expected_fallback: bool = False,
) -> Iterator[str]:
    """The stream's lines as text, line endings kept.

    A BOM decides the encoding; else ``encoding`` if given (undecodable bytes become U+FFFD);
    else UTF-8 line by line with ``fallback``. Lines that needed a fallback are counted in
    ``notes`` once the stream is exhausted, unless ``expected_fallback`` (the format's own
    code page, e.g. cp437 for NIST) and no byte had to be replaced.
    """
    head = stream.read(4)
    stream.seek(0)
    bom = bom_encoding(head)
    wide = ("utf-16", "utf-32")
    if bom in wide or (encoding and codecs.lookup(encoding).name.startswith(wide)):
        chosen = bom if bom in wide else encoding
        text = io.TextIOWrapper(stream, encoding=chosen, errors="replace", newline="")
        try:
            yield from text
        finally:
            text.detach()
        return
    primary = encoding or "utf-8"
    fallback = encoding or fallback
    used: dict[str, list[int]] = {}
    for number, raw in enumerate(physical_lines(stream), start=1):
        if number == 1 and raw.startswith(codecs.BOM_UTF8):
            raw = raw[len(codecs.BOM_UTF8) :]
        try:
            line = raw.decode(primary)
        except UnicodeDecodeError:
            line, how = _decode_fallback(raw, fallback)
            used.setdefault(how, []).append(number)
        yield line
    for how, lines in used.items():
        if expected_fallback and how == fallback:
            continue
        first = ", ".join(str(n) for n in lines[:5])
        notes.append(
            f"{len(lines)} line(s) were not valid {primary} and were decoded as {how} "
            f"(lines {first}{', ...' if len(lines) > 5 else ''}); "
            "if names look wrong, pass {encoding}"
        )
