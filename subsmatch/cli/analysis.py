"""Commands that say what the stored findings mean over time: trends, alerts, report."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from subsmatch.cli.database import engine
from subsmatch.cli.options import in_a_folder, output_options, window_options
from subsmatch.cli.registry import command
from subsmatch.cli.rows import emit
from subsmatch.operations import analysis
from subsmatch.operations.analysis import Gap, columns
from subsmatch.operations.check import home_checker
from subsmatch.vocabulary import counted

period_option = click.option(
    "--by",
    type=click.Choice(tuple(analysis.PERIODS)),
    default="month",
    show_default=True,
    help="Period length.",
)
country_option = click.option("--country", metavar="C", help="Only findings from this country.")
context_option = click.option(
    "--context", type=click.Choice(tuple(analysis.CONTEXT_GROUPS)), help="Only field or lab."
)


@command("trends")
@period_option
@window_options
@country_option
@context_option
@click.option("--classes", is_flag=True, help="Per substance class instead of per substance.")
@output_options
@click.pass_context
def trends(
    ctx: click.Context,
    by: str,
    since: date | None,
    until: date | None,
    country: str | None,
    context: str | None,
    classes: bool,
    as_json: bool,
    as_csv: bool,
) -> None:
    """The window is a year before the newest dated finding unless --since is given.
    Flags: "new" (first seen in this database inside the window), "unlisted" (an analogue, or
    unresolved with a structure), "recently_listed" (first listed inside the window).
    Findings whose report gave no time are counted apart ("undated"), whatever the window,
    never at the day they were ingested. The table's columns are the window's periods in
    order; a run of periods without any finding is one column, "(N empty)".

    \b
    Examples:
        subsmatch trends --by quarter --since 2024-01-01
        subsmatch trends --context field --country NL --classes --csv
    """
    found = analysis.trends(
        engine(ctx), by=by, since=since, until=until, country=country, context=context
    )
    rows = [t.to_dict() for t in (found.classes if classes else found.substances)]
    if as_csv:  # long format: one row per period, and one for the undated
        rows = [
            {
                **{k: v for k, v in r.items() if k not in ("counts", "undated")},
                "flags": " ".join(r["flags"]),
                "period": period,
                "count": n,
            }
            for r in rows
            for period, n in [*sorted(r["counts"].items()), ("undated", r["undated"])]
            if n
        ]
    emit(rows, as_json, as_csv, lambda shown: trends_table(shown, found.periods))


PERIODS_SHOWN = 8  # columns of the table; --json and --csv have them all


def trends_table(rows: list[dict], periods: list[str]) -> None:
    """The window's periods as columns (a run of empty ones as one), the newest last; names
    whole, however long."""
    used = {p for r in rows for p in r["counts"]}
    shown = columns(periods, used, PERIODS_SHOWN)
    undated = any(r["undated"] for r in rows)
    name_width = max([len(r["name"]) for r in rows] + [len("substance")]) + 2
    class_width = max([len(r["class"]) for r in rows] + [len("class")]) + 2
    click.echo(
        f"{'substance':<{name_width}}{'class':<{class_width}}{'first seen':<12}{'total':>6}  "
        + "".join(f"{p!s:>11}" for p in shown)
        + (f"{'undated':>9}" if undated else "")
        + "  flags"
    )
    for r in rows:
        click.echo(
            f"{r['name']:<{name_width}}{r['class']:<{class_width}}"
            f"{r['first_seen'] or 'undated':<12}{r['total']:>6}  "
            + "".join(f"{'·' if isinstance(p, Gap) else r['counts'].get(p, 0):>11}" for p in shown)
            + (f"{r['undated']:>9}" if undated else "")
            + "  "
            + " ".join(r["flags"])
        )
    if len(columns(periods, used)) > len(shown):
        click.echo(
            f"(the last {len(shown)} columns of {len(periods)} periods; --json or --csv for all)",
            err=True,
        )


@command("alerts")
@click.option(
    "--window",
    "window_days",
    type=click.IntRange(min=1),
    default=30,
    show_default=True,
    help="Days within which cases or sources are counted.",
)
@click.option("--min-cases", type=click.IntRange(min=1), default=3, show_default=True)
@click.option("--min-sources", type=click.IntRange(min=1), default=3, show_default=True)
@country_option
@output_options
@click.pass_context
def alerts(
    ctx: click.Context,
    window_days: int,
    min_cases: int,
    min_sources: int,
    country: str | None,
    as_json: bool,
    as_csv: bool,
) -> None:
    """New unlisted analogues; flagged substances seen in N cases or N sources within a window;
    field-device hits that no lab analysis of the same item has confirmed.

    \b
    Examples:
        subsmatch alerts
        subsmatch alerts --window 14 --min-cases 2 --json
    """
    found = analysis.alerts(
        engine(ctx),
        window_days=window_days,
        min_cases=min_cases,
        min_sources=min_sources,
        country=country,
    )
    rows = [a.to_dict() for a in found]
    if as_csv:
        rows = [
            {**r, "cases": " ".join(r["cases"]), "sources": " ".join(r["sources"])} for r in rows
        ]
    emit(rows, as_json, as_csv, alerts_table)


def alerts_table(rows: list[dict]) -> None:
    for r in rows:
        click.echo(click.style(f"{r['kind']:<22}", bold=True) + f" {r['name']} [{r['status']}]")
        click.echo(f"    {r['reason']}")
        click.echo(f"    cases: {', '.join(r['cases']) or '-'}")
    click.echo(counted(len(rows), "alert"), err=True)


@command("report")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    callback=in_a_folder,
    required=True,
    help="The HTML file to write.",
)
@period_option
@window_options
@country_option
@context_option
@click.pass_context
def report(
    ctx: click.Context,
    out: Path,
    by: str,
    since: date | None,
    until: date | None,
    country: str | None,
    context: str | None,
) -> None:
    """It needs no network to open: plots are embedded images, structures inline SVG.

    \b
    Example:
        subsmatch report --out report.html --by quarter --since 2024-01-01
    """
    html = analysis.report(
        engine(ctx),
        home_checker(),
        by=by,
        since=since,
        until=until,
        country=country,
        context=context,
    )
    out.write_text(html, encoding="utf-8")
    click.echo(f"wrote {out} ({len(html) / 1024:,.0f} KiB)", err=True)
