"""Commands that judge substances: check, and the lists they are judged against."""

from __future__ import annotations

import sys
from datetime import date

import click

from subsmatch.cli import EXIT_INVALID, EXIT_UNRESOLVED
from subsmatch.cli.options import home_option, json_option, jurisdiction_options, region_option
from subsmatch.cli.output import echo_json, printable, safe, styled
from subsmatch.cli.registry import command, load
from subsmatch.operations import check as checking
from subsmatch.operations import reference as references
from subsmatch.operations.check import LIST_JURISDICTIONS, RULE_ONLY_JURISDICTIONS

judged = jurisdiction_options(
    LIST_JURISDICTIONS, RULE_ONLY_JURISDICTIONS, home_option, region_option
)
"""-j/--jurisdiction, --home, --region and --as-of, for check and explain."""


def read_queries(queries: tuple[str, ...], encoding: str | None = None) -> list[str]:
    """The queries as given, "-" replaced by the non-blank lines of standard input (decoded
    as ``encoding``, else UTF-8)."""
    if encoding and "-" not in queries:
        click.echo('note: --encoding applies to "-" (standard input), which is not read', err=True)
    out: list[str] = []
    for query in queries:
        if query == "-":
            out += checking.queries_in(sys.stdin.buffer.read(), encoding, "standard input")
        else:
            out.append(query)
    return out


@command("check")
@click.argument("queries", nargs=-1, required=True, metavar="QUERY...")
@judged
@json_option("One JSON object per query (an array).")
@click.option(
    "--encoding",
    metavar="NAME",
    help='Text encoding of "-" (standard input), e.g. cp1252; default UTF-8 (or as its '
    "byte-order mark says).",
)
@click.option("--no-opsin", is_flag=True, help="Do not convert systematic names with OPSIN.")
@click.option("--no-record", is_flag=True, help="Do not store the checks in the database.")
@click.pass_context
def check(
    ctx: click.Context,
    queries: tuple[str, ...],
    jurisdictions: tuple[str, ...],
    home: str | None,
    region: str | None,
    as_of: date | None,
    as_json: bool,
    encoding: str | None,
    no_opsin: bool,
    no_record: bool,
) -> None:
    """QUERY is a name (street names and codes too), a CAS number, SMILES, InChI or InChIKey;
    "-" reads one query per line from standard input.

    \b
    Exit codes: 0 all resolved, 3 some unresolved, 4 some malformed, 2 usage error.

    \b
    Examples:
        subsmatch check "MDMA HCl" 4-CMC "Fentanyl citrate"
        subsmatch check 50-36-2 --jurisdiction NL --jurisdiction DE --as-of 2016-01-01
        subsmatch check pregabalin --home BE,NL,LU,EU,UN,US
        subsmatch check "big h" --region US
        cut -f3 hits.tsv | subsmatch check - --json
        subsmatch check - --encoding cp1252 < hitlist_windows.txt
    """
    codes = checking.jurisdictions(jurisdictions) if jurisdictions else ()
    texts = read_queries(queries, encoding)
    if not texts:
        raise click.UsageError("no query given (standard input was empty)")
    checker = checking.home_checker(home, region, use_opsin=not no_opsin)
    checked = checking.check(checker, texts, codes, as_of)
    rows = checked.rows
    if as_json:
        echo_json(rows[0] if len(rows) == 1 else rows)
    else:
        for row in rows:
            echo_verdict(row)
    if not no_record:
        record(ctx, rows)
    for row in rows:
        if row["error"] and not row["resolved"]:
            click.echo(f"error: {safe(repr(row['query']))}: {safe(row['error'])}", err=True)
    if checked.invalid:
        ctx.exit(EXIT_INVALID)
    if checked.unresolved:
        ctx.exit(EXIT_UNRESOLVED)


def record(ctx: click.Context, rows: list) -> None:
    """Store the checks. The database code (SQLAlchemy: a third of a second) is loaded only
    now, so that ``check --no-record`` starts without it."""
    load("subsmatch.cli.database:record_checks")(ctx, rows)


