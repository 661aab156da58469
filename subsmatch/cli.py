"""The command line: parses options, calls the library, prints. No chemistry, no SQL here.

Exit codes of ``check``: 0 every query was resolved and evaluated; 2 usage error; 3 at least
one query named no known substance (unresolved); 4 at least one query was malformed (a SMILES,
InChI or molfile that cannot be read, a CAS number with a wrong check digit). ``ingest`` exits
with 1 when a file could not be read at all.
"""

from __future__ import annotations

import csv
import gc
import io
import json
import shlex
import sys
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

import click

from subsmatch import __version__
from subsmatch.errors import UserError, command_line, word
from subsmatch.vocabulary import CONTEXT_GROUPS, FINDING_STATUSES, FLAGGED, severity

EXIT_UNREADABLE_FILE = 1
REJECTIONS_LISTED = 3  # rejections printed per file after an ingest (all are stored)
EXIT_UNRESOLVED = 3
EXIT_INVALID = 4

STATUS_STYLE = {
    "controlled": "red",
    "precursor": "yellow",
    "generic": "red",
    "analogue": "magenta",
    "not_listed": "green",
    "unresolved": "cyan",
}


def _data_version() -> str:
    from subsmatch.reference.lists import load

    return load().version


def _print_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if not value or ctx.resilient_parsing:
        return
    click.echo(f"subsmatch {__version__}, reference data {_data_version()}")
    ctx.exit()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_print_version,
    help="Print the tool and reference-data versions.",
)
@click.option(
    "--db",
    envvar="SUBSMATCH_DB",
    metavar="URL",
    help="Database URL: sqlite:///PATH or postgresql+psycopg://USER@HOST/NAME (default: "
    "SQLite in the user data directory; env SUBSMATCH_DB).",
)
@click.pass_context
def main(ctx: click.Context, db: str | None) -> None:
    """Identify substances in drug reports and tell whether they are controlled.

    \b
    Example:
        subsmatch check "MDMA HCl" 3-MMC "CN1CCC[C@H]1c1cccnc1" --json
    """
    given = ctx.get_parameter_source("db") is click.core.ParameterSource.COMMANDLINE
    ctx.obj = {"db": db, "db_given": given}  # else from SUBSMATCH_DB, or the default


# --- output ------------------------------------------------------------------------------------


def _one_output(ctx: click.Context, param: click.Parameter, value: bool) -> bool:
    """Refuse --json with --csv (whichever of the two click reads second sees the other)."""
    other = "as_csv" if param.name == "as_json" else "as_json"
    if value and ctx.params.get(other):
        raise click.UsageError("--json and --csv cannot be used together; choose one", ctx)
    return value


def output_options(command: Callable) -> Callable:
    """--json or --csv for a command that lists rows (the default is a table for people)."""
    command = click.option(
        "--csv", "as_csv", is_flag=True, callback=_one_output, help="Print CSV."
    )(command)
    return click.option(
        "--json", "as_json", is_flag=True, callback=_one_output, help="Print a JSON array."
    )(command)


def status_options(command: Callable) -> Callable:
    """--flagged or --status (repeatable), for the commands that list stored findings."""
    command = click.option(
        "--status",
        "statuses",
        multiple=True,
        type=click.Choice(FINDING_STATUSES),
        help="Only findings with this status; repeatable.",
    )(command)
    return click.option(
        "--flagged",
        is_flag=True,
        help=f"Only flagged findings: {', '.join(FLAGGED)} (not with --status).",
    )(command)


def _wanted_statuses(flagged: bool, statuses: tuple[str, ...]) -> tuple[str, ...]:
    """The statuses asked for (none: all); --flagged is a set of statuses, not a filter on one."""
    if flagged and statuses:
        raise click.UsageError(
            "--flagged cannot be combined with --status: --flagged means "
            + " ".join(f"--status {s}" for s in FLAGGED)
            + "; give the --status options you want instead"
        )
    return FLAGGED if flagged else statuses


def emit(
    rows: list[dict], as_json: bool, as_csv: bool, table: Callable[[list[dict]], None]
) -> None:
    if as_json:
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False, default=str))
    elif as_csv:
        if not rows:
            return
        from subsmatch.reports.export import spreadsheet_safe

        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
        writer.writeheader()
        for row in rows:
            writer.writerow({k: spreadsheet_safe(_cell(v)) for k, v in row.items()})
        click.echo(buffer.getvalue(), nl=False)
    else:
        table(rows)


def _cell(value: object) -> object:
    return json.dumps(value, ensure_ascii=False) if isinstance(value, list | dict) else value


def _engine(ctx: click.Context, *, create: bool = False):
    """The command's database; a --db that names no usable database is a usage error.

    Only the commands that store something ``create`` it: the others refuse a SQLite path
    where there is no database (a mistyped --db) instead of creating an empty one.
    """
    from subsmatch.store.engine import DatabaseUnavailable, make_engine

    try:
        engine = make_engine(ctx.obj["db"], create=create)
    except DatabaseUnavailable as error:
        if ctx.obj["db"] is None:  # the default database: nothing was ingested yet
            raise click.ClickException(f"{error} (SUBSMATCH_DB or --db choose another)") from None
        where = "'--db'" if ctx.obj["db_given"] else "SUBSMATCH_DB"
        raise click.BadParameter(str(error), ctx, param_hint=where) from None
    ctx.call_on_close(engine.dispose)  # closed when the command ends: SQLite folds its WAL back
    return engine


def _parse_date(_ctx: click.Context, _param: click.Parameter, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is not a date; use YYYY-MM-DD, e.g. 2020-12-31"
        ) from None


def _jurisdictions(values: tuple[str, ...]) -> tuple[str, ...]:
    from subsmatch.reference.lists import JURISDICTIONS

    if not values:
        return JURISDICTIONS
    codes = tuple(dict.fromkeys(v.upper() for v in values))
    unknown = [c for c in codes if c not in JURISDICTIONS]
    if unknown:
        raise click.BadParameter(
            f"unknown jurisdiction {', '.join(unknown)}; choose from {', '.join(JURISDICTIONS)}",
            param_hint="--jurisdiction",
        )
    return codes


