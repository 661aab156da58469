"""Mapping profiles: every key is checked against its TOML type, and a wrong one is one error
naming the profile file, the key, what was given and what to write instead."""

from __future__ import annotations

import pytest

from subsmatch.ingest.errors import ProfileError, UnreadableReport
from subsmatch.ingest.profile import load_profile
from subsmatch.ingest.readers import open_report
from subsmatch.ingest.records import Finding

PROFILE = """
[profile]
name = "lab-lims"
description = "A LIMS extract, written for this test"
formats = ["csv"]
sheet = "Results"
delimiter = ","
verdict_asserts_identity = false

[detect]
required_columns = ["Lab Case Number", "Substance"]

[defaults]
technique = "GC-MS"

[columns]
case_id = "Lab Case Number"
verdict = "Result"
name = "Substance"

[timestamps]
formats = ["%d/%m/%Y"]
timezone = "Europe/Brussels"

[[scores]]
column = "Distance"
name = "distance"
scale = "0-10"
higher_is_better = false
required = false

[verdicts]
positive = ["Found"]
negative = ["Nothing"]

[roles]
mixture_component = ["Component"]
"""


def profile_file(tmp_path, old: str = "", new: str = ""):
    assert old in PROFILE
    path = tmp_path / "lims.toml"
    path.write_text(PROFILE.replace(old, new, 1), encoding="utf-8")
    return path


def test_a_well_typed_profile_keeps_its_values(tmp_path):
    profile = load_profile(profile_file(tmp_path))
    assert profile.required_columns == ("Lab Case Number", "Substance")
    assert (profile.formats, profile.timestamp_formats) == (("csv",), ("%d/%m/%Y",))
    (score,) = profile.scores
    assert (score.higher_is_better, score.required, profile.verdict_asserts_identity) == (
        False,
        False,
        False,
    )


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            'required_columns = ["Lab Case Number", "Substance"]',
            'required_columns = "Lab Case Number"',
            "[detect] required_columns must be a list of column names, got a string "
            '("Lab Case Number"); write required_columns = ["Lab Case Number"]',
        ),
        (
            'required_columns = ["Lab Case Number", "Substance"]',
            'required_columns = ["Lab Case Number", 2]',
            "[detect] required_columns must be a list of column names, "
            "got a list holding an integer (2)",
        ),
        (
            'formats = ["%d/%m/%Y"]',
            'formats = "%d"',
            '[timestamps] formats must be a list of strptime formats, got a string ("%d"); '
            'write formats = ["%d"]',
        ),
        (
            'formats = ["csv"]',
            'formats = "csv"',
            '[profile] formats must be a list of containers, got a string ("csv")',
        ),
        (
            "higher_is_better = false",
            'higher_is_better = "no"',
            "[[scores]] 'Distance' higher_is_better must be a boolean, got a string (\"no\"); "
            "write higher_is_better = false, without quotes",
        ),
        (
            "required = false",
            "required = 1",
            "[[scores]] 'Distance' required must be a boolean, got an integer (1); "
            "write required = true",
        ),
        (
            "verdict_asserts_identity = false",
            'verdict_asserts_identity = "maybe"',
            '[profile] verdict_asserts_identity must be a boolean, got a string ("maybe"); '
            "write verdict_asserts_identity = true or verdict_asserts_identity = false",
        ),
        (
            'positive = ["Found"]',
            'positive = "Found"',
            '[verdicts] positive must be a list of raw texts, got a string ("Found")',
        ),
        (
            'mixture_component = ["Component"]',
            "mixture_component = 5",
            "[roles] mixture_component must be a list of raw texts, got an integer (5)",
        ),
        ('scale = "0-10"', "scale = 10", "[[scores]] 'Distance' scale must be a string"),
        ('column = "Distance"', "column = 3", "[[scores]] column must be a string, got an integer"),
        (
            'timezone = "Europe/Brussels"',
            "timezone = 1",
            '[timestamps] timezone must be a string, got an integer (1); write timezone = "1"',
        ),
        ('sheet = "Results"', "sheet = [1]", "[profile] sheet must be a string, got a list"),
        ('delimiter = ","', "delimiter = true", "[profile] delimiter must be a string"),
        (
            'description = "A LIMS extract, written for this test"',
            "description = 7",
            "[profile] description must be a string",
        ),
        ('case_id = "Lab Case Number"', "case_id = 1", "[columns] case_id must be a string, got"),
        (
            'technique = "GC-MS"',
            "technique = 2024-01-01",
            "[defaults] technique must be a string, got a date or time (2024-01-01)",
        ),
        (
            "required_columns =",
            "required_column = []\nrequired_columns =",
            "unknown [detect] key(s) ['required_column']",
        ),
        ('timezone = "', 'zone = "UTC"\ntimezone = "', "unknown [timestamps] key(s) ['zone']"),
    ],
)
def test_a_wrongly_typed_key_is_one_error_saying_what_to_write(tmp_path, old, new, message):
    path = profile_file(tmp_path, old, new)
    with pytest.raises(ProfileError) as caught:
        load_profile(path)
    assert str(caught.value).startswith(f"profile {path}: ")
    assert message in str(caught.value)


