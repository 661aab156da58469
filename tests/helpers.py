"""Helpers the tests share: the shipped examples, running the command line."""

from __future__ import annotations

from pathlib import Path

import click

from subsmatch.cli import main

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "subsmatch" / "examples"
NOTHING_REMATCHED = {
    "rejudged": 0,
    "changed": [],
    "transitions": {},
    "evidence_changed": 0,
    "findings_moved": 0,
}
"""``rematch --json`` when every stored verdict was made with the current versions."""


def command_paths(group: click.Group = main, prefix: tuple[str, ...] = ()) -> list[list[str]]:
    """Every command of the command line as the words that call it, the groups included."""
    context = click.Context(group)
    paths = [list(prefix)]
    for name in group.list_commands(context):
        command = group.get_command(context, name)
        if isinstance(command, click.Group):
            paths += command_paths(command, (*prefix, name))
        else:
            paths.append([*prefix, name])
    return paths
