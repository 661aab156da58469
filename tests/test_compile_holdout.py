"""The held-out split: deterministic, about 20%, the same for every row of one street-name pair."""

from __future__ import annotations

import csv

import pytest

from subsmatch.compile.holdout import DRUGBANK, STREET_NAMES, is_held_out, street_key


def test_split_is_deterministic_and_about_a_fifth():
    keys = [f"DB{i:05d}" for i in range(1, 5001)]
    held = [k for k in keys if is_held_out(DRUGBANK, k)]
    assert held == [k for k in keys if is_held_out(DRUGBANK, k)]
    assert 0.18 < len(held) / len(keys) < 0.22


def test_sources_are_split_independently_and_others_never():
    keys = [f"name{i}|substance" for i in range(2000)]
    street = {k for k in keys if is_held_out(STREET_NAMES, k)}
    drugbank = {k for k in keys if is_held_out(DRUGBANK, k)}
    assert street != drugbank
    assert not any(is_held_out("dope_lookup", k) for k in keys)


def test_street_key_ignores_case_and_spacing_of_the_name_only():
    assert street_key("Tina ", "methamphetamine") == street_key("tina", "methamphetamine")
    assert street_key("tina", "methamphetamine") != street_key("tina", "amphetamine")


@pytest.mark.shared
def test_real_files_are_split_about_a_fifth(shared):
    folder = shared / "sources"
    with (folder / "names_street_and_precursor" / "street_names.csv").open(encoding="utf-8") as f:
        pairs = {street_key(r["name"], r["substance"]) for r in csv.DictReader(f)}
    held = sum(is_held_out(STREET_NAMES, k) for k in pairs)
    assert 0.14 < held / len(pairs) < 0.26
    with (folder / "drugbank_open_vocabulary" / "drugbank_vocabulary.csv").open(
        encoding="utf-8"
    ) as f:
        next(f)
        ids = [r["DrugBank ID"] for r in csv.DictReader(f, delimiter=";")]
    held = sum(is_held_out(DRUGBANK, k) for k in ids)
    assert 0.19 < held / len(ids) < 0.21
