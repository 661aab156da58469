"""CSV, TSV and XLSX exports read through mapping profiles, including hostile inputs."""

from __future__ import annotations

import csv
import io
import random
import runpy
import time
import tracemalloc
import zipfile
from pathlib import Path

import openpyxl
import pytest

from subsmatch.errors import command_line, word
from subsmatch.ingest.errors import ProfileError, UnreadableReport
from subsmatch.ingest.profile import load_profile, shipped_profiles
from subsmatch.ingest.readers import ReadOptions, open_report
from subsmatch.ingest.records import Analysis, Finding, Rejection, Role, SourceVerdict
from subsmatch.ingest.rows import queries_of
from subsmatch.vocabulary import Context

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "subsmatch" / "examples"
FIXTURES = ROOT / "tests" / "fixtures" / "reports"

RESQ_HEADER = (
    "Report ID;Sample Name;Case ID;Item ID;Acquired (UTC);Operator;Instrument S/N;Library;Site;"
    "Result;Rank;Type;Library Match;CAS;HQI;Laser Power (mW)"
)
RESQ_ROW = (
    "RQ-1;Parcel 1;C-1;1;2024-04-03 07:12:44;A. Dubois;SN-1;Lib 3.2;Hub;Match;1;Single;"
    "{name};;{hqi};300"
)


def read_all(path, **kwargs):
    report = open_report(path, **kwargs)
    records = list(report)
    stats = report.stats
    assert stats.rows_read == stats.findings + stats.rejections
    return report, records


def of(records, kind):
    return [r for r in records if isinstance(r, kind)]


def write(tmp_path, name, text, encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.replace("\n", "\r\n").encode(encoding))
    return path


def resq(tmp_path, *rows, header=RESQ_HEADER, name="resq.csv", encoding="utf-8"):
    return write(tmp_path, name, "\n".join([header, *rows]) + "\n", encoding)


# --- shipped profiles on the shipped examples --------------------------------------------------


@pytest.mark.parametrize(
    ("example", "profile", "rows", "analyses"),
    [
        ("lims_case_extract.csv", "lims-case-extract", 14, 11),
        ("trunarc_raman.csv", "trunarc-raman", 9, 8),
        ("resq_cn_raman.csv", "resq-cn-raman", 8, 4),
        ("amdis_batch.txt", "amdis-batch", 7, 3),
        ("ftir_hitlist.xlsx", "ftir-hitlist", 8, 4),
    ],
)
def test_examples_match_their_profile_by_header(example, profile, rows, analyses):
    report, records = read_all(EXAMPLES / example)
    assert report.profile == profile
    assert (report.stats.rows_read, report.stats.analyses, report.stats.rejections) == (
        rows,
        analyses,
        0,
    )
    assert all(f.analysis_id for f in of(records, Finding))


def test_every_shipped_profile_has_an_example():
    assert {p.name for p in shipped_profiles()} == {
        "lims-case-extract",
        "trunarc-raman",
        "resq-cn-raman",
        "amdis-batch",
        "ftir-hitlist",
    }


def test_lims_items_are_identified_and_negative_items_kept():
    _, records = read_all(EXAMPLES / "lims_case_extract.csv")
    analyses, findings = of(records, Analysis), of(records, Finding)
    mdma = findings[0]
    assert (mdma.name, mdma.role, mdma.asserted_identified, mdma.cas) == (
        "MDMA",
        Role.IDENTIFIED,
        True,
        "42542-10-9",
    )
    extras = dict(mdma.extras)
    assert (extras["quantity"], extras["unit"], extras["purity_pct"]) == ("9.82", "g", "38")
    assert extras["submission_date"] == "11/03/2024"
    first = analyses[0]
    assert (first.case_id, first.item_id, first.context) == (
        "24-01873",
        "1",
        Context.LAB_CONFIRMATION,
    )
    assert first.measured_at.isoformat() == "2024-03-14T00:00:00+01:00"
    item3 = [f.name for f in findings if f.analysis_id == analyses[2].id]
    assert item3 == ["Cocaine", "Levamisole", "Caffeine", "Lidocaine"]
    inconclusive, negative = findings[-2], findings[-1]
    assert not inconclusive.asserted_identified
    assert (negative.role, negative.name, analyses[-1].verdict) == (
        Role.NO_HIT,
        None,
        SourceVerdict.NEGATIVE,
    )


