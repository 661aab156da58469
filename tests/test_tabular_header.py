"""Finding a table's header and delimiter, and decoding its text: sniffed delimiters, forced
ones, preambles, encodings and byte-order marks."""

from __future__ import annotations

import pytest

from subsmatch.errors import command_line
from subsmatch.ingest.errors import UnreadableReport
from subsmatch.ingest.readers import ReadOptions, open_report
from subsmatch.ingest.records import Finding, Rejection
from tests.helpers import (
    EXAMPLES,
    RESQ_HEADER,
    RESQ_ROW,
    of,
    read_all,
    resq,
    write,
)


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
