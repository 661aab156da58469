"""The checker as a library: resolution, verdicts per jurisdiction, stereo, as-of, rules,
similarity, the nearest controlled neighbour, caches, sharing threads."""

from __future__ import annotations

import threading
import time
from datetime import date

import pytest

from subsmatch.matchers.checker import Checker
from subsmatch.substances.structures import keys_of
from tests.helpers import (
    COCAINE_HCL,
    DEXTROMETHORPHAN,
    MDMA,
    NOVEL_FENTANYL,
    NOVEL_NITAZENE,
)


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

    def counted(*args):
        nonlocal inside, most
        with count:
            inside += 1
            most = max(most, inside)
        time.sleep(0.05)  # long enough for the other threads to arrive
        try:
            return resolve(*args)
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


def test_3cmc_and_4cmc_are_never_confused(checker):
    three, four = checker.check(["3-CMC", "4-CMC"])
    assert three.resolution.keys.smiles == "CNC(C)C(=O)c1cccc(Cl)c1"
    assert four.resolution.keys.smiles == "CNC(C)C(=O)c1ccc(Cl)cc1"
    # a misspelling never crosses the locant
    assert checker.check(["4-CMCC"])[0].resolution.substance_id != three.resolution.substance_id


def test_cocaine_salt_smiles_resolves_to_cocaine(checker):
    verdict = checker.check([COCAINE_HCL])[0]
    name = checker.reference.substances[verdict.resolution.substance_id].name
    assert name.lower() == "cocaine"
    assert verdict.status == "controlled"


def test_dextromethorphan_is_not_controlled_through_levo_or_racemethorphan(checker):
    verdict = checker.check([DEXTROMETHORPHAN], ("UN", "US"))[0]
    assert verdict.status == "not_listed"
    reasons = {m.relation: m for m in verdict.related}
    assert reasons["other_stereoisomer"].covered is False
    assert reasons["stereoisomer"].exclusion is not None  # racemethorphan, excluded by law
    assert checker.check(["levomethorphan"], ("UN",))[0].status == "controlled"


MDMA_D3 = "[2H]C([2H])([2H])NC(C)Cc1ccc2OCOc2c1"
LEVOMETHORPHAN_D3 = "[2H]C([2H])([2H])N1CC[C@]23CCCC[C@H]2[C@H]1Cc1ccc(OC)cc13"
DEXTROMETHORPHAN_D3 = "[2H]C([2H])([2H])N1CC[C@@]23CCCC[C@@H]2[C@@H]1Cc1ccc(OC)cc13"


@pytest.mark.parametrize(
    ("labelled", "parent"),
    [(MDMA_D3, MDMA), ("[13CH3]NC(C)Cc1ccc2OCOc2c1", MDMA), (LEVOMETHORPHAN_D3, "levomethorphan")],
)
def test_a_labelled_structure_has_its_parents_verdict_uncertain(checker, labelled, parent):
    """A deuterated or 13C-labelled internal standard is a form of its substance: the
    parent's verdict in every jurisdiction, uncertain, the labels named; its own structure
    kept."""
    verdict, unlabelled = checker.check([labelled, parent])
    r = verdict.resolution
    assert r.substance_id == unlabelled.resolution.substance_id and r.uncertain
    assert r.keys.labelled and r.keys.smiles == keys_of(labelled).smiles
    assert any(note.startswith("labelled with ") for note in r.notes)
    assert verdict.status == unlabelled.status == "controlled"
    assert [(j.code, j.status) for j in verdict.jurisdictions] == [
        (j.code, j.status) for j in unlabelled.jurisdictions
    ]
    relations = {e.match for j in verdict.jurisdictions for e in j.evidence}
    assert "isotopologue" in relations and "identical" not in relations
    assert verdict.analogue is None