def jurisdiction_options(command: Callable) -> Callable:
    """-j/--jurisdiction and --as-of, for the commands that judge substances."""
    command = click.option(
        "--as-of",
        callback=_parse_date,
        metavar="DATE",
        help="Evaluate the lists and rules as they stood on this date (YYYY-MM-DD).",
    )(command)
    return click.option(
        "-j",
        "--jurisdiction",
        "jurisdictions",
        multiple=True,
        metavar="CODE",
        help="Only these jurisdictions (UN, EU, BE, NL, DE, US, CN; UK: generic clauses "
        "only); repeatable.",
    )(command)


def _read_queries(queries: tuple[str, ...]) -> list[str]:
    out: list[str] = []
    for query in queries:
        if query == "-":
            out += [line.strip() for line in sys.stdin if line.strip()]
        else:
            out.append(query)
    return out


@main.command()
@click.argument("queries", nargs=-1, required=True, metavar="QUERY...")
@jurisdiction_options
@click.option("--json", "as_json", is_flag=True, help="One JSON object per query (an array).")
@click.option("--no-opsin", is_flag=True, help="Do not convert systematic names with OPSIN.")
@click.option("--no-record", is_flag=True, help="Do not store the checks in the database.")
@click.pass_context
def check(
    ctx: click.Context,
    queries: tuple[str, ...],
    jurisdictions: tuple[str, ...],
    as_of: date | None,
    as_json: bool,
    no_opsin: bool,
    no_record: bool,
) -> None:
    """Resolve each QUERY and say whether, where and since when it is controlled.

    QUERY is a name (street names and codes too), a CAS number, SMILES, InChI or InChIKey;
    "-" reads one query per line from standard input.

    \b
    Exit codes: 0 all resolved, 3 some unresolved, 4 some malformed, 2 usage error.

    \b
    Examples:
        subsmatch check "MDMA HCl" 4-CMC "Fentanyl citrate"
        subsmatch check 50-36-2 --jurisdiction NL --jurisdiction DE --as-of 2016-01-01
        cut -f3 hits.tsv | subsmatch check - --json
    """
    from subsmatch.matchers.checker import Checker
    from subsmatch.matchers.verdict import verdict_to_dict

    codes = _jurisdictions(jurisdictions)
    texts = _read_queries(queries)
    if not texts:
        raise click.UsageError("no query given (standard input was empty)")
    checker = Checker(use_opsin=not no_opsin)
    verdicts = checker.check(texts, codes, as_of)
    rows = [verdict_to_dict(v, checker.reference) for v in verdicts]
    if as_json:
        click.echo(json.dumps(rows[0] if len(rows) == 1 else rows, indent=2, ensure_ascii=False))
    else:
        for row in rows:
            _echo_verdict(row)
    if not no_record:
        _record(ctx, rows)
    for row in rows:
        if row["error"] and not row["resolved"]:
            click.echo(f"error: {row['query']!r}: {row['error']}", err=True)
    if any(v.resolution.invalid_input for v in verdicts):
        ctx.exit(EXIT_INVALID)
    if any(row["status"] == "unresolved" for row in rows):
        ctx.exit(EXIT_UNRESOLVED)


def _record(ctx: click.Context, rows: list[dict]) -> None:
    from sqlalchemy.exc import SQLAlchemyError

    from subsmatch.store.checks import record_checks

    try:
        engine = _engine(ctx, create=True)
    except click.ClickException as error:  # a bad --db, or a default database it cannot make
        click.echo(
            f"warning: the checks were not recorded: {error.message} (or use --no-record)",
            err=True,
        )
        return
    try:
        record_checks(engine, rows)
    except SQLAlchemyError as error:
        click.echo(
            f"warning: the checks were not recorded ({error.__class__.__name__}: "
            f"{error.orig if hasattr(error, 'orig') else error}); check --db or use "
            "--no-record",
            err=True,
        )


def _echo_verdict(row: dict) -> None:
    status = row["status"]
    resolved = row["resolved"]
    head = click.style(f"[{status}]", fg=STATUS_STYLE.get(status), bold=True)
    if resolved:
        how = f"via {resolved['via']}, confidence {resolved['confidence']:.2f}"
        if resolved["form"]:
            how += f", form: {' '.join(resolved['form'])}"
        if resolved["alternatives"]:
            how += ", AMBIGUOUS: also " + ", ".join(a["name"] for a in resolved["alternatives"])
        click.echo(f"{row['query']}  ->  {resolved['name']}  {head}  ({how})")
    else:
        click.echo(f"{row['query']}  ->  {head}  {row['error'] or ''}")
    for note in row["notes"]:
        click.echo(f"    note: {note}")
    for j in row["jurisdictions"]:
        lists = sorted({(e["list"], e["since"] or "") for e in j["entries"]})
        text = "; ".join(name + (f" (since {since})" if since else "") for name, since in lists)
        click.echo(f"    {j['code']:<3} {j['status']:<11} {text}")
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
        for n in row["analogues"][: 1 if not analogue["is_analogue"] else 3]:
            click.echo(
                f"      {n['similarity']:.2f}  {n['name']}: {n['difference']}"
                f"  [{' | '.join(n['lists'])}]"
            )


