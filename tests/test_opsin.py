"""One OPSIN JVM: answers in order, and a JVM that dies or is left early costs no hang."""

from __future__ import annotations

import pytest
from rdkit import Chem

from subsmatch.substances.opsin import OpsinProcess, java_available, opsin_jar

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
