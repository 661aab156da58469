"""Who may use the service: its tokens and its audit trail."""

from __future__ import annotations

from datetime import date

import click

from subsmatch.cli.database import engine
from subsmatch.cli.options import limit_option, output_options, window_options
from subsmatch.cli.registry import command, group
from subsmatch.cli.rows import emit
from subsmatch.operations import access


@group("tokens")
def tokens() -> None:
    """\b
    Examples:
        subsmatch tokens create --role lab --name lims-north
        subsmatch tokens list
        subsmatch tokens revoke lims-north
    """


@tokens.command("create")
@click.option(
    "--role", type=click.Choice(access.ROLES), required=True, help="What the token may do."
)
@click.option("--name", required=True, help="A unique name for the holder, shown in the audit.")
@click.pass_context
def tokens_create(ctx: click.Context, role: str, name: str) -> None:
    """Create a token and print it once (only its hash is stored).

    \b
    Example:
        subsmatch tokens create --role customs --name hub-schiphol-3
    """
    token = access.create_token(engine(ctx, create=True), name, role)
    click.echo(token)
    click.echo(f"token {name!r} ({role}) created; it is shown only now: store it safely", err=True)


@tokens.command("list")
@click.pass_context
def tokens_list(ctx: click.Context) -> None:
    """List tokens: name, role, created, revoked.

    \b
    Example:
        subsmatch tokens list
    """
    for t in access.list_tokens(engine(ctx)):
        revoked = f"revoked {t.revoked_at:%Y-%m-%d %H:%M} UTC" if t.revoked_at else "active"
        click.echo(f"{t.name:<30} {t.role:<8} created {t.created_at:%Y-%m-%d %H:%M} UTC  {revoked}")


@tokens.command("revoke")
@click.argument("name")
@click.pass_context
def tokens_revoke(ctx: click.Context, name: str) -> None:
    """Revoke a token by name: it stops working at once.

    \b
    Example:
        subsmatch tokens revoke hub-schiphol-3
    """
    access.revoke_token(engine(ctx), name)
    click.echo(f"token {name!r} revoked", err=True)


@command("audit")
@window_options
@limit_option("events")
@output_options
@click.pass_context
def audit(
    ctx: click.Context,
    since: date | None,
    until: date | None,
    limit: int | None,
    as_json: bool,
    as_csv: bool,
) -> None:
    """\b
    Example:
        subsmatch audit --since 2026-01-01 --csv > audit.csv
    """
    rows = access.audit_events(engine(ctx), since, until, limit)
    emit(rows, as_json, as_csv, audit_table)


def audit_table(rows: list[dict]) -> None:
    for r in rows:
        click.echo(
            f"{r['at']:%Y-%m-%d %H:%M:%S} UTC  {r['status']}  {r['token'] or '-':<20} "
            f"{r['role'] or '-':<8} {r['action']:<8} {r['target'] or ''}"
            + (f"  sha256 {r['sha256'][:12]}" if r["sha256"] else "")
        )
