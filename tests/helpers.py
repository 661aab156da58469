"""Helpers the tests share: the shipped examples, running the command line."""

from __future__ import annotations

import types
import typing
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


def keys_of(shape: type) -> dict[str, object]:
    return typing.get_type_hints(shape)


def assert_same_keys(value: object, shape: object, where: str) -> None:
    """Every object in ``value`` has exactly the keys its TypedDict declares, recursively."""
    origin = typing.get_origin(shape)
    if origin in (typing.Union, types.UnionType):
        if value is None:
            return
        (shape,) = [a for a in typing.get_args(shape) if a is not type(None)]
        origin = typing.get_origin(shape)
    if origin is list:
        (item,) = typing.get_args(shape)
        for i, element in enumerate(value):  # type: ignore[arg-type]
            assert_same_keys(element, item, f"{where}[{i}]")
        return
    if isinstance(shape, type) and hasattr(shape, "__required_keys__"):
        hints = keys_of(shape)
        assert isinstance(value, dict), where
        assert set(value) == set(hints), f"{where}: {set(value) ^ set(hints)}"
        for key, hint in hints.items():
            assert_same_keys(value[key], hint, f"{where}.{key}")