def test_trunarc_date_and_time_columns_verdicts_and_mixture_components():
    _, records = read_all(EXAMPLES / "trunarc_raman.csv")
    analyses, findings = of(records, Analysis), of(records, Finding)
    first = analyses[0]
    assert first.measured_at.isoformat() == "2024-03-14T09:41:07+01:00"
    assert first.measured_at_raw == "03/14/2024 09:41:07 AM"
    assert (first.instrument.model, first.instrument.serial, first.technique) == (
        "TruNarc",
        "TN1402-0187",
        "Raman",
    )
    assert first.context is Context.FIELD_SCREENING and first.verdict is SourceVerdict.POSITIVE
    mixture = [f for f in findings if f.analysis_id == analyses[1].id]
    assert [(f.name, f.role, f.rank, f.asserted_identified) for f in mixture] == [
        ("Cocaine HCl", Role.MIXTURE_COMPONENT, 1, True),
        ("Levamisole HCl", Role.MIXTURE_COMPONENT, 2, True),
    ]
    assert (analyses[2].verdict, analyses[2].verdict_raw) == (SourceVerdict.POSITIVE, "ALARM")
    assert [a.verdict for a in analyses[3:5]] == [
        SourceVerdict.NEGATIVE,
        SourceVerdict.INCONCLUSIVE,
    ]


def test_resq_semicolons_decimal_commas_ranked_hits_and_cp1252():
    report, records = read_all(EXAMPLES / "resq_cn_raman.csv")
    findings = of(records, Finding)
    assert [(f.rank, f.scores[0].value, f.asserted_identified) for f in findings[:3]] == [
        (1, 96.2, True),
        (2, 71.0, False),
        (3, 64.3, False),
    ]
    assert findings[0].scores[0].scale == "0-100"
    assert of(records, Analysis)[0].location == "Liège Airport courier hub"
    assert any("decoded as cp1252" in note for note in report.notes)
    assert of(records, Analysis)[0].measured_at.isoformat() == "2024-04-03T07:12:44+00:00"


def test_amdis_tab_separated_scores_are_named_per_algorithm():
    _, records = read_all(EXAMPLES / "amdis_batch.txt")
    caffeine = of(records, Finding)[0]
    assert [s.name for s in caffeine.scores] == [
        "AMDIS Net",
        "AMDIS Weighted",
        "AMDIS Simple",
        "AMDIS Reverse",
    ]
    assert dict(caffeine.extras)["rt_min"] == "7.8104"
    assert of(records, Analysis)[0].label == r"C:\GCMSDATA\2024\24-01902_01.D\DATA.MS"


# --- XLSX ------------------------------------------------------------------------------------


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


# --- hostile CSV ------------------------------------------------------------------------------


def test_header_only_gives_no_rows(tmp_path):
    report, records = read_all(resq(tmp_path))
    assert records == [] and report.stats.rows_read == 0 and report.profile == "resq-cn-raman"


def test_unknown_header_asks_for_a_profile(tmp_path):
    path = write(tmp_path, "device.csv", "Scan,Drug,Score\n1,MDMA,99\n")
    with pytest.raises(UnreadableReport, match=r"try format csv profile FILE"):
        open_report(path)


def test_delimiter_is_sniffed_whatever_the_profile_expects(tmp_path):
    text = (EXAMPLES / "amdis_batch.txt").read_text("cp1252").replace("\t", ";")
    path = write(tmp_path, "amdis.csv", text.replace("\r\n", "\n"), "cp1252")
    report, _ = read_all(path)
    assert report.profile == "amdis-batch" and report.stats.findings == 7
    assert any("expects '\\t' but the file uses ';'" in note for note in report.notes)


def test_forced_wrong_delimiter_is_unreadable_with_a_hint(tmp_path):
    with pytest.raises(UnreadableReport, match="only when it is split on ';', not on the de"):
        open_report(
            EXAMPLES / "resq_cn_raman.csv",
            profile="resq-cn-raman",
            options=ReadOptions(delimiter=","),
        )


@pytest.mark.parametrize("profile", ["resq-cn-raman", None])
def test_format_tsv_on_a_semicolon_file_says_to_drop_it(profile):
    with pytest.raises(UnreadableReport) as caught:
        open_report(EXAMPLES / "resq_cn_raman.csv", format="tsv", profile=profile)
    message = caught.value.worded(command_line)
    assert "profile resq-cn-raman's columns are in the header only when it is split on ';'" in (
        message
    )
    assert "that --format tsv sets" in message
    assert "drop --format tsv, or pass --format csv" in message
    assert "pass the right one" not in message


def test_a_profile_whose_columns_are_missing_points_to_the_profile(tmp_path):
    path = write(tmp_path, "r.csv", "Report ID,Sample Name\n1,x\n")
    with pytest.raises(UnreadableReport, match=r"\[profile\] delimiter, or pass encoding") as e:
        open_report(path, profile="resq-cn-raman")
    assert "--delimiter" not in str(e.value), "not an option of subsmatch ingest"


