"""Commands that say what the stored findings mean over time: trends, alerts, report."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from subsmatch.cli.database import engine
from subsmatch.cli.options import output_options, window_options
from subsmatch.cli.registry import command
from subsmatch.cli.rows import emit
from subsmatch.operations import analysis
from subsmatch.operations.check import home_checker

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
    """The window is a year before the newest finding unless --since is given. Flags: "new"
    (first seen in this database inside the window), "unlisted" (an analogue, or unresolved
    with a structure), "recently_listed" (first listed inside the window).

    \b
    Examples:
        subsmatch trends --by quarter --since 2024-01-01
        subsmatch trends --context field --country NL --classes --csv
    """
    per_substance, per_class = analysis.trends(
        engine(ctx), by=by, since=since, until=until, country=country, context=context
    )
    rows = [t.to_dict() for t in (per_class if classes else per_substance)]
    if as_csv:  # long format: one row per period
        rows = [
            {
                **{k: v for k, v in r.items() if k != "counts"},
                "flags": " ".join(r["flags"]),
                "period": period,
                "count": n,
            }
            for r in rows
            for period, n in sorted(r["counts"].items())
        ]
    emit(rows, as_json, as_csv, trends_table)


def trends_table(rows: list[dict]) -> None:
    periods = sorted({p for r in rows for p in r["counts"]})
    shown = periods[-8:]
    click.echo(
        f"{'substance':<36}{'class':<22}{'first seen':<12}{'total':>6}  "
        + "".join(f"{p:>9}" for p in shown)
        + "  flags"
    )
    for r in rows:
        click.echo(
            f"{r['name'][:35]:<36}{r['class'][:21]:<22}{r['first_seen']:<12}"
            f"{r['total']:>6}  "
            + "".join(f"{r['counts'].get(p, 0):>9}" for p in shown)
            + "  "
            + " ".join(r["flags"])
        )
    if len(periods) > len(shown):
        click.echo(
            f"(last {len(shown)} of {len(periods)} periods shown; --json or --csv for all)",
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
    click.echo(f"{len(rows)} alerts", err=True)


@command("report")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
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
