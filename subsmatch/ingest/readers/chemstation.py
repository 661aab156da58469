"""Agilent ChemStation library search report (LIBRPT.TXT).

Header keys (Data File, Acq On, Operator, Sample, Misc, search libraries with their minimum
quality) stand above a rule of underscores; below it each peak line (Pk#, RT, Area%, library)
is followed by its hits (name, Ref#, CAS#, Qual). Long names push the tail columns right, so
hits are parsed from the right. Page breaks (form feed) and repeated page headers are allowed.
A header block below a table starts a new header context: one that agrees with the one in
force is a page header of the same report (keys it omits are kept), any other begins the
next sample's report (several reports may follow one another in one file). The block ends,
and its table opens, at the column titles, the rule or the first peak line, whichever comes
first (multi-page printouts may repeat the header without titles or rule).
Each peak is an :class:`Analysis`; each hit a ranked candidate; other lines are Rejections.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from json.encoder import encode_basestring as _string  # ensure_ascii=False, in C
from typing import BinaryIO

from subsmatch.ingest.limits import unstorable
from subsmatch.ingest.readers.base import ReadContext
from subsmatch.ingest.records import (
    Analysis,
    Finding,
    Instrument,
    Locator,
    Provenance,
    Record,
    Rejection,
    Role,
    Score,
)
from subsmatch.ingest.rows import FindingValues, scores_json
from subsmatch.ingest.values import clean, normalise_cas, parse_timestamp
from subsmatch.vocabulary import Context

NAME = "chemstation"
VERSION = "1.0"
DEFAULT_ENCODING = "cp1252"
ACQ_FORMATS = (
    "%d %b %Y %H:%M",
    "%d %b %Y %H:%M:%S",
    "%d-%b-%Y, %H:%M:%S",
    "%m/%d/%Y %I:%M:%S %p",
    "%m/%d/%Y %I:%M %p",
    "%m/%d/%Y %H:%M",
)

_TITLE = re.compile(r"^\s*Library Search Report\s*$")
_RULE = re.compile(r"^\s*_{10,}\s*$")
_COLUMNS = re.compile(r"^\s*Pk#\s+RT\s+Area%")
_PEAK = re.compile(
    r"^\s{0,4}(?P<pk>\d+)\s+(?P<rt>\d+\.\d+)\s+(?P<area>\d+(?:\.\d+)?)(?:\s+(?P<rest>.*?))?\s*$"
)
# the name is greedy: its end is found from the line's end (ref, CAS and Qual are the last
# three words), not tried at every position from the start (5 us a line instead of 23); it
# keeps the blanks before the last one, which _finding strips
_HIT_TAIL = re.compile(
    r"^(?P<name>.*)\s(?P<ref>\d+)\s+(?P<cas>\d{1,7}-\d{2}-\d)\s+(?P<qual>\d{1,3})\s*$"
)
_LIBRARY = re.compile(
    r"^\s*(?:Search Libraries:)?\s*(?P<lib>\S.*?)\s+Minimum Quality:\s*(?P<q>\d+)\s*$"
)
_KEY = re.compile(r"^\s*(?P<key>[A-Za-z][A-Za-z .#/]*?)\s*:\s*(?P<value>.*?)\s*$")
_FOOTER = re.compile(r"^\s*\S+\.M\s+\w{3}\s+\w{3}\s+\d+\s+[\d:]+\s+\d{4}(?:\s+Page:?\s*\d+)?\s*$")
_PAGE = re.compile(r"^\s*Page:?\s*\d+\s*(?:of\s*\d+)?\s*$")
_TEN = "_" * 10  # what a rule holds
_QUALS = tuple((Score("Qual", float(q), "0-100", True),) for q in range(101))  # shared scores
_QUALS_JSON = tuple(map(scores_json, _QUALS))

_HEADER_EXTRAS = {
    "data path": "data_path",
    "data file": "data_file",
    "sample": "sample",
    "misc": "misc",
    "als vial": "als_vial",
    "unknown spectrum": "unknown_spectrum",
    "integration events": "integration_events",
}
# keys that start a new header block when met below a table
_KNOWN_KEYS = frozenset(_HEADER_EXTRAS) | {"acq on", "operator"}


def sniff(head: str) -> bool:
    """True for a ChemStation library search report.

    >>> sniff("   Library Search Report\\n  Data File : X.D\\n")
    True
    """
    return any(_TITLE.match(line) or _COLUMNS.match(line) for line in head.splitlines()[:80])


@dataclass(slots=True)
class _Header:
    keys: dict[str, str] = field(default_factory=dict)
    libraries: list[str] = field(default_factory=list)
    derived: tuple | None = None  # what it gives each peak, once in force (see _derived)


def _in_force(header: _Header, block: _Header) -> tuple[_Header, bool]:
    """The header for the peaks below ``block``, and whether it continues ``header``.

    A block whose keys all agree with ``header`` is a repeated page header: keys and
    libraries it omits are kept. Any disagreement (another Data File, Sample, Acq On ...)
    means a new report, which takes nothing from the previous one.
    """
    if any(header.keys.get(key, value) != value for key, value in block.keys.items()):
        return block, False
    keys = header.keys | block.keys
    return _Header(keys, block.libraries or header.libraries), True


def read(stream: BinaryIO, ctx: ReadContext) -> Iterator[Record]:
    """One analysis per peak with its ranked library hits (Qual 0-100)."""
    return _records(ctx.lines(stream, DEFAULT_ENCODING, expected_fallback=True), ctx)


def read_values(stream: BinaryIO, ctx: ReadContext) -> Iterator[Record | FindingValues]:
    """The records of :func:`read`, each hit given as its finding's stored values straight
    from its line (no Finding, its limits checked on the line whole; see :func:`_hit`)."""
    lines = ctx.lines(stream, DEFAULT_ENCODING, expected_fallback=True)
    return _records(lines, ctx, stored=True)


_ADDED = len("ref_no") + len("Qual0-100")
"""What the limits count of a hit beyond its line's text: its extra's label, its score's name
and scale."""


def _records(lines: Iterator[str], ctx: ReadContext, stored: bool = False) -> Iterator:
    """The records of the lines; with ``stored``, hits as their stored values."""
    within = ctx.plain_within(_ADDED) if stored else -1
    source = ctx.source_name
    provenance = ctx.provenance(NAME, VERSION)  # one for all the analyses of the read
    header = _Header()  # in force for the peaks being read
    block: _Header | None = None  # header block being read, in force from its table on
    page = 1
    in_table = False
    last_key = ""
    analysis_id: str | None = None
    rank = 0
    for number, line in enumerate(lines, start=1):
        if "\f" in line:
            page += line.count("\f")
            line = line.replace("\f", "")
        text = line.rstrip("\r\n")
        where = Locator(source, number, None, page)  # positional: one is made per line
        # each pattern is tried only on lines holding its fixed text (most lines are hits)
        if (
            not text.strip()
            or (".M" in text and _FOOTER.match(text))
            or ("Page" in text and _PAGE.match(text))
        ):
            continue
        if "Library Search Report" in text and _TITLE.match(text):
            if block is None:
                block, in_table = _Header(), False
            continue
        # the column titles, the rule, a peak line or a hit line end a header block and open
        # its table: a page header may stand above its peaks (or the last peak's further hits)
        # with neither titles nor rule
        opens = ("Pk#" in text and _COLUMNS.match(text)) or (_TEN in text and _RULE.match(text))
        peak = None if opens else _PEAK.match(text)
        hit = None if opens or peak or not text[:1].isspace() else _HIT_TAIL.match(text)
        if (opens or peak or hit) and block is not None:
            header, continued = _in_force(header, block)
            block, in_table = None, True
            if not continued:
                analysis_id = None
        if opens:
            in_table = True
            continue
        if peak:
            analysis_id, rank = ctx.next_analysis_id(), 0
            rest = peak["rest"] or ""
            inline = _HIT_TAIL.match(rest)
            library = None if inline else clean(rest)
            yield _analysis(analysis_id, peak, library, header, where, provenance, ctx)
            if inline:
                rank += 1
                ctx.rows_read += 1
                yield _hit(inline, analysis_id, rank, where, text, within)
            continue
        if in_table and hit:
            ctx.rows_read += 1
            if analysis_id is None:
                yield Rejection(where, "hit before any peak line; the report is truncated", text)
                continue
            rank += 1
            yield _hit(hit, analysis_id, rank, where, text, within)
            continue
        if (library := _LIBRARY.match(text)) and (
            last_key == "search libraries" or "Search Libraries:" in text
        ):
            if block is None and (not in_table or "Search Libraries:" in text):
                block, in_table = _Header(), False
            if block is not None:
                block.libraries.append(f"{library['lib']} (minimum quality {library['q']})")
            last_key = "search libraries"
            continue
        if (key := _KEY.match(text)) and not text[:6].isspace():
            last_key = key["key"].casefold()
            if not in_table or last_key in header.keys or last_key in _KNOWN_KEYS:
                if block is None:
                    block, in_table = _Header(), False
                block.keys.setdefault(last_key, key["value"])
                continue
        ctx.rows_read += 1
        yield Rejection(
            where,
            "line is not a header key, peak or hit line of a ChemStation library search "
            "report; check that the report was not edited or cut",
            text,
            analysis_id,
        )


def _analysis(
    analysis_id: str,
    peak: re.Match[str],
    library: str | None,
    header: _Header,
    where: Locator,
    provenance: Provenance,
    ctx: ReadContext,
) -> Analysis:
    if header.derived is None:  # its peaks share what the header gives them
        header.derived = _derived(header, ctx.options.timezone)
    acquired, measured_at, fault, operator, header_extras = header.derived
    if fault:
        ctx.note(fault)
    pk, rt, area = peak.group("pk", "rt", "area")
    extras = (("peak", pk), ("rt_min", rt), ("area_pct", area), *header_extras)
    if library:
        extras += (("library_path", library),)
    return Analysis(
        analysis_id,
        provenance,
        where,
        None,
        None,
        f"peak {pk}",
        Context.LAB_SCREENING,
        "GC-MS",
        _AGILENT,
        _library_name(library),
        None,
        operator,
        measured_at,
        acquired,
        extras=extras,
    )


_AGILENT = Instrument(vendor="Agilent Technologies")


def _derived(header: _Header, timezone: str | None) -> tuple:
    """What a header gives each of its peaks: Acq On as printed, the time it gives, the note
    when it gives none, the operator, and the header's extras (keys, then libraries)."""
    keys = header.keys
    acquired = clean(keys.get("acq on"))
    measured_at = fault = None
    if acquired:
        measured_at, fault = _measured(acquired, timezone)
    extras = tuple((label, keys[key]) for key, label in _HEADER_EXTRAS.items() if keys.get(key))
    extras += tuple(("search_library", lib) for lib in header.libraries)
    return acquired, measured_at, fault, clean(keys.get("operator")), extras


