"""Request and response models of the API (they make the OpenAPI description).

The answers are the typed shapes of the vocabulary, field for field: the verdict
(:class:`subsmatch.vocabulary.VerdictJSON`, the ``check --json`` object), the ingest summary,
the stored finding and the trends; a rejected row.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from subsmatch.operations.check import JURISDICTIONS
from subsmatch.vocabulary import IngestSummaryJSON, StoredFindingJSON, TrendsJSON, VerdictJSON

MAX_BATCH = 200
MAX_QUERY_CHARS = 4000

Jurisdiction = Literal[JURISDICTIONS]  # type: ignore[valid-type]


class CheckRequest(BaseModel):
    """One query (``query``) or a batch (``queries``), optionally for some jurisdictions and a
    date."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"query": "4-CMC"},
                {
                    "queries": ["3-CMC", "MDMA HCl"],
                    "jurisdictions": ["NL", "DE"],
                    "as_of": "2020-01-01",
                },
            ]
        },
    )

    query: str | None = Field(
        default=None,
        min_length=1,
        max_length=MAX_QUERY_CHARS,
        description="One query; the answer is one verdict object.",
    )
    queries: list[str] | None = Field(
        default=None,
        min_length=1,
        max_length=MAX_BATCH,
        description=f"Up to {MAX_BATCH} queries; the answer is a list of verdicts in order.",
    )
    jurisdictions: list[Jurisdiction] | None = Field(
        default=None, description="Only these jurisdictions (default: all)."
    )
    as_of: date | None = Field(
        default=None, description="Evaluate the lists as they stood on this date."
    )
    home: list[Jurisdiction] | None = Field(
        default=None,
        description="The jurisdictions the headline status speaks for when no jurisdictions "
        "are given (default: the service's home, shown on its page).",
    )

    @field_validator("jurisdictions", "home", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        if isinstance(value, list):
            return [v.upper() if isinstance(v, str) else v for v in value]
        return value

    @field_validator("queries")
    @classmethod
    def _bounded(cls, value: list[str] | None) -> list[str] | None:
        for text in value or ():
            if not text.strip() or len(text) > MAX_QUERY_CHARS:
                raise ValueError(f"each query must be 1 to {MAX_QUERY_CHARS} characters, not blank")
        return value

    @model_validator(mode="after")
    def _one_of(self) -> CheckRequest:
        if (self.query is None) == (self.queries is None):
            raise ValueError("give either query (one text) or queries (a list), not both")
        return self

    def texts(self) -> list[str]:
        """The queries in order (exactly one of ``query`` and ``queries`` is set)."""
        return [self.query] if self.query is not None else list(self.queries or ())


class Verdict(VerdictJSON):
    """The ``check --json`` object of one query."""


class IngestSummary(IngestSummaryJSON):
    """The ``ingest --json`` summary of one uploaded file."""


class Finding(StoredFindingJSON):
    """One stored finding with its resolution and verdict (times in ISO 8601, UTC)."""


class Trends(TrendsJSON):
    """Findings per substance and per class over time (as ``trends --json``)."""


class Rejection(BaseModel):
    """A row that became no finding (as ``rejections --json``): its file and version, where
    in the file, why, and the row as read."""

    file: str
    file_version: int
    locator: str
    reason: str
    raw: str


class Problem(BaseModel):
    """An error: what went wrong, in words."""

    detail: str
