"""The command that judges a whole findings table (Parquet) at once: match."""

from __future__ import annotations

import click

from subsmatch.cli.options import in_a_folder
from subsmatch.cli.registry import command
from subsmatch.operations import batch
from subsmatch.vocabulary import counted


@command("match")
@click.argument("source", type=click.Path(exists=True))
@click.option(
    "--out",
    required=True,
    type=click.Path(),
    callback=in_a_folder,
    help="Output Parquet (a directory of parts with --engine dask).",
)
@click.option(
    "--column",
    default="name",
    show_default=True,
    help="The column holding names, CAS numbers or structures.",
)
@click.option(
    "--engine",
    "batch_engine",
    type=click.Choice(batch.ENGINES),
    default="python",
    show_default=True,
)
@click.option(
    "--scheduler",
    metavar="ADDRESS",
    help="A Dask scheduler (tcp://host:8786); default a LocalCluster.",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=2,
    show_default=True,
    help="LocalCluster workers.",
)
def match(
    source: str, out: str, column: str, batch_engine: str, scheduler: str | None, workers: int
) -> None:
    """Each process or Dask worker loads the reference data once and judges each distinct
    query of its partition once; both engines give the same rows.

    \b
    Examples:
        subsmatch match findings.parquet --out matched.parquet
        subsmatch match big.parquet --out matched/ --engine dask --workers 2
    """
    count = batch.match(
        source, out, column, engine=batch_engine, scheduler=scheduler, workers=workers
    )
    click.echo(f"matched {counted(count, 'row')} into {out}", err=True)