@lru_cache(maxsize=1024)  # every peak of a report has its Acq On
def _measured(acquired: str, timezone: str | None) -> tuple[datetime | None, str | None]:
    """The time ``Acq On`` gives, zone-aware, or None with the note that says why.

    >>> _measured("14 Mar 2024  10:22", "Europe/Brussels")[0].isoformat()
    '2024-03-14T10:22:00+01:00'
    >>> _measured("14 Mar 2024  10:22", None)[1]  # doctest: +ELLIPSIS
    'Acq On has no time zone: measured_at is left empty (raw text kept); set the timezone ...'
    """
    try:
        measured_at = parse_timestamp(acquired, ACQ_FORMATS, timezone)
    except ValueError as exc:
        return None, f"Acq On {acquired!r} was not understood ({exc}); measured_at left empty"
    if measured_at.tzinfo is None:
        return None, (
            "Acq On has no time zone: measured_at is left empty (raw text kept); "
            "set the timezone option, e.g. Europe/Brussels"
        )
    return measured_at, None


@lru_cache(maxsize=256)  # every peak names its library
def _library_name(path: str | None) -> str | None:
    r"""The library file name without its folder.

    >>> _library_name(r"C:\Database\SWGDRUG 3.13.L")
    'SWGDRUG 3.13.L'
    """
    return re.split(r"[\\/]", path)[-1] if path else None


