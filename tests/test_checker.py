"""The checker as a library: resolve, judge, the nearest controlled neighbour, sharing threads."""

from __future__ import annotations

import threading
import time
from datetime import date

from subsmatch.matchers.checker import Checker
from subsmatch.substances.structures import keys_of

MDMA = "CNC(C)Cc1ccc2OCOc2c1"
NOVEL_NITAZENE = "CCN(CC)CCn1c(Cc2ccc(OC(C)C)cc2F)nc2cc([N+](=O)[O-])ccc21"


def test_nearest_controlled_neighbour_is_never_the_query_itself(checker):
    neighbour = checker.nearest(keys_of(MDMA))
    assert neighbour is not None and neighbour.similarity > 0.5
    assert keys_of(neighbour.smiles).connectivity != keys_of(MDMA).connectivity
    assert neighbour.lists  # where it is controlled


def test_nearest_is_the_first_analogue_of_an_unlisted_structure(checker):
    (verdict,) = checker.check([NOVEL_NITAZENE], as_of=date(2025, 6, 1))
    assert verdict.status == "analogue" and verdict.analogue.neighbours
    nearest = checker.nearest(verdict.resolution.keys, date(2025, 6, 1))
    assert nearest.substance_id == verdict.analogue.neighbours[0].substance_id


def concurrency(checker: Checker, threads: int = 4) -> int:
    """The most threads seen inside the checker's resolver at once, ``threads`` checking."""
    inside = most = 0
    count = threading.Lock()
    resolve = checker.resolver.resolve_many

    def counted(queries):
        nonlocal inside, most
        with count:
            inside += 1
            most = max(most, inside)
        time.sleep(0.05)  # long enough for the other threads to arrive
        try:
            return resolve(queries)
        finally:
            with count:
                inside -= 1

    checker.resolver.resolve_many = counted
    workers = [
        threading.Thread(target=checker.check, args=([f"MDMA {i}"],)) for i in range(threads)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return most


def test_a_shared_checker_serves_one_thread_at_a_time():
    assert concurrency(Checker(use_opsin=False, shared=True)) == 1
    assert concurrency(Checker(use_opsin=False)) > 1  # the measure sees concurrency
