"""The readers, each on a tiny source file written here: what a row says, and its dates."""

from __future__ import annotations

import csv
from pathlib import Path

from subsmatch.compile.read import (
    belgium,
    china,
    dea,
    federal_register,
    luxembourg,
    netherlands,
    us_chemicals,
)
from subsmatch.compile.read.dates import all_dmy


def write_csv(path: Path, rows: list[dict]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


BE_ROW = {
    "RD modification": "",
    "NAME": "",
    "CAS": "",
    "SMILES": "",
    "SMILES_canonique": "",
    "IUPAC": "",
    "UNO": "",
    "Convention": "",
    "EU": "",
    "EU_Annex_Category_273_2004": "",
    "EU_Annex_Category_111_2005": "",
    "Belgian annex": "",
    "Belgian code": "",
    "Unnamed: 13": "",
    "smiles_is_placeholder": "False",
    "inchikey": "",
}


def test_belgian_multi_date_field_is_a_first_listing_and_later_amendments(tmp_path):
    write_csv(
        tmp_path / belgium.FILE,
        [
            {
                **BE_ROW,
                "RD modification": "13/06/2010 + 25/11/2015",
                "NAME": "MEPHEDRONE (4-METHYLMETHCATHINONE)",
                "CAS": "1189805-46-6",
                "SMILES": "CNC(C)C(=O)c1ccc(C)cc1",
                "UNO": "Schedule II",
                "Convention": "1971.0",
                "Belgian annex": "Annex IIb",
            },
            {
                **BE_ROW,
                "NAME": "1V-LSD",
                "IUPAC": "1-valeryl-lysergic acid diethylamide ,",
                "SMILES": "C",
                "smiles_is_placeholder": "True",
                "Belgian annex": "Annex IVb",
            },
        ],
    )
    mephedrone, placeholder = list(belgium.read(tmp_path))
    assert [n.text for n in mephedrone.names] == ["MEPHEDRONE", "4-METHYLMETHCATHINONE"]
    by_list = {x.list: x for x in mephedrone.listings}
    be = by_list["BE Annex IIb"]
    assert (be.since, be.evidence, be.act_date) == (None, "2010-06-13", "2010-06-13")
    assert "amended by KB 2015-11-25" in be.note
    assert by_list["1971 Schedule II"].kind == "psychotropic"
    assert placeholder.structure is None and "placeholder" in placeholder.note
    assert placeholder.names[-1].text == "1-valeryl-lysergic acid diethylamide"  # no " ,"


def test_dates_in_any_order_are_sorted():
    assert all_dmy("22/10/2006 + 18/10/2004") == ["2004-10-18", "2006-10-22"]
    assert all_dmy("isomeer van") == []


NL_CHANGE = {
    "jurisdiction": "NL",
    "list": "I",
    "name_as_listed": "",
    "inn": "",
    "other_names": "",
    "description": "",
    "cas": "",
    "act": "Stb. 2024, 90",
    "act_date": "2024-04-10",
    "published": "",
    "in_force": "2024-04-16",
    "change": "added",
    "insert_after": "",
    "evidence": "official text",
    "source_url": "",
    "notes": "",
}


def test_dutch_changes_give_in_force_dates_removals_and_leave_drafts_out(tmp_path):
    write_csv(
        tmp_path / "nl_opiumwet_list_changes_2015-2026.csv",
        [
            {
                **NL_CHANGE,
                "name_as_listed": "3-MMC (3-methylmethcathinon)",
                "other_names": "3-MMC (3-methylmethcathinon)",
                "change": "moved II->I",
            },
            {
                **NL_CHANGE,
                "list": "II",
                "name_as_listed": "3-MMC",
                "change": "removed (moved to List I)",
            },
            {
                **NL_CHANGE,
                "name_as_listed": "isotonitazeen",
                "change": "added (per draft)",
                "in_force": "2021-10-28",
            },
            {
                **NL_CHANGE,
                "name_as_listed": "[further items of Artikel I not retrieved]",
                "change": "added (unknown)",
            },
        ],
    )
    moved, removed, draft, missing = list(netherlands.read_changes(tmp_path))
    assert (moved.listings[0].list, moved.listings[0].since) == ("Opiumwet List I", "2024-04-16")
    assert [n.text for n in moved.names] == ["3-MMC", "3-methylmethcathinon"]
    assert (removed.listings[0].change, removed.listings[0].until) == ("remove", "2024-04-16")
    assert draft.listings == [] and draft.note.startswith("not loaded")
    assert missing.names == [] and missing.note.startswith("not loaded")


LU_ROW = {
    "jurisdiction": "LU",
    "list": "RGD 26.03.1974 liste des stupéfiants",
    "section": "Art. 1er",
    "item_no": "1.",
    "name_as_listed": "",
    "other_names": "",
    "description": "",
    "verbatim_entry": "",
    "cas": "",
    "act": "consolidated text",
    "act_date": "",
    "in_force": "",
    "change": "listed (no entry-specific amendment markup)",
    "block_markup_act": "RGD du 2023-07-14 (Mémorial A n° 432, publié 2023-07-21) [re-enacted]",
    "consolidated_version_applicable": "2025-12-12",
    "source_url": "",
    "source_copy": "",
    "source_sha256": "",
}


def test_luxembourg_dates_additions_and_takes_the_re_enactment_as_evidence_only(tmp_path):
    (tmp_path / "raw").mkdir()
    for version in ("2023-07-21", "2025-12-12"):
        (tmp_path / "raw" / f"rgd-1974-03-26-n1_{version}.fr.xml").write_text("<x/>")
    write_csv(
        tmp_path / "luxembourg_current_lists.csv",
        [
            {**LU_ROW, "name_as_listed": "Heroinum", "description": "diacétylmorphine"},
            {
                **LU_ROW,
                "name_as_listed": "Étonitazépipne",
                "description": "N-pipéridino étonitazène",
                "change": "added/modified",
            },
        ],
    )
    write_csv(
        tmp_path / "luxembourg_list_changes.csv",
        [
            {
                "jurisdiction": "LU",
                "list": LU_ROW["list"],
                "section": "Art. 1er",
                "name_as_listed": "Étonitazépipne",
                "description": "",
                "verbatim_entry": "",
                "cas": "",
                "act": "RGD du 2025-12-03 (Mémorial A n° 537)",
                "act_date": "2025-12-03",
                "act_eli": "",
                "in_force": "2025-12-12",
                "change": "added",
                "evidence": "present in consolidated version 2025-12-12, absent in 2023-07-21",
                "source_url": "",
            }
        ],
    )
    heroin, added = list(luxembourg.read(tmp_path))
    old = heroin.listings[0]
    assert (old.since, old.evidence) == (None, "2023-07-21")
    assert "re-enacted as a block" in old.note
    new = added.listings[0]
    assert (new.since, new.act, new.act_date) == (
        "2025-12-12",
        "RGD du 2025-12-03 (Mémorial A n° 537)",
        "2025-12-03",
    )


def test_luxembourg_names_split_from_their_descriptions():
    names = luxembourg.entry_names("CLONAZOLAM - 6-(2-chlorophényl)-1-méthyl-8-nitro-4H", "", "")
    assert [(n.text, n.kind) for n in names] == [
        ("CLONAZOLAM", "preferred"),
        ("6-(2-chlorophényl)-1-méthyl-8-nitro-4H", "systematic"),
    ]
    first = luxembourg.entry_names("ALPHA - METHYLFENTANYL (N-[1-(x)-4-y] (z))", "", "")[0]
    assert first.text != "ALPHA"


FR_ROW = {"published": "", "document": "", "title": "", "summary": "", "url": ""}
PREFIX = "Schedules of Controlled Substances: "
NOTICES = [
    (
        "2021-03-03",
        "a",
        PREFIX + "Placement of 2 Specific Fentanyl-Related Substances in Schedule I",
        "The Drug Enforcement Administration proposes placing N-(1-phenethylpiperidin-4-yl)-N-"
        "phenylbenzamide (phenyl fentanyl; benzoyl fentanyl), and N-(1-phenethylpiperidin-4-yl)-N-"
        "phenylthiophene-2-carboxamide (thiofuranyl fentanyl), in schedule I.",
    ),
    (
        "2021-04-27",
        "b",
        PREFIX + "Placement of 2 Specific Fentanyl-Related Substances in Schedule I",
        "In this rule, the Drug Enforcement Administration places 2 specified fentanyl-related "
        "substances permanently in schedule I.",
    ),
    (
        "2023-04-10",
        "c",
        "Specific Listing for Eutylone, a Currently Controlled Schedule I Substance",
        "DEA is establishing a specific listing for 1-(1,3-benzodioxol-5-yl)-2-(ethylamino)butan-"
        "1-one (also known as eutylone or bk-EBDB) in schedule I. It has been controlled in the "
        "United States since March 7, 2014, as a positional isomer of pentylone.",
    ),
    (
        "2023-12-12",
        "d",
        PREFIX + "Temporary Placement of MDMB-4en-PINACA into Schedule I",
        "The Administrator is issuing this temporary order to schedule MDMB-4en-PINACA in "
        "schedule I.",
    ),
    (
        "2025-12-15",
        "e",
        PREFIX + "Temporary Placement of Bromazolam in Schedule I",
        "The Administrator is issuing this notification of intent to publish a temporary order to "
        "schedule 8-bromo-1-methyl-6-phenyl-4H-benzo[f][1,2,4]triazolo[4,3-a][1,4]diazepine "
        "(commonly known as bromazolam) in schedule I.",
    ),
    (
        "2025-07-25",
        "f",
        PREFIX + "Extension of Temporary Placement of Etizolam in Schedule I of the Act",
        "DEA is issuing this temporary scheduling order to extend the temporary schedule I status "
        "of etizolam. In an order dated July 26, 2023, DEA temporarily placed etizolam in "
        "schedule I.",
    ),
    (
        "2022-12-23",
        "g",
        PREFIX + "Removal of Fenfluramine From Control",
        "With the issuance of this final rule, DEA removes fenfluramine (chemical name: N-ethyl-"
        "alpha-methyl-3-(trifluoromethyl)phenethylamine) from the schedules. Prior to the "
        "effective date of this rule, fenfluramine was a schedule IV controlled substance.",
    ),
]


def test_federal_register_reads_every_kind_of_notice(tmp_path):
    write_csv(
        tmp_path / federal_register.FILE,
        [
            {**FR_ROW, "published": p, "document": d, "title": t, "summary": s}
            for p, d, t, s in NOTICES
        ],
    )
    rows = list(federal_register.read(tmp_path))

    def notices(prefix: str) -> list:
        return [r for r in rows if r.note.startswith(prefix)]

    assert notices("not applied: a")[0].listings == []  # a proposed rule controls nothing
    final = notices("b ")
    assert len(final) == 2  # names taken from the earlier notice with the same title
    assert {n.text for r in final for n in r.names} >= {"phenyl fentanyl", "thiofuranyl fentanyl"}
    assert all(r.listings[0].evidence == "2021-04-27" and not r.listings[0].since for r in final)
    (eutylone,) = notices("c ")
    assert eutylone.listings[0].since == "2014-03-07"  # "controlled ... since March 7, 2014"
    (temporary,) = notices("d ")
    assert temporary.listings[0].list == "CSA Schedule I"
    assert "temporary" in temporary.listings[0].note
    assert notices("not applied: e")[0].listings == []  # a notice of intent
    (extension,) = notices("f ")
    assert extension.listings[0].evidence == "2023-07-26"
    (removal,) = notices("g ")
    listing = removal.listings[0]
    assert (listing.change, listing.list, listing.until) == (
        "remove",
        "CSA Schedule IV",
        "2022-12-23",
    )


def test_notice_kinds():
    kind = federal_register.notice_kind
    assert (
        kind("Placement of cyclopentyl fentanyl Into Schedule I", "DEA places").kind == "placement"
    )
    assert (
        kind("Specific Listing for Three Currently Controlled Schedule I Substances", "").names
        == ()
    )
    assert kind("Announcement of Hearing: Placement of DOI in Schedule I", "").kind == "hearing"
    assert kind("International Drug Scheduling; Convention", "").kind == "international"


def test_dea_isomer_notes_and_chinese_catalogue_entries(tmp_path):
    assert dea.without_isomer_note("X)(Positional Isomers: 3-MEC)") == "X"
    write_csv(
        tmp_path / "cn_precursor_catalogue_base_annex.csv",
        [
            {
                "category": "第一类",
                "no": "12",
                "name_zh": "麻黄素、伪麻黄素、麻黄浸膏粉等麻黄素类物质",
                "pharma_class_marker": "药品类(*)",
                "added_by": "条例原附表",
                "in_force": "2005-11-01",
                "source": "",
            },
            {
                "category": "说明",
                "no": "",
                "name_zh": "一、...",
                "pharma_class_marker": "",
                "added_by": "",
                "in_force": "",
                "source": "",
            },
        ],
    )
    rows = list(china.read_precursors(tmp_path))
    assert [(r.names[0].text, r.material) for r in rows] == [
        ("麻黄素", ""),
        ("伪麻黄素", ""),
        ("麻黄浸膏粉等麻黄素类物质", "group"),
    ]
    assert rows[0].listings[0].category == "1" and rows[0].listings[0].since == "2005-11-01"


def test_us_chemicals_keep_the_earlier_control_date_of_a_specific_listing():
    names = us_chemicals.chemical_names(
        "tert-butyl 4-oxopiperidine-1-carboxylate (1-boc-4-piperidone; CAS 79099-07-3) "
        "and its salts"
    )
    assert names == ["tert-butyl 4-oxopiperidine-1-carboxylate", "1-boc-4-piperidone"]


def test_dea_list_cells_name_each_substance_once(tmp_path):
    head = {"dea_drug_code": "1.0", "csa_schedule": "I", "narcotic": "N"}
    write_csv(
        tmp_path / "dea_controlled_substances_alpha_c_cs_alpha.csv",
        [
            {
                **head,
                "substance": "Alphacetylmethadol except levo-alphacetylmethadol",
                "other_names": "",
            },
            {
                **head,
                "substance": "4-Methyl-alphapyrrolidinopropiophenone (4-MePPP)",
                "other_names": "MePPP, 4-methyl-α-pyrrolidinopropiophenone, "
                "1-(4-methylphenyl)-2-(pyrrolidin-1-yl)-propan-1-one)",
            },
            {
                **head,
                "substance": "Cenobamate [(1R)-1-(2-chlorophenyl)-2-(tetrazol-2-yl)ethyl]carbamate",
                "other_names": "2H-tetrazole-2-ethanol, alpha-(2-chlorophenyl)-,carbamate (ester), "
                "(alphaR)-; carbamic acid (R)-(+)-1-(2-chlorophenyl)-2-(2H-tetrazol-2-yl)ethyl "
                "ester)",
            },
        ],
    )
    rows = list(dea.read_orange_book(tmp_path))
    names = [[n.text for n in r.names] for r in rows]
    assert names[0] == ["Alphacetylmethadol"]
    assert rows[0].listings[0].note == "except levo-alphacetylmethadol"
    assert names[1] == [
        "4-Methyl-alphapyrrolidinopropiophenone",
        "4-MePPP",
        "MePPP",
        "4-methyl-α-pyrrolidinopropiophenone",
        "1-(4-methylphenyl)-2-(pyrrolidin-1-yl)-propan-1-one",
    ]
    assert names[2] == [
        "Cenobamate",
        "[(1R)-1-(2-chlorophenyl)-2-(tetrazol-2-yl)ethyl]carbamate",
        "2H-tetrazole-2-ethanol, alpha-(2-chlorophenyl)-,carbamate (ester), (alphaR)-",
        "carbamic acid (R)-(+)-1-(2-chlorophenyl)-2-(2H-tetrazol-2-yl)ethyl ester",
    ]


def test_dea_positional_isomers_are_rows_of_their_own_on_the_same_schedule(tmp_path):
    write_csv(
        tmp_path / "dea_controlled_substances_alpha_c_cs_alpha.csv",
        [
            {
                "substance": "Mephedrone (4-Methyl-N-methylcathinone)",
                "dea_drug_code": "1248.0",
                "csa_schedule": "I",
                "narcotic": "N",
                "other_names": "(Positional Isomers: 3-Methyl-methcathinone,Buphedrone, "
                "N,N-Dimethyl-cathinone)",
            },
            {
                "substance": "4-Methyl-N-ethylcathinone (4-MEC)",
                "dea_drug_code": "1249.0",
                "csa_schedule": "I",
                "narcotic": "N",
                "other_names": "2-(ethylamino)-1-(4-methylphenyl)propan-1-one)(PositionalIsomers:"
                "4-methylbuphedrone (4-MeMABP;4-MeBP), 3,4-dimethylmethcathinone(3,4-DMMC),"
                "N-ethylbuphedrone (NEB))",
            },
        ],
    )
    rows = list(dea.read_orange_book(tmp_path))
    names = [[n.text for n in r.names] for r in rows]
    assert names == [
        ["Mephedrone", "4-Methyl-N-methylcathinone"],
        ["3-Methyl-methcathinone"],
        ["Buphedrone"],
        ["N,N-Dimethyl-cathinone"],
        ["4-Methyl-N-ethylcathinone", "4-MEC", "2-(ethylamino)-1-(4-methylphenyl)propan-1-one"],
        ["4-methylbuphedrone", "4-MeMABP", "4-MeBP"],
        ["3,4-dimethylmethcathinone", "3,4-DMMC"],
        ["N-ethylbuphedrone", "NEB"],
    ]
    assert rows[0].isomers == ["3-Methyl-methcathinone", "Buphedrone", "N,N-Dimethyl-cathinone"]
    assert not rows[1].isomers
    isomer = rows[2].listings[0]
    assert (isomer.jurisdiction, isomer.list, isomer.act) == (
        "US",
        "CSA Schedule I",
        "DEA drug code 1248",
    )
    assert isomer.note == "controlled as a positional isomer of Mephedrone (21 CFR 1300.01)"


def test_dea_product_brands_sharing_the_entrys_substance_keep_it(tmp_path):
    """A cell of brands sharing one qualifier, the entry's own substance ("Tylenol ... w/codeine"
    of the codeine combination product), gives each brand with it, in the DEA list and in DOPE's
    split of it: a brand alone (Tylenol: paracetamol) names another product. A qualifier naming
    another substance describes one item only ("Butalbital with aspirin")."""
    head = {"dea_drug_code": "9804.0", "csa_schedule": "III", "narcotic": "Y"}
    write_csv(
        tmp_path / "dea_controlled_substances_alpha_c_cs_alpha.csv",
        [
            {
                "substance": "Codeine combination product 90 mg/du",
                **head,
                "other_names": "Empirin,Tylenol,ASA or APAP w/codeine",
            },
            {"substance": "Butalbital", **head, "other_names": "Fiorinal, Butalbital with aspirin"},
        ],
    )
    synonyms = [
        ("Codeine combination product 90 mg/du", "Tylenol"),
        ("Codeine combination product 90 mg/du", "APAP w/codeine"),
        ("Butalbital", "Fiorinal"),
    ]
    write_csv(
        tmp_path / "dope_dea_controlled.csv",
        [
            {"substance": s, "number": "", "schedule": "III", "narcotic": "Y", "synonym": n}
            for s, n in synonyms
        ],
    )
    rows = list(dea.read_orange_book(tmp_path))
    assert [n.text for n in rows[0].names] == [
        "Codeine combination product 90 mg/du",
        "Empirin w/codeine",
        "Empirin with codeine",
        "Tylenol w/codeine",
        "Tylenol with codeine",
        "ASA w/codeine",
        "ASA with codeine",
        "APAP w/codeine",
        "APAP with codeine",
    ]
    assert [n.text for n in rows[1].names] == ["Butalbital", "Fiorinal", "Butalbital with aspirin"]
    dope = [(r.label, [n.text for n in r.names]) for r in dea.read_dope_synonyms(tmp_path)]
    assert dope == [
        ("Codeine combination product 90 mg/du", ["Tylenol w/codeine"]),
        ("Codeine combination product 90 mg/du", ["APAP w/codeine"]),
        ("Butalbital", ["Fiorinal"]),
    ]
