"""Records to table rows: the columns of each table, derived from the records' own fields.

The records (:mod:`subsmatch.ingest.records`) are the one field list: an ``analyses`` row is
where it came from, then the :class:`Analysis`'s values in :data:`ANALYSIS_FIELDS` order, then
its extras; a ``findings`` row is a :class:`Finding` field for field, then its resolution and
status; a ``rejections`` row a :class:`Rejection`. The ``analysis_id`` of a record is stored as
its ``analysis_key`` (unique within its file). A chunk's rows are built as columns, in the order
of the table's columns, from the records transposed at once (two records per ingested row);
tests check each value lands in its column.

>>> FINDING_COLUMNS[:5]
('file_id', 'analysis_key', 'locator', 'role', 'name')
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from functools import lru_cache
from itertools import islice
from json.encoder import encode_basestring as _string  # ensure_ascii=False, in C
from operator import attrgetter

from subsmatch.ingest.records import (
    ANALYSIS_FIELDS,
    INSTRUMENT_FIELDS,
    Analysis,
    Finding,
    Provenance,
    Rejection,
    Role,
    Score,
)


def _stored(fields: Sequence[str]) -> tuple[str, ...]:
    """A record's fields as the columns that store them (its ``analysis_id`` as the key)."""
    return tuple("analysis_key" if f == "analysis_id" else f for f in fields)


ANALYSIS_COLUMNS = (
    "file_id",
    "analysis_key",
    "locator",
    "reader_version",
    *ANALYSIS_FIELDS,
    "extras",
)
FINDING_COLUMNS = ("file_id", *_stored(Finding._fields), "resolution_id", "status")
REJECTION_COLUMNS = ("file_id", *_stored(Rejection._fields))


def analysis_columns(analyses: Sequence[Analysis], file_id: int) -> list[Sequence]:
    """The ``analyses`` rows of these analyses as columns, in ANALYSIS_COLUMNS order.

    Built column by column (the records transposed at once, each column mapped in C where it
    can be): an ingest builds one per analysis.
    """
    if not analyses:
        return [[] for _ in ANALYSIS_COLUMNS]
    (ids, provenances, locators, case_ids, item_ids, labels, contexts, techniques, instruments,
     libraries, library_versions, operators, measured, measured_raw, locations, countries,
     verdicts, verdicts_raw, extras) = zip(*analyses, strict=True)  # fmt: skip
    vendors, models, serials = zip(*map(_device, instruments), strict=True)
    return [
        (file_id,) * len(analyses),
        ids,
        list(map(str, locators)),
        list(map(reader_version, provenances)),
        case_ids,
        item_ids,
        labels,
        [c.value if c else None for c in contexts],
        techniques,
        vendors,
        models,
        serials,
        libraries,
        library_versions,
        operators,
        list(map(in_utc, measured)),
        measured_raw,
        locations,
        countries,
        [v.value for v in verdicts],
        verdicts_raw,
        list(map(as_json_object, extras)),
    ]


_device = attrgetter(*INSTRUMENT_FIELDS)


FindingValues = tuple
"""One finding as it is stored: its ``findings`` columns from ``analysis_key`` to ``extras``
(:data:`FINDING_VALUES`), texts already made (locator, role, scores and extras as JSON). A chunk
holds its findings so: a columnar reader makes them straight from its columns, any other
reader's :class:`Finding` records go through :func:`finding_values`."""
FINDING_VALUES = FINDING_COLUMNS[1:-2]
NO_HIT_ROLE = Role.NO_HIT.value


def finding_values(finding: Finding) -> FindingValues:
    """A finding's stored values, in :data:`FINDING_VALUES` order."""
    return (finding[0], str(finding[1]), *stored_part(*finding[2:]))


def stored_part(
    role: Role,
    name: str | None,
    rank: int | None,
    cas: str | None,
    cas_raw: str | None,
    formula: str | None,
    scores: tuple[Score, ...],
    asserted: bool,
    extras: tuple[tuple[str, str], ...],
) -> tuple:
    """The stored values of a finding's fields after its analysis and locator (a reader
    making stored values from those fields without a :class:`Finding` uses it too)."""
    return (
        role.value,
        name,
        rank,
        cas,
        cas_raw,
        formula,
        scores_json(scores),
        asserted,
        as_json_object(extras),
    )


def finding_columns(
    findings: Sequence[FindingValues],
    file_id: int,
    resolution_ids: Sequence[int | None],
    statuses: Sequence[str],
) -> list[Sequence]:
    """The ``findings`` rows of these findings (their stored values, :func:`finding_values`)
    as columns, in FINDING_COLUMNS order (each finding's resolution id and status given, in
    the same order)."""
    if not findings:
        return [[] for _ in FINDING_COLUMNS]
    return [(file_id,) * len(findings), *zip(*findings, strict=True), resolution_ids, statuses]


