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


PG_BIN = Path("/usr/lib/postgresql/15/bin")


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


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
def pg_server(tmp_path_factory):
    """A throwaway PostgreSQL server on loopback (trust auth), started for this test run."""
    import os
    import subprocess
    import tempfile

    initdb, pg_ctl = PG_BIN / "initdb", PG_BIN / "pg_ctl"
    if not initdb.exists():
        _pg_unavailable(f"{initdb} not found (apt-get install postgresql-15)")
    base = Path(tempfile.mkdtemp(prefix="subsmatch-pg-"))
    as_user: list[str] = []
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root
        shutil.chown(base, "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    port = _free_port()
    data = base / "data"
    options = f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off"
    try:
        subprocess.run([*as_user, str(initdb), "-D", str(data), "-A", "trust", "-U", "postgres",
                        "-E", "UTF8", "--no-sync"], check=True, capture_output=True, timeout=120)
        subprocess.run([*as_user, str(pg_ctl), "-D", str(data), "-o", options, "-l",
                        str(base / "server.log"), "-w", "start"], check=True,
                       capture_output=True, timeout=120)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as error:
        _pg_unavailable(f"the server did not start: {error}")
    yield f"postgresql+psycopg://postgres@127.0.0.1:{port}"
    subprocess.run([*as_user, str(pg_ctl), "-D", str(data), "-m", "immediate", "stop"],
                   capture_output=True, timeout=60)
    shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def pg_url(pg_server, request) -> str:
    """A fresh database on the test server, one per test."""
    import re

    import psycopg

    name = "t_" + re.sub(r"\W", "_", request.node.name.lower())[:50]
    with psycopg.connect(pg_server.replace("+psycopg", "") + "/postgres",
                         autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')
    return f"{pg_server}/{name}"
