"""The analogue flag: nearest controlled neighbours, thresholds, look-alikes, differences."""

from __future__ import annotations

import csv
from datetime import date

import numpy as np
import pytest
from rdkit import Chem
from rdkit.Chem import rdMolDescriptors

from subsmatch.matchers.difference import describe_difference
from subsmatch.matchers.similarity import (
    LOOKALIKES_CSV,
    NEIGHBOURS,
    AnalogueIndex,
    deacylated,
    load_classes,
    load_lookalikes,
)
from subsmatch.matchers.verdict import at_home
from subsmatch.reference.lists import CONTROLLING_KINDS, load
from subsmatch.substances.structures import keys_of
from tests import lawdata
from tests.lawdata import listing

CMC3 = "CNC(C)C(=O)c1cccc(Cl)c1"
CMC4 = "CNC(C)C(=O)c1ccc(Cl)cc1"


@pytest.fixture(scope="module")
def reference():
    return load()


@pytest.fixture(scope="module")
def index(reference):
    return AnalogueIndex(reference)


def ids_with_skeleton(reference, smiles: str) -> list[str]:
    return reference.by_connectivity[keys_of(smiles).connectivity]


def test_3cmc_is_an_analogue_of_4cmc_when_3cmc_is_not_listed(reference):
    unlisted = AnalogueIndex(reference, exclude=ids_with_skeleton(reference, CMC3))
    finding = unlisted.assess(keys_of(CMC3), k=5)
    assert finding.is_analogue and finding.lookalike is None
    assert finding.structure_class == "cathinone"
    cmc4 = next(n for n in finding.neighbours if n.smiles == keys_of(CMC4).smiles)
    assert cmc4.similarity >= finding.threshold
    assert cmc4.difference == "Cl moved from position 4 to 3"


def test_the_query_and_its_stereoisomers_are_never_their_own_neighbour(index):
    keys = keys_of(CMC4)
    finding = index.assess(keys)
    assert all(keys_of(n.smiles).connectivity != keys.connectivity for n in finding.neighbours)


def test_a_dissimilar_structure_is_not_an_analogue(index):
    finding = index.assess(keys_of("OCC(O)CO"))  # glycerol
    assert not finding.is_analogue
    assert finding.neighbours[0].similarity < finding.threshold
    assert "<" in finding.reason


@pytest.mark.parametrize(
    ("smiles", "lookalike"),
    [
        ("CC(NC(C)(C)C)C(=O)c1cccc(Cl)c1", "licensed medicine bupropion"),
        ("CCN(CC)CC(=O)Nc1c(C)cccc1C.Cl", "cutting agent lidocaine"),  # salt form
        ("CN[C@@H](C)[C@@H](O)c1ccccc1", "precursor pseudoephedrine"),
    ],
)
def test_lookalikes_are_reported_and_never_flagged(index, smiles, lookalike):
    finding = index.assess(keys_of(smiles))
    assert not finding.is_analogue
    assert finding.lookalike == lookalike
    assert finding.neighbours  # still shows what it resembles


def test_neighbours_carry_lists_similarities_and_fingerprints(index):
    finding = index.assess(keys_of("CNC(C)C(=O)c1ccc(Br)c(C)c1"))
    similarities = [n.similarity for n in finding.neighbours]
    assert len(similarities) == 3 and similarities == sorted(similarities, reverse=True)
    for n in finding.neighbours:
        assert 0 < n.similarity <= 1
        assert n.lists and all(": " in entry for entry in n.lists)
        assert dict(n.by_fingerprint).keys() == {"morgan2", "atompair"}
        assert n.difference


def test_as_of_and_jurisdictions_restrict_the_index(reference):
    heptedrone = keys_of("CCCCCC(NCC)C(=O)c1ccccc1")  # N-ethylheptedrone, CN NPS 2021-07-01
    before = AnalogueIndex(reference, as_of=date(2020, 12, 31))
    assert heptedrone.connectivity not in set(before.connectivity)
    china = AnalogueIndex(reference, jurisdictions=("CN",))
    assert heptedrone.connectivity in set(china.connectivity)
    assert all(entry.startswith("CN: ") for lists in china.lists for entry in lists)