@main.command()
@click.argument("query")
@jurisdiction_options
@click.option(
    "--svg",
    "svg_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the query beside its nearest controlled neighbour (common "
    "substructure highlighted) to this SVG file.",
)
def explain(
    query: str, jurisdictions: tuple[str, ...], as_of: date | None, svg_path: Path | None
) -> None:
    """Print the whole reasoning for one substance: resolution, lists, rules, neighbours.

    \b
    Examples:
        subsmatch explain 3-CMC
        subsmatch explain "CCCC(NC)C(=O)c1ccc(F)c(C)c1" --svg analogue.svg
    """
    from subsmatch.matchers.checker import Checker
    from subsmatch.matchers.verdict import verdict_to_dict

    checker = Checker()
    verdict = checker.check([query], _jurisdictions(jurisdictions), as_of)[0]
    row = verdict_to_dict(verdict, checker.reference)
    resolved = row["resolved"]
    click.secho(f"Query: {query}", bold=True)
    click.echo(
        f"Data {row['data_version']}, rules {row['rules_version']}, tool "
        f"{row['tool_version']}" + (f", as of {row['as_of']}" if row["as_of"] else "")
    )
    click.secho("\n1. What substance is it?", bold=True)
    if not resolved:
        click.echo(f"   Not resolved: {row['error']}")
        return
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
    for j in row["jurisdictions"]:
        click.echo(f"   {j['code']}: {j['status']}")
        for e in j["entries"]:
            since = f" since {e['since']}" if e["since"] else " (undated)"
            click.echo(
                f"      {e['list']} ({e['kind']}){since}; {e['match']}; listed as "
                f"{e['name']!r}; source {e['source']}" + (f"; {e['act']}" if e["act"] else "")
            )
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
    click.secho(f"\nVerdict: {row['status']}", bold=True)
    if svg_path:
        _write_explain_svg(checker, verdict, row, svg_path)


def _write_explain_svg(checker, verdict, row: dict, path: Path) -> None:
    from subsmatch.reports.depict import pair_svg, svg

    resolved = row["resolved"]
    smiles = resolved["smiles"] if resolved else None
    if not smiles:
        raise click.ClickException("no structure to draw: the query resolved to a name only")
    neighbours = row["analogues"]
    if not neighbours:
        found = checker.nearest(verdict.resolution.keys, verdict.as_of)
        neighbours = (
            [{"name": found.name, "smiles": found.smiles, "similarity": found.similarity}]
            if found
            else []
        )
    label = resolved["name"][:40] if resolved["substance_id"] else "query"
    if neighbours:
        best = neighbours[0]
        text = pair_svg(
            smiles, best["smiles"], label, f"{best['name'][:30]} ({best['similarity']:.2f})"
        )
    else:
        text = svg([smiles], [label])
    path.write_text(text, encoding="utf-8")
    click.echo(f"wrote {path}", err=True)


@main.group()
def tokens() -> None:
    """Manage API tokens of the service (roles: customs, lab, analyst, admin).

    \b
    Examples:
        subsmatch tokens create --role lab --name lims-north
        subsmatch tokens list
        subsmatch tokens revoke lims-north
    """


@tokens.command("create")
@click.option(
    "--role",
    type=click.Choice(["customs", "lab", "analyst", "admin"]),
    required=True,
    help="What the token may do.",
)
@click.option("--name", required=True, help="A unique name for the holder, shown in the audit.")
@click.pass_context
def tokens_create(ctx: click.Context, role: str, name: str) -> None:
    """Create a token and print it once (only its hash is stored)."""
    from subsmatch.store.access import AccessError, create_token

    try:
        token = create_token(_engine(ctx, create=True), name, role)
    except AccessError as error:
        raise click.ClickException(str(error)) from None
    click.echo(token)
    click.echo(f"token {name!r} ({role}) created; it is shown only now: store it safely", err=True)


@tokens.command("list")
@click.pass_context
def tokens_list(ctx: click.Context) -> None:
    """List tokens: name, role, created, revoked."""
    from subsmatch.store.access import list_tokens

    for t in list_tokens(_engine(ctx)):
        revoked = f"revoked {t.revoked_at:%Y-%m-%d %H:%M} UTC" if t.revoked_at else "active"
        click.echo(f"{t.name:<30} {t.role:<8} created {t.created_at:%Y-%m-%d %H:%M} UTC  {revoked}")


@tokens.command("revoke")
@click.argument("name")
@click.pass_context
def tokens_revoke(ctx: click.Context, name: str) -> None:
    """Revoke a token by name: it stops working at once."""
    from subsmatch.store.access import AccessError, revoke_token

    try:
        revoke_token(_engine(ctx), name)
    except AccessError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"token {name!r} revoked", err=True)


@main.command()
@click.option("--since", metavar="DATE", callback=_parse_date, help="From this date.")
@click.option("--limit", type=click.IntRange(min=1), help="At most this many events.")
@output_options
@click.pass_context
def audit(
    ctx: click.Context, since: date | None, limit: int | None, as_json: bool, as_csv: bool
) -> None:
    """The audit trail of the service: who checked or uploaded what, when, from which token.

    \b
    Example:
        subsmatch audit --since 2026-01-01 --csv > audit.csv
    """
    from subsmatch.store.access import audit_events

    rows = audit_events(_engine(ctx), since=_when(since), limit=limit)
    emit(rows, as_json, as_csv, _audit_table)


def _audit_table(rows: list[dict]) -> None:
    for r in rows:
        click.echo(
            f"{r['at']:%Y-%m-%d %H:%M:%S} UTC  {r['status']}  {r['token'] or '-':<20} "
            f"{r['role'] or '-':<8} {r['action']:<8} {r['target'] or ''}"
            + (f"  sha256 {r['sha256'][:12]}" if r["sha256"] else "")
        )


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option(
    "--max-upload-mb",
    default=50,
    show_default=True,
    type=click.IntRange(1, 2048),
    help="Largest report upload accepted.",
)
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, max_upload_mb: int) -> None:
    """Run the HTTP API and the web page (OpenAPI description at /openapi.json).

    Every request needs a token (create one with `subsmatch tokens create`), sent as
    "Authorization: Bearer TOKEN"; people log in on the page with their token (an HttpOnly,
    SameSite=Strict cookie; set SUBSMATCH_SECURE_COOKIE=0 to serve it over plain HTTP on
    loopback).

    \b
    Example:
        subsmatch serve --host 127.0.0.1 --port 8000
    """
    import uvicorn

    from subsmatch.service.app import create_app
    from subsmatch.store.engine import default_url

    _engine(ctx, create=True)  # a --db that names no usable database is a usage error here
    app = create_app(ctx.obj["db"] or default_url(), max_upload_bytes=max_upload_mb * 2**20)
    uvicorn.run(app, host=host, port=port, log_level="info")


