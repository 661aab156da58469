"""The stored analogue assessments of the reference structures are current, equal a live
search, and are never used by an index they were not made for."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import pyarrow.parquet as pq
import pytest

from subsmatch.matchers import reference_analogues
from subsmatch.matchers.checker import Checker
from subsmatch.matchers.similarity import AnalogueIndex, finding_key
from subsmatch.matchers.verdict import evaluate, verdict_to_dict
from subsmatch.reference.lists import JURISDICTIONS, load

REFERENCE = load()
PATH = reference_analogues.path_of(REFERENCE)
ALL = tuple(sorted(JURISDICTIONS))  # how the checker keys its default index
STRUCTURES = reference_analogues.structures(REFERENCE)
MADE_ON = reference_analogues.made_on(PATH)  # the committed table's day, asked by its tests


def test_the_committed_table_says_the_day_it_was_made_for():
    assert MADE_ON is not None


@pytest.fixture(scope="module")
def index() -> AnalogueIndex:
    """An index of the table's day searching live: it knows no stored assessment. (Today's
    index differs from it once a listing comes into force; checks then search again.)"""
    return AnalogueIndex(REFERENCE, MADE_ON, ALL)


@pytest.fixture(scope="module")
def committed() -> Mapping:
    return reference_analogues.stored(PATH)


@pytest.fixture
def same_rdkit():
    made = reference_analogues.made_with(PATH).get("rdkit_version")
    here = reference_analogues.versions(REFERENCE, AnalogueIndex(REFERENCE, None, ALL))
    if made != here["rdkit_version"]:
        pytest.skip(f"the table was made with RDKit {made}, this is {here['rdkit_version']}")


def sample(committed: Mapping) -> list:
    """Every 40th structure, and every one whose stored assessment is a look-alike, an
    analogue or has a neighbour compared as its deacylated parent (the rarer paths)."""
    rare = {
        key
        for key in committed
        if (found := committed[key]).lookalike
        or found.is_analogue
        or any(n.via for n in found.neighbours)
    }
    return [k for i, k in enumerate(STRUCTURES) if i % 40 == 0 or finding_key(k) in rare]


def test_committed_table_is_current_and_covers_every_structure(same_rdkit, index, committed):
    """A failure here means the reference, similarity.py, a class, threshold or look-alike, or
    a listing's state today changed: run ``python -m subsmatch.matchers.precompute``."""
    made = reference_analogues.made_with(PATH)
    assert made == {**reference_analogues.versions(REFERENCE, index), "made_on": str(MADE_ON)}
    assert set(reference_analogues.read(REFERENCE, index)) == {finding_key(k) for k in STRUCTURES}


def test_stored_assessments_equal_a_live_search(same_rdkit, index, committed):
    keys = sample(committed)
    assert len(keys) > 100
    kinds = [committed[finding_key(k)] for k in keys]
    assert any(f.lookalike for f in kinds) and any(f.is_analogue for f in kinds)
    assert any(n.via for f in kinds for n in f.neighbours)
    differing = [k.smiles for k in keys if committed[finding_key(k)] != index.assess(k)]
    assert not differing


def test_a_written_table_reads_back_as_computed(tmp_path, index):
    keys = STRUCTURES[::97]
    path = tmp_path / reference_analogues.FILE_NAME
    table = reference_analogues.compute(REFERENCE, index, keys)
    pq.write_table(table, path)
    found = reference_analogues.read(REFERENCE, index, path)
    assert len(found) == len(keys)
    assert all(found[finding_key(k)] == index.assess(k) for k in keys)


def test_a_table_made_for_another_index_or_engine_is_not_used(tmp_path, index):
    path = tmp_path / "assessments.parquet"
    pq.write_table(reference_analogues.compute(REFERENCE, index, STRUCTURES[:5]), path)
    assert reference_analogues.read(REFERENCE, index, path)
    assert reference_analogues.read(REFERENCE, index, tmp_path / "absent.parquet") == {}
    # other members: another date, other jurisdictions, one member less
    for other in (
        AnalogueIndex(REFERENCE, date(2015, 1, 1), ALL),
        AnalogueIndex(REFERENCE, None, ("NL",)),
        AnalogueIndex(REFERENCE, None, ALL, exclude=[index.members[0].substance_id]),
        AnalogueIndex(REFERENCE, None, ALL, lookalikes=()),
    ):
        assert reference_analogues.read(REFERENCE, other, path) == {}
    table = pq.read_table(path)
    for key in ("data_version", "index_digest", "engine_version", "rdkit_version"):
        other = {**reference_analogues.made_with(path), key: "other"}
        pq.write_table(table.replace_schema_metadata(other), tmp_path / "other.parquet")
        assert reference_analogues.read(REFERENCE, index, tmp_path / "other.parquet") == {}, key


def test_checker_reads_the_assessment_of_a_medicine_without_fingerprinting(same_rdkit, index):
    """Bupropion (a licensed medicine on no list, a look-alike of the cathinones) and a
    medicine: the verdicts of the stored assessments equal those of a live search, and the
    checker's index never fingerprints its members."""
    checker = Checker(use_opsin=False)
    for query in ("bupropion", "CC(NC(C)(C)C)C(=O)c1cccc(Cl)c1", "paracetamol"):
        verdict = checker.check([query], as_of=MADE_ON)[0]
        assert verdict.analogue is not None, query
        live = evaluate(
            verdict.resolution,
            REFERENCE,
            JURISDICTIONS,
            MADE_ON,
            checker.rules,
            lambda: index,
            checker.home,
        )
        assert verdict_to_dict(verdict, REFERENCE) == verdict_to_dict(live, REFERENCE), query
    used = checker.analogues(JURISDICTIONS, MADE_ON)
    assert used.known and "fingerprints" not in vars(used)


def test_a_date_the_table_was_not_made_for_is_searched():
    checker = Checker(use_opsin=False)
    verdict = checker.check(["paracetamol"], as_of=date(2015, 1, 1))[0]
    assert verdict.analogue is not None
    used = checker.analogues(JURISDICTIONS, date(2015, 1, 1))
    assert not used.known and "fingerprints" in vars(used)


def test_a_checker_without_the_tables_gives_the_same_verdicts(same_rdkit):
    """Medicines, their SMILES as the reference writes them, a listed substance and a prodrug."""
    structures = [k.smiles for k in STRUCTURES[::500]]
    queries = ["paracetamol", "bupropion", "cocaine", "1P-LSD", *structures]
    stored, searched = Checker(use_opsin=False), Checker(use_opsin=False, precomputed=False)
    assert stored.check_json(queries) == searched.check_json(queries)
    assert not searched.rules.known and not searched.resolver.lookups.standard
    assert not searched.analogues(JURISDICTIONS, None).known
