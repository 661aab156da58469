"""The command line in a hostile world: input in another encoding, an output folder that is not
there, a reader that leaves (``| head``), a full output or disk, a file name never ingested, and
names carrying terminal escape sequences. One clear message each, never a traceback."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy.exc import OperationalError

from subsmatch.cli import main
from subsmatch.cli.registry import EXIT_OUTPUT_CLOSED, surroundings_error
from subsmatch.operations.check import queries_in
from subsmatch.store.engine import failure

EXAMPLES = Path(__file__).parents[1] / "subsmatch" / "examples"
LIMS = EXAMPLES / "lims_case_extract.csv"
EXIT_USAGE = 2
ESCAPES = "\x1b[2J\x1b]0;owned\x07"  # clear the screen, set the window title


def run(*args: str, **kwargs):
    result = CliRunner().invoke(main, list(args), **kwargs)
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


def subsmatch(*args: str, **kwargs) -> subprocess.Popen:
    """The real program in a process (pipes and file descriptors as a shell gives them)."""
    program = Path(sys.executable).with_name("subsmatch")
    return subprocess.Popen([str(program), *args], **kwargs)


# --- check - with --encoding -----------------------------------------------------------------


def test_check_reads_piped_cp1252_with_encoding() -> None:
    piped = "MDMA\r\nCaféine\r\n\r\n".encode("cp1252")
    result = run("check", "-", "--encoding", "cp1252", "--json", "--no-record", input=piped)
    assert [row["query"] for row in json.loads(result.stdout)] == ["MDMA", "Caféine"]


def test_check_without_encoding_names_the_line_and_the_option() -> None:
    result = run("check", "-", "--no-record", input="MDMA\nCaféine\n".encode("cp1252"))
    assert result.exit_code == 1
    assert "standard input is not UTF-8 text: line 2 has the byte 0xe9" in result.output
    assert "--encoding cp1252" in result.output


def test_check_refuses_an_encoding_that_is_no_text_encoding() -> None:
    result = run("check", "-", "--encoding", "nonesuch", "--no-record", input=b"MDMA\n")
    assert result.exit_code == EXIT_USAGE and "--encoding" in result.output


def test_queries_in_takes_a_byte_order_mark_and_any_line_ending() -> None:
    data = "\ufeffMDMA\r4-CMC\r\nα-PVP\n".encode("utf-16")
    assert queries_in(data) == ["MDMA", "4-CMC", "α-PVP"]


# --- --out in a folder that does not exist ----------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["report", "--out"],
        ["export", "--format", "csv", "--out"],
        ["explain", "MDMA", "--svg"],
    ],
    ids=["report", "export", "explain"],
)
def test_an_output_in_a_missing_folder_is_a_usage_error(
    db_url: str, tmp_path: Path, args: list[str]
) -> None:
    target = tmp_path / "no" / "such" / "out.file"
    result = run("--db", db_url, *args, str(target))
    assert result.exit_code == EXIT_USAGE
    assert f"the folder {target.parent} does not exist" in result.output
    assert not target.parent.exists()


# --- a reader that leaves, an output that is full ---------------------------------------------


def test_a_reader_that_leaves_gets_a_note_not_a_traceback() -> None:
    """``subsmatch check ... | head -c0``: the pipe is closed before the verdicts are written."""
    process = subsmatch(
        "check", "MDMA", "4-CMC", "--json", "--no-record",
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    process.stdout.close()  # the reader leaves at once
    error = process.stderr.read().decode()
    assert process.wait(timeout=120) == EXIT_OUTPUT_CLOSED
    assert "Traceback" not in error and "the output was closed" in error


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_a_full_output_says_it_is_full() -> None:
    with open("/dev/full", "wb") as full:
        process = subsmatch("check", "MDMA", "--no-record", stdout=full, stderr=subprocess.PIPE)
        error = process.stderr.read().decode()
    assert process.wait(timeout=120) == 1
    assert "Traceback" not in error
    assert "cannot write the output" in error and "full" in error


def _disk_full_error(tmp_path: Path) -> sqlite3.OperationalError:
    """A real SQLITE_FULL: a database allowed no more pages than it has."""
    connection = sqlite3.connect(tmp_path / "full.sqlite")
    connection.execute("CREATE TABLE t (x TEXT)")
    connection.execute("PRAGMA max_page_count = 2")
    try:
        connection.execute("INSERT INTO t VALUES (?)", ("x" * 100_000,))
    except sqlite3.OperationalError as error:
        return error
    finally:
        connection.close()
    raise AssertionError("the insert should have found no room")


def test_a_full_disk_is_said_to_be_full_not_busy(tmp_path: Path) -> None:
    error = OperationalError("INSERT", {}, _disk_full_error(tmp_path))
    reason, fix = failure(error)
    assert reason.startswith("the disk is full") and "busy" not in reason
    assert fix == "free some space, then try again"
    worded = surroundings_error(error)
    assert worded is not None and worded.message.startswith("the disk is full")
    locked = OperationalError("INSERT", {}, sqlite3.OperationalError("database is locked"))
    assert failure(locked)[0].startswith("the database stayed busy")


# --- rejections of a file never ingested ------------------------------------------------------


def test_rejections_of_a_file_never_ingested_says_so(db_url: str) -> None:
    assert run("--db", db_url, "ingest", str(LIMS)).exit_code == 0
    missing = run("--db", db_url, "rejections", "--file", "never_ingested.csv")
    assert missing.exit_code == 1
    assert "no file named 'never_ingested.csv' was ever ingested" in missing.output
    known = run("--db", db_url, "rejections", "--file", LIMS.name)
    assert known.exit_code == 0 and "never" not in known.output


# --- control characters on a terminal ---------------------------------------------------------


def test_names_from_reports_cannot_drive_the_terminal(db_url: str, tmp_path: Path) -> None:
    rows = LIMS.read_text(encoding="utf-8-sig").splitlines()
    header, first = rows[0], rows[1].replace("MDMA", "MDMA" + ESCAPES)
    hostile = tmp_path / "hostile.csv"
    hostile.write_text(f"{header}\n{first}\n", encoding="utf-8")
    assert run("--db", db_url, "ingest", str(hostile)).exit_code == 0
    # color=True: the output as a terminal gets it (our own colours stay, theirs may not)
    table = run("--db", db_url, "findings", color=True).output
    assert "\x1b[2J" not in table and "\x07" not in table
    assert "MDMA\\x1b[2J\\x1b]0;owned\\x07" in table
    checked = run("check", "MDMA" + ESCAPES, "--no-record", color=True).output
    assert "\x1b[2J" not in checked and "\x07" not in checked
    assert "MDMA\\x1b[2J" in checked


def test_json_keeps_the_text_escaped_the_json_way() -> None:
    result = run("check", "MDMA\x1b[2J", "--json", "--no-record")
    assert "\x1b" not in result.stdout
    assert json.loads(result.stdout)["query"] == "MDMA\x1b[2J"


def test_the_same_file_again_points_to_force(db_url: str) -> None:
    assert run("--db", db_url, "ingest", str(LIMS)).exit_code == 0
    again = run("--db", db_url, "ingest", str(LIMS))
    assert again.exit_code == 0
    assert "already ingested (version 1); nothing changed" in again.output
    assert "add --force" in again.output
    forced = run("--db", db_url, "ingest", "--force", str(LIMS))
    assert "new (version 2" in forced.output
