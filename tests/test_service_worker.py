"""The upload workers of the service: an upload ingested in a worker process, the worker kept
warm, replaced when an ingest made it grow, and a worker that dies answered in words, the next
upload served by a new one. Real processes, a real SQLite file."""

from __future__ import annotations

import asyncio
import os
import signal
from pathlib import Path

import pytest

from subsmatch.matchers.checker import Checker
from subsmatch.operations.ingest import ReadOptions
from subsmatch.service.worker import Job, Workers, WorkerStopped
from tests.helpers import LIMS, counts


@pytest.fixture(scope="module")
def light_checker() -> Checker:
    return Checker(use_opsin=False)


def job(path: Path, force: bool = False) -> Job:
    return Job(path, path.name, ReadOptions(), force=force, role="lab")


def test_a_worker_stays_warm_unless_an_ingest_made_it_grow(db_url, light_checker) -> None:
    kept = Workers(db_url, light_checker, regrown=1 << 40)
    replaced = Workers(db_url, light_checker, regrown=0)
    try:
        for workers, force in ((kept, False), (replaced, True)):
            first = workers.pids()
            summary = asyncio.run(workers.ingest(job(LIMS, force)))
            assert summary.status == "new" and summary.findings == 14, summary
            assert first == [] and workers.pids()  # started with the first upload
            before = workers.pids()
            asyncio.run(workers.ingest(job(LIMS, force=True)))
            if workers is kept:
                assert workers.pids() == before
            else:
                assert not set(workers.pids()) & set(before)
    finally:
        kept.close()
        replaced.close()
    assert counts(db_url)["files"] == 4


def test_a_worker_that_dies_is_answered_in_words_and_replaced(db_url, light_checker) -> None:
    workers = Workers(db_url, light_checker)
    try:
        workers.start()
        (pid,) = workers.pids()
        os.kill(pid, signal.SIGKILL)
        with pytest.raises(WorkerStopped) as stopped:  # whether the pool noticed before or after
            asyncio.run(workers.ingest(job(LIMS, force=True)))
        assert "nothing of it was stored" in stopped.value.reason and stopped.value.hint
        assert pid not in workers.pids()
        summary = asyncio.run(workers.ingest(job(LIMS, force=True)))
        assert summary.status == "new"
    finally:
        workers.close()
