"""JSON and JSON Lines in the normalised schema, and the schema validator."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from subsmatch.ingest.errors import UnreadableReport
from subsmatch.ingest.readers import open_report
from subsmatch.ingest.records import (
    NO_SUBSTANCE_VERDICTS,
    Analysis,
    Finding,
    Rejection,
    Role,
    SourceVerdict,
)
from subsmatch.ingest.rows import queries_of
from subsmatch.ingest.validation import report_schema, validate
from subsmatch.ingest.values import parse_scale
from subsmatch.vocabulary import Context
from tests.helpers import of, read_all

EXAMPLE = Path(__file__).resolve().parents[1] / "subsmatch" / "examples" / "colour_tests.jsonl"
GOOD = {
    "case_id": "DOU-BE-24-9",
    "technique": "colour test",
    "context": "field_screening",
    "measured_at": "2024-04-08T09:12:00+02:00",
    "verdict": "positive",
    "findings": [{"name": "MDMA", "rank": 1}],
}


def lines(tmp_path, *items, name="results.jsonl"):
    path = tmp_path / name
    text = "\n".join(i if isinstance(i, str) else json.dumps(i, ensure_ascii=False) for i in items)
    path.write_text(text + "\n", encoding="utf-8")
    return path


def test_example_colour_tests():
    report, records = read_all(EXAMPLE)
    assert (report.format, report.stats.analyses, report.stats.findings) == ("jsonl", 7, 9)
    first = of(records, Analysis)[0]
    assert (first.technique, first.context, first.verdict) == (
        "colour test",
        Context.FIELD_SCREENING,
        SourceVerdict.POSITIVE,
    )
    assert first.verdict_raw == "Marquis: purple turning black within 10 s"
    assert first.measured_at.isoformat() == "2024-04-08T09:12:00+02:00"
    assert dict(first.extras)["reagent"] == "Marquis"
    mdma = of(records, Finding)[0]
    assert (mdma.name, mdma.role, mdma.asserted_identified) == ("MDMA", Role.HIT_CANDIDATE, False)
    assert (mdma.locator.line, mdma.locator.column) == (1, "findings[0]")
    negative = of(records, Analysis)[4]
    assert negative.verdict is SourceVerdict.NEGATIVE
    # nothing found is a result: the negative analysis has its one no-hit row, counted
    mine = [f for f in of(records, Finding) if f.analysis_id == negative.id]
    assert [(f.role, f.name) for f in mine] == [(Role.NO_HIT, None)]
    assert report.stats.rows_read == report.stats.findings + report.stats.rejections


def test_every_example_line_is_valid_against_the_schema():
    for line in EXAMPLE.read_text("utf-8").splitlines():
        assert validate(json.loads(line), report_schema()) == []


def test_bad_lines_findings_and_scores_become_rejections(tmp_path):
    bad_finding = {**GOOD, "findings": [{"name": "MDMA"}, {"name": ""}, {"rank": 2}]}
    scored = {
        **GOOD,
        "findings": [
            {"name": "3-MMC", "scores": [{"name": "HQI", "value": 140, "scale": "0-100"}]}
        ],
    }
    path = lines(
        tmp_path,
        GOOD,
        "{not json",
        {**GOOD, "measured_at": "2024-04-08 09:12"},
        {"findings": []},
        bad_finding,
        scored,
        ["not", "an", "object"],
        {**GOOD, "colour": "purple"},
    )
    report, records = read_all(path)
    rejections = of(records, Rejection)
    where = [(r.locator.line, r.locator.column) for r in rejections]
    assert where == [
        (2, None),
        (3, None),
        (4, None),
        (5, "findings[1]"),
        (5, "findings[2]"),
        (6, "findings[0]"),
        (7, None),
        (8, None),
    ]
    reasons = [r.reason for r in rejections]
    assert "not valid JSON" in reasons[0]
    assert "at /measured_at" in reasons[1] and "UTC offset" in reasons[1]
    assert "'technique' is required" in reasons[2]
    assert "substance name is missing or blank" in reasons[3]
    assert "substance name is missing or blank" in reasons[4]
    assert "outside its scale 0-100" in reasons[5]
    assert "unknown property 'colour'" in reasons[7]
    assert (report.stats.findings, report.stats.analyses) == (2, 3)


def test_json_document_forms(tmp_path):
    for document in (GOOD, [GOOD, GOOD], {"analyses": [GOOD]}):
        path = tmp_path / "doc.json"
        path.write_text(json.dumps(document, indent=2), encoding="utf-8")
        report, records = read_all(path)
        assert report.format == "json"
        assert report.stats.findings == report.stats.analyses >= 1
        assert of(records, Analysis)[0].locator.row == 1


def test_invalid_json_document_is_unreadable(tmp_path):
    path = tmp_path / "doc.json"
    path.write_text('{\n  "technique": "colour test",\n  "findings": [\n', encoding="utf-8")
    with pytest.raises(UnreadableReport, match=r"doc\.json.*not valid JSON.*line 4"):
        open_report(path)


def test_schema_file_declares_the_draft_and_the_record_fields():
    schema = report_schema()
    assert schema["$schema"].endswith("2020-12/schema")
    assert set(schema["properties"]["verdict"]["enum"]) == {v.value for v in SourceVerdict}
    assert set(schema["properties"]["context"]["enum"]) == {c.value for c in Context}
    finding_roles = set(schema["$defs"]["finding"]["properties"]["role"]["enum"])
    assert finding_roles == {r.value for r in Role} - {"no_hit"}


def scored(scale, value=5):
    return {
        **GOOD,
        "findings": [{"name": "MDMA", "scores": [{"name": "S", "value": value, "scale": scale}]}],
    }


def test_scales_the_schema_allows_but_that_are_not_low_high_are_rejected(tmp_path):
    """A descending, empty or unbounded scale rejects its finding; the lines after it are read."""
    path = lines(
        tmp_path,
        scored("100-0"),
        scored("5-5"),
        scored("0-" + "9" * 400, value=10**400),
        scored("1..2-3"),
        scored("0-100", value=float("nan")),
        scored("0-10"),
    )
    _report, records = read_all(path)
    reasons = [r.reason for r in of(records, Rejection)]
    assert len(reasons) == 5 and len(of(records, Analysis)) == 6
    assert "scale '100-0': LOW must be below HIGH" in reasons[0]
    assert "higher_is_better to false" in reasons[0]
    assert "scale '5-5': LOW must be below HIGH" in reasons[1]
    assert "bounds are too large" in reasons[2]
    assert "at /scores/0/scale" in reasons[3]
    assert "outside its scale 0-100" in reasons[4]
    (finding,) = of(records, Finding)
    assert (finding.locator.line, finding.scores[0].value) == (6, 5.0)


@given(st.from_regex(report_schema()["$defs"]["score"]["properties"]["scale"]["pattern"]))
def test_every_scale_the_schema_allows_parses_or_says_why_not(scale):
    """Schema and parser agree on the form: only the order or size of the bounds is refused."""
    try:
        low, high = parse_scale(scale)
    except ValueError as exc:
        assert "LOW must be below HIGH" in str(exc) or "too large" in str(exc)
    else:
        assert low < high


def test_schema_is_valid_json_schema_and_documents_the_scale_rule():
    jsonschema_rs = pytest.importorskip("jsonschema_rs")
    schema = report_schema()
    assert jsonschema_rs.meta.is_valid(schema)
    assert "LOW below HIGH" in schema["$defs"]["score"]["properties"]["scale"]["description"]


@pytest.mark.parametrize("verdict", ["negative", "inconclusive", "error"])
def test_a_blank_name_where_nothing_was_found_is_a_no_hit(tmp_path, verdict):
    """As in CSV: without a name, a finding of a 'nothing found' analysis is a no-hit row."""
    path = lines(
        tmp_path,
        {**GOOD, "verdict": verdict, "findings": [{"name": "   "}, {"rank": 1}, {"name": ""}]},
        {**GOOD, "verdict": verdict, "findings": [{"name": " ", "role": "identified"}]},
    )
    _report, records = read_all(path)
    findings = of(records, Finding)
    assert not of(records, Rejection) and len(findings) == 4
    assert {(f.name, f.role, f.asserted_identified) for f in findings} == {
        (None, Role.NO_HIT, False)
    }


@pytest.mark.parametrize("verdict", ["positive", "mixture", "not_reported", None])
def test_a_blank_name_elsewhere_is_rejected_like_a_missing_one(tmp_path, verdict):
    analysis = {k: v for k, v in GOOD.items() if k != "verdict"}
    if verdict:
        analysis["verdict"] = verdict
    findings = [{"name": "   "}, {"name": "\t"}, {"rank": 2}, {"name": ""}, {"name": " MDMA "}]
    _report, records = read_all(lines(tmp_path, {**analysis, "findings": findings}))
    rejections = of(records, Rejection)
    assert [r.locator.column for r in rejections] == [f"findings[{i}]" for i in range(4)]
    assert all("substance name is missing or blank" in r.reason for r in rejections)
    assert [f.name for f in of(records, Finding)] == [" MDMA "]


@pytest.mark.parametrize("verdict", list(SourceVerdict))
def test_a_finding_naming_nothing_is_a_no_hit_exactly_under_the_shared_no_substance_verdicts(
    tmp_path, verdict
):
    """The reader follows records.NO_SUBSTANCE_VERDICTS, the one list the readers share."""
    path = lines(tmp_path, {**GOOD, "verdict": verdict.value, "findings": [{"rank": 1}]})
    _report, records = read_all(path)
    nothing_found = verdict in NO_SUBSTANCE_VERDICTS
    assert [f.role for f in of(records, Finding)] == ([Role.NO_HIT] if nothing_found else [])
    assert len(of(records, Rejection)) == (0 if nothing_found else 1)
    assert {
        SourceVerdict.NEGATIVE,
        SourceVerdict.INCONCLUSIVE,
        SourceVerdict.ERROR,
    } == NO_SUBSTANCE_VERDICTS


COCAINE_CAS = {"cas": "50-36-2"}
COCAINE_FORMULA = {"formula": "C17H21NO4"}


@pytest.mark.parametrize("verdict", ["negative", "inconclusive", "error"])
def test_a_cas_without_a_name_is_a_finding_even_where_nothing_was_found(tmp_path, verdict):
    """A CAS number identifies the finding (its role kept, its CAS looked up); a finding with
    no name and no CAS number is a no-hit row, a formula alone naming no substance."""
    findings = [
        COCAINE_CAS,
        {**COCAINE_CAS, "name": "  ", "role": "identified"},
        COCAINE_FORMULA,
        {"rank": 2},
    ]
    path = lines(tmp_path, {**GOOD, "verdict": verdict, "findings": findings})
    _report, records = read_all(path)
    assert not of(records, Rejection)
    cas, identified, formula, nothing = of(records, Finding)
    assert (cas.name, cas.cas, cas.role) == (None, "50-36-2", Role.HIT_CANDIDATE)
    assert queries_of(cas) == ("50-36-2",)
    assert (identified.name, identified.role, identified.asserted_identified) == (
        None,
        Role.IDENTIFIED,
        False,  # identity is not asserted under a verdict that says nothing was found
    )
    assert queries_of(identified) == ("50-36-2",)
    assert (formula.formula, formula.role, queries_of(formula)) == ("C17H21NO4", Role.NO_HIT, ())
    assert (nothing.name, nothing.role, queries_of(nothing)) == (None, Role.NO_HIT, ())


@pytest.mark.parametrize("verdict", ["positive", "mixture", "not_reported"])
def test_a_cas_without_a_name_is_kept_elsewhere_too(tmp_path, verdict):
    findings = [COCAINE_CAS, COCAINE_FORMULA, {"formula": " "}, {"rank": 2}]
    path = lines(tmp_path, {**GOOD, "verdict": verdict, "findings": findings})
    _report, records = read_all(path)
    (cas,) = of(records, Finding)
    assert (cas.cas, cas.role, queries_of(cas)) == ("50-36-2", Role.HIT_CANDIDATE, ("50-36-2",))
    rejections = of(records, Rejection)
    assert [r.locator.column for r in rejections] == ["findings[1]", "findings[2]", "findings[3]"]
    assert all("no CAS number" in r.reason for r in rejections)
    assert "a formula alone names no substance" in rejections[0].reason


@pytest.mark.parametrize("verdict", ["positive", "inconclusive"])
def test_a_cas_failing_its_check_digit_with_nothing_else_is_rejected(tmp_path, verdict):
    """Neither a no-hit (something was written) nor a finding that cannot be looked up."""
    findings = [{"cas": "50-36-3"}, {"cas": "50-36-3", "name": "cocaine"}]
    path = lines(tmp_path, {**GOOD, "verdict": verdict, "findings": findings})
    _report, records = read_all(path)
    (rejection,) = of(records, Rejection)
    assert rejection.locator.column == "findings[0]"
    assert "CAS number 50-36-3 is not a valid one (check digit or length)" in rejection.reason
    (named,) = of(records, Finding)
    assert (named.name, named.cas, named.cas_raw) == ("cocaine", None, "50-36-3")


def test_the_schema_states_the_name_or_cas_rule():
    finding = report_schema()["$defs"]["finding"]["properties"]
    assert "a name or a CAS number" in finding["name"]["description"]
    assert "a formula alone names no substance" in finding["name"]["description"]
    assert "Required" not in finding["name"]["description"]


def _item(*findings, **fields):
    item = {"technique": "Raman", "case_id": "C-1", "verdict": "positive"}
    return json.dumps({**item, **fields, "findings": list(findings)}, ensure_ascii=False)


MIXED_LINES = [
    _item({"name": "MDMA", "rank": 1, "cas": "42542-10-9"}, {"name": "MDA", "rank": 2}),
    _item({"name": "α-PVP", "scores": [{"name": "HQI", "value": 97, "scale": "0-100"}]}),
    "{not json",
    "[" * 40 + "]" * 40,  # nested deeper than max_json_depth
    _item({"name": "MD\u0000MA"}),  # a NUL, escaped in the JSON text
    _item({"name": "caf\ud800"}).replace("\ud800", "\\ud800"),  # a lone surrogate, escaped
    _item({"name": "N" * 1200}),  # over max_name_length
    _item({"name": "Ketamine", "scores": [{"name": "HQI", "value": 104, "scale": "0-100"}]}),
    _item(),  # no finding, a positive verdict
    _item({"name": "Cocaine"}, technique=7),  # an invalid analysis
    _item({"name": 'MD"MA \\x', "extras": {"lot": "a\tb", "note": "x" * 9999}}),
    _item({"cas": "50-00-1"}),  # no name, a bad CAS number
    _item({"formula": "C8H11N"}, verdict="negative"),  # a no-hit row under a negative verdict
    _item({"name": "Heroin", "extras": {"kit": "NIK"}}, extras={"reagent": "Marquis"}),
]


@pytest.mark.parametrize("size", [1, 2, 5000])
@pytest.mark.parametrize(
    "limits",
    [None, {"max_name_length": 10}, {"max_field_length": 60}, {"max_field_length": 250}],
)
@pytest.mark.parametrize("source", ["mixed", "document", "example"])
def test_chunks_of_stored_values_are_the_records_chunks(tmp_path, source, limits, size):
    # read_both gives the findings of an analysis whose JSON text is within the limits as
    # their stored values: the chunks (every value, every rejection with its place and reason,
    # the counts and notes) must be those of the records checked one by one
    from subsmatch.ingest.limits import Limits
    from subsmatch.ingest.readers import ReadOptions
    from tests.helpers import chunks_both_ways

    path, fmt = EXAMPLE, None
    if source == "mixed":
        path, fmt = tmp_path / "mixed.jsonl", "jsonl"
        text = "\r\n".join(MIXED_LINES).encode() + b"\r\n" + _item({"name": "Öl"}).encode("cp1252")
        path.write_bytes(text)
    elif source == "document":
        path, fmt = tmp_path / "document.json", "json"
        objects = [json.loads(line) for line in MIXED_LINES if line.startswith('{"')]
        path.write_text(json.dumps({"analyses": objects}), encoding="utf-8")
    options = ReadOptions(format=fmt, limits=Limits(**limits or {}))
    read, stats, notes = chunks_both_ways(path, options, size)
    if source != "mixed" or limits or size != 5000:
        return
    rejected = {str(r.locator): r.reason for *_, chunk in read for r in chunk}
    assert list(rejected) == [
        "mixed.jsonl line 3",
        "mixed.jsonl line 4",
        "mixed.jsonl line 5 column 'findings[0]'",
        "mixed.jsonl line 6 column 'findings[0]'",
        "mixed.jsonl line 7 column 'findings[0]'",
        "mixed.jsonl line 8 column 'findings[0]'",
        "mixed.jsonl line 9 column 'findings'",
        "mixed.jsonl line 10",
        "mixed.jsonl line 11 column 'findings[0]'",
        "mixed.jsonl line 12 column 'findings[0]'",
    ]
    assert "NUL" in rejected["mixed.jsonl line 5 column 'findings[0]'"]
    assert "surrogate" in rejected["mixed.jsonl line 6 column 'findings[0]'"]
    assert "max_field_length" in rejected["mixed.jsonl line 11 column 'findings[0]'"]
    findings = {f[1]: f for _a, chunk, _r in read for f in chunk}
    assert findings["mixed.jsonl line 13 column 'findings[0]'"][2] == "no_hit"
    assert findings["mixed.jsonl line 14 column 'findings[0]'"][10] == '{"kit": "NIK"}'
    assert findings["mixed.jsonl line 15 column 'findings[0]'"][3] == "Öl"  # cp1252, noted
    assert any("cp1252" in note for note in notes)
    assert stats.rows_read == stats.findings + stats.rejections == 16  # line 1 holds two


def test_analyses_within_the_limits_give_stored_values():
    from subsmatch.ingest.readers import ReadOptions

    with open_report(EXAMPLE, options=ReadOptions()) as report:
        items = list(report._values())
    assert any(type(i) is tuple for i in items)  # the reader's own items, before accounting
    assert not any(type(i) is Finding for i in items)