@pytest.mark.parametrize(
    ("query", "neighbour", "expected"),
    [
        (CMC3, CMC4, "Cl moved from position 4 to 3"),
        ("CCNC(C)C(=O)c1ccccc1", "CNC(C)C(=O)c1ccccc1", "N-methyl replaced by N-ethyl"),
        (
            "CCCCC(C(=O)c1ccccc1)N1CCCC1",  # alpha-PHP: butyl on the alpha carbon
            "CCCC(C(=O)c1ccccc1)N1CCCC1",  # alpha-PVP: propyl
            "butyl chain instead of propyl",
        ),
        ("CNC(C)C(=O)c1ccccc1", "CCNC(C)C(=O)c1ccccc1", "N-ethyl replaced by N-methyl"),
        (
            "CC(=O)N(c1ccccc1)C1CCN(CCc2ccccc2)CC1",
            "CCC(=O)N(c1ccccc1)C1CCN(CCc2ccccc2)CC1",
            "acetyl instead of propionyl",
        ),
        (
            "CNC(C)Cc1ccc2c(c1)OCO2",
            "CNC(C)Cc1ccccc1",
            "adds a methylenedioxy group at positions 3,4",
        ),
    ],
)
def test_difference_in_words(query, neighbour, expected):
    assert describe_difference(Chem.MolFromSmiles(query), Chem.MolFromSmiles(neighbour)) == expected


def test_thresholds_cover_every_class_and_end_with_a_catch_all():
    classes = load_classes()
    assert classes[-1].name == "other" and not classes[-1].patterns
    assert all(0 < c.threshold < 1 and (c.patterns or c.name == "other") for c in classes)


def test_curated_lookalikes_parse_match_their_formula_and_are_not_controlled(reference):
    """Not controlled anywhere, except in the jurisdictions a row's note names ("controlled
    in: CN ...": a medicine one country lists is still a look-alike elsewhere)."""
    with LOOKALIKES_CSV.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(line for line in handle if not line.startswith("#")))
    assert len(rows) >= 50 and len(load_lookalikes()) == len(rows)
    for row in rows:
        mol = Chem.MolFromSmiles(row["smiles"])
        assert mol is not None, row["name"]
        assert rdMolDescriptors.CalcMolFormula(mol) == row["formula"], row["name"]
        keys = keys_of(row["smiles"])
        for substance_id in reference.by_connectivity.get(keys.connectivity, []):
            if substance_id.endswith(keys.inchikey) or not keys.has_stereo:
                where = {
                    e.jurisdiction
                    for e in reference.listings.get(substance_id, [])
                    if e.kind in CONTROLLING_KINDS
                }
                named = row["note"].partition("controlled in:")[2]
                assert all(code in named for code in where), (row["name"], where)


LSD_1P = "CCC(=O)n1cc2CC3N(C)CC(C(=O)N(CC)CC)C=C3c3cccc1c23"


def test_a_prodrug_is_compared_as_its_deacylated_parent(index):
    finding = index.assess(keys_of(LSD_1P))
    nearest = finding.neighbours[0]
    assert finding.is_analogue and nearest.similarity == 1.0
    assert nearest.via == "compared as its deacylated parent"
    assert "deacylated parent" in finding.reason


@pytest.mark.parametrize(
    ("smiles", "parent"),
    [
        (LSD_1P, "CCN(CC)C(=O)C1C=C2c3cccc4[nH]cc(c34)CC2N(C)C1"),  # indole N-acyl
        ("CC(=O)Oc1cccc2[nH]cc(CCN(C)C)c12", "CN(C)CCc1c[nH]c2cccc(O)c12"),  # phenol ester
        ("CC(=O)Oc1ccccc1C(=O)O", "O=C(O)c1ccccc1O"),  # aspirin: salicylic acid
        ("COc1ccc2[nH]cc(CCNC(C)=O)c2c1", None),  # melatonin: an aliphatic amide stays
        ("CC(=O)Nc1ccc(O)cc1", None),  # paracetamol: an anilide stays
    ],
)
def test_deacylated_parents(smiles, parent):
    found = deacylated(Chem.MolFromSmiles(smiles))
    if parent is None:
        assert found is None
    else:
        assert Chem.MolToSmiles(found) == Chem.MolToSmiles(Chem.MolFromSmiles(parent))


def test_the_parent_is_used_only_where_it_scores_higher(index):
    mol = Chem.MolFromSmiles("CC(=O)Oc1ccccc1C(=O)O")  # aspirin
    found = index.similarities(mol)
    as_given = index.scores(mol)
    plain = (as_given["morgan2"] + as_given["atompair"]) / 2
    assert (found.combined >= plain - 1e-9).all()
    assert (found.combined[~found.via_parent] == plain[~found.via_parent]).all()


