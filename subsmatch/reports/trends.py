"""Trends: findings per substance and per substance class over time, and what is new.

Works on the frame of :func:`subsmatch.store.queries.finding_frame` (all findings of the
filters, over all time, so that "first seen in this database" is right), then counts the
window [since, until) per period.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import pandas as pd

from subsmatch.vocabulary import TrendJSON

PERIODS = {"week": "W-MON", "month": "M", "quarter": "Q"}
UNLISTED = ("analogue", "unresolved")
RECENT = timedelta(days=365)


@dataclass(frozen=True)
class Trend:
    """One substance (or class) over the window."""

    key: str
    name: str
    substance_class: str
    status: str
    total: int
    cases: int
    first_seen: date
    flags: tuple[str, ...]
    counts: dict[str, int] = field(default_factory=dict)  # period label -> findings

    def to_dict(self) -> TrendJSON:
        return {
            "key": self.key,
            "name": self.name,
            "class": self.substance_class,
            "status": self.status,
            "total": self.total,
            "cases": self.cases,
            "first_seen": self.first_seen.isoformat(),
            "flags": list(self.flags),
            "counts": self.counts,
        }


def substance_keys(frame: pd.DataFrame) -> pd.Series:
    """The reference substance, or the printed name for what did not resolve."""
    by_name = "name:" + frame["name"].fillna("").str.strip().str.lower()
    return frame["substance_id"].where(frame["substance_id"].notna(), by_name)


def period_labels(when: pd.Series, by: str) -> pd.Series:
    """'2024-03' for months, '2024Q1' for quarters, '2024-03-11' (Monday) for weeks."""
    periods = when.dt.to_period(PERIODS[by])
    if by == "week":
        return periods.dt.start_time.dt.strftime("%Y-%m-%d")
    return periods.astype(str)


def _flags(
    row: pd.Series, start: pd.Timestamp, listed_since: date | None, window_start: date
) -> tuple[str, ...]:
    flags = []
    if row["first_seen"] >= start:
        flags.append("new")
    if row["status"] in UNLISTED and (row["status"] == "analogue" or row["has_structure"]):
        flags.append("unlisted")
    if listed_since is not None and listed_since >= window_start:
        flags.append("recently_listed")
    return tuple(flags)


def trends(
    frame: pd.DataFrame,
    *,
    by: str = "month",
    since: datetime | None = None,
    until: datetime | None = None,
    classify: Callable[[str | None], str],
    listed_since: Mapping[str, date],
) -> tuple[list[Trend], list[Trend]]:
    """Per substance and per class: counts per period in the window, first seen, flags.

    ``listed_since`` maps substance ids to the date of their first controlling listing; a
    substance is "recently listed" when that date falls in the window (or the last year).
    """
    if frame.empty:
        return [], []
    frame = frame.assign(key=substance_keys(frame))
    first_seen = frame.groupby("key")["when"].min()
    until = until or (frame["when"].max() + timedelta(seconds=1)).to_pydatetime()
    start = pd.Timestamp(since) if since else pd.Timestamp(until - RECENT)
    window = frame[(frame["when"] >= start) & (frame["when"] < pd.Timestamp(until))].copy()
    if window.empty:
        return [], []
    window["period"] = period_labels(window["when"], by)
    window["class"] = window["smiles"].map(_cached(classify))
    per_substance = _summarise(window, "key", first_seen, start, listed_since)
    class_first = window.groupby("class")["key"].agg(lambda keys: first_seen[keys].min())
    per_class = _summarise(window, "class", class_first, start, {})
    return per_substance, per_class


def _summarise(
    window: pd.DataFrame,
    by: str,
    first_seen: pd.Series,
    start: pd.Timestamp,
    listed_since: Mapping[str, date],
) -> list[Trend]:
    counts = window.groupby([by, "period"]).size()
    out = []
    for key, group in window.groupby(by, sort=False):
        latest = group.iloc[-1]
        info = pd.Series(
            {
                "first_seen": first_seen[key],
                "status": group["status"].mode().iat[0],
                "has_structure": group["smiles"].notna().any(),
            }
        )
        name = (
            latest["resolved_name"]
            if isinstance(latest["resolved_name"], str)
            else (latest["name"] or str(key))
        )
        out.append(
            Trend(
                key=str(key),
                name=name if by == "key" else str(key),
                substance_class=str(latest["class"]),
                status=str(info["status"]),
                total=len(group),
                cases=group["case_id"].nunique(),
                first_seen=info["first_seen"].date(),
                flags=_flags(info, start, listed_since.get(key), start.date()),
                counts={str(p): int(n) for p, n in counts[key].items()},
            )
        )
    return sorted(out, key=lambda t: (-t.total, t.name))


def _cached(function: Callable[[str | None], str]) -> Callable[[object], str]:
    memo: dict[object, str] = {}

    def call(value: object) -> str:
        if value not in memo:
            memo[value] = function(value if isinstance(value, str) else None)
        return memo[value]

    return call


def substance_trends(
    frame: pd.DataFrame,
    reference,
    *,
    by: str = "month",
    since: datetime | None = None,
    until: datetime | None = None,
) -> tuple[list[Trend], list[Trend]]:
    """:func:`trends` with the shipped drug classes and the reference's first listing dates."""
    from subsmatch.matchers.classes import drug_class

    listed = {
        sid: first
        for sid in frame["substance_id"].dropna().unique()
        if (first := reference.first_listed(sid))
    }
    return trends(frame, by=by, since=since, until=until, classify=drug_class, listed_since=listed)
