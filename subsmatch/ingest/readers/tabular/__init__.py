"""CSV, TSV and XLSX exports read through mapping profiles (see :mod:`subsmatch.ingest.profile`).

Rows are streamed (CSV line by line, XLSX part by part), so memory stays
bounded whatever the file size. Consecutive rows with the same analysis-level values (case,
item, device, time, verdict ...) form one :class:`Analysis`; every data row becomes exactly one
:class:`Finding` or :class:`Rejection`. The header is looked for in the first rows (exports
often carry a preamble), the delimiter is sniffed over ``, ; TAB |`` and checked against the
profile's columns, and text is UTF-8 (BOM or not), UTF-16 with a BOM, or cp1252 line by line.
A quote left open by mistake rejects its own line only: the lines after it are still rows.

One module per concern: :mod:`.delimited` (CSV text, its delimiter, and the quote left open by
mistake), :mod:`.xlsx` (workbooks), :mod:`.header` (finding the header row and the profile it
fits), :mod:`.mapping` (a profile applied to a header: rows to records).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import BinaryIO

from subsmatch.ingest.errors import ProfileError, UnreadableReport
from subsmatch.ingest.profile import resolve_profile
from subsmatch.ingest.readers.base import ReadContext
from subsmatch.ingest.readers.tabular.delimited import open_csv
from subsmatch.ingest.readers.tabular.header import DELIMITERS
from subsmatch.ingest.readers.tabular.mapping import Mapper, records
from subsmatch.ingest.readers.tabular.xlsx import open_xlsx
from subsmatch.ingest.records import Record
from subsmatch.ingest.rows import FindingValues

NAME = "tabular"
VERSION = "1.0"


def sniff(head: str) -> bool:
    """True when the first non-blank line has a candidate delimiter.

    >>> sniff("Case;Item;Substance\\n"), sniff("just text\\n")
    (True, False)
    """
    first = next((line for line in head.splitlines() if line.strip()), "")
    return any(d in first for d in DELIMITERS)


def read(stream: BinaryIO, ctx: ReadContext) -> Iterator[Record]:
    """Open the table, match its header to a profile (raising UnreadableReport), then stream."""
    return read_both(stream, ctx)[0]


def read_both(
    stream: BinaryIO, ctx: ReadContext
) -> tuple[Iterator[Record], Callable[[], Iterator[Record | FindingValues]]]:
    """The table opened once (its header matched to a profile, raising UnreadableReport), then
    its records, and how to read them instead with the finding of each row within the limits
    as a whole given as its stored values (no :class:`~subsmatch.ingest.records.Finding`; see
    :func:`.mapping.records`). Either is read, not both."""
    try:
        explicit = resolve_profile(ctx.options.profile) if ctx.options.profile else None
    except ProfileError as exc:
        raise UnreadableReport(
            ctx.source_name, str(exc), "fix the profile or pass another one"
        ) from None
    table = (
        open_xlsx(stream, ctx, explicit)
        if ctx.format == "xlsx"
        else open_csv(stream, ctx, explicit)
    )
    ctx.profile_name = table.profile.name
    mapper = Mapper(table.profile, table.header, ctx, table.delimiter)
    provenance = ctx.provenance(NAME, VERSION)
    return (
        records(table.rows, mapper, ctx, provenance),
        lambda: records(table.rows, mapper, ctx, provenance, stored=True),
    )
