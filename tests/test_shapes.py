"""The typed shapes of the vocabulary against real output, and the service's models built on them.

Each shape is checked on what the operations give for the shipped examples: every object has
exactly the keys its shape declares, and pydantic accepts the values (the same validation the
service runs on its answers).
"""

from __future__ import annotations

import pytest
from pydantic import TypeAdapter

from subsmatch.operations import analysis, findings
from subsmatch.operations.database import make_engine
from subsmatch.operations.ingest import ingest, read_options
from subsmatch.service import models
from subsmatch.vocabulary import (
    IngestSummaryJSON,
    StoredFindingJSON,
    TrendJSON,
    TrendsJSON,
    VerdictJSON,
)
from tests.helpers import EXAMPLES, assert_same_keys, keys_of


@pytest.fixture(scope="module")
def stored(tmp_path_factory, checker) -> dict:
    """The shipped examples ingested into a fresh database, and what the operations give."""
    folder = tmp_path_factory.mktemp("shapes")
    engine = make_engine(f"sqlite:///{folder / 'x.sqlite'}")
    damaged = folder / "damaged.jsonl"  # a line that is no JSON: a rejection
    damaged.write_text(
        '{"technique": "colour test", "findings": [{"name": "MDMA"}]}\n{not json\n',
        encoding="utf-8",
    )
    files = [*sorted(p for p in EXAMPLES.iterdir() if p.is_file()), damaged]
    summaries = [s.to_dict() for s in ingest(engine, files, read_options(), checker=checker)]
    trends = analysis.trends(engine, since=None, reference=checker.reference)
    return {
        "summaries": summaries,
        "findings": [findings.json_safe(r) for r in findings.findings(engine)],
        "trends": trends.to_dict(),
    }


@pytest.mark.parametrize(
    ("part", "shape"),
    [
        ("summaries", list[IngestSummaryJSON]),
        ("findings", list[StoredFindingJSON]),
        ("trends", TrendsJSON),
    ],
)
def test_each_shape_is_what_the_operations_give(stored: dict, part: str, shape: object) -> None:
    value = stored[part]
    assert value, part
    TypeAdapter(shape).validate_python(value)
    assert_same_keys(value, shape, part)


def test_the_examples_give_every_kind_of_value(stored: dict) -> None:
    """The check above saw flagged findings, rejections, verdicts and trends of each kind."""
    summaries = stored["summaries"]
    assert {s["status"] for s in summaries} == {"new"}
    assert any(s["flagged"] for s in summaries) and any(s["rejected"] for s in summaries)
    rows = stored["findings"]
    assert any(r["verdict"] for r in rows) and any(r["verdict"] is None for r in rows)
    assert any(r["scores"] for r in rows)
    assert stored["trends"]["classes"] and stored["trends"]["substances"]


@pytest.mark.parametrize(
    ("model", "shape"),
    [
        (models.Verdict, VerdictJSON),
        (models.IngestSummary, IngestSummaryJSON),
        (models.Finding, StoredFindingJSON),
        (models.Trends, TrendsJSON),
    ],
)
def test_the_service_models_are_the_shapes(model: type, shape: type) -> None:
    assert keys_of(model) == keys_of(shape)
    assert set(TypeAdapter(model).json_schema()["properties"]) == set(keys_of(shape))


def test_a_trend_names_its_class_with_the_keyword() -> None:
    assert "class" in keys_of(TrendJSON)