@main.command("lists")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def lists_command(as_json: bool) -> None:
    """Show the jurisdictions, lists, entry counts and the date each is complete to.

    \b
    Example:
        subsmatch lists --json
    """
    from dataclasses import asdict

    from subsmatch.reference.lists import load

    reference = load()
    infos = [asdict(i) for i in reference.lists]
    if as_json:
        click.echo(json.dumps({"data_version": reference.version, "lists": infos}, indent=2))
        return
    click.echo(f"reference data {reference.version}")
    width = max(len(i["list"]) for i in infos)
    click.echo(f"{'code':<5}{'list':<{width + 2}}{'kind':<13}{'entries':>8}  complete to")
    for i in infos:
        click.echo(
            f"{i['jurisdiction']:<5}{i['list']:<{width + 2}}{i['kind']:<13}"
            f"{i['entries']:>8}  {i['complete_to'] or '-'}"
        )


# --- ingest --------------------------------------------------------------------------------------


def _input_files(paths: tuple[str, ...]) -> list[str]:
    """Files as given, directories recursively (hidden files skipped), "-" for stdin.

    A directory without a file to read is reported on stderr and skipped (drop folders are
    often empty); it is a usage error only when nothing at all is left to read.
    """
    files: list[str] = []
    empty: list[str] = []
    for path in paths:
        p = Path(path)
        if path == "-" or not p.is_dir():
            files.append(path)
            continue
        found = [
            str(f)
            for f in sorted(p.rglob("*"))
            if f.is_file() and not any(part.startswith(".") for part in f.relative_to(p).parts)
        ]
        if not found:
            empty.append(path)
        files += found
    if not files:
        raise click.BadParameter(
            f"no report files found in {', '.join(empty)} (hidden files are skipped); "
            "give a folder that holds reports, or the files themselves",
            param_hint="'PATH...'",
        )
    for path in empty:
        click.echo(f"note: no report files in {path}; skipped", err=True)
    return files


