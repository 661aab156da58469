"""Alerts: substances that cross a threshold, each with the cases behind it.

1. ``new_analogue``: the first appearance of an unlisted analogue (status ``analogue``).
2. ``spreading``: a flagged substance seen in at least N cases, or N sources (files), within a
   window of days.
3. ``unconfirmed_field_hit``: a field-device hit on an item that no lab analysis of the same
   case and item has looked at.

A finding without a time (its report gave none) counts where time does not matter (a new
analogue, an unconfirmed hit) and is said to be undated; it is never put in a window of days.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pandas as pd

from subsmatch.reports.trends import substance_keys
from subsmatch.vocabulary import ALERTING, CONTEXT_GROUPS, Context, counted


@dataclass(frozen=True)
class Alert:
    kind: str
    key: str
    name: str
    status: str
    first_seen: str | None  # None: no finding of it is dated
    last_seen: str | None
    cases: tuple[str, ...]
    sources: tuple[str, ...]
    reason: str

    def to_dict(self) -> dict:
        return {
            "kind": self.kind,
            "key": self.key,
            "name": self.name,
            "status": self.status,
            "first_seen": self.first_seen,
            "last_seen": self.last_seen,
            "cases": list(self.cases),
            "sources": list(self.sources),
            "reason": self.reason,
        }


def _name(group: pd.DataFrame) -> str:
    resolved = group["resolved_name"].dropna()
    return str(resolved.iat[0]) if len(resolved) else str(group["name"].dropna().iat[0])


def _alert(kind: str, key: str, group: pd.DataFrame, reason: str) -> Alert:
    dated = group["when"].dropna()
    return Alert(
        kind,
        key,
        _name(group),
        str(group["status"].iat[0]),
        dated.min().isoformat() if len(dated) else None,
        dated.max().isoformat() if len(dated) else None,
        tuple(sorted(group["case_id"].dropna().astype(str).unique())),
        tuple(sorted(group["source"].unique())),
        reason,
    )


def new_analogues(frame: pd.DataFrame) -> list[Alert]:
    analogues = frame[frame["status"] == "analogue"]
    return [
        _alert(
            "new_analogue",
            key,
            group.sort_values("when"),
            "an analogue of a controlled substance on no list: first seen "
            + _first_seen(group["when"]),
        )
        for key, group in analogues.groupby("key")
    ]


def _first_seen(when: pd.Series) -> str:
    """The first dated time, or that none is dated."""
    dated = when.dropna()
    return f"{dated.min():%Y-%m-%d}" if len(dated) else "undated (its reports give no time)"


def spreading(
    frame: pd.DataFrame, window_days: int, min_cases: int, min_sources: int
) -> list[Alert]:
    """Flagged substances with N cases or N sources inside some window of days."""
    flagged = frame[frame["status"].isin(ALERTING) & frame["when"].notna()]
    window = timedelta(days=window_days)
    out = []
    for key, group in flagged.groupby("key"):
        group = group.sort_values("when")
        times = group["when"].tolist()
        for i, start in enumerate(times):
            inside = group.iloc[i:][group["when"].iloc[i:] < start + window]
            cases, sources = inside["case_id"].nunique(), inside["source"].nunique()
            if cases >= min_cases or sources >= min_sources:
                out.append(
                    _alert(
                        "spreading",
                        key,
                        inside,
                        f"{counted(cases, 'case')} and {counted(sources, 'source')} within "
                        f"{counted(window_days, 'day')} from {start:%Y-%m-%d}",
                    )
                )
                break
    return out


def unconfirmed_field_hits(frame: pd.DataFrame) -> list[Alert]:
    """Flagged field-screening hits whose case and item no lab analysis has covered."""
    lab_items = set(
        frame.loc[frame["context"].isin(CONTEXT_GROUPS["lab"]), ["case_id", "item_id"]].itertuples(
            index=False, name=None
        )
    )
    field = frame[(frame["context"] == Context.FIELD_SCREENING) & frame["status"].isin(ALERTING)]
    confirmed = [
        (c, i) in lab_items for c, i in zip(field["case_id"], field["item_id"], strict=True)
    ]
    # a boolean mask, not a list: an empty list would select no columns, not no rows
    waiting = field.loc[~pd.Series(confirmed, index=field.index, dtype=bool)]
    return [
        _alert(
            "unconfirmed_field_hit",
            key,
            group,
            "field-device hit on "
            + ", ".join(
                f"case {c} item {i}"
                for c, i in sorted(
                    set(
                        zip(group["case_id"].astype(str), group["item_id"].astype(str), strict=True)
                    )
                )
            )
            + " with no lab analysis of the same item",
        )
        for key, group in waiting.groupby("key")
    ]


def alerts(
    frame: pd.DataFrame, *, window_days: int = 30, min_cases: int = 3, min_sources: int = 3
) -> list[Alert]:
    """Every alert, new analogues first."""
    if frame.empty:
        return []
    frame = frame.assign(key=substance_keys(frame))
    return (
        new_analogues(frame)
        + spreading(frame, window_days, min_cases, min_sources)
        + unconfirmed_field_hits(frame)
    )
