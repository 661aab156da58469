"""The reference audit as the front ends call it: load, render per list, JSON, one-line coverage;
and the shipped reference tables checked against what they must say."""

from __future__ import annotations

import json
from dataclasses import asdict

import pytest

from subsmatch.compile.merge import abbreviation
from subsmatch.errors import UserError
from subsmatch.reference.audit import as_json, coverage_line, load_audit, render
from subsmatch.reference.lists import ListInfo, load
from subsmatch.substances.names import KEY_VERSION

AUDIT = {
    "audit_version": 1,
    "data_version": "2026-01-01+abc",
    "lists": [
        {
            "jurisdiction": "NL",
            "list": "Opiumwet List II",
            "kind": "psychotropic",
            "entries": 3,
            "with_structure": 1,
            "name_only": 1,
            "name_only_excepted": 1,
            "complete_to": "2015-10-02",
            "coverage": "partial",
            "note": "",
            "name_only_entries": [{"substance_id": "name:x", "name": "x", "row": "nl:5"}],
            "excepted_entries": [
                {"substance_id": "name:qat", "name": "Qat", "material": "plant", "row": "nl:9"}
            ],
        }
    ],
    "conflicts": [
        {
            "row": "cn:185",
            "name": "4-Methylmethcathinone",
            "settled": "joined to ik:Y",
            "reason": "agreement",
            "support": [],
            "against": ["CAS 5650-44-2 -> L"],
        }
    ],
    "self_contradictions": [
        {
            "row": "be:528",
            "name": "PV-8",
            "settled": "joined to ik:D",
            "reason": "given structure contradicts OPSIN 'x': settled for the systematic name by y",
            "support": [],
            "against": [],
        }
    ],
    "disputed_structures": [
        {
            "row": "gc:64",
            "name": "ortho-fluorobutyrylfentanyl",
            "settled": "joined to ik:O",
            "reason": "given structure disputed by other sources: 3 provenance(s) give the "
            "given structure under a positional isomer's name ('parafluorobutyrylfentanyl')",
            "support": [],
            "against": [],
        }
    ],
    "dropped": [
        {
            "row": "dea:58",
            "what": "name 'fentanyl'",
            "substance_id": "ik:M",
            "reason": "carried more strongly by ik:P",
        }
    ],
    "contradicted_kept": [],
    "notices_not_placed": [
        {
            "row": "fr:81",
            "names": ["Flunitazene"],
            "substance_id": "name:flunitazene",
            "notice": "2025-19542",
        }
    ],
    "not_loaded": [],
    "overrides": [
        {
            "row": "be:264",
            "name": "DOC",
            "decision": "structure",
            "value": "C",
            "reason": "wrong SMILES",
            "applied": True,
            "detail": "",
        }
    ],
}


def test_audit_renders_per_list_and_whole(tmp_path):
    (tmp_path / "audit.json").write_text(json.dumps(AUDIT))
    audit = load_audit(tmp_path)
    text = render(audit)
    assert (
        "NL  Opiumwet List II (psychotropic): 3 entries, 1 with structure, 1 name-only (33.3%)"
        in text
    )
    assert "  name-only: x (nl:5)" in text and "  plant: Qat (nl:9)" in text
    assert "conflicts found and how they were settled (1)" in text and "CAS 5650-44-2" in text
    assert "notice names not placed on a structure (1)" in text and "Flunitazene" in text
    assert "own systematic name contradicts, and how each was settled (1)" in text
    assert "be:528 PV-8: joined to ik:D" in text
    assert "dispute under the same name or CAS, and how each was settled (1)" in text
    assert "gc:64 ortho-fluorobutyrylfentanyl: joined to ik:O" in text
    assert "fentanyl" in text and "carried more strongly" in text
    only = render(audit, jurisdiction="NL")
    assert "conflicts" not in only and "Opiumwet List II" in only
    assert as_json(audit, list_name="Opiumwet List II")["lists"][0]["entries"] == 3
    assert as_json(audit) == AUDIT


def test_a_missing_audit_says_how_to_make_one(tmp_path):
    with pytest.raises(UserError) as error:
        load_audit(tmp_path)
    assert "python -m subsmatch.compile" in error.value.hint


