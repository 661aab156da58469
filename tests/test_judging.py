"""Batches judged in forked workers: the results, in order, as one process gives them."""

from __future__ import annotations

import gc
import os

from subsmatch.ingest.judging import Forked


def pids(items: list[int]) -> list[tuple[int, int]]:
    return [(item, os.getpid()) for item in items]


def test_a_large_batch_goes_to_the_workers_and_comes_back_in_order():
    forked = Forked(pids, workers=2, fork_from=10)
    try:
        small = forked([1, 2, 3])  # below fork_from, before any worker: done here
        pending = forked.submit(range(100))
        again = forked([4, 5])  # once forked, every batch goes to the workers
        done = pending.result()
    finally:
        forked.close()
    assert small == [(1, os.getpid()), (2, os.getpid()), (3, os.getpid())]
    assert [item for item, _pid in done] == list(range(100))
    workers = {pid for _item, pid in done}  # one or both (a worker may take both slices)
    assert workers and os.getpid() not in workers
    assert [item for item, _pid in again] == [4, 5] and again[0][1] != os.getpid()


def test_a_worker_that_dies_leaves_its_slice_to_this_process():
    parent = os.getpid()

    def dies_in_a_worker(items: list[int]) -> list[int]:
        if os.getpid() != parent:
            os._exit(1)
        return [2 * item for item in items]

    forked = Forked(dies_in_a_worker, workers=1, fork_from=1)
    try:
        assert forked(list(range(5))) == [0, 2, 4, 6, 8]
        assert forked([7]) == [14]  # a new worker, which dies too
    finally:
        forked.close()


def test_no_workers_means_here_and_now():
    calls = []
    forked = Forked(lambda items: calls.append(list(items)) or items, workers=0, fork_from=1)
    pending = forked.submit([1, 2])
    assert calls == [[1, 2]] and pending.result() == [1, 2]


KEPT: list[list[list]] = []  # what a task keeps between batches (a checker's caches)


def frozen_then_keeps(items: list[int]) -> list[tuple[int, bool]]:
    """How many objects were frozen when the batch began, and whether the collector is on;
    keeps a new list per item."""
    frozen = gc.get_freeze_count()
    KEPT.append([[item] for item in items])
    return [(frozen, gc.isenabled()) for _ in items]


def test_a_batch_runs_with_the_collector_paused_and_what_it_keeps_is_frozen_after_it():
    forked = Forked(frozen_then_keeps, workers=1, fork_from=1)
    try:
        (frozen, collecting), *_ = forked(list(range(1000)))
        (then, _collecting), *_ = forked(list(range(1000)))
    finally:
        forked.close()
    assert not collecting
    assert then >= frozen + 1000  # the first batch's kept lists, frozen after it
