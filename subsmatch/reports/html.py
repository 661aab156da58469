"""One self-contained HTML report for analysts and partners (no network resources).

Summary tables, time-series plots (matplotlib, embedded as PNG data), depictions of new
substances beside their nearest controlled neighbour (inline SVG), alerts with the cases behind
them, and the evidence behind each flag. Everything is escaped; nothing is fetched.

Time is real: the plot's axis is a time axis (2024-04 and 2026-12 are twenty periods apart, not
one), periods without any finding are a visible gap that no line crosses, and findings whose
report gave no time are counted as undated, never placed at the day they were ingested.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from html import escape

import pandas as pd

from subsmatch.matchers.similarity import Neighbour
from subsmatch.matchers.verdict import listed_on
from subsmatch.reports.alerts import Alert
from subsmatch.reports.depict import pair_svg, svg
from subsmatch.reports.trends import Gap, Trend, Trends, columns, period_labels, period_starts
from subsmatch.vocabulary import STATUSES, counted

MAX_NEW_DEPICTED = 12
MAX_TABLE_ROWS = 40
MAX_PERIODS = 6  # columns of the substances table: the newest periods, an empty run as one


@dataclass(frozen=True)
class ReportInput:
    frame: pd.DataFrame  # finding_frame(...) of the report's filters, over all time
    trends: Trends
    alerts: list[Alert]
    evidence: dict[str, tuple[str, ...]]  # substance key -> lists / rules that flag it
    versions: dict[str, str]  # data, rules and tool versions
    home: tuple[str, ...] = ()  # the jurisdictions whose headline each status is
    by: str = "month"
    title: str = "subsmatch: emerging substances"


CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2rem auto;
max-width:1100px;color:#1d2330;line-height:1.45}
h1{font-size:1.7rem;margin-bottom:.2rem}h2{margin-top:2.2rem;border-bottom:2px solid #dde3ee;
padding-bottom:.2rem}.meta{color:#5b6475;font-size:.9rem}
table{border-collapse:collapse;width:100%;font-size:.88rem;margin:.6rem 0}
th,td{border-bottom:1px solid #e4e8f0;padding:.32rem .5rem;text-align:left;vertical-align:top}
th{background:#f3f6fb}td.n{text-align:right;font-variant-numeric:tabular-nums}
.tag{display:inline-block;border-radius:.7rem;padding:0 .5rem;font-size:.78rem;margin-right:.2rem;
background:#eef1f6}.controlled,.generic{background:#fde2e1;color:#9b1c1c}
.analogue{background:#f3e8ff;color:#6b21a8}.precursor{background:#fef3c7;color:#92400e}
.unresolved{background:#e0f2fe;color:#075985}.new{background:#dcfce7;color:#166534}
.cards{display:flex;gap:1rem;flex-wrap:wrap}.card{border:1px solid #e4e8f0;border-radius:.6rem;
padding:.8rem 1rem;min-width:9rem}.card b{display:block;font-size:1.5rem}
figure{margin:1rem 0}figure img{max-width:100%}.pair{border:1px solid #e4e8f0;border-radius:.6rem;
padding:.6rem;margin:.8rem 0}.pair svg{max-width:100%;height:auto}
"""


def _tags(values: tuple[str, ...] | list[str]) -> str:
    return "".join(f'<span class="tag {escape(v)}">{escape(v)}</span>' for v in values)


