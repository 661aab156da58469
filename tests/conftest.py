"""Shared fixtures: a real SQLite file per test, the shipped reference, ../shared if present."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[1].parent / "shared"


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'subsmatch.sqlite'}"


@pytest.fixture(scope="session")
def checker():
    from subsmatch.matchers.checker import Checker

    return Checker()


@pytest.fixture(scope="session")
def shared() -> Path:
    if not (SHARED / "sources").is_dir():
        pytest.skip("../shared is absent")
    return SHARED


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    if shutil.which("java") is None:
        skip = pytest.mark.skip(reason="Java is not installed: OPSIN tests skipped")
        for item in items:
            if "opsin" in item.keywords:
                item.add_marker(skip)
