"""Commands that read stored findings: findings, show, rejections, search, export."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import click

from subsmatch.cli.database import engine
from subsmatch.cli.options import (
    home_option,
    in_a_folder,
    json_option,
    limit_option,
    output_options,
    status_options,
    window_options,
)
from subsmatch.cli.output import echo_json, printable, safe, styled
from subsmatch.cli.registry import command
from subsmatch.cli.rows import emit, findings_table
from subsmatch.errors import command_line, word
from subsmatch.operations import findings as stored
from subsmatch.operations.check import home as home_of
from subsmatch.operations.findings import EXPORT_FORMATS, SEARCH_ENGINES, utc_text
from subsmatch.vocabulary import counted

case_option = click.option("--case", metavar="ID", help="Only this case.")


@command("findings")
@status_options
@home_option
@case_option
@window_options
@limit_option("findings")
@output_options
@click.pass_context
def findings(
    ctx: click.Context,
    flagged: bool,
    statuses: tuple[str, ...],
    home: str | None,
    case: str | None,
    since: date | None,
    until: date | None,
    limit: int | None,
    as_json: bool,
    as_csv: bool,
) -> None:
    """A finding counts from when it was measured, else ingested.

    \b
    Examples:
        subsmatch findings --flagged
        subsmatch findings --flagged --home BE,NL,LU,EU,UN,US
        subsmatch findings --case 24-01873 --csv > case.csv
    """
    at = home_of(home)
    chosen = stored.selection(
        flagged=flagged, statuses=statuses, case=case, since=since, until=until, home=at
    )
    rows = [stored.brief(row) for row in stored.findings(engine(ctx), chosen, limit)]
    emit(rows, as_json, as_csv, findings_table)


@command("show")
@click.argument("case")
@json_option("Print JSON.")
@click.pass_context
def show(ctx: click.Context, case: str, as_json: bool) -> None:
    """\b
    Example:
        subsmatch show 24-01873
    """
    found = stored.case(engine(ctx), case)
    rows, rejected = found.findings, found.rejections
    if as_json:
        echo_json(stored.json_safe(rows))
        return
    rows = printable(rows)
    click.secho(f"Case {safe(case)}", bold=True)
    item = None
    for row in rows:
        if row["item_id"] != item:
            item = row["item_id"]
            device = " ".join(filter(None, (row["vendor"], row["model"])))
            click.echo(
                f"  item {item or '-'}  {row['technique'] or ''} {device}  "
                f"{row['context'] or ''}  measured {measured(row)}  "
                f"device verdict: {row['verdict_raw'] or row['device_verdict']}"
            )
        scores = ", ".join(f"{s['name']} {s['value']:g}" for s in row["scores"])
        click.echo(
            f"    {row['rank'] or '-':>2} {styled(row['status'], 10, bold=None)} "
            f"{row['name'] or '-'}"
            + (f" -> {row['resolved_name']}" if row["resolved_name"] else "")
            + (f" ({scores})" if scores else "")
        )
        for listed in stored.brief(row)["lists"]:
            click.echo(f"         {listed}")
    for row in rejected:  # rows of the case that became no finding
        click.echo(f"    rejected {row['locator']}: {word(row['reason'], command_line)}")


def measured(row: dict) -> str:
    """When an analysis was made: as printed in the report, and in UTC as stored.

    >>> from datetime import datetime
    >>> measured({"measured_at": datetime(2024, 3, 13, 23), "measured_at_raw": "14/03/2024"})
    '14/03/2024 (2024-03-13T23:00:00+00:00)'
    """
    stored_at, printed = utc_text(row["measured_at"]), row["measured_at_raw"]
    if stored_at and printed:
        return f"{printed} ({stored_at})"
    return stored_at or printed or "-"


@command("rejections")
@click.option(
    "--file", "source", metavar="NAME", help="Only this file (its name as ingested, or its end)."
)
@limit_option("rejections")
@output_options
@click.pass_context
def rejections(
    ctx: click.Context, source: str | None, limit: int | None, as_json: bool, as_csv: bool
) -> None:
    """\b
    Examples:
        subsmatch rejections --file lims_export.csv
        subsmatch rejections --csv > rejected.csv
    """
    rows = [
        {**row, "reason": word(row["reason"], command_line)}
        for row in stored.rejections(engine(ctx), source, limit)
    ]
    emit(rows, as_json, as_csv, rejections_table)
    if source and not rows and not as_json:
        click.echo(f"every row read from {safe(source)} became a finding", err=True)


def rejections_table(rows: list[dict]) -> None:
    for row in rows:
        click.echo(f"{row['locator']}: {row['reason']}")
    click.echo(counted(len(rows), "rejection"), err=True)


@command("search")
@click.option("--substructure", metavar="SMARTS", help="Findings whose structure holds this.")
@click.option("--similar", metavar="SMILES", help="Findings similar to this structure.")
@click.option(
    "--min",
    "minimum",
    type=click.FloatRange(0, 1),
    default=0.6,
    show_default=True,
    help="Smallest Tanimoto similarity (Morgan radius 2, 2048 bits) for --similar.",
)
@click.option(
    "--engine",
    "where",
    type=click.Choice(SEARCH_ENGINES),
    default="auto",
    show_default=True,
    help="auto: inside PostgreSQL when the RDKit cartridge is there, else in process.",
)
@limit_option("findings")
@output_options
@click.pass_context
def search(
    ctx: click.Context,
    substructure: str | None,
    similar: str | None,
    minimum: float,
    where: str,
    limit: int | None,
    as_json: bool,
    as_csv: bool,
) -> None:
    """A similarity search lists the most similar first, each line led by its similarity.

    \b
    Examples:
        subsmatch search --substructure "O=C(c1ccccc1)C(C)N"
        subsmatch search --similar "CNC(C)C(=O)c1ccc(Cl)cc1" --min 0.6 --json
    """
    stored.check_search(substructure, similar)  # before the database is opened
    found = stored.search(
        engine(ctx),
        substructure=substructure,
        similar=similar,
        minimum=minimum,
        where=where,
        limit=limit,
    )
    click.echo(
        f"searched {'in the database (RDKit cartridge)' if found.in_database else 'in process'}"
        f"; {counted(found.structures, 'structure')} match",
        err=True,
    )
    emit(found.rows, as_json, as_csv, findings_table)


@command("export")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(EXPORT_FORMATS),
    default="csv",
    show_default=True,
    help="Output format.",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    callback=in_a_folder,
    help="Write to this file (required for parquet); default standard output.",
)
@status_options
@case_option
@window_options
@click.pass_context
def export(
    ctx: click.Context,
    fmt: str,
    out: Path | None,
    flagged: bool,
    statuses: tuple[str, ...],
    case: str | None,
    since: date | None,
    until: date | None,
) -> None:
    """CSV cells that a spreadsheet would run as a formula are neutralised. SDF carries each
    structure with the verdict as properties. A finding counts from when it was measured,
    else ingested.

    \b
    Examples:
        subsmatch export --format csv --flagged > flagged.csv
        subsmatch export --format parquet --out findings.parquet
        subsmatch export --format sdf --status analogue --out new_substances.sdf
    """
    chosen = stored.selection(
        flagged=flagged, statuses=statuses, case=case, since=since, until=until
    )
    count = stored.export(engine(ctx), chosen, fmt, out or sys.stdout)
    click.echo(f"exported {counted(count, 'finding')}" + (f" to {out}" if out else ""), err=True)