def test_the_analogue_verdict_rests_on_the_nearest_structure_controlled_in_scope(tmp_path):
    """Three US-only homologues nearer than a Dutch-listed isomer must not hide it: in the
    default scope (Benelux, EU, UN) the structure is an analogue of the Dutch one."""
    us_only = ["CP-C7-C5", "CP-C7-C7", "CP-C7-C4"]
    listings = [listing(n, "US", "CSA Schedule I", "narcotic", since="2015-01-01") for n in us_only]
    listings.append(
        listing("CP-C7-C6 meta-phenol", "NL", "Opiumwet List I", "narcotic", since="2015-01-01")
    )
    checker = lawdata.checker(tmp_path, ["CP-C7-C6", *us_only, "CP-C7-C6 meta-phenol"], listings)
    verdict = checker.check_json([lawdata.SMILES["CP-C7-C6"]])[0]
    nearest = [n["name"] for n in verdict["analogues"][:NEIGHBOURS]]
    assert sorted(nearest) == sorted(us_only)  # the three nearest are controlled in the US only
    dutch = verdict["analogues"][NEIGHBOURS]
    assert dutch["name"] == "CP-C7-C6 meta-phenol" and dutch["lists"] == ["NL: Opiumwet List I"]
    assert dutch["similarity"] >= verdict["analogue"]["threshold"] and dutch["difference"]
    assert verdict["status"] == "analogue" and verdict["flagged"]
    # the same verdict seen from elsewhere: Belgium controls none of them, the US all
    assert at_home(verdict, ["BE"])["status"] == "not_listed"
    assert at_home(verdict, ["US"])["status"] == "analogue"
    assert checker.check_json([lawdata.SMILES["CP-C7-C6"]], ("BE", "DE"))[0]["status"] == (
        "not_listed"
    )


def test_the_nearest_of_every_jurisdiction_is_kept_once_when_at_the_threshold(index):
    keys = keys_of("CNC(C)C(=O)c1ccc(Br)c(C)c1")
    finding = index.assess(keys)
    shown = {n.substance_id for n in finding.neighbours}
    assert not shown & {n.substance_id for n in finding.nearest_elsewhere}
    similarities = [n.similarity for n in finding.nearest_elsewhere]
    assert similarities == sorted(similarities, reverse=True)
    assert all(n.similarity >= index.bar(n, finding.threshold) for n in finding.nearest_elsewhere)
    kept = {}  # per jurisdiction, the first neighbour kept that it controls
    for n in finding.compared:
        for code in n.jurisdictions:
            kept.setdefault(code, n.similarity)
    best = {}  # the same from every member of the index
    for n in index.assess(keys, k=len(index)).neighbours:
        for code in n.jurisdictions:
            best.setdefault(code, n)
    assert all(kept[code] == best[code].similarity for code in kept)  # the nearest there
    assert {c for c, n in best.items() if n.similarity >= index.bar(n, finding.threshold)} <= (
        kept.keys()
    )


def test_a_structure_of_another_class_needs_its_own_class_threshold_too(index):
    estradiol = index.assess(keys_of("C[C@]12CC[C@@H]3c4ccc(O)cc4CC[C@H]3[C@@H]1CC[C@@H]2O"))
    assert estradiol.structure_class == "steroid" and estradiol.nearest_elsewhere == ()
    assert not estradiol.analogue_in({"BE", "NL", "LU", "EU", "UN"})


def test_members_of_equal_similarity_are_listed_by_name_whatever_else_the_reference_holds(
    reference, index
):
    """Ties are common (one query in eight on the shipped reference shares a similarity among
    its nearest three): they are listed by name, so a reference that gains or loses other
    substances lists the same neighbours in the same order."""
    score = np.zeros(len(index))
    a, b, c = 5, 40, 300
    score[[a, b, c]] = 0.8
    first = [int(i) for i in index.nearest_first(score)[:3]]
    names = [index.members[i].name.casefold() for i in first]
    assert sorted(first) == [a, b, c] and names == sorted(names)
    fewer = AnalogueIndex(reference, exclude=[index.members[0].substance_id])
    kept = {m.substance_id: i for i, m in enumerate(fewer.members)}
    again = np.zeros(len(fewer))
    again[[kept[index.members[i].substance_id] for i in (a, b, c)]] = 0.8
    assert [fewer.members[int(i)].substance_id for i in fewer.nearest_first(again)[:3]] == [
        index.members[i].substance_id for i in first
    ]
