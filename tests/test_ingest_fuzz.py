"""A few hundred seeded mutations of every shipped example: no traceback, every row counted
(the benchmark ``benchmarks/fuzz_ingest.py`` runs thousands)."""

from __future__ import annotations

from benchmarks.fuzz_ingest import examples, fuzz, mutants


def test_mutations_are_deterministic_and_cover_every_example():
    first = list(mutants(30, seed=3))
    assert first == list(mutants(30, seed=3))
    assert {name.split("_", 1)[1] for name, _ in first} == {p.name for p in examples()}
    originals = {p.name: p.read_bytes() for p in examples()}
    changed = [data != originals[name.split("_", 1)[1]] for name, data in first]
    assert sum(changed) >= 25


def test_mutated_examples_are_read_or_refused_never_a_traceback(tmp_path, checker):
    result = fuzz(320, seed=11, folder=tmp_path, through_db=40, checker=checker)
    assert result["failures"] == []
    assert result["outcomes"]["read"] > 100 and result["outcomes"]["refused"] > 10
    database = result["database"]
    assert "traceback" not in database and "unbalanced" not in database
    assert database.get("new", 0) > 10 and sum(database.values()) == 40
