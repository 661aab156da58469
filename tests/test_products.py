"""Products, mixtures and plant material: how the compiler makes them entries (tiny in-memory
rows, the real curated files), how a product is answered (a reference written from those rows,
real RDKit), and what the shipped reference answers for the names users type."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from subsmatch.compile.contents import ContentError, resolve
from subsmatch.compile.curate import (
    Curation,
    classify_materials,
    join_plant_entries,
    load_plant_entries,
    product_labels,
    relabel,
)
from subsmatch.compile.dating import DatingReport, date_listings
from subsmatch.compile.identify import Decision, Fact, ident_of
from subsmatch.compile.merge import merge
from subsmatch.compile.names import NameReport, attach_label_rows
from subsmatch.compile.read.curated import read_products
from subsmatch.compile.records import Listing, Name, Row
from subsmatch.compile.roles import CURATED, SourceRole
from subsmatch.compile.write import tables, write_tables
from subsmatch.matchers.products import CLASS_TEXT, product_of
from subsmatch.matchers.verdict import evaluate
from subsmatch.reference.lists import Reference
from subsmatch.substances.names import normalise
from subsmatch.substances.resolve import Resolution
from subsmatch.substances.structures import keys_of

KETAMINE = keys_of("CNC1(CCCCC1=O)c1ccccc1Cl")
CAFFEINE = keys_of("Cn1cnc2c1c(=O)n(C)c(=O)n2C")
COCAINE = keys_of("COC(=O)C1C(OC(=O)c2ccccc2)CC2CCC1N2C")
PINK = "mixture sold as 'pink cocaine' (typically ketamine + MDMA + caffeine; originally 2C-B)"


def role(source: str, role_name: str) -> SourceRole:
    return SourceRole(
        source, source, role_name, "trusted", role_name in ("identity", "control"), "en", None, ""
    )


ROLES = {
    "ident": role("ident", "identity"),
    "list": role("list", "control"),
    "street": role("street", "street"),
    "curated:products": role("curated:products", "identity"),
}


def given(keys) -> Decision:
    f = Fact("given:trusted", ident_of(keys), "given structure")
    return Decision(f.ident, (f,), (), "given")


def plant(line: int, names: list[str], code: str) -> Row:
    listing = Listing(code, f"{code} list", "narcotic")
    return Row("list", line, [Name(n) for n in names], material="plant", listings=[listing])


def test_plant_rows_each_list_names_in_its_own_words_are_one_entry():
    """UN's 'COCAE FOLIUM', NL's 'cocablad' and CN's 'Coca Leaf' are one coca leaf, with each
    list's listing; cannabis oil (NL List I) stays apart from cannabis (List II)."""
    rows = [
        plant(2, ["COCAE FOLIUM"], "UN"),
        plant(3, ["cocablad"], "NL"),
        plant(4, ["Coca Leaf", "古柯叶"], "CN"),
        plant(5, ["hasjiesj"], "NL"),
        plant(6, ["hennep"], "NL"),
        plant(7, ["hennepolie"], "NL"),
    ]
    curation = Curation()
    join_plant_entries(rows, curation)
    assert curation.plant_entries["coca leaf"] == ["list:2", "list:3", "list:4"]
    merged = merge(rows, ROLES, {}, {})
    coca = merged.substances[merged.by_row[0]]
    assert merged.by_row[0] == merged.by_row[1] == merged.by_row[2]
    assert {listing.jurisdiction for listing, _ in coca.listings} == {"UN", "NL", "CN"}
    assert merged.by_row[3] == merged.by_row[4] != merged.by_row[5]
    hashish = {e.name.text for e in merged.substances[merged.by_row[3]].names}
    assert {"cannabis", "hashish", "hasjiesj", "hennep"} <= hashish


