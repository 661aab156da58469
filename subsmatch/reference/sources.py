"""Readers for the public source files in ``../shared/sources`` (one function per source).

Each reader yields :class:`SourceEntry` records: the names, CAS numbers, structure text and
list memberships that one source row states, with the row it came from. Merging, structure
standardisation and name-to-structure conversion happen in :mod:`subsmatch.reference.build`.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from subsmatch.substances.identifiers import normalise_cas


@dataclass(frozen=True)
class Listing:
    """One membership of a substance in a control list, as a source states it."""

    jurisdiction: str
    list: str
    kind: str  # narcotic | psychotropic | NPS | precursor | monitored
    since: str | None = None  # ISO date
    since_precision: str = "day"  # day | year
    until: str | None = None
    act: str = ""  # the legal act or notice that made the listing


@dataclass
class SourceEntry:
    """What one source row says about one substance."""

    source: str
    row: int  # line number in the source file (header = line 1)
    names: list[
        tuple[str, str]
    ]  # (name, kind): preferred, inn, other, code, systematic, street ...
    cas: list[str] = field(default_factory=list)
    smiles: str | None = None
    systematic: list[str] = field(default_factory=list)  # spellings to try with OPSIN
    listings: list[Listing] = field(default_factory=list)
    note: str = ""


@dataclass(frozen=True)
class StreetName:
    """A street, brand or slang name of a drug category, joined to substances by that name."""

    category: str
    name: str
    kind: str
    source: str
    row: int


def _rows(path: Path, **reader_args) -> Iterator[tuple[int, dict[str, str]]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle, **reader_args)
        for row in reader:
            yield reader.line_num, {k: (v or "").strip() for k, v in row.items() if k}


def _cas_list(text: str) -> list[str]:
    found = (normalise_cas(part) for part in re.split(r"[;,/\s]+", text) if part)
    return [cas for cas in found if cas]


_SPLIT_NAMES = re.compile(r"\s*[;|]\s*|,\s+(?=[A-Za-z])")


def split_names(text: str) -> list[str]:
    """Split a free-text "other names" cell; commas inside chemical names are kept.

    >>> split_names("MDMA; Ecstasy, XTC|Adam")
    ['MDMA', 'Ecstasy', 'XTC', 'Adam']
    >>> split_names("2,5-Dimethoxy-4-methylamphetamine")
    ['2,5-Dimethoxy-4-methylamphetamine']
    """
    return [part.strip() for part in _SPLIT_NAMES.split(text) if part and part.strip()]


def _trailing_group(text: str) -> tuple[str, str] | None:
    """Split "name (inner)" at its last top-level bracket group; None when there is none."""
    if not text.endswith(")"):
        return None
    depth = 0
    for i in range(len(text) - 1, -1, -1):
        depth += {")": 1, "(": -1}.get(text[i], 0)
        if depth == 0:
            head = text[:i].rstrip()
            return (head, text[i + 1 : -1].strip()) if head and head[-1] not in "-,(" else None
    return None


def name_and_aliases(text: str) -> list[str]:
    """A name followed by aliases or a systematic name in brackets, as lists print them.

    >>> name_and_aliases("4-FLUOROISOBUTYRFENTANYL (4-FIBF, pFIBF)")
    ['4-FLUOROISOBUTYRFENTANYL', '4-FIBF', 'pFIBF']
    >>> name_and_aliases("ADB-FUBINACA (N-(1-amino-3,3-dimethyl-1-oxobutan-2-yl)-1H-indazole)")
    ['ADB-FUBINACA', 'N-(1-amino-3,3-dimethyl-1-oxobutan-2-yl)-1H-indazole']
    >>> name_and_aliases("MDMA (XTC) (3,4-MethyleneDioxyMethAmphetamine)")
    ['MDMA', 'XTC', '3,4-MethyleneDioxyMethAmphetamine']
    >>> name_and_aliases("2-(4-Bromophenyl)ethanamine")
    ['2-(4-Bromophenyl)ethanamine']
    """
    text = " ".join(text.replace("–", "-").split())
    aliases: list[str] = []
    while split := _trailing_group(text):
        text, inner = split
        parts = [inner] if "(" in inner or "[" in inner else re.split(r",\s+|;\s*", inner)
        aliases = [a.strip() for a in parts if a.strip()] + aliases
    return [text, *aliases] if text else aliases


# --- Belgium (legal_GUI): BE annexes, UN schedules, EU decisions and precursor categories ------

_UN_SCHEDULE = re.compile(r"(?:schedule|scheduel)\s+(I{1,3}V?|IV|V)\b(?:\s*\(?\+\s*(IV)\)?)?", re.I)
_UN_TABLE = re.compile(r"table\s+(I{1,2})", re.I)
_CONVENTION_KIND = {"1961": "narcotic", "1971": "psychotropic", "1988": "precursor"}
_BE_KIND = {"I": "narcotic", "II": "psychotropic", "III": "psychotropic", "IV": "NPS"}
_EU_PRECURSOR_273 = re.compile(r"(?:Sub)?[Cc]ategory[ _]?(\d[AB]?)")
_EU_PRECURSOR_111 = re.compile(r"Category_?(\d)")


def _date_dmy(text: str) -> str | None:
    match = re.match(r"^(\d{1,2})-(\d{1,2})-(\d{4})$", text)
    if not match:
        return None
    day, month, year = (int(g) for g in match.groups())
    return f"{year:04d}-{month:02d}-{day:02d}"


def un_listings(schedule_text: str, convention: str) -> list[Listing]:
    """UN convention listings from the Belgian file's UNO and Convention columns.

    >>> [x.list for x in un_listings("Schedule I + IV", "1961")]
    ['1961 Schedule I', '1961 Schedule IV']
    >>> [x.list for x in un_listings("Scheduel I", "1971")]
    ['1971 Schedule I']
    """
    kind = _CONVENTION_KIND.get(convention)
    if not kind:
        return []
    if match := _UN_TABLE.search(schedule_text):
        return [Listing("UN", f"{convention} Table {match[1].upper()}", kind)]
    match = _UN_SCHEDULE.search(schedule_text)
    if not match:
        return []
    schedules = [match[1].upper()] + ([match[2].upper()] if match[2] else [])
    return [Listing("UN", f"{convention} Schedule {s}", kind) for s in schedules]


def be_listing(annex_text: str, since: str | None) -> Listing | None:
    """The Belgian annex listing; generic groups of Annex IVa keep their group label."""
    match = re.match(r"annex\s+(I{1,3}|IV)([abc])?\b\s*(?:-\s*(.+))?$", annex_text, re.I)
    if not match:
        return None
    roman, letter, group = match[1].upper(), (match[2] or "").lower(), match[3]
    name = f"BE Annex {roman}{letter}" + (f" ({group.strip()})" if group else "")
    return Listing("BE", name, _BE_KIND[roman], since, act="KB 6 September 2017")


def eu_listings(decision: str, cat273: str, cat111: str) -> list[Listing]:
    """EU control decisions on NPS and EU drug-precursor categories."""
    out = []
    acts = [a.strip() for a in decision.split("+") if a.strip()]
    nps_acts = [a for a in acts if a not in ("273/2004", "111/2005")]
    if nps_acts:
        year = re.search(r"(20\d\d)", nps_acts[0])
        out.append(
            Listing(
                "EU",
                "EU NPS control",
                "NPS",
                f"{year[1]}-01-01" if year else None,
                "year",
                act=" + ".join(nps_acts),
            )
        )
    if match := _EU_PRECURSOR_273.search(cat273):
        out.append(
            Listing("EU", f"EU precursor Category {match[1]}", "precursor", act="Reg. 273/2004")
        )
    elif match := _EU_PRECURSOR_111.search(cat111):
        out.append(
            Listing("EU", f"EU precursor Category {match[1]}", "precursor", act="Reg. 111/2005")
        )
    return out


def read_belgium(folder: Path) -> Iterator[SourceEntry]:
    """Belgian Royal Decree annexes with UN and EU columns (legal_GUI dataset)."""
    path = folder / "belgium_un_eu_controlled_substances_clean.csv"
    for line, row in _rows(path):
        placeholder = row["smiles_is_placeholder"].lower() == "true"
        since = _date_dmy(row["RD modification"])
        listings = un_listings(row["UNO"], row["Convention"].split(".")[0])
        listings += eu_listings(
            row["EU"], row["EU_Annex_Category_273_2004"], row["EU_Annex_Category_111_2005"]
        )
        if be := be_listing(row["Belgian annex"], since):
            listings.append(be)
        names = [
            (n, "preferred" if i == 0 else "code")
            for i, n in enumerate(name_and_aliases(row["NAME"]))
        ]
        iupac = row["IUPAC"]
        if iupac and iupac.lower() != row["NAME"].lower():
            names.append((iupac, "systematic"))
        yield SourceEntry(
            source="belgium_legal_gui",
            row=line,
            names=names,
            cas=_cas_list(row["CAS"]),
            smiles=None if placeholder else (row["SMILES"] or None),
            systematic=[iupac] if iupac else [row["NAME"]],
            listings=listings,
            note="placeholder SMILES (N-acetylneuraminic acid) ignored" if placeholder else "",
        )


# --- Global-Chem: US schedules and PiHKAL; EU Early Warning System monitored NPS --------------

_US_KIND = {
    "I": "narcotic",
    "II": "narcotic",
    "III": "psychotropic",
    "IV": "psychotropic",
    "V": "psychotropic",
}


def read_globalchem(folder: Path) -> Iterator[SourceEntry]:
    """US CSA schedules and PiHKAL structures, and the EU EWS monitored NPS (unreviewed)."""
    for line, row in _rows(folder / "globalchem_us_schedules_and_pihkal.csv"):
        schedule = row["us_schedule"]
        listings = []
        if schedule in _US_KIND:
            listings.append(Listing("US", f"CSA Schedule {schedule}", _US_KIND[schedule]))
        yield SourceEntry(
            source="globalchem_us",
            row=line,
            names=[(row["name"], "preferred")],
            smiles=row["smiles"] or None,
            listings=listings,
        )
    for line, row in _rows(folder / "globalchem_eu_nps_drug_report_2023.csv"):
        yield SourceEntry(
            source="globalchem_eu_nps",
            row=line,
            names=[(row["name"], "preferred")],
            smiles=row["smiles"] or None,
            listings=[Listing("EU", "EU EWS monitored NPS (EDR 2023)", "monitored")],
        )


# --- DEA list, DOPE synonyms and street names, DoD prohibited list ------------------------------


def read_dea(folder: Path) -> Iterator[SourceEntry]:
    """The DEA's alphabetical list of controlled substances (about 2020)."""
    for line, row in _rows(folder / "dea_controlled_substances_alpha_c_cs_alpha.csv"):
        schedule = row["csa_schedule"].upper()
        kind = "narcotic" if row["narcotic"].upper() == "Y" else "psychotropic"
        code = row["dea_drug_code"].split(".")[0]
        names = [
            (n, "preferred" if i == 0 else "other")
            for i, n in enumerate(name_and_aliases(row["substance"]))
        ]
        names += [(n, "other") for n in split_names(row["other_names"])]
        yield SourceEntry(
            source="dea_orange_book",
            row=line,
            names=names,
            systematic=[row["substance"]],
            listings=[
                Listing(
                    "US",
                    f"CSA Schedule {schedule}",
                    kind,
                    act=f"DEA drug code {code}" if code else "",
                )
            ],
        )