def test_tsv_format_alias(tmp_path):
    report, _ = read_all(EXAMPLES / "amdis_batch.txt", format="tsv")
    assert report.format == "csv" and report.stats.findings == 7


def test_mixed_encodings_decode_line_by_line(tmp_path):
    header = RESQ_HEADER.encode()
    utf8 = RESQ_ROW.format(name="α-PVP", hqi="90").encode("utf-8")
    cp1252 = RESQ_ROW.format(name="Cocaïne", hqi="91").encode("cp1252")
    path = tmp_path / "mixed.csv"
    path.write_bytes(b"\r\n".join([header, utf8, cp1252]) + b"\r\n")
    report, records = read_all(path)
    assert [f.name for f in of(records, Finding)] == ["α-PVP", "Cocaïne"]
    assert any(
        "1 line(s) were not valid utf-8" in note and "lines 3" in note for note in report.notes
    )


@pytest.mark.parametrize("encoding", ["utf-16", "utf-8-sig"])
def test_byte_order_marks(tmp_path, encoding):
    path = resq(tmp_path, RESQ_ROW.format(name="3-MMC", hqi="93"), encoding=encoding)
    report, records = read_all(path)
    assert [f.name for f in of(records, Finding)] == ["3-MMC"] and report.notes == []


def test_undecodable_bytes_under_a_forced_encoding_reject_the_row(tmp_path):
    path = resq(tmp_path, RESQ_ROW.format(name="Caf\u00e9ine", hqi="93"), encoding="cp1252")
    _, records = read_all(path, encoding="utf-8")
    (rejection,) = of(records, Rejection)
    assert "pass {encoding}" in rejection.reason


def test_bad_rows_become_rejections_with_row_and_column(tmp_path):
    rows = [
        RESQ_ROW.format(name="MDMA", hqi="97"),
        RESQ_ROW.format(name="MDMA", hqi="97") + ";extra;fields",
        RESQ_ROW.format(name="Ketamine", hqi="104"),
        RESQ_ROW.format(name="Ketamine", hqi="high"),
        RESQ_ROW.format(name="", hqi="90"),
        RESQ_ROW.format(name="MDMA", hqi="97").replace("2024-04-03 07:12:44", "yesterday"),
        RESQ_ROW.format(name="MDMA", hqi="97").replace(";Match;", ";Maybe;"),
        RESQ_ROW.format(name="MDMA", hqi="97").replace(";1;Single;", ";first;Single;"),
        RESQ_ROW.format(name="MDMA", hqi="97").replace(";Single;", ";Guess;"),
        RESQ_ROW.format(name="MDMA", hqi="97") + ";;",
    ]
    report, records = read_all(resq(tmp_path, *rows))
    rejections = of(records, Rejection)
    assert [(r.locator.row, r.locator.line, r.locator.column) for r in rejections] == [
        (2, 3, None),
        (3, 4, "HQI"),
        (4, 5, "HQI"),
        (5, 6, "Library Match"),
        (6, 7, "Acquired (UTC)"),
        (7, 8, "Result"),
        (8, 9, "Rank"),
        (9, 10, "Type"),
    ]
    reasons = [r.reason for r in rejections]
    assert "18 fields but the header has 16" in reasons[0]
    assert "outside the declared scale 0-100" in reasons[1]
    assert "not a number" in reasons[2]
    assert "substance name and CAS number are empty" in reasons[3]
    assert "'yesterday'" in reasons[4] and "[timestamps]" in reasons[4]
    assert "'Maybe' is not in profile resq-cn-raman's [verdicts]; add it" in reasons[5]
    assert rejections[0].raw.endswith("extra\tfields")
    assert (report.stats.rows_read, report.stats.findings, report.stats.rejections) == (10, 2, 8)


def test_a_row_the_csv_module_refuses_is_one_rejection(tmp_path):
    huge = RESQ_ROW.format(name='"' + "x" * 200_000 + '"', hqi="90")
    path = resq(tmp_path, huge, RESQ_ROW.format(name="MDMA", hqi="97"))
    _, records = read_all(path)
    (rejection,) = of(records, Rejection)
    assert "field limit" in rejection.reason and rejection.locator.row == 1
    assert [f.name for f in of(records, Finding)] == ["MDMA"]


LIMS_HEADER = (
    "Lab Case Number,Agency Case Number,Submitting Agency,Laboratory,Country,Item Number,"
    "Item Description,Submission Date,Analysis Date,Analyst,Method,Result,Substance Identified,"
    "CAS Number,Quantity,Unit,Purity (%)"
)
LIMS_ROW = (
    "24-1,A-1,Customs,Lab North,NL,{item},{description},11/03/2024,14/03/2024,J. Doe,GC-MS,"
    "Identified,{name},{cas},1.0,g,97.5"
)


