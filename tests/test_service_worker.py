"""The upload workers of the service: an upload ingested in a worker process, the worker kept
warm, replaced when an ingest made it grow, and a worker that dies answered in words (503, try
again), the next upload served by a new one; a service told to stop finishes the upload it
began. Real processes, a real SQLite file, a real server."""

from __future__ import annotations

import asyncio
import os
import signal
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from subsmatch.matchers.checker import Checker
from subsmatch.operations.ingest import ReadOptions
from subsmatch.service.core import headers_of, status_of
from subsmatch.service.testing import server_process
from subsmatch.service.worker import RETRY_AFTER, Job, Workers, WorkerStopped
from subsmatch.store.access import audit_events, create_token
from subsmatch.store.engine import make_engine
from tests.helpers import LIMS, counts, lims_rows, until, visible_files


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
        assert status_of(stopped.value) == 503  # not a fault of the file: try again
        assert headers_of(stopped.value) == {"Retry-After": str(RETRY_AFTER)}
        assert pid not in workers.pids()
        summary = asyncio.run(workers.ingest(job(LIMS, force=True)))
        assert summary.status == "new"
    finally:
        workers.close()


def test_an_upload_the_closed_workers_cannot_take_is_answered_try_again(
    db_url, light_checker
) -> None:
    workers = Workers(db_url, light_checker)
    workers.start()
    workers.close()  # the app is stopping
    workers.start()  # starts nothing now
    with pytest.raises(WorkerStopped) as stopped:
        asyncio.run(workers.ingest(job(LIMS)))
    assert "the service is stopping" in stopped.value.reason and status_of(stopped.value) == 503
    assert workers.pids() == [] and counts(db_url)["files"] == 0


def children(pid: int) -> dict[int, str]:
    """The child processes of ``pid`` and their command lines."""
    found = {}
    for task in Path(f"/proc/{pid}/task").glob("*"):
        for child in (task / "children").read_text().split():
            command = Path(f"/proc/{child}/cmdline").read_bytes().replace(b"\0", b" ")
            found[int(child)] = command.decode(errors="replace")
    return found


def test_a_service_told_to_stop_finishes_the_upload_it_began(tmp_path: Path) -> None:
    """SIGTERM to the server and its worker at once, as a service manager signals the whole
    group, in the middle of an upload: the upload is stored whole and answered, the server
    exits cleanly, its worker with it."""
    url = f"sqlite:///{tmp_path / 'stop.sqlite'}"
    engine = make_engine(url)
    token = create_token(engine, "lab-1", "lab")
    report = tmp_path / "big.csv"
    report.write_text(lims_rows(20_000), encoding="utf-8")

    def writing() -> bool:
        with engine.connect() as connection:
            query = "select count(*) from files where writing_since is not null"
            return connection.execute(text(query)).scalar() > 0

    def send() -> httpx.Response:
        with httpx.Client(base_url=base, timeout=600) as http:
            return http.post(
                "/ingest",
                headers={"Authorization": f"Bearer {token}"},
                files={"file": (report.name, report.read_bytes(), "text/csv")},
            )

    with server_process(url, max_upload_mb=10, log=tmp_path / "server.log") as (base, server):
        assert until(lambda: any("spawn_main" in c for c in children(server.pid).values()))
        (worker,) = [p for p, c in children(server.pid).items() if "spawn_main" in c]
        with ThreadPoolExecutor(1) as sending:
            answer = sending.submit(send)
            assert until(writing), "the ingest did not begin to write"
            server.send_signal(signal.SIGTERM)
            os.kill(worker, signal.SIGTERM)
            answered = answer.result()
        # uvicorn ends by raising the signal it handled again, once it has shut down
        assert server.wait(timeout=120) in (0, -signal.SIGTERM)
    assert "Application shutdown complete" in (tmp_path / "server.log").read_text()
    assert answered.status_code == 200, answered.text
    assert answered.json()["findings"] == 20_000 and visible_files(url) == 1
    assert not Path(f"/proc/{worker}").exists()  # ended, and its server waited for it
    uploads = [e for e in audit_events(engine) if e["action"] == "upload"]
    assert [e["status"] for e in uploads] == [200]  # written on the way out


def test_an_upload_whose_worker_died_is_answered_503_with_retry_after(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'died.sqlite'}"
    engine = make_engine(url)
    token = create_token(engine, "lab-1", "lab")
    with server_process(url, log=tmp_path / "server.log") as (base, server):
        assert until(lambda: any("spawn_main" in c for c in children(server.pid).values()))
        (worker,) = [p for p, c in children(server.pid).items() if "spawn_main" in c]
        os.kill(worker, signal.SIGKILL)
        with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}) as http:
            upload = {"file": (LIMS.name, LIMS.read_bytes(), "text/csv")}
            died = http.post("/ingest", files=upload, timeout=600)
            again = http.post("/ingest", files=upload, timeout=600)
    assert died.status_code == 503 and died.headers["retry-after"] == str(RETRY_AFTER)
    assert "nothing of it was stored" in died.json()["detail"]
    assert again.status_code == 200 and again.json()["status"] == "new"
    uploads = [e["status"] for e in audit_events(engine) if e["action"] == "upload"]
    assert sorted(uploads) == [200, 503]