def basis(jurisdiction: dict) -> str:
    """What a jurisdiction's status rests on, in a line: its listings (a monitoring list such
    as the EU's early-warning list never stands as the basis of a control), else the rule
    that gives the status (treaty, EU drug, a gap in the data).

    >>> eu = {"status": "controlled", "entries": [{"list": "EU EWS", "since": None,
    ...   "kind": "monitored"}], "derived": [{"applies": True, "status": "controlled",
    ...   "text": "a drug in EU law: UN: 1971 Schedule II"}]}
    >>> basis(eu)
    'a drug in EU law: UN: 1971 Schedule II; monitored: EU EWS'
    """
    entries = jurisdiction["entries"]
    status = jurisdiction["status"]
    # a listing whose state is unknown on the date (its start or its removal) is no basis
    listed = sorted(
        {
            (e["list"], e["since"] or "")
            for e in entries
            if e["kind"] != "monitored" and e.get("state", "in_force") == "in_force"
        }
    )
    text = "; ".join(name + (f" (since {since})" if since else "") for name, since in listed)
    why = [d["text"] for d in jurisdiction["derived"] if d["applies"] and d["status"] == status]
    if why and (status == "unknown" or not text):
        text = why[0]
    monitored = sorted({e["list"] for e in entries if e["kind"] == "monitored"})
    if monitored:
        text += ("; " if text else "") + "monitored: " + ", ".join(monitored)
    return text


def echo_verdict(row: dict) -> None:
    """One verdict in a few lines: what it resolved to, on which date (when not today), per
    jurisdiction, rules, neighbours (every text made safe for a terminal)."""
    row = printable(row)
    resolved = row["resolved"]
    scope = row["headline_scope"]
    head = styled(f"[{row['status']}]") + (f" at {','.join(scope)}" if scope else "")
    if resolved:
        how = f"via {resolved['via']}, confidence {resolved['confidence']:.2f}"
        if resolved["form"]:
            how += f", form: {' '.join(resolved['form'])}"
        if resolved["alternatives"]:
            how += ", AMBIGUOUS: also " + ", ".join(a["name"] for a in resolved["alternatives"])
        click.echo(f"{row['query']}  ->  {resolved['name']}  {head}  ({how})")
    else:
        click.echo(f"{row['query']}  ->  {head}  {row['error'] or ''}")
    if row["as_of"]:
        click.echo(f"    as of {row['as_of']}: the lists and rules as they stood that day")
    for note in row["notes"]:
        click.echo(f"    note: {note}")
    for j in sorted(row["jurisdictions"], key=lambda j: j["code"] not in scope):
        click.echo(
            f"  {'*' if j['code'] in scope else ' '} {j['code']:<3} {j['status']:<11} " + basis(j)
        )
    for g in row["generic"]:
        provisional = " (PROVISIONAL rule)" if g["provisional"] else ""
        click.echo(
            f"    generic: {g['rule_id']}{provisional}: {g['citation']} (since {g['since']})"
        )
    for rel in row["related"]:
        click.echo(f"    not applied: {rel['name']} ({rel['relation']}): {rel['reason']}")
    analogue = row.get("analogue")
    if analogue and (analogue["is_analogue"] or analogue["lookalike"]):
        click.echo(f"    similarity: {analogue['reason']}")
        # the nearest; for an analogue the next two and the nearest of other jurisdictions
        # (each at or above the threshold)
        shown = row["analogues"] if analogue["is_analogue"] else row["analogues"][:1]
        for n in shown:
            click.echo(
                f"      {n['similarity']:.2f}  {n['name']}: {n['difference']}"
                f"  [{' | '.join(n['lists'])}]"
            )


@command("lists")
@json_option("Print JSON instead of a table.")
def lists(as_json: bool) -> None:
    """\b
    Example:
        subsmatch lists --json
    """
    version, infos = checking.reference_lists()
    if as_json:
        echo_json({"data_version": version, "lists": infos})
        return
    click.echo(f"reference data {version}")
    for line in references.coverage_lines(infos):
        click.echo(line)