def lims(item, name, cas="", description="Powder"):
    return LIMS_ROW.format(item=item, name=name, cas=cas, description=description)


def lims_file(tmp_path, *rows, end="\n"):
    path = tmp_path / "lims.csv"
    path.write_bytes(("\n".join([LIMS_HEADER, *rows]) + end).replace("\n", "\r\n").encode())
    return path


def found(records):
    return [(f.name, f.locator.line, f.locator.row) for f in of(records, Finding)]


def rejected(records):
    return [(r.locator.line, r.locator.row, r.reason) for r in of(records, Rejection)]


def test_an_unmatched_quote_rejects_its_line_and_the_next_lines_are_read(tmp_path):
    path = lims_file(
        tmp_path,
        lims(1, "MDMA"),
        lims(2, '"Cocaine', "50-36-2"),
        lims(3, "Ketamine", description="\"Pink tablets, 'Tesla' logo\""),
        lims(4, "Heroin"),
        lims(5, "3-MMC"),
    )
    report, records = read_all(path)
    assert found(records) == [
        ("MDMA", 2, 1),
        ("Ketamine", 4, 3),
        ("Heroin", 5, 4),
        ("3-MMC", 6, 5),
    ]
    ((line, row, reason),) = rejected(records)
    assert (line, row) == (3, 2)
    assert reason.startswith('unmatched quote on line 3: "Cocaine,50-36-2')
    assert "close the quote or re-export" in reason
    assert of(records, Rejection)[0].raw == lims(2, '"Cocaine', "50-36-2")
    assert dict(of(records, Finding)[1].extras)["item_description"] == "Pink tablets, 'Tesla' logo"
    assert (report.stats.rows_read, report.stats.findings) == (5, 4)


def test_consecutive_unmatched_quotes_are_each_rejected(tmp_path):
    path = lims_file(
        tmp_path,
        lims(1, '"Cocaine'),
        lims(2, '"Heroin'),
        lims(3, "MDMA"),
        lims(4, '"Ketamine'),
        "",
        lims(5, "3-MMC"),
    )
    _, records = read_all(path)
    assert found(records) == [("MDMA", 4, 3), ("3-MMC", 7, 5)]
    assert [(line, row) for line, row, _ in rejected(records)] == [(2, 1), (3, 2), (5, 4)]


@pytest.mark.parametrize("end", ["\n", ""])
def test_a_quote_left_open_on_the_last_row_is_rejected(tmp_path, end):
    path = lims_file(tmp_path, lims(1, "MDMA"), lims(2, '"Cocaine', "50-36-2"), end=end)
    _, records = read_all(path)
    assert found(records) == [("MDMA", 2, 1)]
    ((line, row, reason),) = rejected(records)
    assert (line, row) == (3, 2) and "unmatched quote on line 3" in reason


def test_a_quote_left_open_over_lines_that_are_not_rows_is_rejected_at_the_end(tmp_path):
    path = lims_file(tmp_path, lims(1, '"Cocaine'), "seized at the border", lims(2, "MDMA")[:30])
    _, records = read_all(path)
    assert found(records) == []
    assert [(line, row) for line, row, _ in rejected(records)] == [(2, 1), (3, 2), (4, 3)]
    assert "unmatched quote on line 2" in rejected(records)[0][2]


def test_quoted_cells_with_line_breaks_stay_one_row(tmp_path):
    path = lims_file(
        tmp_path,
        lims(1, "MDMA", description='"Pink tablets,\nTesla logo"'),
        lims(2, "Cocaine"),
        lims(3, "Heroin", description='"Brown powder\n\nin foil"'),
        lims(4, "Ketamine") + ',"notes\nover, two lines"',
    )
    _, records = read_all(path)
    assert found(records) == [("MDMA", 2, 1), ("Cocaine", 4, 2), ("Heroin", 5, 3)]
    descriptions = [dict(f.extras)["item_description"] for f in of(records, Finding)]
    assert descriptions == ["Pink tablets,\r\nTesla logo", "Powder", "Brown powder\r\n\r\nin foil"]
    ((line, row, reason),) = rejected(records)
    assert (line, row) == (8, 4) and "18 fields but the header has 17" in reason


