"""XLSX sheets read by calamine give what the expat reader gives, or are read by it instead."""

from __future__ import annotations

import zipfile
from datetime import datetime

import openpyxl
import pytest

from subsmatch.ingest.errors import UnreadableReport
from subsmatch.ingest.limits import Limits
from subsmatch.ingest.readers import open_report
from subsmatch.ingest.readers.tabular import calamine, workbook
from subsmatch.ingest.records import Finding, Rejection
from tests.helpers import EXAMPLES, RESQ_HEADER, RESQ_ROW, of, read_all


def _rows(path, fast: bool, limits: Limits | None = None, monkeypatch=None):
    """Every sheet's rows, by calamine (``fast``) or by expat; whether calamine read any."""
    read_by_calamine = []
    original = calamine.rows

    def spy(*args, **kwargs):
        found = original(*args, **kwargs) if fast else None
        read_by_calamine.append(found is not None)
        return found

    monkeypatch.setattr(calamine, "rows", spy)
    with open(path, "rb") as stream:
        book = workbook.Workbook(stream, limits or Limits())
        try:
            rows = {name: list(book.rows(name)) for name in book.sheets}
        finally:
            book.close()
    monkeypatch.setattr(calamine, "rows", original)
    return rows, any(read_by_calamine)


def _book(path, cells, build=None):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Scan"
    for reference, value in cells.items():
        sheet[reference] = value
    if build:
        build(book, sheet)
    book.save(path)
    return path


def _same(path, monkeypatch, limits=None):
    fast, by_calamine = _rows(path, True, limits, monkeypatch)
    slow, _ = _rows(path, False, limits, monkeypatch)
    assert fast == slow
    return fast, by_calamine


def test_plain_values_read_by_calamine_as_by_expat(tmp_path, monkeypatch):
    path = _book(
        tmp_path / "plain.xlsx",
        {
            "C3": "x",
            "D5": 5,
            "E5": True,
            "F5": False,
            "C6": "  spaced  ",
            "D6": 0.98,
            "E6": -0.0,
            "F6": 1e20,
            "G6": 2.5e-7,
            "C7": "Drugs & <Precursors>",
            "C9": "é ü 中文 🙂",
            "AB9": "wide",
        },
    )
    rows, by_calamine = _same(path, monkeypatch)
    assert by_calamine
    assert rows["Scan"][0] == (3, ["", "", "x"])
    assert rows["Scan"][1] == (5, ["", "", "", "5", "True", "False"])
    assert rows["Scan"][2][1][3:7] == ["0.98", "0", "100000000000000000000", "2.5e-07"]
    assert rows["Scan"][-1][0] == 9 and rows["Scan"][-1][1][27] == "wide"


def test_text_over_the_field_limit_is_cut_saying_its_size(tmp_path, monkeypatch):
    path = _book(tmp_path / "long.xlsx", {"A1": "name", "A2": "x" * 300, "B2": "short"})
    rows, by_calamine = _same(path, monkeypatch, Limits(max_field_length=100))
    assert by_calamine
    assert rows["Scan"][1][1][0] == "x" * 100 + "… (cut: 300 characters)"


def test_shared_strings_and_rich_text_as_by_expat(tmp_path, monkeypatch):
    source = _book(tmp_path / "inline.xlsx", {"A1": "a"})
    path = tmp_path / "shared.xlsx"
    sheet = (
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>'
        '<row r="2"><c r="A2" t="s"><v>1</v></c><c r="B2" t="b"><v>1</v></c>'
        '<c r="C2" t="str"><v>formula text</v></c><c r="D2"><v>7</v></c></row>'
        "</sheetData></worksheet>"
    )
    strings = (
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        "<si><t>Cocaine HCl</t></si>"
        '<si><r><t>Meth</t></r><r><t xml:space="preserve">amphetamine </t></r></si></sst>'
    )
    _rewrite(source, path, {"xl/worksheets/sheet1.xml": sheet}, {"xl/sharedStrings.xml": strings})
    rows, by_calamine = _same(path, monkeypatch)
    assert by_calamine
    assert rows["Scan"] == [
        (1, ["Cocaine HCl", "Methamphetamine "]),
        (2, ["Methamphetamine ", "True", "formula text", "7"]),
    ]


@pytest.mark.parametrize(
    "sheet",
    [
        # rows out of order: read in file order
        '<row r="3"><c r="A3" t="inlineStr"><is><t>b</t></is></c></row>'
        '<row r="2"><c r="A2" t="inlineStr"><is><t>a</t></is></c></row>',
        # a cell without its reference
        '<row r="1"><c t="inlineStr"><is><t>a</t></is></c><c><v>2</v></c></row>',
        # an error value and a date cell
        '<row r="1"><c r="A1" t="e"><v>#DIV/0!</v></c><c r="B1" t="d"><v>2024-06-01</v></c></row>',
        # an integer past a float's precision, an escaped character, a phonetic guide
        '<row r="1"><c r="A1"><v>12345678901234567890</v></c></row>'
        '<row r="2"><c r="A2" t="inlineStr"><is><t>a_x000D_b</t><rPh><t>x</t></rPh></is></c></row>',
        # cells far apart: calamine would hold every cell between them
        '<row r="1"><c r="A1"><v>1</v></c></row>'
        '<row r="1048576"><c r="XFD1048576"><v>2</v></c></row>',
    ],
)
def test_sheets_calamine_may_read_otherwise_are_read_by_expat(tmp_path, monkeypatch, sheet):
    source = _book(tmp_path / "source.xlsx", {"A1": "a"})
    path = tmp_path / "odd.xlsx"
    xml = (
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"<sheetData>{sheet}</sheetData></worksheet>"
    )
    _rewrite(source, path, {"xl/worksheets/sheet1.xml": xml})
    fast, by_calamine = _rows(path, True, None, monkeypatch)
    slow, _ = _rows(path, False, None, monkeypatch)
    assert not by_calamine and fast == slow


