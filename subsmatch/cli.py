"""The command line: parses options, calls the library, prints. No chemistry, no SQL here.

Exit codes of ``check``: 0 every query was resolved and evaluated; 2 usage error; 3 at least
one query named no known substance (unresolved); 4 at least one query was malformed (a SMILES,
InChI or molfile that cannot be read, a CAS number with a wrong check digit).
"""

from __future__ import annotations

import json
import sys
from datetime import date

import click

from subsmatch import __version__

EXIT_UNRESOLVED = 3
EXIT_INVALID = 4

STATUS_STYLE = {
    "controlled": "red",
    "precursor": "yellow",
    "generic": "red",
    "analogue": "magenta",
    "not_listed": "green",
    "unresolved": "cyan",
}


def _data_version() -> str:
    from subsmatch.reference.lists import load

    return load().version


def _print_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if not value or ctx.resilient_parsing:
        return
    click.echo(f"subsmatch {__version__}, reference data {_data_version()}")
    ctx.exit()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
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
    help="Database URL (default: SQLite in the user data directory; env SUBSMATCH_DB).",
)
@click.pass_context
def main(ctx: click.Context, db: str | None) -> None:
    """Identify substances in drug reports and tell whether they are controlled.

    \b
    Example:
        subsmatch check "MDMA HCl" 3-MMC "CN1CCC[C@H]1c1cccnc1" --json
    """
    ctx.obj = {"db": db}


def _parse_date(_ctx: click.Context, _param: click.Parameter, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is not a date; use YYYY-MM-DD, e.g. 2020-12-31"
        ) from None


def _jurisdictions(values: tuple[str, ...]) -> tuple[str, ...]:
    from subsmatch.reference.lists import JURISDICTIONS

    if not values:
        return JURISDICTIONS
    codes = tuple(dict.fromkeys(v.upper() for v in values))
    unknown = [c for c in codes if c not in JURISDICTIONS]
    if unknown:
        raise click.BadParameter(
            f"unknown jurisdiction {', '.join(unknown)}; choose from {', '.join(JURISDICTIONS)}",
            param_hint="--jurisdiction",
        )
    return codes


def _read_queries(queries: tuple[str, ...]) -> list[str]:
    out: list[str] = []
    for query in queries:
        if query == "-":
            out += [line.strip() for line in sys.stdin if line.strip()]
        else:
            out.append(query)
    return out


@main.command()
@click.argument("queries", nargs=-1, required=True, metavar="QUERY...")
@click.option(
    "-j",
    "--jurisdiction",
    "jurisdictions",
    multiple=True,
    metavar="CODE",
    help="Only these jurisdictions (UN, EU, BE, NL, DE, US, CN); repeatable.",
)
@click.option(
    "--as-of",
    callback=_parse_date,
    metavar="DATE",
    help="Evaluate the lists as they stood on this date (YYYY-MM-DD).",
)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per query (an array).")
@click.option("--no-opsin", is_flag=True, help="Do not convert systematic names with OPSIN.")
@click.option("--no-record", is_flag=True, help="Do not store the checks in the database.")
@click.pass_context
def check(
    ctx: click.Context,
    queries: tuple[str, ...],
    jurisdictions: tuple[str, ...],
    as_of: date | None,
    as_json: bool,
    no_opsin: bool,
    no_record: bool,
) -> None:
    """Resolve each QUERY and say whether, where and since when it is controlled.

    QUERY is a name (street names and codes too), a CAS number, SMILES, InChI or InChIKey;
    "-" reads one query per line from standard input.

    \b
    Exit codes: 0 all resolved, 3 some unresolved, 4 some malformed, 2 usage error.

    \b
    Examples:
        subsmatch check "MDMA HCl" 4-CMC "Fentanyl citrate"
        subsmatch check 50-36-2 --jurisdiction NL --jurisdiction DE --as-of 2016-01-01
        cut -f3 hits.tsv | subsmatch check - --json
    """
    from subsmatch.matchers.checker import Checker
    from subsmatch.reports.verdicts import verdict_to_dict

    codes = _jurisdictions(jurisdictions)
    texts = _read_queries(queries)
    if not texts:
        raise click.UsageError("no query given (standard input was empty)")
    checker = Checker(use_opsin=not no_opsin)
    verdicts = checker.check(texts, codes, as_of)
    rows = [verdict_to_dict(v, checker.reference) for v in verdicts]
    if as_json:
        click.echo(json.dumps(rows[0] if len(rows) == 1 else rows, indent=2, ensure_ascii=False))
    else:
        for row in rows:
            _echo_verdict(row)
    if not no_record:
        _record(ctx, rows)
    for row in rows:
        if row["error"] and not row["resolved"]:
            click.echo(f"error: {row['query']!r}: {row['error']}", err=True)
    if any(v.resolution.invalid_input for v in verdicts):
        ctx.exit(EXIT_INVALID)
    if any(row["status"] == "unresolved" for row in rows):
        ctx.exit(EXIT_UNRESOLVED)


def _record(ctx: click.Context, rows: list[dict]) -> None:
    from sqlalchemy.exc import SQLAlchemyError

    from subsmatch.store.checks import record_checks
    from subsmatch.store.engine import make_engine

    try:
        record_checks(make_engine(ctx.obj["db"]), rows)
    except SQLAlchemyError as error:
        click.echo(
            f"warning: the checks were not recorded ({error.__class__.__name__}: "
            f"{error.orig if hasattr(error, 'orig') else error}); check --db or use "
            "--no-record",
            err=True,
        )


def _echo_verdict(row: dict) -> None:
    status = row["status"]
    resolved = row["resolved"]
    head = click.style(f"[{status}]", fg=STATUS_STYLE.get(status), bold=True)
    if resolved:
        how = f"via {resolved['via']}, confidence {resolved['confidence']:.2f}"
        if resolved["form"]:
            how += f", form: {' '.join(resolved['form'])}"
        if resolved["alternatives"]:
            how += ", AMBIGUOUS: also " + ", ".join(a["name"] for a in resolved["alternatives"])
        click.echo(f"{row['query']}  ->  {resolved['name']}  {head}  ({how})")
    else:
        click.echo(f"{row['query']}  ->  {head}  {row['error'] or ''}")
    for note in row["notes"]:
        click.echo(f"    note: {note}")
    for j in row["jurisdictions"]:
        lists = sorted({(e["list"], e["since"] or "") for e in j["entries"]})
        text = "; ".join(name + (f" (since {since})" if since else "") for name, since in lists)
        click.echo(f"    {j['code']:<3} {j['status']:<11} {text}")
    for rel in row["related"]:
        click.echo(f"    not applied: {rel['name']} ({rel['relation']}): {rel['reason']}")


@main.command("lists")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def lists_command(as_json: bool) -> None:
    """Show the jurisdictions, lists, entry counts and the date each is complete to.

    \b
    Example:
        subsmatch lists --json
    """
    from dataclasses import asdict

    from subsmatch.reference.lists import load

    reference = load()
    infos = [asdict(i) for i in reference.lists]
    if as_json:
        click.echo(json.dumps({"data_version": reference.version, "lists": infos}, indent=2))
        return
    click.echo(f"reference data {reference.version}")
    width = max(len(i["list"]) for i in infos)
    click.echo(f"{'code':<5}{'list':<{width + 2}}{'kind':<13}{'entries':>8}  complete to")
    for i in infos:
        click.echo(
            f"{i['jurisdiction']:<5}{i['list']:<{width + 2}}{i['kind']:<13}"
            f"{i['entries']:>8}  {i['complete_to'] or '-'}"
        )


if __name__ == "__main__":
    main()
