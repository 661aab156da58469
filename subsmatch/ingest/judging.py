"""Work handed to forked worker processes while this one goes on: an ingest's judging.

An ingest judges each distinct query once, and a large report brings tens of thousands of them,
spread over its chunks. :class:`Forked` hands a batch to worker processes forked from this one
(they share its loaded state copy-on-write: the reference, its indexes) and gives the results
back, in the batch's order, when asked: meanwhile this process reads and writes other chunks.
With one worker every batch is done by the same process in the order submitted, so its caches
evolve as this process's would, and the results are the same; with several, a batch is cut
into contiguous slices, one per worker, which is the same only for a task whose result for an
item does not depend on what it met before. A worker that dies is not retried: what it had is
done here.
"""

from __future__ import annotations

import gc
import multiprocessing
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from itertools import pairwise
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")

FORK_FROM = 200
"""Workers are forked at the first batch of this many items (a report with fewer distinct
names is judged here: a worker's start, its own OPSIN JVM, would cost more)."""

_TASK: Callable | None = None  # the task of this worker process (set when it starts)


class Pending(Generic[R]):
    """A submitted batch: its results, once :meth:`result` is asked for."""

    def __init__(self, forked: Forked, parts: list[tuple[list, Future | None]]) -> None:
        self._forked = forked
        self._parts = parts  # each slice, and its future (None: done here, results in place)

    def result(self) -> list[R]:
        """The results in the batch's order (waits for the workers)."""
        results: list[R] = []
        for part, future in self._parts:
            results += part if future is None else self._forked.collected(future, part)
        return results


class Forked(Generic[T, R]):
    """Runs ``task`` (a list of items -> a list of results, one per item) on batches in
    ``workers`` forked processes (0: here, when submitted), forked at the first batch of at
    least ``fork_from`` items (None: ``FORK_FROM``) and kept until :meth:`close`; ``started``
    runs in each worker as it starts (e.g. starting a JVM it will need). Smaller batches before
    that, and every batch on a platform without fork, are done here.

    >>> doubled = Forked(lambda xs: [2 * x for x in xs], workers=2, fork_from=4)
    >>> pending = doubled.submit(range(5))
    >>> doubled([7]), pending.result()
    ([14], [0, 2, 4, 6, 8])
    >>> doubled.close()
    """

    def __init__(
        self,
        task: Callable[[list[T]], list[R]],
        workers: int = 0,
        fork_from: int | None = None,
        started: Callable[[], None] | None = None,
    ) -> None:
        self.task = task
        forkable = "fork" in multiprocessing.get_all_start_methods()
        self.workers = workers if forkable else 0
        self.fork_from = FORK_FROM if fork_from is None else fork_from
        self.started = started
        self._pool: ProcessPoolExecutor | None = None

    @property
    def forking(self) -> bool:
        """Whether batches go (or will go) to workers."""
        return self.workers > 0

    def submit(self, items: Sequence[T]) -> Pending[R]:
        """Start a batch: in the workers once they exist (or this batch is large enough to
        fork them), else done here now."""
        items = list(items)
        if not self.workers or (self._pool is None and len(items) < self.fork_from):
            return Pending(self, [(self.task(items), None)])
        pool = self._workers()
        slices = _slices(items, min(self.workers, len(items)) or 1)
        try:
            return Pending(self, [(part, pool.submit(_run, part)) for part in slices])
        except BrokenProcessPool:
            self.close()
            return Pending(self, [(self.task(items), None)])

    def __call__(self, items: Sequence[T]) -> list[R]:
        return self.submit(items).result()

    def collected(self, future: Future, part: list[T]) -> list[R]:
        """A worker's results; its slice done here when the worker died."""
        try:
            return future.result()
        except BrokenProcessPool:
            self.close()
            return self.task(part)

    def _workers(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                self.workers,
                mp_context=multiprocessing.get_context("fork"),  # the loaded state, shared
                initializer=_start,
                initargs=(self.task, self.started),  # inherited at the fork, never pickled
            )
        return self._pool

    def close(self) -> None:
        """Stop the workers (their OPSIN JVMs end with them); a later batch forks anew."""
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)


def _slices(items: list[T], count: int) -> list[list[T]]:
    """``items`` cut into ``count`` contiguous slices of nearly equal length, in order.

    >>> _slices([1, 2, 3, 4, 5], 2)
    [[1, 2, 3], [4, 5]]
    """
    size, extra = divmod(len(items), count)
    bounds = [i * size + min(i, extra) for i in range(count + 1)]
    return [items[a:b] for a, b in pairwise(bounds)]


def _start(task: Callable, started: Callable[[], None] | None) -> None:
    """A worker's start: what it inherited is frozen out of the collector's reach (a
    collection would write to every inherited object's header, copying the pages the worker
    shares with its parent), and the collector, paused in the parent while it writes, is on.
    ``started`` runs before, the collector still paused, and what it builds (a checker's
    indexes, kept for the worker's life) is frozen too, as a batch's is (see :func:`_run`)."""
    global _TASK
    _TASK = task
    gc.disable()  # as it is when forked from a writing ingest; ``started`` builds, unscanned
    gc.freeze()
    if started is not None:
        started()
        gc.freeze()
    gc.enable()


def _run(items: list) -> list:
    """One batch in a worker, the collector paused meanwhile; what it leaves alive (the task's
    caches: the checker's resolutions and verdicts) is then frozen too. Collected, the tens of
    thousands of objects a batch keeps were scanned, young and again as they aged, only to be
    found alive: about a seventh of the judging of an ingest's distinct names. A cycle a batch
    leaves waits for the worker's end (a file's); the judging of the 21,499 distinct queries of
    a 200,000-hit NIST file leaves 193 objects in cycles in all."""
    assert _TASK is not None, "a worker runs the task it was forked with"
    gc.disable()
    try:
        return _TASK(items)
    finally:
        gc.freeze()
        gc.enable()
