"""The reference build: deterministic, and it states what it did (reads ../shared)."""

from __future__ import annotations

import json

import pyarrow.parquet as pq
import pytest

from subsmatch.reference.build import build
from subsmatch.reference.lists import Reference


@pytest.mark.shared
def test_build_is_deterministic_and_reports(shared, tmp_path):
    first = build(shared, tmp_path / "a")
    second = build(shared, tmp_path / "b")
    assert first["content_sha256"] == second["content_sha256"]
    report = (tmp_path / "a" / "BUILD_REPORT.md").read_text()
    for heading in (
        "Rows per source",
        "Lists and completeness",
        "Placeholder structures ignored",
        "Name conflicts",
        "US Federal Register actions applied",
    ):
        assert heading in report
    version = json.loads((tmp_path / "a" / "VERSION.json").read_text())
    assert version["data_version"].split("+")[1] == first["content_sha256"][:12]
    reference = Reference(tmp_path / "a")
    assert {i.jurisdiction for i in reference.lists} >= {"UN", "EU", "BE", "NL", "DE", "US", "CN"}
    listings = pq.read_table(tmp_path / "a" / "listings.parquet").to_pylist()
    assert all(row["source"] and row["source_row"] for row in listings)


def test_shipped_tables_load_and_carry_sources():
    from subsmatch.reference.lists import load

    reference = load()
    assert reference.version
    assert len(reference.substances) > 1000
    placeholders = [
        s for s in reference.substances.values() if s.inchikey == "SQVRNKJHWKZAKO-PFQGKNLYSA-N"
    ]  # N-acetylneuraminic acid
    assert placeholders == []
