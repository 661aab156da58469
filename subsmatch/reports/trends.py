"""Trends: findings per substance and per substance class over time, and what is new.

Works on the frame of :func:`subsmatch.store.queries.finding_frame` (all findings of the
filters, over all time, so that "first seen in this database" is right), then counts the
window [since, until) per period.

Time is when a finding was measured. A finding whose report gave no time is *undated*: it is
never put on the time axis (least of all at the day it was ingested), and it is counted apart,
per substance, whatever the window, so that nothing is hidden. The time axis of a window runs
over every period from its first finding to its last, the empty ones included: 2024-03, 2024-04
and 2026-12 are not neighbours (:func:`axis`, :func:`columns`).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import pandas as pd

from subsmatch.vocabulary import TrendJSON, TrendsJSON

PERIODS = {"week": "W-MON", "month": "M", "quarter": "Q"}
UNLISTED = ("analogue", "unresolved")
RECENT = timedelta(days=365)


@dataclass(frozen=True)
class Trend:
    """One substance (or class) over the window, and its undated findings."""

    key: str
    name: str
    substance_class: str
    status: str
    total: int  # dated findings in the window
    cases: int  # distinct case ids among the findings counted (dated and undated)
    first_seen: date | None  # the first measured finding in the database; None: none is dated
    flags: tuple[str, ...]
    counts: dict[str, int] = field(default_factory=dict)  # period label -> findings
    undated: int = 0  # findings without a time, whatever the window

    def to_dict(self) -> TrendJSON:
        return {
            "key": self.key,
            "name": self.name,
            "class": self.substance_class,
            "status": self.status,
            "total": self.total,
            "undated": self.undated,
            "cases": self.cases,
            "first_seen": self.first_seen.isoformat() if self.first_seen else None,
            "flags": list(self.flags),
            "counts": self.counts,
        }


@dataclass(frozen=True)
class Trends:
    """Per substance and per class, and the window's time axis: every period in order."""

    substances: list[Trend]
    classes: list[Trend]
    periods: list[str]

    def to_dict(self) -> TrendsJSON:
        return {
            "periods": self.periods,
            "substances": [t.to_dict() for t in self.substances],
            "classes": [t.to_dict() for t in self.classes],
        }


@dataclass(frozen=True)
class Gap:
    """A run of two or more periods without any finding, shown as one column."""

    first: str
    last: str
    periods: int

    def __str__(self) -> str:
        return f"({self.periods} empty)"


