"""Line endings, bounds and damaged workbooks: every physical record counted, no traceback."""

from __future__ import annotations

import datetime as dt
import json
import re
import zipfile

import openpyxl
import pytest

from subsmatch.ingest.errors import UnreadableReport
from subsmatch.ingest.limits import Limits
from subsmatch.ingest.readers import ReadOptions, jsonl, open_report
from subsmatch.ingest.records import Analysis, Finding, Rejection
from tests.helpers import EXAMPLES, of, read_all

TEXT_EXAMPLES = [
    "SRCRESLT.TXT",
    "LIBRPT.TXT",
    "amdis_batch.txt",
    "lims_case_extract.csv",
    "trunarc_raman.csv",
    "colour_tests.jsonl",
]


def _endings(data: bytes, style: str) -> bytes:
    """``data`` with its line endings rewritten: all CR, all CRLF, or cycling LF, CR, CRLF."""
    lines = data.replace(b"\r\n", b"\n").split(b"\n")
    if style == "mixed":
        ends = [b"\n", b"\r", b"\r\n"]
        return b"".join(line + ends[i % 3] for i, line in enumerate(lines[:-1])) + lines[-1]
    return {"cr": b"\r", "crlf": b"\r\n"}[style].join(lines)


def _counts(path):
    report, records = read_all(path)
    names = [(f.name, f.role) for f in of(records, Finding)]
    return (report.stats.rows_read, report.stats.findings, report.stats.rejections, names)


@pytest.mark.parametrize("style", ["cr", "crlf", "mixed"])
@pytest.mark.parametrize("example", TEXT_EXAMPLES)
def test_every_reader_reads_every_line_ending(tmp_path, example, style):
    lf = tmp_path / f"lf_{example}"
    lf.write_bytes((EXAMPLES / example).read_bytes().replace(b"\r\n", b"\n"))
    other = tmp_path / f"{style}_{example}"
    other.write_bytes(_endings(lf.read_bytes(), style))
    assert other.read_bytes() != lf.read_bytes()
    expected = _counts(lf)
    assert expected[1] > 0
    assert _counts(other) == expected


def _book(path, rows, *, title="Scans"):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


TRUNARC = (EXAMPLES / "trunarc_raman.csv").read_text("utf-8").splitlines()[0].split(",")


def _trunarc_row(scan: str, day: object, hour: object, name: str = "3-MMC") -> list:
    return [scan, day, hour, "u", "TN1", "1.6", "2.4", "C-1", "1", "Hub", "NL", "Match", name, ""]


ONE_SCAN = _trunarc_row("TN-1", "03/14/2024", "09:41:07 AM")


def test_xlsx_native_date_and_time_cells_make_one_timestamp(tmp_path):
    path = _book(
        tmp_path / "trunarc.xlsx",
        [
            TRUNARC,
            _trunarc_row("TN-1", dt.date(2024, 6, 1), dt.time(9, 30)),
            _trunarc_row("TN-2", dt.datetime(2024, 6, 2), dt.time(17, 5, 9)),
        ],
    )
    report, records = read_all(path)
    assert report.stats.rejections == 0
    times = [a.measured_at for a in of(records, Analysis)]
    amsterdam = dt.timezone(dt.timedelta(hours=2))
    assert times == [
        dt.datetime(2024, 6, 1, 9, 30, tzinfo=amsterdam),
        dt.datetime(2024, 6, 2, 17, 5, 9, tzinfo=amsterdam),
    ]


def test_xlsx_dimension_of_a_whole_sheet_costs_only_its_cells(tmp_path):
    """A one-row sheet that declares A1:XFD1048576 reads as the rows it stores."""
    good = _book(
        tmp_path / "good.xlsx", [TRUNARC, _trunarc_row("TN-1", "03/14/2024", "09:41:07 AM")]
    )
    path = tmp_path / "wide.xlsx"
    with zipfile.ZipFile(good) as original, zipfile.ZipFile(path, "w") as copy:
        for item in original.infolist():
            data = original.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:XFD1048576"', data)
                assert b"XFD1048576" in data
            copy.writestr(item, data)
    report, _ = read_all(path)
    assert (report.stats.findings, report.stats.rejections) == (1, 0)


def _rezip(good, path, part, data):
    with (
        zipfile.ZipFile(good) as original,
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as copy,
    ):
        for item in original.infolist():
            copy.writestr(item.filename, data if item.filename == part else original.read(item))
    return path


