"""The compiler's steps after identification, each on tiny in-memory rows: curate, merge, names,
date, write."""

from __future__ import annotations

import dataclasses
import json

import pyarrow.parquet as pq

from subsmatch.compile.curate import Curation, Override, apply_overrides, classify_materials
from subsmatch.compile.dating import DatingReport, combine, date_listings
from subsmatch.compile.identify import Decision, Fact, Ident, ident_of
from subsmatch.compile.merge import merge, unplace_unnamed_listings
from subsmatch.compile.names import (
    NameReport,
    attach_label_rows,
    check_readings,
    drop_loose_names,
    drop_open_positions,
    drop_open_stereo,
    label_targets,
)
from subsmatch.compile.records import Listing, Name, Row
from subsmatch.compile.roles import CURATED, SourceRole, load_roles
from subsmatch.compile.write import name_rows, tables, write_tables
from subsmatch.reference.lists import Reference
from subsmatch.substances.names import name_key
from subsmatch.substances.structures import keys_of

GHB = keys_of("OCCCC(=O)O")
GBL = keys_of("O=C1CCCO1")
COCAINE = keys_of("COC(=O)[C@H]1[C@@H](OC(=O)c2ccccc2)C[C@@H]2CC[C@H]1N2C")


def role(source: str, role_name: str, snapshot: str | None = "2020-06-30") -> SourceRole:
    return SourceRole(
        source,
        source,
        role_name,
        "trusted",
        role_name in ("identity", "control"),
        "en",
        snapshot,
        "",
    )


ROLES = {
    "ident": role("ident", "identity"),
    "list": role("list", "control"),
    "lookup": role("lookup", "grouping"),
    "street": role("street", "street"),
    "syn": role("syn", "synonyms"),
}


NO_FACT = Decision(None, (), (), "no fact")


def given(keys) -> Decision:
    f = Fact("given:trusted", ident_of(keys), "given structure")
    return Decision(f.ident, (f,), (), "given")


def test_every_source_table_has_a_role():
    roles = load_roles()
    assert roles["dope_lookup"].role == "grouping" and not roles["dope_lookup"].names_are_identity
    assert roles["belgium_legal_gui"].structures == "trusted"
    assert roles["precursor_names"].structures == "from_knowledge"


def test_overrides_apply_to_the_row_they_name_and_report_the_others():
    rows = [Row("list", 7, [Name("DOC")], cas=["64-85-7"], structure="C")]
    curation = Curation()
    overrides = [
        Override("list", 7, "DOC", "structure", "COc1cc(CC(C)N)c(OC)cc1Cl", "wrong SMILES"),
        Override("list", 7, "DOC", "drop_cas", "64-85-7", "the wrong SMILES's CAS"),
        Override("list", 8, "DOC", "add_name", "x", "no such row"),
    ]
    apply_overrides(rows, overrides, curation)
    assert rows[0].structure == "COc1cc(CC(C)N)c(OC)cc1Cl" and rows[0].trust == "curated"
    assert rows[0].cas == []
    assert [a.applied for a in curation.overrides] == [True, True, False]


def test_plants_preparations_and_groups_are_classified_and_keep_no_structure():
    rows = [
        Row(
            "list", 2, [Name("PEYOTE"), Name("Lophophora williamsii", "systematic")], structure="C"
        ),
        Row("list", 3, [Name("Codeine combination product 90 mg/du")]),
        Row("list", 4, [Name("JWH-018 adamantoyl derivative")], structure="CC"),
        Row("list", 5, [Name("Cocaine")]),
        Row("list", 6, [Name("Codeine & isoquinoline alkaloid 90 mg/du")]),
        Row("list", 7, [Name("Dronabinol in an oral solution in a drug product approved")]),
        Row("list", 8, [Name("Amobarbital suppository dosage form")]),
        Row("list", 9, [Name("Magnesium 90")]),  # a number without a dose unit
    ]
    curation = Curation()
    classify_materials(rows, ROLES, curation)
    assert [r.material for r in rows] == ["plant", "preparation", "", ""] + ["preparation"] * 3 + [
        ""
    ]
    assert rows[0].structure is None and [n.text for n in rows[0].names] == ["PEYOTE"]


