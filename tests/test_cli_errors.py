"""Bad input to the CLI: one clear usage or file error, a non-zero exit, never a traceback."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from subsmatch.cli import EXIT_UNREADABLE_FILE, main
from subsmatch.vocabulary import FINDING_STATUSES, FLAGGED

EXAMPLES = Path(__file__).parents[1] / "subsmatch" / "examples"
LIMS = EXAMPLES / "lims_case_extract.csv"
XLSX = EXAMPLES / "ftir_hitlist.xlsx"
EXIT_USAGE = 2  # click's exit code for a usage error


def run(db: str, *args: str) -> Result:
    return CliRunner().invoke(main, ["--db", db, *args])


def assert_clean_exit(result: Result, code: int, *phrases: str) -> None:
    """The command stopped with ``code`` by itself (no exception escaped) and said ``phrases``."""
    assert result.exit_code == code, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output
    for phrase in phrases:
        assert phrase in result.output


# --- --db ----------------------------------------------------------------------------------------

BAD_DATABASES = {
    "plain path": ("{tmp}/plain.sqlite", "use sqlite:///{tmp}/plain.sqlite"),
    "unknown scheme": ("bogus://x", "unknown kind of database 'bogus'"),
    "impossible folder": ("sqlite:////proc/nope/x.sqlite", "/proc/nope/x.sqlite"),
    "a folder, not a file": ("sqlite:///{tmp}", "cannot open the database"),
}


@pytest.mark.parametrize("command", [["findings"], ["ingest", str(LIMS)]])
@pytest.mark.parametrize("bad", BAD_DATABASES.values(), ids=BAD_DATABASES.keys())
def test_an_unusable_db_is_one_usage_error(tmp_path, bad, command):
    url, says = (text.format(tmp=tmp_path) for text in bad)
    assert_clean_exit(run(url, *command), EXIT_USAGE, "Invalid value for '--db'", says)
    assert not (tmp_path / "plain.sqlite").exists()


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write into a read-only folder")
def test_a_read_only_folder_is_one_usage_error(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        result = run(f"sqlite:///{folder / 'x.sqlite'}", "ingest", str(LIMS))
    finally:
        folder.chmod(0o755)
    assert_clean_exit(result, EXIT_USAGE, "cannot open the database", "folder you can write to")


READ_ONLY_COMMANDS = {
    "findings": ["findings"],
    "show": ["show", "24-01873"],
    "export": ["export"],
    "trends": ["trends"],
    "alerts": ["alerts"],
    "report": ["report", "--out", "{tmp}/r.html"],
    "audit": ["audit"],
    "rematch": ["rematch"],
    "tokens list": ["tokens", "list"],
    "search": ["search", "--similar", "CCO"],
}


@pytest.mark.parametrize("command", READ_ONLY_COMMANDS.values(), ids=READ_ONLY_COMMANDS.keys())
def test_reading_commands_create_no_database_for_a_mistyped_path(tmp_path, command):
    missing = tmp_path / "typo" / "x.sqlite"
    args = [arg.format(tmp=tmp_path) for arg in command]
    result = run(f"sqlite:///{missing}", *args)
    assert_clean_exit(result, EXIT_USAGE, f"no database at {missing}", "ingest something first")
    assert not missing.parent.exists()


def test_check_still_answers_and_warns_when_the_db_is_unusable():
    result = run("sqlite:////proc/nope/x.sqlite", "check", "MDMA")
    assert_clean_exit(result, 0, "[controlled]", "warning: the checks were not recorded")


# --- --encoding and reader hints -----------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["rot13", "hex", "no-such-codec"])
def test_an_encoding_that_is_no_text_encoding_is_a_usage_error(db_url, encoding):
    result = run(db_url, "ingest", str(LIMS), "--encoding", encoding)
    assert_clean_exit(result, EXIT_USAGE, "'--encoding'", "utf-8, utf-16-le, cp1252, cp437")


def utf16_le_without_bom(tmp_path: Path) -> Path:
    path = tmp_path / "lims_utf16.csv"
    path.write_bytes(LIMS.read_text(encoding="utf-8-sig").encode("utf-16-le"))
    return path


def test_utf16_without_a_byte_order_mark_says_which_encoding_to_pass(db_url, tmp_path):
    path = utf16_le_without_bom(tmp_path)
    result = run(db_url, "ingest", str(path), "--encoding", "utf-16")
    assert_clean_exit(
        result,
        EXIT_UNREADABLE_FILE,
        "no byte-order mark",
        "--encoding utf-16-le or --encoding utf-16-be",
    )


def test_a_text_encoding_does_not_stop_a_workbook(db_url):
    """A folder of UTF-16 CSV files and XLSX workbooks is read with one --encoding."""
    assert_clean_exit(run(db_url, "ingest", str(XLSX), "--encoding", "utf-16"), 0)


def test_the_nul_byte_hint_works_as_given(db_url, tmp_path):
    path = utf16_le_without_bom(tmp_path)
    result = run(db_url, "ingest", str(path))
    assert_clean_exit(result, EXIT_UNREADABLE_FILE, "NUL bytes")
    hint = re.search(r"pass (--encoding \S+)", result.output)
    assert hint, result.output
    result = run(db_url, "ingest", str(path), *hint.group(1).split(), "--json")
    assert_clean_exit(result, 0, '"findings": 14')


def test_csv_forced_on_a_workbook_names_the_workbook_not_its_bytes(db_url):
    result = run(db_url, "ingest", str(XLSX), "--format", "csv")
    assert_clean_exit(result, EXIT_UNREADABLE_FILE, "looks like an XLSX workbook", "--format xlsx")
    assert all(c.isprintable() or c == "\n" for c in result.output), result.output
    assert_clean_exit(run(db_url, "ingest", str(XLSX), "--format", "xlsx"), 0)


def test_an_empty_directory_is_skipped_with_a_note(db_url, tmp_path):
    folder = tmp_path / "exports"
    (folder / ".hidden").mkdir(parents=True)
    (folder / ".hidden" / "x.csv").write_text("a,b\n1,2\n")
    result = run(db_url, "ingest", str(folder), str(LIMS), "--json")
    assert_clean_exit(result, 0, f"note: no report files in {folder}; skipped")
    assert '"status": "new"' in result.output  # the other input was ingested


def test_only_empty_directories_are_a_usage_error(db_url, tmp_path):
    folder = tmp_path / "exports"
    folder.mkdir()
    result = run(db_url, "ingest", str(folder))
    assert_clean_exit(result, EXIT_USAGE, f"no report files found in {folder}")
    assert not (tmp_path / "subsmatch.sqlite").exists()  # nothing was ingested


@pytest.mark.parametrize("zone", ["Europe/Brusels", "Mars/Olympus", "../etc", "Europe"])
def test_a_timezone_that_is_no_iana_zone_is_a_usage_error(db_url, zone):
    result = run(db_url, "ingest", str(LIMS), "--timezone", zone)
    assert_clean_exit(result, EXIT_USAGE, "unknown time zone", "IANA")


# --- findings and export options -----------------------------------------------------------------


@pytest.fixture(scope="module")
def ingested(tmp_path_factory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'subsmatch.sqlite'}"
    assert_clean_exit(run(url, "ingest", str(LIMS)), 0)
    return url


@pytest.mark.parametrize("command", ["findings", "export"])
def test_status_is_one_of_the_real_statuses(ingested, command):
    result = run(ingested, command, "--status", "bogus")
    assert_clean_exit(result, EXIT_USAGE, "'--status'", *FINDING_STATUSES)


@pytest.mark.parametrize("command", ["findings", "export"])
def test_flagged_with_status_is_a_usage_error(ingested, command):
    result = run(ingested, command, "--flagged", "--status", "not_listed")
    assert_clean_exit(result, EXIT_USAGE, "--flagged cannot be combined with --status")


@pytest.mark.parametrize("order", [["--json", "--csv"], ["--csv", "--json"]])
def test_json_and_csv_together_is_a_usage_error(ingested, order):
    result = run(ingested, "findings", *order)
    assert_clean_exit(result, EXIT_USAGE, "--json and --csv cannot be used together")


def test_findings_help_names_every_flagged_status(ingested):
    text = " ".join(run(ingested, "findings", "--help").output.split())
    assert "Only flagged findings: " + ", ".join(FLAGGED) in text
    assert "|".join(FINDING_STATUSES) in text


def test_serve_with_a_bad_db_is_a_usage_error_before_it_listens():
    """As a process with a timeout: a regression would start the server, not hang the suite."""
    result = subprocess.run(
        [sys.executable, "-m", "subsmatch.cli", "--db", "bogus://x", "serve", "--port", "8765"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == EXIT_USAGE and "--db" in result.stderr
    assert "Traceback" not in result.stderr


def test_reading_before_anything_was_ingested_says_so(tmp_path):
    """No --db and no default database yet: one message, no usage error about --db."""
    env = {"SUBSMATCH_DB": None, "XDG_DATA_HOME": str(tmp_path)}
    result = CliRunner().invoke(main, ["findings"], env=env)
    assert_clean_exit(result, 1, "no database at", "ingest something first")
    assert "--db'" not in result.output and not any(tmp_path.iterdir())


def test_a_database_from_the_environment_is_named_as_such(tmp_path):
    missing = f"sqlite:///{tmp_path / 'none.sqlite'}"
    result = CliRunner().invoke(main, ["findings"], env={"SUBSMATCH_DB": missing})
    assert_clean_exit(result, EXIT_USAGE, "SUBSMATCH_DB", "no database at")
    assert "'--db'" not in result.output


def test_hints_repeat_only_a_db_given_on_the_command_line(tmp_path):
    path = tmp_path / "extract.csv"
    rows = LIMS.read_text(encoding="utf-8-sig").splitlines()
    bad = [row.replace("/2024", "/20x4") for row in rows[1:5]]
    path.write_text("\n".join([*rows, *bad]) + "\n", encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'env.sqlite'}"
    result = CliRunner().invoke(main, ["ingest", str(path)], env={"SUBSMATCH_DB": url})
    assert_clean_exit(result, 0, "more rejections: subsmatch rejections --file")
    assert url not in result.output


def test_check_answers_even_where_the_default_database_cannot_be_made(tmp_path):
    env = {"SUBSMATCH_DB": None, "XDG_DATA_HOME": "/proc/no-such-folder"}
    result = CliRunner().invoke(main, ["check", "MDMA"], env=env)
    assert_clean_exit(result, 0, "controlled", "warning: the checks were not recorded")
