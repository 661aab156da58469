"""China: the narcotic and psychotropic lists (2013 editions, in force 2014-01-01), the
non-medical NPS supplementary list with its dated batches to 2025-07-01, the precursor
catalogue annexed to the 2005 regulation (Chinese names only), and the list changes of
2017-2025 found in announcements."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from subsmatch.compile.read.dates import first_iso, leading_iso, year_month
from subsmatch.compile.read.text import (
    cas_numbers,
    csv_rows,
    listed_names,
    name_and_aliases,
    split_names,
)
from subsmatch.compile.records import Listing, Name, Row

LISTS = "china_lists"
PRECURSORS = "china_precursors"
CHANGES = "china_changes"

_LISTS = {
    "CN_narcotic_drugs_2013": ("CN Narcotic Drugs (2013)", "narcotic"),
    "CN_psychotropic_class1_2013": ("CN Psychotropic Substances Class I (2013)", "psychotropic"),
    "CN_psychotropic_class2_2013": ("CN Psychotropic Substances Class II (2013)", "psychotropic"),
    "CN_nonmedical_NPS_supplementary": ("CN Non-medical NPS Supplementary List", "NPS"),
}
_CHANGE_LISTS = {
    "第一类精神药品": _LISTS["CN_psychotropic_class1_2013"],
    "第二类精神药品": _LISTS["CN_psychotropic_class2_2013"],
}
_PRECURSOR_CATEGORY = {"第一类": "1", "第二类": "2", "第三类": "3"}
_CJK = re.compile(r"[\u3000-\u9fff\uff00-\uffef]")


def precursor_list(category: str) -> str:
    return f"CN precursor catalogue Category {category}"


def _ascii_alias(text: str) -> list[str]:
    """A note cell that is a short code ("4-MMC") is an alias; Chinese prose is not."""
    return [text] if text and not _CJK.search(text) and len(text) <= 24 else []


def read_lists(folder: Path) -> Iterator[Row]:
    for line, row in csv_rows(folder / "china_controlled_drug_lists_2025-07.csv"):
        list_name, kind = _LISTS[row["list"]]
        name_en = re.sub(
            r"\s+and\s+its\s+injection$", "", row["name_en"], flags=re.I
        )  # the substance, and so its injection
        names = listed_names(name_en)
        names += [Name(n, "code", "en") for n in _ascii_alias(row["note"])]
        if row["name_zh"]:
            names.append(Name(row["name_zh"].rstrip("*"), "other", "zh"))
        listing = Listing("CN", list_name, kind, since=row["effective_date"] or None)
        yield Row(LISTS, line, names, cas=cas_numbers(row["cas"]), listings=[listing])


def read_precursors(folder: Path) -> Iterator[Row]:
    """One row per substance: the annex's "A、B、C等X类物质" entry lists several, then the group."""
    for line, row in csv_rows(folder / "cn_precursor_catalogue_base_annex.csv"):
        category = _PRECURSOR_CATEGORY.get(row["category"])
        if category is None:  # the annex's explanatory notes
            continue
        listing = Listing(
            "CN",
            precursor_list(category),
            "precursor",
            category,
            since=row["in_force"] or None,
            act=row["added_by"],
            act_date="2005-08-26",
            note="pharmaceutical precursor (药品类)" if row["pharma_class_marker"] else "",
        )
        for part in (p.strip() for p in row["name_zh"].split("、") if p.strip()):
            group = part.startswith("等") or "类物质" in part
            yield Row(
                PRECURSORS,
                line,
                [Name(part, "preferred", "zh")],
                listings=[listing],
                material="group" if group else "",
            )


def _change_names(zh: str, other: str) -> list[Name]:
    """A change row's names: the Chinese name (bracketed aliases split off) and any other."""
    names = listed_names(zh, "zh")
    for part in split_names(other):
        names += [Name(n, "other", "en") for n in name_and_aliases(part) if not _CJK.search(n)]
    return [n for n in names if re.search(r"[^\W\d_]", n.text)]


def change_listing(row: dict[str, str]) -> Listing | None:
    """The listing a change row makes; None for rows that were not retrieved."""
    if "not retrieved" in row["act"] or "unverified" in row["change"]:
        return None
    if row["list"].startswith("易制毒"):
        category = {"第一类": "1", "第二类": "2", "第三类": "3"}.get(row["category"])
        if category is None:
            return None
        list_name, kind = precursor_list(category), "precursor"
    elif row["list"].startswith("精神药品"):
        list_name, kind = _CHANGE_LISTS[row["category"]]
        category = ""
    else:
        list_name, kind = _LISTS["CN_nonmedical_NPS_supplementary"]
        category = ""
    since, precision = leading_iso(row["in_force"]), "day"
    if since is None and (partial := year_month(row["in_force"])):
        since, precision = partial
    act_date = first_iso(row["act_date"]) or (year_month(row["act_date"]) or (None,))[0]
    published = "publication" in row["act_date"] or "announced" in row["act_date"]
    return Listing(
        "CN",
        list_name,
        kind,
        category,
        since=since,
        since_precision=precision,
        evidence=None if since else act_date,
        act=row["act"],
        act_date=act_date,
        note="; ".join(
            p
            for p in (
                ""
                if since
                else "in-force date not retrieved; evidence: the act's "
                + ("publication" if published else "date"),
                row["completeness"],
            )
            if p
        ),
    )


def read_changes(folder: Path) -> Iterator[Row]:
    for line, row in csv_rows(folder / "cn_control_list_changes.csv"):
        listing = change_listing(row)
        names = _change_names(row["name_zh"], row["name_other"])
        if listing is None:
            yield Row(
                CHANGES, line, names, note=f"not loaded: {row['change']} ({row['completeness']})"
            )
            continue
        material = ""
        if "复方" in row["name_zh"] or "制剂" in row["name_zh"]:
            material = "preparation"
        elif "类物质" in row["name_zh"] or "等" in row["name_zh"]:
            material = "group"
        yield Row(CHANGES, line, names, listings=[listing], material=material, note=row["change"])
