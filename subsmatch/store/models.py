"""SQLAlchemy models. No chemistry here: what is stored is what the readers read and the
matchers decided, the raw values beside the resolution, never over them."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


def as_utc(moment: datetime) -> datetime:
    """A stored or queried time as zone-aware UTC: times are stored in UTC, and SQLite gives
    them back without a zone (a naive time here is UTC); PostgreSQL in the session's zone.

    >>> from datetime import timedelta, timezone
    >>> as_utc(datetime(2024, 3, 14)).isoformat()
    '2024-03-14T00:00:00+00:00'
    >>> as_utc(datetime(2024, 3, 14, 1, tzinfo=timezone(timedelta(hours=1)))).isoformat()
    '2024-03-14T00:00:00+00:00'
    """
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


class CheckRecord(Base):
    """One `check` of one query: what was asked, what was answered, with which data."""

    __tablename__ = "checks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    checked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    query: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), index=True)
    substance_id: Mapped[str | None] = mapped_column(String(200))
    via: Mapped[str | None] = mapped_column(String(20))
    confidence: Mapped[float] = mapped_column(Float)
    as_of: Mapped[str | None] = mapped_column(String(10))
    data_version: Mapped[str] = mapped_column(String(64))
    tool_version: Mapped[str] = mapped_column(String(32))


class IngestedFile(Base):
    """One ingest of one file's content. The same content again is a no-op, unless forced:
    then it becomes a new version and the old one is kept."""

    __tablename__ = "files"
    __table_args__ = (UniqueConstraint("sha256", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_name: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    format: Mapped[str] = mapped_column(String(20))
    reader: Mapped[str] = mapped_column(String(40))
    profile: Mapped[str | None] = mapped_column(Text)
    ingested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    rows_read: Mapped[int] = mapped_column(Integer, default=0)
    analyses: Mapped[int] = mapped_column(Integer, default=0)
    findings: Mapped[int] = mapped_column(Integer, default=0)
    rejections: Mapped[int] = mapped_column(Integer, default=0)
    notes: Mapped[str] = mapped_column(Text, default="[]")  # JSON list
    data_version: Mapped[str] = mapped_column(String(64))
    tool_version: Mapped[str] = mapped_column(String(32))
    writing_since: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    """While an ingest writes the file, in short transactions: the time of its last write.
    Null once the file is complete; only complete files are read (see :func:`complete`)."""


class AnalysisRow(Base):
    """One analysed thing (a peak, a scan, a LIMS item), as the report describes it."""

    __tablename__ = "analyses"
    __table_args__ = (UniqueConstraint("file_id", "analysis_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("files.id", ondelete="CASCADE"))
    analysis_key: Mapped[str] = mapped_column(String(20))  # the reader's id within the file
    locator: Mapped[str] = mapped_column(Text)
    reader_version: Mapped[str] = mapped_column(String(40))
    case_id: Mapped[str | None] = mapped_column(Text, index=True)
    item_id: Mapped[str | None] = mapped_column(Text)
    label: Mapped[str | None] = mapped_column(Text)
    context: Mapped[str | None] = mapped_column(String(30))
    technique: Mapped[str | None] = mapped_column(Text)
    vendor: Mapped[str | None] = mapped_column(Text)
    model: Mapped[str | None] = mapped_column(Text)
    serial: Mapped[str | None] = mapped_column(Text)
    library: Mapped[str | None] = mapped_column(Text)
    library_version: Mapped[str | None] = mapped_column(Text)
    operator: Mapped[str | None] = mapped_column(Text)
    measured_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    measured_at_raw: Mapped[str | None] = mapped_column(Text)
    location: Mapped[str | None] = mapped_column(Text)
    country: Mapped[str | None] = mapped_column(Text)
    verdict: Mapped[str] = mapped_column(String(20))
    verdict_raw: Mapped[str | None] = mapped_column(Text)
    extras: Mapped[str] = mapped_column(Text, default="{}")  # JSON object


RESOLUTION_KEY = ("query", "data_version", "rules_version", "tool_version", "region")
"""What a stored resolution is reused by: the query and everything that made its verdict."""


class ResolutionRow(Base):
    """What one query text resolved to and its verdict, per data, rules and tool version and
    per region (whose street names it followed: 'big h' is heroin in the US, unresolved in
    Europe; "" for a resolution stored before regions were recorded, never reused).

    Findings share it: real reports repeat the same hundred substances, and a later file
    reuses what an earlier one resolved.
    """

    __tablename__ = "resolutions"
    __table_args__ = (
        UniqueConstraint(*RESOLUTION_KEY, name="uq_resolutions_query_versions_region"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    query: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20))
    substance_id: Mapped[str | None] = mapped_column(String(200))
    name: Mapped[str | None] = mapped_column(Text)
    smiles: Mapped[str | None] = mapped_column(Text)
    inchikey: Mapped[str | None] = mapped_column(String(27), index=True)
    via: Mapped[str | None] = mapped_column(String(20))
    confidence: Mapped[float] = mapped_column(Float, default=0.0)
    uncertain: Mapped[bool] = mapped_column(Boolean, default=False)
    verdict: Mapped[str] = mapped_column(Text)  # the JSON object of `check --json`
    data_version: Mapped[str] = mapped_column(String(64))
    rules_version: Mapped[str] = mapped_column(String(32))
    tool_version: Mapped[str] = mapped_column(String(32))
    region: Mapped[str] = mapped_column(String(40), default="", server_default="")


class FindingRow(Base):
    """One reported substance as printed, beside what it resolved to."""

    __tablename__ = "findings"
    __table_args__ = (
        Index("ix_findings_file_analysis", "file_id", "analysis_key"),
        Index("ix_findings_status", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("files.id", ondelete="CASCADE"))
    analysis_key: Mapped[str] = mapped_column(String(20))
    locator: Mapped[str] = mapped_column(Text)
    rank: Mapped[int | None] = mapped_column(Integer)
    role: Mapped[str] = mapped_column(String(30))
    name: Mapped[str | None] = mapped_column(Text)
    cas: Mapped[str | None] = mapped_column(Text)
    cas_raw: Mapped[str | None] = mapped_column(Text)
    formula: Mapped[str | None] = mapped_column(Text)
    scores: Mapped[str] = mapped_column(Text, default="[]")  # JSON list of score objects
    asserted_identified: Mapped[bool] = mapped_column(Boolean, default=False)
    extras: Mapped[str] = mapped_column(Text, default="{}")
    resolution_id: Mapped[int | None] = mapped_column(ForeignKey("resolutions.id"))
    status: Mapped[str] = mapped_column(String(20))  # copied from the resolution, for filters


class RejectionRow(Base):
    """An input row that became no finding, with the reason and where it was."""

    __tablename__ = "rejections"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("files.id", ondelete="CASCADE"), index=True)
    analysis_key: Mapped[str | None] = mapped_column(String(20))
    locator: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text)
    raw: Mapped[str] = mapped_column(Text)


class ApiToken(Base):
    """An API token of the service: only its SHA-256 is stored; the role limits what it may do."""

    __tablename__ = "tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class PageSession(Base):
    """A login on the page: the cookie holds a random id, only its SHA-256 is stored; it ends
    at ``expires_at``, at logout, or when its token is revoked or expires."""

    __tablename__ = "sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_hash: Mapped[str] = mapped_column(String(64), unique=True)
    token_id: Mapped[int] = mapped_column(ForeignKey("tokens.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class AuditEvent(Base):
    """Who did what through the service, when, from which token; files by their sha256."""

    __tablename__ = "audit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    token_name: Mapped[str | None] = mapped_column(String(120))
    role: Mapped[str | None] = mapped_column(String(20))
    action: Mapped[str] = mapped_column(String(40))
    target: Mapped[str | None] = mapped_column(Text)  # query text, file name or path read
    sha256: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[int] = mapped_column(Integer)  # the HTTP status answered
    client: Mapped[str | None] = mapped_column(String(80))
    detail: Mapped[str | None] = mapped_column(Text)


class RematchRow(Base):
    """One re-evaluation of stored findings against newer reference data or rules."""

    __tablename__ = "rematches"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    query: Mapped[str] = mapped_column(Text)
    old_resolution_id: Mapped[int] = mapped_column(ForeignKey("resolutions.id"))
    new_resolution_id: Mapped[int] = mapped_column(ForeignKey("resolutions.id"))
    old_status: Mapped[str] = mapped_column(String(20))
    new_status: Mapped[str] = mapped_column(String(20))
    findings: Mapped[int] = mapped_column(Integer)  # how many findings now carry the new one
    old_versions: Mapped[str] = mapped_column(Text)  # data / rules / tool versions, region
    new_versions: Mapped[str] = mapped_column(Text)