def keys_of(findings: Sequence[FindingValues]) -> list[tuple[str, ...]]:
    """Each finding's :func:`queries_of`, from its stored values.

    >>> keys_of([("A1", "f line 2", "hit_candidate", "MDMA", 1, "42542-10-9", "", None, "[]",
    ...           False, "{}"), ("A2", "f line 3", "no_hit", None, None, None, None, None, "[]",
    ...           False, "{}")])
    [('MDMA', '42542-10-9'), ()]
    """
    if not findings:
        return []
    _ids, _where, roles, names, _ranks, numbers = islice(zip(*findings, strict=True), 6)
    return [
        ()
        if role == NO_HIT_ROLE
        else (name, cas)
        if name and cas
        else (name or cas,)
        if name or cas
        else ()
        for role, name, cas in zip(roles, names, numbers, strict=True)
    ]


def rejection_columns(rejections: Sequence[Rejection], file_id: int) -> list[Sequence]:
    """The ``rejections`` rows of these rejections as columns, in REJECTION_COLUMNS order."""
    if not rejections:
        return [[] for _ in REJECTION_COLUMNS]
    locators, reasons, raws, analysis_ids = zip(*rejections, strict=True)
    return [(file_id,) * len(rejections), list(map(str, locators)), reasons, raws, analysis_ids]


@lru_cache(maxsize=16)
def reader_version(provenance: Provenance) -> str:
    return f"{provenance.reader} {provenance.reader_version}"


def in_utc(moment: datetime | None) -> datetime | None:
    """Timestamps are stored in UTC (SQLite keeps no zone); the printed text is kept too."""
    return moment.astimezone(UTC) if moment else None


@lru_cache(maxsize=4096)  # exports repeat their extras (units, purities) row after row
def as_json_object(pairs: tuple[tuple[str, str], ...]) -> str:
    """The pairs as a JSON object, the text ``json.dumps(dict(pairs), ensure_ascii=False)``
    writes, joined from each text's encoding (a third of the cost; most rows' extras differ).

    >>> as_json_object((("mw", "200"), ("id", "Ö 7"))), as_json_object(())
    ('{"mw": "200", "id": "Ö 7"}', '{}')
    >>> as_json_object((("a", "1"), ("a", "2")))  # the dict's last value, at the first place
    '{"a": "2"}'
    """
    if not pairs:
        return "{}"
    if len(dict(pairs)) == len(pairs):  # no key twice
        try:
            return "{" + ", ".join(map(_json_pair, pairs)) + "}"
        except TypeError:  # a key or value that is no text: json writes it its way
            pass
    return json.dumps(dict(pairs), ensure_ascii=False)


@lru_cache(maxsize=65536)  # most pairs repeat (library, unit), some do not (an id)
def _json_pair(pair: tuple[str, str]) -> str:
    key, value = pair
    return f"{_string(key)}: {_string(value)}"


@lru_cache(maxsize=4096)  # device exports and ChemStation repeat whole score lists
def scores_json(scores: tuple[Score, ...]) -> str:
    """The scores as a JSON list of objects, ``json.dumps([s._asdict() ...])``, each score's
    object encoded once (NIST hits' score lists differ, their values repeat).

    >>> scores_json((Score("MF", 860.0, "0-999"), Score("Prob", 80.0, "0-100")))
    '[{"name": "MF", "value": 860.0, "scale": "0-999", "higher_is_better": true}, \
{"name": "Prob", "value": 80.0, "scale": "0-100", "higher_is_better": true}]'
    """
    if not scores:
        return "[]"
    return "[" + ", ".join([_score_json(s) for s in scores]) + "]"


@lru_cache(maxsize=65536)
def _score_json(score: Score) -> str:
    return json.dumps(score._asdict())


def queries_of(finding: Finding) -> tuple[str, ...]:
    """The texts that may identify a finding: its name as printed, then its CAS number."""
    if finding.role is Role.NO_HIT:
        return ()
    return tuple(q for q in (finding.name, finding.cas) if q)


def resolution_values(verdict: dict) -> dict:
    """The columns of a stored resolution, from the `check --json` object."""
    resolved = verdict["resolved"] or {}
    return {
        "status": verdict["status"],
        "substance_id": resolved.get("substance_id"),
        "name": resolved.get("name"),
        "smiles": resolved.get("smiles"),
        "inchikey": resolved.get("inchikey"),
        "via": resolved.get("via"),
        "confidence": resolved.get("confidence") or 0.0,
        "uncertain": bool(resolved.get("uncertain")),
        "verdict": json.dumps(verdict, ensure_ascii=False),
    }
