"""Records to rows: every value lands in its column, and the tables hold exactly those columns.

The records are the one field list; the row mapping derives its columns from them, the store's
models must have exactly those columns (checked here), and the migrations must make exactly the
models (tests/test_migrations.py).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from subsmatch.ingest.profile import (
    DEFAULT_FIELDS,
    MAPPABLE_ANALYSIS_FIELDS,
    MAPPABLE_FINDING_FIELDS,
)
from subsmatch.ingest.readers.tabular.mapping import CONVERTED_FIELDS, TEXT_FIELDS
from subsmatch.ingest.records import (
    ANALYSIS_FIELDS,
    INSTRUMENT_FIELDS,
    Analysis,
    Finding,
    Instrument,
    Locator,
    Provenance,
    Rejection,
    Role,
    Score,
    SourceVerdict,
)
from subsmatch.ingest.rows import (
    ANALYSIS_COLUMNS,
    FINDING_COLUMNS,
    REJECTION_COLUMNS,
    analysis_columns,
    finding_columns,
    finding_values,
    rejection_columns,
)
from subsmatch.store.models import AnalysisRow, FindingRow, RejectionRow
from subsmatch.vocabulary import Context

WHERE = Locator("lims.csv", line=4, row=3)
MEASURED = datetime(2024, 3, 14, 10, 22, tzinfo=timezone(timedelta(hours=1)))
ANALYSIS = Analysis(
    id="A7",
    provenance=Provenance("lims.csv", "ab" * 32, "tabular", "1.0"),
    locator=WHERE,
    case_id="24-01873",
    item_id="3",
    label="Beige powder",
    context=Context.LAB_CONFIRMATION,
    technique="GC-MS",
    instrument=Instrument("Agilent", "7890B", "SN-1"),
    library="NIST 23",
    library_version="2.4",
    operator="J. de Vries",
    measured_at=MEASURED,
    measured_at_raw="14/03/2024 10:22",
    location="Lab Noord",
    country="NL",
    verdict=SourceVerdict.POSITIVE,
    verdict_raw="Identified",
    extras=(("mass", "9.82 g"),),
)


def first_row(columns: list) -> tuple:
    """The first row of rows given as columns, checking every column has a value per record."""
    assert len({len(c) for c in columns}) == 1
    return tuple(c[0] for c in columns)


def test_every_analysis_value_lands_in_its_column():
    row = dict(zip(ANALYSIS_COLUMNS, first_row(analysis_columns([ANALYSIS], 11)), strict=True))
    for field in ANALYSIS_FIELDS:
        value = getattr(ANALYSIS.instrument if field in INSTRUMENT_FIELDS else ANALYSIS, field)
        expected = {
            "context": "lab_confirmation",
            "verdict": "positive",
            "measured_at": MEASURED.astimezone(UTC),
        }.get(field, value)
        assert row[field] == expected, field
    assert (row["file_id"], row["analysis_key"], row["locator"]) == (11, "A7", str(WHERE))
    assert (row["reader_version"], row["extras"]) == ("tabular 1.0", '{"mass": "9.82 g"}')


def test_every_finding_value_lands_in_its_column():
    finding = Finding(
        "A7",
        WHERE,
        Role.IDENTIFIED,
        "Cocaine",
        rank=2,
        cas="50-36-2",
        cas_raw="0050-36-2",
        formula="C17H21NO4",
        scores=(Score("MF", 912.0, "0-999"),),
        asserted_identified=True,
        extras=(("rt", "12.3"),),
    )
    columns = finding_columns([finding_values(finding)] * 2, 11, [5, 5], ["controlled"] * 2)
    row = dict(zip(FINDING_COLUMNS, first_row(columns), strict=True))
    assert row == {
        "file_id": 11,
        "analysis_key": "A7",
        "locator": str(WHERE),
        "role": "identified",
        "name": "Cocaine",
        "rank": 2,
        "cas": "50-36-2",
        "cas_raw": "0050-36-2",
        "formula": "C17H21NO4",
        "scores": '[{"name": "MF", "value": 912.0, "scale": "0-999", "higher_is_better": true}]',
        "asserted_identified": True,
        "extras": '{"rt": "12.3"}',
        "resolution_id": 5,
        "status": "controlled",
    }


def test_every_rejection_value_lands_in_its_column():
    rejection = Rejection(WHERE, "the row has 2 fields", "a,b", "A7")
    row = dict(zip(REJECTION_COLUMNS, first_row(rejection_columns([rejection], 11)), strict=True))
    assert row == {
        "file_id": 11,
        "analysis_key": "A7",
        "locator": str(WHERE),
        "reason": "the row has 2 fields",
        "raw": "a,b",
    }


def test_the_tables_hold_exactly_the_derived_columns():
    for model, columns in (
        (AnalysisRow, ANALYSIS_COLUMNS),
        (FindingRow, FINDING_COLUMNS),
        (RejectionRow, REJECTION_COLUMNS),
    ):
        assert set(model.__table__.columns.keys()) == {"id", *columns}, model.__tablename__
        assert len(columns) == len(set(columns))


def test_the_profiles_and_the_tabular_reader_read_every_analysis_field():
    """A field added to the Analysis record is mappable by a profile and read by the reader."""
    own = {f for f in ANALYSIS_FIELDS if not f.endswith("_raw")}
    parts = {"measured_date", "measured_time"}
    assert set(MAPPABLE_ANALYSIS_FIELDS) == {"analysis_key", *own, *parts}
    assert set(TEXT_FIELDS) | set(CONVERTED_FIELDS) == own | parts
    assert not set(TEXT_FIELDS) & set(CONVERTED_FIELDS)
    assert set(DEFAULT_FIELDS) - {"role"} < own
    for field in ANALYSIS_FIELDS:  # a text as printed follows the field read from it
        if field.endswith("_raw"):
            assert ANALYSIS_FIELDS[ANALYSIS_FIELDS.index(field) - 1] == field[: -len("_raw")]


def test_a_profile_maps_finding_fields_and_a_component_number():
    assert set(MAPPABLE_FINDING_FIELDS) - {"component"} < set(Finding._fields)
