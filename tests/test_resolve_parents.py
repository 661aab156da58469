"""Names of an isotope-labelled form or of an ion, answered by their parent: on a small
reference of its own (real structures, a real synonym index, real OPSIN where marked)."""

from __future__ import annotations

import pytest

from subsmatch.substances.labels import ion_parent, isotope_label
from subsmatch.substances.resolve import Lookups, Resolver
from subsmatch.substances.structures import keys_of
from tests.helpers import table_lookups

STRUCTURES = {
    "acetic": "CC(=O)O",
    "urea": "NC(N)=O",
    "urea14": "N[14C](N)=O",
    "xenon": "[Xe]",
    "lithium": "[Li]",
    "choline": "C[N+](C)(C)CCO",
    "cocaine": "COC(=O)[C@H]1[C@@H](OC(=O)c2ccccc2)C[C@@H]2CC[C@H]1N2C",
    "vitamin": "CC(C)CCCC(C)CCCC(C)CCCC1(C)CCc2c(C)c(O)c(C)c(C)c2O1",
    "speed": "CC(N)Cc1ccccc1",
    "dxm": "COc1ccc2c(c1)[C@]13CCCC[C@H]1[C@@H](C2)N(C)CC3",
    "zinc2": "[Zn+2]",
    "gold1": "[Au+]",
    "phosphorus32": "[32P]",
}
NAMES = [
    ("acetic acid", "acetic", ""),
    ("urea", "urea", ""),
    ("urea C-14", "urea14", ""),
    ("xenon", "xenon", ""),
    ("lithium", "lithium", ""),
    ("choline", "choline", ""),
    ("cocaine", "cocaine", ""),
    ("vitamin", "vitamin", ""),
    ("speed", "speed", "NL"),
    ("dextromethorphan", "dxm", ""),
    ("Zinc cation", "zinc2", ""),
    ("Gold cation (1+)", "gold1", ""),
    ("Phosphorus P-32", "phosphorus32", ""),
]
KEYS = {sid: keys_of(smiles) for sid, smiles in STRUCTURES.items()}


def lookups() -> Lookups:
    return table_lookups(KEYS, NAMES)


@pytest.fixture(scope="module")
def resolver() -> Resolver:
    return Resolver(lookups(), use_opsin=False)


@pytest.mark.parametrize(
    "query",
    ["Acetic acid C-11", "Acetic acid, C-11", "[1-11C]acetic acid", "11C-acetic acid"],
)
def test_a_labelled_name_is_answered_by_its_parent_uncertain(resolver, query):
    r = resolver.resolve(query)
    assert r.substance_id == "acetic" and r.uncertain and r.confidence <= 0.5
    assert any("labelled with C-11" in note and "without the label" in note for note in r.notes)


def test_the_unlabelled_parent_not_another_labelled_form(resolver):
    r = resolver.resolve("Urea C-13")
    assert r.substance_id == "urea" and not r.keys.labelled  # not the C-14 urea
    assert resolver.resolve("Urea C-14").substance_id == "urea14"  # the table's own name first


def test_a_noble_gas_alone_takes_its_label_a_metal_does_not(resolver):
    assert resolver.resolve("Xenon Xe-127").substance_id == "xenon"
    assert resolver.resolve("Helium-3").resolved is False  # no helium in this reference
    assert resolver.resolve("Lithium Li-6").resolved is False  # Li+ as often as the metal
    assert resolver.resolve("Lithium ion").resolved is False  # lithium ion is not lithium


def test_the_label_element_must_be_in_the_parent(resolver):
    assert resolver.resolve("vitamin C-14").resolved  # carbon: a carbon-14 vitamin
    r = resolver.resolve("vitamin B 12")  # no boron in it: not a label
    assert not r.resolved or r.via == "fuzzy"


def test_a_doubtful_parent_takes_no_label(resolver):
    """Slang is one doubt already: a label on it would be two."""
    assert not resolver.resolve("[14C]speed").resolved


def test_codes_that_look_like_labels_are_none():
    for code in ("4F-PHP", "5F-ADB", "2C-B", "25I-NBOMe", "3-FPM", "1H-indole", "17-O-acetyl"):
        assert isotope_label(code) is None, code


def test_an_ion_is_answered_by_its_parent_noted_not_doubted(resolver):
    r = resolver.resolve("Choline ion")
    assert r.substance_id == "choline" and not r.uncertain
    assert any("ion of 'Choline'" in note for note in r.notes)
    assert ion_parent("Cobalt, ion (Co2+)") == "Cobalt"