def test_rows_merge_by_structure_or_by_a_shared_name_and_lost_facts_stay_off():
    rows = [
        Row(
            "ident",
            2,
            [Name("cocaine")],
            structure=COCAINE.smiles,
            listings=[Listing("BE", "BE Annex Ib", "narcotic")],
        ),
        Row(
            "list",
            3,
            [Name("Cocaïne"), Name("GBL", "other")],
            cas=["96-48-0"],
            listings=[Listing("NL", "Opiumwet List I", "narcotic")],
        ),
        Row(
            "list",
            4,
            [Name("KHAT"), Name("QAT")],
            material="plant",
            listings=[Listing("BE", "BE Annex IVb", "NPS")],
        ),
        Row(
            "list",
            5,
            [Name("Qat")],
            material="plant",
            listings=[Listing("NL", "Opiumwet List II", "psychotropic")],
        ),
    ]
    cocaine = ident_of(COCAINE)
    against = (
        Fact("name:other", ident_of(GBL), "name 'GBL'"),
        Fact("cas", ident_of(GBL), "CAS 96-48-0"),
    )
    decisions = {
        0: given(COCAINE),
        1: Decision(cocaine, (Fact("name", cocaine, "name 'Cocaïne'"),), against, "agreement"),
    }
    merged = merge(rows, ROLES, decisions, {0: given(COCAINE).support[0]})
    cocaine_substance = merged.substances[f"ik:{COCAINE.inchikey}"]
    assert {e.name.text for e in cocaine_substance.names} == {"cocaine", "Cocaïne"}
    assert cocaine_substance.cas == {}
    assert {d.what for d in merged.dropped} == {"name 'GBL'", "CAS 96-48-0"}
    khat = merged.substances[merged.by_row[2]]
    assert merged.by_row[2] == merged.by_row[3] and khat.ident is None and khat.material == "plant"
    assert len(khat.listings) == 2


def test_a_grouping_table_never_gives_names_and_street_names_keep_their_region():
    rows = [
        Row("ident", 2, [Name("GHB")], structure=GHB.smiles),
        Row("ident", 3, [Name("GBL")], structure=GBL.smiles),
        Row("lookup", 4, [Name("gbl")], label="ghb"),  # DOPE: GBL under the GHB category
        Row("street", 5, [Name("G", "street", "en", "NL")], label="GHB or GBL (sold as GHB)"),
        Row(
            "street",
            6,
            [Name("liquid ecstasy", "street", "en", "UK")],
            label="GHB (sodium oxybate)",
        ),
        Row(
            "street",
            7,
            [Name("pink cocaine", "street", "en", "NL")],
            label="mixture sold as 'pink cocaine'",
        ),
    ]
    decisions = {0: given(GHB), 1: given(GBL)}
    merged = merge(rows, ROLES, decisions, {i: d.support[0] for i, d in decisions.items()})
    report = NameReport()
    attach_label_rows(rows, ROLES, merged.by_row, merged.substances, report)
    ghb, gbl = merged.substances[f"ik:{GHB.inchikey}"], merged.substances[f"ik:{GBL.inchikey}"]
    assert {(e.name.text, e.name.region) for e in ghb.names} == {
        ("GHB", ""),
        ("G", "NL"),
        ("liquid ecstasy", "UK"),
    }
    assert {(e.name.text, e.name.region) for e in gbl.names} == {("GBL", ""), ("G", "NL")}
    assert report.grouping_rows == {"lookup": 1}
    assert report.unjoined["street"] == ["mixture sold as 'pink cocaine'"]


def test_label_targets():
    index = {"cocaine": {"s1"}, "crack": {"s1", "s2"}}
    assert label_targets("cocaine (base/crack form)", index) == ["s1"]
    assert label_targets("crack", index) == []


def test_a_name_stays_where_it_is_carried_most_strongly_and_contradicted_synonyms_go():
    rows = [
        Row(
            "ident",
            2,
            [Name("fentanyl", "preferred")],
            structure="CCC(=O)N(c1ccccc1)C1CCN(CCc2ccccc2)CC1",
        ),
        Row(
            "ident",
            3,
            [Name("3-methylfentanyl", "preferred")],
            structure="CCC(=O)N(c1ccccc1)C1CCN(CCc2ccccc2)CC1C",
        ),
        Row("syn", 4, [Name("fentanyl", "other")], label="3-methylfentanyl"),
    ]
    decisions = {0: given(keys_of(rows[0].structure)), 1: given(keys_of(rows[1].structure))}
    merged = merge(rows, ROLES, decisions, {i: d.support[0] for i, d in decisions.items()})
    report = NameReport()
    attach_label_rows(rows, ROLES, merged.by_row, merged.substances, report)
    drop_loose_names(merged.substances, ROLES, report)
    methyl = merged.substances[merged.by_row[1]]
    assert [e.name.text for e in methyl.names] == ["3-methylfentanyl"]
    assert any("carried more strongly" in d.reason for d in report.dropped)


