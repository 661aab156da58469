"""The shared vocabulary and the error base: one definition, used by every layer."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from pydantic import TypeAdapter

from subsmatch.errors import OPTIONS, UserError, api_field, command_line, word
from subsmatch.vocabulary import (
    ALERTING,
    FINDING_STATUSES,
    FLAGGED,
    NO_HIT,
    STATUSES,
    Status,
    VerdictJSON,
    severity,
    strongest,
)
from tests.helpers import assert_same_keys, keys_of

PACKAGE = Path(__file__).parents[1] / "subsmatch"


def test_statuses_are_in_severity_order():
    assert [s.value for s in STATUSES] == [
        "controlled",
        "generic",
        "precursor",
        "analogue",
        "not_listed",
        "unresolved",
    ]
    assert [severity(s) for s in STATUSES] == list(range(len(STATUSES)))
    assert severity(NO_HIT) > severity(Status.UNRESOLVED)
    assert FINDING_STATUSES[-1] == NO_HIT


def test_strongest_and_the_flagged_sets():
    assert strongest(["not_listed", "precursor"]) is Status.PRECURSOR
    assert strongest([]) is Status.NOT_LISTED
    assert Status.NOT_LISTED not in FLAGGED
    assert set(ALERTING) == set(FLAGGED) - {Status.UNRESOLVED}


def test_the_vocabulary_imports_nothing_of_ours():
    for module in ("vocabulary.py", "errors.py"):
        tree = ast.parse((PACKAGE / module).read_text())
        imported = [
            node.module
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and node.module
        ] + [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
        assert not [m for m in imported if m.startswith("subsmatch")], module


# --- the typed shape of a verdict against real output ------------------------------------------

QUERIES = [
    "MDMA HCl",  # controlled, from a synonym with a salt word
    "dextromethorphan",  # a stereoisomer that does not apply
    "fentanil",  # a fuzzy match
    "CCCC(NC)C(=O)c1ccc(F)c(C)c1",  # a structure on no list: similarity
    "50-36-2",  # a CAS number
    "not a drug name 123",  # unresolved
    "C1CC1N(",  # malformed
]


@pytest.fixture(scope="module")
def verdicts(checker) -> list[dict]:
    return checker.check_json(QUERIES)


def test_the_typed_shape_is_the_check_json_object(verdicts):
    adapter = TypeAdapter(list[VerdictJSON])
    adapter.validate_python(verdicts)
    for verdict in verdicts:
        assert_same_keys(verdict, VerdictJSON, verdict["query"])
    statuses = {v["status"] for v in verdicts}
    assert {"controlled", "unresolved"} <= statuses


def test_the_service_model_is_the_typed_shape():
    from subsmatch.service.models import Verdict

    assert keys_of(Verdict) == keys_of(VerdictJSON)
    schema = TypeAdapter(Verdict).json_schema()
    assert set(schema["properties"]) == set(keys_of(VerdictJSON))


# --- errors: one base, hints worded by each front end --------------------------------------------


def test_hints_name_options_as_fields_each_front_end_words():
    error = UserError("the file is not UTF-8", "pass {encoding=cp1252}, or drop {format}")
    assert str(error) == "the file is not UTF-8 (pass encoding cp1252, or drop format)"
    assert error.worded(command_line).endswith("(pass --encoding cp1252, or drop --format)")
    assert error.worded(api_field).endswith("(pass encoding=cp1252, or drop format)")
    assert error.options == ("encoding", "format")
    assert word("a {name} in braces", command_line) == "a {name} in braces"


def test_every_library_error_has_the_one_base():
    from subsmatch.ingest.errors import ProfileError, UnreadableReport
    from subsmatch.ingest.writer import RefusedReport
    from subsmatch.matchers.generic import RuleFileError
    from subsmatch.matchers.structure_search import SearchError
    from subsmatch.store.access import AccessError
    from subsmatch.store.engine import DatabaseUnavailable
    from subsmatch.store.testing import ServerUnavailable
    from subsmatch.substances.structures import StructureError

    for error in (
        ProfileError,
        UnreadableReport,
        RefusedReport,
        RuleFileError,
        SearchError,
        AccessError,
        DatabaseUnavailable,
        ServerUnavailable,
        StructureError,
    ):
        assert issubclass(error, UserError), error


FRONT_ENDS = ("cli.py", "cli/", "service/", "testing.py", "__main__")
FLAG = re.compile(r"(?<![\w-])--[a-z][a-z-]+")


def _messages(tree: ast.AST) -> list[ast.Constant]:
    """String constants of a module that are not docstrings."""
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
    ]


def test_no_library_module_names_a_command_line_flag():
    """Messages point to options as fields ({encoding}); only the front ends name flags."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE).as_posix()
        if any(part in relative for part in FRONT_ENDS) or "migrations" in relative:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        if any(  # a module with its own command line (argparse) names its own flags
            isinstance(n, ast.Attribute) and n.attr == "add_argument" for n in ast.walk(tree)
        ):
            continue
        found += [
            f"{relative}:{c.lineno} {c.value!r}" for c in _messages(tree) if FLAG.search(c.value)
        ]
    assert not found, "\n".join(found)


def test_every_option_a_hint_may_name_is_a_command_line_option():
    from click.testing import CliRunner

    from subsmatch.cli import main
    from tests.helpers import command_paths

    helps = " ".join(
        CliRunner().invoke(main, [*command, "--help"]).output for command in command_paths()
    )
    for option in OPTIONS:
        assert command_line(option, None) in helps, option
