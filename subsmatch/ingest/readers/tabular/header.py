"""Where a table's header is, which profile it fits, and on which delimiter; why none fits.

The header is looked for in the first rows (exports often carry a preamble); the delimiter is
sniffed over ``, ; TAB |`` and checked against the profile's columns.
"""

from __future__ import annotations

import contextlib
import csv
from collections.abc import Iterator
from dataclasses import dataclass

from subsmatch.ingest.errors import UnreadableReport
from subsmatch.ingest.profile import (
    Profile,
    header_key,
    match_profile,
    shipped_profiles,
)
from subsmatch.ingest.readers.base import ReadContext
from subsmatch.ingest.records import (
    Locator,
)

DELIMITERS = ",;\t|"


HEADER_SEARCH_ROWS = 20


Row = tuple[Locator, list[str] | None, str, str]
"""Where a row is, its cells (None when it could not be split), why it could not, the raw text."""


@dataclass(slots=True)
class Table:
    profile: Profile
    header: list[str]
    rows: Iterator[Row]
    delimiter: str | None = None


def delimiter_candidates(
    buffer: list[str], forced: str | None, profile: Profile | None
) -> list[str]:
    """Delimiters to try, most likely first: forced; else sniffed, the profile's, by count.

    >>> delimiter_candidates(["a;b;c\\n", "1;2;3\\n"], None, None)[0]
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


def parse_head(buffer: list[str], delimiter: str) -> list[list[str]]:
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


def find_header(
    rows: list[list[str]], explicit: Profile | None, fmt: str
) -> tuple[int, Profile] | None:
    for index, cells in enumerate(rows):
        if explicit is not None:
            if explicit.matches(cells):
                return index, explicit
        elif profile := match_profile(cells, shipped_profiles(), fmt):
            return index, profile
    return None


def no_header(
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