def test_an_abbreviation_identity_sources_give_to_different_substances_stays_on_each():
    """MPA: a list's code of one substance, a vocabulary's synonym of another: both keep it (a
    lookup answers it ambiguous). A synonym table's label gives no such claim: its 'MDMA' of
    another row stays off, the list's stays."""
    roles = {
        **ROLES,
        "voc": dataclasses.replace(role("voc", "vocabulary"), names_are_identity=True),
    }
    rows = [
        Row("list", 2, [Name("methiopropamine"), Name("MPA", "code")], structure=GHB.smiles),
        Row("voc", 3, [Name("Medroxy", "preferred"), Name("MPA")], inchikey=GBL.inchikey),
        Row("list", 4, [Name("MDMA", "code")], structure=COCAINE.smiles),
        Row("syn", 5, [Name("MDMA", "other")], label="methiopropamine"),
    ]
    # the vocabulary's row is settled by its InChIKey; the list's row ties 'MPA' to GHB: the
    # abbreviation lost the row's identification, and stays all the same
    by_key = Fact("inchikey", ident_of(GBL), "InChIKey")
    lost = Fact("name:other", ident_of(GHB), "name 'MPA'")
    decisions = {
        0: given(GHB),
        1: Decision(by_key.ident, (by_key,), (lost,), "agreement"),
        2: given(COCAINE),
    }
    merged = merge(rows, roles, decisions, {0: decisions[0].support[0]})
    report = NameReport()
    attach_label_rows(rows, roles, merged.by_row, merged.substances, report)
    drop_loose_names(merged.substances, roles, report)
    held = {
        sid: sorted(e.name.text for e in s.names if e.name.text.isupper())
        for sid, s in merged.substances.items()
    }
    assert held == {
        f"ik:{GHB.inchikey}": ["MPA"],
        f"ik:{GBL.inchikey}": ["MPA"],
        f"ik:{COCAINE.inchikey}": ["MDMA"],
    }


def test_a_name_drawn_flat_by_one_list_and_as_one_stereoisomer_by_another_names_that_form():
    """'methyldihydromorphine': a US list draws it without stereo, the Belgian list as the
    natural form; equal claims, no disagreement: the stereoisomer keeps the name. Two
    stereoisomers claiming one name equally (levo- and dextro- drawn for 'methorphan') lose it."""
    flat = keys_of("CC(N)Cc1ccccc1")
    dextro = keys_of("C[C@H](N)Cc1ccccc1")
    levo = keys_of("C[C@@H](N)Cc1ccccc1")
    rows = [
        Row("list", 2, [Name("amfetamine X")], structure=flat.smiles),
        Row("list", 3, [Name("amfetamine X")], structure=dextro.smiles),
        Row("list", 4, [Name("amfetamine Y")], structure=dextro.smiles),
        Row("list", 5, [Name("amfetamine Y")], structure=levo.smiles),
    ]
    decisions = {i: given(keys_of(row.structure)) for i, row in enumerate(rows)}
    merged = merge(rows, ROLES, decisions, {i: d.support[0] for i, d in decisions.items()})
    report = NameReport()
    drop_loose_names(merged.substances, ROLES, report)
    held = {sid: [e.name.text for e in s.names] for sid, s in merged.substances.items()}
    assert held == {
        f"ik:{flat.inchikey}": [],
        f"ik:{dextro.inchikey}": ["amfetamine X"],
        f"ik:{levo.inchikey}": [],
    }
    tie = f"name '{name_key('amfetamine Y')}'"
    assert any(d.what == tie and "equally strongly" in d.reason for d in report.dropped)


def test_a_name_that_leaves_open_a_position_its_isomers_fix_names_none_of_them():
    amphetamines = {"2": "CC(N)Cc1ccccc1F", "4": "CC(N)Cc1ccc(F)cc1", "M": "CNC(C)Cc1ccccc1"}
    rows = [
        Row("list", 2, [Name("2-fluoroamphetamine")], structure=amphetamines["2"]),
        Row(
            "list",
            3,
            [Name("4-Fluoroamphetamine"), Name("FLUOROAMPHETAMINE")],
            structure=amphetamines["4"],
        ),
        Row(
            "list",
            4,
            [Name("methamphetamine"), Name("methylamphetamine")],
            structure=amphetamines["M"],
        ),
        Row("ident", 5, [Name("Methylamphetamine")], structure=amphetamines["M"]),
        Row("list", 6, [Name("2-methylamphetamine")], structure="CC(N)Cc1ccccc1C"),
        Row("list", 7, [Name("4-methylamphetamine")], structure="CC(N)Cc1ccc(C)cc1"),
    ]
    decisions = {i: given(keys_of(row.structure)) for i, row in enumerate(rows)}
    merged = merge(rows, ROLES, decisions, {i: d.support[0] for i, d in decisions.items()})
    report = NameReport()
    drop_open_positions(merged.substances, ROLES, report)
    names = {sid: [e.name.text for e in s.names] for sid, s in merged.substances.items()}
    assert names[merged.by_row[1]] == ["4-Fluoroamphetamine"]
    assert "methylamphetamine" in names[merged.by_row[2]]  # two sources agree on it
    (dropped,) = report.dropped
    assert dropped.what == "name 'FLUOROAMPHETAMINE'" and "names no position" in dropped.reason


