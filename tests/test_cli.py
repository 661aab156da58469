"""The command line's shape: every command documented with an example, loaded only when used."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from subsmatch.cli import ingest as ingest_command
from subsmatch.cli import main
from subsmatch.cli.output import STATUS_STYLE
from subsmatch.cli.registry import COMMANDS
from subsmatch.vocabulary import STATUSES
from tests.helpers import command_paths

CLI = Path(__file__).resolve().parents[1] / "subsmatch" / "cli"
HEAVY = ("rdkit", "pandas", "sqlalchemy", "fastapi", "subsmatch.operations", "subsmatch.matchers")


@pytest.mark.parametrize("words", command_paths(), ids=lambda words: " ".join(words) or "main")
def test_every_command_ends_its_help_with_an_example(words: list[str]) -> None:
    result = CliRunner().invoke(main, [*words, "--help"], terminal_width=100)
    assert result.exit_code == 0, result.output
    description = result.output.split("\nOptions:")[0].rstrip()
    last = description.split("\n\n")[-1].strip().splitlines()
    assert last[0] in ("Example:", "Examples:"), description
    assert all(line.strip().startswith(("subsmatch ", "cut ", "ssh ")) for line in last[1:])
    assert any(line.strip().startswith(f"subsmatch {' '.join(words)}") for line in last[1:])


def test_the_listing_shows_each_command_as_the_command_itself_would():
    """The root lists summaries from the registry; click would list the loaded commands."""
    context = click.Context(main, terminal_width=80)
    listed, loaded = context.make_formatter(), context.make_formatter()
    main.format_commands(context, listed)
    click.Group.format_commands(main, context, loaded)  # imports every command
    assert listed.getvalue() == loaded.getvalue()
    assert all(main.get_command(context, name).name == name for name in COMMANDS)


def loaded_after(*args: str) -> list[str]:
    """The modules a fresh interpreter holds after running the command line with ``args``."""
    code = (
        "import json, sys\n"
        "from subsmatch.cli import main\n"
        f"main({list(args)!r}, standalone_mode=False)\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(done.stdout.splitlines()[-1])


def test_help_imports_no_command_and_no_library():
    modules = loaded_after("--help")
    assert not [m for m in modules if m.startswith(HEAVY)]
    assert not [m for m in modules if m.startswith("subsmatch.cli.") and "registry" not in m]


def test_a_command_imports_its_own_module_only():
    modules = loaded_after("check", "MDMA", "--no-record", "--no-opsin")
    commands = {m for m in modules if m.startswith("subsmatch.cli.")}
    assert "subsmatch.cli.check" in commands
    assert not commands & {f"subsmatch.cli.{m}" for m in ("ingest", "findings", "service")}
    assert not [m for m in modules if m.startswith(("fastapi", "uvicorn", "subsmatch.service"))]
    # a check that is not recorded needs neither the database nor the drawing code
    assert not [m for m in modules if m.startswith(("sqlalchemy", "subsmatch.store"))]
    assert "subsmatch.reports.depict" not in modules


@pytest.mark.parametrize(
    ("module", "unused"),
    [
        ("check", ("pandas", "sqlalchemy", "fastapi")),
        ("explain", ("pandas", "sqlalchemy", "fastapi")),
        ("ingest", ("pandas", "dask", "fastapi")),
        ("findings", ("pandas", "fastapi")),
        ("access", ("pandas", "fastapi")),
    ],
)
def test_a_command_module_loads_no_library_it_does_not_use(module: str, unused: tuple) -> None:
    code = f"import json, sys, subsmatch.cli.{module}; print(json.dumps(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = {name.split(".")[0] for name in json.loads(done.stdout)}
    assert not loaded & set(unused)


def test_each_command_module_stays_small():
    sizes = {path.name: len(path.read_text().splitlines()) for path in CLI.glob("*.py")}
    assert max(sizes.values()) < 400, sizes


def test_every_status_has_its_colour():
    assert set(STATUS_STYLE) == set(STATUSES)


def test_the_ingest_progress_bar_draws_how_much_was_read(monkeypatch, capfd):
    assert ingest_command.progress(False) is None  # not a terminal: nothing drawn
    monkeypatch.setattr(ingest_command, "PROGRESS_AFTER", 0.0)
    show = ingest_command.progress(True)
    show("a.txt", 5_000, 0.5)
    show("b.csv", 12, None)  # a stream of unknown size: rows only
    drawn = capfd.readouterr().err
    assert drawn == f"\ra.txt [{'#' * 15}{' ' * 15}]  50% 5,000 rows\rb.csv 12 rows"


def test_the_ingest_progress_bar_waits_a_couple_of_seconds(capfd):
    ingest_command.progress(True)("a.txt", 5_000, 0.5)  # a file's first chunk: too soon
    assert capfd.readouterr().err == ""
