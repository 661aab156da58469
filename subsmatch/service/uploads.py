"""Streaming multipart uploads with a size limit.

The request body is parsed as it arrives; the file part goes into a temporary file (private
to the server's user, deleted when the upload is closed; the worker that ingests it opens it by
its path), and the upload is refused with 413 as soon as it grows past the limit, so neither
memory nor disk holds more than that. The client's file name is kept only as display text (its
last path component), never used as a path.
"""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from fastapi import HTTPException
from python_multipart.multipart import MultipartParser, parse_options_header

FIELD_BYTES = 4096  # a text field (format, profile, csrf) is never longer
MAX_FIELDS = 16
MAX_BOUNDARY = 70  # RFC 2046: a boundary is 1 to 70 characters
FILE_FIELD = "file"


@dataclass
class Upload:
    """A parsed upload: the file (written out, deleted when closed), its display name and
    digest, the text fields."""

    stream: IO[bytes]
    filename: str
    sha256: str
    size: int
    fields: dict[str, str] = field(default_factory=dict)

    @property
    def path(self) -> Path:
        """Where the file is while the upload is open."""
        return Path(self.stream.name)


def display_name(raw: str | None) -> str:
    """The last component of a client-given file name, without control characters.

    >>> display_name("C:\\\\exports\\\\..\\\\scan.csv"), display_name("../../etc/passwd")
    ('scan.csv', 'passwd')
    >>> display_name(None), display_name("..")
    ('upload', 'upload')
    """
    name = (raw or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if c.isprintable()).strip()[:200]
    return name if name not in ("", ".", "..") else "upload"


class _Collector:
    """Callbacks for the multipart parser: one file part, a few small text fields."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.file: IO[bytes] | None = None
        self.filename = "upload"
        self.digest = hashlib.sha256()
        self.size = 0
        self.fields: dict[str, str] = {}
        self._headers: dict[bytes, bytes] = {}
        self._header_field = b""
        self._header_value = b""
        self._name: str | None = None
        self._is_file = False
        self._text = bytearray()

    def callbacks(self) -> dict:
        return {
            "on_part_begin": self._part_begin,
            "on_header_field": self._header_field_data,
            "on_header_value": self._header_value_data,
            "on_header_end": self._header_end,
            "on_headers_finished": self._headers_finished,
            "on_part_data": self._part_data,
            "on_part_end": self._part_end,
        }

    def _part_begin(self) -> None:
        self._headers, self._name, self._is_file = {}, None, False
        self._text = bytearray()

    def _header_field_data(self, data: bytes, start: int, end: int) -> None:
        self._header_field += data[start:end]

    def _header_value_data(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def _header_end(self) -> None:
        self._headers[self._header_field.lower()] = self._header_value
        self._header_field = self._header_value = b""

    def _headers_finished(self) -> None:
        _, options = parse_options_header(self._headers.get(b"content-disposition", b""))
        self._name = options.get(b"name", b"").decode("utf-8", "replace")
        if self._name == FILE_FIELD and b"filename" in options:
            if self.file is not None:
                raise HTTPException(422, "upload exactly one file, in the field 'file'")
            self._is_file = True
            self.filename = display_name(options[b"filename"].decode("utf-8", "replace"))
            self.file = tempfile.NamedTemporaryFile(prefix="subsmatch-upload-")  # noqa: SIM115 (handed on)
        elif len(self.fields) >= MAX_FIELDS:
            raise HTTPException(422, "too many form fields")

    def _part_data(self, data: bytes, start: int, end: int) -> None:
        chunk = data[start:end]
        if self._is_file:
            self.size += len(chunk)
            if self.size > self.max_bytes:
                raise HTTPException(
                    413, f"the file is larger than the limit of {self.max_bytes:,} bytes"
                )
            self.digest.update(chunk)
            self.file.write(chunk)
        else:
            self._text += chunk
            if len(self._text) > FIELD_BYTES:
                raise HTTPException(422, f"form field {self._name!r} is too long")

    def _part_end(self) -> None:
        if not self._is_file and self._name:
            self.fields[self._name] = self._text.decode("utf-8", "replace")


async def read_upload(content_type: str, body: AsyncIterator[bytes], max_bytes: int) -> Upload:
    """Parse a multipart/form-data body with one file in the field ``file``.

    Raises HTTPException: 413 when the file exceeds ``max_bytes``, 422 when the body is not
    a multipart form with a file.
    """
    kind, options = parse_options_header(content_type or "")
    boundary = options.get(b"boundary")
    if kind != b"multipart/form-data" or not boundary:
        raise HTTPException(
            422, "send the report as multipart/form-data with the file in the field 'file'"
        )
    if len(boundary) > MAX_BOUNDARY:
        raise HTTPException(
            422,
            f"the multipart boundary is {len(boundary)} characters long; at most "
            f"{MAX_BOUNDARY} (RFC 2046)",
        )
    collector = _Collector(max_bytes)
    try:
        parser = MultipartParser(boundary, collector.callbacks())
        async for chunk in body:
            parser.write(chunk)
        parser.finalize()
    except HTTPException:
        if collector.file is not None:
            collector.file.close()
        raise
    except Exception as error:  # the parser's own errors: a malformed body
        if collector.file is not None:
            collector.file.close()
        raise HTTPException(422, f"malformed multipart body: {error}") from None
    if collector.file is None:
        raise HTTPException(422, "no file in the field 'file'")
    collector.file.flush()
    return Upload(
        collector.file,
        collector.filename,
        collector.digest.hexdigest(),
        collector.size,
        collector.fields,
    )
