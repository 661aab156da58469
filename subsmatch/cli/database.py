"""The database a command uses: --db, else SUBSMATCH_DB, else the default SQLite file."""

from __future__ import annotations

import click
from sqlalchemy import Engine

from subsmatch.errors import InvalidRequest, UserError, command_line
from subsmatch.operations.database import DatabaseUnavailable, make_engine, shown_url
from subsmatch.operations.recording import DatabaseError, record


def engine(ctx: click.Context, *, create: bool = False) -> Engine:
    """The command's database, closed when the command ends (SQLite folds its WAL back).

    Only the commands that store something ``create`` it: the others refuse a SQLite path
    where there is no database (a mistyped --db) instead of creating an empty one. A --db or
    SUBSMATCH_DB that names no usable database is a usage error; the default database that is
    not there (nothing was ingested yet) is an error.
    """
    url = ctx.find_root().obj["db"]
    try:
        made = make_engine(url, create=create)
    except DatabaseUnavailable as error:
        if url is None:
            raise UserError(str(error), "SUBSMATCH_DB or {db} choose another") from None
        raise InvalidRequest(str(error), option="db") from None
    ctx.call_on_close(made.dispose)
    return made


def given_url(ctx: click.Context) -> str | None:
    """The --db given on the command line, as it may be repeated in a hint (no password)."""
    obj = ctx.find_root().obj
    return shown_url(obj["db"]) if obj["db_given"] else None


def record_checks(ctx: click.Context, rows: list) -> None:
    """Store the checks; a database that cannot take them is a warning (the answers stand)."""
    try:
        record(engine(ctx, create=True), rows)
    except UserError as error:  # a bad --db, or a default database it cannot make
        click.echo(
            f"warning: the checks were not recorded: {error.worded(command_line)} "
            "(or use --no-record)",
            err=True,
        )
    except DatabaseError as error:
        click.echo(
            f"warning: the checks were not recorded ({error.__class__.__name__}: "
            f"{error.orig if hasattr(error, 'orig') else error}); check --db or use --no-record",
            err=True,
        )