def test_scores_must_be_an_array_of_tables(tmp_path):
    path = tmp_path / "lims.toml"
    text = 'scores = "Distance"\n' + PROFILE.split("[[scores]]")[0]
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ProfileError, match=r"lims\.toml: scores must be \[\[scores\]\] tables"):
        load_profile(path)


def test_reading_with_a_bad_profile_names_it_and_the_fix(tmp_path):
    """Through the reader the error is an UnreadableReport, not a crash or a silent misread."""
    export = tmp_path / "lims.csv"
    export.write_text("Lab Case Number,Result,Substance,Distance\nC-1,Found,MDMA,2\n", "utf-8")
    path = profile_file(tmp_path, "higher_is_better = false", 'higher_is_better = "no"')
    with pytest.raises(UnreadableReport, match=r"lims\.toml.*higher_is_better = false"):
        list(open_report(export, profile=path))
    good = profile_file(tmp_path)
    (finding,) = [r for r in open_report(export, profile=good) if isinstance(r, Finding)]
    assert (finding.name, finding.scores[0].higher_is_better) == ("MDMA", False)


@pytest.mark.parametrize(
    ("written", "message"),
    [
        (
            '"tab"',
            '[profile] delimiter must be one character, got a string ("tab"); '
            'write delimiter = "\\t"',
        ),
        ('"Semicolon"', 'got a string ("Semicolon"); write delimiter = ";"'),
        ('""', 'got a string (""); write one character in quotes, e.g. delimiter = ";"'),
        ('",;"', 'got a string (",;"); write one character in quotes'),
        ('"\\t\\t"', 'got a string ("\\t\\t"); write one character in quotes'),
    ],
)
def test_a_delimiter_must_be_one_character(tmp_path, written, message):
    """Not only a string: the csv module takes one character, and crashed on any other."""
    path = profile_file(tmp_path, 'delimiter = ","', f"delimiter = {written}")
    with pytest.raises(ProfileError) as caught:
        load_profile(path)
    assert str(caught.value).startswith(f"profile {path}: ")
    assert message in str(caught.value)


def test_reading_with_a_word_for_a_delimiter_names_the_fix_instead_of_crashing(tmp_path):
    """The profile's delimiter is tried when the sniffed one finds no header: it raised
    TypeError '"delimiter" must be a 1-character string' from the csv module."""
    export = tmp_path / "lims.csv"
    export.write_text("Lab Case Number,Result,Drug\nC-1,Found,MDMA\n", "utf-8")
    path = profile_file(tmp_path, 'delimiter = ","', 'delimiter = "tab"')
    with pytest.raises(UnreadableReport, match=r'lims\.toml.*delimiter.*"tab".*delimiter = "\\t"'):
        list(open_report(export, profile=path))


def test_a_tab_delimiter_written_as_an_escape_reads_a_tab_separated_export(tmp_path):
    export = tmp_path / "lims.tsv"
    export.write_text("Lab Case Number\tResult\tSubstance\nC-1\tFound\tMDMA\n", "utf-8")
    path = profile_file(tmp_path, 'delimiter = ","', 'delimiter = "\\t"')
    assert load_profile(path).delimiter == "\t"
    (finding,) = [r for r in open_report(export, profile=path) if isinstance(r, Finding)]
    assert finding.name == "MDMA"