def test_the_plant_entries_name_the_nl_heading_paddos_and_every_pattern_compiles():
    entries = {e.entry: e for e in load_plant_entries()}
    mushrooms = entries["psilocybin mushrooms"]
    assert ("nl", "paddo's") in {(n.language, n.text) for n in mushrooms.names}
    assert all(e.reason and e.source for e in entries.values())


PRODUCTS_CSV = (
    "product,labels,names,contents,reason,source\n"
    f'pink cocaine mixture,"{PINK}",,"ketamine; caffeine (as a cutting agent); '
    'class: 2C-B analogues (originally)",r,s\n'
    'synthetic cannabinoid smoking mixture,,Spice,"class: synthetic cannabinoid receptor agonists '
    '(sprayed on herbal material, which ones varies by batch)",r,s\n'
)


def product_build(tmp_path: Path, products: str = PRODUCTS_CSV) -> Reference:
    """Ketamine, caffeine and cocaine listed (NL, none, BE), two products (a tiny products.csv)
    and street rows whose label is the pink-cocaine mixture's: written as tables and loaded."""
    (tmp_path / "curated").mkdir()
    (tmp_path / "curated" / "products.csv").write_text(products, encoding="utf-8")
    rows = [
        Row("ident", 2, [Name("ketamine")], structure=KETAMINE.smiles,
            listings=[Listing("NL", "Opiumwet List II", "psychotropic", since="2012-01-01")]),
        Row("ident", 3, [Name("caffeine")], structure=CAFFEINE.smiles),
        Row("ident", 6, [Name("cocaine")], structure=COCAINE.smiles,
            listings=[Listing("BE", "BE Annex Ib", "narcotic", since="2017-09-26")]),
        Row("street", 4, [Name("tusi", "street", "nl", "NL")], label=PINK),
        Row("street", 5, [Name("special k", "street", "en", "UK")], label="ketamine"),
        *read_products(tmp_path / "curated"),
    ]  # fmt: skip
    assert relabel(rows, ROLES) == 1 and rows[3].label == "pink cocaine mixture"
    decisions = {0: given(KETAMINE), 1: given(CAFFEINE), 2: given(COCAINE)}
    merged = merge(rows, ROLES, decisions, {i: d.support[0] for i, d in decisions.items()})
    report = NameReport()
    attach_label_rows(rows, ROLES, merged.by_row, merged.substances, report)
    assert not report.unjoined
    dated = date_listings(merged.substances, ROLES, DatingReport())
    built, _detail = tables(merged.substances, dated, ROLES, CURATED / "stereo_exclusions.csv")
    write_tables(built, tmp_path / "data")
    return Reference(tmp_path / "data")


def test_a_product_label_joins_the_product_not_its_contents(tmp_path):
    reference = product_build(tmp_path)
    holders = {sid for name, sid in reference.names if name == "tusi"}
    assert len(holders) == 1
    product = reference.substances[holders.pop()]
    assert product.material == "product" and product.smiles is None
    ketamine = reference.substances[f"ik:{KETAMINE.inchikey}"]
    assert "tusi" not in {n for n, sid in reference.names if sid == ketamine.substance_id}
    # the compiler settled each content on its substance; a class on none (its mark dropped)
    assert product.contents == (
        "ketamine; caffeine (as a cutting agent); 2C-B analogues (originally)"
    )
    assert product.content_ids == f"ik:{KETAMINE.inchikey};ik:{CAFFEINE.inchikey};"


def test_a_content_naming_no_substance_or_several_stops_the_build(tmp_path):
    """'MDMA' is no substance of this small reference: the build says which product and
    content, never a guess; a name two substances hold is refused alike."""
    unknown = PRODUCTS_CSV.replace("ketamine; caffeine", "ketamine; MDMA")
    said = "product 'pink cocaine mixture': content 'MDMA' names none"
    with pytest.raises(ContentError, match=said):
        product_build(tmp_path, unknown)
    index = {normalise("K").key: {"a", "b"}, normalise("P").key: {"p"}}
    with pytest.raises(ContentError, match=r"content 'K' names 2 substances \(a, b\)"):
        resolve("x", ["K"], index, {})
    # a product or a group holding the name is no content: the one substance left is
    assert resolve("x", ["K", "class: cathinones"], index, {"b": "group"}) == ["a", ""]