def read_dea_synonyms(folder: Path) -> Iterator[StreetName]:
    """DOPE's tidy DEA synonyms, the DEA slang report and DOPE's curated lookup table."""
    for line, row in _rows(folder / "dope_dea_controlled.csv"):
        for name in name_and_aliases(row["synonym"]):
            yield StreetName(row["substance"], name, "other", "dope_dea_controlled", line)
    for line, row in _rows(folder / "dope_dea_street_names.csv"):
        for column, kind in (("slang", "street"), ("brand", "trade")):
            if row[column]:
                yield StreetName(row["category"], row[column], kind, "dea_slang_terms", line)
    for line, row in _rows(folder / "dope_lookup_df.csv"):
        yield StreetName(row["category"], row["synonym"], "street", "dope_lookup", line)


def read_dod(folder: Path) -> Iterator[StreetName]:
    """US DoD prohibited supplement ingredients: extra synonyms of DEA-listed names."""
    for line, row in _rows(folder / "dod_prohibited_names_synonyms_dea.csv"):
        if not row["dea_schedule"]:
            continue
        for name in row["other_names"].split("|"):
            if name.strip():
                yield StreetName(row["name"], name.strip(), "other", "dod_prohibited", line)


# --- Germany: BtMG Anlagen I-III ----------------------------------------------------------------

