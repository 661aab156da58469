"""What the stored findings say over time: trends, alerts, the HTML report.

The rules both front ends follow: a context filter is a group of contexts ("field": field
screening; "lab": lab screening and confirmation); a window of days runs from ``since`` at
00:00 UTC to before ``until`` at 00:00 UTC (:mod:`subsmatch.operations.window`); the
analysis frame holds all findings of the filters over all time, so that "first seen in this
database" is right whatever the window; a finding's time is when it was measured, and one
whose report gave none is undated (shown apart, never at the day it was ingested).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date

import pandas as pd
from sqlalchemy import Engine

from subsmatch.errors import InvalidRequest, NotFound
from subsmatch.matchers.checker import Checker
from subsmatch.matchers.verdict import at_home
from subsmatch.operations.check import home as home_of
from subsmatch.operations.window import midnight
from subsmatch.reference.lists import Reference, load
from subsmatch.reports.alerts import Alert
from subsmatch.reports.alerts import alerts as find_alerts
from subsmatch.reports.html import build_report
from subsmatch.reports.trends import (
    PERIODS,
    Gap,
    Trends,
    columns,
    measured_only,
    substance_trends,
)
from subsmatch.store.queries import finding_frame, resolution_verdicts
from subsmatch.substances.structures import keys_of
from subsmatch.vocabulary import CONTEXT_GROUPS, FLAGGED, Status, is_flagged

__all__ = [
    "CONTEXT_GROUPS",
    "PERIODS",
    "Gap",
    "Trends",
    "alerts",
    "columns",
    "frame",
    "report",
    "trends",
]


def frame(
    engine: Engine,
    country: str | None = None,
    context: str | None = None,
    home: Sequence[str] | None = None,
) -> pd.DataFrame:
    """The analysis frame of the stored findings from ``country`` in the ``context`` group,
    each status the headline at ``home`` (None: the settings' home). A precursor of a category
    that is not flagged (acetone, EU Category 3) counts as ``not_listed`` here: trends and
    alerts are about what is flagged."""
    if context and context not in CONTEXT_GROUPS:
        raise InvalidRequest(
            f"unknown context {context!r}; choose from {', '.join(CONTEXT_GROUPS)}",
            option="context",
        )
    contexts = CONTEXT_GROUPS[context] if context else ()
    found = measured_only(finding_frame(engine, country=country, contexts=contexts))
    ids = found["resolution_id"].dropna().astype(int).unique()
    if not len(ids):
        return found
    scope = tuple(home) if home else home_of()
    statuses = {}
    for rid, text in resolution_verdicts(engine, ids).items():
        verdict = at_home(json.loads(text), scope)
        status = verdict["status"]
        quiet = status in FLAGGED and not is_flagged(status, verdict.get("flagged"))
        statuses[rid] = Status.NOT_LISTED.value if quiet else status
    mapped = found["resolution_id"].map(statuses)
    found["status"] = mapped.where(mapped.notna(), found["status"])
    return found


def trends(
    engine: Engine,
    *,
    by: str = "month",
    since: date | None = None,
    until: date | None = None,
    country: str | None = None,
    context: str | None = None,
    reference: Reference | None = None,
) -> Trends:
    """Per substance and per class: findings per period in the window, first seen, flags, the
    undated apart; and the window's time axis."""
    if by not in PERIODS:
        raise InvalidRequest(
            f"unknown period {by!r}; choose from {', '.join(PERIODS)}", option="by"
        )
    return substance_trends(
        frame(engine, country, context),
        reference or load(),
        by=by,
        since=midnight(since),
        until=midnight(until),
    )


def alerts(
    engine: Engine,
    *,
    window_days: int = 30,
    min_cases: int = 3,
    min_sources: int = 3,
    country: str | None = None,
) -> list[Alert]:
    """Substances that cross a threshold, with the cases behind each."""
    return find_alerts(
        frame(engine, country),
        window_days=window_days,
        min_cases=min_cases,
        min_sources=min_sources,
    )


def report(
    engine: Engine,
    checker: Checker,
    *,
    by: str = "month",
    since: date | None = None,
    until: date | None = None,
    country: str | None = None,
    context: str | None = None,
) -> str:
    """One self-contained HTML report: trends, alerts, new substances beside their nearest
    controlled neighbour, evidence."""
    findings = frame(engine, country, context, checker.home)
    if findings.empty:
        raise NotFound(
            "no findings in the database for these filters; ingest reports first "
            "(subsmatch ingest PATH)"
        )
    return build_report(
        engine,
        findings,
        by=by,
        since=midnight(since),
        until=midnight(until),
        nearest=lambda smiles: checker.nearest(keys_of(smiles)),
        home=tuple(checker.home),
    )