def _table(headers: list[str], rows: list[list[str]], numeric: set[int] = frozenset()) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="n">{c}</td>' if i in numeric else f"<td>{c}</td>"
            for i, c in enumerate(row)
        )
        + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def time_series_png(
    frame: pd.DataFrame, periods: list[str], by: str, classify: Callable[[str | None], str]
) -> str | None:
    """Findings per period and class on a real time axis, as an embedded PNG data URL (None
    without a dated finding in the window). A period without any finding is a gap: no line
    crosses it, and a run of them is shaded; a class without findings in a period that has
    some is a zero."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt

    if not periods:
        return None
    dated = frame[frame["when"].notna()]
    data = dated.assign(
        period=period_labels(dated["when"], by),
        cls=dated["smiles"].map(lambda s: classify(s if isinstance(s, str) else None)),
    )
    data = data[data["period"].isin(periods)]
    table = data.groupby(["period", "cls"]).size().unstack(fill_value=0).reindex(periods)
    top = table.sum().sort_values(ascending=False).index[:8]
    starts = period_starts(periods, by)
    figure, axis = plt.subplots(figsize=(10, 3.6), dpi=110)
    for cls in top:
        axis.plot(starts, table[cls], marker="o", linewidth=1.6, markersize=3, label=cls)
    step = pd.Timedelta(days={"week": 7, "month": 30, "quarter": 91}[by])
    for column in columns(periods, set(data["period"])):
        if isinstance(column, Gap):
            first, last = period_starts([column.first, column.last], by)
            axis.axvspan(first - step / 2, last + step / 2, color="#8a94a6", alpha=0.12, lw=0)
    axis.set_ylabel("findings")
    axis.set_title(f"Findings per {by} and substance class (shaded: no findings)")
    axis.grid(alpha=0.3)
    axis.legend(fontsize=8, ncols=2, frameon=False)
    locator = mdates.AutoDateLocator(maxticks=12)
    axis.xaxis.set_major_locator(locator)
    axis.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    plt.close(figure)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def findings_text(trend: Trend) -> str:
    """How many findings, how many undated, in how many cases, in words.

    >>> findings_text(Trend("k", "X", "other", "analogue", 1, 0, None, ()))
    '1 finding, none with a case id'
    >>> findings_text(Trend("k", "X", "other", "analogue", 2, 2, None, (), undated=1))
    '3 findings (1 undated) in 2 cases'
    """
    text = counted(trend.total + trend.undated, "finding")
    if trend.undated:
        text += f" ({trend.undated:,} undated)"
    return text + (
        f" in {counted(trend.cases, 'case')}" if trend.cases else ", none with a case id"
    )


def evidence_of(verdict: dict) -> tuple[str, ...]:
    """What flags a substance, in words: the lists and rules it is on; for an analogue, its
    nearest controlled substance. A substance that is no analogue is never called one: its
    nearest controlled substance is named as what it is.

    >>> near = {"name": "Aminorex", "similarity": 0.36}
    >>> analogue = {"is_analogue": False, "lookalike": None, "class": "imidazothiazole",
    ...             "threshold": 0.55}
    >>> evidence_of({"jurisdictions": [], "analogues": [near], "analogue": analogue})
    ('not an analogue: the nearest controlled substance, Aminorex, is 0.36 similar (the \
imidazothiazole threshold is 0.55)',)
    """
    if not verdict:
        return ()
    listed = listed_on(verdict)
    analogue, nearest = verdict.get("analogue"), (verdict.get("analogues") or [None])[0]
    if not analogue or not nearest:
        return listed
    similarity = f"{nearest['similarity']:.2f}"
    if analogue["is_analogue"]:
        return (*listed, f"analogue of {nearest['name']} ({similarity} similar)")
    if analogue["lookalike"]:
        return (*listed, f"not an analogue: a known {analogue['lookalike']}")
    return (
        *listed,
        f"not an analogue: the nearest controlled substance, {nearest['name']}, is "
        f"{similarity} similar (the {analogue['class']} threshold is "
        f"{analogue['threshold']:.2f})",
    )


def render(
    data: ReportInput,
    classify: Callable[[str | None], str],
    nearest: Callable[[str], Neighbour | None],
) -> str:
    """The whole report as one HTML string."""
    frame = data.frame
    counts = frame["status"].value_counts()
    cards = "".join(
        f'<div class="card"><b>{int(counts.get(s, 0)):,}</b>{escape(s)}</div>' for s in STATUSES
    )
    dated = frame["when"].dropna()
    undated = len(frame) - len(dated)
    total = f'<div class="card"><b>{len(frame):,}</b>findings</div>'
    cases = f'<div class="card"><b>{frame["case_id"].nunique():,}</b>cases</div>'
    without_time = f'<div class="card"><b>{undated:,}</b>undated</div>' if undated else ""
    span = (
        f"findings dated {dated.min():%Y-%m-%d} to {dated.max():%Y-%m-%d}"
        if len(dated)
        else "no finding is dated"
    ) + (f", {counted(undated, 'finding')} without a date" if undated else "")
    sections = [
        f"<h1>{escape(data.title)}</h1>",
        f'<p class="meta">Generated {datetime.now(UTC):%Y-%m-%d %H:%M} UTC · '
        + " · ".join(f"{escape(k)} {escape(v)}" for k, v in data.versions.items())
        + f" · {span}"
        + (f" · statuses at {escape(', '.join(data.home))}" if data.home else "")
        + "</p>",
        f'<div class="cards">{total}{cases}{without_time}{cards}</div>',
        "<h2>Over time</h2>",
        _plot_section(data, classify, undated),
        _alerts_section(data.alerts),
        _new_section(data, nearest),
        _substances_section(data),
        _classes_section(data.trends.classes),
    ]
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{escape(data.title)}</title><style>{CSS}</style></head><body>"
        + "\n".join(sections)
        + "</body></html>"
    )


def _plot_section(data: ReportInput, classify: Callable[[str | None], str], undated: int) -> str:
    picture = time_series_png(data.frame, data.trends.periods, data.by, classify)
    note = (
        f"<p>{counted(undated, 'finding')} without a date "
        + (
            "is not on this axis: its report gave"
            if undated == 1
            else "are not on this axis: their reports gave"
        )
        + " no time (see the undated column below).</p>"
        if undated
        else ""
    )
    if picture is None:
        return "<p>No dated findings in this window.</p>" + note
    return f'<figure><img alt="findings per period and class" src="{picture}"></figure>' + note


def _alerts_section(alerts: list[Alert]) -> str:
    if not alerts:
        return "<h2>Alerts</h2><p>No alerts.</p>"
    rows = [
        [
            _tags([a.kind.replace("_", " ")]),
            escape(a.name),
            _tags([a.status]),
            escape(a.reason),
            escape(", ".join(a.cases[:12]) + (" …" if len(a.cases) > 12 else "")),
        ]
        for a in alerts[:MAX_TABLE_ROWS]
    ]
    more = (
        f"<p>{len(alerts) - MAX_TABLE_ROWS} more alerts.</p>"
        if len(alerts) > MAX_TABLE_ROWS
        else ""
    )
    return "<h2>Alerts</h2>" + _table(["alert", "substance", "status", "why", "cases"], rows) + more


def _new_section(data: ReportInput, nearest: Callable[[str], Neighbour | None]) -> str:
    new = [
        t
        for t in data.trends.substances
        if ("new" in t.flags or "unlisted" in t.flags) and t.status not in ("not_listed",)
    ]
    smiles_of = (
        data.frame.dropna(subset=["smiles"])
        .assign(key=lambda f: f["substance_id"])
        .drop_duplicates("key")
        .set_index("key")["smiles"]
    )
    blocks = []
    for trend in new[:MAX_NEW_DEPICTED]:
        smiles = smiles_of.get(trend.key)
        if not isinstance(smiles, str):
            continue
        neighbour = nearest(smiles)
        evidence = data.evidence.get(trend.key, ())
        if neighbour:
            picture = pair_svg(
                smiles,
                neighbour.smiles,
                trend.name[:40],
                f"{neighbour.name[:30]} ({neighbour.similarity:.2f})",
            )
            why = (
                f"Nearest controlled substance: <b>{escape(neighbour.name)}</b>, similarity "
                f"{neighbour.similarity:.2f}; {escape(neighbour.difference)}. Listed: "
                f"{escape('; '.join(neighbour.lists))}."
            )
        else:
            picture = svg([smiles], [trend.name[:40]])
            why = "No controlled neighbour close enough to show."
        blocks.append(
            f'<div class="pair"><h3>{escape(trend.name)} {_tags([trend.status, *trend.flags])}'
            f"</h3>{picture}<p>First seen {trend.first_seen or 'undated'}; "
            f"{findings_text(trend)}. {why}</p><p>Evidence: "
            f"{escape('; '.join(evidence)) or '-'}</p></div>"
        )
    if not blocks:
        return "<h2>New substances</h2><p>No new substances with a structure in this window.</p>"
    return "<h2>New substances</h2>" + "".join(blocks)


def _substances_section(data: ReportInput) -> str:
    shown = data.trends.substances[:MAX_TABLE_ROWS]
    used = {p for t in data.trends.substances for p in t.counts}
    periods = columns(data.trends.periods, used, MAX_PERIODS)
    undated = any(t.undated for t in data.trends.substances)
    rows = [
        [
            escape(t.name),
            escape(t.substance_class),
            _tags([t.status]),
            str(t.first_seen or "undated"),
            f"{t.total:,}",
            *([f"{t.undated:,}"] if undated else []),
            f"{t.cases:,}",
            *("·" if isinstance(p, Gap) else str(t.counts.get(p, 0)) for p in periods),
            _tags(t.flags),
            escape("; ".join(data.evidence.get(t.key, ()))),
        ]
        for t in shown
    ]
    headers = [
        "substance",
        "class",
        "status",
        "first seen",
        "dated",
        *(["undated"] if undated else []),
        "cases",
        *(str(p) for p in periods),
        "flags",
        "evidence",
    ]
    numeric = set(range(4, 6 + undated + len(periods)))
    return f"<h2>Substances (top {MAX_TABLE_ROWS})</h2>" + _table(headers, rows, numeric)


def _classes_section(per_class: list[Trend]) -> str:
    rows = [
        [
            escape(t.name),
            str(t.first_seen or "undated"),
            f"{t.total + t.undated:,}",
            f"{t.cases:,}",
            _tags(t.flags),
        ]
        for t in per_class
    ]
    return "<h2>Substance classes</h2>" + _table(
        ["class", "first seen", "findings", "cases", "flags"], rows, {2, 3}
    )


def build_report(
    engine,
    frame: pd.DataFrame,
    *,
    by: str,
    since: datetime | None,
    until: datetime | None,
    nearest: Callable[[str], Neighbour | None],
    home: tuple[str, ...] = (),
) -> str:
    """Gather trends, alerts and evidence for ``frame`` and render the report; ``nearest``
    gives the nearest controlled neighbour of a structure (SMILES); ``home``: the
    jurisdictions whose headline the frame's statuses are."""
    from subsmatch import __version__
    from subsmatch.matchers.classes import drug_class
    from subsmatch.reference.lists import load
    from subsmatch.reports.alerts import alerts
    from subsmatch.reports.trends import substance_trends
    from subsmatch.store.queries import verdicts

    reference = load()
    stored = verdicts(engine, frame["resolution_id"].dropna().astype(int))
    evidence: dict[str, tuple[str, ...]] = {}
    rules_version = None
    for rid, sid in (
        frame[["resolution_id", "substance_id"]]
        .dropna()
        .drop_duplicates("substance_id")
        .itertuples(index=False)
    ):
        verdict = stored.get(int(rid), {})
        evidence[sid] = evidence_of(verdict)
        rules_version = rules_version or verdict.get("rules_version")
    data = ReportInput(
        frame=frame,
        trends=substance_trends(frame, reference, by=by, since=since, until=until),
        alerts=alerts(frame),
        evidence=evidence,
        by=by,
        versions={"data": reference.version, "rules": rules_version or "-", "tool": __version__},
        home=home,
    )
    return render(data, drug_class, nearest)
