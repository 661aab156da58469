"""The held-out split: deterministic, about 20%, the same for every row of one street-name pair;
read by the shipped build, left out of the evaluation build (``--hold-out``)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from subsmatch.compile.build import DATA
from subsmatch.compile.build import main as build_main
from subsmatch.compile.holdout import DRUGBANK, STREET_NAMES, is_held_out, street_key
from subsmatch.compile.read.vocabulary import read_drugbank
from subsmatch.reference.lists import load
from subsmatch.substances.names import normalise


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


def write_drugbank(folder: Path) -> None:
    """Two entries, DB00002 held out and DB00001 not."""
    lines = [
        "Column1;Column2;Column3;Column4;Column5;Column6;Column7",
        "DrugBank ID;Accession Numbers;Common name;CAS;UNII;Synonyms;Standard InChI Key",
        "DB00001;A;Firstdrug;50-78-2;U;Firstdrug alias;BSYNRYMUTXBXSQ-UHFFFAOYSA-N",
        "DB00002;B;Heldoutdrug;58-08-2;U;Held brand | Held alias;RYYVLZVUVIJVGH-UHFFFAOYSA-N",
    ]
    (folder / "drugbank_vocabulary.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_the_shipped_build_reads_every_drugbank_entry_the_evaluation_build_not_the_held_out(
    tmp_path: Path,
) -> None:
    assert is_held_out(DRUGBANK, "DB00002") and not is_held_out(DRUGBANK, "DB00001")
    write_drugbank(tmp_path)
    shipped = list(read_drugbank(tmp_path))
    assert [r.note for r in shipped] == ["DB00001", "DB00002"]
    assert [n.text for n in shipped[1].names] == ["Heldoutdrug", "Held brand", "Held alias"]
    assert shipped[1].cas == ["58-08-2"]
    assert [r.note for r in read_drugbank(tmp_path, hold_out=True)] == ["DB00001"]


def test_the_held_out_build_is_never_written_into_the_shipped_data(capsys) -> None:
    assert build_main(["--hold-out", "--shared", ".", "--out", str(DATA)]) == 2
    assert "never shipped" in capsys.readouterr().err


@pytest.mark.shared
def test_the_shipped_reference_knows_held_out_drugbank_names(shared):
    """The shipped reference is built from every row: most held-out DrugBank entries with an
    InChIKey have their own name in it (a name may stay off where it collides, so not all;
    entries without a structure, biologics, are not substances of the reference)."""
    path = shared / "sources" / "drugbank_open_vocabulary" / "drugbank_vocabulary.csv"
    held = [r for r in read_drugbank(path.parent) if is_held_out(DRUGBANK, r.note) and r.inchikey]
    keys = {normalise(name).key for name, _sid, _region in load().name_rows()}
    known = sum(normalise(r.names[0].text).key in keys for r in held)
    assert known / len(held) > 0.9