def test_a_line_broken_agency_whose_next_line_has_many_commas_stays_one_row(tmp_path):
    agency = '"Douane Schiphol\nPost & Courier, Hal 3, Schiphol-Oost"'
    path = lims_file(tmp_path, lims(1, "MDMA").replace("Customs", agency), lims(2, "Cocaine"))
    _, records = read_all(path)
    assert found(records) == [("MDMA", 2, 1), ("Cocaine", 4, 2)] and rejected(records) == []
    first, second = of(records, Analysis)
    assert (first.item_id, second.item_id) == ("1", "2")
    assert dict(of(records, Finding)[0].extras)["submitting_agency"] == (
        "Douane Schiphol\r\nPost & Courier, Hal 3, Schiphol-Oost"
    )


THREE = (
    '[profile]\nname = "three"\n[detect]\nrequired_columns = ["Case", "Substance"]\n'
    '[columns]\ncase_id = "Case"\nname = "Substance"\ncas = "CAS"\n[extras]\nnote = "Note"\n'
)
FOUR = THREE.replace('["Case", "Substance"]', '["Case", "Substance", "CAS"]')


def read_csv(tmp_path, text, profile_text=THREE):
    """Read ``text`` (lines end CRLF on disk) through a profile made of ``profile_text``."""
    profile = tmp_path / "profile.toml"
    profile.write_text(profile_text, encoding="utf-8")
    return read_all(write(tmp_path, "table.csv", text), format="csv", profile=profile)


def test_a_line_broken_first_cell_whose_next_line_is_as_wide_as_a_row_stays_one_row(tmp_path):
    _, records = read_csv(
        tmp_path,
        'Note,Case,Substance\n"seized at the border\nsecond bag",C-1,MDMA\nok,C-2,Heroin\n',
    )
    assert found(records) == [("MDMA", 2, 1), ("Heroin", 4, 2)] and rejected(records) == []
    assert [a.case_id for a in of(records, Analysis)] == ["C-1", "C-2"]
    assert dict(of(records, Finding)[0].extras)["note"] == "seized at the border\r\nsecond bag"


@pytest.mark.parametrize(
    "body",
    [
        # malformed quoting (a quote closed mid-cell): csv's strict mode refuses the record
        'C-1,"MDMA,x\nC-2,Heroin\nC-3,Cocaine,"y"\nC-4,Ketamine,z\n',
    ],
)
def test_a_stray_quote_never_merges_rows(tmp_path, body):
    """Every physical row stays a row of its own: the stray quote's line is rejected."""
    report, records = read_csv(tmp_path, "Case,Substance,Note\n" + body)
    assert report.stats.rows_read == 4
    assert [r[:2] for r in rejected(records)] == [(2, 1)]
    assert [a.case_id for a in of(records, Analysis)] == ["C-2", "C-3", "C-4"]


def test_a_line_broken_note_in_a_short_row_stays_one_row(tmp_path):
    """The row leaves its last (CAS) cell out; its note's second line looks like a row."""
    body = 'Case,Substance,Note,CAS\nC-1,MDMA,"seized at border\nbags 1, 2, 3, 4"\nC-2,Heroin,ok,\n'
    _, records = read_csv(tmp_path, body, FOUR)
    assert found(records) == [("MDMA", 2, 1), ("Heroin", 4, 2)] and rejected(records) == []
    assert dict(of(records, Finding)[0].extras)["note"] == "seized at border\r\nbags 1, 2, 3, 4"


def test_a_wrongly_quoted_note_over_two_lines_invents_no_row(tmp_path):
    """Unescaped quotes inside a quoted cell: one record, never a row made of the note."""
    for note, findings in (
        ('she said "stop", left with Ketamine"', []),
        ('she said "stop" twice"', ["MDMA"]),
    ):
        body = f'Case,Substance,Note\nC-1,MDMA,"first line\n{note}\nC-2,Heroin,ok\n'
        _, records = read_csv(tmp_path, body)
        assert [f.name for f in of(records, Finding)] == [*findings, "Heroin"]
        assert [a.case_id for a in of(records, Analysis)] == [*(["C-1"] if findings else []), "C-2"]


@pytest.mark.parametrize(
    "body",
    [
        'C-1,MDMA,"seized:\nbags 1, 2, 3\nboxes 4, 5, 6"\nC-2,Heroin,ok\n',
        'C-1,MDMA,"x\n""q"", r, s\n""t"", u, v"\nC-2,Heroin,ok\n',
        'C-1,"MDMA\n, salt","l1\nl2, x, y\nl3, z, w"\nC-2,Heroin,ok\n',
    ],
)
def test_well_formed_csv_is_read_as_csv_says_however_its_lines_look(tmp_path, body):
    """Notes whose lines hold as many delimiters as a row stay in their row (review cases)."""
    _, records = read_csv(tmp_path, "Case,Substance,Note\n" + body)
    assert rejected(records) == []
    assert [a.case_id for a in of(records, Analysis)] == ["C-1", "C-2"]