def test_check_readings_keeps_a_contradicted_synonym_only_on_a_settled_substance():
    from subsmatch.compile.identify import Reading

    rows = [
        Row(
            "ident",
            2,
            [Name("cocaine"), Name("ecgonine methyl ester", "other")],
            structure=COCAINE.smiles,
        )
    ]
    decisions = {0: given(COCAINE)}
    merged = merge(rows, ROLES, decisions, {0: decisions[0].support[0]})
    other = Ident(GHB.inchikey, GHB)
    risky = ("substituent on a trivial alkaloid parent",)
    readings = {("ecgonine methyl ester", "en"): Reading("ecgonine methyl ester", other, risky)}
    report = NameReport()
    check_readings(merged.substances, rows, merged.by_row, decisions, readings, ROLES, report)
    assert len(report.contradicted_kept) == 1  # settled by a given structure: kept, reported
    # a sure reading (no feature OPSIN misreads) of a locanted name of other heavy atoms names
    # another compound; a trivial name read so stays (OPSIN's 'tropicamide' is not the drug)
    systematic = "4-hydroxybutanoic acid"
    rows[0].names.append(Name(systematic, "systematic"))
    merged = merge(rows, ROLES, decisions, {0: decisions[0].support[0]})
    sure = {
        ("ecgonine methyl ester", "en"): Reading("ecgonine methyl ester", other, ()),
        (systematic, "en"): Reading(systematic, other, ()),
    }
    report = NameReport()
    check_readings(merged.substances, rows, merged.by_row, decisions, sure, ROLES, report)
    assert len(report.contradicted_kept) == 1
    assert [d.what for d in report.dropped] == [f"name '{systematic}'"]
    assert "no feature it is known to misread" in report.dropped[0].reason
    rows[0].names.pop()
    merged = merge(rows, ROLES, decisions, {0: decisions[0].support[0]})
    unsettled = {
        0: Decision(ident_of(COCAINE), (Fact("name", ident_of(COCAINE), "name"),), (), "x")
    }
    report = NameReport()
    check_readings(merged.substances, rows, merged.by_row, unsettled, readings, ROLES, report)
    assert [d.what for d in report.dropped] == ["name 'ecgonine methyl ester'"]


def test_a_salt_name_stays_only_where_its_base_can_name_the_substance():
    from subsmatch.compile.identify import Reading
    from subsmatch.compile.names import check_salt_names, salt_name_bases

    salicylic = keys_of("OC(=O)c1ccccc1O")  # the parent a salt's standardisation may keep
    rows = [
        Row("ident", 2, [Name("choline salicylate")], structure=salicylic.smiles),
        Row(
            "ident",
            3,
            [Name("cocaine hydrochloride"), Name("cocaine"), Name("cocaine hydrate")],
            structure=COCAINE.smiles,
        ),
    ]
    decisions = {0: given(salicylic), 1: given(COCAINE)}
    merged = merge(rows, ROLES, decisions, {i: d.support[0] for i, d in decisions.items()})
    assert salt_name_bases(merged.substances, ROLES) == {("choline", "en"), ("cocaine", "en")}
    choline = keys_of("C[N+](C)(C)CCO")
    readings = {
        ("choline", "en"): Reading("choline", Ident(choline.inchikey, choline), ()),
        ("cocaine", "en"): Reading("cocaine", ident_of(COCAINE), ()),
    }
    report = NameReport()
    check_salt_names(merged.substances, readings, ROLES, report)
    assert [d.what for d in report.dropped] == ["name 'choline salicylate'"]
    from subsmatch.compile.write import preferred_name

    salt = merged.substances[merged.by_row[0]]
    assert preferred_name(salt, ROLES) == "choline salicylate"  # still its name, not a key
    kept = {n.name.text for s in merged.substances.values() for n in s.names}
    # a base read as its own skeleton; water names no other component
    assert kept == {"cocaine hydrochloride", "cocaine", "cocaine hydrate"}


def test_the_display_name_is_in_latin_script_when_the_substance_has_one():
    from subsmatch.compile.write import preferred_name

    rows = [
        Row("list", 2, [Name("甲二氢吗啡", language="zh")], structure=COCAINE.smiles),
        Row("list", 3, [Name("6-methyldihydromorphine")], structure=COCAINE.smiles),
    ]
    decisions = {0: given(COCAINE), 1: given(COCAINE)}
    merged = merge(rows, ROLES, decisions, {i: d.support[0] for i, d in decisions.items()})
    [substance] = merged.substances.values()
    assert preferred_name(substance, ROLES) == "6-methyldihydromorphine"
    substance.names = substance.names[:1]
    assert preferred_name(substance, ROLES) == "甲二氢吗啡"  # no other: the name it has