BTMG_TABLE_FORMAT_DATE = "2025-01-20"  # first date of the HTML-table format: not a listing date


def read_btmg(folder: Path) -> Iterator[SourceEntry]:
    """BtMG Anlagen I-III with German INNs, trivial names and German IUPAC-style names."""
    for line, row in _rows(folder / "btmg_anlagen_I_II_III_2026-07.csv"):
        first_seen = row["first_seen_in_repo_history"]
        since = first_seen if first_seen and first_seen != BTMG_TABLE_FORMAT_DATE else None
        names = [
            (n, "inn" if i == 0 else "code") for i, n in enumerate(name_and_aliases(row["inn"]))
        ]
        for other in split_names(row["other_names"]):
            names += [(n, "other") for n in name_and_aliases(other)]
        if row["iupac_name_de"]:
            names.append((row["iupac_name_de"], "systematic_de"))
        if not names:
            continue
        yield SourceEntry(
            source="germany_btmg",
            row=line,
            names=names,
            systematic=[row["iupac_name_de"]] if row["iupac_name_de"] else [],
            listings=[Listing("DE", f"BtMG Anlage {row['anlage']}", "narcotic", since)],
        )


# --- Netherlands: Opiumwet lists I and II (2015-10-02) ------------------------------------------

OPIUMWET_BASELINE = "2015-10-02"


