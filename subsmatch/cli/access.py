"""Who may use the service: its tokens and its audit trail."""

from __future__ import annotations

from datetime import UTC, date, datetime

import click

from subsmatch.cli.database import engine
from subsmatch.cli.options import limit_option, output_options, window_options
from subsmatch.cli.output import say
from subsmatch.cli.registry import command, group
from subsmatch.cli.rows import emit
from subsmatch.errors import InvalidRequest
from subsmatch.operations import access


@group("tokens")
def tokens() -> None:
    """\b
    Examples:
        subsmatch tokens create --role lab --name lims-north --expires 2027-06-30
        subsmatch tokens list
        subsmatch tokens revoke lims-north
    """


def parse_expiry(_ctx: click.Context, _param: click.Parameter, value: str | None):
    """--expires as the moment the token stops working (checked before anything is stored)."""
    if value is None:
        return None
    try:
        return access.expiry(value)
    except InvalidRequest as error:
        raise click.BadParameter(error.reason) from None


@tokens.command("create")
@click.option(
    "--role", type=click.Choice(access.ROLES), required=True, help="What the token may do."
)
@click.option("--name", required=True, help="A unique name for the holder, shown in the audit.")
@click.option(
    "--expires",
    metavar="DATE|DURATION",
    callback=parse_expiry,
    help="When the token stops working: a day (YYYY-MM-DD, from 00:00 UTC) or a duration "
    "from now (90d, 12h). Default: when it is revoked.",
)
@click.pass_context
def tokens_create(ctx: click.Context, role: str, name: str, expires: datetime | None) -> None:
    """Create a token and print it once (only its hash is stored). Page sessions started
    with it end when it expires, if not sooner.

    \b
    Examples:
        subsmatch tokens create --role customs --name hub-schiphol-3
        subsmatch tokens create --role analyst --name visiting-analyst --expires 30d
    """
    token = access.create_token(engine(ctx, create=True), name, role, expires)
    click.echo(token)
    until = f", valid until {expires:%Y-%m-%d %H:%M} UTC" if expires else ""
    say(
        f"token {name!r} ({role}) created{until}; it is shown only now: store it safely",
        err=True,
    )


def token_state(token: access.TokenInfo, now: datetime) -> str:
    """Active, revoked or expired, with the date.

    >>> from datetime import UTC
    >>> t = access.TokenInfo("x", "lab", datetime(2026, 1, 1, tzinfo=UTC), None,
    ...                      datetime(2027, 1, 1, tzinfo=UTC))
    >>> token_state(t, datetime(2026, 6, 1, tzinfo=UTC))
    'active, expires 2027-01-01 00:00 UTC'
    >>> token_state(t, datetime(2027, 6, 1, tzinfo=UTC))
    'expired 2027-01-01 00:00 UTC'
    """
    if token.revoked_at:
        return f"revoked {token.revoked_at:%Y-%m-%d %H:%M} UTC"
    if token.expires_at is None:
        return "active, never expires"
    if token.expires_at <= now:
        return f"expired {token.expires_at:%Y-%m-%d %H:%M} UTC"
    return f"active, expires {token.expires_at:%Y-%m-%d %H:%M} UTC"


@tokens.command("list")
@click.pass_context
def tokens_list(ctx: click.Context) -> None:
    """List tokens: name, role, created, and whether active (until when), revoked or expired.

    \b
    Example:
        subsmatch tokens list
    """
    now = datetime.now(UTC)
    for t in access.list_tokens(engine(ctx)):
        say(
            f"{t.name:<30} {t.role:<8} created {t.created_at:%Y-%m-%d %H:%M} UTC  "
            + token_state(t, now)
        )


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
    say(f"token {name!r} revoked; its page sessions have ended", err=True)


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
