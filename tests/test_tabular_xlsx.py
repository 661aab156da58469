"""XLSX workbooks: sheets, the sheet option, damaged and truncated workbooks."""

from __future__ import annotations

import runpy
import zipfile

import openpyxl
import pytest

from subsmatch.errors import command_line
from subsmatch.ingest.errors import UnreadableReport
from subsmatch.ingest.readers import ReadOptions, open_report
from subsmatch.ingest.records import Analysis, Finding
from tests.helpers import (
    EXAMPLES,
    FIXTURES,
    RESQ_HEADER,
    RESQ_ROW,
    of,
    read_all,
)


def test_ftir_example_is_what_the_generator_builds(tmp_path):
    build = runpy.run_path(str(FIXTURES / "make_ftir_xlsx.py"))["build"]
    fresh = build(tmp_path / "fresh.xlsx")
    shipped = openpyxl.load_workbook(EXAMPLES / "ftir_hitlist.xlsx", read_only=True)
    rebuilt = openpyxl.load_workbook(fresh, read_only=True)
    for sheet in ("Summary", "Hit List"):
        assert list(shipped[sheet].values) == list(rebuilt[sheet].values)


def test_xlsx_with_two_sheets_reads_the_profile_sheet_and_says_so():
    report, records = read_all(EXAMPLES / "ftir_hitlist.xlsx")
    assert any("read sheet 'Hit List'" in note for note in report.notes)
    first = of(records, Finding)[0]
    assert (first.locator.sheet, first.locator.row) == ("Hit List", 2)
    assert (first.name, first.formula, first.scores[0].scale) == (
        "Methamphetamine HCl",
        "C10H16ClN",
        "0-1",
    )
    assert of(records, Analysis)[0].measured_at.isoformat() == "2024-04-09T14:02:11+02:00"


def _workbook(path, sheets):
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def test_xlsx_first_non_empty_sheet_and_sheet_option(tmp_path):
    header = RESQ_HEADER.split(";")
    row = RESQ_ROW.format(name="2C-B", hqi="96.2").split(";")
    other = [*row[:12], "4-CMC", "", "91", "300"]
    path = _workbook(
        tmp_path / "two.xlsx", {"Empty": [], "Scan A": [header, row], "Scan B": [header, other]}
    )
    report, records = read_all(path)
    assert [f.name for f in of(records, Finding)] == ["2C-B"]
    assert any("read sheet 'Scan A'" in n for n in report.notes)
    _, records = read_all(path, options=ReadOptions(sheet="Scan B"))
    assert [f.name for f in of(records, Finding)] == ["4-CMC"]
    with pytest.raises(UnreadableReport, match="no sheet 'Scan C'"):
        open_report(path, options=ReadOptions(sheet="Scan C"))


def test_truncated_xlsx_is_unreadable(tmp_path):
    data = (EXAMPLES / "ftir_hitlist.xlsx").read_bytes()
    path = tmp_path / "cut.xlsx"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(UnreadableReport, match="damaged or truncated XLSX") as caught:
        open_report(path)
    message = caught.value.worded(command_line)
    assert "cut.xlsx" in message and "--format csv" in message


def test_zip_that_is_not_a_workbook_is_unreadable(tmp_path):
    path = tmp_path / "fake.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "not a workbook")
    with pytest.raises(UnreadableReport, match="XLSX"):
        open_report(path)


def _damage_sheet(source, path, keep):
    """A copy of the workbook ``source`` whose first sheet's XML is cut to ``keep`` of it."""
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(path, "w") as copy:
        for item in original.infolist():
            data = original.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data[: int(len(data) * keep)]
            copy.writestr(item, data)
    return path


@pytest.mark.parametrize("keep", [0.9, 0.02])
def test_xlsx_with_a_damaged_sheet_is_unreadable(tmp_path, keep):
    header = RESQ_HEADER.split(";")
    rows = [RESQ_ROW.format(name=f"Substance {i}", hqi="90").split(";") for i in range(200)]
    good = _workbook(tmp_path / "good.xlsx", {"Scan": [header, *rows]})
    path = _damage_sheet(good, tmp_path / "damaged.xlsx", keep)
    with pytest.raises(UnreadableReport, match="damaged XLSX sheet 'Scan'") as caught:
        list(open_report(path))
    assert "damaged.xlsx" in str(caught.value) and "export" in str(caught.value)
