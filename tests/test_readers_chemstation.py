"""Agilent ChemStation library search reports (LIBRPT.TXT)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from subsmatch.ingest.readers import ReadOptions, chemstation
from subsmatch.ingest.records import Analysis, Finding, Rejection
from tests.helpers import of, read_all

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "subsmatch" / "examples" / "LIBRPT.TXT"
TWO_PAGES = ROOT / "tests" / "fixtures" / "reports" / "LIBRPT_two_pages.TXT"
BRUSSELS = ReadOptions(timezone="Europe/Brussels")


def test_example_peaks_hits_and_header():
    report, records = read_all(EXAMPLE, options=BRUSSELS)
    assert report.format == "chemstation"
    analyses, findings = of(records, Analysis), of(records, Finding)
    assert (len(analyses), len(findings), report.stats.rejections) == (6, 12, 0)
    cocaine = analyses[4]
    extras = dict(cocaine.extras)
    assert (cocaine.label, extras["rt_min"], extras["area_pct"]) == ("peak 5", "10.456", "71.83")
    assert extras["data_file"] == "24-01873_03.D"
    assert extras["sample"] == "24-01873 item 3 beige powder (cocaine?)"
    assert cocaine.library == "SWGDRUG 3.13.L" and cocaine.operator == "JdV"
    assert cocaine.measured_at.isoformat() == "2024-03-14T10:22:00+01:00"
    assert [v for k, v in cocaine.extras if k == "search_library"] == [
        r"C:\Database\SWGDRUG 3.13.L (minimum quality 80)",
        r"C:\Database\NIST20.L (minimum quality 80)",
    ]
    hits = [f for f in findings if f.analysis_id == cocaine.id]
    top = hits[0]
    assert (top.rank, top.name, top.cas, top.cas_raw) == (1, "Cocaine", "50-36-2", "000050-36-2")
    assert [h.scores[0].value for h in hits] == [98.0, 97.0, 72.0]
    assert hits[0].scores[0].scale == "0-100" and dict(hits[0].extras)["ref_no"] == "1711"


def test_long_name_pushes_columns_right_and_is_parsed_from_the_right():
    _, records = read_all(EXAMPLE)
    long = of(records, Finding)[6]
    assert long.name == "Imidazo[2,1-b]thiazole, 2,3,5,6-tetrahydro-6-phenyl-, (S)-"
    assert (long.cas, long.scores[0].value, dict(long.extras)["ref_no"]) == (
        "14769-73-4",
        87.0,
        "28391",
    )


def test_without_a_time_zone_measured_at_is_empty_and_raw_is_kept():
    report, records = read_all(EXAMPLE)
    first = of(records, Analysis)[0]
    assert first.measured_at is None and first.measured_at_raw == "14 Mar 2024  10:22"
    assert any("no time zone" in note for note in report.notes)


def test_page_break_and_repeated_page_header():
    report, records = read_all(TWO_PAGES, options=BRUSSELS)
    assert report.stats.rejections == 0
    analyses = of(records, Analysis)
    assert [a.locator.page for a in analyses] == [1, 1, 2, 2]
    findings = of(records, Finding)
    assert findings[4].locator.page == 2
    assert findings[5].name == "3,4-Methylenedioxy-N-methylamphetamine (MDMA, ecstasy) HCl ref."
    norketamine = findings[-1]
    assert (norketamine.cas, norketamine.cas_raw) == (None, "000000-00-0")


def test_detected_by_content_not_extension(tmp_path):
    path = tmp_path / "export.csv"
    path.write_bytes(EXAMPLE.read_bytes())
    report, _ = read_all(path)
    assert report.format == "chemstation"


def edited_example() -> str:
    """The example with a hit whose Qual is out of range and a hit line cut short."""
    return (
        EXAMPLE.read_text("cp1252")
        .replace(
            "Caffeine                               1524 000058-08-2 94",
            "Caffeine                               1524 000058-08-2 150",
        )
        .replace(
            "                 Lidocaine                              4411 000137-58-6 91",
            "                 Lidocaine (see note",
        )
    )


def test_edited_lines_and_bad_quality_become_rejections(tmp_path):
    text = edited_example()
    path = tmp_path / "LIBRPT.TXT"
    path.write_bytes(text.encode("cp1252"))
    report, records = read_all(path)
    rejections = of(records, Rejection)
    assert len(rejections) == 2
    assert "outside 0-100" in rejections[0].reason and rejections[0].locator.line == 22
    assert rejections[1].raw.strip() == "Lidocaine (see note"
    assert rejections[1].analysis_id == of(records, Analysis)[1].id
    assert report.stats.findings == 10


TWO_REPORTS = ROOT / "tests" / "fixtures" / "reports" / "b_LIBRPT_two_reports.TXT"


def test_second_report_in_one_file_carries_its_own_header():
    report, records = read_all(TWO_REPORTS, options=BRUSSELS)
    assert report.stats.rejections == 0
    analyses = of(records, Analysis)
    assert [a.label for a in analyses] == ["peak 1", "peak 2", "peak 1", "peak 2", "peak 3"]
    assert [a.locator.page for a in analyses] == [1, 1, 2, 2, 3]
    first, second = analyses[:2], analyses[2:]
    for analysis in first:
        extras = dict(analysis.extras)
        assert (extras["data_file"], extras["als_vial"]) == (
            "24-02210_01.D",
            "3   Sample Multiplier: 1",
        )
        assert extras["sample"] == "24-02210 item 1 white crystals, parcel NL-HUB 0447"
        assert analysis.operator == "M. Peeters"
        assert analysis.measured_at.isoformat() == "2024-04-02T16:05:00+02:00"
        assert len([k for k, _ in analysis.extras if k == "search_library"]) == 2
    for analysis in second:  # its first page and its repeated page header
        extras = dict(analysis.extras)
        assert (extras["data_file"], extras["misc"]) == ("24-02231_04.D", "MeOH extract, splitless")
        assert extras["sample"] == "24-02231 item 4 brown powder, heroin street deal"
        assert analysis.operator == "K. Janssens"
        assert analysis.measured_at.isoformat() == "2024-04-03T09:47:00+02:00"
        assert analysis.measured_at_raw == "03 Apr 2024  09:47"
        assert [v for k, v in analysis.extras if k == "search_library"] == [
            r"C:\Database\SWGDRUG 3.13.L (minimum quality 80)"
        ]
    heroin = [f for f in of(records, Finding) if f.cas == "561-27-3"]
    assert {f.analysis_id for f in heroin} == {analyses[4].id}


def test_hit_before_the_second_reports_first_peak_is_not_credited_to_the_first(tmp_path):
    text = (
        TWO_REPORTS.read_bytes()
        .decode("cp1252")
        .replace("  1    9.104 12.40 C:\\Database\\SWGDRUG 3.13.L\r\n", "")
    )
    path = tmp_path / "LIBRPT.TXT"
    path.write_bytes(text.encode("cp1252"))
    _, records = read_all(path)
    (rejection,) = of(records, Rejection)
    assert "before any peak" in rejection.reason and rejection.analysis_id is None
    assert "Paracetamol" in rejection.raw


def test_repeated_page_header_that_omits_keys_keeps_them(tmp_path):
    first, second = TWO_PAGES.read_bytes().decode("cp1252").split("\f")
    dropped = ("Operator", "Misc", "Search Libraries", "NIST20.L   ", "ALS Vial", "Data Path")
    second = "\r\n".join(
        line for line in second.split("\r\n") if not any(k in line for k in dropped)
    )
    assert "Operator" not in second and "Data File" in second
    path = tmp_path / "LIBRPT.TXT"
    path.write_bytes(f"{first}\f{second}\r\n".encode("cp1252"))
    report, records = read_all(path, options=BRUSSELS)
    assert report.stats.rejections == 0
    analyses = of(records, Analysis)
    assert [a.locator.page for a in analyses] == [1, 1, 2, 2]
    assert [a.operator for a in analyses] == ["M. Peeters"] * 4
    headers = [[e for e in a.extras[3:] if e[0] != "library_path"] for a in analyses]
    assert headers[1:] == headers[:1] * 3


NO_RULE = ROOT / "tests" / "fixtures" / "reports" / "f_LIBRPT_page_header_without_rule.TXT"


def test_page_header_without_column_titles_or_rule_reopens_the_table_at_the_peak():
    # LIBRPT_two_pages.TXT with page 2's "Pk#" line and underscore rule removed
    report, records = read_all(NO_RULE, options=BRUSSELS)
    assert (report.stats.findings, report.stats.rejections) == (8, 0)
    analyses = of(records, Analysis)
    assert [a.locator.page for a in analyses] == [1, 1, 2, 2]
    assert [a.operator for a in analyses] == ["M. Peeters"] * 4
    headers = [[e for e in a.extras[3:] if e[0] != "library_path"] for a in analyses]
    assert headers[1:] == headers[:1] * 3
    peak4 = [f for f in of(records, Finding) if f.analysis_id == analyses[3].id]
    assert [(f.rank, f.name) for f in peak4] == [(1, "Ketamine"), (2, "Norketamine")]


def test_second_report_without_column_titles_or_rule_keeps_its_own_header(tmp_path):
    pages = TWO_REPORTS.read_bytes().decode("cp1252").split("\f")
    pages[1:] = [
        "\r\n".join(line for line in page.split("\r\n") if not line.startswith(("Pk#", "_____")))
        for page in pages[1:]
    ]
    path = tmp_path / "LIBRPT.TXT"
    path.write_bytes("\f".join(pages).encode("cp1252"))
    report, records = read_all(path, options=BRUSSELS)
    assert report.stats.rejections == 0
    analyses = of(records, Analysis)
    assert [a.operator for a in analyses] == ["M. Peeters"] * 2 + ["K. Janssens"] * 3
    heroin = [f for f in of(records, Finding) if f.cas == "561-27-3"]
    assert {f.analysis_id for f in heroin} == {analyses[4].id}


def test_column_titles_alone_reopen_the_table_for_hits_continued_from_the_last_page(tmp_path):
    first, second = TWO_PAGES.read_bytes().decode("cp1252").split("\f")
    second = "\r\n".join(
        line
        for line in second.split("\r\n")
        if not line.startswith("_____") and not line.startswith("  3    7.490")
    )
    path = tmp_path / "LIBRPT.TXT"
    path.write_bytes(f"{first}\f{second}".encode("cp1252"))
    report, records = read_all(path, options=BRUSSELS)
    assert (report.stats.findings, report.stats.rejections) == (8, 0)
    peak2 = of(records, Analysis)[1]
    hits = [f for f in of(records, Finding) if f.analysis_id == peak2.id]
    assert [f.rank for f in hits] == [1, 2, 3, 4] and hits[2].locator.page == 2


def test_hits_continued_right_below_a_page_header_without_titles_stay_with_the_last_peak(
    tmp_path,
):
    """A page header with no titles, rule or peak line above the last peak's further hits."""
    text = NO_RULE.read_bytes().decode("cp1252")
    path = tmp_path / "LIBRPT.TXT"
    path.write_bytes(
        text.replace("  3    7.490 30.02 C:\\Database\\NIST20.L\r\n", "").encode("cp1252")
    )
    assert "7.490" in text and "7.490" not in path.read_bytes().decode("cp1252")
    report, records = read_all(path, options=BRUSSELS)
    assert (report.stats.findings, report.stats.rejections) == (8, 0)
    peak2 = of(records, Analysis)[1]
    hits = [f for f in of(records, Finding) if f.analysis_id == peak2.id]
    assert [f.rank for f in hits] == [1, 2, 3, 4] and hits[2].locator.page == 2


