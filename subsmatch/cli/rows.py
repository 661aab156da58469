"""Rows for people or programs: a table, a JSON array, or CSV safe to open in a spreadsheet.

What the rows hold came from reports and requests: a table shows it made safe for a terminal
(:func:`~subsmatch.cli.output.safe`), and so does CSV printed on a terminal; CSV sent to a
file or a pipe keeps every character (JSON escapes them itself).
"""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Callable

import click

from subsmatch.cli.output import echo_json, printable, styled
from subsmatch.operations.findings import spreadsheet_safe
from subsmatch.vocabulary import counted


def emit(
    rows: list[dict], as_json: bool, as_csv: bool, table: Callable[[list[dict]], None]
) -> None:
    """Rows as a JSON array, as CSV (cells a spreadsheet would run neutralised), or as the
    command's ``table`` for people."""
    if as_json:
        echo_json(rows)
    elif as_csv:
        if not rows:
            return
        if sys.stdout.isatty():
            rows = printable(rows)
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
        writer.writeheader()
        for row in rows:
            writer.writerow({k: spreadsheet_safe(_cell(v)) for k, v in row.items()})
        click.echo(buffer.getvalue(), nl=False)
    else:
        table(printable(rows))


def _cell(value: object) -> object:
    return json.dumps(value, ensure_ascii=False) if isinstance(value, list | dict) else value


def findings_table(rows: list[dict]) -> None:
    """Stored findings in brief, one line each (led by their similarity, for a similarity
    search), and their count on standard error."""
    for row in rows:
        resolved = row["resolved_name"] or "-"
        similarity = row.get("similarity")
        click.echo(
            (f"{similarity:.2f}  " if similarity is not None else "")
            + f"{styled(row['status'], 10)} {row['case_id'] or '-'}/{row['item_id'] or '-'}  "
            f"{row['name'] or row['cas'] or '-'} -> {resolved}"
            + (f"  [{' | '.join(row['lists'])}]" if row["lists"] else "")
        )
    click.echo(counted(len(rows), "finding"), err=True)