def _zone(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    """A --timezone must be an IANA zone name (a typo would leave every time unparsed)."""
    from subsmatch.ingest.values import zone

    if value is not None:
        try:
            zone(value)
        except ValueError as error:
            raise click.BadParameter(str(error)) from None
    return value


def _text_encoding(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    from subsmatch.ingest.textio import ENCODING_EXAMPLES, text_encoding

    if value is None:
        return None
    try:
        text_encoding(value)
    except LookupError as error:
        raise click.BadParameter(f"{error}; use e.g. {ENCODING_EXAMPLES}") from None
    return value


def _progress(enabled: bool) -> Callable[[str, int], None] | None:
    if not enabled:
        return None

    def show(name: str, rows: int) -> None:
        click.echo(f"\r{name}: {rows:,} rows", err=True, nl=False)

    return show


@main.command()
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@click.option(
    "--format",
    "format_name",
    metavar="NAME",
    help="Skip detection: nist, chemstation, csv, tsv, xlsx, json, jsonl.",
)
@click.option("--profile", metavar="FILE|NAME", help="Column-mapping profile for CSV/XLSX.")
@click.option(
    "--encoding",
    metavar="NAME",
    callback=_text_encoding,
    help="Text encoding of files without a byte-order mark, e.g. cp1252, cp437, utf-16-le.",
)
@click.option("--sheet", metavar="NAME", help="XLSX sheet to read.")
@click.option(
    "--timezone",
    metavar="ZONE",
    callback=_zone,
    help="IANA zone for times printed without one, unless the profile declares its own.",
)
@click.option(
    "--stdin-name",
    metavar="NAME",
    default="<stdin>",
    show_default=True,
    help='The file name to record for "-" (standard input), e.g. the original export\'s.',
)
@click.option("--force", is_flag=True, help="Ingest content already ingested as a new version.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.pass_context
def ingest(
    ctx: click.Context,
    paths: tuple[str, ...],
    format_name: str | None,
    profile: str | None,
    encoding: str | None,
    sheet: str | None,
    timezone: str | None,
    stdin_name: str,
    force: bool,
    as_json: bool,
) -> None:
    """Read lab and field-device reports, resolve every hit and store it with its verdict.

    PATH is a file, a directory (read recursively) or "-" for standard input. Formats are
    detected by content: NIST MS Search results, ChemStation library reports, CSV/TSV/XLSX
    exports (through a mapping profile), JSON and JSON Lines. Every row read becomes a stored
    finding or a stored rejection with its reason; each file is one transaction, and the same
    content again changes nothing (use --force for a new version).

    \b
    Examples:
        subsmatch ingest SRCRESLT.TXT LIBRPT.TXT
        subsmatch ingest exports/ --json
        subsmatch ingest handheld.csv --profile my_device.toml
        ssh scanner cat export.csv | subsmatch ingest - --stdin-name export.csv
    """
    from subsmatch.substances.opsin import start_opsin

    files = _input_files(paths)
    if stdin_name != "<stdin>" and "-" not in files:
        click.echo('note: --stdin-name names "-" (standard input), which is not read', err=True)
    start_opsin()  # first: the JVM starts while the chemistry is imported and loaded
    from subsmatch.ingest.pipeline import Pipeline
    from subsmatch.ingest.readers import ReadOptions

    options = ReadOptions(
        format=format_name, profile=profile, encoding=encoding, sheet=sheet, timezone=timezone
    )
    interactive = sys.stderr.isatty() and not as_json
    pipeline = Pipeline(
        _engine(ctx, create=True), options=options, force=force, progress=_progress(interactive)
    )
    summaries = []
    for path in files:
        if path == "-":
            summary = pipeline.ingest(sys.stdin.buffer, source_name=stdin_name or "<stdin>")
        else:
            summary = pipeline.ingest(path)
        if interactive:
            click.echo("\r\033[K", err=True, nl=False)
        summary = summary.worded(command_line)
        summaries.append(summary)
        if summary.error:
            click.echo(f"error: {summary.error}", err=True)
    if as_json:
        click.echo(json.dumps([s.to_dict() for s in summaries], indent=2, ensure_ascii=False))
    else:
        _echo_ingest_summary(summaries, ctx.obj["db"] if ctx.obj["db_given"] else None)
    if any(s.status == "error" for s in summaries):
        ctx.exit(EXIT_UNREADABLE_FILE)


def _shown_url(url: str) -> str:
    """A database URL to repeat in a hint; one with a password is not printed.

    >>> _shown_url("sqlite:////data/lab.sqlite")
    'sqlite:////data/lab.sqlite'
    >>> _shown_url("postgresql+psycopg://lab:secret@db/subsmatch")
    'URL'
    """
    from sqlalchemy.engine import make_url

    return "URL" if make_url(url).password else shlex.quote(url)


def _echo_ingest_summary(summaries: list, db: str | None) -> None:
    """The summary for people; ``db`` is the --db given on the command line, if any."""
    flagged = [(s.source, f) for s in summaries for f in s.flagged]
    if flagged:
        click.secho("Flagged findings", bold=True)
        flagged.sort(
            key=lambda sf: (sf[1].case_id or "", sf[1].item_id or "", sf[0], severity(sf[1].status))
        )
        group = None
        for source, f in flagged:
            label = (
                f"case {f.case_id}  item {f.item_id or '-'}"
                if f.case_id
                else f"{source} (no case id)"
            )
            if label != group:
                group = label
                click.echo(f"  {label}")
            status = click.style(f"{f.status:<10}", fg=STATUS_STYLE.get(f.status), bold=True)
            resolved = f" -> {f.resolved}" if f.resolved and f.resolved != f.name else ""
            lists = f"  [{' | '.join(f.lists)}]" if f.lists else ""
            click.echo(f"    {status} {f.name}{resolved}{lists}")
            click.echo(f"               at {f.locator}")
        click.echo()
    click.secho("Files", bold=True)
    for s in summaries:
        if s.status == "error":
            click.echo(f"  {s.source}: NOT INGESTED")
            continue
        if s.status == "already_ingested":
            click.echo(f"  {s.source}: already ingested (version {s.version}); nothing changed")
            for note in s.notes:
                click.echo(f"      note: {note}")
            continue
        counts = ", ".join(f"{k} {v}" for k, v in sorted(s.statuses.items()))
        click.echo(
            f"  {s.source}: new (version {s.version}, {s.format}"
            + (f", profile {s.profile}" if s.profile else "")
            + f"): {s.rows_read} rows"
            f" read = {s.findings} findings + {s.rejections} rejections"
            + (f"; {counts}" if counts else "")
        )
        for note in s.notes:
            click.echo(f"      note: {note}")
        shown = s.rejected[:REJECTIONS_LISTED]
        for where, why in shown:
            click.echo(f"      rejected {where}: {why}")
        if s.rejections > len(shown):
            click.echo(
                f"      {s.rejections - len(shown)} more rejections: "
                f"subsmatch{f' --db {_shown_url(db)}' if db else ''} rejections "
                f"--file {shlex.quote(s.source)}"
            )
        if len(s.flagged) < s.flagged_count:
            click.echo(
                f"      {s.flagged_count - len(s.flagged)} more flagged findings: "
                "subsmatch findings --flagged"
            )


# --- findings and show ---------------------------------------------------------------------------

FINDING_FIELDS = (
    "file",
    "case_id",
    "item_id",
    "technique",
    "measured_at",
    "rank",
    "name",
    "cas",
    "status",
    "resolved_name",
    "via",
    "confidence",
    "lists",
    "locator",
)


def _finding_out(row: dict) -> dict:
    from subsmatch.matchers.verdict import listed_on
    from subsmatch.reports.export import utc_text

    out = {k: row[k] for k in FINDING_FIELDS if k in row}
    out["measured_at"] = utc_text(row["measured_at"])
    out["lists"] = list(listed_on(row["verdict"])) if row["verdict"] else []
    out["scores"] = row["scores"]
    out["data_version"] = row["data_version"]
    return out


def _findings_table(rows: list[dict]) -> None:
    for row in rows:
        status = click.style(f"{row['status']:<10}", fg=STATUS_STYLE.get(row["status"]), bold=True)
        resolved = row["resolved_name"] or "-"
        click.echo(
            f"{status} {row['case_id'] or '-'}/{row['item_id'] or '-'}  "
            f"{row['name'] or row['cas'] or '-'} -> {resolved}"
            + (f"  [{' | '.join(row['lists'])}]" if row["lists"] else "")
        )
    click.echo(f"{len(rows)} findings", err=True)


@main.command()
@status_options
@click.option("--case", metavar="ID", help="Only this case.")
@click.option(
    "--since",
    metavar="DATE",
    callback=_parse_date,
    help="Measured (or ingested) on or after this date (YYYY-MM-DD, from 00:00 UTC).",
)
@click.option("--limit", type=click.IntRange(min=1), help="At most this many findings.")
@output_options
@click.pass_context
def findings(
    ctx: click.Context,
    flagged: bool,
    statuses: tuple[str, ...],
    case: str | None,
    since: date | None,
    limit: int | None,
    as_json: bool,
    as_csv: bool,
) -> None:
    """List stored findings with their verdicts (all that match unless --limit).

    \b
    Examples:
        subsmatch findings --flagged
        subsmatch findings --case 24-01873 --csv > case.csv
    """
    from subsmatch.store.queries import findings as stored_findings

    wanted = _wanted_statuses(flagged, statuses)
    rows = stored_findings(
        _engine(ctx), statuses=wanted, case=case, since=_when(since), limit=limit
    )
    emit([_finding_out(r) for r in rows], as_json, as_csv, _findings_table)


@main.command()
@click.option("--substructure", metavar="SMARTS", help="Findings whose structure holds this.")
@click.option("--similar", metavar="SMILES", help="Findings similar to this structure.")
@click.option(
    "--min",
    "minimum",
    type=click.FloatRange(0, 1),
    default=0.6,
    show_default=True,
    help="Smallest Tanimoto similarity (Morgan radius 2, 2048 bits) for --similar.",
)
@click.option(
    "--engine",
    "search_engine",
    type=click.Choice(["auto", "database", "python"]),
    default="auto",
    show_default=True,
    help="auto: inside PostgreSQL when the RDKit cartridge is there, else in process.",
)
@click.option("--limit", type=click.IntRange(min=1), help="At most this many findings.")
@output_options
@click.pass_context
def search(
    ctx: click.Context,
    substructure: str | None,
    similar: str | None,
    minimum: float,
    search_engine: str,
    limit: int | None,
    as_json: bool,
    as_csv: bool,
) -> None:
    """Search stored findings by substructure or by similarity.

    \b
    Examples:
        subsmatch search --substructure "O=C(c1ccccc1)C(C)N"
        subsmatch search --similar "CNC(C)C(=O)c1ccc(Cl)cc1" --min 0.6 --json
    """
    from subsmatch.matchers.structure_search import (
        SearchError,
        query_molecule,
        query_pattern,
        similar_hits,
        substructure_hits,
    )
    from subsmatch.store import search as in_database
    from subsmatch.store.queries import findings as stored_findings

    if bool(substructure) == bool(similar):
        raise click.UsageError("give exactly one of --substructure SMARTS or --similar SMILES")
    try:  # a pattern that cannot be read is a usage error before the database is opened
        query_pattern(substructure) if substructure else query_molecule(similar)
    except SearchError as error:
        raise click.BadParameter(str(error)) from None
    engine = _engine(ctx)
    use_database = search_engine == "database" or (
        search_engine == "auto" and in_database.cartridge_available(engine)
    )
    if search_engine == "database" and not in_database.cartridge_available(engine):
        raise click.ClickException(
            "no RDKit cartridge in this database (PostgreSQL with "
            "postgresql-15-rdkit); use --engine python"
        )
    try:
        if use_database:
            scores = (
                dict.fromkeys(in_database.substructure_ids(engine, substructure), None)
                if substructure
                else in_database.similar_ids(engine, similar, minimum)
            )
        else:
            stored = in_database.structures(engine)
            scores = (
                dict.fromkeys(substructure_hits(stored, substructure), None)
                if substructure
                else similar_hits(stored, similar, minimum)
            )
    except SearchError as error:
        raise click.BadParameter(str(error)) from None
    rows = []
    for row in stored_findings(engine, resolution_ids=scores, limit=limit):
        out = _finding_out(row)
        out["similarity"] = scores[row["resolution_id"]]
        rows.append(out)
    rows.sort(key=lambda r: -(r["similarity"] or 0))
    click.echo(
        f"searched {'in the database (RDKit cartridge)' if use_database else 'in process'}"
        f"; {len(scores)} structures match",
        err=True,
    )
    emit(rows, as_json, as_csv, _findings_table)


@main.command()
@click.argument("source", type=click.Path(exists=True))
@click.option(
    "--out",
    required=True,
    type=click.Path(),
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
    type=click.Choice(["python", "dask"]),
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
    """Resolve and match a whole findings table (Parquet) and write it with verdict columns.

    Each process or Dask worker loads the reference data once and judges each distinct query
    of its partition once; both engines give the same rows.

    \b
    Examples:
        subsmatch match findings.parquet --out matched.parquet
        subsmatch match big.parquet --out matched/ --engine dask --workers 2
    """
    from subsmatch.matchers.batch import match_parquet, match_parquet_dask

    try:
        if batch_engine == "dask":
            count = match_parquet_dask(source, out, column, scheduler, workers)
        else:
            count = match_parquet(source, out, column)
    except UserError as error:
        raise click.ClickException(error.worded(command_line)) from None
    click.echo(f"matched {count} rows into {out}", err=True)


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print the changes as JSON.")
@click.pass_context
def rematch(ctx: click.Context, as_json: bool) -> None:
    """Re-evaluate stored findings against the current reference data and rules.

    Findings move to the new verdicts (the old ones are kept); every re-evaluation is
    recorded with the versions before and after. Prints the verdicts that changed.

    \b
    Example:
        subsmatch rematch --json
    """
    from subsmatch.operations.rematch import rematch as run_rematch

    done = run_rematch(_engine(ctx))
    if as_json:
        click.echo(json.dumps(done.to_dict(), indent=2))
        return
    click.echo(
        f"{done.rejudged} stored verdicts re-judged: {len(done.changed)} changed status, "
        f"{done.evidence_changed} kept their status but not their evidence"
    )
    for move, counts in done.transitions.items():
        click.echo(f"  {move}: {counts['verdicts']} verdicts, {counts['findings']} findings")
    for c in done.changed:
        click.echo(f"    {c.query}: {c.old_status} -> {c.new_status} ({c.findings} findings)")


@main.command()
@click.argument("case")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def show(ctx: click.Context, case: str, as_json: bool) -> None:
    """Show one case: every analysis, hit and verdict.

    \b
    Example:
        subsmatch show 24-01873
    """
    from subsmatch.store.queries import case_findings

    rows = case_findings(_engine(ctx), case)
    if not rows:
        raise click.ClickException(
            f"no case {case!r} in the database; list cases with subsmatch findings"
        )
    if as_json:
        from subsmatch.reports.export import utc_text

        for row in rows:
            row["measured_at"] = utc_text(row["measured_at"])
            row["ingested_at"] = utc_text(row["ingested_at"])
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False, default=str))
        return
    click.secho(f"Case {case}", bold=True)
    item = None
    for row in rows:
        if row["item_id"] != item:
            item = row["item_id"]
            device = " ".join(filter(None, (row["vendor"], row["model"])))
            click.echo(
                f"  item {item or '-'}  {row['technique'] or ''} {device}  "
                f"{row['context'] or ''}  measured {_measured(row)}  "
                f"device verdict: {row['verdict_raw'] or row['device_verdict']}"
            )
        out = _finding_out(row)
        scores = ", ".join(f"{s['name']} {s['value']:g}" for s in row["scores"])
        status = click.style(f"{row['status']:<10}", fg=STATUS_STYLE.get(row["status"]))
        click.echo(
            f"    {row['rank'] or '-':>2} {status} {row['name'] or '-'}"
            + (f" -> {row['resolved_name']}" if row["resolved_name"] else "")
            + (f" ({scores})" if scores else "")
        )
        for listed in out["lists"]:
            click.echo(f"         {listed}")


def _measured(row: dict) -> str:
    """When an analysis was made: as printed in the report, and in UTC as stored.

    >>> _measured({"measured_at": datetime(2024, 3, 13, 23), "measured_at_raw": "14/03/2024"})
    '14/03/2024 (2024-03-13T23:00:00+00:00)'
    """
    from subsmatch.reports.export import utc_text

    stored, printed = utc_text(row["measured_at"]), row["measured_at_raw"]
    if stored and printed:
        return f"{printed} ({stored})"
    return stored or printed or "-"


@main.command("rejections")
@click.option(
    "--file", "source", metavar="NAME", help="Only this file (its name as ingested, or its end)."
)
@click.option("--limit", type=click.IntRange(min=1), help="At most this many rejections.")
@output_options
@click.pass_context
def rejections_command(
    ctx: click.Context, source: str | None, limit: int | None, as_json: bool, as_csv: bool
) -> None:
    """List stored rejections: rows that became no finding, where and why (newest files first).

    \b
    Examples:
        subsmatch rejections --file lims_export.csv
        subsmatch rejections --csv > rejected.csv
    """
    from subsmatch.store.queries import rejections

    rows = [
        {**row, "reason": word(row["reason"], command_line)}
        for row in rejections(_engine(ctx), source=source, limit=limit)
    ]
    emit(rows, as_json, as_csv, _rejections_table)


def _rejections_table(rows: list[dict]) -> None:
    for row in rows:
        click.echo(f"{row['locator']}: {row['reason']}")
    click.echo(f"{len(rows)} rejections", err=True)


def _frame(ctx: click.Context, country: str | None, context: str | None):
    from subsmatch.store.queries import finding_frame

    contexts = CONTEXT_GROUPS.get(context, ()) if context else ()
    return finding_frame(_engine(ctx), country=country, contexts=contexts)


def _when(value: date | None) -> datetime | None:
    return datetime.combine(value, datetime.min.time()) if value else None


@main.command()
@click.option(
    "--by",
    type=click.Choice(["week", "month", "quarter"]),
    default="month",
    show_default=True,
    help="Period length.",
)
@click.option(
    "--since",
    metavar="DATE",
    callback=_parse_date,
    help="Window start (default: a year before the newest finding).",
)
@click.option("--until", metavar="DATE", callback=_parse_date, help="Window end (exclusive).")
@click.option("--country", metavar="C", help="Only findings from this country.")
@click.option("--context", type=click.Choice(["field", "lab"]), help="Only field or lab.")
@click.option("--classes", is_flag=True, help="Per substance class instead of per substance.")
@output_options
@click.pass_context
def trends(
    ctx: click.Context,
    by: str,
    since: date | None,
    until: date | None,
    country: str | None,
    context: str | None,
    classes: bool,
    as_json: bool,
    as_csv: bool,
) -> None:
    """Counts of findings per substance (or class) over time, with what is new.

    Flags: "new" (first seen in this database inside the window), "unlisted" (an analogue, or
    unresolved with a structure), "recently_listed" (first listed inside the window).

    \b
    Examples:
        subsmatch trends --by quarter --since 2024-01-01
        subsmatch trends --context field --country NL --classes --csv
    """
    from subsmatch.reference.lists import load
    from subsmatch.reports.trends import substance_trends

    per_substance, per_class = substance_trends(
        _frame(ctx, country, context), load(), by=by, since=_when(since), until=_when(until)
    )
    rows = [t.to_dict() for t in (per_class if classes else per_substance)]
    if as_csv:  # long format: one row per period
        rows = [
            {
                **{k: v for k, v in r.items() if k != "counts"},
                "flags": " ".join(r["flags"]),
                "period": period,
                "count": n,
            }
            for r in rows
            for period, n in sorted(r["counts"].items())
        ]
    emit(rows, as_json, as_csv, _trends_table)


def _trends_table(rows: list[dict]) -> None:
    periods = sorted({p for r in rows for p in r["counts"]})
    shown = periods[-8:]
    click.echo(
        f"{'substance':<36}{'class':<22}{'first seen':<12}{'total':>6}  "
        + "".join(f"{p:>9}" for p in shown)
        + "  flags"
    )
    for r in rows:
        click.echo(
            f"{r['name'][:35]:<36}{r['class'][:21]:<22}{r['first_seen']:<12}"
            f"{r['total']:>6}  "
            + "".join(f"{r['counts'].get(p, 0):>9}" for p in shown)
            + "  "
            + " ".join(r["flags"])
        )
    if len(periods) > len(shown):
        click.echo(
            f"(last {len(shown)} of {len(periods)} periods shown; --json or --csv for all)",
            err=True,
        )


@main.command()
@click.option(
    "--window",
    "window_days",
    type=click.IntRange(min=1),
    default=30,
    show_default=True,
    help="Days within which cases or sources are counted.",
)
@click.option("--min-cases", type=click.IntRange(min=1), default=3, show_default=True)
@click.option("--min-sources", type=click.IntRange(min=1), default=3, show_default=True)
@click.option("--country", metavar="C", help="Only findings from this country.")
@output_options
@click.pass_context
def alerts(
    ctx: click.Context,
    window_days: int,
    min_cases: int,
    min_sources: int,
    country: str | None,
    as_json: bool,
    as_csv: bool,
) -> None:
    """Substances that cross a threshold, with the cases behind each.

    New unlisted analogues; flagged substances seen in N cases or N sources within a window;
    field-device hits that no lab analysis of the same item has confirmed.

    \b
    Examples:
        subsmatch alerts
        subsmatch alerts --window 14 --min-cases 2 --json
    """
    from subsmatch.reports.alerts import alerts as compute

    found = compute(
        _frame(ctx, country, None),
        window_days=window_days,
        min_cases=min_cases,
        min_sources=min_sources,
    )
    rows = [a.to_dict() for a in found]
    if as_csv:
        rows = [
            {**r, "cases": " ".join(r["cases"]), "sources": " ".join(r["sources"])} for r in rows
        ]
    emit(rows, as_json, as_csv, _alerts_table)


def _alerts_table(rows: list[dict]) -> None:
    for r in rows:
        click.echo(click.style(f"{r['kind']:<22}", bold=True) + f" {r['name']} [{r['status']}]")
        click.echo(f"    {r['reason']}")
        click.echo(f"    cases: {', '.join(r['cases']) or '-'}")
    click.echo(f"{len(rows)} alerts", err=True)


@main.command()
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="The HTML file to write.",
)
@click.option(
    "--by", type=click.Choice(["week", "month", "quarter"]), default="month", show_default=True
)
@click.option("--since", metavar="DATE", callback=_parse_date, help="Window start.")
@click.option("--until", metavar="DATE", callback=_parse_date, help="Window end (exclusive).")
@click.option("--country", metavar="C", help="Only findings from this country.")
@click.option("--context", type=click.Choice(["field", "lab"]), help="Only field or lab.")
@click.pass_context
def report(
    ctx: click.Context,
    out: Path,
    by: str,
    since: date | None,
    until: date | None,
    country: str | None,
    context: str | None,
) -> None:
    """Write one self-contained HTML report: trends, alerts, new substances, evidence.

    It needs no network to open: plots are embedded images, structures inline SVG.

    \b
    Example:
        subsmatch report --out report.html --by quarter --since 2024-01-01
    """
    from subsmatch.reports.html import build_report

    frame = _frame(ctx, country, context)
    if frame.empty:
        raise click.ClickException(
            "no findings in the database for these filters; ingest "
            "reports first (subsmatch ingest PATH)"
        )
    from subsmatch.matchers.checker import Checker
    from subsmatch.substances.structures import keys_of

    checker = Checker()
    html = build_report(
        _engine(ctx),
        frame,
        by=by,
        since=_when(since),
        until=_when(until),
        nearest=lambda smiles: checker.nearest(keys_of(smiles)),
    )
    out.write_text(html, encoding="utf-8")
    click.echo(f"wrote {out} ({len(html) / 1024:,.0f} KiB)", err=True)


@main.command()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "json", "parquet", "sdf"]),
    default="csv",
    show_default=True,
    help="Output format.",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to this file (required for parquet); default standard output.",
)
@status_options
@click.option("--case", metavar="ID", help="Only this case.")
@click.option("--since", metavar="DATE", callback=_parse_date, help="From this date (YYYY-MM-DD).")
@click.option("--until", metavar="DATE", callback=_parse_date, help="Before this date.")
@click.pass_context
def export(
    ctx: click.Context,
    fmt: str,
    out: Path | None,
    flagged: bool,
    statuses: tuple[str, ...],
    case: str | None,
    since: date | None,
    until: date | None,
) -> None:
    """Export stored findings with their verdicts (CSV, JSON, Parquet or SDF).

    CSV cells that a spreadsheet would run as a formula are neutralised. SDF carries each
    structure with the verdict as properties.

    \b
    Examples:
        subsmatch export --format csv --flagged > flagged.csv
        subsmatch export --format parquet --out findings.parquet
        subsmatch export --format sdf --status analogue --out new_substances.sdf
    """
    from subsmatch.reports import export as exporter
    from subsmatch.store.queries import findings as stored_findings

    if fmt == "parquet" and out is None:
        raise click.UsageError("--format parquet writes a binary file: give --out FILE")
    wanted = _wanted_statuses(flagged, statuses)
    rows = stored_findings(
        _engine(ctx),
        statuses=wanted,
        case=case,
        since=_when(since),
        until=_when(until),
    )
    if fmt == "parquet":
        count = exporter.write_parquet(rows, out)
    else:
        writer = {
            "csv": exporter.write_csv,
            "json": exporter.write_json,
            "sdf": exporter.write_sdf,
        }[fmt]
        if out is None:
            count = writer(rows, sys.stdout)
        else:
            with out.open("w", encoding="utf-8", newline="") as handle:
                count = writer(rows, handle)
    click.echo(f"exported {count} findings" + (f" to {out}" if out else ""), err=True)


def run() -> None:
    """The ``subsmatch`` console script: the command, then an exit without a last full garbage
    collection, which would scan the reference and every cache (a third of a second after an
    ingest) to free memory that the operating system takes back anyway. Connections and files
    are closed by the commands themselves."""
    try:
        main()
    except UserError as error:  # a problem the user can fix, that no command turned into words
        click.echo(f"error: {error.worded(command_line)}", err=True)
        sys.exit(1)
    finally:
        gc.freeze()


if __name__ == "__main__":
    run()