def test_the_only_stereoisomer_held_with_no_latin_name_shows_its_flat_drawing_s_name():
    from subsmatch.compile.write import display_names

    flat, dextro, levo = (
        keys_of("CC(N)Cc1ccccc1"),
        keys_of("C[C@H](N)Cc1ccccc1"),
        keys_of("C[C@@H](N)Cc1ccccc1"),
    )
    rows = [
        Row("list", 2, [Name("amfetamine X")], structure=flat.smiles),
        Row("list", 3, [Name("苯丙胺", language="zh")], structure=dextro.smiles),
    ]
    decisions = {i: given(keys_of(row.structure)) for i, row in enumerate(rows)}
    merged = merge(rows, ROLES, decisions, {i: d.support[0] for i, d in decisions.items()})
    assert display_names(merged.substances, ROLES)[f"ik:{dextro.inchikey}"] == "amfetamine X"
    # with a second stereoisomer held, the flat name would not say which: the name it has
    rows.append(Row("list", 4, [Name("左苯丙胺", language="zh")], structure=levo.smiles))
    decisions[2] = given(levo)
    merged = merge(rows, ROLES, decisions, {i: d.support[0] for i, d in decisions.items()})
    assert display_names(merged.substances, ROLES)[f"ik:{dextro.inchikey}"] == "苯丙胺"


def test_a_vocabulary_salt_name_whose_base_nothing_corroborates_is_not_a_key():
    from subsmatch.compile.names import check_salt_names

    roles = {**ROLES, "vocab": role("vocab", "vocabulary")}
    ester = keys_of("CC(C)CCCC(C)CCOC(=O)CCC(=O)O")  # stands for an ester DrugBank keys
    rows = [
        Row("vocab", 2, [Name("alpha-tocopherol succinate")], structure=ester.smiles),
        Row("vocab", 3, [Name("cocaine hydrochloride"), Name("cocaine")], structure=COCAINE.smiles),
        Row("list", 4, [Name("ester hydrochloride")], structure=GHB.smiles),
    ]
    decisions = {0: given(ester), 1: given(COCAINE), 2: given(GHB)}
    merged = merge(rows, roles, decisions, {i: d.support[0] for i, d in decisions.items()})
    report = NameReport()
    check_salt_names(merged.substances, {}, roles, report)  # OPSIN reads none of the bases
    assert [d.what for d in report.dropped] == ["name 'alpha-tocopherol succinate'"]
    assert "not corroborated" in report.dropped[0].reason
    kept = {n.name.text for s in merged.substances.values() for n in s.names}
    # the base is a name of its own; a control list's name is its own word
    assert kept == {"cocaine hydrochloride", "cocaine", "ester hydrochloride"}


def _row(source: str = "list", line: int = 2) -> Row:
    return Row(source, line, [Name("x")])


def test_listings_combine_since_evidence_and_removals():
    report = DatingReport()
    listing = Listing("NL", "Opiumwet List II", "psychotropic")
    adds = [
        (listing.dated(evidence="2015-10-02"), _row("list", 2)),
        (listing.dated(since="2021-10-28", act="Besluit 2021"), _row("list", 3)),
    ]
    removes = [
        (listing.dated(change="remove", until="2024-04-16", act="Stb. 2024, 90"), _row("list", 4))
    ]
    combined, row = combine(adds, removes, report, "s")
    assert (combined.since, combined.evidence, combined.until) == ("2021-10-28", None, "2024-04-16")
    assert "removed 2024-04-16 by Stb. 2024, 90" in combined.note and row.row == 3
    combined, _ = combine(adds[:1], [], report, "s")
    assert (combined.since, combined.evidence) == (None, "2015-10-02")


def test_undated_listings_get_snapshot_evidence_and_an_unnamed_schedule_removal_closes_all():
    rows = [
        Row(
            "list",
            2,
            [Name("fenfluramine")],
            listings=[Listing("US", "CSA Schedule IV", "psychotropic")],
        ),
        Row(
            "list",
            3,
            [Name("fenfluramine")],
            listings=[
                Listing("US", "CSA Schedule ?", "narcotic", until="2022-12-23", change="remove")
            ],
        ),
    ]
    merged = merge(rows, ROLES, {0: NO_FACT, 1: NO_FACT}, {})
    dated = date_listings(merged.substances, ROLES, DatingReport())
    assert len(dated) == 1
    listing = dated[0].listing
    assert (listing.evidence, listing.until) == ("2020-06-30", "2022-12-23")