def _strip_markdown(text: str) -> str:
    return text.replace("*", "").strip()


def read_opiumwet(folder: Path) -> Iterator[SourceEntry]:
    """Opiumwet lists I and II as of 2015-10-02; mushroom taxa become name-only entries."""
    for line, row in _rows(folder / "opiumwet_lijst_I_II_2015-10-02.csv"):
        inn = _strip_markdown(row["inn"])
        others = [_strip_markdown(n) for n in split_names(row["andere_benamingen"])]
        description = _strip_markdown(row["nadere_omschrijving"])
        names = [(n, "inn") for n in name_and_aliases(inn)] if inn else []
        for other in others:
            names += [(n, "other") for n in name_and_aliases(other)]
        if description:
            names.append((description, "systematic_nl"))
        if not names:
            continue
        first_seen = row["first_seen_version"]
        since = first_seen if first_seen == OPIUMWET_BASELINE else None
        lijst = row["lijst"]
        yield SourceEntry(
            source="netherlands_opiumwet",
            row=line,
            names=names,
            systematic=[description] if description else [],
            listings=[
                Listing(
                    "NL",
                    f"Opiumwet List {lijst}",
                    "narcotic" if lijst == "I" else "psychotropic",
                    since,
                )
            ],
            note=row["subsection"],
        )


# --- China: narcotic, psychotropic and NPS supplementary lists ----------------------------------

_CN_LISTS = {
    "CN_narcotic_drugs_2013": ("CN Narcotic Drugs (2013)", "narcotic"),
    "CN_psychotropic_class1_2013": ("CN Psychotropic Substances Class I (2013)", "psychotropic"),
    "CN_psychotropic_class2_2013": ("CN Psychotropic Substances Class II (2013)", "psychotropic"),
    "CN_nonmedical_NPS_supplementary": ("CN Non-medical NPS Supplementary List", "NPS"),
}


def read_china(folder: Path) -> Iterator[SourceEntry]:
    """Chinese narcotic, psychotropic and NPS supplementary lists with dated batches."""
    for line, row in _rows(folder / "china_controlled_drug_lists_2025-07.csv"):
        list_name, kind = _CN_LISTS[row["list"]]
        names = [
            (n, "preferred" if i == 0 else "code")
            for i, n in enumerate(name_and_aliases(row["name_en"]))
        ]
        if row["name_zh"]:
            names.append((row["name_zh"].rstrip("*"), "zh"))
        yield SourceEntry(
            source="china_lists",
            row=line,
            names=names,
            cas=_cas_list(row["cas"]),
            systematic=[row["name_en"]] if row["name_en"] else [],
            listings=[Listing("CN", list_name, kind, row["effective_date"] or None)],
        )


# --- US Federal Register scheduling notices -----------------------------------------------------


@dataclass(frozen=True)
class SchedulingNotice:
    """A dated US scheduling action naming substances (placement or removal)."""

    published: str
    document: str
    action: str  # place | remove
    schedule: str | None
    names: tuple[str, ...]
    row: int


_PLACEMENT = re.compile(
    r"(?<!Extension of )(?:Temporary )?Placement of (?P<names>.+?) in "
    r"Schedule (?P<schedule>I{1,3}|IV|V)\b(?!.*Correction)"
)
_REMOVAL = re.compile(r"Removal of (?P<names>.+?) From Control", re.I)
_PROPOSED = re.compile(r"\bpropos(?:es|ed)\b|\bnotice of intent\b", re.I)


def split_notice_names(text: str) -> tuple[str, ...]:
    """Substance names in a notice title.

    >>> split_notice_names("5F-ADB, N,N-Dimethylamino Etonitazene, and FUB-144")
    ('5F-ADB', 'N,N-Dimethylamino Etonitazene', 'FUB-144')
    """
    parts = re.split(r",\s+(?:and\s+)?|\s+and\s+", text)
    return tuple(p.strip() for p in parts if p.strip())


def read_federal_register(folder: Path) -> Iterator[SchedulingNotice]:
    """Final and temporary placements and removals; proposals and extensions are skipped."""
    for line, row in _rows(folder / "federal_register_scheduling_notices_2020_2026.csv"):
        title, summary = row["title"], row["summary"]
        if _PROPOSED.search(summary[:400]) or "Extension" in title or "Hearing" in title:
            continue
        if match := _PLACEMENT.search(title):
            yield SchedulingNotice(
                row["published"],
                row["document"],
                "place",
                match["schedule"],
                split_notice_names(match["names"]),
                line,
            )
        elif match := _REMOVAL.search(title):
            yield SchedulingNotice(
                row["published"],
                row["document"],
                "remove",
                None,
                split_notice_names(match["names"]),
                line,
            )
