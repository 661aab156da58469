"""Shared fixtures: a real SQLite file per test, the shipped reference, ../shared if present."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

# the start-up cache of the tests' own tables (temporary copies, other data) in a folder of the
# run, removed after it, not in the user's cache; processes the tests start inherit it
TEST_CACHE = None
if "SUBSMATCH_CACHE_DIR" not in os.environ:
    TEST_CACHE = os.environ["SUBSMATCH_CACHE_DIR"] = tempfile.mkdtemp(prefix="subsmatch-cache-")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if TEST_CACHE:
        shutil.rmtree(TEST_CACHE, ignore_errors=True)


# ../shared beside the repository; a worktree in <root>/wt/<name> finds <root>/shared
SHARED = next(
    (
        parent / "shared"
        for parent in Path(__file__).resolve().parents[1].parents
        if (parent / "shared" / "sources").is_dir()
    ),
    Path(__file__).resolve().parents[1].parent / "shared",
)


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


def _pg_unavailable(reason: str) -> None:
    """Outside CI the PostgreSQL tests skip, loudly; in CI a server that cannot start fails."""
    import os
    import warnings

    message = f"PostgreSQL tests cannot run: {reason}"
    if os.environ.get("CI"):
        pytest.fail(message)
    warnings.warn(message, stacklevel=2)
    pytest.skip(message)


@pytest.fixture(scope="session")
def pg_server():
    """A throwaway PostgreSQL server on loopback, started for this test run."""
    from subsmatch.store.testing import ServerUnavailable, throwaway_postgres

    try:
        with throwaway_postgres() as server:
            yield server
    except ServerUnavailable as error:
        _pg_unavailable(str(error))


@pytest.fixture
def pg_url(pg_server, request) -> str:
    """A fresh database on the test server, one per test."""
    import re

    from subsmatch.store.testing import create_database

    return create_database(pg_server, "t_" + re.sub(r"\W", "_", request.node.name.lower())[:50])
