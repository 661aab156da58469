"""Run the real server in a child process on loopback (for the tests and the benchmark)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

LOOPBACK = "127.0.0.1"
START_TIMEOUT = 60.0


def free_port() -> int:
    """A TCP port free on loopback right now."""
    with socket.socket() as probe:
        probe.bind((LOOPBACK, 0))
        return probe.getsockname()[1]


@contextmanager
def running_server(
    db_url: str,
    *,
    max_upload_mb: int = 50,
    log: Path | None = None,
    env: dict[str, str] | None = None,
    options: tuple[str, ...] = (),
) -> Iterator[str]:
    """``subsmatch serve`` on a free loopback port (more ``options`` of serve given); yields
    its base URL, stops it after (SIGTERM: the server writes what it has queued).

    Waits until the server answers (any status: without a token it says 401).
    """
    with server_process(db_url, max_upload_mb=max_upload_mb, log=log, env=env, options=options) as (
        base,
        _process,
    ):
        yield base


@contextmanager
def server_process(
    db_url: str,
    *,
    max_upload_mb: int = 50,
    log: Path | None = None,
    env: dict[str, str] | None = None,
    options: tuple[str, ...] = (),
) -> Iterator[tuple[str, subprocess.Popen]]:
    """:func:`running_server`, yielding the server's process beside its base URL (to watch
    its memory)."""
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "subsmatch.cli",
        "--db",
        db_url,
        "serve",
        "--host",
        LOOPBACK,
        "--port",
        str(port),
        "--max-upload-mb",
        str(max_upload_mb),
        *options,
    ]
    output = log.open("wb") if log else subprocess.DEVNULL
    process = subprocess.Popen(
        command,
        stdout=output,
        stderr=subprocess.STDOUT,
        env={**os.environ, "SUBSMATCH_SECURE_COOKIE": "0", **(env or {})},
    )
    base = f"http://{LOOPBACK}:{port}"
    try:
        wait_until_up(base, process)
        yield base, process
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if log:
            output.close()


def wait_until_up(base: str, process: subprocess.Popen) -> None:
    """Poll ``base`` until it answers; raise if the process dies or time runs out."""
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with code {process.returncode}")
        try:
            httpx.get(f"{base}/login", timeout=1.0)
            return
        except httpx.TransportError:
            time.sleep(0.2)
    raise RuntimeError(f"the server did not answer within {START_TIMEOUT:.0f} s")
