"""`subsmatch reference audit` and the coverage lines of `subsmatch lists`, through the command
line on the committed reference data."""

from __future__ import annotations

import json

from click.testing import CliRunner

from subsmatch.cli import main
from subsmatch.operations.check import data_version, reference_lists


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def test_the_audit_as_json_is_the_audit_of_the_shipped_data():
    code, out = run("reference", "audit", "--json")
    assert code == 0, out
    audit = json.loads(out)
    assert audit["data_version"] == data_version()
    _, infos = reference_lists()
    counted = {
        (e["jurisdiction"], e["list"]): (e["entries"], e["with_structure"], e["name_only"])
        for e in audit["lists"]
    }
    assert counted == {
        (i["jurisdiction"], i["list"]): (i["entries"], i["with_structure"], i["name_only"])
        for i in infos
    }
    for entry in audit["lists"]:
        assert len(entry["name_only_entries"]) == entry["name_only"]
        assert len(entry["excepted_entries"]) == entry["name_only_excepted"]
    assert audit["conflicts"] and audit["overrides"]


def test_the_audit_as_text_names_every_list_then_what_was_settled():
    code, out = run("reference", "audit")
    assert code == 0, out
    _, infos = reference_lists()
    for info in infos:
        assert f"{info['jurisdiction']:<3} {info['list']} ({info['kind']}): " in out
    conflicts = len(json.loads(run("reference", "audit", "--json")[1])["conflicts"])
    assert f"\nconflicts found and how they were settled ({conflicts})\n" in out
    assert "\noverrides (" in out and "NOT APPLIED" not in out


def test_the_audit_narrowed_to_one_list_shows_its_name_only_entries():
    code, out = run("reference", "audit", "-j", "nl", "--list", "Opiumwet List I", "--json")
    assert code == 0, out
    (entry,) = json.loads(out)["lists"]
    assert (entry["jurisdiction"], entry["list"]) == ("NL", "Opiumwet List I")
    code, text = run("reference", "audit", "-j", "NL", "--list", "Opiumwet List I")
    assert code == 0, text
    assert text.count("\nNL  Opiumwet List I (narcotic): ") == 1
    assert all(f"name-only: {e['name']} ({e['row']})" in text for e in entry["name_only_entries"])
    assert "conflicts found" not in text


def test_a_wrong_jurisdiction_or_list_is_a_usage_error_that_says_what_exists():
    code, out = run("reference", "audit", "-j", "XX")
    assert code == 2 and "--jurisdiction" in out and "NL" in out
    code, out = run("reference", "audit", "-j", "NL", "--list", "Opiumwet List 9")
    assert code == 2 and "--list" in out and "Opiumwet List II" in out
    assert "Traceback" not in out


def test_lists_shows_coverage_in_one_line_per_list():
    code, out = run("lists")
    assert code == 0, out
    lines = out.splitlines()
    _, infos = reference_lists()
    assert len(lines) == 1 + len(infos)
    for info, line in zip(infos, lines[1:], strict=True):
        assert line.startswith(f"{info['jurisdiction']:<3} {info['list']} ({info['kind']}): ")
        assert f" {info['entries']} entries, {info['with_structure']} with structure" in line
        assert f"; {info['coverage']}" in line
        assert (f"complete to {info['complete_to']}" in line) == bool(info["complete_to"])
    complete = [i for i in infos if i["coverage"] == "complete"]
    assert complete and all(i["complete_to"] for i in complete)
