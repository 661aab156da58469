"""Ingest reports: the read options a user may give, and the files or uploads to store.

The rules both front ends follow: an encoding must be a text encoding, a time zone an IANA
name (a typo would leave every time unread), both refused before anything is read; an upload
may carry only analyses of the contexts its uploader's role allows (a file holding others is
refused whole); the service takes a profile only by the name of a shipped one (never a path on
the server).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import Engine

from subsmatch import settings
from subsmatch.errors import InvalidRequest
from subsmatch.ingest.pipeline import FileSummary, Pipeline
from subsmatch.ingest.profile import shipped_profiles
from subsmatch.ingest.readers import FORMATS, ReadOptions
from subsmatch.ingest.textio import ENCODING_EXAMPLES, text_encoding
from subsmatch.ingest.values import zone
from subsmatch.matchers.checker import Checker
from subsmatch.store.access import UPLOAD_CONTEXTS

__all__ = [
    "FORMATS",
    "FORMAT_NAMES",
    "FileSummary",
    "ReadOptions",
    "ingest",
    "read_options",
    "shipped_profile_names",
]

FORMAT_NAMES = (*FORMATS, "tsv")
"""The formats a user may name to skip detection (tsv: csv split on tabs)."""

Source = str | Path | tuple[BinaryIO, str]
"""A report to ingest: a file path, or a binary stream and the file name to record."""


def shipped_profile_names() -> list[str]:
    """The names of the shipped column-mapping profiles, sorted."""
    return sorted(p.name for p in shipped_profiles())


def read_options(
    *,
    format: str | None = None,
    profile: str | None = None,
    encoding: str | None = None,
    sheet: str | None = None,
    timezone: str | None = None,
    shipped_profile_only: bool = False,
) -> ReadOptions:
    """How to read reports, checked; raises :class:`InvalidRequest` naming the bad option.

    ``profile`` is a profile file or a shipped profile's name (only a name with
    ``shipped_profile_only``); None values mean "detect".
    """
    if encoding is not None:
        try:
            text_encoding(encoding)
        except LookupError as error:
            raise InvalidRequest(
                f"{error}; use e.g. {ENCODING_EXAMPLES}", option="encoding"
            ) from None
    if timezone is not None:
        try:
            zone(timezone)
        except ValueError as error:
            raise InvalidRequest(str(error), option="timezone") from None
    chosen = profile
    if profile and shipped_profile_only:
        by_name = {p.name: p for p in shipped_profiles()}
        if profile not in by_name:
            raise InvalidRequest(
                f"unknown profile {profile!r}; shipped: {', '.join(sorted(by_name))}",
                option="profile",
            )
        chosen = by_name[profile]
    return ReadOptions(
        format=format, profile=chosen, encoding=encoding, sheet=sheet, timezone=timezone
    )


def ingest(
    engine: Engine,
    sources: Iterable[Source],
    options: ReadOptions,
    *,
    checker: Checker | None = None,
    force: bool = False,
    role: str | None = None,
    progress: Callable[[str, int, float | None], None] | None = None,
    stale_after: timedelta | None = None,
    workers: int | None = None,
) -> Iterator[FileSummary]:
    """Ingest each source in turn, each whole or not at all; a summary per source as it is done.

    A bad file never raises: its summary says why it was not stored. ``force`` stores content
    already ingested as a new version; ``role``: the uploader's, whose contexts limit what a
    file may hold. The options the summaries point to are left unworded. ``stale_after``: how
    long an ingest may go without writing before its file is taken for a dead one's and removed
    (None: the ``stale_minutes`` setting). ``workers``: how many forked processes judge a
    large file's names while it is read and stored (None: the ``ingest_workers`` setting).
    """
    allowed = UPLOAD_CONTEXTS[role] if role else None
    chosen = settings.load()
    pipeline = Pipeline(
        engine,
        checker=checker,
        options=options,
        force=force,
        progress=progress,
        allowed_contexts=allowed,
        stale_after=stale_after or chosen.stale_after,
        workers=chosen.ingest_workers if workers is None else workers,
    )
    for source in sources:
        if isinstance(source, tuple):
            stream, name = source
            yield pipeline.ingest(stream, source_name=name)
        else:
            yield pipeline.ingest(source)
