"""The whole build on ../shared: the shipped tables are exactly what the compiler makes of the
sources (deterministic, and committed with the code that made them)."""

from __future__ import annotations

import json

import pytest

from subsmatch.compile.build import DATA, STEPS, build


def test_the_build_is_a_visible_list_of_steps():
    assert [step.__name__ for step in STEPS] == [
        "read_step",
        "curate_step",
        "identify_step",
        "merge_step",
        "names_step",
        "date_step",
        "write_step",
        "rules_step",
    ]


@pytest.mark.shared
@pytest.mark.opsin
def test_the_shipped_tables_are_what_the_sources_give(shared, tmp_path):
    version = build(shared, tmp_path)
    shipped = json.loads((DATA / "VERSION.json").read_text())
    assert version["content_sha256"] == shipped["content_sha256"], (
        "rebuild: python -m subsmatch.compile"
    )
    audit = json.loads((tmp_path / "audit.json").read_text())
    assert audit["data_version"] == version["data_version"]
    for heading in ("Lists", "Overrides", "Conflicts", "Notice names not placed on a structure"):
        assert heading in (tmp_path / "BUILD_REPORT.md").read_text()