def test_a_product_is_unresolved_with_its_contents_each_with_its_status(tmp_path):
    """Never a single structure's verdict: the error names the product and says that a test of
    the sample decides; each typical content has its own status in each jurisdiction asked
    (grouped by status, the headline's jurisdictions first); a class is said to be one."""
    reference = product_build(tmp_path)
    sid = next(sid for name, sid in reference.names if name == "tusi")
    resolution = Resolution("tusi", "name", "synonym", 0.5, substance_id=sid)
    assert product_of(resolution, reference) is not None
    verdict = evaluate(resolution, reference, ("NL", "BE"))
    assert verdict.status == "unresolved" and verdict.flagged
    assert not verdict.resolution.resolved and verdict.jurisdictions == ()
    assert "'tusi' names a product, not a substance: pink cocaine mixture" in (
        verdict.resolution.error or ""
    )
    assert "a test of the sample decides" in verdict.resolution.error
    (contents,) = [n for n in verdict.resolution.notes if n.startswith("typical contents")]
    assert "ketamine: controlled (NL), unknown (BE)" in contents
    assert "caffeine (as a cutting agent): not_listed (NL, BE)" in contents
    assert f"2C-B analogues (originally): {CLASS_TEXT}" in contents
    # the headline's jurisdictions first, as a verdict shows its jurisdictions
    home_be = evaluate(resolution, reference, ("NL", "BE"), scope=("BE",))
    assert "ketamine: unknown (BE), controlled (NL)" in " ".join(home_be.resolution.notes)
    spice = next(sid for name, sid in reference.names if name == "Spice")
    answer = evaluate(Resolution("Spice", "name", "synonym", 1.0, substance_id=spice), reference)
    assert answer.status == "unresolved"
    expected = (
        "synthetic cannabinoid receptor agonists (sprayed on herbal material, which ones varies "
        f"by batch): {CLASS_TEXT}"
    )
    assert expected in " ".join(answer.resolution.notes)


def test_every_product_row_has_contents_a_reason_and_a_source():
    rows = list(read_products(CURATED))
    assert rows and all(r.contents and "(source: " in r.note for r in rows)
    labels = product_labels()
    assert labels[PINK] == "pink cocaine mixture"
    assert not any(" or " in p or "+" in p for p in labels.values())  # a product is one name


@pytest.mark.shared
def test_the_product_labels_are_the_sources_own(shared):
    """Each label of products.csv and plant_entries.csv is written so in a street-name or
    synonym table (the DoD's names table labels its other names by the ingredient's name)."""
    folder = shared / "sources"

    def column(path: str, name: str) -> set[str]:
        with (folder / path).open(encoding="utf-8") as handle:
            return {row[name] for row in csv.DictReader(handle)}

    known = (
        column("names_street_and_precursor/street_names.csv", "substance")
        | column("dea_dope/dope_dea_street_names.csv", "category")
        | column("dod_prohibited/dod_prohibited_names_synonyms_dea.csv", "name")
    )
    labels = set(product_labels()) | {label for e in load_plant_entries() for label in e.labels}
    # the DOPE synonym tables' own spellings ('synth cannabinoid') are read elsewhere
    unknown = {label for label in labels if label not in known and not label.islower()}
    assert not unknown


# --- the shipped reference ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "query", ["Spice", "K2", "black mamba", "pink cocaine", "research chemical", "benzo fury"]
)  # 'tusi' and the EU row of 'bath salts' are held out for the name evaluation
def test_products_are_answered_as_products_on_the_shipped_reference(checker, query):
    (verdict,) = checker.check([query])
    assert verdict.status == "unresolved"
    assert "names a product, not a substance" in (verdict.resolution.error or "")
    assert any(n.startswith("typical contents") for n in verdict.resolution.notes)


