"""Commands that bring reports in and judge them again: ingest, rematch."""

from __future__ import annotations

import shlex
import sys
import time
from collections.abc import Callable
from pathlib import Path

import click

from subsmatch.cli import EXIT_UNREADABLE_FILE
from subsmatch.cli.database import engine, given_url
from subsmatch.cli.options import home_option, json_option, region_option
from subsmatch.cli.output import echo_json, safe, say, styled
from subsmatch.cli.registry import command
from subsmatch.errors import command_line
from subsmatch.operations import ingest as ingesting
from subsmatch.operations.check import BATCH_KEPT, home_checker
from subsmatch.operations.rematch import rematch as rejudge
from subsmatch.vocabulary import counted, severity

REJECTIONS_LISTED = 3  # rejections printed per file after an ingest (all are stored)
STDIN = "<stdin>"


def input_files(paths: tuple[str, ...]) -> list[str]:
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
        say(f"note: no report files in {path}; skipped", err=True)
    return files


PROGRESS_AFTER = 2.0  # seconds into a file before its progress bar shows
BAR = 30  # characters


def progress(enabled: bool) -> Callable[[str, int, float | None], None] | None:
    """A progress bar of the file being read, on one line of standard error (a terminal only),
    once the file has taken a couple of seconds: how much of it was read, and its rows."""
    if not enabled:
        return None
    started: dict[str, float] = {}

    def show(name: str, rows: int, done: float | None) -> None:
        now = time.monotonic()
        if now - started.setdefault(name, now) < PROGRESS_AFTER:
            return
        bar = "" if done is None else f" [{'#' * round(done * BAR):<{BAR}}] {done:4.0%}"
        click.echo(f"\r{safe(name)}{bar} {rows:,} rows", err=True, nl=False)

    return show


@command("ingest")
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@click.option(
    "--format",
    "format_name",
    metavar="NAME",
    help=f"Skip detection: {', '.join(ingesting.FORMAT_NAMES)}.",
)
@click.option("--profile", metavar="FILE|NAME", help="Column-mapping profile for CSV/XLSX.")
@click.option(
    "--encoding",
    metavar="NAME",
    help="Text encoding of files without a byte-order mark, e.g. cp1252, cp437, utf-16-le.",
)
@click.option("--sheet", metavar="NAME", help="XLSX sheet to read.")
@click.option(
    "--timezone",
    metavar="ZONE",
    help="IANA zone for times printed without one, unless the profile declares its own.",
)
@click.option(
    "--stdin-name",
    metavar="NAME",
    default=STDIN,
    show_default=True,
    help='The file name to record for "-" (standard input), e.g. the original export\'s.',
)
@click.option("--force", is_flag=True, help="Ingest content already ingested as a new version.")
@home_option
@region_option
@json_option("Print the summary as JSON.")
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
    home: str | None,
    region: str | None,
    as_json: bool,
) -> None:
    """PATH is a file, a directory (read recursively) or "-" for standard input. Formats are
    detected by content: NIST MS Search results, ChemStation library reports, CSV/TSV/XLSX
    exports (through a mapping profile), JSON and JSON Lines. Every row read becomes a stored
    finding or a stored rejection with its reason; each file is one transaction, and the same
    content again changes nothing (use --force for a new version). Names are resolved for
    --region's street usage; a verdict stored for another region is never reused.

    \b
    Examples:
        subsmatch ingest SRCRESLT.TXT LIBRPT.TXT
        subsmatch ingest exports/ --json
        subsmatch ingest handheld.csv --profile my_device.toml
        subsmatch ingest field_hits.csv --region US
        ssh scanner cat export.csv | subsmatch ingest - --stdin-name export.csv
    """
    options = ingesting.read_options(
        format=format_name, profile=profile, encoding=encoding, sheet=sheet, timezone=timezone
    )
    files = input_files(paths)
    if stdin_name != STDIN and "-" not in files:
        click.echo('note: --stdin-name names "-" (standard input), which is not read', err=True)
    interactive = sys.stderr.isatty() and not as_json
    sources = [(sys.stdin.buffer, stdin_name or STDIN) if f == "-" else f for f in files]
    summaries = []
    for summary in ingesting.ingest(
        engine(ctx, create=True),
        sources,
        options,
        checker=home_checker(home, region, kept=BATCH_KEPT),
        force=force,
        progress=progress(interactive),
    ):
        if interactive:
            click.echo("\r\033[K", err=True, nl=False)
        summary = summary.worded(command_line)
        summaries.append(summary)
        if summary.error:
            say(f"error: {summary.error}", err=True)
    if as_json:
        echo_json([s.to_dict() for s in summaries])
    else:
        echo_summaries(summaries, given_url(ctx))
    if any(s.status == "error" for s in summaries):
        ctx.exit(EXIT_UNREADABLE_FILE)