def test_date_styled_cells_are_read_by_expat_with_their_dates(tmp_path, monkeypatch):
    path = _book(tmp_path / "dates.xlsx", {"A1": "when", "A2": datetime(2024, 6, 1, 9, 30)})
    rows, by_calamine = _same(path, monkeypatch)
    assert not by_calamine and rows["Scan"][1] == (2, ["2024-06-01T09:30:00"])


def test_a_date_style_on_an_empty_cell_is_enough_to_read_by_expat(tmp_path, monkeypatch):
    def styled(book, sheet):
        sheet["B2"].number_format = "yyyy-mm-dd"  # a date style in the workbook, on no value

    path = _book(tmp_path / "unused.xlsx", {"A1": "name", "A2": "MDMA"}, styled)
    rows, by_calamine = _same(path, monkeypatch)
    assert rows["Scan"][1][1][0] == "MDMA"
    assert not by_calamine  # B2 is stored, empty, with its style: calamine's call


def test_calamine_refusing_a_workbook_leaves_it_to_expat_and_its_errors(tmp_path):
    source = _book(tmp_path / "source.xlsx", {"A1": "a"})
    path = tmp_path / "bad.xlsx"
    xml = (
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<sheetData><row r="1"><c r="A1"><v>1</v></c></row>'  # never closed
    )
    _rewrite(source, path, {"xl/worksheets/sheet1.xml": xml})
    with pytest.raises(UnreadableReport, match="damaged XLSX sheet 'Scan'"):
        list(open_report(path))


def test_a_profile_export_read_by_calamine_keeps_every_row(tmp_path, monkeypatch):
    header = RESQ_HEADER.split(";")
    rows = [RESQ_ROW.format(name=f"Substance {i}", hqi="90").split(";") for i in range(300)]
    rows[7][14] = "104"  # off its scale: rejected with its row and column
    book = openpyxl.Workbook()
    book.active.title = "Scan"
    for row in [header, *rows]:
        book.active.append(row)
    path = tmp_path / "resq.xlsx"
    book.save(path)
    _, by_calamine = _same(path, monkeypatch)
    assert by_calamine
    _, records = read_all(path)
    assert len(of(records, Finding)) == 299
    (rejected,) = of(records, Rejection)
    assert (rejected.locator.sheet, rejected.locator.row) == ("Scan", 9)


def test_shipped_example_reads_the_same_either_way(monkeypatch):
    _same(EXAMPLES / "ftir_hitlist.xlsx", monkeypatch)


def test_wrong_type_file_named_xlsx_is_unreadable(tmp_path):
    path = tmp_path / "report.xlsx"
    path.write_bytes(b"Case;Item;Substance\n1;2;MDMA\n")
    with pytest.raises(UnreadableReport):
        list(open_report(path))


def _rewrite(source, path, parts, added=None):
    """A copy of workbook ``source`` with ``parts`` replaced and ``added`` parts (the shared
    strings, declared in the workbook's relationships)."""
    added = added or {}
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(path, "w") as copy:
        for item in original.infolist():
            data = original.read(item)
            if item.filename in parts:
                data = parts[item.filename].encode()
            if added and item.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(
                    b"</Relationships>",
                    b'<Relationship Id="rIdS" Target="sharedStrings.xml" Type="http://schemas.'
                    b'openxmlformats.org/officeDocument/2006/relationships/sharedStrings"/>'
                    b"</Relationships>",
                )
            copy.writestr(item, data)
        for name, text in added.items():
            copy.writestr(name, text)


def test_a_sheet_spanning_more_than_calamine_is_given_is_read_by_expat(tmp_path, monkeypatch):
    path = _book(tmp_path / "big.xlsx", {"A1": "name", "C4": "MDMA"})
    monkeypatch.setattr(calamine, "MOST_CELLS", 11)  # 4 rows of 3 columns: 12 cells
    rows, by_calamine = _same(path, monkeypatch)
    assert not by_calamine and rows["Scan"][-1] == (4, ["", "", "MDMA"])
    monkeypatch.setattr(calamine, "MOST_CELLS", 12)
    assert _same(path, monkeypatch)[1]


def test_a_panic_in_calamine_leaves_the_sheet_to_expat(tmp_path, monkeypatch):
    import python_calamine

    class Panicking:
        @staticmethod
        def from_filelike(_stream):
            raise BaseException("a Rust panic, as pyo3 raises it")

    path = _book(tmp_path / "plain.xlsx", {"A1": "name", "A2": "MDMA"})
    monkeypatch.setattr(python_calamine, "CalamineWorkbook", Panicking)
    rows, by_calamine = _rows(path, True, None, monkeypatch)
    assert not by_calamine and rows["Scan"] == [(1, ["name"]), (2, ["MDMA"])]
