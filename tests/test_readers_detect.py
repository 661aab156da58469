"""Format detection, the reader registry, sources and the one exception."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest

from subsmatch.errors import command_line
from subsmatch.ingest.errors import UnreadableReport
from subsmatch.ingest.readers import FORMATS, detect_format, open_report
from subsmatch.ingest.records import Finding

EXAMPLES = Path(__file__).resolve().parents[1] / "subsmatch" / "examples"


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("SRCRESLT.TXT", "nist"),
        ("LIBRPT.TXT", "chemstation"),
        ("lims_case_extract.csv", "csv"),
        ("trunarc_raman.csv", "csv"),
        ("resq_cn_raman.csv", "csv"),
        ("amdis_batch.txt", "csv"),
        ("ftir_hitlist.xlsx", "xlsx"),
        ("colour_tests.jsonl", "jsonl"),
    ],
)
def test_every_example_is_detected_by_content(name, fmt):
    assert detect_format((EXAMPLES / name).read_bytes()[:65536], name) == fmt
    with open_report(EXAMPLES / name) as report:
        assert report.format == fmt


def test_json_document_versus_lines():
    assert detect_format(b'{\n  "technique": "colour test",\n  "findings": []\n}\n') == "json"
    assert detect_format(b'[{"technique": "colour test", "findings": []}]') == "json"


@pytest.mark.parametrize(
    ("head", "name", "reason", "hint"),
    [
        (b"", "empty.csv", "empty", "export"),
        (b"\xef\xbb\xbf \r\n\r\n", "blank.csv", "empty", "export"),
        (b"%PDF-1.7\n", "report.pdf", "PDF", "CSV"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1", "old.xls", ".xls", ".xlsx"),
        (b"C\x00a\x00s\x00e\x00", "u16.csv", "NUL", "utf-16-le"),
        (b"just some words\nand more words\n", "notes.txt", "not recognised", "--format"),
        (b"Case,Item\n", "broken.xlsx", "XLSX", "re-export"),
    ],
)
def test_unreadable_input_names_file_and_fix(head, name, reason, hint):
    with pytest.raises(UnreadableReport) as caught:
        detect_format(head, name)
    message = caught.value.worded(command_line)
    assert name in message and reason in message and hint in message


def test_open_report_raises_one_exception_class(tmp_path):
    with pytest.raises(UnreadableReport, match="check the path"):
        open_report(tmp_path / "missing.csv")
    empty = tmp_path / "empty.TXT"
    empty.write_bytes(b"")
    with pytest.raises(UnreadableReport, match="empty"):
        open_report(empty)
    with pytest.raises(UnreadableReport, match="empty"):
        open_report(empty, format="nist")
    with pytest.raises(UnreadableReport, match="unknown format 'pdf'"):
        open_report(EXAMPLES / "SRCRESLT.TXT", format="pdf")
    with pytest.raises(UnreadableReport, match="unknown encoding"):
        open_report(EXAMPLES / "SRCRESLT.TXT", encoding="klingon")


def test_format_override_wins_over_detection(tmp_path):
    path = tmp_path / "hits.txt"
    path.write_bytes(b"Name\tScore\nCocaine\t98\n")
    with pytest.raises(UnreadableReport) as caught:
        open_report(path)
    assert "--profile FILE" in caught.value.worded(command_line)
    with open_report(path, format="nist") as report:
        records = list(report)
    assert report.format == "nist" and report.stats.rejections == 2 and not records[0].analysis_id


def test_streams_are_read_like_files_and_hashed():
    data = (EXAMPLES / "SRCRESLT.TXT").read_bytes()

    class OneWay(io.RawIOBase):
        def __init__(self):
            self.inner = io.BytesIO(data)

        def readable(self):
            return True

        def readinto(self, buffer):
            return self.inner.readinto(buffer)

    for stream in (io.BytesIO(data), io.BufferedReader(OneWay())):
        report = open_report(stream, source_name="upload.txt")
        findings = [r for r in report if isinstance(r, Finding)]
        assert len(findings) == 14 and findings[0].locator.file == "upload.txt"
        assert report.sha256 == hashlib.sha256(data).hexdigest()


def test_a_report_is_read_once():
    report = open_report(EXAMPLES / "SRCRESLT.TXT")
    list(report)
    with pytest.raises(RuntimeError, match="already read"):
        list(report)


def test_formats_are_listed():
    assert set(FORMATS) == {"nist", "chemstation", "csv", "xlsx", "json", "jsonl"}
