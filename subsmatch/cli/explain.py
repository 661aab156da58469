"""The command that shows the whole reasoning for one substance: explain."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from subsmatch.cli.check import judged
from subsmatch.cli.options import in_a_folder
from subsmatch.cli.output import printable, safe
from subsmatch.cli.registry import command
from subsmatch.operations.check import home_checker
from subsmatch.operations.explain import explain as reasoning


@command("explain")
@click.argument("query")
@judged
@click.option(
    "--svg",
    "svg_path",
    type=click.Path(dir_okay=False, path_type=Path),
    callback=in_a_folder,
    help="Write the query beside its nearest controlled neighbour (common "
    "substructure highlighted) to this SVG file.",
)
def explain(
    query: str,
    jurisdictions: tuple[str, ...],
    home: str | None,
    region: str | None,
    as_of: date | None,
    svg_path: Path | None,
) -> None:
    """\b
    Examples:
        subsmatch explain 3-CMC
        subsmatch explain "CCCC(NC)C(=O)c1ccc(F)c(C)c1" --svg analogue.svg
    """
    checker = home_checker(home, region)
    explained = reasoning(checker, query, jurisdictions, as_of, draw=svg_path is not None)
    row = printable(explained.row)
    click.secho(f"Query: {safe(query)}", bold=True)
    click.echo(
        f"Data {row['data_version']}, rules {row['rules_version']}, tool "
        f"{row['tool_version']}" + (f", as of {row['as_of']}" if row["as_of"] else "")
    )
    click.secho("\n1. What substance is it?", bold=True)
    if not row["resolved"]:
        click.echo(f"   Not resolved: {row['error']}")
        return
    echo_reasoning(row)
    if svg_path:
        if explained.drawing is None:
            raise click.ClickException("no structure to draw: the query resolved to a name only")
        svg_path.write_text(explained.drawing, encoding="utf-8")
        click.echo(f"wrote {svg_path}", err=True)


def echo_reasoning(row: dict) -> None:
    """The resolution, the lists, the generic definitions and the nearest neighbours."""
    resolved = row["resolved"]
    click.echo(f"   {resolved['name']} ({resolved['substance_id'] or 'not in the reference'})")
    click.echo(
        f"   via {resolved['via']}, confidence {resolved['confidence']:.2f}"
        + (", UNCERTAIN" if resolved["uncertain"] else "")
        + (f"; matched name {resolved['matched_name']!r}" if resolved["matched_name"] else "")
    )
    if resolved["smiles"]:
        click.echo(f"   parent structure {resolved['smiles']}  ({resolved['inchikey']})")
    for note in row["notes"]:
        click.echo(f"   note: {note}")
    click.secho("\n2. Lists", bold=True)
    scope = row["headline_scope"]
    for j in row["jurisdictions"]:
        click.echo(f"   {j['code']}: {j['status']}" + (" (home)" if j["code"] in scope else ""))
        for e in j["entries"]:
            since = (
                f" since {e['since']}"
                if e["since"]
                else f" (start date unknown; in force by {e['in_force_from']})"
                if e["in_force_from"]
                else " (undated)"
            )
            click.echo(
                f"      {e['list']} ({e['kind']}){since}; {e['match']}; listed as "
                f"{e['name']!r}; source {e['source']}" + (f"; {e['act']}" if e["act"] else "")
            )
        for d in j["derived"]:
            shown = "" if d["applies"] else " (shown, does not decide)"
            click.echo(f"      rule {d['rule_id']}{shown}: {d['text']}")
            click.echo(f"        basis: {d['basis']}" + (f"; {d['act']}" if d["act"] else ""))
    for rel in row["related"]:
        click.echo(f"   not applied: {rel['name']} ({rel['relation']}): {rel['reason']}")
    click.secho("\n3. Generic definitions", bold=True)
    for g in row["generic"]:
        click.echo(
            f"   MATCHES {g['rule_id']}"
            + (" (provisional)" if g["provisional"] else "")
            + f": {g['citation']}, since {g['since']}; core atoms {g['matched_atoms']}"
        )
    for r in row["rules_not_matched"]:
        click.echo(f"   not {r['rule_id']}: {r['failure']}")
    if not row["generic"] and not row["rules_not_matched"]:
        click.echo("   no generic definition has this core structure")
    click.secho("\n4. Nearest controlled substances", bold=True)
    analogue = row["analogue"]
    if analogue is None:
        click.echo("   not assessed (listed, covered by a rule, or no structure)")
    else:
        click.echo(f"   {analogue['reason']} (class {analogue['class']})")
        for n in row["analogues"]:
            scores = ", ".join(f"{k} {v:.2f}" for k, v in n["by_fingerprint"].items())
            via = f", {n['via']}" if n.get("via") else ""
            click.echo(f"   {n['similarity']:.2f} {n['name']} ({scores}{via}): {n['difference']}")
            click.echo(f"        {' | '.join(n['lists'])}")
    click.secho(f"\nVerdict: {row['status']} at {', '.join(scope)}", bold=True)