def test_a_labelled_form_keeps_the_stereo_rule(checker):
    """Stereo is compared as for the unlabelled forms: a deuterated dextromethorphan is not
    controlled through levomethorphan or racemethorphan."""
    verdict = checker.check([DEXTROMETHORPHAN_D3], ("UN", "US"))[0]
    assert verdict.status == "not_listed"
    assert (
        verdict.resolution.substance_id
        == checker.check([DEXTROMETHORPHAN])[0].resolution.substance_id
    )
    reasons = {m.relation: m for m in verdict.related}
    assert reasons["stereoisomer"].exclusion is not None and not reasons["stereoisomer"].covered
    assert "labelled with H-2 (3 atoms)" in reasons["other_stereoisomer"].reason


def test_a_labelled_form_of_an_unlisted_structure_is_judged_as_it(checker):
    """Rules and similarity see the structure without its labels: a deuterated caffeine is
    not an analogue of anything its labels would make it resemble, it is caffeine."""
    caffeine = "Cn1c(=O)c2c(ncn2C)n(C)c1=O"
    labelled, plain = checker.check([caffeine.replace("ncn2C", "ncn2C([2H])([2H])[2H]"), caffeine])
    assert labelled.status == plain.status
    assert labelled.resolution.uncertain and not plain.resolution.uncertain
    assert (labelled.analogue is None) == (plain.analogue is None)
    if plain.analogue is not None:
        assert labelled.analogue.reason == plain.analogue.reason


@pytest.mark.opsin
def test_a_deuterated_name_read_by_opsin_has_its_parents_verdict(checker):
    """'Morphine-d3', read by OPSIN as morphine with three deuterium atoms."""
    verdict, morphine = checker.check(["Morphine-d3", "morphine"])
    r = verdict.resolution
    assert r.via == "opsin" and r.keys.labelled and r.uncertain
    assert r.substance_id == morphine.resolution.substance_id
    assert verdict.status == morphine.status == "controlled"
    assert any("labelled with H-2 (3 atoms)" in note for note in r.notes)


@pytest.mark.opsin
def test_systematic_name_resolves_through_opsin(checker):
    verdict = checker.check(["2-(4-bromo-2,5-dimethoxyphenyl)ethanamine"])[0]
    assert verdict.resolution.keys.smiles == "COc1cc(CCN)c(OC)cc1Br"
    assert verdict.status == "controlled"


def test_cas_number_resolves(checker):
    verdict = checker.check(["50-36-2"])[0]
    assert verdict.resolution.via == "cas"
    assert checker.reference.substances[verdict.resolution.substance_id].name == "Cocaine"


def test_fuzzy_hit_is_marked_uncertain(checker):
    resolution = checker.check(["fentanyll"])[0].resolution  # "fentanil" is a synonym now
    assert resolution.via == "fuzzy" and resolution.uncertain
    assert 0 < resolution.confidence <= 0.8


def test_as_of_follows_listing_dates(checker):
    before, after = (
        checker.check(["alpha-PVP"], ("NL",), as_of=date.fromisoformat(d))[0]
        for d in ("2016-01-01", "2018-01-01")
    )
    assert before.jurisdictions[0].status == "not_listed"
    assert after.jurisdictions[0].status == "controlled"
    moved = checker.check(["3-MMC"], ("NL",), as_of=date(2022, 6, 1))[0]
    assert {e.entry.list for e in moved.jurisdictions[0].evidence} == {"Opiumwet List II"}


def test_a_nitazene_the_2025_npsg_text_covers_is_generic_today(checker):
    verdict = checker.check([NOVEL_NITAZENE], ("DE",))[0]
    assert verdict.status == "generic"
    assert "DE-NpSG-7" in {m.rule.id for m in verdict.generic if m.matched}


def test_generic_definition_reported_with_rule_and_atoms(checker):
    verdict = checker.check([NOVEL_FENTANYL], ("US",))[0]
    assert verdict.status == "generic"
    match = next(m for m in verdict.generic if m.rule.id == "US-HALT-FRS")
    assert match.atoms and match.rule.law.citation


