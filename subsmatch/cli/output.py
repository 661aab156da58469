"""What commands print alike: statuses in colour, JSON (light: every command imports it)."""

from __future__ import annotations

import json

import click

STATUS_STYLE = {
    "controlled": "red",
    "precursor": "yellow",
    "generic": "red",
    "analogue": "magenta",
    "not_listed": "green",
    "unresolved": "cyan",
}


def styled(status: str, width: int = 0, bold: bool | None = True) -> str:
    """A status in its colour, padded to ``width`` (``bold`` None: as the terminal has it)."""
    return click.style(f"{status:<{width}}", fg=STATUS_STYLE.get(status), bold=bold)


def echo_json(value: object) -> None:
    click.echo(json.dumps(value, indent=2, ensure_ascii=False, default=str))