def test_coverage_line():
    info = ListInfo(
        "LU",
        "LU psychotropes (RGD 20.03.1974)",
        "psychotropic",
        68,
        "2026-07-13",
        "",
        65,
        1,
        2,
        "complete",
    )
    assert coverage_line(asdict(info)) == (
        "LU  LU psychotropes (RGD 20.03.1974) (psychotropic): 68 entries, 65 with structure, "
        "1 name-only (1.5%), 2 excepted (plant/preparation/group/product or unsettled); complete, "
        "complete to 2026-07-13"
    )


# --- the shipped reference ------------------------------------------------------------------


@pytest.fixture(scope="module")
def reference():
    return load()


def test_the_shipped_name_keys_are_this_normalisers(reference):
    """Keys made by another normaliser are made again at each start: rebuild the data."""
    assert reference.name_key_version == KEY_VERSION
    assert reference.name_keys(KEY_VERSION) is not None


def _listed(reference, name: str, jurisdiction: str) -> set[str]:
    ids = {sid for text, sid in reference.names if text.lower() == name.lower()}
    return {
        e.list
        for sid in ids
        for e in reference.listings.get(sid, ())
        if e.jurisdiction == jurisdiction
    }


@pytest.mark.parametrize(
    ("name", "nl_list"),
    [
        ("heroin", "Opiumwet List I"),
        ("heroïne", "Opiumwet List I"),
        ("morphine", "Opiumwet List I"),
        ("morfine", "Opiumwet List I"),
        ("methylphenidate", "Opiumwet List I"),
        ("buprenorphine", "Opiumwet List II"),
        ("phenazepam", "Opiumwet List II"),
        ("cannabis", "Opiumwet List II"),
        ("mephedrone", "Opiumwet List I"),
        ("mefedron", "Opiumwet List I"),
    ],
)
def test_the_dutch_lists_hold_what_the_issue_found_missing(reference, name, nl_list):
    assert nl_list in _listed(reference, name, "NL")


def test_identities_the_issue_found_wrong(reference):
    def ids(name: str) -> set[str]:
        return {sid for text, sid in reference.names if text.lower() == name.lower()}

    gbl, ghb = ids("GBL"), ids("GHB")
    assert gbl and ghb and not gbl & ghb
    assert ids("gamma-butyrolactone") == gbl
    mephedrone = ids("mephedrone")
    assert ids("4-methylmethcathinone") == mephedrone
    china = {
        sid
        for sid, entries in reference.listings.items()
        for e in entries
        if e.jurisdiction == "CN" and e.name_in_list == "4-Methylmethcathinone"
    }
    assert china == mephedrone
    for plant in ("khat", "peyote"):
        assert all(reference.substances[sid].inchikey is None for sid in ids(plant))
    assert all(
        reference.substances[sid].name != "Morphine" for sid in ids("morphine methylbromide")
    )


def test_no_name_names_two_structures_unless_it_is_a_street_name(reference):
    """Nor an abbreviation that lists or vocabularies give to different substances (MPA: kept
    on each, so that it is answered ambiguous: compile/merge.py)."""
    structures: dict[str, set[str]] = {}
    for record in reference.name_records:
        if abbreviation(record.name):
            continue
        if record.kind != "street" and reference.substances[record.substance_id].inchikey:
            structures.setdefault(record.key, set()).add(
                reference.substances[record.substance_id].inchikey
            )
    assert [key for key, found in structures.items() if len(found) > 1] == []


def test_benelux_lists_are_at_most_three_percent_name_only(reference):
    over = [
        coverage_line(asdict(info))
        for info in reference.lists
        if info.jurisdiction in ("BE", "NL", "LU", "EU", "UN")
        and info.entries >= 40
        and info.name_only > 0.03 * info.entries
    ]
    assert over == []


def test_us_lists_are_at_most_three_percent_name_only(reference):
    over = [
        coverage_line(asdict(info))
        for info in reference.lists
        if info.jurisdiction == "US" and info.name_only > 0.03 * info.entries
    ]
    assert over == []


