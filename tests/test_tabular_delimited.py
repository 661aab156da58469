"""CSV text: quoted cells over several lines stay one row, a quote left open by mistake rejects
its own line only, and well-formed CSV is read as CSV says."""

from __future__ import annotations

import csv
import io
import random

import pytest

from subsmatch.ingest.records import Analysis, Finding, Rejection
from tests.helpers import (
    EXAMPLES,
    FOUR,
    RESQ_ROW,
    THREE,
    found,
    lims,
    lims_file,
    of,
    read_all,
    read_csv,
    rejected,
    resq,
    write,
)


def test_a_row_the_csv_module_refuses_is_one_rejection(tmp_path):
    huge = RESQ_ROW.format(name='"' + "x" * 200_000 + '"', hqi="90")
    path = resq(tmp_path, huge, RESQ_ROW.format(name="MDMA", hqi="97"))
    _, records = read_all(path)
    (rejection,) = of(records, Rejection)
    assert "field limit" in rejection.reason and rejection.locator.row == 1
    assert [f.name for f in of(records, Finding)] == ["MDMA"]


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


def test_a_component_number_int_cannot_read_is_no_rank_and_no_traceback(tmp_path):
    """'1³' is made of digits (str.isdigit) but is no number: the component keeps no rank."""
    lines = (EXAMPLES / "trunarc_raman.csv").read_text().splitlines()
    lines[2] = lines[2].removesuffix(",1") + ",1³"
    path = tmp_path / "trunarc.csv"
    path.write_text("\n".join(lines) + "\n")
    _, records = read_all(path, profile="trunarc-raman")
    ranks = [r.rank for r in records if type(r) is Finding and r.name == "Cocaine HCl"]
    assert ranks == [None]