def test_random_well_formed_csv_is_never_split(tmp_path):
    """Files written by csv.writer, with multi-line cells full of delimiters and quotes."""
    profile = tmp_path / "three.toml"
    profile.write_text(THREE, encoding="utf-8")
    rng = random.Random(7)
    pieces = ["a", "b, c", 'say "hi"', "1, 2, 3", "\n", "\r\n", ",", '"', " "]
    for attempt in range(150):
        rows = [
            [
                f"C-{i}",
                f"S{i}" + "".join(rng.choices(pieces, k=rng.randint(0, 4))),
                "".join(rng.choices(pieces, k=rng.randint(0, 8))),
            ]
            for i in range(1, rng.randint(2, 8))
        ]
        buffer = io.StringIO(newline="")
        writer = csv.writer(buffer, lineterminator=rng.choice(["\n", "\r\n"]))
        writer.writerows([["Case", "Substance", "Note"], *rows])
        path = tmp_path / f"w{attempt}.csv"
        path.write_bytes(buffer.getvalue().encode("utf-8"))
        report, records = read_all(path, format="csv", profile=profile)
        assert report.stats.rows_read == len(rows), buffer.getvalue()
        assert not any(r.reason.startswith("unmatched quote") for r in of(records, Rejection))
        assert [a.case_id for a in of(records, Analysis)] == [r[0] for r in rows]


def test_an_unclosed_quote_over_the_csv_field_limit_rejects_its_line_only(tmp_path):
    """csv gives up after 128 KB of quoted text; the lines it swallowed are still rows."""
    rows = [lims(i, "MDMA") for i in range(1, 2001)]
    rows[9] = lims(10, '"Cocaine')
    report, records = read_all(lims_file(tmp_path, *rows))
    assert (report.stats.rows_read, report.stats.findings) == (2000, 1999)
    (rejection,) = of(records, Rejection)
    assert (rejection.locator.line, rejection.locator.row) == (11, 10)
    assert rejection.reason.startswith('unmatched quote on line 11: "Cocaine')
    assert rejection.raw == rows[9]
    assert [f.locator.row for f in of(records, Finding)] == [*range(1, 10), *range(11, 2001)]


def test_a_quoted_cell_with_line_breaks_in_a_one_column_table(tmp_path):
    profile = tmp_path / "one.toml"
    profile.write_text(
        '[profile]\nname = "one"\n[detect]\nrequired_columns = ["Substance"]\n'
        '[columns]\nname = "Substance"\n',
        encoding="utf-8",
    )
    path = write(tmp_path, "one.csv", 'Substance\n"Cocaine\nbase"\nMDMA\n')
    _, records = read_all(path, format="csv", profile=profile)
    assert found(records) == [("Cocaine\r\nbase", 2, 1), ("MDMA", 4, 2)]


def test_a_row_of_one_field_asks_about_the_delimiter(tmp_path):
    short = lims(2, "Cocaine").removesuffix(",g,97.5")
    path = lims_file(tmp_path, lims(1, "MDMA"), lims(1, "Heroin").replace(",", ";"), short)
    _, records = read_all(path)
    assert found(records) == [("MDMA", 2, 1), ("Cocaine", 4, 3)]
    ((line, row, reason),) = rejected(records)
    assert (line, row) == (3, 2)
    assert reason == (
        "the row has 1 field but the header has 17; is the delimiter right? (the header uses ',')"
    )


def test_a_row_of_one_field_without_another_delimiter_is_a_short_row(tmp_path):
    profile = tmp_path / "two.toml"
    profile.write_text(
        '[profile]\nname = "two"\n[detect]\nrequired_columns = ["Substance"]\n'
        '[columns]\nname = "Substance"\ncas = "CAS"\n',
        encoding="utf-8",
    )
    path = write(tmp_path, "two.csv", "Substance,CAS\nCocaine\nMDMA,42542-10-9\nHeroin;561-27-3\n")
    _, records = read_all(path, format="csv", profile=profile)
    assert found(records) == [("Cocaine", 2, 1), ("MDMA", 3, 2)]
    ((line, row, reason),) = rejected(records)
    assert (line, row) == (4, 3) and "is the delimiter right?" in reason