def test_curated_identities_of_us_entries(reference):
    def one(name: str):
        found = {sid for text, sid in reference.names if text.lower() == name.lower()}
        assert len(found) == 1, (name, found)
        return reference.substances[found.pop()]

    assert one("thiopental").formula == "C11H18N2O2S"
    assert one("SR-18").inchikey == one("RCS-8").inchikey  # the row's own alias agrees
    assert one("Morphine methylbromide").formula == "C18H22NO3+"  # quaternary, not morphine
    assert one("White phosphorus").formula == "P4"


def test_listings_are_dated_by_since_or_evidence(reference):
    undated = [
        (sid, e.jurisdiction, e.list)
        for sid, entries in reference.listings.items()
        for e in entries
        if not e.since and not e.evidence and not e.until
    ]
    assert undated == []
    luxembourg = {
        e.list: e
        for entries in reference.listings.values()
        for e in entries
        if e.jurisdiction == "LU" and e.name_in_list == "Heroinum"
    }
    heroin = next(iter(luxembourg.values()))
    assert (
        heroin.since is None and heroin.evidence == "2023-07-21"
    )  # the 2023 re-enactment: evidence only


def test_the_build_settles_given_structures_their_own_systematic_names_contradict():
    """Identify step on the shipped build: a Belgian SMILES its own IUPAC column contradicts is
    replaced where another source's structure agrees with the name, kept where one agrees with
    the SMILES; the one none settled (CP 47,497 C8-homoloog: a SMILES and an IUPAC column both
    wrong) is settled by a person, its override applied."""
    found = {c["row"]: c for c in load_audit().section("self_contradictions")}
    for row in ("528", "431", "454"):  # PV-8, metodesnitazene, N-ethylnorpentylone
        assert "settled for the systematic name" in found[f"belgium_legal_gui:{row}"]["reason"]
    assert "settled for the given structure" in found["belgium_legal_gui:160"]["reason"]
    assert "belgium_legal_gui:212" not in found
    c8 = [o for o in load_audit().section("overrides") if o["row"] == "belgium_legal_gui:212"]
    assert [(o["decision"], o["applied"]) for o in c8] == [("structure", True), ("drop_name", True)]


def test_the_build_settles_given_structures_other_sources_dispute():
    """Identify step on the shipped build: Global-Chem's 'ortho-fluorobutyrylfentanyl' draws the
    para isomer, which the Belgian list, the DEA and the BtMG call para-fluorobutyrylfentanyl;
    the DEA's notice prints the ortho isomer's chemical name: the row is on the ortho isomer,
    with no person's override."""
    found = {c["row"]: c for c in load_audit().section("disputed_structures")}
    ortho = found["globalchem_us:64"]
    assert "positional isomer" in ortho["reason"] and "us_federal_register" in ortho["reason"]
    assert ortho["settled"] == "joined to ik:NLSYMTDGNNFMCX-UHFFFAOYSA-N"
    overrides = {o["row"] for o in load_audit().section("overrides")}
    assert "globalchem_us:64" not in overrides


def test_drawings_other_sources_contradict_carry_no_listing(reference):
    """Global-Chem's wrong drawings no longer hold its listings: tetrachloroethylene (drawn for
    N-ethyl-1-phenylcyclohexylamine), the 4-methylthio amphetamine (drawn for DOM), glycine
    betaine (the largest component of its chloral betaine) and antipyrine (of dichloralphenazone);
    and BE's glycol ether for (1R,2S)-chloroephedrine;
    chloral betaine's listing is on the compound DrugBank's InChIKey names."""

    def listed(inchikey_start: str, jurisdiction: str) -> set[str]:
        return {
            e.list
            for sid, entries in reference.listings.items()
            if sid.startswith(f"ik:{inchikey_start}")
            for e in entries
            if e.jurisdiction == jurisdiction
        }

    for wrong in ("CYTYCFOTNPOANT", "COBYBOVXXDQRAU", "KWIUHFFTVRNATP", "VEQOALNAAJBPNY"):
        assert not listed(wrong, "US"), wrong
    assert not listed("WFSMVVDJSNMRAR", "EU")  # a glycol ether drawn for chloroephedrine
    assert listed("IFYLVUHLOOCYBG", "US") == {"CSA Schedule I"}  # eticyclidine
    assert listed("ONAOIDNSINNZOA", "US") == {"CSA Schedule IV"}  # chloral betaine
