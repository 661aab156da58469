"""The service's command: serve the API and the page (tokens and the audit trail: access)."""

from __future__ import annotations

import click
import uvicorn

from subsmatch.cli.database import engine
from subsmatch.cli.registry import command
from subsmatch.operations.database import default_url
from subsmatch.service.app import CHECK_BUDGET, create_app

KEEP_ALIVE = 30  # seconds an idle connection is kept: longer than clients keep theirs
# (httpx: 5 s, uvicorn's default too), so that a client never sends on a connection the server
# is closing at that moment (load.py saw such ReadErrors on a starved machine)


@command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option(
    "--max-upload-mb",
    default=50,
    show_default=True,
    type=click.IntRange(1, 2048),
    help="Largest report upload accepted.",
)
@click.option(
    "--check-budget",
    default=CHECK_BUDGET,
    show_default=True,
    type=click.FloatRange(0),
    metavar="SECONDS",
    help="Longest one /check batch may take; a batch still unfinished is refused (422).",
)
@click.pass_context
def serve(
    ctx: click.Context, host: str, port: int, max_upload_mb: int, check_budget: float
) -> None:
    """Every request needs a token (create one with `subsmatch tokens create`), sent as
    "Authorization: Bearer TOKEN"; people log in on the page with their token (an HttpOnly,
    SameSite=Strict cookie; set SUBSMATCH_SECURE_COOKIE=0 to serve it over plain HTTP on
    loopback).

    \b
    Example:
        subsmatch serve --host 127.0.0.1 --port 8000
    """
    engine(ctx, create=True)  # a --db that names no usable database is a usage error here
    url = ctx.find_root().obj["db"] or default_url()
    app = create_app(url, max_upload_bytes=max_upload_mb * 2**20, check_budget=check_budget)
    uvicorn.run(app, host=host, port=port, log_level="info", timeout_keep_alive=KEEP_ALIVE)
