"""The command line: parses options, calls the operations (:mod:`subsmatch.operations`), prints.

One module per command group (``check``, ``ingest``, ``findings``, ``analysis``, ``service``),
the option groups they share in :mod:`~subsmatch.cli.options`, what they print alike in
:mod:`~subsmatch.cli.output`. Commands are loaded when they run (:mod:`~subsmatch.cli.registry`),
so that ``subsmatch --help`` imports no chemistry and ``subsmatch check`` no database code
it does not use.

Exit codes of ``check``: 0 every query was resolved and evaluated; 2 usage error; 3 at least
one query named no known substance (unresolved); 4 at least one query was malformed (a SMILES,
InChI or molfile that cannot be read, a CAS number with a wrong check digit). ``ingest`` exits
with 1 when a file could not be read at all.
"""

from __future__ import annotations

import gc

import click

from subsmatch import __version__
from subsmatch.cli.registry import LazyGroup, load

EXIT_UNREADABLE_FILE = 1
EXIT_UNRESOLVED = 3
EXIT_INVALID = 4


def _print_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if not value or ctx.resilient_parsing:
        return
    data_version = load("subsmatch.operations.check:data_version")()
    click.echo(f"subsmatch {__version__}, reference data {data_version}")
    ctx.exit()


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_print_version,
    help="Print the tool and reference-data versions.",
)
@click.option(
    "--db",
    envvar="SUBSMATCH_DB",
    metavar="URL",
    help="Database URL: sqlite:///PATH or postgresql+psycopg://USER@HOST/NAME (default: "
    "SQLite in the user data directory; env SUBSMATCH_DB).",
)
@click.pass_context
def main(ctx: click.Context, db: str | None) -> None:
    """Identify substances in drug reports and tell whether they are controlled.

    \b
    Example:
        subsmatch check "MDMA HCl" 3-MMC "CN1CCC[C@H]1c1cccnc1" --json
    """
    given = ctx.get_parameter_source("db") is click.core.ParameterSource.COMMANDLINE
    ctx.obj = {"db": db, "db_given": given}  # else from SUBSMATCH_DB, or the default


def run() -> None:
    """The ``subsmatch`` console script: the command, then an exit without a last full garbage
    collection, which would scan the reference and every cache (a third of a second after an
    ingest) to free memory that the operating system takes back anyway. Connections and files
    are closed by the commands themselves."""
    try:
        main()
    finally:
        gc.freeze()
