"""Records to table rows: the columns of each table, derived from the records' own fields.

The records (:mod:`subsmatch.ingest.records`) are the one field list: an ``analyses`` row is
where it came from, then the :class:`Analysis`'s values in :data:`ANALYSIS_FIELDS` order, then
its extras; a ``findings`` row is a :class:`Finding` field for field, then its resolution and
status; a ``rejections`` row a :class:`Rejection`. The ``analysis_id`` of a record is stored as
its ``analysis_key`` (unique within its file). Rows are tuples in the order of their columns,
made explicitly for speed (two per ingested row); tests check each value lands in its column.

>>> FINDING_COLUMNS[:5]
('file_id', 'analysis_key', 'locator', 'role', 'name')
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from functools import lru_cache
from json.encoder import encode_basestring as _string  # ensure_ascii=False, in C

from subsmatch.ingest.records import (
    ANALYSIS_FIELDS,
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


def analysis_row(analysis: Analysis, file_id: int) -> tuple:
    """The values of an ``analyses`` row, in ANALYSIS_COLUMNS order."""
    instrument = analysis.instrument
    return (
        file_id,
        analysis.id,
        str(analysis.locator),
        reader_version(analysis.provenance),
        analysis.case_id,
        analysis.item_id,
        analysis.label,
        analysis.context.value if analysis.context else None,
        analysis.technique,
        instrument.vendor,
        instrument.model,
        instrument.serial,
        analysis.library,
        analysis.library_version,
        analysis.operator,
        in_utc(analysis.measured_at),
        analysis.measured_at_raw,
        analysis.location,
        analysis.country,
        analysis.verdict.value,
        analysis.verdict_raw,
        as_json_object(analysis.extras),
    )


def finding_row(finding: Finding, file_id: int, resolution_id: int | None, status: str) -> tuple:
    """The values of a ``findings`` row, in FINDING_COLUMNS order."""
    return (
        file_id,
        finding.analysis_id,
        str(finding.locator),
        finding.role.value,
        finding.name,
        finding.rank,
        finding.cas,
        finding.cas_raw,
        finding.formula,
        scores_json(finding.scores),
        finding.asserted_identified,
        as_json_object(finding.extras),
        resolution_id,
        status,
    )


def rejection_row(rejection: Rejection, file_id: int) -> tuple:
    """The values of a ``rejections`` row, in REJECTION_COLUMNS order."""
    return (file_id, str(rejection.locator), rejection.reason, rejection.raw, rejection.analysis_id)


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
