"""One OPSIN JVM: answers in order; a JVM that dies, a caller that fails or leaves early, and
a name the pipe cannot carry cost no hang (each call runs in a thread with a deadline)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from contextlib import closing

import pytest
from rdkit import Chem

from subsmatch.substances.opsin import OpsinProcess, java_available, names_to_smiles, opsin_jar

pytestmark = pytest.mark.opsin

NAMES = [name for i in range(300) for name in ("ethanol", f"not a name {i}", "2-propanol")]


def canonical(smiles: str | None) -> str | None:
    return Chem.CanonSmiles(smiles) if smiles else None


@pytest.fixture
def opsin():
    if not java_available() or opsin_jar() is None:
        pytest.skip("needs Java and the OPSIN jar")
    process = OpsinProcess(opsin_jar())
    yield process
    process.close()


def test_answers_come_in_order_across_many_writes(opsin):
    answers = [canonical(s) for s in opsin.convert(NAMES)]
    assert len(NAMES) > 3 * OpsinProcess.BATCH
    assert answers == [a for _ in range(300) for a in ("CCO", None, "CC(C)O")]


def test_a_caller_that_stops_early_stops_the_jvm_and_the_next_call_starts_another(opsin):
    answers = opsin.convert(NAMES)
    assert canonical(next(answers)) == "CCO"
    first = opsin._process
    answers.close()
    assert opsin._process is None and first.poll() is not None
    assert [canonical(s) for s in opsin.convert(["ethanol"])] == ["CCO"]


def test_a_jvm_that_dies_midway_leaves_the_rest_unconverted(opsin):
    answers = opsin.convert(NAMES)
    assert canonical(next(answers)) == "CCO"
    opsin._process.kill()
    rest = list(answers)
    assert len(rest) == len(NAMES) - 1
    assert rest[-1] is None
    assert [canonical(s) for s in opsin.convert(["2-propanol"])] == ["CC(C)O"]


def within(seconds: float, call: Callable[[], object]) -> object:
    """The result of ``call`` (or its exception); fails, instead of hanging the suite, when it
    takes longer."""
    outcome: list = []

    def run() -> None:
        try:
            outcome.append(call())
        except BaseException as error:  # handed to the test's thread below
            outcome.append(error)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"still waiting after {seconds} s"
    if isinstance(outcome[0], BaseException):
        raise outcome[0]
    return outcome[0]


def test_a_name_the_pipe_cannot_encode_is_unconverted_not_a_hang():
    if not java_available() or opsin_jar() is None:
        pytest.skip("needs Java and the OPSIN jar")
    answers = within(60, lambda: list(names_to_smiles(["4-chloro\udcffmethcathinone", "ethanol"])))
    assert [canonical(a) for a in answers] == [None, "CCO"]


def test_a_caller_that_fails_midway_leaves_the_jvm_usable(opsin):
    def fail_midway() -> None:
        with closing(opsin.convert(NAMES)) as answers:
            for number, _answer in enumerate(answers):
                if number == 5:
                    raise RuntimeError("the caller's own error")

    with pytest.raises(RuntimeError):
        within(60, fail_midway)
    assert [canonical(a) for a in within(60, lambda: list(opsin.convert(["ethanol"])))] == ["CCO"]


def test_close_stops_a_jvm_whose_reader_never_finished(opsin):
    answers = opsin.convert(NAMES)
    next(answers)
    within(60, lambda: opsin.close(wait=0.5))
    assert opsin._process is None
    assert len(within(60, lambda: list(answers))) == len(NAMES) - 1
