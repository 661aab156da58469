"""Uploads are ingested in a worker process at a lower OS priority, replaced when it grew.

An ingest is CPU-bound Python (reading, resolving, writing). In the server's process it held
the interpreter lock against the request threads, so that /check answers waited behind it
(p99 4.2 s beside a 36 MB upload) and the server kept the upload's memory. In a process of its
own the request threads keep their interpreter and the operating system serves the checks
first (the worker runs at :data:`NICENESS`). The worker stays for the next upload, warm (the
reference loaded), unless an ingest made it grow by more than :data:`REGROWN`: then it is
replaced, so that its memory goes back to the system, and its successor starts at once and
loads the reference in the background.

The worker opens the database itself (SQLite or PostgreSQL, by URL): an ingest writes in short
transactions, as two command-line ingests would, and the server's recorder waits for the write
lock rather than the requests.

Stopping is orderly: the worker ignores SIGINT and SIGTERM (a Ctrl-C in a terminal, or a
service manager, signals the server's whole process group), so that an ingest it has begun
is finished and stored while the server drains its requests and then closes the workers; it
ends when its server closes it, or when its server is gone. An upload the workers cannot take
(the service is stopping, the worker stopped) is answered :class:`~subsmatch.errors.Unavailable`
(503, try again), never as a fault of the file.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import resource
import signal
import threading
import time
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine

from subsmatch.errors import Unavailable
from subsmatch.operations import ingest as ingesting
from subsmatch.operations.check import BATCH_KEPT, Checker
from subsmatch.operations.database import make_engine
from subsmatch.operations.ingest import FileSummary, ReadOptions

NICENESS = 5  # added to the server's: the checks come first (a third of its CPU share)
PROCESSES = 1  # uploads at once (two cores: one for the checks, one for an ingest)
REGROWN = 64 << 20  # bytes a worker's memory may grow by before it is replaced
ORPHAN_CHECK = 1.0  # seconds between a worker's looks at whether its server still runs


RETRY_AFTER = 10  # seconds: a new worker has loaded the reference by then


class WorkerStopped(Unavailable):
    """The worker ingesting an upload stopped (killed, out of memory), or none could take it
    (the service is stopping): nothing was stored, the upload may be sent again."""


@dataclass(frozen=True)
class Job:
    """One upload to ingest: the file on disk, the name to record, how to read it, by whom."""

    path: Path
    name: str
    options: ReadOptions
    force: bool
    role: str


@dataclass
class _State:
    engine: Engine | None = None
    checker: Checker | None = None
    resident_at_start: int = 0


_worker = _State()  # the one worker process's database and checker


def _start(db_url: str, checking: dict, niceness: int) -> None:
    """A worker's start: lower its priority, leave stopping to its server, watch its server,
    open the database, load the reference."""
    os.nice(niceness)
    for stop in (signal.SIGINT, signal.SIGTERM):
        signal.signal(stop, signal.SIG_IGN)
    server = os.getppid()
    threading.Thread(target=_exit_when_orphaned, args=(server,), daemon=True).start()
    _worker.engine = make_engine(db_url)
    _worker.checker = Checker(**checking)
    _worker.resident_at_start = _resident()


def _exit_when_orphaned(server: int) -> None:
    """End this worker when its server is gone (killed: it could not stop its workers). An
    ingest cut short stays invisible; a later ingest removes what it wrote."""
    while os.getppid() == server:
        time.sleep(ORPHAN_CHECK)
    os._exit(1)


def _resident() -> int:
    """This process's resident memory now, bytes (where /proc is missing: its peak)."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux: KiB


def _warm() -> None:
    """Nothing: a job that makes the pool start its worker."""


def _ingest(job: Job) -> tuple[FileSummary, int]:
    """Ingest one upload in the worker: the summary (its options left unworded), and by how
    many bytes the worker's resident memory has grown since it started (the loading of the
    reference peaks as high as an ingest: a peak would not tell)."""
    with job.path.open("rb") as stream:
        (summary,) = ingesting.ingest(
            _worker.engine,
            [(stream, job.name)],
            job.options,
            checker=_worker.checker,
            force=job.force,
            role=job.role,
            workers=0,  # the other core serves the checks: no judging workers forked here
        )
    return summary, _resident() - _worker.resident_at_start


