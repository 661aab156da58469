"""What the service does, independent of HTTP: check, ingest, read (one instance per app)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, BinaryIO

from sqlalchemy import Engine

from subsmatch.ingest.pipeline import FileSummary, Pipeline
from subsmatch.ingest.profile import shipped_profiles
from subsmatch.ingest.readers import ReadOptions
from subsmatch.matchers.checker import Checker
from subsmatch.reference.lists import JURISDICTIONS
from subsmatch.store.access import UPLOAD_CONTEXTS
from subsmatch.store.checks import record_checks
from subsmatch.store.models import as_utc
from subsmatch.store.queries import case_findings, finding_frame, findings
from subsmatch.vocabulary import CONTEXT_GROUPS, FLAGGED

WARM_UP = ("MDMA", "4-CMC")


class Service:
    """The engine and the one Checker of an app, and the operations the endpoints call."""

    def __init__(self, engine: Engine, max_upload_bytes: int) -> None:
        self.engine = engine
        self.max_upload_bytes = max_upload_bytes
        self.checker = Checker(shared=True)
        self.checker.check(WARM_UP)  # build the indexes now, not on the first request
        self.profiles = {p.name: p for p in shipped_profiles()}

    def check(
        self,
        texts: list[str],
        jurisdictions: tuple[str, ...] | None = None,
        as_of: date | None = None,
    ) -> list[dict]:
        """The ``check --json`` objects of ``texts``, recorded like the command records them."""
        rows = self.checker.check_json(texts, jurisdictions or JURISDICTIONS, as_of)
        record_checks(self.engine, rows)
        return rows

    def ingest(
        self,
        stream: BinaryIO,
        source_name: str,
        role: str,
        *,
        format_name: str | None = None,
        profile: str | None = None,
    ) -> FileSummary:
        """Ingest one uploaded report, refusing analyses outside the role's contexts.

        ``profile`` must be the name of a shipped profile (checked by the caller).
        """
        options = ReadOptions(
            format=format_name, profile=self.profiles[profile] if profile else None
        )
        pipeline = Pipeline(
            self.engine,
            checker=self.checker,
            options=options,
            allowed_contexts=UPLOAD_CONTEXTS[role],
        )
        return pipeline.ingest(stream, source_name=source_name)

    def findings(
        self,
        *,
        flagged: bool = False,
        statuses: tuple[str, ...] = (),
        case: str | None = None,
        since: date | None = None,
        until: date | None = None,
        limit: int = 100,
    ) -> list[dict]:
        """Stored findings, newest files first, JSON-safe."""
        wanted = tuple(statuses) + (FLAGGED if flagged else ())
        rows = findings(
            self.engine,
            statuses=wanted,
            case=case,
            since=midnight(since),
            until=midnight(until),
            limit=limit,
        )
        return [json_safe(r) for r in rows]

    def case(self, case_id: str) -> list[dict]:
        """Every finding of one case (empty when the case is unknown), JSON-safe."""
        return [json_safe(r) for r in case_findings(self.engine, case_id)]

    def trends(
        self,
        *,
        by: str = "month",
        since: date | None = None,
        until: date | None = None,
        country: str | None = None,
        context: str | None = None,
    ) -> dict[str, list[dict]]:
        """Per substance and per class: counts per period and flags (as ``trends --json``)."""
        from subsmatch.reports.trends import substance_trends

        frame = finding_frame(
            self.engine, country=country, contexts=CONTEXT_GROUPS.get(context or "", ())
        )
        per_substance, per_class = substance_trends(
            frame, self.checker.reference, by=by, since=midnight(since), until=midnight(until)
        )
        return {
            "substances": [t.to_dict() for t in per_substance],
            "classes": [t.to_dict() for t in per_class],
        }


def midnight(day: date | None) -> datetime | None:
    """The start of a day (as the command line takes --since and --until)."""
    return datetime.combine(day, datetime.min.time()) if day else None


def json_safe(value: Any) -> Any:
    """Datetimes and dates as ISO 8601 text (naive datetimes are UTC, as stored)."""
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    if isinstance(value, datetime):
        return as_utc(value).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value