# the hit line's pattern as first written (the name tried from the line's start): the faster
# one must match the same lines and give the same name once stripped, and the same fields
_FIRST_HIT_TAIL = re.compile(
    r"^(?P<name>.*?)\s+(?P<ref>\d+)\s+(?P<cas>\d{1,7}-\d{2}-\d)\s+(?P<qual>\d{1,3})\s*$"
)


@pytest.mark.parametrize(
    "line",
    [
        "                 Cocaine                                 1001 000050-36-2 95",
        "                 Cocaine 1001 000050-36-2 95   ",
        "                 Compound 12 34 1001 000050-36-2 95",  # digits in the name
        "                 2C-B 5 58-08-2 1001 000050-36-2 9",  # a CAS-like word in the name
        "                 \tTab\tname\t1001\t50-36-2\t100",
        "                 1001 000050-36-2 95",  # no name
        " 1001 000050-36-2 95",
        "1001 000050-36-2 95",  # no blank before the ref: no hit
        "                 Cocaine                                 1001 000050-36-2 1000",
        "                 Cocaine                                 1001 00000050-36-2 95",
        "                 Cocaine                                 x1001 000050-36-2 95",
        "                 Cocaine                                 1001 000050-36-2",
        "                 Cocaine\u00a0\u20031001\u2003000050-36-2 95",  # other blanks
    ],
)
def test_the_hit_pattern_reads_as_first_written(line):
    first, now = _FIRST_HIT_TAIL.match(line), chemstation._HIT_TAIL.match(line)
    assert (first is None) == (now is None)
    if first:
        assert first["name"].strip() == now["name"].strip()
        assert first.group("ref", "cas", "qual") == now.group("ref", "cas", "qual")