def _hit(
    hit: re.Match[str], analysis_id: str, rank: int, where: Locator, text: str, within: int
) -> Record | FindingValues:
    """The finding of a hit line, as its stored values when the line is ``within`` the
    limits' length and holds only storable text (its values are then within them), else as
    the record (or rejection) :func:`_finding` makes, which the limits check."""
    if len(text) <= within and unstorable(text) is None:
        name = hit["name"].strip()
        qual = int(hit["qual"])
        if name and qual <= 100:
            cas = hit["cas"]
            return (
                analysis_id,
                f"{where.file} page {where.page} line {where.line}",  # str(where)
                _HIT_CANDIDATE,
                name,
                rank,
                normalise_cas(cas),
                cas,
                None,
                _QUALS_JSON[qual],
                False,
                f'{{"ref_no": {_string(hit["ref"])}}}',  # as_json_object of _finding's extras
            )
    return _finding(hit, analysis_id, rank, where, text)


_HIT_CANDIDATE = Role.HIT_CANDIDATE.value


def _finding(hit: re.Match[str], analysis_id: str, rank: int, where: Locator, text: str) -> Record:
    name = hit["name"].strip()
    if not name:
        return Rejection(where, "hit line has no compound name", text, analysis_id)
    qual = int(hit["qual"])
    if qual > 100:
        return Rejection(where, f"Qual {qual} is outside 0-100", text, analysis_id)
    cas = hit["cas"]
    return Finding(
        analysis_id,
        where,
        Role.HIT_CANDIDATE,
        name,
        rank,
        normalise_cas(cas),
        cas,
        None,
        _QUALS[qual],
        False,
        (("ref_no", hit["ref"]),),
    )