def test_tables_follow_the_contract_and_load(tmp_path):
    rows = [
        Row(
            "ident",
            2,
            [Name("cocaine")],
            cas=["50-36-2"],
            structure=COCAINE.smiles,
            listings=[Listing("BE", "BE Annex Ib", "narcotic", since="2017-09-26")],
        ),
        Row(
            "list",
            3,
            [Name("KHAT")],
            material="plant",
            listings=[Listing("BE", "BE Annex IVb", "NPS", evidence="2017-09-26")],
        ),
        Row(
            "list",
            4,
            [Name("Unknownine")],
            listings=[Listing("BE", "BE Annex IVb", "NPS", evidence="2017-09-26")],
        ),
    ]
    decisions = {0: given(COCAINE), 2: NO_FACT}
    merged = merge(rows, ROLES, decisions, {0: decisions[0].support[0]})
    dated = date_listings(merged.substances, ROLES, DatingReport())
    built, detail = tables(merged.substances, dated, ROLES, CURATED / "stereo_exclusions.csv")
    version = write_tables(built, tmp_path)
    assert version == write_tables(built, tmp_path / "again")  # deterministic
    lists = {r["list"]: r for r in pq.read_table(tmp_path / "lists.parquet").to_pylist()}
    ivb = lists["BE Annex IVb"]
    assert (ivb["entries"], ivb["with_structure"], ivb["name_only"], ivb["name_only_excepted"]) == (
        2,
        0,
        1,
        1,
    )
    assert ivb["coverage"] == "partial"
    assert [e["material"] for e in detail["BE|BE Annex IVb"]["excepted_entries"]] == ["plant"]
    reference = Reference(tmp_path)
    entry = reference.listings[f"ik:{COCAINE.inchikey}"][0]
    assert (entry.since, entry.category, entry.evidence) == ("2017-09-26", "", None)
    assert {r.substance_id for r in reference.substances.values() if r.inchikey is None} == {
        "name:khat",
        "name:unknownine",
    }
    assert json.loads((tmp_path / "VERSION.json").read_text())["data_version"].startswith(
        "2017-09-26+"
    )


def test_a_vocabulary_gives_its_short_names_to_known_substances_and_its_stereo_names_to_all():
    """On a substance only the vocabulary knows, its other short names (a brand: Refludan) stay
    for lookup by their own spelling only, never as targets of near-spelling matching."""
    from subsmatch.compile.names import trim_vocabulary_names

    roles = {**ROLES, "voc": role("voc", "vocabulary")}
    rows = [
        Row("ident", 2, [Name("cocaine")], structure=COCAINE.smiles),
        Row(
            "voc",
            3,
            [Name("Cocaine", "preferred"), Name("Neurocaine"), Name("x" * 60), Name("Q Base")],
            inchikey=COCAINE.inchikey,
        ),
        Row(
            "voc",
            4,
            [Name("Lepirudin", "preferred"), Name("Refludan"), Name("(±)-Lepirudin")],
            inchikey=GBL.inchikey,
        ),
    ]
    decisions = {0: given(COCAINE), 1: given(COCAINE), 2: given(GBL)}
    merged = merge(rows, roles, decisions, {i: d.support[0] for i, d in decisions.items()})
    assert trim_vocabulary_names(merged.substances, roles) == 2  # x*60, Q Base
    known = merged.substances[f"ik:{COCAINE.inchikey}"].names
    assert {(e.name.text, e.fuzzy) for e in known} == {
        ("cocaine", True),
        ("Cocaine", True),
        ("Neurocaine", True),
    }
    only = merged.substances[f"ik:{GBL.inchikey}"].names
    assert [(e.name.text, e.fuzzy) for e in only] == [
        ("Lepirudin", True),
        ("Refludan", False),
        ("(±)-Lepirudin", True),
    ]
    rows = {r["name"]: r["fuzzy"] for r in name_rows(merged.substances)}
    assert rows["Refludan"] is False and rows["Lepirudin"] is True


def test_an_undrawn_vocabulary_substance_of_a_listed_skeleton_keeps_its_own_name_only():
    """DrugBank's 'Carfentanil, C-11' is known only by an InChIKey whose skeleton a listed
    substance has: its other names ('11C-CARFENTANIL') are left to the resolver's rules (the
    labelled form's parent), which relate it to the listing; no structure would."""
    from subsmatch.compile.names import trim_vocabulary_names

    roles = {**ROLES, "voc": role("voc", "vocabulary")}
    labelled = COCAINE.inchikey[:15] + "UHFFFAOYSA-N"
    rows = [
        Row(
            "list",
            2,
            [Name("cocaine")],
            structure=COCAINE.smiles,
            listings=[Listing("BE", "BE Annex Ib", "narcotic")],
        ),
        Row("voc", 3, [Name("Cocaine, C-11", "preferred"), Name("11C-COCAINE")], inchikey=labelled),
    ]
    key = Fact("inchikey", Ident(labelled), "InChIKey")
    decisions = {0: given(COCAINE), 1: Decision(key.ident, (key,), (), "inchikey")}
    merged = merge(rows, roles, decisions, {0: decisions[0].support[0]})
    assert trim_vocabulary_names(merged.substances, roles) == 1
    assert [e.name.text for e in merged.substances[f"ik:{labelled}"].names] == ["Cocaine, C-11"]