def test_every_shipped_product_content_is_settled_on_one_substance():
    """The shipped reference: one id per content, each a substance that is no product or group
    ('' only for the contents products.csv marks as classes)."""
    reference = Reference()
    marked = {
        r.names[0].text: [c.startswith("class:") for c in r.contents]
        for r in read_products(CURATED)
    }
    products = [s for s in reference.substances.values() if s.material == "product"]
    assert len(products) >= len(marked)
    for product in products:
        ids = product.content_ids.split(";")
        assert len(ids) == len(product.contents.split("; "))
        assert [not i for i in ids] == marked.get(product.name, [not i for i in ids])
        for sid in filter(None, ids):
            assert reference.substances[sid].material not in ("product", "group")


def test_cannabis_concentrates_are_a_product_with_each_lists_own_words():
    """DEA slang 'Wax' (Marijuana Concentrates): THC, NL List I 'hennepolie' and UN 1961's
    cannabis with its resin and extracts, each with its status per jurisdiction."""
    from subsmatch.matchers.checker import Checker

    (verdict,) = Checker(region="US").check_json(["Wax"])
    assert verdict["status"] == "unresolved" and not verdict["jurisdictions"]
    assert "cannabis concentrate" in verdict["error"]
    (note,) = [n for n in verdict["notes"] if n.startswith("typical contents")]
    assert "THC (delta-9-tetrahydrocannabinol" in note
    hennepolie = next(p for p in note.split("; ") if p.startswith("cannabis oil"))
    assert "controlled (" in hennepolie and "NL" in hennepolie.split("controlled (")[1]


@pytest.mark.parametrize(
    ("query", "code"),
    [("paddos", "NL"), ("cocablad", "UN"), ("coca leaf", "UN"), ("COCAE FOLIUM", "NL"),
     ("hashish", "UN"), ("bolkaf", "BE"), ("Catha edulis", "NL"), ("khat", "BE")],
)  # fmt: skip
def test_listed_plant_material_answers_with_every_lists_listing(checker, query, code):
    (verdict,) = checker.check([query])
    assert verdict.status == "controlled"
    assert next(j for j in verdict.jurisdictions if j.code == code).status == "controlled"


def test_words_for_plant_parts_name_no_plant_and_join_none():
    """BtMG gives 'Pflanzen und Pflanzenteile' beside Salvia divinorum and Papaver bracteatum:
    a description, not a name, so the two plants stay two entries."""
    rows = [
        plant(2, ["Salvia divinorum", "Pflanzen und Pflanzenteile"], "DE"),
        plant(3, ["Papaver bracteatum", "Pflanzen und Pflanzenteile"], "DE"),
    ]
    classify_materials(rows, ROLES, Curation())
    assert [[n.text for n in r.names] for r in rows] == [
        ["Salvia divinorum"],
        ["Papaver bracteatum"],
    ]
    merged = merge(rows, ROLES, {}, {})
    assert merged.by_row[0] != merged.by_row[1]


@pytest.mark.parametrize(
    ("query", "not_this"),
    [("7-OH-mitragynine", "Kratom"), ("Papaver bracteatum", "Salvia divinorum"),
     ("Flakka (Alpha-PVP)", None)],
)  # fmt: skip
def test_a_plants_constituent_or_neighbour_is_not_the_plant_on_the_shipped_reference(
    checker, query, not_this
):
    """An alkaloid the DoD table lists as a synonym of kratom, a plant BtMG lists beside
    another with the same description, a slang that names its member in brackets."""
    (verdict,) = checker.check_json([query])
    name = (verdict["resolved"] or {}).get("name")
    if not_this:
        assert name != not_this
    else:
        assert name == "Alpha-PVP"