def echo_summaries(summaries: list, db: str | None) -> None:
    """The summary for people; ``db`` is the --db to repeat in a hint, if any."""
    flagged = [(s.source, f) for s in summaries for f in s.flagged]
    if flagged:
        echo_flagged(flagged)
    click.secho("Files", bold=True)
    for s in summaries:
        if s.status == "error":
            say(f"  {s.source}: NOT INGESTED")
            continue
        if s.status == "already_ingested":
            say(
                f"  {s.source}: already ingested (version {s.version}); nothing changed (to "
                "read it again, e.g. with another --profile or --encoding, add --force)"
            )
            for note in s.notes:
                say(f"      note: {note}")
            continue
        counts = ", ".join(f"{k} {v}" for k, v in sorted(s.statuses.items()))
        say(
            f"  {s.source}: new (version {s.version}, {s.format}"
            + (f", profile {s.profile}" if s.profile else "")
            + f"): {counted(s.rows_read, 'row')}"
            f" read = {counted(s.findings, 'finding')} + {counted(s.rejections, 'rejection')}"
            + (f"; {counts}" if counts else "")
        )
        for note in s.notes:
            say(f"      note: {note}")
        shown = s.rejected[:REJECTIONS_LISTED]
        for where, why in shown:
            say(f"      rejected {where}: {why}")
        if s.rejections > len(shown):
            say(
                f"      {s.rejections - len(shown)} more rejections: "
                f"subsmatch{f' --db {db}' if db else ''} rejections "
                f"--file {shlex.quote(s.source)}"
            )
        if len(s.flagged) < s.flagged_count:
            click.echo(
                f"      {s.flagged_count - len(s.flagged)} more flagged findings: "
                "subsmatch findings --flagged"
            )


def echo_flagged(flagged: list) -> None:
    """Flagged findings first, by case and item, the most severe first within each."""
    click.secho("Flagged findings", bold=True)
    flagged.sort(
        key=lambda sf: (sf[1].case_id or "", sf[1].item_id or "", sf[0], severity(sf[1].status))
    )
    group = None
    for source, f in flagged:
        label = (
            f"case {f.case_id}  item {f.item_id or '-'}" if f.case_id else f"{source} (no case id)"
        )
        if label != group:
            group = label
            say(f"  {label}")
        resolved = f" -> {f.resolved}" if f.resolved and f.resolved != f.name else ""
        lists = f"  [{' | '.join(f.lists)}]" if f.lists else ""
        click.echo(f"    {styled(f.status, 10)} {safe(f'{f.name}{resolved}{lists}')}")
        say(f"               at {f.locator}")
    click.echo()


@command("rematch")
@json_option("Print the changes as JSON.")
@click.pass_context
def rematch(ctx: click.Context, as_json: bool) -> None:
    """Findings move to the new verdicts (the old ones are kept); every re-evaluation is
    recorded with the versions before and after. Prints how many verdicts changed status and
    how (per transition, then per query), and how many kept their status but not their
    evidence.

    \b
    Example:
        subsmatch rematch --json
    """
    done = rejudge(engine(ctx), home_checker(kept=BATCH_KEPT))  # the new verdicts headed at home
    if as_json:
        echo_json(done.to_dict())
        return
    click.echo(
        f"{done.rejudged} stored verdicts re-judged: {len(done.changed)} changed status, "
        f"{done.evidence_changed} kept their status but not their evidence"
    )
    for move, counts in done.transitions.items():
        click.echo(
            f"  {move}: {counted(counts['verdicts'], 'verdict')}, "
            f"{counted(counts['findings'], 'finding')}"
        )
    for c in done.changed:
        say(f"    {c.query}: {c.old_status} -> {c.new_status} ({counted(c.findings, 'finding')})")
