"""Street names: how the compiler reads them (tiny in-memory sources) and how the resolver
answers them for a user's region (the meanings a tier's places agree on, reported meanings, a
contested name), and on the shipped reference."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from subsmatch.compile.holdout import STREET_NAMES, is_held_out, street_key
from subsmatch.compile.identify import Decision, Fact, ident_of
from subsmatch.compile.merge import merge
from subsmatch.compile.names import NameReport, attach_label_rows, label_targets
from subsmatch.compile.read.vocabulary import label_heads, read_street_names, reported_meanings
from subsmatch.compile.records import Name, Row
from subsmatch.compile.roles import SourceRole
from subsmatch.substances.regions import Choice, choose, preference, reported, tier_of
from subsmatch.substances.structures import keys_of

COCAINE = keys_of("COC(=O)[C@H]1[C@@H](OC(=O)c2ccccc2)C[C@@H]2CC[C@H]1N2C")
FENTANYL = keys_of("CCC(=O)N(c1ccccc1)C1CCN(CCc2ccccc2)CC1")
HEADER = ["name", "substance", "smiles_or_inchikey", "region", "language", "ambiguity_note"]


def role(source: str, role_name: str) -> SourceRole:
    return SourceRole(source, source, role_name, "trusted", role_name == "identity", "en", None, "")


ROLES = {"ident": role("ident", "identity"), "street": role("street", "street")}


def given(keys) -> Decision:
    f = Fact("given:trusted", ident_of(keys), "given structure")
    return Decision(f.ident, (f,), (), "given")


def write_street(folder: Path, rows: list[list[str]]) -> None:
    with (folder / "street_names.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([*HEADER, "source", "licence"])
        for row in rows:
            writer.writerow([*row, "src", "lic"])


# --- reading --------------------------------------------------------------------------------


def test_a_note_reports_meanings_as_reported_regions(tmp_path: Path) -> None:
    """The note's meanings across the source become rows of their own, with each region
    marked reported ("FR?"), one row per name and meaning however many rows repeat the note."""
    note = "crack (FR) || AMBIGUOUS across sources: COCAINE [FR]; FLUNITRAZEPAM [FR,BE]"
    write_street(
        tmp_path,
        [
            ["roche", "cocaine (base/crack form)", "", "FR", "fr", note],
            ["roche", "cocaine", "", "BE", "fr/nl", note],
        ],
    )
    assert not any(
        is_held_out(STREET_NAMES, street_key("roche", s))
        for s in ("cocaine (base/crack form)", "cocaine")
    )
    rows = list(read_street_names(tmp_path))
    own = [(r.label, [(n.text, n.region) for n in r.names]) for r in rows[:2]]
    assert own == [
        ("cocaine (base/crack form)", [("roche", "FR")]),
        ("cocaine", [("roche", "BE")]),
    ]
    heard = {r.label: sorted(n.region for n in r.names) for r in rows[2:]}
    assert heard == {"cocaine": ["FR?"], "flunitrazepam": ["BE?", "FR?"]}
    assert {r.row for r in rows[2:]} == {2} and all(
        n.kind == "street" for r in rows for n in r.names
    )


def test_a_name_with_a_held_out_row_reports_nothing(tmp_path: Path) -> None:
    """The notes were written over the whole file: a name one of whose rows is held out
    ('pep' for amphetamine) would leak that meaning into the index through the notes of its
    other rows, so its notes report nothing; its own rows are read as usual."""
    assert is_held_out(STREET_NAMES, street_key("pep", "amphetamine"))
    note = "x || AMBIGUOUS across sources: AMPHETAMINE [NL]; METHAMPHETAMINE [DE]"
    write_street(
        tmp_path,
        [
            ["pep", "amphetamine", "", "NL", "nl", note],
            ["pep", "methamphetamine", "", "DE", "de", note],
        ],
    )
    rows = list(read_street_names(tmp_path, hold_out=True))
    assert [(r.label, [n.region for n in r.names]) for r in rows] == [("methamphetamine", ["DE"])]


def test_the_shipped_build_reads_the_held_out_rows_and_their_notes(tmp_path: Path) -> None:
    """The default build (the shipped reference) reads every row, the held-out ones and the
    meanings their notes report included; only the evaluation build leaves them out."""
    note = "x || AMBIGUOUS across sources: AMPHETAMINE [NL]; METHAMPHETAMINE [DE]"
    write_street(
        tmp_path,
        [
            ["pep", "amphetamine", "", "NL", "nl", note],
            ["pep", "methamphetamine", "", "DE", "de", note],
        ],
    )
    rows = list(read_street_names(tmp_path))
    own = [(r.label, [n.region for n in r.names]) for r in rows[:2]]
    assert own == [("amphetamine", ["NL"]), ("methamphetamine", ["DE"])]
    heard = {r.label: sorted(n.region for n in r.names) for r in rows[2:]}
    assert heard == {"amphetamine": ["NL?"], "methamphetamine": ["DE?"]}


def test_reported_meanings_read_the_sources_keys_as_labels() -> None:
    note = "x || AMBIGUOUS across sources: PSILOCYBIN_MUSHROOMS [US]; desoxypipradrol (2-DPMP) [UK]"
    assert reported_meanings(note) == [
        ("psilocybin mushrooms", ["US"]),
        ("desoxypipradrol (2-DPMP)", ["UK"]),
    ]
    assert reported_meanings("methamphetamine (FR OFDT explicitly)") == []


def test_a_label_names_its_substance_without_its_form_word_or_its_derivatives() -> None:
    index = {"cocaine": {"s1"}, "fentanyl": {"s2"}, "2c-b": {"s3"}}
    assert label_targets("Crack Cocaine", index) == ["s1"]
    assert label_targets("Fentanyl and Fentanyl Derivatives", index) == ["s2"]
    assert label_targets("Marijuana Concentrates", index) == []
    assert label_heads("2C-B powder") == ["2C-B"]
    assert label_heads("2C-B") == [] and label_heads("crack") == []


def test_reported_rows_join_like_any_label_and_keep_their_mark() -> None:
    rows = [
        Row("ident", 2, [Name("cocaine")], structure=COCAINE.smiles),
        Row("ident", 3, [Name("fentanyl")], structure=FENTANYL.smiles),
        Row("street", 4, [Name("Stone", "street", "en", "US")], label="Crack Cocaine"),
        Row("street", 5, [Name("roche", "street", "fr", reported("FR"))], label="fentanyl"),
    ]
    decisions = {0: given(COCAINE), 1: given(FENTANYL)}
    merged = merge(rows, ROLES, decisions, {i: d.support[0] for i, d in decisions.items()})
    attach_label_rows(rows, ROLES, merged.by_row, merged.substances, NameReport())
    cocaine = merged.substances[f"ik:{COCAINE.inchikey}"]
    fentanyl = merged.substances[f"ik:{FENTANYL.inchikey}"]
    assert ("Stone", "US") in {(e.name.text, e.name.region) for e in cocaine.names}
    assert ("roche", "FR?") in {(e.name.text, e.name.region) for e in fentanyl.names}


# --- choosing ---------------------------------------------------------------------------------


def test_the_users_own_usage_comes_first_then_names_used_anywhere() -> None:
    europe = preference("Europe")
    assert tier_of(frozenset({"NL"}), europe) == 0 and tier_of(frozenset({""}), europe) == 1
    assert tier_of(frozenset({"NL?"}), europe) == len(europe)  # a note alone makes no meaning
    speed = {"amph": frozenset({"NL", "BE"}), "meth": frozenset({"", "DE"})}
    assert choose(speed, europe) == Choice(("amph",), ("meth",))
    assert choose(speed, preference("DE")).chosen == ("meth",)
    assert choose(speed, ()).contested == ("amph", "meth")  # no preference: places disagree


def test_stereoisomers_are_one_meaning() -> None:
    meanings = {"amph": frozenset({"NL"}), "dexamph": frozenset({"NL"})}
    same = {"amph": "KWTSXDURSIMDCE", "dexamph": "KWTSXDURSIMDCE"}.get
    assert choose(meanings, preference("NL"), same).chosen == ("amph", "dexamph")
    assert choose(meanings, preference("NL")).contested == ("amph", "dexamph")


def test_a_meaning_known_only_elsewhere_is_marked() -> None:
    choice = choose({"heroin": frozenset({"US"})}, preference("UK"))
    assert (choice.chosen, choice.elsewhere) == (("heroin",), True)
    both = choose({"cocaine": frozenset({"US"}), "cannabis": frozenset({"US"})}, preference("DE"))
    assert both.elsewhere and both.contested == ("cannabis", "cocaine")


# --- on the shipped reference ---------------------------------------------------------------


@pytest.fixture(scope="module")
def resolvers():
    from subsmatch.matchers.checker import Checker

    checker = Checker(use_opsin=False)
    return {
        region: Checker(use_opsin=False, region=region).resolver
        for region in ("Europe", "US", "UK", "DE")
    } | {"reference": checker.reference}


def test_shipped_street_names_follow_the_region(resolvers) -> None:
    europe, us = resolvers["Europe"], resolvers["US"]
    speed = europe.resolve("speed")
    assert (
        speed.resolved
        and speed.uncertain
        and "amfetamine"
        in (speed.matched_name or "")
        + (resolvers["reference"].substances[speed.substance_id].name.casefold())
    )
    white = us.resolve("white")  # heroin, cocaine and methamphetamine in the US: not one
    assert not white.resolved and "several substances in US" in (white.error or "")
    for query in ("white", "candy", "chiva"):
        assert not us.resolve(query).resolved, query


def test_dea_slang_under_a_labelled_form_or_class_reaches_its_substance(resolvers) -> None:
    """The DEA's 'Crack Cocaine' and 'Fentanyl and Fentanyl Derivatives' slang is on cocaine
    and fentanyl: a US user asking it gets the substance, uncertain (a street name)."""
    reference, us = resolvers["reference"], resolvers["US"]
    for query, name in (("goodfella", "fentanyl"), ("he-man", "fentanyl"), ("stone", "cocaine")):
        found = us.resolve(query)
        assert found.resolved and found.uncertain, query
        assert reference.substances[found.substance_id].name.casefold() == name, query
