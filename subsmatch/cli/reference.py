"""The reference data itself, for a curator: its audit."""

from __future__ import annotations

import click

from subsmatch.cli.options import json_option
from subsmatch.cli.output import echo_json
from subsmatch.cli.registry import group
from subsmatch.operations import reference as references


@group("reference")
def reference() -> None:
    """\b
    Example:
        subsmatch reference audit -j NL
    """


@reference.command(
    "audit", short_help="Per list: entries, with structure, name-only; what the build settled."
)
@click.option("-j", "--jurisdiction", metavar="CODE", help="Only the lists of this jurisdiction.")
@click.option("--list", "list_name", metavar="NAME", help="Only this list (as 'lists' names it).")
@json_option("Print the audit as JSON.")
def reference_audit(jurisdiction: str | None, list_name: str | None, as_json: bool) -> None:
    """Per list: entries, with structure, name-only (plant material, preparations and groups
    excepted and listed as such); then the conflicts the build found and how each was settled,
    the synonyms and CAS numbers kept off a substance and why, the names of dated notices not
    placed on a structure, and the overrides a person decided. Narrowed to some lists, only
    those lists are shown.

    \b
    Examples:
        subsmatch reference audit
        subsmatch reference audit -j NL --list "Opiumwet List I"
        subsmatch reference audit --json
    """
    if as_json:
        echo_json(references.audit(jurisdiction, list_name))
    else:
        click.echo(references.audit_text(jurisdiction, list_name), nl=False)
