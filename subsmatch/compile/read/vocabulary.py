"""Name vocabularies: DrugBank's open vocabulary (medicines, cutting agents and adulterants with
their CAS numbers and InChIKeys), street names by region, precursor names and abbreviations,
and the structures the street-name research gives for its substance labels.

The held-out rows of DrugBank and of the street names (:mod:`subsmatch.compile.holdout`) are
never read.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from pathlib import Path

from subsmatch.compile.holdout import DRUGBANK, STREET_NAMES, is_held_out, street_key
from subsmatch.compile.read.text import cas_numbers, csv_rows, listed_names, name_and_aliases
from subsmatch.compile.records import Name, Row

DRUGBANK_SOURCE = "drugbank"
STREET_SOURCE = "street_names"
PRECURSOR_NAMES = "precursor_names"
LABEL_STRUCTURES = "street_label_structures"
_INCHIKEY = re.compile(r"^[A-Z]{14}-[A-Z]{10}-[A-Z]$")


def read_drugbank(folder: Path) -> Iterator[Row]:
    """DrugBank entries (not held out): common name, synonyms, CAS and InChIKey."""
    with (folder / "drugbank_vocabulary.csv").open(encoding="utf-8-sig", newline="") as handle:
        next(handle)  # a generic "Column1;...;Column7" line precedes the real header
        reader = csv.DictReader(handle, delimiter=";")
        for row in reader:
            line = reader.line_num + 1
            drugbank_id = row["DrugBank ID"].strip()
            if not drugbank_id or is_held_out(DRUGBANK, drugbank_id):
                continue
            names = [Name(row["Common name"].strip(), "preferred", "en")]
            names += [
                Name(s.strip(), "other") for s in (row["Synonyms"] or "").split(" | ") if s.strip()
            ]
            inchikey = (row["Standard InChI Key"] or "").strip()
            yield Row(
                DRUGBANK_SOURCE,
                line,
                [n for n in names if n.text],
                cas=cas_numbers(row["CAS"] or ""),
                inchikey=inchikey if _INCHIKEY.match(inchikey) else None,
                note=drugbank_id,
            )


def read_street_names(folder: Path) -> Iterator[Row]:
    """Street names with their region and language (not held out), keyed by substance label."""
    for line, row in csv_rows(folder / "street_names.csv"):
        if is_held_out(STREET_NAMES, street_key(row["name"], row["substance"])):
            continue
        language = row["language"].split("/")[0]
        name = Name(row["name"], "street", language, row["region"])
        yield Row(STREET_SOURCE, line, [name], label=row["substance"], note=row["ambiguity_note"])


def read_precursor_names(folder: Path) -> Iterator[Row]:
    """Precursor names and abbreviations (BMK, PMK glycidate, NPP ...) with CAS numbers and
    structures the research gives from knowledge (verified against a second source)."""
    for line, row in csv_rows(folder / "precursor_names.csv"):
        label = name_and_aliases(row["substance"])
        names = [Name(row["name"], "code" if row["name"].isupper() else "other", "en")]
        names += [Name(n, "other", "en") for n in label if n != row["name"]]
        yield Row(
            PRECURSOR_NAMES,
            line,
            names,
            cas=cas_numbers(row["cas"]),
            structure=row["smiles"] or None,
            label=row["substance"],
            note=row["notes"],
        )


def read_label_structures(folder: Path) -> Iterator[Row]:
    """The structures given for street-name substance labels (from knowledge)."""
    for line, row in csv_rows(folder / "substance_structures.csv"):
        names = listed_names(row["substance"], "en", "preferred", "other")
        yield Row(
            LABEL_STRUCTURES,
            line,
            names,
            structure=row["smiles"] or None,
            formula=row["formula"] or None,
            label=row["substance"],
            note=row["note"],
        )