def test_lookalike_medicine_is_never_an_analogue(checker):
    # close to levomethorphan; listed in CN since 2024 only (China's 2024 announcement No. 54)
    verdict = checker.check(["dextromethorphan"], ("UN", "EU", "BE", "NL", "LU", "DE", "US"))[0]
    assert verdict.status == "not_listed"
    assert verdict.analogue is not None and not verdict.analogue.is_analogue
    assert "dextromethorphan" in verdict.analogue.lookalike


def test_verdicts_stay_right_when_the_bounded_caches_start_afresh():
    from subsmatch.matchers.checker import Checker

    queries = ["MDMA", "4-CMC", "3-CMC", "MDMA HCl", "cocaine", "50-36-2", "nonsense 12"]
    expected = [v.status for v in Checker(use_opsin=False).check(queries)]
    small = Checker(use_opsin=False)
    small._verdicts.size = small._judged.size = small.resolver._cache.size = 2
    first = [v.status for v in small.check(queries)]
    again = [v.status for v in small.check(reversed(queries))]
    assert first == expected and again == expected[::-1]
    assert len(small._verdicts) <= 2 and len(small.resolver._cache) <= 2


def test_the_similarity_index_is_built_only_when_a_verdict_needs_it():
    """A listed substance is judged without fingerprinting every controlled structure."""
    from subsmatch.matchers.checker import Checker

    checker = Checker(use_opsin=False)
    assert [v.status for v in checker.check(["MDMA", "cocaine"])] == ["controlled"] * 2
    assert len(checker._analogue_indexes) == 0
    (unlisted,) = checker.check(["paracetamol"])  # on no list: is it an analogue?
    assert unlisted.status == "not_listed" and unlisted.analogue is not None
    assert len(checker._analogue_indexes) == 1


def test_a_batch_checker_keeps_few_verdicts_per_text_and_judges_alike(checker):
    """An ingest asks each distinct name once and keeps its own table: its checker's caches per
    query text stay small (they only cost memory), and its verdicts are those of any checker."""
    names = ["cocaine", "MDMA", "caffeine", "3-CMC", "4-CMC", "ketamine", "paracetamol"]
    batch = Checker(use_opsin=False, kept=2)
    assert batch.check_json(names) == checker.check_json(names)
    assert len(batch._verdicts) <= 2 and len(batch.resolver._cache) <= 2


def test_the_reference_name_index_is_kept_for_the_next_process(tmp_path, monkeypatch):
    """The parts of the synonym index built when first asked are kept in the start-up cache,
    and a checker that reads them back answers alike."""
    monkeypatch.setenv("SUBSMATCH_CACHE_DIR", str(tmp_path))
    queries = ["fentanly", "MDMB 4en PINACA", "(R)-cocaine", "cetirizina", "Unknown compound 12"]
    first = Checker(use_opsin=False).check_json(queries)
    kept = sorted(p.name.rsplit("-", 1)[0] for p in tmp_path.glob("name_index_*.pickle"))
    assert kept == ["name_index_buckets", "name_index_by_base", "name_index_by_compact"]
    assert Checker(use_opsin=False).check_json(queries) == first


def test_a_large_batch_leaves_its_objects_to_the_full_collection():
    """After a batch that made many objects the collector is on again, nothing stays frozen,
    the young generation is empty (nothing there to scan), and a cycle made in the batch is
    still collected, by a full collection."""
    import gc
    import weakref

    from subsmatch.matchers.checker import TENURED_FROM, collection_paused

    class Node:
        pass

    gc.collect()
    with collection_paused():
        kept = [[i] for i in range(TENURED_FROM)]
        cycle = Node()
        cycle.self = cycle
        gone = weakref.ref(cycle)
        del cycle
    assert gc.isenabled() and gc.get_freeze_count() == 0
    assert gc.get_count()[0] < 100 and gc.is_tracked(kept[-1])
    assert gone() is not None  # unreachable, not collected yet: it waits for a full collection
    gc.collect()
    assert gone() is None
