"""The option groups commands share, as decorators: one declaration, one help text each.

Light on purpose (click and the vocabulary): every command module imports it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path

import click

from subsmatch.vocabulary import FINDING_STATUSES, FLAGGED

Decorator = Callable[[Callable], Callable]


def parse_date(_ctx: click.Context, _param: click.Parameter, value: str | None) -> date | None:
    """A YYYY-MM-DD option value as a date.

    >>> parse_date(None, None, "2020-12-31"), parse_date(None, None, None)
    (datetime.date(2020, 12, 31), None)
    """
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is not a date; use YYYY-MM-DD, e.g. 2020-12-31"
        ) from None


def in_a_folder(
    _ctx: click.Context, _param: click.Parameter, value: str | Path | None
) -> str | Path | None:
    """An output path whose folder is there, checked before any work is done.

    >>> in_a_folder(None, None, Path("/no/such/folder/report.html"))
    Traceback (most recent call last):
    ...
    click.exceptions.BadParameter: the folder /no/such/folder does not exist; create it first, \
or write elsewhere
    """
    if value is None:
        return None
    folder = Path(value).expanduser().absolute().parent
    if not folder.is_dir():
        raise click.BadParameter(
            f"the folder {folder} does not exist; create it first, or write elsewhere"
        )
    return value


def _options(*options: Decorator) -> Decorator:
    """Decorators applied so that the options show in the order given."""

    def decorate(command: Callable) -> Callable:
        for option in reversed(options):
            command = option(command)
        return command

    return decorate


window_options = _options(
    click.option(
        "--since",
        metavar="DATE",
        callback=parse_date,
        help="From this day (YYYY-MM-DD, from 00:00 UTC).",
    ),
    click.option(
        "--until",
        metavar="DATE",
        callback=parse_date,
        help="Before this day (YYYY-MM-DD, to 00:00 UTC).",
    ),
)
"""--since and --until: a window of days (a finding counts when it was measured, else
ingested)."""


def _one_output(ctx: click.Context, param: click.Parameter, value: bool) -> bool:
    """Refuse --json with --csv (whichever of the two click reads second sees the other)."""
    other = "as_csv" if param.name == "as_json" else "as_json"
    if value and ctx.params.get(other):
        raise click.UsageError("--json and --csv cannot be used together; choose one", ctx)
    return value


output_options = _options(
    click.option(
        "--json", "as_json", is_flag=True, callback=_one_output, help="Print a JSON array."
    ),
    click.option("--csv", "as_csv", is_flag=True, callback=_one_output, help="Print CSV."),
)
"""--json or --csv for a command that lists rows (the default is a table for people)."""


status_options = _options(
    click.option(
        "--flagged",
        is_flag=True,
        help=f"Only flagged findings: {', '.join(FLAGGED)} (not with --status).",
    ),
    click.option(
        "--status",
        "statuses",
        multiple=True,
        type=click.Choice(FINDING_STATUSES),
        help="Only findings with this status; repeatable.",
    ),
)
"""--flagged or --status (repeatable), for the commands that read stored findings."""


home_option = click.option(
    "--home",
    metavar="CODES",
    help="The jurisdictions you answer to, e.g. BE,NL,LU,EU,UN (the default): the headline "
    "status is the strongest of these (default: $SUBSMATCH_HOME, else the config file's home).",
)
"""--home: the headline's scope (the settings' ``home``) for the commands that judge or store."""

region_option = click.option(
    "--region",
    metavar="REGION",
    help="Whose usage street names follow: Europe (Benelux first), US, global (no preference) "
    "or a country code such as NL or DE. Slang known only outside this region is not answered, "
    "only its meanings there shown (default: $SUBSMATCH_REGION, else the config file's region, "
    "else Europe).",
)
"""--region: whose street names a name query follows (the settings' ``region``), for the
commands that resolve names."""


def jurisdiction_options(
    listed: Sequence[str], rules_only: Sequence[str], *more: Decorator
) -> Decorator:
    """-j/--jurisdiction, ``more`` (--home) and --as-of, for the commands that judge substances;
    ``listed`` are the jurisdictions with lists, ``rules_only`` those known by their generic
    clauses only."""
    return _options(
        click.option(
            "-j",
            "--jurisdiction",
            "jurisdictions",
            multiple=True,
            metavar="CODE",
            help=f"Only these jurisdictions ({', '.join(listed)}; {', '.join(rules_only)}: "
            "generic clauses only), which are then the headline's scope; repeatable or "
            "comma-separated (-j BE,NL).",
        ),
        *more,
        click.option(
            "--as-of",
            callback=parse_date,
            metavar="DATE",
            help="Evaluate the lists and rules as they stood on this date (YYYY-MM-DD).",
        ),
    )


def limit_option(what: str) -> Decorator:
    """--limit: at most this many rows."""
    return click.option("--limit", type=click.IntRange(min=1), help=f"At most this many {what}.")


def json_option(help: str) -> Decorator:
    """--json for a command that prints one thing (a summary, a verdict, a case)."""
    return click.option("--json", "as_json", is_flag=True, help=help)
