"""The tabular readers' rows read straight into their findings' stored values (``read_both``):
the chunks must be those of the records made one by one and checked against the limits."""

from __future__ import annotations

import pytest

from subsmatch.ingest.limits import Limits
from subsmatch.ingest.readers import ReadOptions, open_report
from tests.helpers import EXAMPLES, LIMS_HEADER, chunks_both_ways, lims

LIMITS = [
    None,
    {"max_name_length": 10},  # the long names' rows are records, rejected
    {"max_field_length": 60},  # the extras' labels and the scores' names and scales count too
    {"max_field_length": 140},
]

EXAMPLE_FILES = [
    "lims_case_extract.csv",
    "trunarc_raman.csv",
    "resq_cn_raman.csv",
    "amdis_batch.txt",
    "ftir_hitlist.xlsx",
]


def stored_share(path, options):
    """How many findings the stored-values path gives as values, and as records."""
    report = open_report(path, options=options)
    with report:
        items = list(report._values())
    return sum(type(i) is tuple for i in items), sum(type(i).__name__ == "Finding" for i in items)


@pytest.mark.parametrize("size", [1, 3, 5000])
@pytest.mark.parametrize("limits", LIMITS)
@pytest.mark.parametrize("example", EXAMPLE_FILES)
def test_examples_chunks_of_stored_values_are_the_records_chunks(example, limits, size):
    options = ReadOptions(limits=Limits(**limits)) if limits else ReadOptions()
    chunks_both_ways(EXAMPLES / example, options, size)


def test_the_examples_rows_within_the_limits_are_read_as_stored_values():
    for example in EXAMPLE_FILES:
        values, records = stored_share(EXAMPLES / example, ReadOptions())
        assert values > 0 and records == 0, example
    values, records = stored_share(
        EXAMPLES / "lims_case_extract.csv", ReadOptions(limits=Limits(max_field_length=60))
    )
    assert records > 0  # rows over it are records, checked one by one


def mixed_lims(tmp_path):
    rows = [
        lims(1, "MDMA", "42542-10-9").encode(),
        lims(2, "Ketamine", description="Pulver \xd6l").encode("cp1252"),  # a cp1252 line
        lims(3, "α-PVP").encode(),
        lims(4, '"MDMA, base', "42542-10-9").encode(),  # a quote left open
        (lims(5, "MDMA") + ",extra,fields").encode(),  # too many fields
        lims(6, "MD\x00MA").encode(),  # a NUL
        lims(7, "N" * 1200).encode(),  # over max_name_length
        lims(8, "", "50-00-1").encode(),  # no name, a CAS number with a wrong check digit
        lims(9, '"MD""MA \\x"', "50-00-0").encode(),  # JSON escapes in the stored values
        b"24-1,A-1,Customs,Lab North,NL,10,Powder",  # a short row: no name, no result
        b"",
        lims(11, "Cocaine", description="x" * 9990).encode(),  # over max_field_length
        b"24-2;only;semicolons",  # one field, another delimiter
        lims(12, "Heroin", "561-27-3").encode(),
    ]
    path = tmp_path / "lims.csv"
    path.write_bytes(b"\r\n".join([LIMS_HEADER.encode(), *rows]) + b"\r\n")
    return path


@pytest.mark.parametrize("size", [1, 2, 5, 5000])
@pytest.mark.parametrize("limits", LIMITS)
@pytest.mark.parametrize("encoding", [None, "utf-8"])
def test_malformed_rows_chunks_of_stored_values_are_the_records_chunks(
    tmp_path, encoding, limits, size
):
    options = ReadOptions(format="csv", encoding=encoding, limits=Limits(**limits or {}))
    read, stats, notes = chunks_both_ways(mixed_lims(tmp_path), options, size)
    if limits or size != 5000:
        return
    rejected = [(r.locator.line, r.locator.column, r.reason) for *_, chunk in read for r in chunk]
    lines = [line for line, _column, _reason in rejected]
    if encoding is None:  # cp1252 line by line
        assert lines == [5, 6, 7, 8, 9, 11, 13, 14]
        assert any("cp1252" in note for note in notes)
    else:  # the cp1252 line is not UTF-8: rejected, naming the encoding
        assert lines == [3, 5, 6, 7, 8, 9, 11, 13, 14]
        assert "not valid text in the file's encoding" in rejected[0][2]
    by_line = {line: (column, reason) for line, column, reason in rejected}
    assert "unmatched quote" in by_line[5][1]
    assert "NUL" in by_line[7][1] and "max_name_length" in by_line[8][1]
    assert by_line[9][0] == "CAS Number" and by_line[11][0] == "Substance Identified"
    assert "max_field_length" in by_line[13][1] and "1 field" in by_line[14][1]
    findings = {f[1]: f for _a, chunk, _r in read for f in chunk}
    escaped = findings["lims.csv row 9 line 10"]
    assert escaped[3] == 'MD"MA \\x' and escaped[10].startswith('{"agency_case_number": "A-1"')
    assert findings["lims.csv row 13 line 15"][3] == "Heroin"
    assert stats.rows_read == stats.findings + stats.rejections == 13


TWICE = """
[profile]
name = "twice"
description = "the name's column kept again as an extra (its label counts), a column missing"

[detect]
required_columns = ["Compound", "Lot"]

[columns]
name = "Compound"
cas = "CAS"
formula = "Formula"

[extras]
compound_again = "Compound"
lot = "Lot"
absent = "Nowhere"

[[scores]]
column = "Score"
scale = "0-100"
"""


@pytest.mark.parametrize("size", [1, 5000])
@pytest.mark.parametrize("field_length", [*range(40, 100, 3), 10_000])
def test_a_label_of_an_extra_counts_against_the_limits(tmp_path, field_length, size):
    profile = tmp_path / "twice.toml"
    profile.write_text(TWICE, encoding="utf-8")
    export = tmp_path / "twice.csv"
    names = ["MDMA", "3,4-Methylenedioxy-N-methylamphetamine", "4-FA" * 8]
    rows = [f'"{name}",42542-10-9,L-{i},{50 + i}' for i, name in enumerate(names)]
    names.append("N" * 45)  # its row is its name: within 46-58 only without its extra's label
    rows.append(f"{names[-1]},,,")
    export.write_text("\n".join(["Compound,CAS,Lot,Score", *rows]) + "\n", encoding="utf-8")
    options = ReadOptions(
        format="csv", profile=profile, limits=Limits(max_field_length=field_length)
    )
    read, _stats, notes = chunks_both_ways(export, options, size)
    assert any("'Nowhere'" in note for note in notes)
    if field_length == 10_000:
        assert [f[3] for _a, chunk, _r in read for f in chunk] == names