def test_a_row_with_a_cas_number_and_no_name_is_a_finding_under_any_verdict(tmp_path):
    def negative(row):
        return row.replace(",Identified,", ",None detected,")

    path = lims_file(
        tmp_path,
        lims(1, "", "42542-10-9"),
        lims(2, "", ""),
        lims(3, "", "42542-10-8"),
        negative(lims(4, "", "50-36-2")),
        negative(lims(5, "", "")),
        negative(lims(6, "", "50-36-3")),
    )
    _, records = read_all(path)
    findings = of(records, Finding)
    assert [(f.locator.row, f.name, f.cas, f.cas_raw, f.role) for f in findings] == [
        (1, None, "42542-10-9", "42542-10-9", Role.IDENTIFIED),
        (4, None, "50-36-2", "50-36-2", Role.IDENTIFIED),
        (5, None, None, None, Role.NO_HIT),
    ]
    assert [f.asserted_identified for f in findings] == [True, False, False]
    assert [queries_of(f) for f in findings] == [("42542-10-9",), ("50-36-2",), ()]
    missing, typo, negative_typo = of(records, Rejection)
    assert (missing.locator.row, missing.locator.column) == (2, "Substance Identified")
    assert missing.reason.startswith("the substance name and CAS number are empty")
    assert (typo.locator.row, typo.locator.column) == (3, "CAS Number")
    assert "CAS '42542-10-8' is not a valid CAS number" in typo.reason
    assert negative_typo.locator.row == 6 and "'50-36-3' is not a valid" in negative_typo.reason


def test_a_cas_placeholder_without_a_name_counts_as_no_cas(tmp_path):
    path = lims_file(
        tmp_path,
        lims(1, "", "n/a"),
        lims(2, "", "n/a").replace(",Identified,", ",None detected,"),
    )
    _, records = read_all(path)
    (rejection,) = of(records, Rejection)
    assert rejection.reason.startswith("the substance name and CAS number are empty")
    (no_hit,) = of(records, Finding)
    assert (no_hit.locator.row, no_hit.role, no_hit.cas_raw) == (2, Role.NO_HIT, "n/a")


# --- profiles ---------------------------------------------------------------------------------

NEW_DEVICE = """
[profile]
name = "acme-ims"
description = "ACME ion mobility handheld, written for this test"
verdict_asserts_identity = true

[detect]
required_columns = ["Alarm", "Compound"]

[defaults]
context = "field_screening"
technique = "IMS"
vendor = "ACME"

[columns]
serial = "Unit"
measured_at = "When"
verdict = "Alarm"
name = "Compound"

[timestamps]
formats = ["%d.%m.%Y %H:%M"]
timezone = "Europe/Luxembourg"

[[scores]]
column = "Amplitude"
scale = "0-1"

[verdicts]
positive = ["ALARM"]
negative = ["clear"]
"""


def test_a_new_device_needs_only_a_profile(tmp_path):
    profile = tmp_path / "acme.toml"
    profile.write_text(NEW_DEVICE, encoding="utf-8")
    export = write(
        tmp_path,
        "acme.txt",
        "ACME IMS export v2\nUnit: 77\n\nUnit|When|Alarm|Compound|Amplitude\n"
        "77|02.04.2024 08:30|ALARM|Fentanyl|0.81\n77|02.04.2024 08:31|clear||\n",
    )
    with pytest.raises(UnreadableReport, match="no shipped profile"):
        open_report(export, format="csv")
    report, records = read_all(export, format="csv", profile=profile)
    assert report.profile == "acme-ims"
    assert any("skipped 3 line(s) above the header" in note for note in report.notes)
    fentanyl, clear = of(records, Finding)
    assert (fentanyl.name, fentanyl.asserted_identified, fentanyl.scores[0].name) == (
        "Fentanyl",
        True,
        "Amplitude",
    )
    assert fentanyl.locator.line == 5 and clear.role is Role.NO_HIT
    first = of(records, Analysis)[0]
    assert (first.technique, first.instrument.vendor, first.measured_at.isoformat()) == (
        "IMS",
        "ACME",
        "2024-04-02T08:30:00+02:00",
    )


def test_naive_timestamps_without_a_zone_are_kept_raw(tmp_path):
    profile = tmp_path / "acme.toml"
    profile.write_text(NEW_DEVICE.replace('timezone = "Europe/Luxembourg"', ""), encoding="utf-8")
    export = write(tmp_path, "a.csv", "Unit,When,Alarm,Compound\n7,02.04.2024 08:30,ALARM,Heroin\n")
    report, records = read_all(export, profile=profile)
    analysis = of(records, Analysis)[0]
    assert analysis.measured_at is None and analysis.measured_at_raw == "02.04.2024 08:30"
    assert any("no time zone" in note for note in report.notes)
    report, records = read_all(export, profile=profile, options=ReadOptions(timezone="UTC"))
    assert of(records, Analysis)[0].measured_at.isoformat() == "2024-04-02T08:30:00+00:00"