def test_a_list_known_complete_to_a_date_is_written_complete_and_a_partial_one_has_no_date():
    from subsmatch.compile.dating import contract_coverage, load_coverage

    assert contract_coverage("partial", "2015-10-02", "NL") == (
        "complete",
        "NL; later changes loaded in part",
    )
    assert contract_coverage("partial", None, "US") == ("partial", "US")
    for coverage in load_coverage():  # the curated table, as the compiler reads it
        assert (coverage.coverage == "partial") == (coverage.complete_to is None), coverage


def test_a_synonym_naming_an_ester_of_an_alcohol_stays_off_the_alcohol():
    from subsmatch.compile.names import drop_ester_names

    testosterone = keys_of("C[C@]12CC[C@H]3[C@@H](CCC4=CC(=O)CC[C@@]43C)[C@@H]1CC[C@@H]2O")
    undecanoate = keys_of(
        "CCCCCCCCCCC(=O)O[C@H]1CC[C@H]2[C@@H]3CCC4=CC(=O)CC[C@]4(C)[C@H]3CC[C@]12C"
    )
    rows = [
        Row(
            "ident",
            2,
            [Name("testosterone"), Name("testosterone undecanoate"), Name("cocaine acetate")],
            structure=testosterone.smiles,
        ),
        # the ester itself keeps its name, though it has no name of its alcohol
        Row("ident", 3, [Name("testosterone undecanoate")], structure=undecanoate.smiles),
        Row("ident", 4, [Name("cocaine"), Name("cocaine benzoate")], structure=COCAINE.smiles),
    ]
    decisions = {0: given(testosterone), 1: given(undecanoate), 2: given(COCAINE)}
    merged = merge(rows, ROLES, decisions, {i: d.support[0] for i, d in decisions.items()})
    report = NameReport()
    drop_ester_names(merged.substances, report)
    assert [d.what for d in report.dropped] == ["name 'testosterone undecanoate'"]
    names = {sid: {n.name.text for n in s.names} for sid, s in merged.substances.items()}
    assert names[merged.by_row[0]] == {"testosterone", "cocaine acetate"}  # not its name
    assert names[merged.by_row[1]] == {"testosterone undecanoate"}
    assert names[merged.by_row[2]] == {"cocaine", "cocaine benzoate"}  # an amine: a salt


def test_an_entry_a_person_could_not_settle_is_excepted_from_the_name_only_share():
    from subsmatch.compile.write import list_rows

    listing = Listing("CN", "precursors 3", "precursor", "3", "2021-06-07")
    rows = [
        Row("list", 8, [Name("doubted name")], listings=[listing]),
        Row("list", 9, [Name("unknown")], listings=[listing]),
        Row("list", 10, [Name("cocaine")], structure=COCAINE.smiles, listings=[listing]),
    ]
    curation = Curation()
    reason = "the source doubts its own name"
    apply_overrides(rows, [Override("list", 8, "doubted name", "unsettled", "", reason)], curation)
    assert curation.overrides[0].applied and rows[0].unsettled == reason
    decisions = {0: NO_FACT, 1: NO_FACT, 2: given(COCAINE)}
    merged = merge(rows, ROLES, decisions, {2: decisions[2].support[0]})
    entries = [
        {
            "jurisdiction": "CN",
            "list": "precursors 3",
            "kind": "precursor",
            "substance_id": merged.by_row[i],
            "name_in_list": rows[i].names[0].text,
            "source": "list",
            "source_row": rows[i].row,
        }
        for i in range(3)
    ]
    table, detail = list_rows(entries, merged.substances)
    assert (table[0]["name_only"], table[0]["name_only_excepted"]) == (1, 1)
    excepted = detail["CN|precursors 3"]["excepted_entries"]
    assert [(e["name"], e["reason"]) for e in excepted] == [("doubted name", reason)]


def test_a_structure_one_unreviewed_drawing_alone_gives_is_in_doubt():
    """Global-Chem's EU NPS table drew 'Spice' as a terpene: a name the identified rows tie to
    the drawing echoes it, and only an independent fact (an identity list's structure, OPSIN's
    reading, a drawing of another provenance) vouches for it."""
    roles = {
        **ROLES,
        "nps": SourceRole("nps", "gc", "control", "unreviewed", True, "en", None, "", "GC"),
        "known": SourceRole("known", "kn", "identity", "from_knowledge", False, "en", None, ""),
    }
    drawn = Fact("given:unreviewed", ident_of(GBL), "given structure")
    rows = [
        Row("nps", 2, [Name("Spice")], structure=GBL.smiles),
        Row("list", 3, [Name("Spice")], listings=[Listing("BE", "BE Annex IVb", "NPS")]),
    ]
    echo = Decision(drawn.ident, (Fact("name", drawn.ident, "name 'Spice'"),), (), "agreement")
    decisions = {0: Decision(drawn.ident, (drawn,), (), "given"), 1: echo}
    alone = merge(rows, roles, decisions, {0: drawn}).substances[f"ik:{GBL.inchikey}"]
    assert alone.structure_doubt == "its structure is drawn by one unreviewed source alone (nps:2)"

    second = Fact("given:from_knowledge", drawn.ident, "given structure")
    rows.append(Row("known", 4, [Name("gamma-butyrolactone")], structure=GBL.smiles))
    decisions[2] = Decision(drawn.ident, (second, Fact("cas", drawn.ident, "CAS 96-48-0")), (), "")
    vouched = merge(rows, roles, decisions, {0: drawn, 2: second}).substances[f"ik:{GBL.inchikey}"]
    assert vouched.structure_doubt == ""
    trusted = merge(rows[:1], ROLES | roles, {0: given(GBL)}, {0: given(GBL).support[0]})
    assert trusted.substances[f"ik:{GBL.inchikey}"].structure_doubt == ""


