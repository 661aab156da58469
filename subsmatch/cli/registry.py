"""Which module holds each command, what it does in one line, and the one error path.

``subsmatch --help`` lists the commands from :data:`COMMANDS` without importing any of them;
a command's module (and the library behind it) is imported only when the command runs or
shows its own help. :func:`load` is therefore the one place of the command line that imports
on demand. A command takes its one-line summary from here (:func:`command`, :func:`group`),
so that the summary is written once; its docstring holds the rest of its help.

Every :class:`~subsmatch.errors.UserError` that leaves a command becomes one clear message
(:func:`click_error`): an :class:`~subsmatch.errors.InvalidRequest` a usage error (exit code 2)
naming the option at fault, anything else an error (exit code 1); options are worded as flags.
So do the faults of the user's surroundings (:func:`surroundings_error`): an output that is
full (exit code 1) or closed by its reader, as ``| head`` does (a note, exit code 141 as for
any writer whose reader left), a file that cannot be written, a database that refused (a full
disk, a lock held too long). A fault of ours still shows its traceback.
"""

from __future__ import annotations

import errno
import importlib
import inspect
import os
import sys
from collections.abc import Callable
from typing import Any, NamedTuple

import click

from subsmatch.errors import InvalidRequest, UserError, command_line


class Entry(NamedTuple):
    module: str
    summary: str


COMMANDS = {
    "check": Entry(
        "subsmatch.cli.check",
        "Resolve each QUERY and say whether, where and since when it is controlled.",
    ),
    "explain": Entry(
        "subsmatch.cli.explain",
        "Print the whole reasoning for one substance: resolution, lists, rules, neighbours.",
    ),
    "lists": Entry(
        "subsmatch.cli.check",
        "Show the jurisdictions, lists, entry counts and the date each is complete to.",
    ),
    "reference": Entry(
        "subsmatch.cli.reference",
        "What the reference holds per list and what its build could not settle (audit).",
    ),
    "ingest": Entry(
        "subsmatch.cli.ingest",
        "Read lab and field-device reports, resolve every hit and store it with its verdict.",
    ),
    "rematch": Entry(
        "subsmatch.cli.ingest",
        "Re-evaluate stored findings against the current reference data and rules.",
    ),
    "match": Entry(
        "subsmatch.cli.match",
        "Resolve and match a whole findings table (Parquet) and write it with verdict columns.",
    ),
    "findings": Entry(
        "subsmatch.cli.findings",
        "List stored findings with their verdicts (all that match unless --limit).",
    ),
    "show": Entry("subsmatch.cli.findings", "Show one case: every analysis, hit and verdict."),
    "rejections": Entry(
        "subsmatch.cli.findings",
        "List stored rejections: rows that became no finding, where and why (newest files first).",
    ),
    "search": Entry(
        "subsmatch.cli.findings", "Search stored findings by substructure or by similarity."
    ),
    "export": Entry(
        "subsmatch.cli.findings",
        "Export stored findings with their verdicts (CSV, JSON, Parquet or SDF).",
    ),
    "trends": Entry(
        "subsmatch.cli.analysis",
        "Counts of findings per substance (or class) over time, with what is new.",
    ),
    "alerts": Entry(
        "subsmatch.cli.analysis", "Substances that cross a threshold, with the cases behind each."
    ),
    "report": Entry(
        "subsmatch.cli.analysis",
        "Write one self-contained HTML report: trends, alerts, new substances, evidence.",
    ),
    "serve": Entry(
        "subsmatch.cli.service",
        "Run the HTTP API and the web page (OpenAPI description at /openapi.json).",
    ),
    "tokens": Entry(
        "subsmatch.cli.access",
        "Manage API tokens of the service (roles: customs, lab, analyst, admin).",
    ),
    "audit": Entry(
        "subsmatch.cli.access",
        "The audit trail of the service: who checked or uploaded what, when, from which token.",
    ),
}
"""Every command: the module that defines it (under the command's name, ``-`` as ``_``)."""


def load(target: str) -> Any:
    """The object ``module:attribute`` names, its module imported now (not at start-up)."""
    module, _, attribute = target.partition(":")
    return getattr(importlib.import_module(module), attribute)