def measured_only(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with ``when`` only where the finding was measured: an undated one (``dated``
    false) has no time (NaT), not the time it was ingested."""
    if "dated" not in frame:
        return frame
    return frame.assign(when=frame["when"].where(frame["dated"].astype(bool)))


def substance_keys(frame: pd.DataFrame) -> pd.Series:
    """The reference substance, or the printed name for what did not resolve."""
    by_name = "name:" + frame["name"].fillna("").str.strip().str.lower()
    return frame["substance_id"].where(frame["substance_id"].notna(), by_name)


def label(period: pd.Period, by: str) -> str:
    """'2024-03' for months, '2024Q1' for quarters, '2024-03-11' (Monday) for weeks."""
    return period.start_time.strftime("%Y-%m-%d") if by == "week" else str(period)


def period_labels(when: pd.Series, by: str) -> pd.Series:
    """The label of each time's period (see :func:`label`)."""
    periods = when.dt.to_period(PERIODS[by])
    if by == "week":
        return periods.dt.start_time.dt.strftime("%Y-%m-%d")
    return periods.astype(str)


def period_starts(labels: list[str], by: str) -> list[pd.Timestamp]:
    """When each labelled period begins (a real position on a time axis)."""
    return [pd.Period(text, freq=PERIODS[by]).start_time for text in labels]


def axis(when: pd.Series, by: str) -> list[str]:
    """Every period from the first to the last of ``when`` (undated skipped), in order.

    >>> axis(pd.Series(pd.to_datetime(["2024-04-02", "2024-01-31", None])), "month")
    ['2024-01', '2024-02', '2024-03', '2024-04']
    """
    known = when.dropna()
    if known.empty:
        return []
    periods = known.dt.to_period(PERIODS[by])
    return [label(p, by) for p in pd.period_range(periods.min(), periods.max(), freq=PERIODS[by])]


def columns(periods: list[str], used: Collection[str], most: int | None = None) -> list:
    """The axis as table columns: each period with findings, a single empty period between
    two as itself, a run of two or more empty periods as one :class:`Gap`; the last ``most``.

    >>> months = ["2024-03", "2024-04", "2024-05", "2024-06", "2024-07", "2024-08"]
    >>> [str(c) for c in columns(months, {"2024-03", "2024-05", "2024-08"})]
    ['2024-03', '2024-04', '2024-05', '(2 empty)', '2024-08']
    """
    out: list = []
    run: list[str] = []
    for period in [*periods, None]:
        if period is not None and period not in used:
            run.append(period)
            continue
        out += run if len(run) < 2 else [Gap(run[0], run[-1], len(run))]
        run = []
        if period is not None:
            out.append(period)
    return out[-most:] if most else out


def _flags(
    first_seen: pd.Timestamp | None,
    status: str,
    has_structure: bool,
    start: pd.Timestamp | None,
    listed_since: date | None,
) -> tuple[str, ...]:
    flags = []
    if first_seen is not None and start is not None and first_seen >= start:
        flags.append("new")
    if status in UNLISTED and (status == "analogue" or has_structure):
        flags.append("unlisted")
    if listed_since is not None and start is not None and listed_since >= start.date():
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
) -> Trends:
    """Per substance and per class: counts per period in the window, first seen, flags, and
    the undated findings apart.

    The window is [since, until); without ``until`` it ends after the newest dated finding,
    without ``since`` it starts a year before its end. ``listed_since`` maps substance ids
    to the date of their first controlling listing; a substance is "recently listed" when
    that date falls in the window.
    """
    if frame.empty:
        return Trends([], [], [])
    frame = frame.assign(key=substance_keys(frame))
    dated, undated = frame[frame["when"].notna()], frame[frame["when"].isna()]
    first_seen = dated.groupby("key")["when"].min()
    if until is None and not dated.empty:
        until = (dated["when"].max() + timedelta(seconds=1)).to_pydatetime()
    start = pd.Timestamp(since) if since else pd.Timestamp(until - RECENT) if until else None
    window = dated.iloc[0:0]
    if until is not None:
        window = dated[(dated["when"] >= start) & (dated["when"] < pd.Timestamp(until))]
    counted = pd.concat(
        [window.assign(period=period_labels(window["when"], by)), undated.assign(period=None)]
    )
    if counted.empty:
        return Trends([], [], [])
    counted["class"] = counted["smiles"].map(_cached(classify))
    per_substance = _summarise(counted, "key", first_seen, start, listed_since)
    class_first = counted.groupby("class")["key"].agg(
        lambda keys: first_seen.reindex(keys.unique()).min()
    )
    per_class = _summarise(counted, "class", class_first, start, {})
    return Trends(per_substance, per_class, axis(window["when"], by))


def _summarise(
    counted: pd.DataFrame,
    by: str,
    first_seen: pd.Series,
    start: pd.Timestamp | None,
    listed_since: Mapping[str, date],
) -> list[Trend]:
    out = []
    for key, group in counted.groupby(by, sort=False):
        in_window = group[group["period"].notna()]
        latest = group.iloc[-1]
        status = str(group["status"].mode().iat[0])
        first = first_seen.get(key)
        first = first if first is not None and pd.notna(first) else None
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
                status=status,
                total=len(in_window),
                cases=group["case_id"].nunique(),
                first_seen=first.date() if first is not None else None,
                flags=_flags(
                    first,
                    status,
                    bool(group["smiles"].notna().any()),
                    start,
                    listed_since.get(key),
                ),
                counts={str(p): int(n) for p, n in in_window.groupby("period").size().items()},
                undated=len(group) - len(in_window),
            )
        )
    return sorted(out, key=lambda t: (-(t.total + t.undated), t.name))


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
) -> Trends:
    """:func:`trends` with the shipped drug classes and the reference's first listing dates."""
    from subsmatch.matchers.classes import drug_class

    listed = {
        sid: first
        for sid in frame["substance_id"].dropna().unique()
        if (first := reference.first_listed(sid))
    }
    return trends(frame, by=by, since=since, until=until, classify=drug_class, listed_since=listed)