def test_damaged_workbooks_are_refused_with_the_part_and_the_reason(tmp_path):
    good = _book(
        tmp_path / "good.xlsx", [TRUNARC, _trunarc_row("TN-1", "03/14/2024", "09:41:07 AM")]
    )
    sheet = "xl/worksheets/sheet1.xml"
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><worksheet>&b;</worksheet>'
    )
    cases = {
        "broken": (b"<worksheet><sheetData><row>", "not well-formed XML"),
        "entities": (laughs, "declares a DTD"),
    }
    for label, (data, reason) in cases.items():
        path = _rezip(good, tmp_path / f"{label}.xlsx", sheet, data)
        with pytest.raises(UnreadableReport, match=reason) as caught:
            list(open_report(path))
        assert sheet in str(caught.value) and "export" in str(caught.value)
    corrupt = tmp_path / "crc.xlsx"
    raw = bytearray(good.read_bytes())
    at = raw.find(b"sheet1.xml") + 200  # inside the sheet's compressed bytes
    raw[at : at + 8] = b"\x00" * 8
    corrupt.write_bytes(bytes(raw))
    with pytest.raises(UnreadableReport, match="XLSX"):
        list(open_report(corrupt))


def test_workbook_inflating_over_the_limit_is_refused_before_it_is_read(tmp_path):
    good = _book(tmp_path / "good.xlsx", [TRUNARC])
    whitespace = b"<worksheet><sheetData>" + b" " * (8 * 2**20) + b"</sheetData></worksheet>"
    bomb = _rezip(good, tmp_path / "bomb.xlsx", "xl/worksheets/sheet1.xml", whitespace)
    assert bomb.stat().st_size < 100_000
    small = ReadOptions(limits=Limits(max_xlsx_inflated_bytes=2**20))
    with pytest.raises(UnreadableReport, match="max_xlsx_inflated_bytes"):
        list(open_report(bomb, options=small))
    few = ReadOptions(limits=Limits(max_sheet_cells=20))
    many = _book(
        tmp_path / "many.xlsx", [TRUNARC, *[_trunarc_row(f"T{i}", "", "") for i in range(5)]]
    )
    with pytest.raises(UnreadableReport, match="max_sheet_cells"):
        list(open_report(many, options=few))


def test_long_names_and_nul_become_rejections_and_the_file_goes_on(tmp_path):
    base = json.loads((EXAMPLES / "colour_tests.jsonl").read_text("utf-8").splitlines()[0])
    long = {**base, "findings": [{"name": "M" * 5000}, {"name": "MDMA"}]}
    nul = {
        **base,
        "case_id": "C\x00-9",
        "findings": [{"name": "MD\x00MA"}, {"name": "MDA"}, {"name": "caf\udce9"}],
    }
    path = tmp_path / "bounds.jsonl"
    path.write_text("\n".join(json.dumps(x) for x in (long, nul)) + "\n", encoding="utf-8")
    report, records = read_all(path, options=ReadOptions(limits=Limits(max_name_length=300)))
    assert [f.name for f in of(records, Finding)] == ["MDMA", "MDA"]
    reasons = [r.reason for r in of(records, Rejection)]
    assert "max_name_length" in reasons[0] and "NUL" in reasons[1]
    assert "lone surrogate" in reasons[2] and "\udce9" not in of(records, Rejection)[2].raw
    assert all("\x00" not in r.raw for r in of(records, Rejection))
    assert of(records, Analysis)[1].case_id == "C\u2400-9"
    assert any("NUL" in note for note in report.notes)


def test_json_nested_too_deep_is_a_rejected_line_not_a_crash(tmp_path):
    base = json.loads((EXAMPLES / "colour_tests.jsonl").read_text("utf-8").splitlines()[0])
    deep = "[" * 100_000 + "]" * 100_000
    nested = {**base, "findings": [{"name": "MDMA", "x": json.loads("[" * 40 + "]" * 40)}]}
    path = tmp_path / "deep.jsonl"
    path.write_text("\n".join([json.dumps(base), deep, json.dumps(nested)]) + "\n", "utf-8")
    report, records = read_all(path)
    reasons = [r.reason for r in of(records, Rejection)]
    assert len(reasons) == 2 and all("max_json_depth" in r for r in reasons)
    assert report.stats.findings == len(base["findings"])
    document = tmp_path / "deep.json"
    document.write_text(deep, "utf-8")
    with pytest.raises(UnreadableReport, match="max_json_depth"):
        list(open_report(document))
    assert not jsonl.sniff_lines(deep)
