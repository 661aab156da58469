"""Name vocabularies: DrugBank's open vocabulary (medicines, cutting agents and adulterants with
their CAS numbers and InChIKeys), street names by region, precursor names and abbreviations,
and the structures the street-name research gives for its substance labels.

The held-out rows of DrugBank and of the street names (:mod:`subsmatch.compile.holdout`) are
read by default (the shipped reference holds them) and left out with ``hold_out`` (the
evaluation build that ``benchmarks/names_eval.py`` measures on).

A street-name row may carry, in its ambiguity note, the meanings the same name has across the
source ("AMBIGUOUS across sources: COCAINE [FR]; FLUNITRAZEPAM [FR]"). Those meanings are read
as *reported* (:func:`subsmatch.substances.regions.reported`: region "FR?"): they make a row's
meaning in that region doubtful and are never answered themselves, so a meaning that only the
note gives (it may come from a held-out row) can take an answer away, never give one.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from pathlib import Path

from subsmatch.compile.holdout import DRUGBANK, STREET_NAMES, is_held_out, street_key
from subsmatch.compile.read.text import cas_numbers, csv_rows, listed_names, name_and_aliases
from subsmatch.compile.records import Name, Row
from subsmatch.substances.regions import reported

DRUGBANK_SOURCE = "drugbank"
STREET_SOURCE = "street_names"
PRECURSOR_NAMES = "precursor_names"
LABEL_STRUCTURES = "street_label_structures"
_INCHIKEY = re.compile(r"^[A-Z]{14}-[A-Z]{10}-[A-Z]$")
_ACROSS_SOURCES = "AMBIGUOUS across sources:"
# words for the form a substance is sold in, not another substance ("Crack Cocaine")
FORM_WORDS = frozenset({"crack", "freebase", "powder", "rock", "rocks", "tablets", "pills"})
_WITH_DERIVATIVES = re.compile(
    r"(?i)^(?P<head>.+?)\s+(?:and|&)\s+(?:(?P=head)\s+)?"
    r"(?:derivatives|analogues|analogs|related substances)$"
)
_MEANING = re.compile(r"\s*([^;\[\]]+?)\s*\[([^\]]*)\]")


def read_drugbank(folder: Path, hold_out: bool = False) -> Iterator[Row]:
    """DrugBank entries: common name, synonyms, CAS and InChIKey; with ``hold_out``, the
    held-out entries left out."""
    with (folder / "drugbank_vocabulary.csv").open(encoding="utf-8-sig", newline="") as handle:
        next(handle)  # a generic "Column1;...;Column7" line precedes the real header
        reader = csv.DictReader(handle, delimiter=";")
        for row in reader:
            line = reader.line_num + 1
            drugbank_id = row["DrugBank ID"].strip()
            if not drugbank_id or (hold_out and is_held_out(DRUGBANK, drugbank_id)):
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


def read_street_names(folder: Path, hold_out: bool = False) -> Iterator[Row]:
    """Street names with their region and language, keyed by substance label; then the
    meanings their notes report (:func:`reported_meanings`), one row per name and meaning, on
    the line of the first row whose note reports it. With ``hold_out``, the held-out rows are
    left out; the notes were written over the whole file, held-out rows included, so then a
    name with a held-out row reports nothing (its held-out meanings would leak into the index
    through its other rows' notes)."""
    rows = list(csv_rows(folder / "street_names.csv"))
    held_out = {
        street_key(row["name"], "")
        for _, row in rows
        if hold_out and is_held_out(STREET_NAMES, street_key(row["name"], row["substance"]))
    }
    reported_rows: dict[tuple[str, str], Row] = {}
    for line, row in rows:
        if hold_out and is_held_out(STREET_NAMES, street_key(row["name"], row["substance"])):
            continue
        language = row["language"].split("/")[0]
        name = Name(row["name"], "street", language, row["region"])
        yield Row(STREET_SOURCE, line, [name], label=row["substance"], note=row["ambiguity_note"])
        if street_key(row["name"], "") in held_out:
            continue
        for label, regions in reported_meanings(row["ambiguity_note"]):
            found = reported_rows.setdefault(
                (street_key(row["name"], ""), label),
                Row(STREET_SOURCE, line, [], label=label, note="reported by the row's note"),
            )
            found.names += [
                Name(row["name"], "street", language, reported(r))
                for r in regions
                if reported(r) not in {n.region for n in found.names}
            ]
    yield from reported_rows.values()


def label_heads(label: str) -> list[str]:
    """What else a street table's label may be named by in the reference, for a label that is
    no name of it: the label without the word for the form it is sold in ("Crack Cocaine":
    "Cocaine"), a substance named with its derivatives ("Fentanyl and Fentanyl Derivatives":
    "Fentanyl"; the street name means the head, the analogues are what the law's class
    covers). Only whole words go; a digit or a locant is never touched.

    >>> label_heads("Crack Cocaine"), label_heads("Fentanyl and Fentanyl Derivatives")
    (['Cocaine'], ['Fentanyl'])
    >>> label_heads("Marijuana Concentrates"), label_heads("cocaine powder")
    ([], ['cocaine'])
    """
    words = label.split()
    heads = []
    if len(words) > 1 and words[0].casefold() in FORM_WORDS:
        heads.append(" ".join(words[1:]))
    if len(words) > 1 and words[-1].casefold() in FORM_WORDS:
        heads.append(" ".join(words[:-1]))
    if found := _WITH_DERIVATIVES.match(label.strip()):
        heads.append(found["head"])
    return heads


def reported_meanings(note: str) -> list[tuple[str, list[str]]]:
    """The meanings a street-name note reports across the source, as (label, regions): the
    source's upper-case keys read as labels ("PSILOCYBIN_MUSHROOMS": "psilocybin mushrooms").

    >>> reported_meanings("amph. paste || AMBIGUOUS across sources: AMPHETAMINE [NL,UK]; "
    ...                   "PSILOCYBIN_MUSHROOMS [US]")
    [('amphetamine', ['NL', 'UK']), ('psilocybin mushrooms', ['US'])]
    >>> reported_meanings("methamphetamine (crystal)")
    []
    """
    if _ACROSS_SOURCES not in note:
        return []
    text = note.split(_ACROSS_SOURCES, 1)[1]
    found = []
    for key, regions in _MEANING.findall(text):
        label = key.replace("_", " ").lower() if key.isupper() else key
        found.append((label, [r.strip() for r in regions.split(",") if r.strip()]))
    return found


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