def mixed_report() -> bytes:
    """The example (three times) with a hit out of range, an edited line, a NUL, an over-long
    name and a cp1252 byte."""
    text = edited_example()
    hits = [line for line in text.splitlines() if chemstation._HIT_TAIL.match(line)]
    first, _out_of_range, second, third = hits[:4]
    text = text * (1 + 4096 // len(text))  # a NUL in the head is refused: the last report's
    head, hit, tail = text.rpartition(first)
    text = head + hit.replace(hit.split()[0], "Caf\x00feine", 1) + tail
    text = text.replace(second, second.replace(second.split()[0], "M" * 1200, 1))
    text = text.replace(third, third.replace(third.split()[0], "Café", 1))
    return text.encode("cp1252")


@pytest.mark.parametrize("size", [1, 3, 5000])
@pytest.mark.parametrize("limits", [None, {"max_name_length": 12}, {"max_field_length": 40}])
@pytest.mark.parametrize("source", ["mixed", "example", "two_pages", "two_reports"])
def test_chunks_of_stored_values_are_the_records_chunks(tmp_path, source, limits, size):
    # read_values makes each hit's stored values straight from its line; the chunks (every
    # value, each rejection with its line and reason, counts, notes) must be those of the
    # records made one by one and checked against the limits one by one
    from subsmatch.ingest.limits import Limits
    from tests.helpers import chunks_both_ways

    reports = ROOT / "tests" / "fixtures" / "reports"
    path = {
        "example": EXAMPLE,
        "two_pages": reports / "LIBRPT_two_pages.TXT",
        "two_reports": TWO_REPORTS,
    }.get(source)
    if path is None:
        path = tmp_path / "LIBRPT.TXT"
        path.write_bytes(mixed_report())
    options = ReadOptions(limits=Limits(**limits)) if limits else ReadOptions()
    read, _stats, _notes = chunks_both_ways(path, options, size)
    if source == "mixed" and not limits:
        reasons = [r.reason for _a, _f, rejected in read for r in rejected]
        assert any("outside 0-100" in r for r in reasons)
        assert any("NUL" in r for r in reasons) and any("max_name_length" in r for r in reasons)
        names = [f[3] for _a, found, _r in read for f in found]
        assert "Café" in names