def test_a_label_never_crosses_a_stereo_word(resolver):
    """The parent is resolved as named, by the resolver's own rules: [11C]levomethorphan is
    not dextromethorphan."""
    assert resolver.resolve("[11C]dextromethorphan").substance_id == "dxm"
    assert not resolver.resolve("[11C]levomethorphan").resolved


@pytest.mark.opsin
def test_a_labelled_systematic_name_goes_through_opsin():
    r = Resolver(lookups(), use_opsin=True).resolve("ethanoic acid C-11")
    assert r.substance_id == "acetic" and r.uncertain


@pytest.mark.parametrize(
    "query", ["cocaine-d3", "Cocaine-D3", "[2H3]cocaine", "deuterated cocaine"]
)
def test_a_deuterated_internal_standard_is_answered_by_its_parent_uncertain(resolver, query):
    """A lab's internal standard (cocaine-d3) is a form of the controlled drug: the parent's
    verdict, uncertain, the label named."""
    r = resolver.resolve(query)
    assert r.substance_id == "cocaine" and r.uncertain
    assert any("labelled with H-2" in note for note in r.notes)


def test_a_deuterium_count_never_crosses_a_stereo_word(resolver):
    assert resolver.resolve("dextromethorphan-d3").substance_id == "dxm"
    assert not resolver.resolve("levomethorphan-d3").resolved


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Carbon-14 urea", "urea14"),  # the labelled form itself, its label written so
        ("14C-urea", "urea14"),
        ("Urea, C-14", "urea14"),
        ("Phosphorus-32", "phosphorus32"),
        ("Zinc ion", "zinc2"),  # the ion itself, its ion word written so
        ("Zinc, ion (Zn2+)", "zinc2"),
        ("Gold ion(1+)", "gold1"),
    ],
)
def test_a_label_or_ion_written_another_way_is_the_form_itself(resolver, query, expected):
    r = resolver.resolve(query)
    assert (r.substance_id, r.uncertain) == (expected, False)
    assert any("written so" in note for note in r.notes)


@pytest.mark.parametrize("query", ["Zinc ion(3+)", "Phosphate-32P", "Gold ion(3+)"])
def test_another_charge_or_parent_is_not_the_form(resolver, query):
    """The charge the name states must be the structure's; 'phosphorus P-32 phosphate' is no
    spelling of phosphorus P-32 (its last word would be read as a salt)."""
    assert resolver.resolve(query).substance_id not in ("zinc2", "gold1", "phosphorus32")


def test_a_labelled_structure_is_named_after_its_unlabelled_form_uncertain(resolver):
    """A structure drawn with deuterium (an internal standard) is a labelled form of the
    structure without it: named after it, uncertain, the labels named, the structure kept."""
    given = "[2H]C([2H])([2H])OC(=O)[C@H]1[C@@H](OC(=O)c2ccccc2)C[C@@H]2CC[C@H]1N2C"
    r = resolver.resolve(given)
    assert r.substance_id == "cocaine" and r.uncertain and r.keys.labelled
    assert r.keys == keys_of(given)
    assert r.notes == (
        "labelled with H-2 (3 atoms): a labelled form of cocaine, judged as it (the verdict "
        "is the unlabelled form's)",
    )


def test_a_labelled_structure_keeps_the_stereo_the_resolver_compares(resolver):
    """Deuterated levomethorphan is not dextromethorphan (the reference holds only dxm)."""
    dxm_d3 = STRUCTURES["dxm"].replace("N(C)", "N(C([2H])([2H])[2H])")
    levo_d3 = dxm_d3.replace("@@", "!").replace("@", "@@").replace("!", "@")  # the mirror
    assert resolver.resolve(dxm_d3).substance_id == "dxm"
    levo = resolver.resolve(levo_d3)
    assert levo.substance_id is None and levo.uncertain  # a stereoisomer the table lacks


def test_a_labelled_structure_the_reference_holds_is_itself(resolver):
    r = resolver.resolve("N[14C](N)=O")
    assert r.substance_id == "urea14" and not r.uncertain
    flat = resolver.resolve("[2H]CC(N)Cc1ccccc1")  # drawn without stereo: named as speed
    assert flat.substance_id == "speed" and flat.uncertain
