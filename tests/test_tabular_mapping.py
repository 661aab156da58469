"""A profile applied to a header: the shipped examples, rows to analyses and findings, bad rows
to rejections with their row and column, new devices by a profile alone, time zones, large files."""

from __future__ import annotations

import tracemalloc

import pytest

from subsmatch.errors import command_line, word
from subsmatch.ingest.errors import ProfileError, UnreadableReport
from subsmatch.ingest.profile import load_profile, shipped_profiles
from subsmatch.ingest.readers import ReadOptions, open_report
from subsmatch.ingest.records import Analysis, Finding, Rejection, Role, SourceVerdict
from subsmatch.ingest.rows import queries_of
from subsmatch.vocabulary import Context
from tests.helpers import (
    EXAMPLES,
    RESQ_HEADER,
    RESQ_ROW,
    found,
    lims,
    lims_file,
    of,
    read_all,
    rejected,
    resq,
    write,
)


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


def test_large_csv_is_streamed_with_bounded_memory(tmp_path):
    """200k rows stream in bounded memory: allocations traced over 40k rows in mid-file."""
    rows = 200_000
    path = tmp_path / "big.csv"
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(RESQ_HEADER + "\r\n")
        template = RESQ_ROW.replace("RQ-1", "RQ-{scan}") + "\r\n"
        for i in range(rows):
            out.write(template.format(scan=i // 3, name="MDMA" if i % 2 else "3-MMC", hqi=i % 99))
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