def _submit(pool: ProcessPoolExecutor | None, job: Job) -> Future:
    """``job`` handed to ``pool``; :class:`WorkerStopped` when the workers are closed (None)
    or shut down since; BrokenProcessPool when its worker died."""
    if pool is None:
        raise _stopping(job)
    try:
        return pool.submit(_ingest, job)
    except BrokenProcessPool:
        raise
    except RuntimeError:  # "cannot schedule new futures after shutdown"
        raise _stopping(job) from None


def _stopping(job: Job) -> WorkerStopped:
    return WorkerStopped(
        f"the service is stopping: {job.name} was not ingested, nothing of it was stored",
        "upload it again once the service is back",
        retry_after=RETRY_AFTER,
    )


def _settings_of(checker: Checker) -> dict:
    return {
        "use_opsin": checker.use_opsin,
        "home": checker.home,
        "region": checker.region,
        "kept": BATCH_KEPT,  # the worker only ingests, asking each name once
    }


@dataclass
class Workers:
    """The pool of upload workers of one app (started with the app)."""

    db_url: str
    checker: Checker  # the server's: the workers judge as it does (home, region, OPSIN)
    niceness: int = NICENESS
    processes: int = PROCESSES
    regrown: int = REGROWN
    _pool: ProcessPoolExecutor | None = field(default=None, init=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False)
    _closed: bool = field(default=False, init=False)
    # replaced pools whose worker is still finishing: the app's shutdown waits for them too
    _retiring: list[threading.Thread] = field(default_factory=list, init=False)

    def _executor(self) -> ProcessPoolExecutor | None:
        """The pool, started on first use; None once the workers are closed."""
        with self._lock:
            if self._closed:
                return None
            if self._pool is None:
                self._pool = ProcessPoolExecutor(
                    self.processes,
                    mp_context=multiprocessing.get_context("spawn"),  # never fork threads
                    initializer=_start,
                    initargs=(self.db_url, _settings_of(self.checker), self.niceness),
                )
            return self._pool

    def start(self) -> None:
        """Start the first worker now (the app's start), so that the first upload finds the
        reference loaded (nothing once the workers are closed)."""
        pool = self._executor()
        if pool is not None:
            with suppress(RuntimeError):  # closed meanwhile: nothing to start
                pool.submit(_warm)

    def pids(self) -> list[int]:
        """The process ids of the workers now running."""
        with self._lock:
            # the executor keeps no public list of its processes
            return list(self._pool._processes) if self._pool is not None else []

    async def ingest(self, job: Job) -> FileSummary:
        """Ingest ``job`` in a worker; raises :class:`WorkerStopped` when the worker dies or
        the workers are closed before one took the job. A worker that grew, or died, is
        replaced."""
        pool = self._executor()
        try:
            future = _submit(pool, job)
            summary, grown = await asyncio.wrap_future(future)
        except BrokenProcessPool:
            self._replace(pool)
            raise WorkerStopped(
                f"the process ingesting {job.name} stopped before it finished (out of memory "
                "or killed); nothing of it was stored",
                "upload it again; if it stops again, split the file",
                retry_after=RETRY_AFTER,
            ) from None
        except asyncio.CancelledError:
            if future.cancelled():  # closed before a worker took it
                raise _stopping(job) from None
            raise  # the request itself was cancelled
        if grown > self.regrown:
            self._replace(pool)
        return summary

    def _replace(self, pool: ProcessPoolExecutor) -> None:
        """Retire ``pool`` (its worker exits once its jobs are done) and start the next one's
        worker now."""
        retiring = threading.Thread(target=pool.shutdown, name="retiring upload worker")
        retiring.start()
        with self._lock:
            if self._pool is pool:
                self._pool = None
            self._retiring = [t for t in self._retiring if t.is_alive()] + [retiring]
        self.start()

    def close(self) -> None:
        """Let a running ingest finish and stop the workers (the app's shutdown); an upload
        still waiting for a worker is answered :class:`WorkerStopped`."""
        with self._lock:
            pool, self._pool, self._closed = self._pool, None, True
            retiring, self._retiring = self._retiring, []
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
        for thread in retiring:  # a replaced worker ends with its server, never after it
            thread.join()