def zone_notes(report):
    return [word(note, command_line) for note in report.notes if "{timezone=" in note]


def test_the_profile_zone_wins_over_the_timezone_option_and_says_so(tmp_path):
    profile = tmp_path / "acme.toml"
    profile.write_text(NEW_DEVICE, encoding="utf-8")
    export = write(
        tmp_path,
        "a.csv",
        "Unit,When,Alarm,Compound\n"
        "7,02.04.2024 08:30,ALARM,Heroin\n7,02.04.2024 09:30,ALARM,MDMA\n",
    )
    report, records = read_all(export, profile=profile)
    assert of(records, Analysis)[0].measured_at.isoformat() == "2024-04-02T08:30:00+02:00"
    assert zone_notes(report) == []
    report, records = read_all(export, profile=profile, options=ReadOptions(timezone="UTC"))
    assert [a.measured_at.isoformat() for a in of(records, Analysis)] == [
        "2024-04-02T08:30:00+02:00",
        "2024-04-02T09:30:00+02:00",
    ]
    assert zone_notes(report) == [
        "times are read in Europe/Luxembourg, the zone profile acme-ims declares for this "
        "export, not in --timezone UTC"
    ]
    report, _ = read_all(export, profile=profile, options=ReadOptions(timezone="Europe/Luxembourg"))
    assert zone_notes(report) == []


def test_resq_times_stay_utc_whatever_the_timezone_option():
    report, records = read_all(
        EXAMPLES / "resq_cn_raman.csv", options=ReadOptions(timezone="Europe/Brussels")
    )
    assert of(records, Analysis)[0].measured_at.isoformat() == "2024-04-03T07:12:44+00:00"
    assert zone_notes(report) == [
        "times are read in UTC, the zone profile resq-cn-raman declares for this export, "
        "not in --timezone Europe/Brussels"
    ]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("[columns]", "[columns]\nsubstance = 'X'"), "unknown field"),
        (('context = "field_screening"', 'context = "roadside"'), "context 'roadside'"),
        (('scale = "0-1"', 'scale = "percent"'), "LOW-HIGH"),
        (('positive = ["ALARM"]', 'positive = ["ALARM"]\nmaybe = ["?"]'), "'maybe'"),
        (('name = "acme-ims"', ""), "name is required"),
        (("[detect]", "[detekt]\n[detect]"), "unknown table"),
        (('timezone = "Europe/Luxembourg"', 'timezone = "Benelux/Hub"'), "IANA"),
    ],
)
def test_invalid_profiles_say_what_to_fix(tmp_path, change, message):
    path = tmp_path / "bad.toml"
    path.write_text(NEW_DEVICE.replace(*change), encoding="utf-8")
    with pytest.raises(ProfileError, match=message) as caught:
        load_profile(path)
    assert "bad.toml" in str(caught.value)
    export = write(tmp_path, "a.csv", "Alarm,Compound\nALARM,Heroin\n")
    with pytest.raises(UnreadableReport, match=r"bad\.toml"):
        open_report(export, profile=path)


def test_profile_by_shipped_name_and_unknown_name(tmp_path):
    report, _ = read_all(EXAMPLES / "resq_cn_raman.csv", profile="resq-cn-raman")
    assert report.profile == "resq-cn-raman"
    with pytest.raises(UnreadableReport, match="shipped: amdis-batch"):
        open_report(EXAMPLES / "resq_cn_raman.csv", profile="no-such-profile")


# --- large files ------------------------------------------------------------------------------


def test_large_csv_is_streamed_with_bounded_memory(tmp_path):
    """200k rows stream in bounded memory: allocations traced over 40k rows in mid-file."""
    rows = 200_000
    path = tmp_path / "big.csv"
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(RESQ_HEADER + "\r\n")
        template = RESQ_ROW.replace("RQ-1", "RQ-{scan}") + "\r\n"
        for i in range(rows):
            out.write(template.format(scan=i // 3, name="MDMA" if i % 2 else "3-MMC", hqi=i % 99))
    started = time.perf_counter()
    report = open_report(path)
    findings = peak = 0
    for record in report:
        findings += isinstance(record, Finding)
        if findings == 100_000 and not tracemalloc.is_tracing():
            tracemalloc.start()
        elif findings == 140_000 and tracemalloc.is_tracing():
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
    assert findings == rows and report.stats.rows_read == rows
    assert report.stats.analyses == (rows + 2) // 3
    assert 0 < peak < 2 * 2**20, f"peak {peak / 2**20:.1f} MiB over 40k rows: rows are kept"
    assert time.perf_counter() - started < 15
