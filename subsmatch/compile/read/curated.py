"""The compiler's own curated tables that describe substances: cutting agents, adulterants and
medicines met in seized drugs (by their systematic names), and stereoisomers the law excludes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from subsmatch.compile.read.text import csv_rows
from subsmatch.compile.records import Name, Row

COMMON = "curated:common_substances"
EXCLUSIONS = "curated:stereo_exclusions"


def read_common(folder: Path) -> Iterator[Row]:
    for line, row in csv_rows(folder / "common_substances.csv"):
        names = [Name(row["name"], "preferred", "en")]
        names += [Name(n.strip(), "other", "en") for n in row["synonyms"].split(";") if n.strip()]
        if row["systematic_name"]:  # else the row joins the substance its name is known for
            names.append(Name(row["systematic_name"], "systematic", "en"))
        yield Row(COMMON, line, names, note=row["role"])


def read_exclusions(folder: Path) -> Iterator[Row]:
    for line, row in csv_rows(folder / "stereo_exclusions.csv"):
        yield Row(EXCLUSIONS, line, [Name(row["name"], "preferred", "en")], structure=row["smiles"])