def test_a_listing_on_a_structure_none_of_whose_names_stayed_is_not_placed():
    """A list lists what it names: when a drawing's only name goes to the substance that
    carries it more strongly, the drawing keeps no listing (nothing named it), and the audit
    says so."""
    rows = [
        Row("ident", 2, [Name("MPPP")], structure=GHB.smiles),
        Row("list", 3, [Name("mppp")], listings=[Listing("US", "CSA Schedule I", "")]),
    ]
    decisions = {0: given(GHB), 1: given(GBL)}
    merged = merge(rows, ROLES, decisions, {0: given(GHB).support[0], 1: given(GBL).support[0]})
    drawn = merged.substances[f"ik:{GBL.inchikey}"]
    drawn.names.clear()  # the names step gave 'mppp' to the substance carrying it more strongly
    dropped = unplace_unnamed_listings(merged.substances)
    assert drawn.listings == [] and [(d.ref, d.what) for d in dropped] == [
        ("list:3", "listing US: CSA Schedule I")
    ]
    assert merged.substances[f"ik:{GHB.inchikey}"].names  # a named substance keeps its own


def test_a_drawing_whose_skeleton_another_stereo_form_vouches_for_is_not_in_doubt():
    """Global-Chem's flat modafinil, drawn by it alone, has the skeleton of DrugBank's
    armodafinil: the skeleton is vouched for, and which stereoisomer is the stereo rule's."""
    roles = {
        **ROLES,
        "nps": SourceRole("nps", "gc", "control", "unreviewed", True, "en", None, "", "GC"),
    }
    flat, one = keys_of("CC(N)Cc1ccccc1"), keys_of("C[C@H](N)Cc1ccccc1")
    drawn = Fact("given:unreviewed", ident_of(flat), "given structure")
    rows = [
        Row("nps", 2, [Name("amph")], structure=flat.smiles),
        Row("ident", 3, [Name("dexamph")], structure=one.smiles),
    ]
    decisions = {0: Decision(drawn.ident, (drawn,), (), "given"), 1: given(one)}
    merged = merge(rows, roles, decisions, {0: drawn, 1: given(one).support[0]})
    assert merged.substances[f"ik:{flat.inchikey}"].structure_doubt == ""
    alone = merge(rows[:1], roles, {0: decisions[0]}, {0: drawn})
    assert alone.substances[f"ik:{flat.inchikey}"].structure_doubt


def test_a_synonym_that_leaves_open_the_stereo_its_named_forms_fix_names_none_of_them():
    """The DoD gives 'methorphan' to levomethorphan; levo-, dextro- and racemethorphan are three
    substances, and dextromethorphan is no controlled drug: a synonym table alone does not give
    the stem to one stereoisomer. A list's own name stays."""
    levo = "COc1ccc2c(c1)[C@@]13CCCC[C@@H]1[C@@H](C2)N(C)CC3"
    dextro = "COc1ccc2c(c1)[C@]13CCCC[C@H]1[C@H](C2)N(C)CC3"
    rows = [
        Row("list", 2, [Name("LEVOMETHORPHAN"), Name("methorphan")], structure=levo),
        Row("syn", 3, [Name("methorphan"), Name("l-methorphan")], structure=levo),
        Row("list", 4, [Name("dextromethorphan")], structure=dextro),
    ]
    decisions = {i: given(keys_of(row.structure)) for i, row in enumerate(rows)}
    merged = merge(rows, ROLES, decisions, {i: d.support[0] for i, d in decisions.items()})
    report = NameReport()
    drop_open_stereo(merged.substances, ROLES, report)
    kept = [(e.name.text, e.source) for e in merged.substances[merged.by_row[0]].names]
    assert ("methorphan", "list") in kept and ("l-methorphan", "syn") in kept
    assert ("methorphan", "syn") not in kept
    (dropped,) = report.dropped
    assert dropped.ref == "syn:3" and "names no stereoisomer" in dropped.reason
