"""NIST MS Search (SRCRESLT.TXT) and MSPepSearch hit lists."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from subsmatch.ingest.readers import nist
from subsmatch.ingest.readers.base import ReadContext, ReadOptions
from subsmatch.ingest.records import Analysis, Finding, Rejection, Role
from tests.helpers import FIXTURES, chunks_both_ways, of, read_all

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "subsmatch" / "examples" / "SRCRESLT.TXT"
SHARED = ROOT.parent / "shared" / "formats" / "chemclipse" / "nist_ms_search"


def test_example_keeps_cp437_greek_letters_and_every_field():
    report, records = read_all(EXAMPLE)
    assert report.format == "nist"
    assert report.notes == []  # cp437 is this format's own code page: nothing to report
    analyses, findings = of(records, Analysis), of(records, Finding)
    assert (len(analyses), len(findings), report.stats.rejections) == (5, 14, 0)
    mdma = findings[3]
    assert mdma.name == "1,3-Benzodioxole-5-ethanamine, N,α-dimethyl-"
    assert "à" not in "".join(f.name for f in findings)
    assert (mdma.rank, mdma.role, mdma.cas, mdma.formula) == (
        1,
        Role.HIT_CANDIDATE,
        "42542-10-9",
        "C11H15NO2",
    )
    assert [(s.name, s.value, s.scale) for s in mdma.scores] == [
        ("MF", 861.0, "0-999"),
        ("RMF", 880.0, "0-999"),
        ("Prob", 71.54, "0-100"),
    ]
    assert dict(mdma.extras) == {"mw": "193", "library": "mainlib", "library_id": "24051"}
    assert mdma.analysis_id == analyses[1].id and mdma.locator.line == 6
    assert analyses[1].label == "24-01873_03 RT 9.12 min"
    assert dict(analyses[1].extras)["in_library_factor"] == "88"
    assert not mdma.asserted_identified


def test_nist_beta_and_gamma_bytes_become_greek_letters():
    # cp437 0xE1 "ß" is NIST's beta and 0xE7 "τ" its gamma; 0xE0 "α" is already alpha
    raw = (FIXTURES / "b_SRCRESLT_gamma.TXT").read_bytes()
    assert b"<<\xe7-Hydroxybutyric" in raw and b"<<\xe1-Hydroxybutyric" in raw
    report, records = read_all(FIXTURES / "b_SRCRESLT_gamma.TXT")
    assert (report.format, report.notes, report.stats.rejections) == ("nist", [], 0)
    assert [(f.name, f.cas) for f in of(records, Finding)] == [
        ("γ-Hydroxybutyric acid", "591-81-1"),
        ("β-Hydroxybutyric acid", "300-85-6"),
        ("γ-Butyrolactone", "96-48-0"),
        ("α-Methyl-γ-butyrolactone", "1679-47-6"),
    ]


def test_mspepsearch_hits_get_the_same_greek_letters():
    report, records = read_all(FIXTURES / "b_mspepsearch_gamma.txt")
    assert (report.format, report.stats.rejections) == ("nist", 0)
    assert [f.name for f in of(records, Finding)] == ["γ-Hydroxybutyric acid", "γ-Butyrolactone"]


def test_no_cas_is_kept_raw_but_not_normalised():
    _, records = read_all(EXAMPLE)
    theophylline = of(records, Finding)[2]
    assert (theophylline.cas, theophylline.cas_raw) == (None, "0-00-0")


def test_provenance_names_file_hash_and_reader():
    report, records = read_all(EXAMPLE, source_name="SRCRESLT.TXT")
    provenance = of(records, Analysis)[0].provenance
    assert provenance.source_file == "SRCRESLT.TXT"
    assert provenance.sha256 == report.sha256 and len(report.sha256) == 64
    assert (provenance.reader, provenance.reader_version) == ("nist", "1.0")


def test_mspepsearch_header_annotation_and_na_factor():
    report, records = read_all(FIXTURES / "mspepsearch_hits.txt")
    assert report.format == "nist" and report.stats.rejections == 0
    first = of(records, Analysis)[0]
    assert first.label == "24-01902_02 scan 1033 RT 6.10"
    extras = dict(first.extras)
    assert extras["in_library_factor"] == "N/A"
    assert extras["search_program"].startswith("MSPepSearch ver. 0.96")
    assert "/HITS 3" in extras["search_command"]
    hits = of(records, Finding)
    assert [h.cas for h in hits] == ["1225843-86-6", "1607439-32-6", None, "58-08-2"]
    assert dict(hits[0].extras)["name_annotation"] == "0.00"


def test_fields_are_parsed_by_key_in_any_order(tmp_path):
    path = tmp_path / "SRCRESLT.TXT"
    path.write_bytes(
        b"Unknown: X    Compound in Library Factor = 12\r\n"
        b"Hit 1  : <<Ketamine>>;<<C13H16ClNO>>; Prob: 91.5; CAS:6740-88-1; RI: 1871; MF: 912; "
        b"Id: 4.\r\n"
    )
    _, records = read_all(path)
    (hit,) = of(records, Finding)
    assert [s.name for s in hit.scores] == ["Prob", "MF"]
    assert (hit.cas, dict(hit.extras)["ri"], dict(hit.extras)["library_id"]) == (
        "6740-88-1",
        "1871",
        "4",
    )


def test_every_bad_line_is_reported_with_its_line(tmp_path):
    path = tmp_path / "SRCRESLT.TXT"
    path.write_bytes(
        b"Hit 1  : <<Orphan>>;<<C1>>; MF: 900.\r\n"
        b"Unknown: A    Compound in Library Factor = 1\r\n"
        b"Hit 1  : <<Cocaine>>;<<C17H21NO4>>; MF: 1200; RMF: 900.\r\n"
        b"Hit 2  : <<Cocaine>>;<<C17H21NO4>>; MF: high.\r\n"
        b"garbage typed by hand\r\n"
        b"Hit 3  : <<>>;<<C1>>; MF: 500.\r\n"
        b"Hit 4  : <<Lidocaine>>;<<C14H22N2O>>; MF: 800; nonsense.\r\n"
        b"Hit 5  : <<Lidocaine>>;<<C14H22N2O>>; MF: 800.\r\n"
    )
    report, records = read_all(path)
    rejections = of(records, Rejection)
    assert [r.locator.line for r in rejections] == [1, 3, 4, 5, 6, 7]
    assert "before any 'Unknown:'" in rejections[0].reason
    assert "outside 0-999" in rejections[1].reason
    assert "not a number" in rejections[2].reason
    assert "neither 'Unknown:' nor 'Hit N :'" in rejections[3].reason
    assert rejections[3].raw == "garbage typed by hand"
    assert (report.stats.rows_read, report.stats.findings) == (7, 1)


USUAL = "Hit 1  : <<MDMA>>;<<C11H15NO2>>; MF: 861; RMF: 880; Prob: 71.54; CAS:42542-10-9; Mw: 193; Lib: <<mainlib>>; Id: 24051."  # noqa: E501


@pytest.mark.parametrize(
    "line",
    [
        USUAL,
        USUAL.replace("MDMA", " \u00df-Hydroxy \u03c4-lactone; form II "),  # NIST's Greek, ";"
        USUAL.replace("<<C11H15NO2>>", "<< >>").replace("mainlib", " rep lib "),
        USUAL.replace("42542-10-9", "0-00-0"),  # no CAS
        USUAL.replace("42542-10-9", "42542-10-8"),  # check digit wrong
        USUAL.replace("42542-10-9", "-"),
        USUAL.replace("<<MDMA>>", "<<   >>"),  # empty name: rejected
        USUAL.replace("MF: 861", "MF: 1200"),  # out of range: rejected
        USUAL.replace("Prob: 71.54", "Prob: 7.1.5"),  # no number: rejected
        USUAL.replace("Prob: 71.54", "Prob: 071.540"),
        USUAL.replace("Lib: <<mainlib>>", "Lib: <<>>"),
        USUAL.replace("<<MDMA>>", "<<a>>;<<b>>; MF: 1; RMF: 2; CAS:1-1-1; Mw: 1; Lib: <<x"),
        USUAL.replace("Hit 1  :", "Hit 12:"),
        USUAL.replace("Hit 1  :", "Hit 1  :  "),
    ],
)
def test_the_usual_layout_reads_as_the_general_path_does(line, monkeypatch):
    # the default layout is matched in one step; what it gives must be what the field by
    # field reading gives for the same line, rejections and their reasons included
    def read(lines):
        context = ReadContext("SRCRESLT.TXT", "0" * 64, ReadOptions())
        return list(nist._records(iter(lines), context))

    lines = ["Unknown: A    Compound in Library Factor = 1", line]
    assert nist._CANONICAL.fullmatch(line) or line.count("<<") != 4  # the cases reach it
    fast = read(lines)
    monkeypatch.setattr(nist, "_CANONICAL", re.compile("(?!)"))
    assert fast == read(lines)


def test_utf8_resaved_file_is_still_read_right(tmp_path):
    path = tmp_path / "SRCRESLT.TXT"
    text = (
        "Unknown: B    Compound in Library Factor = 1\nHit 1  : <<α-PVP>>;<<C15H21NO>>; MF: 880.\n"
    )
    path.write_text(text, encoding="utf-8")
    _, records = read_all(path)
    assert of(records, Finding)[0].name == "α-PVP"


def test_encoding_override_is_obeyed(tmp_path):
    path = tmp_path / "SRCRESLT.TXT"
    path.write_bytes(b"Unknown: B\r\nHit 1  : <<\xe0-PVP>>;<<C15H21NO>>; MF: 880.\r\n")
    _, records = read_all(path, encoding="latin-1")
    assert of(records, Finding)[0].name == "à-PVP"


@pytest.mark.shared
@pytest.mark.parametrize("number", [1, 3, 5])
def test_real_nist_samples_parse_without_an_unparsed_line(number):
    path = SHARED / f"SRCRESLT-{number}.TXT"
    if not path.exists():
        pytest.skip("../shared is absent")
    report, records = read_all(path)
    hit_lines = sum(1 for line in path.read_bytes().splitlines() if line.startswith(b"Hit "))
    unknown_lines = sum(
        1 for line in path.read_bytes().splitlines() if line.startswith(b"Unknown:")
    )
    assert report.stats.rejections == 0
    assert (report.stats.findings, report.stats.analyses) == (hit_lines, unknown_lines)
    names = " ".join(f.name for f in of(records, Finding))
    if number == 5:
        assert "(3β,5α)" in names and "à" not in names
        assert "Hexonic acid, 3-deoxy-, γ-lactone" in names and "τ" not in names


MIXED = (
    b"> MSPepSearch ver. 0.9 " + b"x" * 4100 + b"\r\n"  # a NUL in the head is refused
    b"Hit 1  : <<Orphan>>;<<C1>>; MF: 900.\r\n"
    b"Unknown: A    Compound in Library Factor = 1\r\n"
    + USUAL.encode()
    + b"\r\n"
    + USUAL.replace("MDMA", "\u03b1-PVP").encode("cp437")  # a cp437 line among UTF-8 ones
    + b"\r\n"
    + USUAL.replace("MDMA", "MD\x00MA").encode()  # a NUL: rejected with its line
    + b"\r\n\r\n"
    + USUAL.replace("MDMA", "M" * 1200).encode()  # over max_name_length: rejected
    + b"\rUnknown: B    Compound in Library Factor = 2\n"  # bare CR, then LF
    b"Unknown: C    Compound in Library Factor = 3\n"  # B has no hit: a no-hit row
    + USUAL.replace("MF: 861", "MF: 1200").encode()  # out of range: rejected
    + b"\r\ngarbage typed by hand\r\n"
    + USUAL.replace("Lib: <<mainlib>>", 'Lib: <<"main\\lib">>').encode()  # JSON escapes
    + b"\r\n"
    + USUAL.replace("Hit 1  :", "Hit 2 :").replace("; Mw: 193", "").encode()  # no Mw: general
    + b"\r\nUnknown: D\r\n"  # the last analysis without a hit
)


@pytest.mark.parametrize("size", [1, 2, 3, 5000])
@pytest.mark.parametrize(
    "limits",
    [
        None,
        {"max_name_length": 10},  # every usual line over it: each is a record, rejected
        {"max_field_length": 60},  # the scores' and extras' labels count too
        {"max_field_length": 140},
    ],
)
@pytest.mark.parametrize("source", ["mixed", "example", "gamma"])
def test_chunks_of_stored_values_are_the_records_chunks(tmp_path, source, limits, size):
    # read_values makes the usual hits' stored values straight from their lines; the chunks
    # (every value, every rejection with its line and reason, the counts and notes) must be
    # those of the records made one by one and checked against the limits one by one
    from subsmatch.ingest.limits import Limits

    path = {"example": EXAMPLE, "gamma": FIXTURES / "b_SRCRESLT_gamma.TXT"}.get(source)
    if path is None:
        path = tmp_path / "SRCRESLT.TXT"
        path.write_bytes(MIXED)
    options = ReadOptions(limits=Limits(**limits)) if limits else ReadOptions()
    read, _stats, _notes = chunks_both_ways(path, options, size)
    if source == "mixed" and not limits:
        rejected = [(r.locator.line, r.reason) for _a, _f, chunk in read for r in chunk]
        assert [line for line, _reason in rejected] == [2, 6, 8, 11, 12]
        assert "NUL" in rejected[1][1] and "max_name_length" in rejected[2][1]
        findings = [f for _a, chunk, _r in read for f in chunk]
        assert [f[1] for f in findings] == [
            "SRCRESLT.TXT line 4",
            "SRCRESLT.TXT line 5",
            "SRCRESLT.TXT line 9",  # B's no-hit row, at its Unknown line
            "SRCRESLT.TXT line 13",
            "SRCRESLT.TXT line 14",
            "SRCRESLT.TXT line 15",  # D's no-hit row
        ]
        assert findings[1][3] == "α-PVP"
        extras = '{"mw": "193", "library": "\\"main\\\\lib\\"", "library_id": "24051"}'
        assert findings[3][10] == extras
