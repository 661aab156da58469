"""Global-Chem: US CSA schedules and PiHKAL structures; the EU Early Warning System list of
monitored NPS (European Drug Report 2023, structures looked up by a contributor, unreviewed)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from subsmatch.compile.read.text import csv_rows, listed_names
from subsmatch.compile.records import Listing, Row

US = "globalchem_us"
EU_NPS = "globalchem_eu_nps"
US_KIND = {
    "I": "narcotic",
    "II": "narcotic",
    "III": "psychotropic",
    "IV": "psychotropic",
    "V": "psychotropic",
}
EWS_LIST = "EU EWS monitored NPS (EDR 2023)"


def read_us(folder: Path) -> Iterator[Row]:
    for line, row in csv_rows(folder / "globalchem_us_schedules_and_pihkal.csv"):
        schedule = row["us_schedule"]
        listings = []
        if schedule in US_KIND:
            listings.append(Listing("US", f"CSA Schedule {schedule}", US_KIND[schedule]))
        yield Row(
            US, line, listed_names(row["name"]), structure=row["smiles"] or None, listings=listings
        )


def read_eu_nps(folder: Path) -> Iterator[Row]:
    for line, row in csv_rows(folder / "globalchem_eu_nps_drug_report_2023.csv"):
        yield Row(
            EU_NPS,
            line,
            listed_names(row["name"]),
            structure=row["smiles"] or None,
            listings=[Listing("EU", EWS_LIST, "monitored")],
        )