def click_error(error: UserError, ctx: click.Context | None) -> click.ClickException:
    """The command line's words for an error the user can fix."""
    message = error.worded(command_line)
    if not isinstance(error, InvalidRequest):
        return click.ClickException(message)
    if error.option is None:
        return click.UsageError(message, ctx)
    hint = f"'{command_line(error.option, None)}'"
    if error.option == "db" and ctx is not None and not ctx.find_root().obj["db_given"]:
        hint = "SUBSMATCH_DB"  # the database came from the environment, not the flag
    return click.BadParameter(message, ctx, param_hint=hint)


EXIT_OUTPUT_CLOSED = 141  # 128 + SIGPIPE: what a shell reports for a writer whose reader left


class OutputClosed(click.ClickException):
    """The reader of standard output went away before all was written (``| head``)."""

    exit_code = EXIT_OUTPUT_CLOSED

    def __init__(self) -> None:
        super().__init__("the output was closed before all of it was written (by | head?)")

    def show(self, file: Any = None) -> None:
        click.echo(f"note: {self.message}", err=True)


def surroundings_error(error: Exception) -> click.ClickException | None:
    """The command line's words for a fault of the user's surroundings (see above); None for
    anything else. Standard output, once it failed, is sent to the null device, so that
    Python's last flush at exit does not fail a second time."""
    if isinstance(error, OSError) and error.filename is None:
        _silence_stdout()
    if isinstance(error, BrokenPipeError):
        return OutputClosed()
    if isinstance(error, OSError):
        reason = error.strerror or str(error)
        if error.filename is not None:
            return click.ClickException(f"cannot write {error.filename}: {reason}")
        if error.errno == errno.ENOSPC:
            reason += ": the disk or device is full"
        return click.ClickException(f"cannot write the output: {reason}")
    # sqlalchemy is loaded by the commands that use a database, and only by them
    if "sqlalchemy.exc" in sys.modules and isinstance(
        error, load("sqlalchemy.exc:OperationalError")
    ):
        reason, fix = load("subsmatch.operations.database:failure")(error)
        return click.ClickException(f"{reason}; {fix}")
    return None


def _silence_stdout() -> None:
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, sys.stdout.fileno())
        os.close(null)
    except (OSError, ValueError, AttributeError):  # no file descriptor (a test's capture)
        pass


class Command(click.Command):
    """A command whose errors take the one error path; what it printed is flushed inside it,
    so that an output that fails fails here."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            try:
                return super().invoke(ctx)
            finally:
                sys.stdout.flush()
        except UserError as error:
            raise click_error(error, ctx) from None
        except Exception as error:
            worded = surroundings_error(error)
            if worded is None:
                raise
            raise worded from None


class Group(click.Group):
    """A group of commands (``tokens``) whose commands take the one error path."""

    command_class = Command


def command(name: str, **attrs: Any) -> Callable[[Callable], Command]:
    """A command registered in :data:`COMMANDS`: its help is the summary, then the docstring."""
    return _made(name, click.command, Command, attrs)


def group(name: str, **attrs: Any) -> Callable[[Callable], Group]:
    """A group registered in :data:`COMMANDS`, like :func:`command`."""
    return _made(name, click.group, Group, attrs)


def _made(name: str, make: Callable, cls: type, attrs: dict) -> Callable:
    summary = COMMANDS[name].summary

    def decorate(function: Callable) -> click.Command:
        details = inspect.cleandoc(function.__doc__ or "")
        return make(name, cls=cls, help=f"{summary}\n\n{details}", **attrs)(function)

    return decorate


class LazyGroup(click.Group):
    """The root group: commands are imported when one runs, listed from :data:`COMMANDS`."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        entry = COMMANDS.get(name)
        if entry is None:
            return None
        return load(f"{entry.module}:{name.replace('-', '_')}")

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The commands and their summaries, shortened as click shortens them (an unloaded
        stand-in per command gives the same short help as the command would)."""
        limit = formatter.width - 6 - max(len(name) for name in COMMANDS)
        rows = [
            (name, click.Command(name, help=COMMANDS[name].summary).get_short_help_str(limit))
            for name in sorted(COMMANDS)
        ]
        with formatter.section("Commands"):
            formatter.write_dl(rows)
